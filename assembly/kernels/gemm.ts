// Build-time choice between the scalar reference and its SIMD twin (same signature, same bits).
// ASC_FEATURE_SIMD is a compile-time constant, so the unused kernel is not in the binary.

import { gemmF32Scalar } from './gemm_f32';
import { gemmF32Simd } from './gemm_f32_simd';

// @ts-ignore: decorator
@inline export function gemmF32(a: usize, lda: i32, n: i32, k: i32, b: usize, ldb: i32, m: i32, c: usize, ldc: i32): void {
  if (ASC_FEATURE_SIMD) gemmF32Simd(a, lda, n, k, b, ldb, m, c, ldc);
  else gemmF32Scalar(a, lda, n, k, b, ldb, m, c, ldc);
}
