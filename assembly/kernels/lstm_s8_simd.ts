// lstm_s8_simd: the SIMD twin of lstmCellS8Scalar (lstm_s8.ts); same signature, same bits.
// The cell runs as short passes over one row, four units at a time (a partial group at the end):
//   (peepholes) i, f += requant(P ⊙ c)
//   the tables in place: i, f through f's table, g through g's
//   c' = sat16(round(f·c >> 15) + round(i·g >> (30 - cf))), and c' in Q3.12 where g was
//   (peepholes) o += requant(P ⊙ c');  o through f's table, c' through h's
//   t = o · table_h(c'), then h' = sat8(zp + requant(t)) (rqRowsS8Simd)
// Passes rather than one loop keep a single copy of the table interpolation and of the
// requantization in the binary (the module is size-bound), for a few extra loads from L1.

import { Prep } from '../model';
import { lutRowsS8Simd, rqRowsS8Simd } from './gates_s8_simd';
import { kv, rsr4, sat16x4, loadI16x4, storeI16x4, storeI32x4 } from './fixedpoint_s8_simd';

// Gate g's pre-activations += requant(P ⊙ c), clipped: the products into tmp, then the
// requantization pass with the peephole multiplier.
function peepS8(P: Prep, g: i32, pre: usize, pw: usize, c: usize, tmp: usize): void {
  let H = P.units;
  for (let k = 0; k < H; k += 4) v128.store(tmp + (<usize>k << 2), i32x4.mul(loadI16x4(pw + (<usize>k << 1)), loadI16x4(c + (<usize>k << 1))));
  let hi = P.clip ? P.clip : 32767, lo = P.clip ? -P.clip : -32768;
  rqRowsS8Simd(P, g, g + 1, tmp - (<usize>(g * H) << 2), 4, 0, 3, pre, pre, 4, 0, lo, hi);
}

export function lstmCellS8Simd(P: Prep, H: i32, pre: usize, cr: usize, hr: usize, orow: usize, peep: usize, inputForget: bool, tmp: usize): void {
  let cf = P.cellFrac;
  let hb = <usize>H << 2;
  let po = pre + 3 * hb;
  if (peep) {
    peepS8(P, 0, pre, peep, cr, tmp);
    peepS8(P, 1, pre, peep + (<usize>H << 1), cr, tmp);
  }
  lutRowsS8Simd(P.lutF, pre, inputForget ? H : 2 * H);
  lutRowsS8Simd(P.lutG, pre + 2 * hb, H);
  let pg = pre + 2 * hb;
  for (let k = 0; k < H; k += 4) {
    let pk = pre + (<usize>k << 2), ck = cr + (<usize>k << 1);
    let i = v128.load(pk);
    let f = inputForget ? i32x4.min_s(i32x4.sub(kv(80), i), kv(32)) : v128.load(pk + hb);
    let c = sat16x4(i32x4.add(rsr4(i32x4.mul(f, loadI16x4(ck)), 15), rsr4(i32x4.mul(i, v128.load(pk + 2 * hb)), 30 - cf)));
    storeI16x4(ck, c, H - k);
    // c' in Q3.12 where g was (g is used up), for tanh's table below
    storeI32x4(pk + 2 * hb, cf >= 12 ? (cf > 12 ? rsr4(c, cf - 12) : c) : sat16x4(i32x4.shl(c, 12 - cf)), H - k);
  }
  if (peep) peepS8(P, 3, pre, peep + (<usize>(2 * H) << 1), cr, tmp);
  lutRowsS8Simd(P.lutF, po, H);
  lutRowsS8Simd(P.lutH, pg, H);
  for (let k = 0; k < H; k += 4) {
    let a = po + (<usize>k << 2);
    storeI32x4(a, i32x4.mul(v128.load(a), v128.load(pg + (<usize>k << 2))), H - k);
  }
  rqRowsS8Simd(P, 3, 4, pre, 4, 0, 2, 0, hr - <usize>(3 * H), 1, P.outZp, -128, 127);
  memory.copy(orow, hr, <usize>H);
}
