// Quantization parameters: weights per row, activations per tensor, fixed-point tables.

import type { Activation } from '../ir.js';
import { activationFn } from './activations.js';
import type { Range } from './reference.js';

/** The bfloat16 (upper 16 bits of an f32) at or above a positive value, and its bits. */
export function bf16Up(v: number): { value: number; bits: number } {
  const u = new Uint32Array(Float32Array.of(v).buffer)[0]!;
  let hi = u >>> 16;
  if ((u & 0xffff) !== 0) hi += 1;
  const value = new Float32Array(Uint32Array.of(hi << 16).buffer)[0]!;
  return { value, bits: hi };
}

/** Symmetric int8 per row: scale[r] >= max|W[r]| / 127 (a bfloat16, rounded up so |q| <= 127),
 *  q = round(W / scale). Zero rows get a tiny positive scale so that a bias can still be
 *  expressed in their accumulator units. */
export function quantizeRows(W: Float32Array, rows: number, cols: number): { q: Int8Array; scale: Float32Array; bits: Uint16Array } {
  const q = new Int8Array(rows * cols);
  const scale = new Float32Array(rows);
  const bits = new Uint16Array(rows);
  for (let r = 0; r < rows; r++) {
    let m = 0;
    for (let k = 0; k < cols; k++) m = Math.max(m, Math.abs(W[r * cols + k]!));
    const b = bf16Up(m > 0 ? m / 127 : 2 ** -16);
    const s = b.value;
    scale[r] = s;
    bits[r] = b.bits;
    for (let k = 0; k < cols; k++) q[r * cols + k] = Math.max(-127, Math.min(127, Math.round(W[r * cols + k]! / s)));
  }
  return { q, scale, bits };
}

export interface Affine { scale: number; zeroPoint: number }

/** Asymmetric int8 for a range (always containing 0), scale and zero point as the module stores them. */
export function asymmetric(r: Range): Affine {
  const lo = Math.min(r.min, 0), hi = Math.max(r.max, 0);
  if (!(hi - lo > 1e-12) || !Number.isFinite(hi - lo)) return { scale: Math.fround(1 / 255), zeroPoint: 0 };
  const scale = Math.fround((hi - lo) / 255);
  const zeroPoint = Math.max(-128, Math.min(127, Math.round(-128 - lo / scale)));
  return { scale, zeroPoint };
}

/** Symmetric quantization with `bits` bits (zero point 0). */
export function symmetric(r: Range, bits: 8 | 16): Affine {
  const m = Math.max(Math.abs(r.min), Math.abs(r.max));
  const top = bits === 8 ? 127 : 32767;
  if (!(m > 1e-12) || !Number.isFinite(m)) return { scale: Math.fround(1 / top), zeroPoint: 0 };
  return { scale: Math.fround(m / top), zeroPoint: 0 };
}

/** Fraction bits of the int16 LSTM cell state: the largest that holds max|c| with 10% headroom. */
export function cellFraction(r: Range | undefined): number {
  const m = r ? Math.max(Math.abs(r.min), Math.abs(r.max)) * 1.1 : 1;
  if (!(m > 0) || !Number.isFinite(m)) return 15;
  return Math.max(0, Math.min(15, 15 - Math.ceil(Math.log2(m))));
}

/** Fraction bits of the int16 GRU state: 15 while |h| <= 1 (a bounded candidate keeps it there),
 *  fewer when calibration saw more (a learned initial state, say). */
export function gruStateFraction(r: Range | undefined): number {
  const m = r ? Math.max(Math.abs(r.min), Math.abs(r.max)) : 1;
  if (!(m > 1) || !Number.isFinite(m)) return 15;
  return Math.max(0, 15 - Math.ceil(Math.log2(m)));
}

/** Quantization of a simple RNN's h: asymmetric when its range is one-sided (relu), else symmetric. */
export function rnnState(r: Range): Affine {
  return r.min >= 0 || r.max <= 0 ? asymmetric(r) : symmetric(r, 8);
}

export const LUT_ENTRIES = 513;

/** The 513-entry int16 table of a bounded activation over Q3.12 inputs [-8, 8], outputs Q0.15;
 *  undefined if the activation leaves [-1, 1] (it then cannot be an int8-mode table). */
export function activationTable(a: Activation): Int16Array | undefined {
  const f = activationFn(a);
  if (!f) return undefined;
  const t = new Int16Array(LUT_ENTRIES);
  for (let j = 0; j < LUT_ENTRIES; j++) {
    const x = (j * 128 - 32768) / 4096;
    const y = f(x);
    if (!(Math.abs(y) <= 1 + 1e-9)) return undefined;
    t[j] = Math.max(-32768, Math.min(32767, Math.round(y * 32768)));
  }
  return t;
}

/** Activations the int8 mode applies without a table (requantize, then clamp). */
export const DIRECT_ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2 };

export const clampI32 = (v: number) => Math.max(-(2 ** 30), Math.min(2 ** 30, Math.round(v)));
