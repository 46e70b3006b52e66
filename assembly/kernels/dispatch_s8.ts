// Build-time choice between the integer kernels and their SIMD twins (same signatures, same
// bits). ASC_FEATURE_SIMD is a compile-time constant, so the unused twin is not in the binary.
import { Prep } from '../model';
import { matmulS8Scalar } from './matmul_s8';
import { matmulS8Simd } from './matmul_s8_simd';
import { quantizeRowsDynamicScalar } from './quantize_f32';
import { quantizeRowsDynamicSimd } from './quantize_f32_simd';
import { rescaleAddScalar } from './rescale_f32';
import { rescaleAddSimd } from './rescale_f32_simd';
import { widenRowsS8Scalar, widenRowsS8Simd } from './widen_s8';
import { rqRowsS8Scalar, lutRowsS8Scalar } from './gates_s8';
import { rqRowsS8Simd, lutRowsS8Simd } from './gates_s8_simd';
import { lstmCellS8Scalar } from './lstm_s8';
import { lstmCellS8Simd } from './lstm_s8_simd';
import { gruResetS8Scalar, gruCellS8Scalar } from './gru_s8';
import { gruResetS8Simd, gruCellS8Simd } from './gru_s8_simd';

// Weights packed at load (matmul_s8.ts).
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
// @ts-ignore: decorator
@inline export function rqRowsS8(P: Prep, g0: i32, g1: i32, a: usize, ae: i32, b: usize, side: i32, c: usize, out: usize, oe: i32, zp: i32, lo: i32, hi: i32): void {
  if (ASC_FEATURE_SIMD) rqRowsS8Simd(P, g0, g1, a, ae, b, side, c, out, oe, zp, lo, hi); else rqRowsS8Scalar(P, g0, g1, a, ae, b, side, c, out, oe, zp, lo, hi);
}
// Gate pre-activations (Q3.12, i32) of gates g0 <= g < g1 of one row at out: the recurrent term
// requantized in place in ah, then sat16(requant(ax + bias) + it), clipped.
export function gatePreS8(P: Prep, g0: i32, g1: i32, ax: usize, bias: usize, ah: usize, out: usize): void {
  let clip = P.clip;
  rqRowsS8(P, g0, g1, ah, 4, 0, 1, 0, ah, 4, 0, i32.MIN_VALUE, i32.MAX_VALUE);
  rqRowsS8(P, g0, g1, ax, 4, bias, 0, ah, out, 4, 0, clip ? -clip : -32768, clip ? clip : 32767);
}
// int8 rows of the layer's output: dst[k] = sat8(zp + requant(src[k])), k < P.units, src i16 or
// i32 (se = 2, 4)
// @ts-ignore: decorator
@inline export function outRowsS8(P: Prep, src: usize, se: i32, dst: usize): void {
  rqRowsS8(P, 0, 1, src, se, 0, 2, 0, dst, 1, P.outZp, -128, 127);
}
// @ts-ignore: decorator
@inline export function lutRowsS8(table: usize, p: usize, count: i32): void {
  if (ASC_FEATURE_SIMD) lutRowsS8Simd(table, p, count); else lutRowsS8Scalar(table, p, count);
}
// @ts-ignore: decorator
@inline export function lstmCellS8(P: Prep, H: i32, pre: usize, cr: usize, hr: usize, orow: usize, peep: usize, inputForget: bool, tmp: usize): void {
  if (ASC_FEATURE_SIMD) lstmCellS8Simd(P, H, pre, cr, hr, orow, peep, inputForget, tmp); else lstmCellS8Scalar(P, H, pre, cr, hr, orow, peep, inputForget, tmp);
}
// @ts-ignore: decorator
@inline export function gruResetS8(g: usize, hq: usize, rh: usize, H: i32): void {
  if (ASC_FEATURE_SIMD) gruResetS8Simd(g, hq, rh, H); else gruResetS8Scalar(g, hq, rh, H);
}
// @ts-ignore: decorator
@inline export function gruCellS8(P: Prep, H: i32, xn: usize, hn: usize, g: usize, hr: usize): void {
  if (ASC_FEATURE_SIMD) gruCellS8Simd(P, H, xn, hn, g, hr); else gruCellS8Scalar(P, H, xn, hn, g, hr);
}
