// The Keras importer on Keras-made reference data (keras-js's Keras 2.1 layer vectors, RTNeural's
// TF2 Keras models), on configs of every Keras generation (Keras 1 per-gate arrays, CuDNN layers,
// Keras 3 functional configs, version-dependent defaults), and its refusals.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importKeras } from '../../host/convert/keras/import.js';
import type { KerasDocument, NamedArray } from '../../host/convert/keras/document.js';
import { lowerToErnn } from '../../host/convert/lower.js';
import type { ModelIR, RecurrentLayer } from '../../host/convert/ir.js';
import { Runtime } from '../../host/runtime/runtime.js';
import type { Model } from '../../host/runtime/model.js';
import { ModelFormatError, UnsupportedModelError } from '../../host/errors.js';
import { SHARED } from '../helpers/paths.js';
import { rng, randArray, maxErr } from '../helpers/models.js';

const builds: Record<'simd' | 'scalar', Runtime> = {} as Record<'simd' | 'scalar', Runtime>;
beforeAll(async () => {
  builds.simd = await Runtime.create({ simd: true });
  builds.scalar = await Runtime.create({ simd: false });
});

type Cfg = Record<string, unknown>;
const arr = (name: string, shape: number[], data: ArrayLike<number>): NamedArray => ({ name, shape, data: Float32Array.from(data) });
const rand = (name: string, shape: number[], r: () => number, scale = 0.6) => arr(name, shape, randArray(shape.reduce((a, b) => a * b, 1), r, scale));
const layer = (class_name: string, config: Cfg): Cfg => ({ class_name, config });

function doc(layers: Cfg[], weights: Record<string, NamedArray[]>, kerasVersion?: string, format: KerasDocument['format'] = 'h5'): KerasDocument {
  const d: KerasDocument = { format, config: { class_name: 'Sequential', config: { name: 'm', layers } }, weights: new Map(Object.entries(weights)) };
  if (kerasVersion) d.kerasVersion = kerasVersion;
  return d;
}

function load(ir: ModelIR, rt: Runtime = builds.simd): Model {
  return rt.load(lowerToErnn(ir, { mode: 'f32' }));
}


function refusal(f: () => unknown): Error {
  try { f(); } catch (e) { return e as Error; }
  throw new Error('no error');
}

const worst: Record<string, number> = {};
const note = (set: string, e: number) => { worst[set] = Math.max(worst[set] ?? 0, e); };

// ---------------------------------------------------------------------------------------------
// keras-js's Keras 2.1 recurrent layer vectors: LSTM, GRU (reset_after absent = False), SimpleRNN

interface Vec { data: number[]; shape: number[] }
interface Case { input: Vec; weights: Vec[]; expected: Vec }

