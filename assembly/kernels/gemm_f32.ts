// gemm_f32: C[n x m] += A[n x k] * B[k x m], float32, row-major with explicit row strides
// (in elements). The scalar reference kernel; gemm_f32_simd.ts is its SIMD twin.
//
// Every element of C is accumulated in the same order in both kernels: its initial value, then
// + A[r][j] * B[j][col] for j = 0, 1, ..., k-1, one IEEE multiply and one IEEE add each (wasm has
// no fused multiply-add in its baseline). The two builds therefore give identical bits.
//
// B is "input-major" (row j holds the weights that multiply input j), the layout the converter
// writes, so the inner loop runs along contiguous outputs: no horizontal sums, any m.
// Not supported: transposed operands, alpha/beta scaling (the caller pre-fills C with the bias).

// @ts-ignore: decorator
@inline const F = 4; // sizeof<f32>()

export function gemmF32Scalar(a: usize, lda: i32, n: i32, k: i32, b: usize, ldb: i32, m: i32, c: usize, ldc: i32): void {
  let bStride = <usize>ldb * F;
  for (let r = 0; r < n; r++) {
    let arow = a + <usize>r * <usize>lda * F;
    let crow = c + <usize>r * <usize>ldc * F;
    let col = 0;
    // four outputs at a time, kept in locals across the whole k loop
    for (; col + 4 <= m; col += 4) {
      let cp = crow + <usize>col * F;
      let c0 = load<f32>(cp), c1 = load<f32>(cp, 4), c2 = load<f32>(cp, 8), c3 = load<f32>(cp, 12);
      let bp = b + <usize>col * F;
      for (let j = 0; j < k; j++) {
        let av = load<f32>(arow + <usize>j * F);
        c0 += av * load<f32>(bp);
        c1 += av * load<f32>(bp, 4);
        c2 += av * load<f32>(bp, 8);
        c3 += av * load<f32>(bp, 12);
        bp += bStride;
      }
      store<f32>(cp, c0); store<f32>(cp, c1, 4); store<f32>(cp, c2, 8); store<f32>(cp, c3, 12);
    }
    for (; col < m; col++) {
      let cp = crow + <usize>col * F;
      let acc = load<f32>(cp);
      let bp = b + <usize>col * F;
      for (let j = 0; j < k; j++) {
        acc += load<f32>(arow + <usize>j * F) * load<f32>(bp);
        bp += bStride;
      }
      store<f32>(cp, acc);
    }
  }
}
