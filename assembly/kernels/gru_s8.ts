// gru_s8: one GRU time step in the int8 mode, integer arithmetic only (no framework has an
// integer GRU to copy; this follows the LSTM's conventions).
//
//   state h: int16 with sf fraction bits (sf = 15 unless calibration saw |h| > 1, say from a
//   learned initial state); its int8 form hq = sat8(requant(h)) (scale s_h, symmetric) feeds
//   the recurrent product and the output.
//   accX = W·x + B (int32), accH = R·hq (int32)
//   z, r = table_f(sat16(requant(accX) + requant(accH)))                       Q0.15
//   reset after  (variant B): n = table_g(sat16(requant(accX_n) + round(r · sat16(requant(accH_n + Bn)) >> 15)))
//   reset before (variant A): rh = sat8(round(r · hq >> 15)); n = table_g(sat16(requant(accX_n) + requant(Rn·rh)))
//   h' = sat16(n' + round(z · (h - n') >> 15)), n' = n in the state's format (n >> (15 - sf))
// Rows with t >= lens[r] keep their state and output the zero point.
// W and R are packed at load as rows [0, 2H) and [2H, 3H) (matmul_s8.ts). The requantizations
// run as row passes (gates_s8.ts); gruResetS8Scalar and gruCellS8Scalar are the scalar
// references of the per-unit parts, gru_s8_simd.ts their SIMD twins.

import { Layer, Prep, tensorPtr, prepOf } from '../model';
import { LayerFlag, TensorSlot } from '../format';
import { Scratch } from '../scratch';
import { roundUp16 } from './matmul_s8';
import { matmulS8, widenRowsS8, rqRowsS8, gatePreS8, lutRowsS8, outRowsS8, gruResetS8, gruCellS8 } from './dispatch_s8';
import { sat8, sat16, rshiftRound, lut16 } from './fixedpoint';

// Variant A: rh[k] = sat8(round(r[k] · hq[k] >> 15)), r at g (Q0.15, i32)
export function gruResetS8Scalar(g: usize, hq: usize, rh: usize, H: i32): void {
  for (let k = 0; k < H; k++) {
    store<i8>(rh + <usize>k, <i8>sat8(rshiftRound(load<i32>(g + (<usize>k << 2)) * <i32>load<i8>(hq + <usize>k), 15)));
  }
}

// The new state of one row. g holds z and r (Q0.15) and, for variant A (xn = 0), the n
// pre-activations (rows 2H..3H); for variant B, rows 2H..3H of xn and hn hold requant(accX_n)
// and sat16(requant(accH_n + Bn)).
export function gruCellS8Scalar(P: Prep, H: i32, xn: usize, hn: usize, g: usize, hr: usize): void {
  for (let k = 0; k < H; k++) {
    let o = <usize>(2 * H + k) << 2;
    let pre: i32;
    if (xn) {
      pre = sat16(load<i32>(xn + o) + rshiftRound(load<i32>(g + (<usize>(H + k) << 2)) * load<i32>(hn + o), 15));
      if (P.clip) pre = pre > P.clip ? P.clip : pre < -P.clip ? -P.clip : pre;
    } else {
      pre = load<i32>(g + o);
    }
    let nv = rshiftRound(lut16(P.lutG, pre), 15 - P.cellFrac);
    let z = load<i32>(g + (<usize>k << 2));
    let hOld = <i32>load<i16>(hr + (<usize>k << 1));
    store<i16>(hr + (<usize>k << 1), <i16>sat16(nv + rshiftRound(z * (hOld - nv), 15)));
  }
}

// int8 view of Q0.15 state rows (also the layer's output for the Final mode)
export function gruStateToS8(L: Layer, dir: i32, h: usize, n: i32, dst: usize, ldd: i32): void {
  let P = prepOf(L, dir);
  let H = L.units;
  for (let r = 0; r < n; r++) outRowsS8(P, h + <usize>r * (<usize>H << 1), 2, dst + <usize>r * <usize>ldd);
}

export function gruStepS8(L: Layer, dir: i32, n: i32, x: usize, ldx: i32, h: usize,
                          out: usize, ldo: i32, lens: usize, t: i32, ws: Scratch): void {
  let P = prepOf(L, dir);
  let H = L.units, GH = L.gh, I = L.inSize, H2 = 2 * H;
  let kx = roundUp16(I), kh = roundUp16(H);
  let resetAfter = (L.flags & LayerFlag.ResetAfter) != 0;
  let hq = ws.aux;                                  // int8 [n, H]
  let rh = ws.aux + <usize>n * <usize>H;            // int8 [n, H] (variant A)
  gruStateToS8(L, dir, h, n, hq, H);
  widenRowsS8(x, ldx, n, I, kx, ws.q);
  widenRowsS8(hq, H, n, H, kh, ws.q2);
  let W = tensorPtr(L, dir, TensorSlot.W), R = tensorPtr(L, dir, TensorSlot.R);
  let Rn = R + <usize>H2 * <usize>H, accN = <usize>H2 << 2;
  matmulS8(ws.q, kx, n, I, W, H2, ws.acc, GH);
  matmulS8(ws.q, kx, n, I, W + <usize>H2 * <usize>I, H, ws.acc + accN, GH);
  matmulS8(ws.q2, kh, n, H, R, H2, ws.acc2, GH);
  if (resetAfter) matmulS8(ws.q2, kh, n, H, Rn, H, ws.acc2 + accN, GH);
  let bias = tensorPtr(L, dir, TensorSlot.B), bn = tensorPtr(L, dir, TensorSlot.Bn);
  let rowBytes = <usize>GH << 2;
  for (let r = 0; r < n; r++) {
    let o = <usize>r * rowBytes;
    let ax = ws.acc + o, ah = ws.acc2 + o, g = ws.gates + o;
    // z and r (Q0.15) in ws.gates (i32 [n, 3H])
    gatePreS8(P, 0, 2, ax, bias, ah, g);
    lutRowsS8(P.lutF, g, H2);
    if (resetAfter) {
      // xn and hn in place of the accumulators' n rows
      rqRowsS8(P, 2, 3, ax, 4, bias + accN, 0, 0, ax, 4, 0, i32.MIN_VALUE, i32.MAX_VALUE);
      rqRowsS8(P, 2, 3, ah, 4, bn, 1, 0, ah, 4, 0, -32768, 32767);
    } else {
      // rh = r ⊙ hq, its product with the n rows of R, then the n pre-activations in ws.gates
      let rr = rh + <usize>r * <usize>H;
      gruResetS8(g + (<usize>H << 2), hq + <usize>r * <usize>H, rr, H);
      widenRowsS8(rr, H, 1, H, kh, ws.q2);
      matmulS8(ws.q2, kh, 1, H, Rn, H, ah + accN, GH);
      gatePreS8(P, 2, 3, ax, bias + accN, ah, g);
    }
    let orow = out + <usize>r * <usize>ldo;
    if (lens != 0 && t >= load<i32>(lens + (<usize>r << 2))) {
      memory.fill(orow, <u8>P.outZp, <usize>H);
      continue;
    }
    let hr = h + <usize>r * (<usize>H << 1);
    gruCellS8(P, H, resetAfter ? ax : 0, ah, g, hr);
    outRowsS8(P, hr, 2, orow);
  }
}
