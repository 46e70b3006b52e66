// The step is the primitive: stepping streams one frame at a time gives the same bits as running
// whole sequences, for every cell kind, in any order of streams, on both builds.
import { describe, it, expect, beforeAll } from 'vitest';
import { Runtime } from '../../host/runtime/runtime.js';
import { UnsupportedModelError, UsageError, ShapeError } from '../../host/errors.js';
import { rng, randArray, recurrent, dense, modelOf, type CellSpec } from '../helpers/models.js';

const CELLS: [string, CellSpec[]][] = [
  ['lstm', [{ kind: 'lstm', hidden: 13 }]],
  ['lstm peephole clip h0', [{ kind: 'lstm', hidden: 9, peephole: true, clip: 1.5, h0: true }]],
  ['lstm input_forget, no bias', [{ kind: 'lstm', hidden: 6, inputForget: true, bias: false }]],
  ['gru reset-after', [{ kind: 'gru', hidden: 17, resetAfter: true }]],
  ['gru reset-before', [{ kind: 'gru', hidden: 11, resetAfter: false }]],
  ['rnn relu', [{ kind: 'rnn', hidden: 7, activations: [{ name: 'relu' }] }]],
  ['lstm hard_sigmoid (keras 3)', [{ kind: 'lstm', hidden: 5, activations: [{ name: 'hard_sigmoid', alpha: 1 / 6, beta: 0.5 }, { name: 'tanh' }, { name: 'tanh' }] }]],
  ['stacked gru -> lstm', [{ kind: 'gru', hidden: 20 }, { kind: 'lstm', hidden: 33 }]],
];

