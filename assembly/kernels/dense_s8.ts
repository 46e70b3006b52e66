// dense_s8 and rnn_s8: the int8-mode Dense layer y = act(W·x + b) and simple RNN step
// h' = act(W·x + R·h + b), integer arithmetic only.
//   With a table activation (sigmoid, tanh, ...): pre = sat16(requant to Q3.12), then the
//   table (Q0.15), then requant to the output scale.
//   Without one (linear, relu, relu6): the accumulators are requantized straight to the output
//   scale, then clamped (relu: at the zero point; relu6: also at 6).
// Dense outputs are int8, or int16 (symmetric) for the final layer, which keeps the model's
// output resolution finer than 8 bits. RNN state and output: int8, symmetric. W and R are
// packed at load (matmul_s8.ts); the requantizations are the row passes of gates_s8.ts.

import { Layer, Prep, tensorPtr, prepOf } from '../model';
import { TensorSlot } from '../format';
import { Scratch } from '../scratch';
import { roundUp16 } from './matmul_s8';
import { matmulS8, widenRowsS8, rqRowsS8, lutRowsS8 } from './dispatch_s8';

// One row's outputs (oe bytes each) at dst, and an int8 copy at dst2 unless 0, from the input
// accumulators a (+ bias b) and the recurrent term c (already requantized; 0 for Dense). The
// clamps of a table-less activation fold into one: sat(min(max(v, zp), actHi)) equals
// clamp(v, max(zp, min), min(actHi, max)) because zp <= actHi.
function outputRowS8(P: Prep, a: usize, b: usize, c: usize, dst: usize, oe: i32, dst2: usize): void {
  let H = P.units;
  if (P.lutF) {
    let hi = P.clip ? P.clip : 32767, lo = P.clip ? -P.clip : -32768;   // sat16, then the clip
    rqRowsS8(P, 0, 1, a, 4, b, 0, c, a, 4, 0, lo, hi);
    lutRowsS8(P.lutF, a, H);
  }
  let top = oe == 2 ? 32767 : 127;
  if (P.lutF) rqRowsS8(P, 0, 1, a, 4, 0, 2, 0, dst, oe, P.outZp, -top - 1, top);
  else rqRowsS8(P, 0, 1, a, 4, b, 0, c, dst, oe, P.outZp, P.direct >= 1 ? P.outZp : -top - 1, min(P.actHi, top));
  if (dst2) memory.copy(dst2, dst, <usize>H);
}

export function denseS8(L: Layer, n: i32, x: usize, ldx: i32, y: usize, ldy: i32, ws: Scratch): void {
  let P = prepOf(L, 0);
  let O = L.units, I = L.inSize;
  let kx = roundUp16(I);
  let W = tensorPtr(L, 0, TensorSlot.W), bias = tensorPtr(L, 0, TensorSlot.B);
  let oe = L.outElem;
  for (let r0 = 0; r0 < n; r0 += ws.rows) {
    let nr = min(ws.rows, n - r0);
    widenRowsS8(x + <usize>r0 * <usize>ldx, ldx, nr, I, kx, ws.q);
    matmulS8(ws.q, kx, nr, I, W, O, ws.acc, O);
    for (let r = 0; r < nr; r++) {
      outputRowS8(P, ws.acc + <usize>r * (<usize>O << 2), bias, 0, y + <usize>(r0 + r) * <usize>ldy * <usize>oe, oe, 0);
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
    let o = <usize>r * (<usize>H << 2);
    let ah = ws.acc2 + o;
    rqRowsS8(P, 0, 1, ah, 4, bh, 1, 0, ah, 4, 0, i32.MIN_VALUE, i32.MAX_VALUE);
    outputRowS8(P, ws.acc + o, bias, ah, h + <usize>r * <usize>H, 1, orow);
  }
}
