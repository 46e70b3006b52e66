// activation_f32_simd: SIMD128 twin of activation_f32.ts for the activations on the hot path of a
// recurrent step. Each lane performs the same IEEE operations, in the same order, as the scalar
// functions in activation_f32.ts, so the results are bit-identical; the tail (n % 4) and every
// other activation go through the scalar code.

import { Act } from '../format';
import {
  actApplyScalarF32, EXP_LO, EXP_HI, LOG2E, LN2_HI, LN2_LO, P0, P1, P2, P3, P4, P5,
  TANH_SMALL, T0, T1, T2, T3, T4, GATE_CLAMP, GP0, GP1, GP2, GP3, GP4, GQ1, GQ2, GQ3, GQ4,
} from './activation_f32';

// Constants are loaded (broadcast) from this table rather than written as v128.const: V8 builds
// each vector constant from immediates at every use (three instructions inside the loop), a
// load is one. Min and max are the pseudo (x86 minps/maxps) forms with x first, which give the
// same values as the scalar min/max for every input (a NaN x stays NaN); the IEEE forms cost
// V8 seven instructions each.
const KF = memory.data<f32>([
  EXP_LO, EXP_HI, LOG2E, 12582912.0, LN2_HI, LN2_LO, P0, P1, P2, P3, P4, P5, 1.0, 2.0,
  T0, T1, T2, T3, T4, TANH_SMALL,
]);
const KI = memory.data<i32>([127, 0x80000000]);
const KG = memory.data<f32>([-GATE_CLAMP, GATE_CLAMP, GP0, GP1, GP2, GP3, GP4, 1.0, GQ1, GQ2, GQ3, GQ4]);

// 2^n for the integer n = nearest(y) comes from the bits of y + 1.5 * 2^23 (KF[3]): the
// addition rounds y to an integer (ties to even, as nearest; |y| < 2^22) held in the low
// mantissa bits, so n is that sum minus the constant, and (bits + 127) << 23 is 2^n (the
// exponent and top mantissa bits shift out). The same values as the scalar nearest / convert /
// shift, in four operations instead of V8's multi-instruction saturating conversion.
// Not inlined: sigmoidV and tanhV share one copy (code size; Dense and Activation layers only,
// the recurrent gates use gateTanhV below).
function expV(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, v128.load32_splat(KF)), v128.load32_splat(KF, 4));
  let round = v128.load32_splat(KF, 12);
  let t = f32x4.add(f32x4.mul(x, v128.load32_splat(KF, 8)), round);
  let n = f32x4.sub(t, round);
  let r = f32x4.sub(x, f32x4.mul(n, v128.load32_splat(KF, 16)));
  r = f32x4.sub(r, f32x4.mul(n, v128.load32_splat(KF, 20)));
  let z = f32x4.mul(r, r);
  let p = f32x4.add(f32x4.mul(v128.load32_splat(KF, 24), r), v128.load32_splat(KF, 28));
  p = f32x4.add(f32x4.mul(p, r), v128.load32_splat(KF, 32));
  p = f32x4.add(f32x4.mul(p, r), v128.load32_splat(KF, 36));
  p = f32x4.add(f32x4.mul(p, r), v128.load32_splat(KF, 40));
  p = f32x4.add(f32x4.mul(p, r), v128.load32_splat(KF, 44));
  p = f32x4.add(f32x4.add(f32x4.mul(p, z), r), v128.load32_splat(KF, 48));
  let e = i32x4.shl(i32x4.add(t, v128.load32_splat(KI)), 23);
  return f32x4.mul(p, e);
}

// @ts-ignore: decorator
@inline export function sigmoidV(x: v128): v128 {
  let one = v128.load32_splat(KF, 48);
  return f32x4.div(one, f32x4.add(one, expV(v128.xor(x, v128.load32_splat(KI, 4)))));
}

