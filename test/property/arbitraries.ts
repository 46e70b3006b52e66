// fast-check arbitraries of small random models (built with test/helpers/models.ts and lowered
// with lowerToErnn), shared by the property tests.
import fc from 'fast-check';
import type { Layer, ModelIR } from '../../host/convert/ir.js';
import { lowerToErnn, type QuantMode, type QuantPlan } from '../../host/convert/lower.js';
import { calibrate } from '../../host/convert/quantize/reference.js';
import { rng, randArray, recurrent, dense, type CellSpec } from '../helpers/models.js';

/** Seeds and run counts: every property run is reproducible, and a few seconds at most. */
export const FC = { seed: 20250801, numRuns: 40 } as const;

export interface ModelSpec {
  input: number;
  cells: { kind: 'lstm' | 'gru' | 'rnn'; hidden: number; resetAfter: boolean; bias: boolean; peephole: boolean; h0: boolean }[];
  /** units of a Dense head, or 0 for none */
  head: number;
  headTanh: boolean;
  bidirectional: boolean;
  quant: QuantMode;
  seed: number;
  batch: number;
  time: number;
  scale: number;
}

const cell = fc.record({
  kind: fc.constantFrom('lstm' as const, 'gru' as const, 'rnn' as const),
  hidden: fc.integer({ min: 1, max: 24 }),
  resetAfter: fc.boolean(),
  bias: fc.boolean(),
  peephole: fc.boolean(),
  h0: fc.boolean(),
});

/** A model of one or two recurrent layers (forward, or the first one bidirectional), a Dense head or not. */
export function modelSpec(opts: { bidirectional?: boolean } = {}): fc.Arbitrary<ModelSpec> {
  return fc.record({
    input: fc.integer({ min: 1, max: 9 }),
    cells: fc.array(cell, { minLength: 1, maxLength: 2 }),
    head: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 6 })),
    headTanh: fc.boolean(),
    bidirectional: opts.bidirectional ? fc.boolean() : fc.constant(false),
    quant: fc.constantFrom<QuantMode>('f32', 'int8-dynamic', 'int8'),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    batch: fc.integer({ min: 1, max: 4 }),
    time: fc.integer({ min: 1, max: 7 }),
    scale: fc.constantFrom(0.5, 1, 3),
  });
}

export interface Built { bytes: Uint8Array; x: Float32Array; shape: [number, number, number]; outputSize: number }

/** The .ernn bytes of a spec and an input for it (int8 models calibrated on that input). */
export function build(s: ModelSpec): Built {
  const r = rng(s.seed);
  const layers: Layer[] = [];
  let width = s.input;
  s.cells.forEach((c, i) => {
    const spec: CellSpec = {
      kind: c.kind, hidden: c.hidden, bias: c.bias, h0: c.h0,
      ...(c.kind === 'gru' ? { resetAfter: c.resetAfter } : {}),
      ...(c.kind === 'lstm' ? { peephole: c.peephole } : {}),
      ...(i === 0 && s.bidirectional ? { direction: 'bidirectional' as const } : {}),
    };
    layers.push(recurrent(spec, width, r, `l${i}` as never)); // (the helper types its name as the cell kind)
    width = c.hidden * (i === 0 && s.bidirectional ? 2 : 1);
  });
  if (s.head > 0) {
    layers.push(dense(width, s.head, r, { name: s.headTanh ? 'tanh' : 'linear' }));
    width = s.head;
  }
  const ir: ModelIR = { name: 'prop', inputSize: s.input, layers, metadata: { name: 'prop' } };
  const shape: [number, number, number] = [s.batch, s.time, s.input];
  const x = randArray(s.batch * s.time * s.input, r, s.scale);
  const plan: QuantPlan = s.quant === 'int8' ? { mode: 'int8', stats: calibrate(ir, [{ x, shape }]) } : { mode: s.quant };
  return { bytes: lowerToErnn(ir, plan), x, shape, outputSize: width };
}

/** Largest |a - b| / (1 + |b|); Infinity when one is NaN and the other is not. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    const x = a[i]!, y = b[i]!;
    if (Number.isNaN(x) || Number.isNaN(y)) { if (Number.isNaN(x) !== Number.isNaN(y)) return Infinity; continue; }
    m = Math.max(m, Math.abs(x - y) / (1 + Math.abs(y)));
  }
  return m;
}

export function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length), y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
