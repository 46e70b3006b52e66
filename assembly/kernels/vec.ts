// Build-time choice between vec_f32 and its SIMD twin.
import * as S from './vec_f32';
import * as V from './vec_f32_simd';

// @ts-ignore: decorator
@inline export function vecMulAcc(dst: usize, a: usize, b: usize, n: i32): void {
  if (ASC_FEATURE_SIMD) V.vecMulAccSimd(dst, a, b, n); else S.vecMulAccScalar(dst, a, b, n);
}
// @ts-ignore: decorator
@inline export function vecClamp(p: usize, lim: f32, n: i32): void {
  S.vecClampScalar(p, lim, n);   // ONNX clip only: the scalar code in both builds (code size)
}
// @ts-ignore: decorator
@inline export function vecLstmCell(c: usize, f: usize, ig: usize, g: usize, n: i32): void {
  if (ASC_FEATURE_SIMD) V.vecLstmCellSimd(c, f, ig, g, n); else S.vecLstmCellScalar(c, f, ig, g, n);
}
// @ts-ignore: decorator
@inline export function vecMul(dst: usize, a: usize, b: usize, n: i32): void {
  if (ASC_FEATURE_SIMD) V.vecMulSimd(dst, a, b, n); else S.vecMulScalar(dst, a, b, n);
}
// @ts-ignore: decorator
@inline export function vecOneMinus(dst: usize, src: usize, n: i32): void {
  S.vecOneMinusScalar(dst, src, n);   // ONNX input_forget only: the scalar code in both builds
}
// @ts-ignore: decorator
@inline export function vecGruUpdate(h: usize, z: usize, nn: usize, n: i32): void {
  if (ASC_FEATURE_SIMD) V.vecGruUpdateSimd(h, z, nn, n); else S.vecGruUpdateScalar(h, z, nn, n);
}
