// The run summary's latency quantiles: fixed memory, within 1 % of the exact sample quantile.
import { describe, it, expect } from 'vitest';
import { LatencyHistogram } from '../../host/stream/latency.js';
import { rng } from '../helpers/models.js';

describe('LatencyHistogram', () => {
  it('median and p99 within 1 % of the sorted samples, over six decades', () => {
    const r = rng(9);
    const h = new LatencyHistogram();
    const xs: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const ms = 10 ** (-3 + 6 * r() ** 2);        // 1 µs .. 1 s, skewed towards short
      xs.push(ms);
      h.add(ms);
    }
    xs.sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.99]) {
      const exact = xs[Math.floor(q * xs.length)]! * 1000;
      expect(Math.abs(h.quantile(q) / exact - 1)).toBeLessThan(0.01);
    }
    expect(h.count).toBe(20000);
  });

  it('is empty-safe and ignores NaN', () => {
    const h = new LatencyHistogram();
    expect(h.quantile(0.5)).toBe(0);
    h.add(Number.NaN);
    h.add(0.002);
    expect(h.count).toBe(1);
    expect(h.quantile(0.99)).toBeCloseTo(2, 1);
  });
});
