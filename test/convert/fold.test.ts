// Folding linear Dense layers into the next layer: one layer less, the same outputs (to float32
// rounding), for recurrent and Dense successors, and nothing folded across a nonlinearity.
import { describe, it, expect, beforeAll } from 'vitest';
import { Runtime } from '../../host/runtime/runtime.js';
import { foldLinearLayers } from '../../host/convert/fold.js';
import { lowerToErnn } from '../../host/convert/lower.js';
import type { Layer, ModelIR } from '../../host/convert/ir.js';
import { rng, randArray, recurrent, dense } from '../helpers/models.js';

let rt: Runtime;
beforeAll(async () => { rt = await Runtime.create(); });

function compare(ir: ModelIR, expectLayers: number) {
  const folded = foldLinearLayers(ir);
  expect(folded.layers).toHaveLength(expectLayers);
  const B = 3, T = 9, F = ir.inputSize;
  const x = randArray(B * T * F, rng(11), 2);
  const a = rt.load(lowerToErnn(ir)).run(x, [B, T, F]);
  const b = rt.load(lowerToErnn(folded)).run(x, [B, T, F]);
  expect(b.shape).toEqual(a.shape);
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i]! - b.data[i]!));
  expect(worst).toBeLessThan(2e-5);
}

describe('foldLinearLayers', () => {
  for (const kind of ['lstm', 'gru', 'rnn'] as const) {
    it(`folds an input normalisation into ${kind.toUpperCase()}`, () => {
      const r = rng(3);
      const norm: Layer = { kind: 'dense', name: 'norm', inputSize: 4, units: 4, W: new Float32Array([1 / 0.3, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0.5, 0, 0, 0, 0, 1]), b: new Float32Array([0.1, -0.2, 0.3, 0]), activation: { name: 'linear' } };
      const layers = [norm, recurrent({ kind, hidden: 8, output: 'sequence' }, 4, r), dense(8, 3, r)];
      compare({ name: 'n', inputSize: 4, layers, metadata: {} }, 2);
    });
  }

  it('folds a chain of linear Dense layers into one', () => {
    const r = rng(5);
    compare({ name: 'd', inputSize: 5, layers: [dense(5, 7, r), dense(7, 6, r), dense(6, 2, r)], metadata: {} }, 1);
  });

  it('keeps a Dense layer with a nonlinearity, and a linear one that ends the model', () => {
    const r = rng(7);
    const layers = [dense(3, 6, r, { name: 'tanh' }), recurrent({ kind: 'gru', hidden: 5, output: 'sequence' }, 6, r), dense(5, 2, r)];
    const ir: ModelIR = { name: 'k', inputSize: 3, layers, metadata: {} };
    expect(foldLinearLayers(ir).layers).toHaveLength(3);
    compare(ir, 3);
  });
});
