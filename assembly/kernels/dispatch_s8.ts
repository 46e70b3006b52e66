// Build-time choice between the integer kernels and their SIMD twins.
import { matmulS8Scalar } from './matmul_s8';
import { matmulS8Simd } from './matmul_s8_simd';
import { quantizeRowsDynamicScalar } from './quantize_f32';
import { quantizeRowsDynamicSimd } from './quantize_f32_simd';
import { rescaleAddScalar } from './rescale_f32';
import { rescaleAddSimd } from './rescale_f32_simd';
import { widenRowsS8Scalar, widenRowsS8Simd } from './widen_s8';

// @ts-ignore: decorator
@inline export function matmulS8(x: usize, kp: i32, n: i32, k: i32, w: usize, m: i32, acc: usize, ldacc: i32): void {
  if (ASC_FEATURE_SIMD) matmulS8Simd(x, kp, n, k, w, m, acc, ldacc); else matmulS8Scalar(x, kp, n, k, w, m, acc, ldacc);
}
// @ts-ignore: decorator
@inline export function quantizeRowsDynamic(x: usize, ldx: i32, n: i32, k: i32, kp: i32, q: usize, scales: usize, zps: usize): void {
  if (ASC_FEATURE_SIMD) quantizeRowsDynamicSimd(x, ldx, n, k, kp, q, scales, zps); else quantizeRowsDynamicScalar(x, ldx, n, k, kp, q, scales, zps);
}
// @ts-ignore: decorator
@inline export function rescaleAdd(acc: usize, n: i32, m: i32, sw: usize, sum: usize, sx: usize, zx: usize, y: usize, ldy: i32): void {
  if (ASC_FEATURE_SIMD) rescaleAddSimd(acc, n, m, sw, sum, sx, zx, y, ldy); else rescaleAddScalar(acc, n, m, sw, sum, sx, zx, y, ldy);
}
// @ts-ignore: decorator
@inline export function widenRowsS8(x: usize, ldx: i32, n: i32, k: i32, kp: i32, q: usize): void {
  if (ASC_FEATURE_SIMD) widenRowsS8Simd(x, ldx, n, k, kp, q); else widenRowsS8Scalar(x, ldx, n, k, kp, q);
}
