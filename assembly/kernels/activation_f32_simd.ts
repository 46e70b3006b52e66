// activation_f32_simd: SIMD128 twin of activation_f32.ts for the activations on the hot path of a
// recurrent step. Each lane performs the same IEEE operations, in the same order, as the scalar
// functions in activation_f32.ts, so the results are bit-identical; the tail (n % 4) and every
// other activation go through the scalar code.

import { Act } from '../format';
import {
  actApplyScalarF32, EXP_LO, EXP_HI, LOG2E, LN2_HI, LN2_LO, P0, P1, P2, P3, P4, P5,
  TANH_SMALL, T0, T1, T2, T3, T4,
} from './activation_f32';

// @ts-ignore: decorator
@inline function expV(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(EXP_LO)), f32x4.splat(EXP_HI));
  let n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let z = f32x4.mul(r, r);
  let p = f32x4.add(f32x4.mul(f32x4.splat(P0), r), f32x4.splat(P1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P4));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P5));
  p = f32x4.add(f32x4.add(f32x4.mul(p, z), r), f32x4.splat(1.0));
  let e = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, e);
}

// @ts-ignore: decorator
@inline function sigmoidV(x: v128): v128 {
  let one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, expV(f32x4.neg(x))));
}

// @ts-ignore: decorator
@inline function tanhV(x: v128): v128 {
  let ax = f32x4.abs(x);
  let z = f32x4.mul(x, x);
  let s = f32x4.add(f32x4.mul(f32x4.splat(T0), z), f32x4.splat(T1));
  s = f32x4.add(f32x4.mul(s, z), f32x4.splat(T2));
  s = f32x4.add(f32x4.mul(s, z), f32x4.splat(T3));
  s = f32x4.add(f32x4.mul(s, z), f32x4.splat(T4));
  s = f32x4.add(f32x4.mul(f32x4.mul(s, z), x), x);
  let e = expV(f32x4.add(ax, ax));
  let one = f32x4.splat(1.0);
  let big = f32x4.sub(one, f32x4.div(f32x4.splat(2.0), f32x4.add(e, one)));
  let sign = i32x4.splat(0x80000000);
  big = v128.or(v128.and(x, sign), v128.andnot(big, sign));   // copysign(big, x)
  return v128.bitselect(s, big, f32x4.lt(ax, f32x4.splat(TANH_SMALL)));
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
