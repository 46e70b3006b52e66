// matmul_s8: acc[r][m] = sum_k x[r][k] * w[m][k] in int32, the scalar reference kernel.
// matmul_s8_simd.ts is its SIMD twin, with the same signature and the same (exact) results.
//
//   x    int16 [n, kp]: input rows, already widened from int8 (and zero-padded from k to
//        kp = k rounded up to 16, which the SIMD kernel relies on)
//   w    int8  [m, k]: weights, output-major (row m holds the weights of output m), unpadded
//   acc  int32 [n, ldacc]: results, overwritten
// Integer sums are exact, so any summation order gives the same bits. With int8 operands a row
// of k <= 32768 terms stays below 2^31 (the loader enforces the bound).

// The padded row length of matmul inputs.
// @ts-ignore: decorator
@inline export function roundUp16(k: i32): i32 { return (k + 15) & ~15; }

export function matmulS8Scalar(x: usize, kp: i32, n: i32, k: i32, w: usize, m: i32, acc: usize, ldacc: i32): void {
  for (let r = 0; r < n; r++) {
    let xr = x + <usize>r * (<usize>kp << 1);
    let ar = acc + <usize>r * (<usize>ldacc << 2);
    for (let j = 0; j < m; j++) {
      let wr = w + <usize>j * <usize>k;
      let s: i32 = 0;
      for (let i = 0; i < k; i++) s += <i32>load<i16>(xr + (<usize>i << 1)) * <i32>load<i8>(wr + <usize>i);
      store<i32>(ar + (<usize>j << 2), s);
    }
  }
}
