// fixedpoint_s8_simd: fixedpoint.ts four lanes at a time, with exactly its results.
//
// mulByQuantizedMultiplier with its own (m, shift) in every lane. SIMD128 has no per-lane
// shift, so each shift is prepared at load (rqPut) as powers of two and limits:
//   e = max(-shift, 0), L = max(shift, 0)
//   pw = 2^(31 - e) (as u32), half = 2^(e - 1) (0 when e = 0), pl = 2^L, lim = i32.MAX_VALUE >> L
// and the three stages become
//   left shift (only when some lane has L > 0): x * pl, saturated where x > lim or x < ~lim
//   srdhm: the TFLite nudge makes (ab + nudge) / 2^31, truncated toward zero, equal to
//          floor((ab + 2^30) / 2^31) for every product ab (m is never i32.MIN_VALUE, so the
//          saturating case cannot occur); with i64x2.extmul that is an add and a logical
//          shift, whose low 32 bits are the arithmetic shift's because the result fits in i32
//   rdbpot: rounds y / 2^e half away from zero, that is sign(y) * ((|y| + half) >> e); |y| as
//          u32 (i32x4.abs leaves 2^31 for i32.MIN_VALUE) plus half stays below 2^32, and the
//          shift is the high part of its unsigned widening product with pw.
// lut4 gathers the (a, b) pair of each lane with one 32-bit load and interpolates in i32.
//
// Rows whose length is not a multiple of four end with a partial group: its loads read up to
// 12 bytes past the row (inside the same block: scratch, state, or the model with its slack),
// the extra lanes compute values that are never stored (nothing traps: lut4 masks its index),
// and its stores (storeI32x4 ...) write only the lanes that exist.

// Vector constants, loaded rather than written inline: a v128.const costs 18 bytes of code at
// every use, a load from this table about 8 (the module is size-bound).
const KV = memory.data<i32>([
  0x40000000, 0, 0x40000000, 0,       // 0: the i64 nudge 2^30
  -32768, -32768, -32768, -32768,     // 16
  32767, 32767, 32767, 32767,         // 32
  -128, -128, -128, -128,             // 48
  127, 127, 127, 127,                 // 64
  32768, 32768, 32768, 32768,         // 80
  0x3FE, 0x3FE, 0x3FE, 0x3FE,         // 96
  64, 64, 64, 64,                     // 112
  0x7FFFFFFF, 0x7FFFFFFF, 0x7FFFFFFF, 0x7FFFFFFF,   // 128
  0x80000000, 0x80000000, 0x80000000, 0x80000000,   // 144
], 16);
// @ts-ignore: decorator
@inline export function kv(off: u32): v128 { return v128.load(KV + <usize>off); }

// mulByQuantizedMultiplier of four lanes after the left stage: multipliers m, prepared pw, half
// @ts-ignore: decorator
@inline function rq4(x: v128, m: v128, pw: v128, half: v128): v128 {
  let nudge = kv(0);
  let lo = i64x2.shr_u(i64x2.add(i64x2.extmul_low_i32x4_s(x, m), nudge), 31);
  let hi = i64x2.shr_u(i64x2.add(i64x2.extmul_high_i32x4_s(x, m), nudge), 31);
  let y = i32x4.shuffle(lo, hi, 0, 2, 4, 6);
  let s = i32x4.shr_s(y, 31);
  let u = i32x4.add(i32x4.abs(y), half);
  let a = i64x2.shr_u(i64x2.extmul_low_i32x4_u(u, pw), 31);
  let b = i64x2.shr_u(i64x2.extmul_high_i32x4_u(u, pw), 31);
  return i32x4.sub(v128.xor(i32x4.shuffle(a, b, 0, 2, 4, 6), s), s);
}

// The saturating left shift (pl = 1, lim = i32.MAX_VALUE in lanes without one); rare, so not
// inlined.
function shl4(x: v128, pl: v128, lim: v128): v128 {
  let v = i32x4.mul(x, pl);
  v = v128.bitselect(kv(128), v, i32x4.gt_s(x, lim));
  return v128.bitselect(kv(144), v, i32x4.lt_s(x, v128.not(lim)));
}

// mulByQuantizedMultiplier of four lanes with the five prepared vectors [m, pw, half, pl, lim]
// at p; left: whether any lane shifts left.
// @ts-ignore: decorator
@inline export function rqAt(x: v128, p: usize, left: bool): v128 {
  if (left) x = shl4(x, v128.load(p, 48), v128.load(p, 64));
  return rq4(x, v128.load(p), v128.load(p, 16), v128.load(p, 32));
}

// One lane of the five vectors at q: m and its shift as [m, pw, half, pl, lim].
function rqPut(q: usize, m: i32, shift: i32): void {
  let e = shift < 0 ? -shift : 0, L = shift > 0 ? shift : 0;
  store<i32>(q, m);
  store<i32>(q, e == 0 ? i32.MIN_VALUE : 1 << (31 - e), 16);
  store<i32>(q, e == 0 ? 0 : 1 << (e - 1), 32);
  store<i32>(q, 1 << L, 48);
  store<i32>(q, i32.MAX_VALUE >> L, 64);
}

