// Entry of the kernel test builds (build/kernels-simd.wasm, build/kernels-scalar.wasm): the
// kernels exported one by one, with a bump allocator, so that tests can compare each of them
// with a plain reference and the SIMD build with the scalar one. Not shipped; the product
// module is assembly/index.ts.

import { matmulS8, quantizeRowsDynamic, rescaleAdd, widenRowsS8 } from './kernels/dispatch_s8';
import { packS8 } from './kernels/matmul_s8';
import { rqSplat, rqAt, lut4 } from './kernels/fixedpoint_s8_simd';
import { gemmF32 } from './kernels/gemm';
import { packF32 } from './kernels/gemm_f32';
import { actApplyF32, actGateF32 } from './kernels/activation';
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

// w: [m, k] as stored in a file, packed on the way into a block of the bump allocator whose
// read slack holds garbage
export function t_matmul_s8(x: i32, kp: i32, n: i32, k: i32, w: i32, m: i32, acc: i32, ldacc: i32): void {
  let p = t_alloc(m * k + 32);
  packS8(w, m, k, p);
  memory.fill(p + m * k, 0x7f, 32);
  matmulS8(x, kp, n, k, p, m, acc, ldacc);
}
export function t_pack_s8(w: i32, m: i32, k: i32, dst: i32): void { packS8(w, m, k, dst); }
export function t_matmul_s8_packed(x: i32, kp: i32, n: i32, k: i32, w: i32, m: i32, acc: i32, ldacc: i32): void {
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
// C += A·B with B input-major [k, ldb] (packed on the way, into a block of the bump allocator)
export function t_gemm_f32(a: i32, lda: i32, n: i32, k: i32, b: i32, ldb: i32, m: i32, c: i32, ldc: i32): void {
  let p = t_alloc(k * m * 4);
  packF32(b, ldb, k, m, p);
  gemmF32(n, a, lda, k, p, 0, 0, 0, 0, m, c, ldc, c, ldc);
}
export function t_pack_f32(b: i32, ldb: i32, k: i32, m: i32, dst: i32): void { packF32(b, ldb, k, m, dst); }
export function t_gemm_packed_f32(n: i32, a1: i32, lda1: i32, k1: i32, b1: i32, a2: i32, lda2: i32, k2: i32, b2: i32, m: i32, init: i32, ldi: i32, c: i32, ldc: i32): void {
  gemmF32(n, a1, lda1, k1, b1, a2, lda2, k2, b2, m, init, ldi, c, ldc);
}
export function t_act(code: i32, alpha: f32, beta: f32, p: i32, n: i32): void {
  actApplyF32(code, alpha, beta, p, n);
}
export function t_gate_act(code: i32, p: i32, n: i32): void {
  actGateF32(code, 0, 0, p, n);
}
export function t_mbqm(x: i32, m: i32, shift: i32): i32 { return mulByQuantizedMultiplier(x, m, shift); }
export function t_quantize_multiplier(real: f64, shiftOut: i32): i32 { return quantizeMultiplier(real, shiftOut); }
export function t_lut16(table: i32, x: i32): i32 { return lut16(table, x); }
export function t_rshift_round(x: i32, s: i32): i32 { return rshiftRound(x, s); }

// The SIMD build's four-lane requantization and table interpolation (fixedpoint_s8_simd.ts) on
// one value splat to every lane; the scalar build answers with the scalar functions.
const rqTest = memory.data(80, 16);
export function t_mbqm_simd(x: i32, m: i32, shift: i32): i32 {
  if (!ASC_FEATURE_SIMD) return mulByQuantizedMultiplier(x, m, shift);
  rqSplat(m, shift, rqTest);
  return i32x4.extract_lane(rqAt(i32x4.splat(x), rqTest, shift > 0), 3);
}
export function t_lut16_simd(table: i32, x: i32): i32 {
  if (!ASC_FEATURE_SIMD) return lut16(table, x);
  return i32x4.extract_lane(lut4(table, i32x4.splat(x)), 2);
}
