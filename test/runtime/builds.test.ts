// The SIMD kernels and their scalar references give identical bits, for odd sizes that exercise
// every SIMD tail (1, 3, 17, 33, 130), every activation, and batches that use every row tile.
import { describe, it, expect, beforeAll } from 'vitest';
import { Runtime } from '../../host/runtime/runtime.js';
import { ACTIVATIONS, type ActivationName } from '../../host/format/layout.js';
import { rng, randArray, recurrent, dense, modelOf } from '../helpers/models.js';

let simd: Runtime, scalar: Runtime;
beforeAll(async () => {
  simd = await Runtime.create({ simd: true });
  scalar = await Runtime.create({ simd: false });
});

function same(bytes: Uint8Array, x: Float32Array, shape: number[]) {
  const a = simd.load(bytes).run(x, shape);
  const b = scalar.load(bytes).run(x, shape);
  expect(a.shape).toEqual(b.shape);
  expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer))).toBe(true);
  return a;
}

describe('SIMD build equals scalar build bit for bit', () => {
  for (const H of [1, 3, 17, 33, 130]) {
    for (const kind of ['lstm', 'gru', 'rnn'] as const) {
      it(`${kind} H=${H}, I=${(H % 7) + 1}, batch 5 and 1`, () => {
        const r = rng(H * 31 + kind.length);
        const I = (H % 7) + 1;
        const bytes = modelOf(I, [recurrent({ kind, hidden: H, peephole: kind === 'lstm' }, I, r), dense(H, 3, r)]);
        for (const B of [5, 1]) same(bytes, randArray(B * 4 * I, r, 3), [B, 4, I]);
      });
    }
  }
  it('reset-before GRU and bidirectional LSTM', () => {
    const r = rng(8);
    const bytes = modelOf(6, [recurrent({ kind: 'gru', hidden: 19, resetAfter: false }, 6, r), recurrent({ kind: 'lstm', hidden: 10, direction: 'bidirectional' }, 19, r)]);
    same(bytes, randArray(3 * 7 * 6, r, 2), [3, 7, 6]);
  });
  for (const act of ACTIVATIONS) {
    it(`activation ${act}`, () => {
      const r = rng(act.length);
      const bytes = modelOf(7, [dense(7, 13, r, { name: act as ActivationName })]);
      same(bytes, randArray(2 * 3 * 7, r, 6), [2, 3, 7]);
    });
  }
});

describe('activations are accurate', () => {
  const ref: Partial<Record<ActivationName, (x: number) => number>> = {
    sigmoid: (x) => 1 / (1 + Math.exp(-x)),
    tanh: Math.tanh,
    relu: (x) => Math.max(0, x),
    hard_sigmoid: (x) => Math.min(1, Math.max(0, 0.2 * x + 0.5)),
    softsign: (x) => x / (1 + Math.abs(x)),
    softplus: (x) => Math.log1p(Math.exp(x)),
    elu: (x) => (x >= 0 ? x : Math.expm1(x)),
    exponential: Math.exp,
    silu: (x) => x / (1 + Math.exp(-x)),
    relu6: (x) => Math.min(6, Math.max(0, x)),
    gelu_tanh: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
    mish: (x) => x * Math.tanh(Math.log1p(Math.exp(x))),
  };
  for (const [name, f] of Object.entries(ref)) {
    it(`${name} within 2e-7 relative (+1e-7 absolute)`, async () => {
      // identity Dense, so the output is act(x) for x over [-12, 12]
      const N = 241;
      const W = new Float32Array(N * N);
      const xs = new Float32Array(N);
      for (let i = 0; i < N; i++) { W[i * N + i] = 1; xs[i] = -12 + i * 0.1; }
      for (const rt of [simd, scalar]) {
        const bytes = modelOf(N, [{ kind: 'dense', name: 'id', inputSize: N, units: N, W, activation: { name: name as ActivationName } }]);
        const y = rt.load(bytes).run(xs, [1, 1, N]).data;
        for (let i = 0; i < N; i++) {
          const want = f(Math.fround(xs[i]!));
          expect(Math.abs(y[i]! - want)).toBeLessThanOrEqual(1e-7 + 2e-7 * Math.abs(want) + (name === 'exponential' ? 3e-7 * Math.abs(want) : 0));
        }
      }
    });
  }
});
