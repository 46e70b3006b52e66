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

import { Layer, tensorPtr, prepOf } from '../model';
import { LayerFlag, TensorSlot } from '../format';
import { Scratch } from '../scratch';
import { roundUp16 } from './matmul_s8';
import { matmulS8, widenRowsS8 } from './dispatch_s8';
import { mulByQuantizedMultiplier, sat8, sat16, rshiftRound } from './fixedpoint';
import { preQ12, act15 } from './int8_common';

// int8 view of Q0.15 state rows (also the layer's output for the Final mode)
export function gruStateToS8(L: Layer, dir: i32, h: usize, n: i32, dst: usize, ldd: i32): void {
  let P = prepOf(L, dir);
  let H = L.units;
  for (let r = 0; r < n; r++) {
    for (let k = 0; k < H; k++) {
      let v = <i32>load<i16>(h + ((<usize>r * <usize>H + <usize>k) << 1));
      store<i8>(dst + <usize>r * <usize>ldd + <usize>k, <i8>sat8(P.outZp + mulByQuantizedMultiplier(v, P.mOut, P.sOut)));
    }
  }
}

export function gruStepS8(L: Layer, dir: i32, n: i32, x: usize, ldx: i32, h: usize,
                          out: usize, ldo: i32, lens: usize, t: i32, ws: Scratch): void {
  let P = prepOf(L, dir);
  let H = L.units, GH = L.gh, I = L.inSize;
  let kx = roundUp16(I), kh = roundUp16(H);
  let resetAfter = (L.flags & LayerFlag.ResetAfter) != 0;
  let hq = ws.aux;                                  // int8 [n, H]
  let rh = ws.aux + <usize>n * <usize>H;            // int8 [n, H] (variant A)
  gruStateToS8(L, dir, h, n, hq, H);
  widenRowsS8(x, ldx, n, I, kx, ws.q);
  widenRowsS8(hq, H, n, H, kh, ws.q2);
  let W = tensorPtr(L, dir, TensorSlot.W), R = tensorPtr(L, dir, TensorSlot.R);
  matmulS8(ws.q, kx, n, I, W, GH, ws.acc, GH);
  matmulS8(ws.q2, kh, n, H, R, resetAfter ? GH : 2 * H, ws.acc2, GH);
  let bias = tensorPtr(L, dir, TensorSlot.B), bn = tensorPtr(L, dir, TensorSlot.Bn);
  // z and r, kept in ws.gates (i32 [n, 2H])
  for (let r = 0; r < n; r++) {
    let ax = ws.acc + <usize>r * (<usize>GH << 2), ah = ws.acc2 + <usize>r * (<usize>GH << 2);
    let g = ws.gates + <usize>r * (<usize>GH << 2);
    for (let m = 0; m < 2 * H; m++) {
      let o = <usize>m << 2;
      store<i32>(g + o, act15(P.lutF, preQ12(P, m, load<i32>(ax + o) + load<i32>(bias + o), load<i32>(ah + o), true)));
    }
  }
  if (!resetAfter) {
    // rh = r ⊙ hq, then its product with the n rows of R
    for (let r = 0; r < n; r++) {
      let g = ws.gates + <usize>r * (<usize>GH << 2);
      for (let k = 0; k < H; k++) {
        let rg = load<i32>(g + (<usize>(H + k) << 2));
        let v = <i32>load<i8>(hq + <usize>r * <usize>H + <usize>k);
        store<i8>(rh + <usize>r * <usize>H + <usize>k, <i8>sat8(rshiftRound(rg * v, 15)));
      }
    }
    widenRowsS8(rh, H, n, H, kh, ws.q2);
    matmulS8(ws.q2, kh, n, H, R + <usize>(2 * H) * <usize>H, H, ws.acc2 + (<usize>(2 * H) << 2), GH);
  }
  for (let r = 0; r < n; r++) {
    let orow = out + <usize>r * <usize>ldo;
    if (lens != 0 && t >= load<i32>(lens + (<usize>r << 2))) {
      memory.fill(orow, <u8>P.outZp, <usize>H);
      continue;
    }
    let ax = ws.acc + <usize>r * (<usize>GH << 2), ah = ws.acc2 + <usize>r * (<usize>GH << 2);
    let g = ws.gates + <usize>r * (<usize>GH << 2);
    let hr = h + <usize>r * (<usize>H << 1);
    for (let k = 0; k < H; k++) {
      let m = 2 * H + k, o = <usize>m << 2;
      let pre: i32;
      if (resetAfter) {
        let hn = sat16(mulByQuantizedMultiplier(load<i32>(ah + o) + (bn ? load<i32>(bn + (<usize>k << 2)) : 0), load<i32>(P.mh + o), load<i32>(P.sh + o)));
        let xn = mulByQuantizedMultiplier(load<i32>(ax + o) + load<i32>(bias + o), load<i32>(P.mx + o), load<i32>(P.sx + o));
        pre = sat16(xn + rshiftRound(load<i32>(g + (<usize>(H + k) << 2)) * hn, 15));
        if (P.clip) pre = pre > P.clip ? P.clip : pre < -P.clip ? -P.clip : pre;
      } else {
        pre = preQ12(P, m, load<i32>(ax + o) + load<i32>(bias + o), load<i32>(ah + o), true);
      }
      let nv = rshiftRound(act15(P.lutG, pre), 15 - P.cellFrac);
      let z = load<i32>(g + (<usize>k << 2));
      let hOld = <i32>load<i16>(hr + (<usize>k << 1));
      let hNew = sat16(nv + rshiftRound(z * (hOld - nv), 15));
      store<i16>(hr + (<usize>k << 1), <i16>hNew);
      store<i8>(orow + <usize>k, <i8>sat8(P.outZp + mulByQuantizedMultiplier(hNew, P.mOut, P.sOut)));
    }
  }
}
