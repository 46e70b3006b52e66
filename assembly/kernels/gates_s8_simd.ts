// gates_s8_simd: the SIMD twins of gates_s8.ts (same signatures, same bits), four rows at a
// time. rqRowsS8Simd reads each row's multiplier and shift in the SIMD form prepared at load
// (fixedpoint_s8_simd.ts, rqLayout); a gate whose H is not a multiple of four ends with a
// partial group.

import { Prep } from '../model';
import { rqAt, lut4, loadI16x4, storePart, storeI32x4, RQ_BLOCK, rqOutOffset } from './fixedpoint_s8_simd';

export function rqRowsS8Simd(P: Prep, g0: i32, g1: i32, a: usize, ae: i32, b: usize, side: i32, c: usize, out: usize, oe: i32, zp: i32, lo: i32, hi: i32): void {
  let H = P.units, G = P.gates;
  let left = (P.rqLeft & (1 << side)) != 0;
  let zv = i32x4.splat(zp), lov = i32x4.splat(lo), hiv = i32x4.splat(hi);
  let step: usize = side >= 2 ? 0 : <usize>G * RQ_BLOCK;
  for (let g = g0; g < g1; g++) {
    let m = g * H;
    let q = side >= 2 ? P.rq + rqOutOffset(G, H) + <usize>(side - 2) * 80 : P.rq + <usize>g * RQ_BLOCK + <usize>side * 80;
    let bo = b + (<usize>((g - g0) * H) << 2);
    for (let k = 0; k < H; k += 4) {
      let o = <usize>m << 2;
      let x = ae == 2 ? loadI16x4(a + (<usize>m << 1)) : v128.load(a + o);
      if (b) x = i32x4.add(x, v128.load(bo + (<usize>k << 2)));
      let v = i32x4.add(zv, rqAt(x, q, left));
      if (c) v = i32x4.add(v, v128.load(c + o));
      v = i32x4.min_s(i32x4.max_s(v, lov), hiv);
      if (oe < 4) {
        v = i16x8.narrow_i32x4_s(v, v);
        if (oe == 1) v = i8x16.narrow_i16x8_s(v, v);
      }
      let p = out + <usize>m * <usize>oe;
      if (k + 4 > H) storePart(p, v, <usize>((H - k) * oe));
      else if (oe == 4) v128.store(p, v);
      else if (oe == 2) v128.store64_lane(p, v, 0);
      else v128.store32_lane(p, v, 0);
      m += 4;
      q += step;
    }
  }
}

export function lutRowsS8Simd(table: usize, p: usize, count: i32): void {
  for (let k = 0; k < count; k += 4) {
    storeI32x4(p, lut4(table, v128.load(p)), count - k);
    p += 16;
  }
}
