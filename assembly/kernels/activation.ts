// Build-time choice between activation_f32 and its SIMD twin.
import { actApplyScalarF32, actGateScalarF32 } from './activation_f32';
import { actApplySimdF32, actGateSimdF32 } from './activation_f32_simd';

// @ts-ignore: decorator
@inline export function actApplyF32(code: i32, alpha: f32, beta: f32, p: usize, n: i32): void {
  if (ASC_FEATURE_SIMD) actApplySimdF32(code, alpha, beta, p, n);
  else actApplyScalarF32(code, alpha, beta, p, n);
}
// The activations of recurrent gates (rational sigmoid and tanh, see activation_f32.ts).
// @ts-ignore: decorator
@inline export function actGateF32(code: i32, alpha: f32, beta: f32, p: usize, n: i32): void {
  if (ASC_FEATURE_SIMD) actGateSimdF32(code, alpha, beta, p, n);
  else actGateScalarF32(code, alpha, beta, p, n);
}
