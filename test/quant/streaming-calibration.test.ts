// int8 calibration of a sequence-to-vector model covers what its streams compute: a stream
// applies the head after every step, so the head's range must hold every step's output, not
// only the last one's (found by the benchmark's cross-check: 25 % errors in streams before).
import { describe, it, expect } from 'vitest';
import { Runtime } from '../../host/runtime/runtime.js';
import { lowerToErnn } from '../../host/convert/lower.js';
import { calibrate, runReference } from '../../host/convert/quantize/reference.js';
import type { ModelIR } from '../../host/convert/ir.js';
import { rng, recurrent, dense } from '../helpers/models.js';

/** Inputs that start large and fade: early steps drive the head beyond the last step's range. */
function fading(B: number, T: number, F: number, seed: number): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(B * T * F);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) {
    x[(b * T + t) * F + f] = (r() * 2 - 1) * 3 * Math.exp(-t / 3);
  }
  return x;
}

describe('int8 calibration of sequence-to-vector models, as streams run them', () => {
  for (const kind of ['lstm', 'gru'] as const) {
    it(`${kind}: the head's calibrated range holds every streamed step's output`, async () => {
      const r = rng(11);
      const ir: ModelIR = { name: 'm', inputSize: 3, layers: [recurrent({ kind, hidden: 16, output: 'last' }, 3, r), dense(16, 4, r)], metadata: {} };
      const B = 16, T = 12, x = fading(B, T, 3, 5);
      const { output } = calibrate(ir, [{ x, shape: [B, T, 3] }]).layers[1]!;
      // the data discriminates: the last steps alone span less than the streamed steps
      const lastOnly = runReference(ir, { x, shape: [B, T, 3] }).stats[1]!.output;
      const streams = (await Runtime.create()).load(lowerToErnn(ir, { mode: 'f32' })).streams(B);
      let lo = Infinity, hi = -Infinity;
      for (let t = 0; t < T; t++) {
        const frame = new Float32Array(B * 3);
        for (let b = 0; b < B; b++) frame.set(x.subarray((b * T + t) * 3, (b * T + t + 1) * 3), b * 3);
        for (const v of streams.stepAll(frame)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      }
      expect(hi - lo).toBeGreaterThan(1.2 * (lastOnly.max - lastOnly.min));
      expect(output.min).toBeLessThanOrEqual(lo + 1e-6);
      expect(output.max).toBeGreaterThanOrEqual(hi - 1e-6);
    });
  }
});
