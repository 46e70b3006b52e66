// Quantized modes: conformance within the stated tolerances on both builds, the integer mode
// bit-exact between builds and between stepping and whole sequences, calibration edge cases,
// model size, and the accuracy report.
import { describe, it, expect, beforeAll } from 'vitest';
import { join } from 'node:path';
import { Runtime } from '../../host/runtime/runtime.js';
import { verifyCase } from '../../host/cli/verify-cmd.js';
import { convertModel } from '../../host/convert/convert.js';
import { lowerToErnn } from '../../host/convert/lower.js';
import { calibrate } from '../../host/convert/quantize/reference.js';
import { accuracyReport } from '../../host/convert/quantize/report.js';
import { DataError, UsageError, UnsupportedModelError } from '../../host/errors.js';
import { readTensor } from '../../host/cli/files.js';
import { readFileSync, readdirSync } from 'node:fs';
import { bindGraphInputs } from '../../host/format/graph.js';
import { SHARED, FIXTURES, caseDirs } from '../helpers/paths.js';
import { rng, randArray, recurrent, dense, type CellSpec } from '../helpers/models.js';
import type { ModelIR, Layer } from '../../host/convert/ir.js';

const CASES = [
  ...caseDirs(join(SHARED, 'conformance', 'onnx-node')),
  ...caseDirs(join(SHARED, 'conformance', 'pytorch-onnx')),
  ...caseDirs(join(FIXTURES, 'pytorch-onnx')),
  ...caseDirs(join(FIXTURES, 'rtneural-onnx')),
];

let simd: Runtime, scalar: Runtime;
beforeAll(async () => {
  simd = await Runtime.create({ simd: true });
  scalar = await Runtime.create({ simd: false });
});

for (const quant of ['int8-dynamic', 'int8'] as const) {
  describe(`${quant}: conformance within tolerance, both builds`, () => {
    for (const dir of CASES) {
      it(dir.split('/').pop()!, async () => {
        for (const rt of [simd, scalar]) {
          const r = await verifyCase(dir, rt, { atol: 0, rtol: 0, quant });
          expect(r.reason).toBeUndefined();
        }
      });
    }
  });

  describe(`${quant}: the SIMD and scalar builds give identical bytes`, () => {
    for (const dir of CASES) {
      it(dir.split('/').pop()!, () => {
        const set = join(dir, 'test_data_set_0');
        const inputs = readdirSync(set).filter((f) => f.startsWith('input')).sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0])).map((f) => readTensor(join(set, f)));
        const onnx = readFileSync(join(dir, 'model.onnx'));
        const f32 = convertModel(onnx, { weightInputs: inputs });
        const { bytes } = convertModel(onnx, { weightInputs: inputs, quant, calibration: bindGraphInputs(f32.ir.metadata.graph!, inputs) });
        const a = simd.load(bytes).runGraph(inputs), b = scalar.load(bytes).runGraph(inputs);
        a.forEach((t, k) => expect(Buffer.from(t.data.buffer).equals(Buffer.from(b[k]!.data.buffer))).toBe(true));
      });
    }
  });
}

function model(cells: CellSpec[], head: boolean, seed: number): ModelIR {
  const r = rng(seed);
  const F = 5;
  let width = F;
  const layers: Layer[] = cells.map((c, i) => {
    const L = recurrent(c, width, r, `l${i}`);
    width = c.hidden;
    return L;
  });
  if (head) layers.push(dense(width, 4, r, { name: 'linear' }));
  return { name: 't', inputSize: F, layers, metadata: {} };
}

describe('int8: stepping equals whole sequences to the bit; both builds agree', () => {
  const cells: [string, CellSpec[]][] = [
    ['lstm', [{ kind: 'lstm', hidden: 19 }]],
    ['lstm peepholes, clip, learned state', [{ kind: 'lstm', hidden: 9, peephole: true, clip: 2, h0: true }]],
    ['gru reset-after', [{ kind: 'gru', hidden: 17, resetAfter: true }]],
    ['gru reset-before', [{ kind: 'gru', hidden: 13, resetAfter: false }]],
    ['rnn tanh', [{ kind: 'rnn', hidden: 11 }]],
    ['rnn relu', [{ kind: 'rnn', hidden: 7, activations: [{ name: 'relu' }] }]],
    ['gru -> lstm', [{ kind: 'gru', hidden: 20 }, { kind: 'lstm', hidden: 33 }]],
  ];
  for (const [label, spec] of cells) {
    for (const quant of ['int8', 'int8-dynamic'] as const) {
      it(`${quant}: ${label}`, () => {
        const ir = model(spec, true, label.length);
        const B = 4, T = 12, F = 5;
        const r = rng(99);
        const x = randArray(B * T * F, r, 1.5);
        const plan = quant === 'int8' ? { mode: quant, stats: calibrate(ir, [{ x, shape: [B, T, F] }]) } : { mode: quant };
        const bytes = lowerToErnn(ir, plan);
        const ys = [simd, scalar].map((rt) => rt.load(bytes).run(x, [B, T, F]));
        expect(Buffer.from(ys[0]!.data.buffer).equals(Buffer.from(ys[1]!.data.buffer))).toBe(true);
        for (const rt of [simd, scalar]) {
          const s = rt.load(bytes).streams(B);
          const O = 4;
          for (let t = 0; t < T; t++) {
            const frames = new Float32Array(B * F);
            for (let b = 0; b < B; b++) frames.set(x.subarray((b * T + t) * F, (b * T + t + 1) * F), b * F);
            const out = s.stepAll(frames);
            for (let b = 0; b < B; b++) {
              expect(Array.from(out.subarray(b * O, (b + 1) * O))).toEqual(Array.from(ys[0]!.data.subarray((b * T + t) * O, (b * T + t + 1) * O)));
            }
          }
        }
      });
    }
  }
});

