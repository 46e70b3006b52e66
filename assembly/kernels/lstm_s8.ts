// lstm_s8: one LSTM time step in the int8 mode, integer arithmetic only.
//
//   x: int8 (scale s_x, zero point z_x)     h: int8 (scale s_h, symmetric)     c: int16 Q(cf)
//   accX = W·x + B    (int32; B folds the bias and -z_x·ΣW, computed by the converter)
//   accH = R·h        (int32)
//   pre_k = sat16(requant(accX_k) + requant(accH_k))      gate pre-activations in Q3.12
//   i, f, o = table_f(pre) and g = table_g(pre)            Q0.15 (513-entry tables)
//   c' = sat16(round(f·c >> 15) + round(i·g >> (30 - cf)))
//   h' = sat8(requant(o · table_h(c' in Q3.12)))           o·tanh(c') is Q0.30
// W [4H, I] and R [4H, H] are int8 output-major with per-row scales; requant multipliers per
// row are prepared at load (model.ts). Peepholes (int16, one scale) add requant(P ⊙ c) to the
// Q3.12 pre-activations of i and f (old cell) and o (new cell). Rows with t >= lens[r] keep
// their state and output the zero point.

import { Layer, tensorPtr, prepOf } from '../model';
import { LayerFlag, TensorSlot } from '../format';
import { Scratch } from '../scratch';
import { roundUp16 } from './matmul_s8';
import { matmulS8, widenRowsS8 } from './dispatch_s8';
import { mulByQuantizedMultiplier, sat8, sat16, rshiftRound } from './fixedpoint';
import { preQ12, act15 } from './int8_common';
import { Prep } from '../model';

// pre + requant(p * c) in Q3.12, clipped like the rest of the pre-activation
// @ts-ignore: decorator
@inline function peepQ12(P: Prep, pre: i32, p: i32, c: i32): i32 {
  let v = sat16(pre + mulByQuantizedMultiplier(p * c, P.mPeep, P.sPeep));
  if (P.clip) v = v > P.clip ? P.clip : v < -P.clip ? -P.clip : v;
  return v;
}

export function lstmStepS8(L: Layer, dir: i32, n: i32, x: usize, ldx: i32, h: usize, c: usize,
                           out: usize, ldo: i32, lens: usize, t: i32, ws: Scratch): void {
  let P = prepOf(L, dir);
  let H = L.units, GH = L.gh, I = L.inSize;
  let kx = roundUp16(I), kh = roundUp16(H);
  widenRowsS8(x, ldx, n, I, kx, ws.q);
  widenRowsS8(h, H, n, H, kh, ws.q2);
  matmulS8(ws.q, kx, n, I, tensorPtr(L, dir, TensorSlot.W), GH, ws.acc, GH);
  matmulS8(ws.q2, kh, n, H, tensorPtr(L, dir, TensorSlot.R), GH, ws.acc2, GH);
  let bias = tensorPtr(L, dir, TensorSlot.B);
  let inputForget = (L.flags & LayerFlag.InputForget) != 0;
  let peep = tensorPtr(L, dir, TensorSlot.P);
  let cf = P.cellFrac;
  for (let r = 0; r < n; r++) {
    let orow = out + <usize>r * <usize>ldo;
    if (lens != 0 && t >= load<i32>(lens + (<usize>r << 2))) {
      memory.fill(orow, <u8>P.outZp, <usize>H);
      continue;
    }
    let ax = ws.acc + <usize>r * (<usize>GH << 2), ah = ws.acc2 + <usize>r * (<usize>GH << 2);
    let cr = c + <usize>r * (<usize>H << 1), hr = h + <usize>r * <usize>H;
    for (let k = 0; k < H; k++) {
      let mi = k, mf = H + k, mg = 2 * H + k, mo = 3 * H + k;
      let cOld = <i32>load<i16>(cr + (<usize>k << 1));
      let pi = preQ12(P, mi, load<i32>(ax + (<usize>mi << 2)) + load<i32>(bias + (<usize>mi << 2)), load<i32>(ah + (<usize>mi << 2)), true);
      let pf = preQ12(P, mf, load<i32>(ax + (<usize>mf << 2)) + load<i32>(bias + (<usize>mf << 2)), load<i32>(ah + (<usize>mf << 2)), true);
      let po = preQ12(P, mo, load<i32>(ax + (<usize>mo << 2)) + load<i32>(bias + (<usize>mo << 2)), load<i32>(ah + (<usize>mo << 2)), true);
      if (peep) {
        pi = peepQ12(P, pi, <i32>load<i16>(peep + (<usize>k << 1)), cOld);
        pf = peepQ12(P, pf, <i32>load<i16>(peep + (<usize>(H + k) << 1)), cOld);
      }
      let i = act15(P.lutF, pi);
      let f = inputForget ? min(32768 - i, 32767) : act15(P.lutF, pf);
      let g = act15(P.lutG, preQ12(P, mg, load<i32>(ax + (<usize>mg << 2)) + load<i32>(bias + (<usize>mg << 2)), load<i32>(ah + (<usize>mg << 2)), true));
      let cNew = sat16(rshiftRound(f * cOld, 15) + rshiftRound(i * g, 30 - cf));
      store<i16>(cr + (<usize>k << 1), <i16>cNew);
      if (peep) po = peepQ12(P, po, <i32>load<i16>(peep + (<usize>(2 * H + k) << 1)), cNew);
      let o = act15(P.lutF, po);
      let c12 = cf >= 12 ? rshiftRound(cNew, cf - 12) : sat16(cNew << (12 - cf));
      let th = act15(P.lutH, c12);
      let hq = sat8(P.outZp + mulByQuantizedMultiplier(o * th, P.mOut, P.sOut));
      store<i8>(hr + <usize>k, <i8>hq);
      store<i8>(orow + <usize>k, <i8>hq);
    }
  }
}
