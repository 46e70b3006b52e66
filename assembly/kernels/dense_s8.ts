// dense_s8 and rnn_s8: the int8-mode Dense layer y = act(W·x + b) and simple RNN step
// h' = act(W·x + R·h + b), integer arithmetic only.
//   With a table activation (sigmoid, tanh, ...): pre = sat16(requant to Q3.12), then the
//   table (Q0.15), then requant to the output scale.
//   Without one (linear, relu, relu6): the accumulators are requantized straight to the output
//   scale, then clamped (relu: at the zero point; relu6: also at 6).
// Dense outputs are int8, or int16 (symmetric) for the final layer, which keeps the model's
// output resolution finer than 8 bits. RNN state and output: int8, symmetric.

import { Layer, Prep, tensorPtr, prepOf } from '../model';
import { TensorSlot } from '../format';
import { Scratch } from '../scratch';
import { roundUp16 } from './matmul_s8';
import { matmulS8, widenRowsS8 } from './dispatch_s8';
import { mulByQuantizedMultiplier, sat8, sat16 } from './fixedpoint';
import { preQ12, act15 } from './int8_common';

// @ts-ignore: decorator
@inline function outValue(P: Prep, m: i32, accX: i32, accH: i32, hasH: bool): i32 {
  if (P.lutF) {
    let t = act15(P.lutF, preQ12(P, m, accX, accH, hasH));
    return P.outZp + mulByQuantizedMultiplier(t, P.mOut, P.sOut);
  }
  let o = <usize>m << 2;
  let v = P.outZp + mulByQuantizedMultiplier(accX, load<i32>(P.mx + o), load<i32>(P.sx + o));
  if (hasH) v += mulByQuantizedMultiplier(accH, load<i32>(P.mh + o), load<i32>(P.sh + o));
  if (P.direct >= 1 && v < P.outZp) v = P.outZp;
  if (v > P.actHi) v = P.actHi;
  return v;
}

export function denseS8(L: Layer, n: i32, x: usize, ldx: i32, y: usize, ldy: i32, ws: Scratch): void {
  let P = prepOf(L, 0);
  let O = L.units, I = L.inSize;
  let kx = roundUp16(I);
  let W = tensorPtr(L, 0, TensorSlot.W), bias = tensorPtr(L, 0, TensorSlot.B);
  let wide = L.outElem == 2;
  for (let r0 = 0; r0 < n; r0 += ws.rows) {
    let nr = min(ws.rows, n - r0);
    widenRowsS8(x + <usize>r0 * <usize>ldx, ldx, nr, I, kx, ws.q);
    matmulS8(ws.q, kx, nr, I, W, O, ws.acc, O);
    for (let r = 0; r < nr; r++) {
      let ar = ws.acc + <usize>r * (<usize>O << 2);
      let yr = y + <usize>(r0 + r) * <usize>ldy * <usize>L.outElem;
      for (let m = 0; m < O; m++) {
        let v = outValue(P, m, load<i32>(ar + (<usize>m << 2)) + load<i32>(bias + (<usize>m << 2)), 0, false);
        if (wide) store<i16>(yr + (<usize>m << 1), <i16>sat16(v));
        else store<i8>(yr + <usize>m, <i8>sat8(v));
      }
    }
  }
}

export function rnnStepS8(L: Layer, dir: i32, n: i32, x: usize, ldx: i32, h: usize,
                          out: usize, ldo: i32, lens: usize, t: i32, ws: Scratch): void {
  let P = prepOf(L, dir);
  let H = L.units, I = L.inSize;
  let kx = roundUp16(I), kh = roundUp16(H);
  widenRowsS8(x, ldx, n, I, kx, ws.q);
  widenRowsS8(h, H, n, H, kh, ws.q2);
  matmulS8(ws.q, kx, n, I, tensorPtr(L, dir, TensorSlot.W), H, ws.acc, H);
  matmulS8(ws.q2, kh, n, H, tensorPtr(L, dir, TensorSlot.R), H, ws.acc2, H);
  let bias = tensorPtr(L, dir, TensorSlot.B), bh = tensorPtr(L, dir, TensorSlot.Bn);
  for (let r = 0; r < n; r++) {
    let orow = out + <usize>r * <usize>ldo;
    if (lens != 0 && t >= load<i32>(lens + (<usize>r << 2))) {
      memory.fill(orow, <u8>P.outZp, <usize>H);
      continue;
    }
    let ax = ws.acc + <usize>r * (<usize>H << 2), ah = ws.acc2 + <usize>r * (<usize>H << 2);
    let hr = h + <usize>r * <usize>H;
    for (let m = 0; m < H; m++) {
      let o = <usize>m << 2;
      let v = sat8(outValue(P, m, load<i32>(ax + o) + load<i32>(bias + o), load<i32>(ah + o) + load<i32>(bh + o), true));
      store<i8>(hr + <usize>m, <i8>v);
      store<i8>(orow + <usize>m, <i8>v);
    }
  }
}
