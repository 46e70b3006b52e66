// TF.js Layers models: the shared conformance cases, models built and run by TF.js itself in
// this test (the oracle for what the fixtures do not cover), manifests with quantized entries
// and shards that split tensors, a real TF.js file from the wild, and the reader's refusals.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readTfjs } from '../../host/convert/tfjs/read.js';
import { importKeras } from '../../host/convert/keras/import.js';
import { lowerToErnn } from '../../host/convert/lower.js';
import { foldLinearLayers } from '../../host/convert/fold.js';
import { Runtime } from '../../host/runtime/runtime.js';
import type { Model } from '../../host/runtime/model.js';
import { readNpy } from '../../host/io/npy.js';
import type { Tensor } from '../../host/io/tensor.js';
import type { SourceFiles } from '../../host/convert/source.js';
import { ModelFormatError, UnsupportedModelError } from '../../host/errors.js';
import { SHARED, caseDirs } from '../helpers/paths.js';
import { rng, randArray, maxErr } from '../helpers/models.js';

const builds: Record<'simd' | 'scalar', Runtime> = {} as Record<'simd' | 'scalar', Runtime>;
beforeAll(async () => {
  await tf.setBackend('cpu');
  builds.simd = await Runtime.create({ simd: true });
  builds.scalar = await Runtime.create({ simd: false });
});


const worst: Record<string, number> = {};
const note = (set: string, e: number): number => { worst[set] = Math.max(worst[set] ?? 0, e); return e; };

function load(src: SourceFiles, rt: Runtime, fold = false): Model {
  let ir = importKeras(readTfjs(src));
  if (fold) ir = foldLinearLayers(ir);
  return rt.load(lowerToErnn(ir, { mode: 'f32' }));
}

// ---------------------------------------------------------------------------------------------
// The shared conformance set: model.json + weights.bin + test_data_set_0 from TF.js 4.22

