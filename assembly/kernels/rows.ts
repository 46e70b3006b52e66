// Row helpers shared by the layer kernels.

// Sets n rows of rowBytes each (stride strideBytes) to the bias vector, or to zeros without one:
// the starting value of every gemm accumulation.
export function fillRows(dst: usize, strideBytes: usize, bias: usize, rowBytes: usize, n: i32): void {
  for (let r = 0; r < n; r++) {
    let d = dst + <usize>r * strideBytes;
    if (bias) memory.copy(d, bias, rowBytes); else memory.fill(d, 0, rowBytes);
  }
}
