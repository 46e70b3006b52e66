// Build-time choice between the scalar reference and its SIMD twin (same signature, same bits).
// ASC_FEATURE_SIMD is a compile-time constant, so the unused kernel is not in the binary.
// C = init + A1·B1 + A2·B2 on panel-packed weights: see gemm_f32.ts.

import { gemmF32Scalar } from './gemm_f32';
import { gemmF32Simd } from './gemm_f32_simd';

// @ts-ignore: decorator
@inline export function gemmF32(n: i32, a1: usize, lda1: i32, k1: i32, b1: usize,
                                a2: usize, lda2: i32, k2: i32, b2: usize, m: i32,
                                init: usize, ldi: i32, c: usize, ldc: i32): void {
  if (ASC_FEATURE_SIMD) gemmF32Simd(n, a1, lda1, k1, b1, a2, lda2, k2, b2, m, init, ldi, c, ldc);
  else gemmF32Scalar(n, a1, lda1, k1, b1, a2, lda2, k2, b2, m, init, ldi, c, ldc);
}