describe('tfjs-layers conformance (shared)', () => {
  const root = join(SHARED, 'conformance', 'tfjs-layers');
  const dirs = caseDirs(root);
  it('has cases', () => expect(dirs.length).toBeGreaterThanOrEqual(6));
  for (const backend of ['simd', 'scalar'] as const) {
    for (const dir of dirs) {
      it(`${backend}: ${dir.split('/').pop()}`, () => {
        const files: Record<string, Uint8Array> = {};
        for (const f of readdirSync(dir)) if (!f.startsWith('test_data')) files[f] = readFileSync(join(dir, f));
        const model = load({ main: 'model.json', files }, builds[backend]);
        const x = readNpy(readFileSync(join(dir, 'test_data_set_0', 'input_0.npy')));
        const y = readNpy(readFileSync(join(dir, 'test_data_set_0', 'output_0.npy')));
        const [got] = model.runGraph([x]);
        expect(got!.shape).toEqual(y.shape);
        expect(note(`tfjs-layers ${dir.split('/').pop()}`, maxErr(got!.data, y.data as Float32Array))).toBeLessThan(5e-6);
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------
// TF.js as the oracle: build, randomise, save to an in-memory model.json, import, compare

interface Saved { topology: unknown; specs: tf.io.WeightsManifestEntry[]; data: Uint8Array }

async function save(model: tf.LayersModel): Promise<Saved> {
  let saved: Saved | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    const wd = a.weightData;
    const buf = wd === undefined ? new ArrayBuffer(0) : Array.isArray(wd) ? tf.io.concatenateArrayBuffers(wd) : wd;
    saved = { topology: a.modelTopology, specs: a.weightSpecs ?? [], data: new Uint8Array(buf.slice(0)) };
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return saved!;
}

/** model.json + shards of at most `shard` bytes (a tensor, even one value, may straddle two). */
function files(s: Saved, shard = 1 << 30, specs: tf.io.WeightsManifestEntry[] = s.specs, data = s.data): SourceFiles {
  const paths: string[] = [];
  const out: Record<string, Uint8Array> = {};
  const n = Math.max(1, Math.ceil(data.length / shard));
  for (let k = 0; k < n; k++) {
    const p = `group1-shard${k + 1}of${n}`;
    paths.push(p);
    out[p] = data.slice(k * shard, (k + 1) * shard);
  }
  const json = {
    format: 'layers-model', generatedBy: 'TensorFlow.js tfjs-layers v4.22.0', convertedBy: null,
    modelTopology: s.topology, weightsManifest: [{ paths, weights: specs }],
  };
  out['model.json'] = new TextEncoder().encode(JSON.stringify(json));
  return { main: 'model.json', files: out };
}

function randomize(model: tf.LayersModel, seed: number, scale = 0.8): void {
  const r = rng(seed);
  model.setWeights(model.getWeights().map((w) => tf.tensor(randArray(w.size, r, scale), w.shape)));
}

function input(shape: number[], seed: number, scale = 1.5): Tensor<Float32Array> {
  return { shape, data: randArray(shape.reduce((a, b) => a * b, 1), rng(seed), scale) };
}

/** Runs the TF.js model and ours (both builds) on x; returns the worst error. */
async function oracle(model: tf.LayersModel, x: Tensor, opts: { shard?: number; fold?: boolean } = {}): Promise<number> {
  const s = await save(model);
  const xt = x.data instanceof Int32Array ? tf.tensor(x.data, x.shape, 'int32') : tf.tensor(x.data as Float32Array, x.shape);
  const yt = model.predict(xt) as tf.Tensor;
  const want = { shape: yt.shape, data: yt.dataSync() };
  let worst = 0;
  for (const rt of [builds.simd, builds.scalar]) {
    const [got] = load(files(s, opts.shard), rt, opts.fold).runGraph([x]);
    expect(got!.shape).toEqual(want.shape);
    worst = Math.max(worst, maxErr(got!.data, want.data));
  }
  return note('TF.js oracle', worst);
}

const seq = (): tf.Sequential => tf.sequential();

describe('TF.js oracle', () => {
  it('Bidirectional LSTM, merge concat, sequences, then TimeDistributed(Dense)', async () => {
    const m = seq();
    m.add(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 5, returnSequences: true }) as tf.RNN, mergeMode: 'concat', inputShape: [7, 4] }));
    m.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 3, activation: 'tanh' }) }));
    randomize(m, 1);
    expect(await oracle(m, input([2, 7, 4], 2))).toBeLessThan(2e-6);
  });

  it('Bidirectional GRU to a vector, merge sum, then Dense', async () => {
    const m = seq();
    m.add(tf.layers.bidirectional({ layer: tf.layers.gru({ units: 4 }) as tf.RNN, mergeMode: 'sum', inputShape: [6, 3] }));
    m.add(tf.layers.dense({ units: 2 }));
    randomize(m, 3);
    expect(await oracle(m, input([3, 6, 3], 4))).toBeLessThan(2e-6);
  });

  it('Bidirectional SimpleRNN (relu), merge ave, sequences', async () => {
    const m = seq();
    m.add(tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 3, activation: 'relu', returnSequences: true }) as tf.RNN, mergeMode: 'ave', inputShape: [5, 2] }));
    randomize(m, 5);
    expect(await oracle(m, input([2, 5, 2], 6))).toBeLessThan(2e-6);
  });

  it('Bidirectional merge mul and None are refused', async () => {
    for (const mergeMode of ['mul', undefined] as const) {
      const m = seq();
      m.add(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 2 }) as tf.RNN, mergeMode: mergeMode as 'mul', inputShape: [3, 2] }));
      const s = await save(m);
      if (mergeMode === undefined) {
        // TF.js writes merge_mode null only when asked for it: make the config say None
        const t = s.topology as { config: { layers: { config: { merge_mode: unknown } }[] } };
        t.config.layers[0]!.config.merge_mode = null;
      }
      expect(() => importKeras(readTfjs(files(s)))).toThrow(UnsupportedModelError);
      expect(() => importKeras(readTfjs(files(s)))).toThrow(mergeMode === 'mul' ? /merge_mode 'mul'/ : /merge_mode None/);
    }
  });

  it('go_backwards with return_sequences (reversed time), into LSTM and a go_backwards GRU vector', async () => {
    const m = seq();
    m.add(tf.layers.lstm({ units: 4, goBackwards: true, returnSequences: true, inputShape: [6, 3] }));
    m.add(tf.layers.lstm({ units: 3, returnSequences: true }));
    m.add(tf.layers.gru({ units: 3, goBackwards: true }));
    randomize(m, 7);
    expect(await oracle(m, input([2, 6, 3], 8))).toBeLessThan(2e-6);
    // the reversed sequence itself as the output
    const r = seq();
    r.add(tf.layers.simpleRNN({ units: 3, goBackwards: true, returnSequences: true, inputShape: [5, 2] }));
    randomize(r, 9);
    expect(await oracle(r, input([2, 5, 2], 10))).toBeLessThan(2e-6);
  });

  it('SimpleRNN relu, TimeDistributed(Dense), Reshape of each step', async () => {
    const m = seq();
    m.add(tf.layers.simpleRNN({ units: 6, activation: 'relu', returnSequences: true, inputShape: [5, 3] }));
    m.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 6 }) }));
    m.add(tf.layers.reshape({ targetShape: [5, 3, 2] }));
    randomize(m, 11, 0.5);
    expect(await oracle(m, input([2, 5, 3], 12))).toBeLessThan(2e-6);
  });

  it('Flatten and Reshape after a sequence-to-vector GRU', async () => {
    const m = seq();
    m.add(tf.layers.gru({ units: 6, inputShape: [4, 2] }));
    m.add(tf.layers.reshape({ targetShape: [3, 2] }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
    m.add(tf.layers.reshape({ targetShape: [2, -1] }));
    randomize(m, 13);
    expect(await oracle(m, input([3, 4, 2], 14))).toBeLessThan(2e-6);
  });

  it('no bias: LSTM, GRU, SimpleRNN, Dense', async () => {
    const m = seq();
    m.add(tf.layers.lstm({ units: 4, useBias: false, returnSequences: true, inputShape: [5, 3] }));
    m.add(tf.layers.gru({ units: 4, useBias: false, returnSequences: true }));
    m.add(tf.layers.simpleRNN({ units: 3, useBias: false }));
    m.add(tf.layers.dense({ units: 2, useBias: false }));
    randomize(m, 15);
    expect(await oracle(m, input([2, 5, 3], 16))).toBeLessThan(2e-6);
  });

  it('hard_sigmoid (0.2x + 0.5) and sigmoid recurrent activations, activations of every kind', async () => {
    const m = seq();
    m.add(tf.layers.gru({ units: 5, recurrentActivation: 'hardSigmoid', activation: 'softsign', returnSequences: true, inputShape: [6, 3] }));
    m.add(tf.layers.lstm({ units: 4, recurrentActivation: 'sigmoid', activation: 'elu', returnSequences: true }));
    m.add(tf.layers.dense({ units: 4, activation: 'selu' }));
    m.add(tf.layers.dense({ units: 4, activation: 'softplus' }));
    m.add(tf.layers.dense({ units: 4, activation: 'swish' }));
    m.add(tf.layers.dense({ units: 4, activation: 'relu6' }));
    m.add(tf.layers.dense({ units: 4, activation: 'mish' }));
    m.add(tf.layers.dense({ units: 4, activation: 'gelu' }));
    m.add(tf.layers.dense({ units: 4, activation: 'gelu_new' }));
    m.add(tf.layers.reLU());
    m.add(tf.layers.leakyReLU({ alpha: 0.1 }));
    m.add(tf.layers.elu());
    m.add(tf.layers.activation({ activation: 'softmax' }));
    randomize(m, 17, 1.2);
    expect(await oracle(m, input([2, 6, 3], 18, 3))).toBeLessThan(2e-6);
  });

  it('a stack of GRU (reset_after=False) with Dropout between, and Dense on vector inputs', async () => {
    const m = seq();
    m.add(tf.layers.gru({ units: 6, returnSequences: true, inputShape: [8, 2] }));
    m.add(tf.layers.dropout({ rate: 0.3 }));
    m.add(tf.layers.gru({ units: 5, returnSequences: true }));
    m.add(tf.layers.gaussianNoise({ stddev: 0.2 }));
    m.add(tf.layers.gru({ units: 4 }));
    m.add(tf.layers.dense({ units: 3, activation: 'relu' }));
    randomize(m, 19);
    expect(await oracle(m, input([3, 8, 2], 20))).toBeLessThan(2e-6);
    expect(await oracle(m, input([3, 8, 2], 20), { fold: true })).toBeLessThan(2e-6);
    const v = seq();
    v.add(tf.layers.dense({ units: 5, activation: 'tanh', inputShape: [3] }));
    v.add(tf.layers.dense({ units: 2 }));
    randomize(v, 21);
    expect(await oracle(v, input([4, 3], 22))).toBeLessThan(2e-6);
  });

  it('BatchNormalization (moving statistics) on sequences and vectors', async () => {
    const m = seq();
    m.add(tf.layers.batchNormalization({ inputShape: [5, 3], epsilon: 0.01 }));
    m.add(tf.layers.lstm({ units: 4 }));
    m.add(tf.layers.batchNormalization({ center: false }));
    m.add(tf.layers.dense({ units: 2 }));
    const r = rng(45);
    // variances must be positive: |random| + 0.1
    const names = m.weights.map((v) => v.originalName);
    m.setWeights(m.getWeights().map((w, i) => tf.tensor(randArray(w.size, r, 0.8).map((v) => (names[i]!.includes('variance') ? Math.abs(v) + 0.1 : v)), w.shape)));
    expect(await oracle(m, input([2, 5, 3], 46))).toBeLessThan(2e-6);
    expect(await oracle(m, input([2, 5, 3], 46), { fold: true })).toBeLessThan(2e-6);
  });

  it('a functional chain (tf.model) equals the Sequential form', async () => {
    const inp = tf.input({ shape: [5, 3], name: 'traj' });
    let h = tf.layers.dense({ units: 4, activation: 'relu' }).apply(inp) as tf.SymbolicTensor;
    h = tf.layers.lstm({ units: 5, returnSequences: true }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.dense({ units: 2, name: 'head' }).apply(h) as tf.SymbolicTensor;
    const m = tf.model({ inputs: inp, outputs: h });
    randomize(m, 23);
    expect(await oracle(m, input([2, 5, 3], 24))).toBeLessThan(2e-6);
    const ir = importKeras(readTfjs(files(await save(m))));
    expect(ir.metadata.graph!.inputs[0]!.name).toBe('traj');
    expect(ir.metadata.graph!.outputs[0]!.name).toBe('head');
  });

  it('stateful LSTM: the second call starts from the state the first left', async () => {
    const m = seq();
    m.add(tf.layers.lstm({ units: 4, stateful: true, returnSequences: true, batchInputShape: [2, 5, 3] }));
    m.add(tf.layers.gru({ units: 3, stateful: true }));
    randomize(m, 25);
    const x = input([2, 5, 3], 26);
    const xt = tf.tensor(x.data, x.shape);
    const first = (m.predict(xt) as tf.Tensor).dataSync();
    const second = (m.predict(xt) as tf.Tensor).dataSync();
    const s = await save(m);
    for (const rt of [builds.simd, builds.scalar]) {
      const ir = importKeras(readTfjs(files(s)));
      expect(ir.metadata.stateful).toBe(true);
      const model = rt.load(lowerToErnn(ir));
      const a = model.run(x.data, [2, 5, 3], { returnStates: true });
      expect(maxErr(a.data, first)).toBeLessThan(2e-6);
      const b = model.run(x.data, [2, 5, 3], { initialStates: a.states! });
      expect(maxErr(b.data, second)).toBeLessThan(2e-6);
    }
  });

  it('Masking in a sequence-to-vector model: masked steps are skipped (trailing, leading and inside)', async () => {
    const m = seq();
    m.add(tf.layers.masking({ maskValue: -1, inputShape: [6, 2] }));
    m.add(tf.layers.dense({ units: 3, activation: 'tanh' }));
    m.add(tf.layers.lstm({ units: 4, returnSequences: true }));
    m.add(tf.layers.bidirectional({ layer: tf.layers.gru({ units: 3 }) as tf.RNN }));
    m.add(tf.layers.dense({ units: 2 }));
    randomize(m, 27);
    const x = input([4, 6, 2], 28);
    const pad = (b: number, t: number) => { x.data[(b * 6 + t) * 2] = -1; x.data[(b * 6 + t) * 2 + 1] = -1; };
    pad(0, 5); pad(0, 4); // trailing
    pad(1, 0); pad(1, 1); // leading (pad_sequences' default)
    pad(2, 2); // inside
    x.data[(3 * 6 + 3) * 2] = -1; // only one feature equals the mask value: not masked
    expect(await oracle(m, x)).toBeLessThan(2e-6);
    // every step masked: the output is the model on zero states
    const all = input([1, 6, 2], 29);
    all.data.fill(-1);
    expect(await oracle(m, all)).toBeLessThan(2e-6);
  });

  it('Masking in a model that returns sequences is refused', async () => {
    const m = seq();
    m.add(tf.layers.masking({ maskValue: 0, inputShape: [6, 2] }));
    m.add(tf.layers.lstm({ units: 4, returnSequences: true, name: 'lstm_seq' }));
    const src = files(await save(m));
    expect(() => importKeras(readTfjs(src))).toThrow(UnsupportedModelError);
    expect(() => importKeras(readTfjs(src))).toThrow(/layer 'lstm_seq' \(LSTM\) is not supported: the model returns a sequence computed under a mask/);
  });

  it('Embedding: ids as one-hot inputs; mask_zero in a sequence-to-vector model', async () => {
    const m = seq();
    m.add(tf.layers.embedding({ inputDim: 11, outputDim: 4, inputLength: 7 }));
    m.add(tf.layers.lstm({ units: 5, returnSequences: true }));
    m.add(tf.layers.dense({ units: 2 }));
    randomize(m, 31);
    const ids = new Int32Array(2 * 7);
    const r = rng(32);
    for (let i = 0; i < ids.length; i++) ids[i] = Math.floor(r() * 11);
    expect(await oracle(m, { shape: [2, 7], data: ids })).toBeLessThan(2e-6);
    expect(await oracle(m, { shape: [2, 7], data: ids }, { fold: true })).toBeLessThan(2e-6);

    const z = seq();
    z.add(tf.layers.embedding({ inputDim: 9, outputDim: 3, maskZero: true, inputLength: 6 }));
    z.add(tf.layers.gru({ units: 4 }));
    randomize(z, 33);
    const zid = Int32Array.from([0, 0, 3, 5, 8, 1, /**/ 4, 2, 0, 7, 0, 0, /**/ 1, 2, 3, 4, 5, 6]);
    expect(await oracle(z, { shape: [3, 6], data: zid })).toBeLessThan(2e-6);
    // ids out of range are an error, not a silent zero
    const model = load(files(await save(z)), builds.simd);
    expect(() => model.runGraph([{ shape: [1, 6], data: Int32Array.from([1, 2, 9, 0, 0, 0]) }])).toThrow(/holds id 9 .* ids 0 to 8/);
  });
});

// ---------------------------------------------------------------------------------------------
// Manifests: quantized entries, shards that split tensors

/** uint8/uint16 codes of v with TF.js's (scale, min), or float16 bits. */
function quantize(v: Float32Array, dtype: 'uint8' | 'uint16' | 'float16'): { bytes: Uint8Array; scale?: number; min?: number } {
  if (dtype === 'float16') {
    const out = new Uint8Array(v.length * 2);
    const dv = new DataView(out.buffer);
    v.forEach((x, i) => {
      // values of the form k / 1024 with |k| < 2048 are exact in float16 (10-bit mantissa)
      const s = x < 0 ? 0x8000 : 0;
      const a = Math.abs(x);
      let bits = 0;
      if (a !== 0) {
        const e = Math.floor(Math.log2(a));
        const m = Math.round((a / 2 ** e - 1) * 1024);
        bits = ((e + 15) << 10) | m;
      }
      dv.setUint16(2 * i, s | bits, true);
    });
    return { bytes: out };
  }
  let lo = Infinity, hi = -Infinity;
  for (const x of v) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
  const levels = dtype === 'uint8' ? 255 : 65535;
  const scale = (hi - lo) / levels, min = lo;
  const out = new Uint8Array(v.length * (dtype === 'uint8' ? 1 : 2));
  const dv = new DataView(out.buffer);
  v.forEach((x, i) => {
    const q = Math.round((x - min) / scale);
    if (dtype === 'uint8') dv.setUint8(i, q); else dv.setUint16(2 * i, q, true);
  });
  return { bytes: out, scale, min };
}

describe('TF.js weight manifests', () => {
  it('uint8, uint16 and float16 entries dequantize exactly as TF.js does; tensors straddle shards', async () => {
    const m = seq();
    m.add(tf.layers.lstm({ units: 4, returnSequences: true, inputShape: [5, 3] }));
    m.add(tf.layers.dense({ units: 2 }));
    randomize(m, 41);
    const s = await save(m);
    const kinds: ('uint8' | 'uint16' | 'float16' | undefined)[] = ['uint8', 'float16', 'uint16', undefined, 'float16'];
    const specs: tf.io.WeightsManifestEntry[] = [];
    const parts: Uint8Array[] = [];
    let off = 0;
    s.specs.forEach((spec, k) => {
      const n = spec.shape.reduce((a, b) => a * b, 1);
      let v = new Float32Array(s.data.buffer.slice(off, off + 4 * n));
      off += 4 * n;
      const kind = kinds[k];
      if (kind === 'float16') v = v.map((x) => Math.round(x * 1024) / 1024);
      if (!kind) { specs.push(spec); parts.push(new Uint8Array(v.buffer)); return; }
      const q = quantize(v, kind);
      specs.push({ ...spec, quantization: { dtype: kind, ...(q.scale !== undefined ? { scale: q.scale, min: q.min! } : {}) } });
      parts.push(q.bytes);
    });
    const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) { data.set(p, o); o += p.length; }
    // the arrays equal TF.js's own decoding, bit for bit
    const decoded = tf.io.decodeWeights(data.buffer, specs);
    const src = files(s, 37, specs, data); // 37-byte shards: values straddle shard borders
    expect(Object.keys(src.files).length).toBeGreaterThan(5);
    const doc = readTfjs(src);
    for (const spec of specs) {
      const layer = spec.name.split('/')[0]!;
      const a = doc.weights.get(layer)!.find((w) => w.name === spec.name)!;
      expect(a.shape).toEqual(spec.shape);
      expect(Array.from(a.data)).toEqual(Array.from(decoded[spec.name]!.dataSync()));
    }
    // and the model TF.js loads from this manifest predicts what ours computes
    const loaded = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: s.topology as object, weightSpecs: specs, weightData: data.buffer }));
    const x = input([2, 5, 3], 42);
    const want = (loaded.predict(tf.tensor(x.data, x.shape)) as tf.Tensor).dataSync();
    for (const rt of [builds.simd, builds.scalar]) {
      const [got] = load(src, rt).runGraph([x]);
      expect(maxErr(got!.data, want)).toBeLessThan(2e-6);
    }
  });

  it('a GRU with reset_after=True and bias [2, 3H] (valid for us though TF.js cannot run it)', () => {
    const I = 2, H = 3, T = 4, B = 2;
    const r = rng(47);
    const k = randArray(I * 3 * H, r), rk = randArray(H * 3 * H, r), b = randArray(2 * 3 * H, r);
    const topology = {
      keras_version: '2.2.4-tf', backend: 'tensorflow',
      model_config: { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'GRU', config: { name: 'gru', units: H, activation: 'tanh', recurrent_activation: 'sigmoid', reset_after: true, return_sequences: true, batch_input_shape: [null, T, I] } }] } },
    };
    const specs = [
      { name: 'gru/gru_cell/kernel', shape: [I, 3 * H], dtype: 'float32' as const },
      { name: 'gru/gru_cell/recurrent_kernel', shape: [H, 3 * H], dtype: 'float32' as const },
      { name: 'gru/gru_cell/bias', shape: [2, 3 * H], dtype: 'float32' as const },
    ];
    const data = new Uint8Array(new Float32Array([...k, ...rk, ...b]).buffer);
    const src = files({ topology, specs, data });
    const x = input([B, T, I], 48);
    // Keras GRU, reset_after=True, in float64: gates z, r, h as column blocks of x·kernel + h·recurrent_kernel
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const want = new Float64Array(B * T * H);
    for (let bb = 0; bb < B; bb++) {
      let h = new Float64Array(H);
      for (let t = 0; t < T; t++) {
        const xi = (c: number) => { let a = b[c]!; for (let i = 0; i < I; i++) a += x.data[(bb * T + t) * I + i]! * k[i * 3 * H + c]!; return a; };
        const hr = (c: number) => { let a = b[3 * H + c]!; for (let j = 0; j < H; j++) a += h[j]! * rk[j * 3 * H + c]!; return a; };
        const next = new Float64Array(H);
        for (let u = 0; u < H; u++) {
          const z = sig(xi(u) + hr(u)), rr = sig(xi(H + u) + hr(H + u));
          const n = Math.tanh(xi(2 * H + u) + rr * hr(2 * H + u));
          next[u] = z * h[u]! + (1 - z) * n;
        }
        h = next;
        want.set(h, (bb * T + t) * H);
      }
    }
    for (const rt of [builds.simd, builds.scalar]) {
      const [got] = load(src, rt).runGraph([x]);
      expect(note('GRU reset_after float64 reference', maxErr(got!.data, want))).toBeLessThan(2e-6);
    }
  });

  it('optimizer state saved with includeOptimizer is skipped', async () => {
    const m = seq();
    m.add(tf.layers.gru({ units: 3, inputShape: [4, 2] }));
    m.add(tf.layers.dense({ units: 1 }));
    m.compile({ optimizer: tf.train.adam(), loss: 'meanSquaredError' });
    await m.fit(tf.ones([2, 4, 2]), tf.ones([2, 1]), { epochs: 1, verbose: 0 });
    let specs: tf.io.WeightsManifestEntry[] = [];
    let data = new Uint8Array(0);
    let topology: unknown;
    await m.save(tf.io.withSaveHandler(async (a) => {
      specs = a.weightSpecs!;
      data = new Uint8Array((a.weightData as ArrayBuffer).slice(0));
      topology = a.modelTopology;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }), { includeOptimizer: true });
    expect(specs.some((sp) => sp.group === 'optimizer')).toBe(true);
    const x = input([2, 4, 2], 43);
    const want = (m.predict(tf.tensor(x.data, x.shape)) as tf.Tensor).dataSync();
    const [got] = load(files({ topology, specs, data }), builds.simd).runGraph([x]);
    expect(maxErr(got!.data, want)).toBeLessThan(2e-6);
  });

  it('int32 entries and weight names with a cell scope or a uniquifying suffix', () => {
    const config = {
      class_name: 'Sequential',
      config: { name: 's', layers: [{ class_name: 'LSTM', config: { name: 'lstm', units: 1, batch_input_shape: [null, 2, 1], recurrent_activation: 'sigmoid', return_sequences: false } }] },
    };
    const arrays = [[1, 2, 3, 4], [5, 6, 7, 8], [0.5, -0.5, 1, 2]];
    const data = new Uint8Array(12 * 4);
    const dv = new DataView(data.buffer);
    arrays.flat().forEach((v, i) => (i < 4 ? dv.setInt32(4 * i, v, true) : dv.setFloat32(4 * i, v, true)));
    // bias first in the manifest: get_weights() order is restored (kernel, recurrent_kernel, bias)
    const order = [2, 0, 1];
    const weights = order.map((k) => ({ name: ['lstm_1/lstm_cell/kernel', 'lstm_1/lstm_cell/recurrent_kernel', 'lstm_1/lstm_cell/bias'][k], shape: k === 2 ? [4] : [1, 4], dtype: k === 0 ? 'int32' : 'float32' }));
    const bytes = new Uint8Array(48);
    order.forEach((k, i) => bytes.set(data.subarray(k * 16, k * 16 + 16), i * 16));
    const json = { modelTopology: { keras_version: '2.4.0', backend: 'tensorflow', model_config: config }, weightsManifest: [{ paths: ['./w'], weights }] };
    const doc = readTfjs({ main: 'model.json', files: { 'model.json': new TextEncoder().encode(JSON.stringify(json)), w: bytes } });
    const got = doc.weights.get('lstm')!;
    expect(got.map((a) => a.name)).toEqual(['lstm_1/lstm_cell/kernel', 'lstm_1/lstm_cell/recurrent_kernel', 'lstm_1/lstm_cell/bias']);
    expect(Array.from(got[0]!.data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(got[2]!.data)).toEqual([0.5, -0.5, 1, 2]);
    expect(doc.kerasVersion).toBe('2.4.0');
    expect(doc.format).toBe('tfjs');
  });
});