// @ts-ignore: decorator
@inline export function tanhV(x: v128): v128 {
  let sign = v128.load32_splat(KI, 4);
  let ax = v128.andnot(x, sign);
  let z = f32x4.mul(x, x);
  let s = f32x4.add(f32x4.mul(v128.load32_splat(KF, 56), z), v128.load32_splat(KF, 60));
  s = f32x4.add(f32x4.mul(s, z), v128.load32_splat(KF, 64));
  s = f32x4.add(f32x4.mul(s, z), v128.load32_splat(KF, 68));
  s = f32x4.add(f32x4.mul(s, z), v128.load32_splat(KF, 72));
  s = f32x4.add(f32x4.mul(f32x4.mul(s, z), x), x);
  let e = expV(f32x4.add(ax, ax));
  let one = v128.load32_splat(KF, 48);
  let big = f32x4.sub(one, f32x4.div(v128.load32_splat(KF, 52), f32x4.add(e, one)));
  big = v128.or(v128.and(x, sign), v128.andnot(big, sign));   // copysign(big, x)
  return v128.bitselect(s, big, f32x4.lt(ax, v128.load32_splat(KF, 76)));
}

export function actApplySimdF32(code: i32, alpha: f32, beta: f32, p: usize, n: i32): void {
  let i = 0;
  switch (code) {
    case Act.Linear: return;
    case Act.Sigmoid: {
      for (; i + 4 <= n; i += 4) { let q = p + (<usize>i << 2); v128.store(q, sigmoidV(v128.load(q))); }
      break;
    }
    case Act.Tanh: {
      for (; i + 4 <= n; i += 4) { let q = p + (<usize>i << 2); v128.store(q, tanhV(v128.load(q))); }
      break;
    }
    case Act.Relu: {
      let zero = f32x4.splat(0);
      for (; i + 4 <= n; i += 4) { let q = p + (<usize>i << 2); v128.store(q, f32x4.max(v128.load(q), zero)); }
      break;
    }
    case Act.HardSigmoid: {
      let a = f32x4.splat(alpha), b = f32x4.splat(beta), one = f32x4.splat(1.0), zero = f32x4.splat(0);
      for (; i + 4 <= n; i += 4) {
        let q = p + (<usize>i << 2);
        v128.store(q, f32x4.max(f32x4.min(f32x4.add(f32x4.mul(a, v128.load(q)), b), one), zero));
      }
      break;
    }
    default: break;
  }
  if (i < n) actApplyScalarF32(code, alpha, beta, p + (<usize>i << 2), n - i);
}

// The gate tanh (activation_f32.ts, gateTanhF32), lane by lane the same operations.
// @ts-ignore: decorator
@inline function gateTanhV(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, v128.load32_splat(KG)), v128.load32_splat(KG, 4));
  let t = f32x4.mul(x, x);
  let p = f32x4.add(f32x4.mul(v128.load32_splat(KG, 24), t), v128.load32_splat(KG, 20));
  p = f32x4.add(f32x4.mul(p, t), v128.load32_splat(KG, 16));
  p = f32x4.add(f32x4.mul(p, t), v128.load32_splat(KG, 12));
  p = f32x4.add(f32x4.mul(p, t), v128.load32_splat(KG, 8));
  let q = f32x4.add(f32x4.mul(v128.load32_splat(KG, 44), t), v128.load32_splat(KG, 40));
  q = f32x4.add(f32x4.mul(q, t), v128.load32_splat(KG, 36));
  q = f32x4.add(f32x4.mul(q, t), v128.load32_splat(KG, 32));
  q = f32x4.add(f32x4.mul(q, t), v128.load32_splat(KG, 28));
  return f32x4.div(f32x4.mul(x, p), q);
}

// Twin of actGateScalarF32: gate sigmoid and tanh in SIMD, every other code as actApplySimdF32.
// The last n % 4 values go through the same vector code in a 16-byte buffer (the same operations
// per lane as the scalar code, without a second copy of it in this build).
const tailBuf = memory.data(16, 16);
export function actGateSimdF32(code: i32, alpha: f32, beta: f32, p: usize, n: i32): void {
  if (code != Act.Sigmoid && code != Act.Tanh) { actApplySimdF32(code, alpha, beta, p, n); return; }
  let sig = code == Act.Sigmoid;
  let s = f32x4.splat(sig ? 0.5 : 1.0), o = f32x4.splat(sig ? 0.5 : 0.0);
  for (let i = 0; i < n; i += 4) {
    let q = p + (<usize>i << 2);
    let rest = <usize>(n - i) << 2;
    if (rest < 16) { memory.copy(tailBuf, q, rest); q = tailBuf; }
    v128.store(q, f32x4.add(f32x4.mul(s, gateTanhV(f32x4.mul(s, v128.load(q)))), o));
    if (rest < 16) memory.copy(p + (<usize>i << 2), tailBuf, rest);
  }
}
