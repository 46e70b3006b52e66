// gru_s8_simd: the SIMD twins of the per-unit parts of gru_s8.ts (same signatures, same bits),
// four units at a time with a partial group at the end of a row.

import { Prep } from '../model';
import { rsr4, sat16x4, sat8x4, loadI16x4, storeI16x4, storeI32x4, storePart } from './fixedpoint_s8_simd';
import { lutRowsS8Simd } from './gates_s8_simd';

export function gruResetS8Simd(g: usize, hq: usize, rh: usize, H: i32): void {
  for (let k = 0; k < H; k += 4) {
    let v = i32x4.extend_low_i16x8_s(i16x8.extend_low_i8x16_s(v128.load32_zero(hq + <usize>k)));
    v = sat8x4(rsr4(i32x4.mul(v128.load(g + (<usize>k << 2)), v), 15));
    v = i16x8.narrow_i32x4_s(v, v);
    v = i8x16.narrow_i16x8_s(v, v);
    if (k + 4 <= H) v128.store32_lane(rh + <usize>k, v, 0); else storePart(rh + <usize>k, v, <usize>(H - k));
  }
}

export function gruCellS8Simd(P: Prep, H: i32, xn: usize, hn: usize, g: usize, hr: usize): void {
  let clip = P.clip, sn = 15 - P.cellFrac;
  let hb = <usize>H << 2;
  let gn = g + 2 * hb;
  if (xn) {
    // variant B: the n pre-activations where variant A has them
    for (let k = 0; k < H; k += 4) {
      let o = <usize>k << 2;
      let pre = sat16x4(i32x4.add(v128.load(xn + 2 * hb + o), rsr4(i32x4.mul(v128.load(g + hb + o), v128.load(hn + 2 * hb + o)), 15)));
      if (clip) pre = i32x4.min_s(i32x4.max_s(pre, i32x4.splat(-clip)), i32x4.splat(clip));
      storeI32x4(gn + o, pre, H - k);
    }
  }
  lutRowsS8Simd(P.lutG, gn, H);
  for (let k = 0; k < H; k += 4) {
    let o = <usize>k << 2;
    let nv = v128.load(gn + o);
    if (sn > 0) nv = rsr4(nv, sn);
    let hOld = loadI16x4(hr + (<usize>k << 1));
    storeI16x4(hr + (<usize>k << 1), sat16x4(i32x4.add(nv, rsr4(i32x4.mul(v128.load(g + o), i32x4.sub(hOld, nv)), 15))), H - k);
  }
}