describe('kerasjs-recurrent-fixtures (Keras 2.1)', () => {
  const dir = join(SHARED, 'conformance', 'keras-wild', 'kerasjs-recurrent-fixtures');
  for (const cls of ['LSTM', 'GRU', 'SimpleRNN'] as const) {
    const cases = JSON.parse(readFileSync(join(dir, `${cls}.json`), 'utf8')) as Record<string, Case>;
    for (const [key, c] of Object.entries(cases)) {
      const n = Number(key.split('.').pop());
      it(`${key}`, () => {
        const [T, F] = c.input.shape as [number, number];
        const units = c.weights[1]!.shape[0]!;
        const cfg: Cfg = {
          name: 'rnn', units, batch_input_shape: [1, T, F],
          return_sequences: [2, 4, 6, 8].includes(n), go_backwards: [3, 4, 7, 8].includes(n), stateful: n >= 5,
          use_bias: c.weights.length === 3,
        };
        // cases 0 and 1 name their activations; the others take Keras 2.1's defaults (tanh, hard_sigmoid)
        if (n === 0) Object.assign(cfg, { activation: 'tanh' }, cls === 'SimpleRNN' ? {} : { recurrent_activation: 'hard_sigmoid' });
        if (n === 1) Object.assign(cfg, { activation: 'sigmoid' }, cls === 'SimpleRNN' ? {} : { recurrent_activation: 'sigmoid' });
        const names = ['kernel', 'recurrent_kernel', 'bias'];
        const d = doc([layer(cls, cfg)], { rnn: c.weights.map((w, k) => arr(`rnn/${names[k]}:0`, w.shape, w.data)) }, '2.1.2');
        const ir = importKeras(d);
        if (cls === 'GRU') expect((ir.layers[0] as RecurrentLayer).resetAfter).toBe(false);
        expect(ir.metadata.stateful).toBe(n >= 5 ? true : undefined);
        for (const rt of [builds.simd, builds.scalar]) {
          const model = load(ir, rt);
          const x = Float32Array.from(c.input.data);
          let got: Float32Array;
          if (n >= 5) {
            // the notebook predicts twice; expected is the second call
            const first = model.run(x, [1, T, F], { returnStates: true });
            got = model.run(x, [1, T, F], { initialStates: first.states! }).data;
          } else {
            const [y] = model.runGraph([{ shape: [1, T, F], data: x }]);
            expect(y!.shape).toEqual([1, ...c.expected.shape]);
            got = y!.data;
          }
          const e = maxErr(got, c.expected.data);
          note('kerasjs', e);
          expect(e).toBeLessThan(1e-5);
        }
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------
// RTNeural's TF2 Keras models: get_weights() lists, 100 steps of 10 sin(0.1 pi n)

describe('rtneural Keras models (TF2: GRU reset_after=True, LSTM)', () => {
  const dir = join(SHARED, 'conformance', 'rtneural');
  const csv = (f: string) => readFileSync(join(dir, 'test_data', f), 'utf8').trim().split(/\s+/).map(Number);
  for (const name of ['gru', 'lstm', 'gru_1d', 'lstm_1d']) {
    it(name, () => {
      const json = JSON.parse(readFileSync(join(dir, 'models', `${name}.json`), 'utf8')) as { layers: { type: string; activation: string; shape: (number | null)[]; weights: unknown[] }[] };
      const layers: Cfg[] = [];
      const weights: Record<string, NamedArray[]> = {};
      const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
      const shapeOf = (v: unknown): number[] => (Array.isArray(v) ? [v.length, ...shapeOf(v[0])] : []);
      json.layers.forEach((l, i) => {
        const lname = `${l.type.replace(/-/g, '_')}_${i}`;
        const units = l.shape[2]!;
        const act = l.activation || 'linear';
        const first = i === 0 ? { batch_input_shape: [null, null, 1] } : {};
        if (l.type === 'time-distributed-dense') layers.push(layer('TimeDistributed', { name: lname, layer: layer('Dense', { name: 'inner', units, activation: act }), ...first }));
        else if (l.type === 'dense') layers.push(layer('Dense', { name: lname, units, activation: act, ...first }));
        // the GRU leaves reset_after and recurrent_activation to TF2's defaults (True, sigmoid)
        else if (l.type === 'gru') layers.push(layer('GRU', { name: lname, units, activation: act, return_sequences: true, ...first }));
        else if (l.type === 'lstm') layers.push(layer('LSTM', { name: lname, units, activation: act, recurrent_activation: 'sigmoid', return_sequences: true, ...first }));
        else throw new Error(l.type);
        weights[lname] = l.weights.map((w, k) => arr(`${lname}/w${k}`, shapeOf(w), flat(w)));
      });
      const ir = importKeras(doc(layers, weights, '2.6.0'));
      const x = Float32Array.from(csv(`${name}_x_python.csv`));
      const y = csv(`${name}_y_python.csv`);
      for (const rt of [builds.simd, builds.scalar]) {
        const [got] = load(ir, rt).runGraph([{ shape: [1, x.length, 1], data: x }]);
        expect(got!.shape).toEqual([1, 100, 1]);
        const e = maxErr(got!.data, y);
        note('rtneural', e);
        expect(e).toBeLessThan(1e-5);
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Version-dependent meanings and defaults

describe('Keras versions', () => {
  const r = rng(1);
  const lstmArrays = [rand('k', [2, 8], r), rand('rk', [2, 8], r), rand('b', [8], r)];
  const gruArrays = (resetAfter: boolean) => [rand('k', [2, 6], r), rand('rk', [2, 6], r), rand('b', resetAfter ? [2, 6] : [6], r)];
  const lstm = (cfg: Cfg, version: string | undefined, format: KerasDocument['format'] = 'h5') =>
    importKeras(doc([layer('LSTM', { name: 'l', units: 2, batch_input_shape: [null, 3, 2], ...cfg })], { l: lstmArrays }, version, format)).layers[0] as RecurrentLayer;

  it('hard_sigmoid: 0.2x + 0.5 before Keras 3 and in TF.js, x/6 + 0.5 from Keras 3', () => {
    const hs = { recurrent_activation: 'hard_sigmoid' };
    for (const v of ['1.2.2', '2.1.5', '2.2.4-tf', '2.15.0', 'tfjs-layers 4.22.0']) expect(lstm(hs, v).activations[0]![0]).toEqual({ name: 'hard_sigmoid', alpha: 0.2, beta: 0.5 });
    expect(lstm(hs, undefined, 'tfjs').activations[0]![0]).toEqual({ name: 'hard_sigmoid', alpha: 0.2, beta: 0.5 });
    for (const v of ['3.0.0', '3.15.0']) expect(lstm(hs, v, 'keras').activations[0]![0]).toEqual({ name: 'hard_sigmoid', alpha: 1 / 6, beta: 0.5 });
    // no version recorded: Keras 3 serialization (module keys) tells, else refused
    const k3: KerasDocument = { format: 'keras-json', config: { module: 'keras.src.models.sequential', class_name: 'Sequential', config: { layers: [layer('LSTM', { name: 'l', units: 2, batch_input_shape: [null, 3, 2], ...hs })] } }, weights: new Map([['l', lstmArrays]]) };
    expect((importKeras(k3).layers[0] as RecurrentLayer).activations[0]![0]).toEqual({ name: 'hard_sigmoid', alpha: 1 / 6, beta: 0.5 });
    const e = refusal(() => lstm(hs, undefined));
    expect(e).toBeInstanceOf(UnsupportedModelError);
    expect(e.message).toMatch(/layer 'l' \(LSTM\) recurrent_activation: 'hard_sigmoid' means .* does not record the Keras version/);
  });

  it('recurrent_activation absent: hard_sigmoid before 2.3 (and Keras 1 inner_activation), sigmoid after', () => {
    expect(lstm({}, '2.2.4').activations[0]![0]!.name).toBe('hard_sigmoid');
    expect(lstm({}, '1.2.2').activations[0]![0]!.name).toBe('hard_sigmoid');
    expect(lstm({}, 'tfjs-layers 3.0.0').activations[0]![0]!.name).toBe('hard_sigmoid');
    for (const v of ['2.3.1', '2.4.0', '2.11.0', '3.3.3']) expect(lstm({}, v).activations[0]![0]).toEqual({ name: 'sigmoid' });
    expect(lstm({ inner_activation: 'sigmoid' }, '1.2.2').activations[0]![0]).toEqual({ name: 'sigmoid' });
    expect(() => lstm({}, '2.2.4-tf')).toThrow(/recurrent_activation is not in the config and its default depends on the Keras version/);
  });

  it('GRU reset_after absent: False in Keras 2 (multi-backend) and TF.js, True in TF2 tf.keras and Keras 3', () => {
    const gru = (v: string, resetAfter: boolean) => importKeras(doc([layer('GRU', { name: 'g', units: 2, batch_input_shape: [null, 3, 2], recurrent_activation: 'sigmoid' })], { g: gruArrays(resetAfter) }, v)).layers[0] as RecurrentLayer;
    for (const v of ['2.1.6', '2.2.4', '2.3.1', 'tfjs-layers 4.0.0']) expect(gru(v, false).resetAfter).toBe(false);
    for (const v of ['2.3.0-tf', '2.4.0', '2.9.0', '3.1.0']) expect(gru(v, true).resetAfter).toBe(true);
    expect(() => gru('2.2.4-tf', true)).toThrow(/reset_after is not in the config and its default depends on the Keras version/);
    // the bias shape must agree with reset_after
    expect(() => gru('2.1.6', true)).toThrow(ModelFormatError);
    expect(() => gru('2.1.6', true)).toThrow(/layer 'g' \(GRU\): bias 'b' has shape \[2, 6\], expected \[6\]/);
  });
});

// ---------------------------------------------------------------------------------------------
// Keras 1 (per-gate arrays, output_dim, inner_activation) and CuDNN layers

/** numpy: k.T.reshape(k.shape, order='F') for a row-major [rows, cols] matrix. */
function transposeReshapeF(k: Float32Array, rows: number, cols: number): Float32Array {
  // k.T is [cols, rows]; its F-order flattening, then filled into [rows, cols] in F order
  const kt = (a: number, b: number) => k[b * cols + a]!; // kt[a, b] = k[b, a]
  const flatF: number[] = [];
  for (let b = 0; b < rows; b++) for (let a = 0; a < cols; a++) flatF.push(kt(a, b));
  const out = new Float32Array(rows * cols);
  for (let j = 0; j < flatF.length; j++) out[(j % rows) * cols + Math.floor(j / rows)] = flatF[j]!;
  return out;
}

function blocks(m: Float32Array, rows: number, cols: number, G: number): Float32Array[] {
  const w = cols / G;
  return [...Array(G).keys()].map((g) => {
    const b = new Float32Array(rows * w);
    for (let r = 0; r < rows; r++) b.set(m.subarray(r * cols + g * w, r * cols + (g + 1) * w), r * w);
    return b;
  });
}

function hstack(bs: Float32Array[], rows: number): Float32Array {
  const w = bs[0]!.length / rows;
  const out = new Float32Array(rows * w * bs.length);
  for (let r = 0; r < rows; r++) bs.forEach((b, g) => out.set(b.subarray(r * w, (r + 1) * w), r * w * bs.length + g * w));
  return out;
}

function sameOutputs(a: ModelIR, b: ModelIR, shape: [number, number, number], seed: number): void {
  const x = randArray(shape[0] * shape[1] * shape[2], rng(seed), 1.5);
  for (const rt of [builds.simd, builds.scalar]) {
    const ya = load(a, rt).run(x, shape).data;
    const yb = load(b, rt).run(x, shape).data;
    expect(maxErr(ya, yb)).toBe(0);
  }
}

describe('Keras 1 and CuDNN weights', () => {
  it('the ECG model (Keras 1.2.2 config, per-gate W_i/U_i/b_i arrays in i, c, f, o) equals its Keras 2 form', () => {
    const config = JSON.parse(readFileSync(join(SHARED, 'conformance', 'keras-wild', 'ecg-lstm-keras1', 'model.json'), 'utf8'));
    const r = rng(7);
    const w1: Record<string, NamedArray[]> = {};
    const w2: Record<string, NamedArray[]> = {};
    const sizes: [string, number, number][] = [['lstm_1', 1, 64], ['lstm_2', 64, 256], ['lstm_3', 256, 100]];
    for (const [name, I, H] of sizes) {
      const per: Record<string, NamedArray> = {};
      for (const g of ['i', 'c', 'f', 'o']) {
        per[`W_${g}`] = rand(`${name}_W_${g}`, [I, H], r, 0.3);
        per[`U_${g}`] = rand(`${name}_U_${g}`, [H, H], r, 0.1);
        per[`b_${g}`] = rand(`${name}_b_${g}`, [H], r, 0.3);
      }
      // stored order i, c, f, o; the names are shuffled to show they are what counts
      const stored = ['i', 'c', 'f', 'o'].flatMap((g) => [per[`W_${g}`]!, per[`U_${g}`]!, per[`b_${g}`]!]);
      w1[name] = name === 'lstm_2' ? [...stored].reverse() : stored;
      const order = ['i', 'f', 'c', 'o'];
      w2[name] = [
        arr('kernel', [I, 4 * H], hstack(order.map((g) => per[`W_${g}`]!.data), I)),
        arr('recurrent_kernel', [H, 4 * H], hstack(order.map((g) => per[`U_${g}`]!.data), H)),
        arr('bias', [4 * H], order.flatMap((g) => Array.from(per[`b_${g}`]!.data))),
      ];
    }
    w1.dense_1 = w2.dense_1 = [rand('dense_1_W', [100, 1], r), rand('dense_1_b', [1], r)];
    const k1 = importKeras({ format: 'h5', config, weights: new Map(Object.entries(w1)) });
    expect(k1.inputSize).toBe(1);
    expect(k1.layers.map((l) => l.kind)).toEqual(['lstm', 'lstm', 'lstm', 'dense']);
    expect((k1.layers[0] as RecurrentLayer).activations[0]![0]).toEqual({ name: 'hard_sigmoid', alpha: 0.2, beta: 0.5 });
    expect(k1.metadata.source).toMatchObject({ framework: 'keras', frameworkVersion: '1.2.2' });
    const k2 = importKeras(doc([
      layer('LSTM', { name: 'lstm_1', units: 64, recurrent_activation: 'hard_sigmoid', return_sequences: true, batch_input_shape: [null, 49, 1] }),
      layer('LSTM', { name: 'lstm_2', units: 256, recurrent_activation: 'hard_sigmoid', return_sequences: true }),
      layer('LSTM', { name: 'lstm_3', units: 100, recurrent_activation: 'hard_sigmoid' }),
      layer('Dense', { name: 'dense_1', units: 1 }),
    ], w2, '2.2.4'));
    sameOutputs(k1, k2, [2, 49, 1], 8);
  });

  it('Keras 1 GRU (9 arrays z, r, h by position) and SimpleRNN', () => {
    const r = rng(9);
    const I = 3, H = 4;
    const per = ['z', 'r', 'h'].map((g) => [rand(`W_${g}`, [I, H], r), rand(`U_${g}`, [H, H], r), rand(`b_${g}`, [H], r)]);
    const unnamed = per.flat().map((a, k) => ({ ...a, name: `param_${k}` }));
    const cfg = { name: 'g', output_dim: H, inner_activation: 'hard_sigmoid', activation: 'tanh', batch_input_shape: [null, 5, I], return_sequences: true };
    const k1 = importKeras(doc([layer('GRU', cfg)], { g: unnamed }, '1.2.2'));
    const k2 = importKeras(doc([layer('GRU', { ...cfg, output_dim: undefined, units: H, recurrent_activation: 'hard_sigmoid', reset_after: false })], {
      g: [arr('k', [I, 3 * H], hstack(per.map((p) => p[0]!.data), I)), arr('rk', [H, 3 * H], hstack(per.map((p) => p[1]!.data), H)), arr('b', [3 * H], per.flatMap((p) => Array.from(p[2]!.data)))],
    }, '2.1.0'));
    sameOutputs(k1, k2, [2, 5, I], 10);
  });

  it('CuDNNLSTM and CuDNNGRU equal LSTM / GRU(reset_after=True) with the weights Keras converts them to', () => {
    const r = rng(11);
    const I = 3, H = 5;
    for (const [cls, G] of [['CuDNNLSTM', 4], ['CuDNNGRU', 3]] as const) {
      const k = rand('kernel', [I, G * H], r), rk = rand('recurrent_kernel', [H, G * H], r), b = rand('bias', [2 * G * H], r);
      const cudnn = importKeras(doc([layer(cls, { name: 'c', units: H, return_sequences: true, batch_input_shape: [null, 6, I] })], { c: [k, rk, b] }, '2.2.4'));
      // keras saving.py _convert_rnn_weights (from_cudnn=True)
      const kernel = hstack(blocks(k.data, I, G * H, G).map((blk) => transposeReshapeF(blk, I, H)), I);
      const rec = hstack(blocks(rk.data, H, G * H, G).map((blk) => { const t = new Float32Array(H * H); for (let i = 0; i < H; i++) for (let j = 0; j < H; j++) t[j * H + i] = blk[i * H + j]!; return t; }), H);
      const plainCls = cls === 'CuDNNLSTM' ? 'LSTM' : 'GRU';
      const bias = cls === 'CuDNNLSTM' ? arr('bias', [4 * H], b.data.slice(0, 4 * H).map((v, i) => v + b.data[4 * H + i]!)) : arr('bias', [2, 3 * H], b.data);
      const plain = importKeras(doc([layer(plainCls, { name: 'c', units: H, recurrent_activation: 'sigmoid', reset_after: true, return_sequences: true, batch_input_shape: [null, 6, I] })],
        { c: [arr('kernel', [I, G * H], kernel), arr('recurrent_kernel', [H, G * H], rec), bias] }, '2.2.4'));
      const x = randArray(2 * 6 * I, rng(12), 1.5);
      for (const rt of [builds.simd, builds.scalar]) {
        // the LSTM biases were summed in float32 above; equal to rounding
        expect(maxErr(load(cudnn, rt).run(x, [2, 6, I]).data, load(plain, rt).run(x, [2, 6, I]).data)).toBeLessThan(1e-6);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Model configs: functional chains (Keras 2 and Keras 3 serialization), time_major, Reshape heads

function keras3Functional(layers: { name: string; cls: string; cfg: Cfg; from?: string; mask?: string }[], extra: Cfg = {}): Cfg {
  const tensor = (from: string) => ({ class_name: '__keras_tensor__', config: { shape: [null, null, 3], dtype: 'float32', keras_history: [from, 0, 0] } });
  return {
    module: 'keras.src.models.functional', class_name: 'Functional', registered_name: 'Functional',
    config: {
      name: 'f', trainable: true,
      layers: layers.map((l) => ({
        module: 'keras.layers', class_name: l.cls, name: l.name, registered_name: null, config: { name: l.name, ...l.cfg },
        inbound_nodes: l.from ? [{ args: [tensor(l.from)], kwargs: { training: false, mask: l.mask ? tensor(l.mask) : null } }] : [],
      })),
      input_layers: [layers[0]!.name, 0, 0], output_layers: [layers[layers.length - 1]!.name, 0, 0], ...extra,
    },
  };
}

describe('model configs', () => {
  const r = rng(21);
  const W = {
    gru: [rand('gru/cell/kernel', [3, 12], r), rand('gru/cell/recurrent_kernel', [4, 12], r), rand('gru/cell/bias', [2, 12], r)],
    head: [rand('head/kernel', [4, 6], r), rand('head/bias', [6], r)],
  };

  it('a Keras 3 functional chain equals the Sequential model', () => {
    const f = keras3Functional([
      { name: 'in', cls: 'InputLayer', cfg: { batch_shape: [null, 7, 3] } },
      { name: 'gru', cls: 'GRU', cfg: { units: 4, return_sequences: true, recurrent_activation: 'hard_sigmoid', reset_after: true }, from: 'in' },
      { name: 'drop', cls: 'Dropout', cfg: { rate: 0.5 }, from: 'gru' },
      { name: 'head', cls: 'Dense', cfg: { units: 6, activation: 'linear' }, from: 'drop' },
      { name: 'shape', cls: 'Reshape', cfg: { target_shape: [-1, 3, 2] }, from: 'head' },
    ]);
    const fd: KerasDocument = { format: 'keras', kerasVersion: '3.4.1', config: f, weights: new Map(Object.entries(W)) };
    const fir = importKeras(fd);
    expect((fir.layers[0] as RecurrentLayer).activations[0]![0]).toEqual({ name: 'hard_sigmoid', alpha: 1 / 6, beta: 0.5 });
    expect(fir.metadata.graph).toEqual({
      inputs: [{ name: 'in', role: 'sequence', axes: ['batch', 'time', 'feature'] }],
      outputs: [{ name: 'shape', role: 'output', time: true, factors: [3, 2], perm: [0, 1, 2, 3] }],
    });
    expect(fir.metadata.output).toEqual({ shape: [3, 2] });
    expect(fir.metadata.source).toEqual({ format: 'keras', framework: 'keras', frameworkVersion: '3.4.1' });
    const sir = importKeras(doc([
      layer('GRU', { name: 'gru', units: 4, return_sequences: true, recurrent_activation: 'hard_sigmoid', reset_after: true, batch_input_shape: [null, 7, 3] }),
      layer('Dense', { name: 'head', units: 6 }),
    ], W, '3.4.1', 'keras'));
    sameOutputs(fir, sir, [2, 7, 3], 22);
    const [y] = load(fir).runGraph([{ shape: [2, 7, 3], data: randArray(42, rng(1)) }]);
    expect(y!.shape).toEqual([2, 7, 3, 2]);
  });

  it('a Keras 3 functional Masking -> LSTM (the call records the mask) skips masked steps', () => {
    const rr = rng(27);
    const w = { lstm: [rand('k', [3, 16], rr), rand('rk', [4, 16], rr), rand('b', [16], rr)] };
    const f = keras3Functional([
      { name: 'in', cls: 'InputLayer', cfg: { batch_shape: [null, 6, 3] } },
      { name: 'masking', cls: 'Masking', cfg: { mask_value: 0 }, from: 'in' },
      { name: 'lstm', cls: 'LSTM', cfg: { units: 4, recurrent_activation: 'sigmoid' }, from: 'masking', mask: 'masking' },
    ]);
    const ir = importKeras({ format: 'keras', kerasVersion: '3.4.1', config: f, weights: new Map(Object.entries(w)) });
    expect(ir.metadata.graph!.inputs[0]).toEqual({ name: 'in', role: 'sequence', axes: ['batch', 'time', 'feature'], mask: { value: 0 } });
    const plain = load(importKeras(doc([layer('LSTM', { name: 'lstm', units: 4, recurrent_activation: 'sigmoid', batch_input_shape: [null, null, 3] })], w, '3.4.1')));
    const x = randArray(2 * 6 * 3, rng(28));
    x.fill(0, 4 * 3, 6 * 3); // sample 0: the last two steps are padding
    x.fill(0, 6 * 3, 6 * 3 + 3); // sample 1: the first step is padding
    const [y] = load(ir).runGraph([{ shape: [2, 6, 3], data: x }]);
    const y0 = plain.run(x.subarray(0, 4 * 3), [1, 4, 3]).data;
    const y1 = plain.run(x.subarray(7 * 3, 12 * 3), [1, 5, 3]).data;
    expect(maxErr(y!.data.subarray(0, 4), y0)).toBe(0);
    expect(maxErr(y!.data.subarray(4, 8), y1)).toBe(0);
    // a mask from another layer is a second input: refused
    const other = keras3Functional([
      { name: 'in', cls: 'InputLayer', cfg: { batch_shape: [null, 6, 3] } },
      { name: 'masking', cls: 'Masking', cfg: { mask_value: 0 }, from: 'in' },
      { name: 'lstm', cls: 'LSTM', cfg: { units: 4, recurrent_activation: 'sigmoid' }, from: 'masking', mask: 'in' },
    ]);
    expect(() => importKeras({ format: 'keras', kerasVersion: '3.4.1', config: other, weights: new Map(Object.entries(w)) })).toThrow(/layer 'lstm' \(LSTM\) takes extra tensor arguments/);
  });

  it('a Keras 2 functional model that branches, or merges two tensors, is refused', () => {
    const l = (name: string, cls: string, cfg: Cfg, from: string[]) => ({ name, class_name: cls, config: { name, ...cfg }, inbound_nodes: from.length ? [from.map((f) => [f, 0, 0, {}])] : [] });
    const cfg = (layers: Cfg[], out: string) => ({ class_name: 'Model', config: { name: 'm', layers, input_layers: [['x', 0, 0]], output_layers: [[out, 0, 0]] } });
    const x = l('x', 'InputLayer', { batch_input_shape: [null, 5, 3] }, []);
    const branch = cfg([x, l('a', 'GRU', { units: 4 }, ['x']), l('b', 'GRU', { units: 4 }, ['x']), l('c', 'Concatenate', {}, ['a', 'b'])], 'c');
    const e = refusal(() => importKeras({ format: 'h5', kerasVersion: '2.2.4', config: branch, weights: new Map() }));
    expect(e).toBeInstanceOf(UnsupportedModelError);
    expect(e.message).toBe("layer 'c' (Concatenate) merges 2 tensors (a, b); edgernn runs a single chain of layers, not a branching graph");
    const side = cfg([x, l('a', 'GRU', { units: 4, return_sequences: true }, ['x']), l('b', 'Dense', { units: 2 }, ['a']), l('side', 'Dense', { units: 2 }, ['a'])], 'b');
    expect(() => importKeras({ format: 'h5', kerasVersion: '2.2.4', config: side, weights: new Map() })).toThrow(/layer 'a' \(GRU\) feeds 2 layers \(b, side\): the model branches/);
    const state = cfg([x, { ...l('a', 'LSTM', { units: 4, return_state: true }, []), inbound_nodes: [[['x', 0, 0, {}]]] }, { ...l('b', 'Dense', { units: 2 }, []), inbound_nodes: [[['a', 0, 1, {}]]] }], 'b');
    expect(() => importKeras({ format: 'h5', kerasVersion: '2.2.4', config: state, weights: new Map() })).toThrow(/layer 'b' \(Dense\) reads output 1 of node 0 of 'a'/);
  });

  it('RNN over an LSTMCell equals LSTM; Bidirectional with its mirror backward_layer (Keras 3 config)', () => {
    const rr = rng(25);
    const w = [rand('k', [3, 16], rr), rand('rk', [4, 16], rr), rand('b', [16], rr)];
    const cell = { units: 4, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true };
    const viaCell = importKeras(doc([layer('RNN', { name: 'r', return_sequences: true, batch_input_shape: [null, 6, 3], cell: layer('LSTMCell', { name: 'c', ...cell }) })], { r: w }, '2.6.0'));
    const plain = importKeras(doc([layer('LSTM', { name: 'r', return_sequences: true, batch_input_shape: [null, 6, 3], ...cell })], { r: w }, '2.6.0'));
    sameOutputs(viaCell, plain, [2, 6, 3], 26);
    expect(() => importKeras(doc([layer('RNN', { name: 'r', batch_input_shape: [null, 6, 3], cell: layer('StackedRNNCells', { cells: [] }) })], { r: w }, '2.6.0')))
      .toThrow(/^layer 'r' \(RNN\) is not supported: RNN over a StackedRNNCells cell/);

    const inner = (name: string, back: boolean) => layer('LSTM', { name, ...cell, return_sequences: false, go_backwards: back });
    const w2 = [...w, rand('k', [3, 16], rr), rand('rk', [4, 16], rr), rand('b', [16], rr)];
    const bi = (backward: Cfg) => importKeras(doc([layer('Bidirectional', { name: 'bi', merge_mode: 'concat', layer: inner('forward_lstm', false), backward_layer: backward, batch_input_shape: [null, 6, 3] })], { bi: w2 }, '3.1.0', 'keras'));
    const ir = bi(inner('backward_lstm', true));
    expect(ir.layers[0]).toMatchObject({ kind: 'lstm', direction: 'bidirectional', output: 'final', hiddenSize: 4 });
    expect(ir.metadata.graph!.outputs[0]).toMatchObject({ time: false, factors: [8] });
    expect(() => bi(layer('GRU', { name: 'backward_gru', ...cell, go_backwards: true }))).toThrow(/a backward_layer that differs from the forward layer/);
  });

  it('time_major: the input binding is [time, batch, feature]', () => {
    const rr = rng(23);
    const w = { l: [rand('k', [3, 16], rr), rand('rk', [4, 16], rr), rand('b', [16], rr)] };
    const tm = importKeras(doc([layer('LSTM', { name: 'l', units: 4, time_major: true, return_sequences: true, recurrent_activation: 'sigmoid', batch_input_shape: [null, null, 3] })], w, '2.6.0'));
    const bm = importKeras(doc([layer('LSTM', { name: 'l', units: 4, return_sequences: true, recurrent_activation: 'sigmoid', batch_input_shape: [null, null, 3] })], w, '2.6.0'));
    expect(tm.metadata.graph!.inputs[0]).toMatchObject({ axes: ['time', 'batch', 'feature'] });
    const B = 2, T = 5;
    const x = randArray(B * T * 3, rng(24));
    const xt = new Float32Array(x.length);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let f = 0; f < 3; f++) xt[(t * B + b) * 3 + f] = x[(b * T + t) * 3 + f]!;
    const [a] = load(tm).runGraph([{ shape: [T, B, 3], data: xt }]);
    const [b] = load(bm).runGraph([{ shape: [B, T, 3], data: x }]);
    expect(a!.shape).toEqual([T, B, 4]);
    for (let bb = 0; bb < B; bb++) for (let t = 0; t < T; t++) for (let u = 0; u < 4; u++) expect(a!.data[(t * B + bb) * 4 + u]).toBe(b!.data[(bb * T + t) * 4 + u]);
  });
});

// ---------------------------------------------------------------------------------------------
// Refusals: layer name, class and reason; malformed weights are ModelFormatErrors

describe('refusals', () => {
  const r = rng(31);
  const lstmW = () => [rand('k', [3, 8], r), rand('rk', [2, 8], r), rand('b', [8], r)];
  const first = { batch_input_shape: [null, 5, 3] };
  const imp = (layers: Cfg[], weights: Record<string, NamedArray[]> = {}, v = '2.6.0') => () => importKeras(doc(layers, weights, v));

  it('Conv1D, a custom layer class, Lambda, attention', () => {
    const conv = refusal(imp([layer('Conv1D', { name: 'conv1d_1', filters: 4, kernel_size: 3, ...first })]));
    expect(conv).toBeInstanceOf(UnsupportedModelError);
    expect(conv.message).toMatch(/^layer 'conv1d_1' \(Conv1D\) is not supported: /);
    expect(refusal(imp([layer('LSTM', { name: 'l', units: 2, ...first }), layer('MyAttention', { name: 'attn' })], { l: lstmW() })).message).toMatch(/^layer 'attn' \(MyAttention\) is not supported/);
    expect(refusal(imp([layer('Lambda', { name: 'scale', function: 'x * 2', ...first })])).message).toMatch(/^layer 'scale' \(Lambda\) is not supported/);
  });

  it('a weight array of the wrong shape, a missing array, missing weights', () => {
    const bad = [rand('lstm/kernel:0', [3, 8], r), rand('lstm/recurrent_kernel:0', [2, 6], r), rand('lstm/bias:0', [8], r)];
    const e = refusal(imp([layer('LSTM', { name: 'lstm', units: 2, ...first })], { lstm: bad }));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toBe("layer 'lstm' (LSTM): recurrent_kernel 'lstm/recurrent_kernel:0' has shape [2, 6], expected [2, 8]");
    expect(refusal(imp([layer('LSTM', { name: 'lstm', units: 2, ...first })], { lstm: lstmW().slice(0, 2) })).message)
      .toBe("layer 'lstm' (LSTM) has 2 weight arrays ('k', 'rk'), expected 3 (kernel, recurrent_kernel, bias)");
    expect(refusal(imp([layer('Dense', { name: 'out', units: 2, batch_input_shape: [null, 3] })])).message).toBe("layer 'out' (Dense) has 0 weight arrays (none), expected 2 (kernel, bias)");
    // the input width in the config against the kernel
    expect(refusal(imp([layer('LSTM', { name: 'l', units: 2, batch_input_shape: [null, 5, 4] })], { l: lstmW() })).message).toMatch(/kernel 'k' has shape \[3, 8\], expected \[4, 8\]/);
  });

  it('options the runtime cannot honour', () => {
    const l = (cfg: Cfg, name = 'l') => layer('LSTM', { name, units: 2, ...cfg });
    expect(refusal(imp([l({ return_state: true, ...first })], { l: lstmW() })).message).toMatch(/^layer 'l' \(LSTM\) is not supported: return_state/);
    expect(refusal(imp([l({ stateful: true, return_sequences: true, ...first }), layer('LSTM', { name: 'm', units: 2 })], { l: lstmW(), m: [rand('k', [2, 8], r), rand('rk', [2, 8], r), rand('b', [8], r)] })).message)
      .toMatch(/only some recurrent layers are stateful \(l; not m\)/);
    expect(refusal(imp([l({ return_sequences: true, ...first }), layer('Flatten', { name: 'flat' })], { l: lstmW() })).message).toMatch(/^layer 'flat' \(Flatten\) is not supported: Flatten of a sequence/);
    expect(refusal(imp([l({ return_sequences: true, ...first }), layer('Reshape', { name: 'rs', target_shape: [10] })], { l: lstmW() })).message).toMatch(/^layer 'rs' \(Reshape\) is not supported: Reshape to \[10\] .* would mix the time axis/);
    expect(refusal(imp([l({ ...first }), layer('Reshape', { name: 'rs', target_shape: [2, 1] }), layer('Dense', { name: 'd', units: 2 })], { l: lstmW() })).message).toBe("layer 'd' (Dense) is not supported: it acts on the last axis of a [2, 1] tensor (after a Reshape); edgernn layers act on all features of a step");
    expect(refusal(imp([l({ ...first }), layer('Reshape', { name: 'rs', target_shape: [1, 2] }), layer('Softmax', { name: 'sm', axis: 1 })], { l: lstmW() })).message).toMatch(/^layer 'sm' \(Softmax\) is not supported: softmax over axis 1/);
    expect(refusal(imp([layer('Dense', { name: 'd', units: 3, ...first }), layer('Masking', { name: 'mask' }), l({})], { d: [rand('k', [3, 3], r), rand('b', [3], r)], l: lstmW() })).message).toMatch(/^layer 'mask' \(Masking\) is not supported: Masking is supported as the model's first layer only/);
    expect(refusal(imp([l({ activation: 'my_act', ...first })], { l: lstmW() })).message).toBe("layer 'l' (LSTM) activation: 'my_act' is not a supported activation");
    expect(refusal(imp([layer('Bidirectional', { name: 'bi', merge_mode: 'mul', layer: l({}, 'inner'), ...first })], { bi: [...lstmW(), ...lstmW()] })).message).toMatch(/^layer 'bi' \(Bidirectional\) is not supported: merge_mode 'mul'/);
    expect(refusal(imp([layer('Sequential', { name: 'inner', layers: [] })])).message).toMatch(/^layer 'inner' \(Sequential\) is not supported: a model nested/);
    expect(refusal(imp([l({ ...first }), layer('LSTM', { name: 'm', units: 2 })], { l: lstmW() })).message).toMatch(/^layer 'm' \(LSTM\): it needs a sequence/);
  });
});

describe('measured', () => {
  it('prints the worst errors per fixture set', () => {
    console.log(`keras-import worst |error|: ${JSON.stringify(worst)}`);
    expect(Object.keys(worst).length).toBeGreaterThan(0);
  });
});
