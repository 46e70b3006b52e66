// lstm_s8: one LSTM time step in the int8 mode, integer arithmetic only.
//
//   x: int8 (scale s_x, zero point z_x)     h: int8 (scale s_h, symmetric)     c: int16 Q(cf)
//   accX = W·x + B    (int32; B folds the bias and -z_x·ΣW, computed by the converter)
//   accH = R·h        (int32)
//   pre_k = sat16(requant(accX_k) + requant(accH_k))      gate pre-activations in Q3.12
//   i, f, o = table_f(pre) and g = table_g(pre)            Q0.15 (513-entry tables)
//   c' = sat16(round(f·c >> 15) + round(i·g >> (30 - cf)))
//   h' = sat8(requant(o · table_h(c' in Q3.12)))           o·tanh(c') is Q0.30
// W [4H, I] and R [4H, H] are int8 output-major with per-row scales, packed at load for the
// matrix product (matmul_s8.ts); requant multipliers per row are prepared at load (model.ts).
// Peepholes (int16, one scale) add requant(P ⊙ c) to the Q3.12 pre-activations of i and f (old
// cell) and o (new cell). Rows with t >= lens[r] keep their state and output the zero point.
// The step: the two products, then per row the recurrent requantization, the gate
// pre-activations (gates_s8.ts) and the cell; lstmCellS8Scalar is the cell's scalar reference,
// lstm_s8_simd.ts its SIMD twin.

import { Layer, tensorPtr, prepOf, Prep } from '../model';
import { LayerFlag, TensorSlot } from '../format';
import { Scratch } from '../scratch';
import { roundUp16 } from './matmul_s8';
import { matmulS8, widenRowsS8, gatePreS8, lstmCellS8 } from './dispatch_s8';
import { mulByQuantizedMultiplier, sat8, sat16, rshiftRound, lut16 } from './fixedpoint';

// pre + requant(p * c) in Q3.12, clipped like the rest of the pre-activation
// @ts-ignore: decorator
@inline function peepQ12(P: Prep, pre: i32, p: i32, c: i32): i32 {
  let v = sat16(pre + mulByQuantizedMultiplier(p * c, P.mPeep, P.sPeep));
  if (P.clip) v = v > P.clip ? P.clip : v < -P.clip ? -P.clip : v;
  return v;
}

// The cell of one row: gate pre-activations pre[g*H + k] (Q3.12, i32) in, c and h updated, h
// also written to out. tmp: H i32 of scratch (the SIMD twin's).
export function lstmCellS8Scalar(P: Prep, H: i32, pre: usize, cr: usize, hr: usize, orow: usize, peep: usize, inputForget: bool, tmp: usize): void {
  let cf = P.cellFrac;
  for (let k = 0; k < H; k++) {
    let cOld = <i32>load<i16>(cr + (<usize>k << 1));
    let pi = load<i32>(pre + (<usize>k << 2));
    let pf = load<i32>(pre + (<usize>(H + k) << 2));
    let po = load<i32>(pre + (<usize>(3 * H + k) << 2));
    if (peep) {
      pi = peepQ12(P, pi, <i32>load<i16>(peep + (<usize>k << 1)), cOld);
      pf = peepQ12(P, pf, <i32>load<i16>(peep + (<usize>(H + k) << 1)), cOld);
    }
    let i = lut16(P.lutF, pi);
    let f = inputForget ? min(32768 - i, 32767) : lut16(P.lutF, pf);
    let g = lut16(P.lutG, load<i32>(pre + (<usize>(2 * H + k) << 2)));
    let cNew = sat16(rshiftRound(f * cOld, 15) + rshiftRound(i * g, 30 - cf));
    store<i16>(cr + (<usize>k << 1), <i16>cNew);
    if (peep) po = peepQ12(P, po, <i32>load<i16>(peep + (<usize>(2 * H + k) << 1)), cNew);
    let o = lut16(P.lutF, po);
    let c12 = cf >= 12 ? rshiftRound(cNew, cf - 12) : sat16(cNew << (12 - cf));
    let th = lut16(P.lutH, c12);
    let hq = sat8(P.outZp + mulByQuantizedMultiplier(o * th, P.mOut, P.sOut));
    store<i8>(hr + <usize>k, <i8>hq);
    store<i8>(orow + <usize>k, <i8>hq);
  }
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
  for (let r = 0; r < n; r++) {
    let orow = out + <usize>r * <usize>ldo;
    if (lens != 0 && t >= load<i32>(lens + (<usize>r << 2))) {
      memory.fill(orow, <u8>P.outZp, <usize>H);
      continue;
    }
    let o = <usize>r * (<usize>GH << 2);
    let pre = ws.gates + o;
    gatePreS8(P, 0, 4, ws.acc + o, bias, ws.acc2 + o, pre);
    lstmCellS8(P, H, pre, c + <usize>r * (<usize>H << 1), h + <usize>r * <usize>H, orow, peep, inputForget, ws.aux);
  }
}