// One (m, shift) for every lane, as the five vectors rqAt reads, at dst (80 bytes).
export function rqSplat(m: i32, shift: i32, dst: usize): void {
  for (let l: usize = 0; l < 16; l += 4) rqPut(dst + l, m, shift);
}

// Per-row requantizers of a layer with G gates of H units, prepared at load: per group of four
// units and per gate (group-major, so that a pass over a gate walks one pointer), the five
// vectors of the input accumulator's rows g*H + 4j .. g*H + 4j + 3, then the recurrent one's;
// after them, the layer's output multiplier in every lane (at rqOutOffset), then the peephole
// multiplier (80 bytes further).
// @ts-ignore: decorator
@inline export const RQ_BLOCK: usize = 160;

// @ts-ignore: decorator
@inline export function rqOutOffset(G: i32, H: i32): usize {
  return <usize>((H + 3) >> 2) * <usize>G * RQ_BLOCK;
}

export function rqBytes(G: i32, H: i32): usize {
  return rqOutOffset(G, H) + 160;
}

// Fills the block at dst from the per-row (m, shift) arrays and the output and peephole
// (m, shift); returns bit 0 if some input row shifts left, bit 1 if some recurrent row does,
// bit 2 if the output does, bit 3 if the peephole does (the kernels skip the left stage
// otherwise).
export function rqLayout(G: i32, H: i32, mx: usize, sx: usize, mh: usize, sh: usize, mOut: i32, sOut: i32, mPeep: i32, sPeep: i32, dst: usize): i32 {
  rqSplat(mOut, sOut, dst + rqOutOffset(G, H));
  rqSplat(mPeep, sPeep, dst + rqOutOffset(G, H) + 80);
  let left = (sOut > 0 ? 4 : 0) | (sPeep > 0 ? 8 : 0);
  for (let g = 0; g < G; g++) {
    for (let k = 0; k < H; k++) {
      let o = <usize>(g * H + k) << 2;
      let b = dst + <usize>((k >> 2) * G + g) * RQ_BLOCK + (<usize>(k & 3) << 2);
      for (let side = 0; side < 2; side++) {
        let shift = load<i32>((side ? sh : sx) + o);
        if (shift > 0) left |= 1 << side;
        rqPut(b + <usize>side * 80, load<i32>((side ? mh : mx) + o), shift);
      }
    }
  }
  return left;
}

// sat16 and sat8 of four i32 lanes
// @ts-ignore: decorator
@inline export function sat16x4(v: v128): v128 {
  return i32x4.min_s(i32x4.max_s(v, kv(16)), kv(32));
}
// @ts-ignore: decorator
@inline export function sat8x4(v: v128): v128 {
  return i32x4.min_s(i32x4.max_s(v, kv(48)), kv(64));
}

// rshiftRound with one shift s > 0 for every lane (rounds half up)
// @ts-ignore: decorator
@inline export function rsr4(x: v128, s: i32): v128 {
  return i32x4.shr_s(i32x4.add(x, i32x4.splat(1 << (s - 1))), s);
}

// lut16 on four lanes (x in the int16 domain; the index is masked so that any lane reads
// inside the table)
// @ts-ignore: decorator
@inline export function lut4(table: usize, x: v128): v128 {
  let u = i32x4.add(x, kv(80));
  let off = i32x4.add(v128.and(i32x4.shr_u(u, 6), kv(96)), i32x4.splat(<i32>table));
  let v = v128.load32_zero(<usize>i32x4.extract_lane(off, 0));
  v = v128.load32_lane(<usize>i32x4.extract_lane(off, 1), v, 1);
  v = v128.load32_lane(<usize>i32x4.extract_lane(off, 2), v, 2);
  v = v128.load32_lane(<usize>i32x4.extract_lane(off, 3), v, 3);
  let a = i32x4.shr_s(i32x4.shl(v, 16), 16);
  let d = i32x4.sub(i32x4.shr_s(v, 16), a);
  return i32x4.add(a, i32x4.shr_s(i32x4.add(i32x4.mul(d, v128.and(u, kv(64))), kv(112)), 7));
}

// @ts-ignore: decorator
@inline export function loadI16x4(p: usize): v128 {
  return i32x4.extend_low_i16x8_s(v128.load64_zero(p));
}

const part = memory.data(16, 16);

// The first `bytes` bytes of v at p (a partial group)
// @ts-ignore: decorator
@inline export function storePart(p: usize, v: v128, bytes: usize): void {
  v128.store(part, v);
  memory.copy(p, part, bytes);
}

// @ts-ignore: decorator
@inline export function storeI32x4(p: usize, v: v128, n: i32): void {
  if (n >= 4) v128.store(p, v); else storePart(p, v, <usize>n << 2);
}
// @ts-ignore: decorator
@inline export function storeI16x4(p: usize, v: v128, n: i32): void {
  let w = i16x8.narrow_i32x4_s(v, v);
  if (n >= 4) v128.store64_lane(p, w, 0); else storePart(p, w, <usize>n << 1);
}
