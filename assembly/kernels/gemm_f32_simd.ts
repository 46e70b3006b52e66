// gemm_f32_simd: the SIMD128 twin of gemm_f32.ts, same signature, same bits.
// C[n x m] += A[n x k] * B[k x m]. Each lane of an accumulator is one element of C and sees the
// same sequence of multiplies and adds as in the scalar kernel, so results are bit-identical.
//
// Register blocking: one row of A against 32 columns (8 accumulators, enough independent adds to
// hide latency when a single stream steps), or four rows against 8 columns (each weight vector is
// loaded once for four streams). Leftover columns go 4 at a time, then one at a time.

import { gemmF32Scalar } from './gemm_f32';

// @ts-ignore: decorator
@inline const F = 4;

export function gemmF32Simd(a: usize, lda: i32, n: i32, k: i32, b: usize, ldb: i32, m: i32, c: usize, ldc: i32): void {
  let r = 0;
  for (; r + 4 <= n; r += 4) {
    rows4(a + <usize>r * <usize>lda * F, lda, k, b, ldb, m, c + <usize>r * <usize>ldc * F, ldc);
  }
  for (; r < n; r++) {
    row1(a + <usize>r * <usize>lda * F, k, b, ldb, m, c + <usize>r * <usize>ldc * F);
  }
}

function row1(arow: usize, k: i32, b: usize, ldb: i32, m: i32, crow: usize): void {
  let bStride = <usize>ldb * F;
  let col = 0;
  for (; col + 32 <= m; col += 32) {
    let cp = crow + <usize>col * F;
    let c0 = v128.load(cp), c1 = v128.load(cp, 16), c2 = v128.load(cp, 32), c3 = v128.load(cp, 48);
    let c4 = v128.load(cp, 64), c5 = v128.load(cp, 80), c6 = v128.load(cp, 96), c7 = v128.load(cp, 112);
    let bp = b + <usize>col * F;
    for (let j = 0; j < k; j++) {
      let av = f32x4.splat(load<f32>(arow + <usize>j * F));
      c0 = f32x4.add(c0, f32x4.mul(av, v128.load(bp)));
      c1 = f32x4.add(c1, f32x4.mul(av, v128.load(bp, 16)));
      c2 = f32x4.add(c2, f32x4.mul(av, v128.load(bp, 32)));
      c3 = f32x4.add(c3, f32x4.mul(av, v128.load(bp, 48)));
      c4 = f32x4.add(c4, f32x4.mul(av, v128.load(bp, 64)));
      c5 = f32x4.add(c5, f32x4.mul(av, v128.load(bp, 80)));
      c6 = f32x4.add(c6, f32x4.mul(av, v128.load(bp, 96)));
      c7 = f32x4.add(c7, f32x4.mul(av, v128.load(bp, 112)));
      bp += bStride;
    }
    v128.store(cp, c0); v128.store(cp, c1, 16); v128.store(cp, c2, 32); v128.store(cp, c3, 48);
    v128.store(cp, c4, 64); v128.store(cp, c5, 80); v128.store(cp, c6, 96); v128.store(cp, c7, 112);
  }
  for (; col + 8 <= m; col += 8) {
    let cp = crow + <usize>col * F;
    let c0 = v128.load(cp), c1 = v128.load(cp, 16);
    let bp = b + <usize>col * F;
    for (let j = 0; j < k; j++) {
      let av = f32x4.splat(load<f32>(arow + <usize>j * F));
      c0 = f32x4.add(c0, f32x4.mul(av, v128.load(bp)));
      c1 = f32x4.add(c1, f32x4.mul(av, v128.load(bp, 16)));
      bp += bStride;
    }
    v128.store(cp, c0); v128.store(cp, c1, 16);
  }
  for (; col + 4 <= m; col += 4) {
    let cp = crow + <usize>col * F;
    let c0 = v128.load(cp);
    let bp = b + <usize>col * F;
    for (let j = 0; j < k; j++) {
      c0 = f32x4.add(c0, f32x4.mul(f32x4.splat(load<f32>(arow + <usize>j * F)), v128.load(bp)));
      bp += bStride;
    }
    v128.store(cp, c0);
  }
  if (col < m) {
    gemmF32Scalar(arow, 0, 1, k, b + <usize>col * F, ldb, m - col, crow + <usize>col * F, 0);
  }
}