// ---------------------------------------------------------------------------------------------
// A real TF.js file (tfjs-lstm-text-generation, Keras 2.1.5 origin): old format, two groups,
// shards without .bin. No reference outputs ship with it, so TF.js loads it here as the oracle.

describe('tfjs-lstm-textgen (keras-wild)', () => {
  it('matches TF.js on one-hot text windows', async () => {
    const dir = join(SHARED, 'conformance', 'keras-wild', 'tfjs-lstm-textgen');
    const names = ['model.json', 'group1-shard1of1', 'group2-shard1of1'];
    const src: SourceFiles = { main: 'model.json', files: Object.fromEntries(names.map((n) => [n, new Uint8Array(readFileSync(join(dir, n)))])) };
    const doc = readTfjs(src);
    expect(doc.kerasVersion).toBe('2.1.5');
    expect(doc.weights.get('lstm_2')!.map((a) => a.shape)).toEqual([[57, 512], [128, 512], [512]]);
    const json = JSON.parse(new TextDecoder().decode(src.files['model.json']!));
    const groups = json.weightsManifest as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    const data = new Uint8Array(groups.reduce((n, g) => n + src.files[g.paths[0]!]!.length, 0));
    let o = 0;
    for (const g of groups) { data.set(src.files[g.paths[0]!]!, o); o += src.files[g.paths[0]!]!.length; }
    const loaded = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: groups.flatMap((g) => g.weights), weightData: data.buffer }));
    const B = 2, T = 40, V = 57;
    const x = new Float32Array(B * T * V);
    const r = rng(51);
    for (let i = 0; i < B * T; i++) x[i * V + Math.floor(r() * V)] = 1;
    const want = (loaded.predict(tf.tensor(x, [B, T, V])) as tf.Tensor).dataSync();
    for (const rt of [builds.simd, builds.scalar]) {
      const model = load(src, rt);
      expect(model.info.metadata.source).toMatchObject({ format: 'tfjs', framework: 'keras', frameworkVersion: '2.1.5' });
      const [got] = model.runGraph([{ shape: [B, T, V], data: x }]);
      expect(got!.shape).toEqual([B, V]);
      expect(maxErr(got!.data, want)).toBeLessThan(1e-6);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Refusals and malformed files

describe('readTfjs refusals', () => {
  const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
  const topology = { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'dense_1', units: 2, batch_input_shape: [null, 3] } }] } };
  const manifest = [{ paths: ['weights.bin'], weights: [{ name: 'dense_1/kernel', shape: [3, 2], dtype: 'float32' }, { name: 'dense_1/bias', shape: [2], dtype: 'float32' }] }];

  it('a missing shard names the file', () => {
    const src = { main: 'model.json', files: { 'model.json': enc({ modelTopology: topology, weightsManifest: manifest }) } };
    expect(() => readTfjs(src)).toThrow(ModelFormatError);
    expect(() => readTfjs(src)).toThrow(/weight file 'weights.bin' \(manifest group 0\) is missing/);
  });

  it('shards shorter or longer than the manifest', () => {
    for (const n of [28, 36]) {
      const src = { main: 'model.json', files: { 'model.json': enc({ modelTopology: topology, weightsManifest: manifest }), 'weights.bin': new Uint8Array(n) } };
      expect(() => readTfjs(src)).toThrow(new RegExp(`the files hold ${n} bytes, the manifest describes 32`));
    }
  });

  it('a weight of no layer, a string dtype, an unknown quantization', () => {
    const bad = (weights: unknown[], bytes: number) => () => readTfjs({ main: 'model.json', files: { 'model.json': enc({ modelTopology: topology, weightsManifest: [{ paths: ['w'], weights }] }), w: new Uint8Array(bytes) } });
    expect(bad([{ name: 'conv/kernel', shape: [2], dtype: 'float32' }], 8)).toThrow(/weight 'conv\/kernel' belongs to no layer/);
    expect(bad([{ name: 'dense_1/kernel', shape: [2], dtype: 'string' }], 8)).toThrow(UnsupportedModelError);
    expect(bad([{ name: 'dense_1/kernel', shape: [2], dtype: 'float32', quantization: { dtype: 'int4' } }], 8)).toThrow(/quantized as int4/);
  });

  it('a Keras to_json() file, a graph model, and JSON that is no model', () => {
    const keras3 = { module: 'keras.src.models.sequential', class_name: 'Sequential', config: { layers: [] } };
    expect(() => readTfjs({ main: 'model.json', files: { 'model.json': enc(keras3) } })).toThrow(UnsupportedModelError);
    expect(() => readTfjs({ main: 'model.json', files: { 'model.json': enc(keras3) } })).toThrow(/Keras model config \(model.to_json\(\)\).*pass the weights file/);
    expect(() => readTfjs({ main: 'model.json', files: { 'model.json': enc({ format: 'graph-model', modelTopology: {} }) } })).toThrow(/TF.js graph model/);
    expect(() => readTfjs({ main: 'model.json', files: { 'model.json': enc({ hello: 1 }) } })).toThrow(ModelFormatError);
    expect(() => readTfjs({ main: 'model.json', files: { 'model.json': new Uint8Array([0x7b, 0xff]) } })).toThrow(/not valid UTF-8 JSON/);
  });

  it('a real Conv1D model and a branching functional model built by TF.js', async () => {
    const c = seq();
    c.add(tf.layers.conv1d({ filters: 2, kernelSize: 2, inputShape: [5, 3], name: 'conv1d_1' }));
    c.add(tf.layers.lstm({ units: 2 }));
    const src = files(await save(c));
    let err: Error | undefined;
    try { importKeras(readTfjs(src)); } catch (e) { err = e as Error; }
    expect(err).toBeInstanceOf(UnsupportedModelError);
    expect(err!.message).toBe("layer 'conv1d_1' (Conv1D) is not supported: edgernn imports recurrent layers (LSTM, GRU, SimpleRNN, Bidirectional), Dense, activations, BatchNormalization, Embedding, Masking, Reshape, Flatten and dropout-like layers, not Conv1D");

    const inp = tf.input({ shape: [4, 2] });
    const a = tf.layers.lstm({ units: 3, returnSequences: true, name: 'left' }).apply(inp) as tf.SymbolicTensor;
    const b = tf.layers.gru({ units: 3, returnSequences: true, name: 'right' }).apply(inp) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'join' }).apply([a, b]) as tf.SymbolicTensor;
    const fm = tf.model({ inputs: inp, outputs: sum });
    const s = await save(fm);
    expect(() => importKeras(readTfjs(files(s)))).toThrow(UnsupportedModelError);
    expect(() => importKeras(readTfjs(files(s)))).toThrow(/feeds 2 layers \(left, right\): the model branches|layer 'join' \(Add\) merges 2 tensors/);
  });
});

describe('measured', () => {
  it('prints the worst errors per set', () => {
    console.log(`tfjs worst |error|: ${JSON.stringify(worst, null, 1)}`);
    expect(Object.keys(worst).length).toBeGreaterThan(0);
  });
});
