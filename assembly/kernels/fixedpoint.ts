// Fixed-point arithmetic of the int8 mode, the same on every host (plain integer wasm ops).
//
// mulByQuantizedMultiplier(x, m, shift) = round(x * m * 2^(shift - 31)), computed exactly as
// TFLite / gemmlowp do (SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT), where m is
// a Q31 multiplier in [2^30, 2^31) and shift its power of two (quantizeMultiplier, at load).
// rshiftRound rounds half up. lut16 reads a 513-entry int16 table over the int16 domain
// [-32768, 32768) with linear interpolation between entries 128 codes apart.

// @ts-ignore: decorator
@inline export function sat8(v: i32): i32 { return v < -128 ? -128 : v > 127 ? 127 : v; }
// @ts-ignore: decorator
@inline export function sat16(v: i32): i32 { return v < -32768 ? -32768 : v > 32767 ? 32767 : v; }

// @ts-ignore: decorator
@inline export function rshiftRound(x: i32, s: i32): i32 {
  return s <= 0 ? x : (x + (1 << (s - 1))) >> s;
}

// @ts-ignore: decorator
@inline function srdhm(a: i32, b: i32): i32 {
  if (a == b && a == i32.MIN_VALUE) return i32.MAX_VALUE;
  let ab = <i64>a * <i64>b;
  let nudge: i64 = ab >= 0 ? <i64>(1 << 30) : <i64>(1 - (1 << 30));
  return <i32>((ab + nudge) / (<i64>1 << 31));
}

// @ts-ignore: decorator
@inline function rdbpot(x: i32, e: i32): i32 {
  let mask = (1 << e) - 1;
  let rem = x & mask;
  let thr = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + (rem > thr ? 1 : 0);
}

export function mulByQuantizedMultiplier(x: i32, m: i32, shift: i32): i32 {
  if (shift > 0) {
    // saturate instead of wrapping when the left shift would overflow
    let lim = i32.MAX_VALUE >> shift;
    x = x > lim ? i32.MAX_VALUE : x < -lim - 1 ? i32.MIN_VALUE : x << shift;
    return srdhm(x, m);
  }
  return rdbpot(srdhm(x, m), -shift);
}

// Splits a positive real multiplier into (Q31 mantissa, shift), TFLite's QuantizeMultiplier.
// Runs at load, in f64; returns the mantissa and stores the shift at *shiftOut.
export function quantizeMultiplier(real: f64, shiftOut: usize): i32 {
  if (!(real > 0) || !isFinite(real)) { store<i32>(shiftOut, 0); return 0; }
  let shift = 0;
  let q = real;
  while (q >= 1.0) { q *= 0.5; shift++; }
  while (q < 0.5) { q *= 2.0; shift--; }
  let fixed = <i64>Math.floor(q * 2147483648.0 + 0.5);
  if (fixed == <i64>2147483648) { fixed = 1073741824; shift++; }
  if (shift < -31) { store<i32>(shiftOut, 0); return 0; }
  if (shift > 30) { shift = 30; fixed = 2147483647; }
  store<i32>(shiftOut, shift);
  return <i32>fixed;
}

// @ts-ignore: decorator
@inline export function lut16(table: usize, x: i32): i32 {
  let u = x + 32768;
  let i = <usize>(u >> 7);
  let f = u & 127;
  let a = <i32>load<i16>(table + (i << 1));
  let b = <i32>load<i16>(table + (i << 1), 2);
  return a + (((b - a) * f + 64) >> 7);
}

// 2^e for integer e in [-126, 127], exactly (for load-time scale arithmetic).
export function pow2(e: i32): f64 {
  return <f64>reinterpret<f32>((e + 127) << 23);
}