for (const backend of ['simd', 'scalar'] as const) {
  describe(`streaming equals whole sequences (${backend})`, () => {
    let rt: Runtime;
    beforeAll(async () => { rt = await Runtime.create({ simd: backend === 'simd' }); });

    for (const [label, cells] of CELLS) {
      for (const head of ['sequence', 'last'] as const) {
        it(`${label}, ${head} output`, () => {
          const r = rng(label.length * 7 + (head === 'last' ? 1 : 0));
          const F = 5, B = 6, T = 9, O = 4;
          let width = F;
          const layers = cells.map((c, i) => {
            const L = recurrent({ ...c, ...(i === cells.length - 1 && head === 'last' ? { output: 'last' as const } : {}) }, width, r, `l${i}`);
            width = c.hidden;
            return L;
          });
          layers.push(dense(width, O, r, { name: 'tanh' }) as never);
          const model = rt.load(modelOf(F, layers));
          const x = randArray(B * T * F, r, 2);
          const y = model.run(x, [B, T, F]);
          expect(y.shape).toEqual(head === 'last' ? [B, O] : [B, T, O]);

          // one stream per batch entry, stepped in a shuffled order with stepMany
          const streams = model.streams(B);
          const order = [...Array(B).keys()].sort(() => r() - 0.5);
          const frames = new Float32Array(B * F);
          const outs = new Float32Array(B * T * O);
          for (let t = 0; t < T; t++) {
            order.forEach((b, k) => frames.set(x.subarray((b * T + t) * F, (b * T + t + 1) * F), k * F));
            const o = streams.stepMany(order, frames);
            order.forEach((b, k) => outs.set(o.subarray(k * O, (k + 1) * O), (b * T + t) * O));
          }
          for (let b = 0; b < B; b++) {
            for (let t = 0; t < T; t++) {
              if (head === 'last' && t !== T - 1) continue;
              const got = outs.subarray((b * T + t) * O, (b * T + t + 1) * O);
              const want = head === 'last' ? y.data.subarray(b * O, (b + 1) * O) : y.data.subarray((b * T + t) * O, (b * T + t + 1) * O);
              expect(Array.from(got)).toEqual(Array.from(want));
            }
          }

          // a second set stepped one stream at a time, and with stepAll, agrees too
          const one = model.streams(B);
          const all = model.streams(B);
          const row = new Float32Array(O);
          for (let t = 0; t < T; t++) {
            for (let b = 0; b < B; b++) frames.set(x.subarray((b * T + t) * F, (b * T + t + 1) * F), b * F);
            const oa = all.stepAll(frames);
            for (let b = 0; b < B; b++) {
              one.step(b, x.subarray((b * T + t) * F, (b * T + t + 1) * F), row);
              expect(Array.from(row)).toEqual(Array.from(oa.subarray(b * O, (b + 1) * O)));
              expect(Array.from(row)).toEqual(Array.from(outs.subarray((b * T + t) * O, (b * T + t + 1) * O)));
            }
          }
          streams.dispose(); one.dispose(); all.dispose();
        });
      }
    }

    it('reset() returns a stream to its initial state without touching the others', () => {
      const r = rng(99);
      const model = rt.load(modelOf(3, [recurrent({ kind: 'lstm', hidden: 8, h0: true }, 3, r)]));
      const s = model.streams(3);
      const x = randArray(3, r);
      const first = Array.from(s.step(1, x));
      s.step(1, x); s.step(2, x);
      const other = s.getState(2, 0, 'h');
      s.reset(1);
      expect(Array.from(s.step(1, x))).toEqual(first);
      expect(Array.from(s.getState(2, 0, 'h'))).toEqual(Array.from(other));
    });

    it('any grouping of streams gives the same bits: runs of consecutive streams (stepped in place), shuffled lists (gathered), tiles of 16', () => {
      const r = rng(41);
      const F = 3, N = 21, H = 26;
      const model = rt.load(modelOf(F, [recurrent({ kind: 'lstm', hidden: H }, F, r), recurrent({ kind: 'gru', hidden: 10 }, H, r), dense(10, 2, r)]));
      const a = model.streams(N), b = model.streams(N);
      const run = [...Array(18).keys()].map((k) => k + 2);            // streams 2..19: one tile of 16 and one of 2
      const shuffled = [...run].sort(() => r() - 0.5);
      for (let t = 0; t < 4; t++) {
        const frames = randArray(N * F, r);
        const rows = (list: number[]) => Float32Array.from(list.flatMap((s) => Array.from(frames.subarray(s * F, (s + 1) * F))));
        const ya = a.stepMany(t % 2 ? shuffled : run, rows(t % 2 ? shuffled : run)).slice();
        const list = t % 2 ? shuffled : run;
        list.forEach((s, k) => {
          const yb = b.step(s, frames.subarray(s * F, (s + 1) * F));
          expect(Array.from(yb)).toEqual(Array.from(ya.subarray(k * 2, k * 2 + 2)));
        });
      }
      for (const s of [0, 1, 2, 19, 20]) expect(Array.from(a.getState(s, 0, 'c'))).toEqual(Array.from(b.getState(s, 0, 'c')));
    });

    it('state can be snapshotted and restored', () => {
      const r = rng(5);
      const model = rt.load(modelOf(2, [recurrent({ kind: 'gru', hidden: 6 }, 2, r)]));
      const s = model.streams(1);
      s.step(0, [0.3, -0.2]);
      const snap = s.getState(0, 0, 'h');
      const a = Array.from(s.step(0, [1, 1]));
      s.setState(0, 0, 'h', snap);
      expect(Array.from(s.step(0, [1, 1]))).toEqual(a);
    });

    it('refuses to stream bidirectional models and checks arguments', () => {
      const r = rng(3);
      const bi = rt.load(modelOf(2, [recurrent({ kind: 'gru', hidden: 4, direction: 'bidirectional' }, 2, r)]));
      expect(() => bi.streams(2)).toThrow(UnsupportedModelError);
      expect(() => bi.streams(2)).toThrow(/whole sequences/);
      const m = rt.load(modelOf(2, [recurrent({ kind: 'gru', hidden: 4 }, 2, r)]));
      const s = m.streams(2);
      expect(() => s.step(2, [0, 0])).toThrow(UsageError);
      expect(() => s.step(0, [0, 0, 0])).toThrow(ShapeError);
      expect(() => s.stepMany([1, 1], [0, 0, 0, 0])).toThrow(/out of range .*or repeated/);
      expect(() => m.run(new Float32Array(6), [1, 3, 3])).toThrow(ShapeError);
      s.dispose();
      expect(() => s.step(0, [0, 0])).toThrow(/disposed/);
    });
  });
}
