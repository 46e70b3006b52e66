// gates_s8: the row passes shared by the int8-mode layer kernels, scalar references
// (gates_s8_simd.ts holds the SIMD twins: same signatures, same bits).
//
// rqRowsS8: for rows m = g*H + k of gates g0 <= g < g1 (H = P.units units, P.gates gates)
//   out[m] = clamp(zp + requant(a[m] + b[m - g0*H]) + c[m], lo, hi)
// requant with the multiplier and shift of row m of the input accumulator (side 0) or of the
// recurrent one (side 1), or with the layer's output (side 2) or peephole (side 3) multiplier,
// the same for every row. a holds i32 or i16
// (ae = 4, 2); b = 0: no bias; c = 0: no addend (i32); out holds i32, i16 or i8 (oe = 4, 2, 1)
// and may be a or c. The additions wrap like the i32 arithmetic they stand for.
//   gate pre-activations (Q3.12): [lo, hi] = [-32768, 32767], or [-clip, clip] (sat16, then the
//   clip); an int8 output: sat8(zp + requant(t)) is side 2 with [-128, 127].
// lutRowsS8: a table activation in place (Q3.12 in, Q0.15 out, i32).

import { Prep } from '../model';
import { mulByQuantizedMultiplier, lut16 } from './fixedpoint';

export function rqRowsS8Scalar(P: Prep, g0: i32, g1: i32, a: usize, ae: i32, b: usize, side: i32, c: usize, out: usize, oe: i32, zp: i32, lo: i32, hi: i32): void {
  let ms = side ? P.mh : P.mx, ss = side ? P.sh : P.sx;
  let m0 = g0 * P.units;
  for (let m = m0; m < g1 * P.units; m++) {
    let o = <usize>m << 2;
    let x = ae == 2 ? <i32>load<i16>(a + (<usize>m << 1)) : load<i32>(a + o);
    if (b) x += load<i32>(b + (<usize>(m - m0) << 2));
    let v = zp + (side == 3 ? mulByQuantizedMultiplier(x, P.mPeep, P.sPeep)
      : side == 2 ? mulByQuantizedMultiplier(x, P.mOut, P.sOut) : mulByQuantizedMultiplier(x, load<i32>(ms + o), load<i32>(ss + o)));
    if (c) v += load<i32>(c + o);
    v = v < lo ? lo : v > hi ? hi : v;
    if (oe == 4) store<i32>(out + o, v);
    else if (oe == 2) store<i16>(out + (<usize>m << 1), <i16>v);
    else store<i8>(out + <usize>m, <i8>v);
  }
}

export function lutRowsS8Scalar(table: usize, p: usize, count: i32): void {
  for (let k = 0; k < count; k++) store<i32>(p + (<usize>k << 2), lut16(table, load<i32>(p + (<usize>k << 2))));
}