function rows4(a: usize, lda: i32, k: i32, b: usize, ldb: i32, m: i32, c: usize, ldc: i32): void {
  let bStride = <usize>ldb * F;
  let aStride = <usize>lda * F;
  let cStride = <usize>ldc * F;
  let a0 = a, a1 = a + aStride, a2 = a + 2 * aStride, a3 = a + 3 * aStride;
  let col = 0;
  for (; col + 8 <= m; col += 8) {
    let cp0 = c + <usize>col * F, cp1 = cp0 + cStride, cp2 = cp1 + cStride, cp3 = cp2 + cStride;
    let c00 = v128.load(cp0), c01 = v128.load(cp0, 16);
    let c10 = v128.load(cp1), c11 = v128.load(cp1, 16);
    let c20 = v128.load(cp2), c21 = v128.load(cp2, 16);
    let c30 = v128.load(cp3), c31 = v128.load(cp3, 16);
    let bp = b + <usize>col * F;
    for (let j = 0; j < k; j++) {
      let off = <usize>j * F;
      let b0 = v128.load(bp), b1 = v128.load(bp, 16);
      let av = f32x4.splat(load<f32>(a0 + off));
      c00 = f32x4.add(c00, f32x4.mul(av, b0)); c01 = f32x4.add(c01, f32x4.mul(av, b1));
      av = f32x4.splat(load<f32>(a1 + off));
      c10 = f32x4.add(c10, f32x4.mul(av, b0)); c11 = f32x4.add(c11, f32x4.mul(av, b1));
      av = f32x4.splat(load<f32>(a2 + off));
      c20 = f32x4.add(c20, f32x4.mul(av, b0)); c21 = f32x4.add(c21, f32x4.mul(av, b1));
      av = f32x4.splat(load<f32>(a3 + off));
      c30 = f32x4.add(c30, f32x4.mul(av, b0)); c31 = f32x4.add(c31, f32x4.mul(av, b1));
      bp += bStride;
    }
    v128.store(cp0, c00); v128.store(cp0, c01, 16);
    v128.store(cp1, c10); v128.store(cp1, c11, 16);
    v128.store(cp2, c20); v128.store(cp2, c21, 16);
    v128.store(cp3, c30); v128.store(cp3, c31, 16);
  }
  for (; col + 4 <= m; col += 4) {
    let cp0 = c + <usize>col * F, cp1 = cp0 + cStride, cp2 = cp1 + cStride, cp3 = cp2 + cStride;
    let c0 = v128.load(cp0), c1 = v128.load(cp1), c2 = v128.load(cp2), c3 = v128.load(cp3);
    let bp = b + <usize>col * F;
    for (let j = 0; j < k; j++) {
      let off = <usize>j * F;
      let b0 = v128.load(bp);
      c0 = f32x4.add(c0, f32x4.mul(f32x4.splat(load<f32>(a0 + off)), b0));
      c1 = f32x4.add(c1, f32x4.mul(f32x4.splat(load<f32>(a1 + off)), b0));
      c2 = f32x4.add(c2, f32x4.mul(f32x4.splat(load<f32>(a2 + off)), b0));
      c3 = f32x4.add(c3, f32x4.mul(f32x4.splat(load<f32>(a3 + off)), b0));
      bp += bStride;
    }
    v128.store(cp0, c0); v128.store(cp1, c1); v128.store(cp2, c2); v128.store(cp3, c3);
  }
  if (col < m) {
    gemmF32Scalar(a, lda, 4, k, b + <usize>col * F, ldb, m - col, c + <usize>col * F, ldc);
  }
}
