// Pieces shared by the int8-mode layer kernels.

import { Prep } from '../model';
import { mulByQuantizedMultiplier, sat16, lut16 } from './fixedpoint';

// Gate pre-activation in Q3.12 from the two int32 accumulators of output row m:
//   sat16(requant(accX + bias) + requant(accH)), then the optional clip.
export function preQ12(P: Prep, m: i32, accX: i32, accH: i32, hasH: bool): i32 {
  let o = <usize>m << 2;
  let v = mulByQuantizedMultiplier(accX, load<i32>(P.mx + o), load<i32>(P.sx + o));
  if (hasH) v += mulByQuantizedMultiplier(accH, load<i32>(P.mh + o), load<i32>(P.sh + o));
  v = sat16(v);
  if (P.clip) v = v > P.clip ? P.clip : v < -P.clip ? -P.clip : v;
  return v;
}

// A table activation: Q3.12 in, Q0.15 out.
// @ts-ignore: decorator
@inline export function act15(table: usize, q12: i32): i32 {
  return lut16(table, q12);
}
