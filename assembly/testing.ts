// Entry of the kernel test builds (build/kernels-simd.wasm, build/kernels-scalar.wasm): the
// kernels exported one by one, with a bump allocator, so that tests can compare each of them
// with a plain reference and the SIMD build with the scalar one. Not shipped; the product
// module is assembly/index.ts.

import { matmulS8, quantizeRowsDynamic, rescaleAdd, widenRowsS8 } from './kernels/dispatch_s8';
import { gemmF32 } from './kernels/gemm';
import { actApplyF32 } from './kernels/activation';
import { mulByQuantizedMultiplier, quantizeMultiplier, lut16, rshiftRound } from './kernels/fixedpoint';
import { quantizeRowsAffineScalar } from './kernels/quantize_f32';

let top: usize = 0;

export function t_alloc(bytes: i32): i32 {
  if (top == 0) top = (__heap_base + 15) & ~15;
  let p = top;
  top = (top + <usize>bytes + 15) & ~15;
  let need = <i32>((top + 0xFFFF) >> 16) - memory.size();
  if (need > 0 && memory.grow(need) < 0) return 0;
  return <i32>p;
}
export function t_reset(): void { top = 0; }

export function t_matmul_s8(x: i32, kp: i32, n: i32, k: i32, w: i32, m: i32, acc: i32, ldacc: i32): void {
  matmulS8(x, kp, n, k, w, m, acc, ldacc);
}
export function t_quantize_dynamic(x: i32, ldx: i32, n: i32, k: i32, kp: i32, q: i32, scales: i32, zps: i32): void {
  quantizeRowsDynamic(x, ldx, n, k, kp, q, scales, zps);
}
export function t_quantize_affine(x: i32, ldx: i32, n: i32, k: i32, inv: f32, zp: i32, q: i32, ldq: i32): void {
  quantizeRowsAffineScalar(x, ldx, n, k, inv, zp, q, ldq);
}
export function t_rescale(acc: i32, n: i32, m: i32, sw: i32, sum: i32, sx: i32, zx: i32, y: i32, ldy: i32): void {
  rescaleAdd(acc, n, m, sw, sum, sx, zx, y, ldy);
}
export function t_widen(x: i32, ldx: i32, n: i32, k: i32, kp: i32, q: i32): void {
  widenRowsS8(x, ldx, n, k, kp, q);
}
export function t_gemm_f32(a: i32, lda: i32, n: i32, k: i32, b: i32, ldb: i32, m: i32, c: i32, ldc: i32): void {
  gemmF32(a, lda, n, k, b, ldb, m, c, ldc);
}
export function t_act(code: i32, alpha: f32, beta: f32, p: i32, n: i32): void {
  actApplyF32(code, alpha, beta, p, n);
}
export function t_mbqm(x: i32, m: i32, shift: i32): i32 { return mulByQuantizedMultiplier(x, m, shift); }
export function t_quantize_multiplier(real: f64, shiftOut: i32): i32 { return quantizeMultiplier(real, shiftOut); }
export function t_lut16(table: i32, x: i32): i32 { return lut16(table, x); }
export function t_rshift_round(x: i32, s: i32): i32 { return rshiftRound(x, s); }
