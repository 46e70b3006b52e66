// Build-time choice between activation_f32 and its SIMD twin.
import { actApplyScalarF32 } from './activation_f32';
import { actApplySimdF32 } from './activation_f32_simd';

// @ts-ignore: decorator
@inline export function actApplyF32(code: i32, alpha: f32, beta: f32, p: usize, n: i32): void {
  if (ASC_FEATURE_SIMD) actApplySimdF32(code, alpha, beta, p, n);
  else actApplyScalarF32(code, alpha, beta, p, n);
}
