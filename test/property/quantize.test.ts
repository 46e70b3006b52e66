// Properties of quantization (host/convert/quantize/params.ts and the quantizing kernels): weights
// per row |q| <= 127 and |w - q·s| <= s/2; activations quantized with the parameters the
// converter picks for a range stay in int8 and come back within half a step for every value of
// that range; the dynamic (per-row) quantizer of int8-dynamic likewise, and its SIMD and scalar
// versions agree bit for bit; the bfloat16 scales round up; the int16 state formats hold their range.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { quantizeRows, asymmetric, symmetric, bf16Up, cellFraction, gruStateFraction } from '../../host/convert/quantize/params.js';
import { loadKernels, put, get } from '../helpers/kernels.js';
import { FC } from './arbitraries.js';

/** Rounding slack of float32 arithmetic in x·inv: a few ulps of a step. */
const SLACK = 1 + 1e-5;

const finite = (max: number) => fc.float({ min: Math.fround(-max), max: Math.fround(max), noNaN: true, noDefaultInfinity: true });
const magnitude = fc.constantFrom(1e-6, 1e-3, 0.5, 1, 7, 1000, 1e6);

describe('quantization bounds (property)', () => {
  it('weights per row: |q| <= 127, |w - q·scale| <= scale/2, scale a bfloat16 >= max|w|/127', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 40 }), magnitude, fc.integer(), (rows, cols, mag, seed) => {
      const W = new Float32Array(rows * cols);
      let s = seed >>> 0;
      for (let i = 0; i < W.length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; W[i] = Math.fround(((s / 2 ** 32) * 2 - 1) * mag * (i % 7 === 0 ? 0 : 1)); }
      const { q, scale, bits } = quantizeRows(W, rows, cols);
      for (let r = 0; r < rows; r++) {
        const sc = scale[r]!;
        let m = 0;
        for (let k = 0; k < cols; k++) m = Math.max(m, Math.abs(W[r * cols + k]!));
        expect(sc).toBeGreaterThan(0);
        expect(sc * 127).toBeGreaterThanOrEqual(m);
        expect(new Float32Array(new Uint32Array([bits[r]! << 16]).buffer)[0]).toBe(sc);
        for (let k = 0; k < cols; k++) {
          const v = q[r * cols + k]!;
          expect(Math.abs(v)).toBeLessThanOrEqual(127);
          expect(Math.abs(W[r * cols + k]! - v * sc)).toBeLessThanOrEqual((sc / 2) * SLACK);
        }
      }
    }), FC);
  });

  it('bf16Up(v) is the smallest bfloat16 >= v', () => {
    fc.assert(fc.property(fc.float({ min: Math.fround(1e-30), max: Math.fround(1e30), noNaN: true }), (v) => {
      const { value, bits } = bf16Up(v);
      expect(value).toBeGreaterThanOrEqual(Math.fround(v));
      const below = new Float32Array(new Uint32Array([(bits - 1) << 16]).buffer)[0]!;
      expect(below).toBeLessThan(Math.fround(v));
    }), FC);
  });

  for (const build of ['simd', 'scalar'] as const) {
    it(`activations (${build} kernel): asymmetric and symmetric parameters keep a range in int8 within half a step`, () => {
      const k = loadKernels(build);
      fc.assert(fc.property(finite(1e4), finite(1e4), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 64 }), fc.boolean(), (a, b, ts, sym) => {
        const range = { min: Math.min(a, b), max: Math.max(a, b) };
        const p = sym ? symmetric(range, 8) : asymmetric(range);
        // values spread over the range (which the converter widens to include 0)
        const lo = Math.min(range.min, 0), hi = Math.max(range.max, 0);
        const x = Float32Array.from(ts, (t) => lo + t * (hi - lo));
        const top = sym ? Math.max(Math.abs(range.min), Math.abs(range.max)) : hi - lo;
        fc.pre(top > 1e-12);
        k.t_reset();
        const px = put(k, x), pq = k.t_alloc(x.length);
        k.t_quantize_affine(px, x.length, 1, x.length, Math.fround(1 / p.scale), p.zeroPoint, pq, x.length);
        const q = get(k, Int8Array, pq, x.length);
        expect(p.zeroPoint).toBeGreaterThanOrEqual(-128);
        expect(p.zeroPoint).toBeLessThanOrEqual(127);
        for (let i = 0; i < x.length; i++) {
          if (sym) expect(Math.abs(q[i]!)).toBeLessThanOrEqual(127);
          expect(Math.abs((q[i]! - p.zeroPoint) * p.scale - x[i]!), `x=${x[i]} q=${q[i]} scale=${p.scale} zp=${p.zeroPoint}`).toBeLessThanOrEqual((p.scale / 2) * SLACK + 1e-7 * Math.abs(x[i]!));
        }
      }), FC);
    });
  }

  it('dynamic per-row quantization (int8-dynamic): q in [0, 255], within half a step, SIMD = scalar bit for bit', () => {
    const simd = loadKernels('simd'), scalar = loadKernels('scalar');
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 37 }), magnitude, fc.integer(), (n, kk, mag, seed) => {
      const kp = (kk + 15) & ~15;
      const x = new Float32Array(n * kk);
      let s = seed >>> 0;
      for (let i = 0; i < x.length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; x[i] = Math.fround(((s / 2 ** 32) * 2 - 1) * mag + (i % 5 === 0 ? mag / 2 : 0)); }
      const out = [simd, scalar].map((k) => {
        k.t_reset();
        const px = put(k, x), pq = k.t_alloc(n * kp * 2), ps = k.t_alloc(n * 4), pz = k.t_alloc(n * 4);
        k.t_quantize_dynamic(px, kk, n, kk, kp, pq, ps, pz);
        return { q: get(k, Int16Array, pq, n * kp), scales: get(k, Float32Array, ps, n), zps: get(k, Int32Array, pz, n) };
      });
      const [a, b] = out as [typeof out[0], typeof out[0]];
      expect(Buffer.from(a.q.buffer).equals(Buffer.from(b.q.buffer))).toBe(true);
      expect(Buffer.from(a.scales.buffer).equals(Buffer.from(b.scales.buffer))).toBe(true);
      expect([...a.zps]).toEqual([...b.zps]);
      for (let r = 0; r < n; r++) {
        const sc = a.scales[r]!, zp = a.zps[r]!;
        for (let i = 0; i < kk; i++) {
          const q = a.q[r * kp + i]!;
          expect(q).toBeGreaterThanOrEqual(0);
          expect(q).toBeLessThanOrEqual(255);
          const xv = x[r * kk + i]!;
          expect(Math.abs((q - zp) * sc - xv), `row ${r} x=${xv} q=${q} scale=${sc} zp=${zp}`).toBeLessThanOrEqual((sc / 2) * SLACK + 1e-6 * Math.abs(xv));
        }
        for (let i = kk; i < kp; i++) expect(a.q[r * kp + i]).toBe(0);
      }
    }), FC);
  });

  it('int16 state formats hold the calibrated range: LSTM cell with 10% headroom, GRU state', () => {
    fc.assert(fc.property(fc.double({ min: 1e-6, max: 3e4, noNaN: true }), (m) => {
      const cf = cellFraction({ min: -m, max: m / 2 });
      expect(cf).toBeGreaterThanOrEqual(0);
      expect(cf).toBeLessThanOrEqual(15);
      if (cf > 0 && cf < 15) expect(2 ** (15 - cf)).toBeGreaterThanOrEqual(m * 1.1);
      const gf = gruStateFraction({ min: -m, max: m });
      if (gf > 0) expect(2 ** (15 - gf)).toBeGreaterThanOrEqual(Math.max(1, m));
    }), FC);
  });
});
