// Every integer and float kernel against a plain reference written from its header's math, on
// both builds: odd sizes (1, 3, 17, 33, 130), extreme values, zero lengths. Integer kernels and
// the f32 gemm must match to the bit; the references emulate f32 rounding with Math.fround.
import { describe, it, expect } from 'vitest';
import { loadKernels, put, get, type Kernels } from '../helpers/kernels.js';
import { rng } from '../helpers/models.js';

const SIZES = [1, 3, 17, 33, 130];
const f = Math.fround;
const roundEven = (v: number) => {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : r;
};

for (const build of ['simd', 'scalar'] as const) {
  describe(`kernels (${build} build)`, () => {
    const K: Kernels = loadKernels(build);
    const fresh = () => K.t_reset();

    describe('matmul_s8: acc[r][m] = sum_k x[r][k] w[m][k]', () => {
      for (const m of SIZES) for (const k of SIZES) {
        it(`m=${m} k=${k}, rows 1 and 5`, () => {
          const r = rng(m * 1000 + k);
          for (const n of [1, 5]) {
            fresh();
            const kp = (k + 15) & ~15;
            const w = Int8Array.from({ length: m * k }, () => Math.floor(r() * 256) - 128);
            const x = new Int16Array(n * kp);
            for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) x[i * kp + j] = Math.floor(r() * 256) - 128;
            // the SIMD kernel may read 15 bytes past the last row: fill the slack with garbage
            const pw = put(K, w, 16, 0x7f), px = put(K, x), pa = K.t_alloc(n * m * 4);
            K.t_matmul_s8(px, kp, n, k, pw, m, pa, m);
            const got = get(K, Int32Array, pa, n * m);
            for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
              let s = 0;
              for (let t = 0; t < k; t++) s += x[i * kp + t]! * w[j * k + t]!;
              expect(got[i * m + j]).toBe(s);
            }
          }
        });
      }
      it('extremes: -128 everywhere, 255 inputs (unsigned activations) against -128 weights', () => {
        for (const [xv, wv] of [[-128, -128], [255, -128], [255, 127], [-128, 127]] as const) {
          fresh();
          const k = 130, m = 17, kp = 144;
          const pw = put(K, new Int8Array(m * k).fill(wv), 16, 0x7f);
          const x = new Int16Array(kp);
          x.fill(xv, 0, k);
          const px = put(K, x), pa = K.t_alloc(m * 4);
          K.t_matmul_s8(px, kp, 1, k, pw, m, pa, m);
          expect(Array.from(get(K, Int32Array, pa, m))).toEqual(new Array(m).fill(xv * wv * k));
        }
      });
      it('zero rows or outputs write nothing', () => {
        fresh();
        const pa = put(K, Int32Array.from([11, 22, 33]));
        const pw = put(K, new Int8Array(16), 16), px = put(K, new Int16Array(16));
        K.t_matmul_s8(px, 16, 0, 16, pw, 1, pa, 1);
        K.t_matmul_s8(px, 16, 1, 16, pw, 0, pa, 0);
        expect(Array.from(get(K, Int32Array, pa, 3))).toEqual([11, 22, 33]);
      });
    });

    describe('dynamic quantization of float rows', () => {
      const reference = (row: Float32Array) => {
        let lo = 0, hi = 0;
        for (const v of row) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        const range = f(hi - lo);
        const inv = range > 0 ? f(255 / range) : 0;
        const zp = roundEven(f(-lo * inv)) || 0; // an i32 in the module: no -0
        const q = Array.from(row, (v) => Math.min(Math.max(roundEven(f(v * inv)) + zp, 0), 255));
        return { q, zp, scale: f(range / 255) };
      };
      for (const k of [...SIZES, 8, 16]) {
        it(`k=${k}: codes, scale and zero point as specified`, () => {
          fresh();
          const r = rng(k);
          const n = 3, kp = (k + 7) & ~7;
          const x = new Float32Array(n * k);
          for (let i = 0; i < n * k; i++) x[i] = (r() - (i < k ? 0 : 0.5)) * (i < 2 * k ? 5 : 1e-3); // row 0 one-sided
          const px = put(K, x), pq = K.t_alloc(n * kp * 2), ps = K.t_alloc(n * 4), pz = K.t_alloc(n * 4);
          K.t_quantize_dynamic(px, k, n, k, kp, pq, ps, pz);
          const q = get(K, Int16Array, pq, n * kp), s = get(K, Float32Array, ps, n), z = get(K, Int32Array, pz, n);
          for (let i = 0; i < n; i++) {
            const want = reference(x.subarray(i * k, (i + 1) * k));
            expect(Array.from(q.subarray(i * kp, i * kp + k))).toEqual(want.q);
            expect(Array.from(q.subarray(i * kp + k, (i + 1) * kp))).toEqual(new Array(kp - k).fill(0));
            expect(s[i]).toBe(want.scale);
            expect(z[i]).toBe(want.zp);
          }
        });
      }
      it('a row of zeros and a constant row: no division by zero, no NaN', () => {
        fresh();
        const k = 17, kp = 24;
        const x = new Float32Array(2 * k);
        x.fill(3.5, k);
        const px = put(K, x), pq = K.t_alloc(2 * kp * 2), ps = K.t_alloc(8), pz = K.t_alloc(8);
        K.t_quantize_dynamic(px, k, 2, k, kp, pq, ps, pz);
        expect(Array.from(get(K, Float32Array, ps, 2))).toEqual([0, f(3.5 / 255)]);
        expect(Array.from(get(K, Int32Array, pz, 2))).toEqual([0, 0]);
        const q = get(K, Int16Array, pq, 2 * kp);
        expect(Array.from(q.subarray(0, k))).toEqual(new Array(k).fill(0));
        expect(Array.from(q.subarray(kp, kp + k))).toEqual(new Array(k).fill(255));
      });
    });

    it('rescale: y += f32(acc - z * sum) * w * s, in f32', () => {
      for (const m of SIZES) {
        fresh();
        const r = rng(m + 7);
        const n = 2;
        const acc = Int32Array.from({ length: n * m }, () => Math.floor((r() - 0.5) * 2e6));
        const sum = Int32Array.from({ length: m }, () => Math.floor((r() - 0.5) * 2e3));
        const wbits = Uint16Array.from({ length: m }, () => 0x3c00 + Math.floor(r() * 0x200)); // bf16 around 0.01
        const sx = Float32Array.from([0.0123, 0.5]), zx = Int32Array.from([17, 200]);
        const y = Float32Array.from({ length: n * m }, () => r());
        const py = put(K, y);
        K.t_rescale(put(K, acc), n, m, put(K, wbits), put(K, sum), put(K, sx), put(K, zx), py, m);
        const got = get(K, Float32Array, py, n * m);
        for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
          const w = new Float32Array(Uint32Array.of(wbits[j]! << 16).buffer)[0]!;
          const a = acc[i * m + j]! - zx[i]! * sum[j]!;
          expect(got[i * m + j]).toBe(f(y[i * m + j]! + f(f(f(a) * w) * sx[i]!)));
        }
      }
    });

    it('widen: int8 rows to zero-padded int16 rows', () => {
      for (const k of SIZES) {
        fresh();
        const x = Int8Array.from({ length: 2 * k }, (_, i) => ((i * 37) % 256) - 128);
        const kp = (k + 7) & ~7, pq = K.t_alloc(2 * kp * 2);
        K.t_widen(put(K, x), k, 2, k, kp, pq);
        const q = get(K, Int16Array, pq, 2 * kp);
        for (let i = 0; i < 2; i++) {
          expect(Array.from(q.subarray(i * kp, i * kp + k))).toEqual(Array.from(x.subarray(i * k, (i + 1) * k)));
          expect(Array.from(q.subarray(i * kp + k, (i + 1) * kp))).toEqual(new Array(kp - k).fill(0));
        }
      }
    });

    it('gemm_f32: C += A·B in index order, bit for bit', () => {
      for (const m of SIZES) for (const k of [1, 3, 17]) {
        fresh();
        const r = rng(m * 31 + k);
        const n = 6;
        const A = Float32Array.from({ length: n * k }, () => r() - 0.5);
        const B = Float32Array.from({ length: k * m }, () => r() - 0.5);
        const C = Float32Array.from({ length: n * m }, () => r());
        const pc = put(K, C);
        K.t_gemm_f32(put(K, A), k, n, k, put(K, B), m, m, pc, m);
        const got = get(K, Float32Array, pc, n * m);
        for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
          let c = C[i * m + j]!;
          for (let t = 0; t < k; t++) c = f(c + f(A[i * k + t]! * B[t * m + j]!));
          expect(got[i * m + j]).toBe(c);
        }
      }
    });

    it('gemm_f32 on packed weights: C = init + A1·B1 + A2·B2 in index order, every row tile and panel tail', () => {
      // m covers full 24-column panels and tails of 1..23 columns; n covers the 4-row tiles and leftovers
      for (const m of [1, 5, 8, 24, 31, 48, 53]) for (const n of [1, 3, 4, 6, 9]) for (const init of ['bias', 'rows', 'zero'] as const) {
        fresh();
        const r = rng(m * 131 + n * 7 + init.length);
        const k1 = 3 + (m % 5), k2 = 1 + (n % 4) * 5;
        const A1 = Float32Array.from({ length: n * k1 }, () => r() - 0.5);
        const A2 = Float32Array.from({ length: n * k2 }, () => r() - 0.5);
        const B1 = Float32Array.from({ length: k1 * m }, () => r() - 0.5);
        const B2 = Float32Array.from({ length: k2 * m }, () => r() - 0.5);
        const I = Float32Array.from({ length: init === 'rows' ? n * m : m }, () => r());
        const p1 = K.t_alloc(k1 * m * 4), p2 = K.t_alloc(k2 * m * 4);
        K.t_pack_f32(put(K, B1), m, k1, m, p1);
        K.t_pack_f32(put(K, B2), m, k2, m, p2);
        const pc = K.t_alloc(n * m * 4);
        const pi = init === 'zero' ? 0 : put(K, I);
        K.t_gemm_packed_f32(n, put(K, A1), k1, k1, p1, put(K, A2), k2, k2, p2, m, pi, init === 'rows' ? m : 0, pc, m);
        const got = get(K, Float32Array, pc, n * m);
        for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
          let c = init === 'zero' ? 0 : init === 'rows' ? I[i * m + j]! : I[j]!;
          for (let t = 0; t < k1; t++) c = f(c + f(A1[i * k1 + t]! * B1[t * m + j]!));
          for (let t = 0; t < k2; t++) c = f(c + f(A2[i * k2 + t]! * B2[t * m + j]!));
          expect(got[i * m + j]).toBe(c);
        }
      }
    });

    describe('gate activations (rational sigmoid and tanh of the recurrent cells)', () => {
      // the kernel's operations, in f32: x clamped to [-9, 9], x P(x^2) / Q(x^2)
      const P = [0.9999999065888536, 0.13373240127280894, 0.003486630627536551, 2.0472562857421295e-05, 1.318510474753459e-08].map(f);
      const Q = [1, 0.4670653706786412, 0.02584216892279953, 0.0003271462116234997, 7.703052372011757e-07].map(f);
      const tanhG = (x: number) => {
        x = Math.min(Math.max(x, -9), 9);
        const t = f(x * x);
        let p = P[4]!, q = Q[4]!;
        for (let i = 3; i >= 0; i--) { p = f(f(p * t) + P[i]!); q = f(f(q * t) + Q[i]!); }
        return f(f(x * p) / q);
      };
      const sigmoidG = (x: number) => f(f(0.5 * tanhG(f(0.5 * x))) + 0.5);
      const tanhOut = (x: number) => f(tanhG(x) + 0);   // 1 * t + 0: a zero result comes out +0
      const xs = Float32Array.from({ length: 40001 }, (_, i) => (i - 20000) / 1000);   // [-20, 20]
      const extra = Float32Array.of(0, -0, 1e-30, -1e-30, 1e-7, 88, -88, 3.4e38, -3.4e38, Infinity, -Infinity);
      const all = new Float32Array(xs.length + extra.length);
      all.set(xs); all.set(extra, xs.length);
      for (const [name, code, g, ref, bound] of [
        ['tanh', 2, tanhOut, Math.tanh, 3.7e-7],
        ['sigmoid', 1, sigmoidG, (x: number) => 1 / (1 + Math.exp(-x)), 2.1e-7],
      ] as const) {
        it(`${name}: the documented operations bit for bit, |error| <= ${bound}`, () => {
          fresh();
          const p = put(K, all);
          K.t_gate_act(code, p, all.length);
          const got = get(K, Float32Array, p, all.length);
          let differ = 0, worst = 0;
          for (let i = 0; i < all.length; i++) {
            if (!Object.is(got[i], g(all[i]!))) differ++;
            worst = Math.max(worst, Math.abs(got[i]! - ref(all[i]!)));
          }
          expect(differ).toBe(0);
          expect(worst).toBeLessThanOrEqual(bound);
        });
      }
    });

    describe('fixed point', () => {
      // TFLite's MultiplyByQuantizedMultiplier, with the left shift saturating instead of wrapping
      const srdhm = (a: bigint, b: bigint) => {
        if (a === b && a === -(2n ** 31n)) return 2n ** 31n - 1n;
        const ab = a * b;
        const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
        return (ab + nudge) / (1n << 31n); // BigInt division truncates toward zero
      };
      const rdbpot = (x: bigint, e: bigint) => {
        const mask = (1n << e) - 1n;
        const rem = x & mask;
        const thr = (mask >> 1n) + (x < 0n ? 1n : 0n);
        return (x >> e) + (rem > thr ? 1n : 0n);
      };
      const mbqm = (x: number, m: number, shift: number) => {
        let X = BigInt(x);
        if (shift > 0) {
          const lim = (2n ** 31n - 1n) >> BigInt(shift);
          X = X > lim ? 2n ** 31n - 1n : X < -lim - 1n ? -(2n ** 31n) : X << BigInt(shift);
          return Number(srdhm(X, BigInt(m)));
        }
        return Number(rdbpot(srdhm(X, BigInt(m)), BigInt(-shift)));
      };
      it('mulByQuantizedMultiplier matches TFLite on random and extreme values', () => {
        const r = rng(5);
        const xs = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 12345, -98765, 1 << 30, -(1 << 30)];
        for (let i = 0; i < 3000; i++) xs.push(Math.floor((r() - 0.5) * 2 ** 32));
        const ms = [2 ** 30, 2 ** 31 - 1, 1518500250, 1 << 30 | 12345];
        for (const x of xs) for (const m of ms) for (const sh of [-31, -20, -12, -1, 0, 1, 4, 30]) {
          const want = mbqm(x, m, sh);
          expect(K.t_mbqm(x, m, sh)).toBe(want);
          expect(K.t_mbqm_simd(x, m, sh)).toBe(want);   // the four-lane form (fixedpoint_s8_simd.ts)
        }
      });
      it('quantizeMultiplier: mantissa in [2^30, 2^31) and 2^shift, within half an ulp of Q31', () => {
        const ps = K.t_alloc(4);
        for (const real of [1e-9, 3.2e-5, 0.000244140625, 0.1, 0.5, 0.999999, 1, 1.5, 7.25, 1234.5]) {
          const m = K.t_quantize_multiplier(real, ps);
          const sh = get(K, Int32Array, ps, 1)[0]!;
          expect(m).toBeGreaterThanOrEqual(2 ** 30);
          expect(m).toBeLessThan(2 ** 31);
          expect(Math.abs(m * 2 ** (sh - 31) - real)).toBeLessThanOrEqual(real * 2 ** -31);
        }
        expect(K.t_quantize_multiplier(0, ps)).toBe(0);
      });
      it('lut16 interpolates 513 entries over the int16 domain', () => {
        const r = rng(9);
        const t = Int16Array.from({ length: 513 }, () => Math.floor((r() - 0.5) * 65535));
        const pt = put(K, t);
        for (let x = -32768; x < 32768; x += 97) {
          const u = x + 32768, i = u >> 7, fr = u & 127;
          const want = t[i]! + (((t[i + 1]! - t[i]!) * fr + 64) >> 7);
          expect(K.t_lut16(pt, x)).toBe(want);
          expect(K.t_lut16_simd(pt, x)).toBe(want);
        }
        expect(K.t_lut16(pt, 32767)).toBe(t[511]! + (((t[512]! - t[511]!) * 127 + 64) >> 7));
        expect(K.t_lut16_simd(pt, 32767)).toBe(t[511]! + (((t[512]! - t[511]!) * 127 + 64) >> 7));
        // lanes past the end of a row hold anything: the SIMD lookup must stay inside the table
        if (build === 'simd') for (const x of [2 ** 31 - 1, -(2 ** 31), 65536, -40000]) expect(Number.isInteger(K.t_lut16_simd(pt, x))).toBe(true);
      });
      it('rshiftRound rounds half up', () => {
        expect([K.t_rshift_round(5, 1), K.t_rshift_round(-5, 1), K.t_rshift_round(6, 2), K.t_rshift_round(7, 0)]).toEqual([3, -2, 2, 7]);
      });
    });
  });
}