describe('calibration edge cases', () => {
  const ir = () => model([{ kind: 'lstm', hidden: 8 }], true, 3);
  const run = (x: Float32Array, shape: [number, number, number]) => {
    const m = ir();
    const out = simd.load(lowerToErnn(m, { mode: 'int8', stats: calibrate(m, [{ x, shape }]) })).run(x, shape);
    return out.data;
  };
  it('outliers, constant inputs and a single sample give finite outputs', () => {
    const r = rng(4);
    const x = randArray(2 * 6 * 5, r);
    x[7] = 1e4; // an outlier stretches the input range
    expect(Array.from(run(x, [2, 6, 5])).every(Number.isFinite)).toBe(true);
    expect(Array.from(run(new Float32Array(30).fill(0.25), [1, 6, 5])).every(Number.isFinite)).toBe(true);
    expect(Array.from(run(new Float32Array(30), [1, 6, 5])).every(Number.isFinite)).toBe(true);
    expect(Array.from(run(randArray(5, r), [1, 1, 5])).every(Number.isFinite)).toBe(true);
  });
  it('calibration data of the wrong shape, missing or non-finite: clear errors', () => {
    const onnx = readFileSync(join(SHARED, 'conformance', 'pytorch-onnx', 'pt_lstm_long_seq', 'model.onnx'));
    expect(() => convertModel(onnx, { quant: 'int8', calibration: { shape: [4, 10, 3], data: new Float32Array(120) } })).toThrow(DataError);
    expect(() => convertModel(onnx, { quant: 'int8', calibration: { shape: [4, 10, 3], data: new Float32Array(120) } })).toThrow(/calibration data has shape \[4, 10, 3\], expected \[batch, time, 2\]/);
    expect(() => convertModel(onnx, { quant: 'int8', calibration: { shape: [2, 2], data: new Float32Array(4) } })).toThrow(DataError);
    expect(() => convertModel(onnx, { quant: 'int8', calibration: { shape: [1, 2, 2], data: Float32Array.of(0, NaN, 1, 2) } })).toThrow(/NaN/);
    expect(() => convertModel(onnx, { quant: 'int8' })).toThrow(UsageError);
    expect(() => convertModel(onnx, { quant: 'int8' })).toThrow(/needs calibration data/);
    expect(() => convertModel(onnx, { quant: 'int4' as never })).toThrow(/quant must be/);
  });
  it('the int8 mode refuses activations it cannot tabulate, naming the layer', () => {
    const r = rng(1);
    const m: ModelIR = { name: 'relu-lstm', inputSize: 3, layers: [recurrent({ kind: 'lstm', hidden: 4, activations: [{ name: 'sigmoid' }, { name: 'relu' }, { name: 'relu' }] }, 3, r, 'relu_lstm')], metadata: {} };
    const x = randArray(12, r);
    expect(() => lowerToErnn(m, { mode: 'int8', stats: calibrate(m, [{ x, shape: [1, 4, 3] }]) })).toThrow(UnsupportedModelError);
    expect(() => lowerToErnn(m, { mode: 'int8', stats: calibrate(m, [{ x, shape: [1, 4, 3] }]) })).toThrow(/layer 0 \(lstm 'relu_lstm'\): activation 'relu' leaves \[-1, 1\].*int8-dynamic/);
    expect(simd.load(lowerToErnn(m, { mode: 'int8-dynamic' })).run(x, [1, 4, 3]).data.length).toBe(16);
  });
});

describe('model size and the accuracy report', () => {
  for (const [label, cells, I] of [['LSTM 64', [{ kind: 'lstm', hidden: 64 }], 2], ['GRU 64', [{ kind: 'gru', hidden: 64 }], 8], ['LSTM 128', [{ kind: 'lstm', hidden: 128 }], 8]] as const) {
    it(`${label}: int8 files are at most 0.3 of the float file`, () => {
      const r = rng(2);
      const rec = recurrent(cells[0] as CellSpec, I, r);
      const ir: ModelIR = { name: 'size', inputSize: I, layers: [rec, dense((cells[0] as CellSpec).hidden, 24, r)], metadata: { name: 'size' } };
      const x = randArray(4 * 8 * I, r);
      const f32 = lowerToErnn(ir).length;
      const dyn = lowerToErnn(ir, { mode: 'int8-dynamic' }).length;
      const int8 = lowerToErnn(ir, { mode: 'int8', stats: calibrate(ir, [{ x, shape: [4, 8, I] }]) }).length;
      expect(dyn / f32).toBeLessThanOrEqual(0.3);
      expect(int8 / f32).toBeLessThanOrEqual(0.3);
    });
  }
  it('reports per-layer and output errors against the float model', async () => {
    const ir = model([{ kind: 'gru', hidden: 16 }], true, 5);
    const r = rng(6);
    const inputs = [{ x: randArray(3 * 10 * 5, r), shape: [3, 10, 5] as [number, number, number] }];
    const rep = await accuracyReport(ir, { mode: 'int8', stats: calibrate(ir, inputs), lastBits: 16 }, inputs);
    expect(rep.data).toBe('calibration');
    expect(rep.layers.map((l) => l.kind)).toEqual(['gru', 'dense']);
    expect(rep.output.maxAbs).toBeGreaterThan(0);
    expect(rep.output.relative).toBeLessThan(0.05);
    const dyn = await accuracyReport(ir, { mode: 'int8-dynamic' }, []);
    expect(dyn.data).toBe('random');
    expect(dyn.output.relative).toBeLessThan(0.03);
  });
});
