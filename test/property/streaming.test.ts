// Property: a stream stepped one frame at a time gives what run() gives on the whole sequence, at
// every step, whatever the schedule: streams advanced in random subsets and orders (stepMany),
// one at a time (step), and reset at random (a reset stream starts its sequence again). Integer
// paths bit for bit; float32 within a tolerance (run() may batch the input projection).
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { Runtime } from '../../host/runtime/runtime.js';
import { rng } from '../helpers/models.js';
import { FC, modelSpec, build, relErr, sameBits } from './arbitraries.js';

let rt: Runtime;
beforeAll(async () => { rt = await Runtime.create(); });

describe('step-by-step equals whole sequence (property)', () => {
  it('any schedule of stepMany / step / reset over the streams', () => {
    const schedule = fc.record({ seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }), resetRate: fc.constantFrom(0, 0.05, 0.2), singleRate: fc.constantFrom(0, 0.3) });
    fc.assert(fc.property(modelSpec(), schedule, (spec, sch) => {
      const m = build(spec);
      const model = rt.load(m.bytes);
      const [B, T, F] = m.shape;
      const O = m.outputSize;
      const want = model.run(m.x, m.shape).data; // [B, T, O]
      const streams = model.streams(B);
      const at = new Int32Array(B); // next step of each stream
      const r = rng(sch.seed);
      const check = (b: number, out: Float32Array) => {
        const w = want.subarray((b * T + at[b]!) * O, (b * T + at[b]! + 1) * O);
        if (spec.quant === 'f32') expect(relErr(out, w), `stream ${b} step ${at[b]}`).toBeLessThanOrEqual(1e-5);
        else expect(sameBits(out, w), `stream ${b} step ${at[b]}`).toBe(true);
        at[b]!++;
      };
      let guard = 0;
      while (at.some((t) => t < T) && guard++ < 10 * B * T) {
        // resets: the stream's sequence starts again
        for (let b = 0; b < B; b++) if (r() < sch.resetRate) { streams.reset(b); at[b] = 0; }
        const live = [...Array(B).keys()].filter((b) => at[b]! < T);
        if (live.length === 0) break;
        if (r() < sch.singleRate) {
          const b = live[Math.floor(r() * live.length)]!;
          check(b, streams.step(b, m.x.subarray((b * T + at[b]!) * F, (b * T + at[b]! + 1) * F), new Float32Array(O)));
          continue;
        }
        // a random subset, in a random order
        const chosen = live.filter(() => r() < 0.7).sort(() => r() - 0.5);
        if (chosen.length === 0) continue;
        const frames = new Float32Array(chosen.length * F);
        chosen.forEach((b, k) => frames.set(m.x.subarray((b * T + at[b]!) * F, (b * T + at[b]! + 1) * F), k * F));
        const out = streams.stepMany(chosen, frames).slice();
        chosen.forEach((b, k) => check(b, out.subarray(k * O, (k + 1) * O)));
      }
      streams.dispose();
    }), FC);
  });
});
