// The Keras container readers (host/convert/keras/{hdf5,h5,zip,legacy}.ts) on every real file of
// ../shared/conformance/keras-wild (checked against what h5py reads: test/fixtures/keras-wild/
// arrays.json), on HDF5 and zip files built here to reach each layout and option, and on
// malformed input: truncated, random, corrupt, zip bombs. Every failure must be a typed error
// that says what and where, and none may hang.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync, deflateSync, strToU8 } from 'fflate';
import { readKerasH5, toSnakeCase } from '../../host/convert/keras/h5.js';
import { readKerasZip, crc32, zipEntries, ZIP_LIMITS } from '../../host/convert/keras/zip.js';
import { readKerasPair } from '../../host/convert/keras/legacy.js';
import { withHdf5, HDF5_LIMITS } from '../../host/convert/keras/hdf5.js';
import { halfToFloat } from '../../host/io/half.js';
import type { KerasDocument } from '../../host/convert/keras/document.js';
import { ModelFormatError, ResourceError, UnsupportedModelError, UsageError } from '../../host/errors.js';
import { SHARED, FIXTURES } from '../helpers/paths.js';

const WILD = join(SHARED, 'conformance', 'keras-wild');
const wild = (rel: string): Uint8Array => new Uint8Array(readFileSync(join(WILD, rel)));
const h5pyArrays = JSON.parse(readFileSync(join(FIXTURES, 'keras-wild', 'arrays.json'), 'utf8')) as
  Record<string, Record<string, [string, number[], number, number, number][]>>;

async function failure(p: Promise<unknown> | (() => unknown)): Promise<Error> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

/** The document holds exactly what h5py reads from the file: names, shapes, values. */
function matchesH5py(doc: KerasDocument, rel: string): void {
  const want = h5pyArrays[rel]!;
  expect([...doc.weights.keys()]).toEqual(Object.keys(want));
  for (const [layer, arrays] of Object.entries(want)) {
    const got = doc.weights.get(layer)!;
    expect(got.map((a) => a.name), layer).toEqual(arrays.map((a) => a[0]));
    got.forEach((a, i) => {
      const [name, shape, sum, first, last] = arrays[i]!;
      expect(a.shape, `${layer} ${name}`).toEqual(shape);
      expect(a.data.length).toBe(shape.reduce((p, d) => p * d, 1));
      expect(a.data[0]).toBe(first);
      expect(a.data[a.data.length - 1]).toBe(last);
      let s = 0;
      for (const v of a.data) s += v;
      expect(Math.abs(s - sum), `${layer} ${name} sum`).toBeLessThan(1e-9 * Math.max(1, Math.abs(sum)) + 1e-9 * a.data.length);
    });
  }
}

const shapes = (doc: KerasDocument, layer: string) => doc.weights.get(layer)!.map((a) => a.shape);

// ---------------------------------------------------------------------------------------------
// Building HDF5 and zip files

type H5Group = {
  create_group(name: string): H5Group;
  create_attribute(name: string, data: unknown, shape?: number[] | null, dtype?: string | null): void;
  create_dataset(args: { name: string; data: unknown; shape?: number[]; dtype?: string; chunks?: number[]; compression?: 'gzip' }): void;
};

/** An HDF5 file written with h5wasm (which the reader also uses, through other calls). */
async function writeH5(build: (root: H5Group) => void): Promise<Uint8Array> {
  const h5 = await import('h5wasm');
  await h5.ready;
  const fs = h5.FS as unknown as { readFile(p: string): Uint8Array; unlink(p: string): void };
  const name = `/keras-containers-${Math.random().toString(36).slice(2)}.h5`;
  const f = new h5.File(name, 'w');
  try {
    build(f as unknown as H5Group);
  } finally {
    f.close();
  }
  const bytes = fs.readFile(name).slice();
  fs.unlink(name);
  return bytes;
}

const f32 = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 100 + i * 0.37));
const fixed = (names: string[]) => `S${Math.max(1, ...names.map((n) => n.length))}`;

const denseConfig = (layers: { name: string; units: number }[]) => ({
  class_name: 'Sequential',
  config: { name: 'seq', layers: [{ class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 3] } }, ...layers.map((l) => ({ class_name: 'Dense', config: { name: l.name, units: l.units } }))] },
});

/** A legacy full-model file: model_weights/<layer>/<layer>/{kernel:0,bias:0}. */
function legacyModel(root: H5Group, opts: { drop?: string; chunked?: boolean; vlenNames?: boolean } = {}): void {
  root.create_attribute('keras_version', '2.3.1', null, 'S5');
  root.create_attribute('backend', 'tensorflow');
  root.create_attribute('model_config', JSON.stringify(denseConfig([{ name: 'dense', units: 2 }, { name: 'dense_1', units: 1 }])));
  const mw = root.create_group('model_weights');
  const layers = ['dense', 'dropout', 'dense_1'];
  if (opts.chunked) {
    mw.create_attribute('layer_names0', layers.slice(0, 2), null, fixed(layers));
    mw.create_attribute('layer_names1', layers.slice(2), null, fixed(layers));
  } else {
    mw.create_attribute('layer_names', layers, null, opts.vlenNames ? null : fixed(layers));
  }
  mw.create_group('dropout').create_attribute('weight_names', new Float64Array(0), [0], '<d');
  for (const [layer, I, U] of [['dense', 3, 2], ['dense_1', 2, 1]] as const) {
    const g = mw.create_group(layer);
    const names = [`${layer}/kernel:0`, `${layer}/bias:0`];
    g.create_attribute('weight_names', names, null, opts.vlenNames ? null : fixed(names));
    const inner = g.create_group(layer);
    // bias written first: the reader must follow weight_names, not the file's order
    if (opts.drop !== `${layer}/bias:0`) inner.create_dataset({ name: 'bias:0', data: f32(U, 2), shape: [U] });
    inner.create_dataset({ name: 'kernel:0', data: f32(I * U, 1), shape: [I, U] });
  }
  root.create_group('optimizer_weights').create_dataset({ name: 'x', data: f32(4, 9), shape: [4] });
}

/** A Keras 3 weights file for `layers`: groups layers/<path>/[sub/]vars/<i>. */
function keras3Weights(root: H5Group, groups: Record<string, { name?: string; vars?: number[][]; sub?: Record<string, number[][]> }>): void {
  const layers = root.create_group('layers');
  let seed = 0;
  const vars = (g: H5Group, shapes: number[][], name?: string) => {
    const v = g.create_group('vars');
    if (name) v.create_attribute('name', name);
    shapes.forEach((s, i) => v.create_dataset({ name: String(i), data: f32(s.reduce((a, b) => a * b, 1), ++seed), shape: s }));
  };
  for (const [path, spec] of Object.entries(groups)) {
    const g = layers.create_group(path);
    vars(g, spec.vars ?? [], spec.name);
    for (const [subPath, shapes] of Object.entries(spec.sub ?? {})) {
      let s = g;
      for (const part of subPath.split('/')) s = s.create_group(part);
      vars(s, shapes);
    }
  }
  root.create_group('optimizer').create_group('vars').create_dataset({ name: '0', data: f32(3, 99), shape: [3] });
  root.create_group('vars');
}

function keras3Config(layers: unknown[]): unknown {
  return { module: 'keras', class_name: 'Sequential', config: { name: 'sequential', layers: [{ module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 5, 4], name: 'input_layer' } }, ...layers] } };
}
const k3 = (class_name: string, config: Record<string, unknown>) => ({ module: 'keras.layers', class_name, config, registered_name: null });

const u32 = (b: Uint8Array, o: number) => new DataView(b.buffer, b.byteOffset).getUint32(o, true);
const setU32 = (b: Uint8Array, o: number, v: number) => new DataView(b.buffer, b.byteOffset).setUint32(o, v, true);

/** Offsets of a member's central directory entry and local header in a zip. */
function member(zip: Uint8Array, name: string): { cd: number; local: number } {
  const e = zipEntries(zip, 'zip').find((x) => x.name === name)!;
  for (let o = zip.length - 22; o >= 0; o--) {
    if (u32(zip, o) === 0x02014b50 && new TextDecoder().decode(zip.subarray(o + 46, o + 46 + (zip[o + 28]! | (zip[o + 29]! << 8)))) === name) return { cd: o, local: e.offset };
  }
  throw new Error(`no ${name}`);
}

// ---------------------------------------------------------------------------------------------

describe('real files (../shared/conformance/keras-wild)', () => {
  it('guitarlstm-ts9: legacy tf.keras full model; info/ and optimizer_weights are not read', async () => {
    const doc = await readKerasH5(wild('guitarlstm-ts9/ts9_model.h5'));
    expect(doc).toMatchObject({ format: 'h5', kerasVersion: '2.2.4-tf', backend: 'tensorflow' });
    expect((doc.config as { class_name: string }).class_name).toBe('Sequential');
    expect(shapes(doc, 'conv1d')).toEqual([[12, 1, 16], [16]]);
    expect(shapes(doc, 'conv1d_1')).toEqual([[12, 16, 16], [16]]);
    expect(shapes(doc, 'lstm')).toEqual([[16, 144], [36, 144], [144]]);
    expect(doc.weights.get('lstm')!.map((a) => a.name)).toEqual(['lstm/kernel:0', 'lstm/recurrent_kernel:0', 'lstm/bias:0']);
    expect(shapes(doc, 'dense')).toEqual([[36, 1], [1]]);
    matchesH5py(doc, 'guitarlstm-ts9/ts9_model.h5');
  });

  for (const [folder, version] of [['tfclass-imdb-keras224', '2.2.4'], ['tfclass-imdb-tfkeras224', '2.2.4-tf']] as const) {
    for (const kind of ['rnn', 'lstm', 'gru'] as const) {
      it(`${folder}/imdb_${kind}.h5: Keras ${version}, Embedding + ${kind.toUpperCase()} 32 + Dense`, async () => {
        const rel = `${folder}/imdb_${kind}.h5`;
        const doc = await readKerasH5(wild(rel));
        expect(doc).toMatchObject({ format: 'h5', kerasVersion: version, backend: 'tensorflow' });
        const names = [...doc.weights.keys()];
        expect(names.length).toBe(5);
        expect(shapes(doc, names[0]!)).toEqual([[1000, 32]]);
        expect(shapes(doc, names[1]!)).toEqual([]);
        const G = { rnn: 1, lstm: 4, gru: 3 }[kind];
        const bias = kind === 'gru' && folder.includes('tfkeras') ? [2, 96] : [32 * G];
        expect(shapes(doc, names[2]!)).toEqual([[32, 32 * G], [32, 32 * G], bias]);
        expect(shapes(doc, names[4]!)).toEqual([[32, 1], [1]]);
        matchesH5py(doc, rel);
      });
    }
  }

  it('stock-lstm-keras3: .keras zip (stored members), Keras 3 groups mapped onto config names', async () => {
    const doc = await readKerasZip(wild('stock-lstm-keras3/model.keras'));
    expect(doc.format).toBe('keras');
    expect(doc.kerasVersion).toBe('3.15.0');
    expect([...doc.weights.keys()]).toEqual(['lstm_12', 'dropout_12', 'lstm_13', 'dropout_13', 'dense_12', 'dense_13']);
    expect(shapes(doc, 'lstm_12')).toEqual([[22, 256], [64, 256], [256]]);
    expect(doc.weights.get('lstm_12')!.map((a) => a.name)).toEqual(['cell/vars/0', 'cell/vars/1', 'cell/vars/2']);
    expect(shapes(doc, 'lstm_13')).toEqual([[64, 128], [32, 128], [128]]);
    expect(shapes(doc, 'dense_12')).toEqual([[32, 32], [32]]);
    expect(shapes(doc, 'dense_13')).toEqual([[32, 30], [30]]);
    matchesH5py(doc, 'stock-lstm-keras3/model.keras');
  });

  it('stock-lstm-keras3 re-zipped with deflated members reads the same', async () => {
    const stored = wild('stock-lstm-keras3/model.keras');
    const members = Object.fromEntries(zipEntries(stored, 'z').map((e) => {
      const start = e.offset + 30 + (stored[e.offset + 26]! | (stored[e.offset + 27]! << 8)) + (stored[e.offset + 28]! | (stored[e.offset + 29]! << 8));
      return [e.name, stored.slice(start, start + e.size)];
    }));
    const deflated = zipSync(members, { level: 6 });
    expect(zipEntries(deflated, 'z').every((e) => e.method === 8)).toBe(true);
    expect(zipEntries(deflated, 'z').find((e) => e.name === 'model.weights.h5')!.compressedSize).toBeLessThan(476_220);
    const a = await readKerasZip(stored), b = await readKerasZip(deflated);
    expect(b.kerasVersion).toBe(a.kerasVersion);
    expect(b.config).toEqual(a.config);
    for (const [k, v] of a.weights) expect(b.weights.get(k)).toEqual(v);
  });

  it('finance-lstm-keras3-split: Keras 3 model.json + .weights.h5 (no name attributes: mapped by class and position)', async () => {
    const files = {
      'model.json': wild('finance-lstm-keras3-split/model.json'),
      'model_weights.weights.h5': wild('finance-lstm-keras3-split/model_weights.weights.h5'),
    };
    for (const main of Object.keys(files)) {
      const doc = await readKerasPair({ main, files });
      expect(doc.format).toBe('keras-json');
      expect(doc.kerasVersion).toBe('3'); // only Keras 3 writes this layout; the file records no version
      expect(shapes(doc, 'lstm')).toEqual([[1, 256], [64, 256], [256]]);
      expect(shapes(doc, 'lstm_1')).toEqual([[64, 256], [64, 256], [256]]);
      expect(shapes(doc, 'dense')).toEqual([[64, 1], [1]]);
      matchesH5py(doc, 'finance-lstm-keras3-split/model_weights.weights.h5');
    }
    // the weights file alone, with the config passed as text
    const doc = await readKerasH5(files['model_weights.weights.h5'], { config: new TextDecoder().decode(files['model.json']) });
    expect(doc.format).toBe('h5');
    expect([...doc.weights.keys()]).toEqual(['lstm', 'lstm_1', 'dense']);
  });

  it('ecg-lstm-keras1: Keras 1.2.2 JSON + weights-only h5, 12 per-gate arrays per LSTM in weight_names order', async () => {
    const files = { 'model.json': wild('ecg-lstm-keras1/model.json'), 'model.h5': wild('ecg-lstm-keras1/model.h5') };
    const doc = await readKerasPair({ main: 'model.h5', files });
    expect(doc).toMatchObject({ format: 'keras-json', kerasVersion: '1.2.2' });
    expect([...doc.weights.keys()]).toEqual(['lstm_1', 'dropout_1', 'lstm_2', 'dropout_2', 'lstm_3', 'dropout_3', 'dense_1', 'activation_1']);
    const lstm2 = doc.weights.get('lstm_2')!;
    expect(lstm2.map((a) => a.name)).toEqual(['W_i', 'U_i', 'b_i', 'W_c', 'U_c', 'b_c', 'W_f', 'U_f', 'b_f', 'W_o', 'U_o', 'b_o'].map((n) => `lstm_2_${n}:0`));
    expect(lstm2.map((a) => a.shape)).toEqual([[64, 256], [256, 256], [256], [64, 256], [256, 256], [256], [64, 256], [256, 256], [256], [64, 256], [256, 256], [256]]);
    expect(shapes(doc, 'lstm_1')[0]).toEqual([1, 64]);
    expect(shapes(doc, 'lstm_3')[1]).toEqual([100, 100]);
    expect(shapes(doc, 'dense_1')).toEqual([[100, 1], [1]]);
    matchesH5py(doc, 'ecg-lstm-keras1/model.h5');
    const fromJson = await readKerasPair({ main: 'model.json', files });
    expect(fromJson.weights).toEqual(doc.weights);
  });
});

describe('HDF5 wrapper', () => {
  it('float16, big-endian float32/float64 and Keras 3 bfloat16 become float32; integers and strings are refused', async () => {
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, 'keras-wild', 'dtypes.h5')));
    await withHdf5(bytes, 'dtypes.h5', (f) => {
      const v = [1.5, -2.25, 0.1, 65504, -0, 3e-5];
      expect(f.float32('/f32be')).toEqual({ shape: [2, 3], dtype: 'float32', data: Float32Array.from(v) });
      expect(f.float32('/f64be')).toEqual({ shape: [2, 3], dtype: 'float64', data: Float32Array.from(v) });
      const half = f.float32('/f16');
      expect(half.dtype).toBe('float16');
      half.data.forEach((x, i) => expect(Math.abs(x - v[i]!)).toBeLessThanOrEqual(Math.max(Math.abs(v[i]!) * 2 ** -11, 2 ** -25)));
      const bf = f.float32('/bf16');
      expect(bf.dtype).toBe('bfloat16');
      bf.data.forEach((x, i) => expect(Math.abs(x - v[i]!)).toBeLessThanOrEqual(Math.abs(v[i]!) * 2 ** -7));
      expect(() => f.float32('/u8')).toThrow(/dataset \/u8 holds uint8 values; only float16, bfloat16, float32 and float64/);
      expect(() => f.float32('/text')).toThrow(UnsupportedModelError);
      expect(() => f.float32('/missing')).toThrow(/dtypes.h5: there is no dataset \/missing/);
    });
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0xfc00)).toBe(-Infinity);
  });

  it('string attributes: fixed-length (null- or space-padded), variable-length, lists, empty numeric lists; gzip datasets', async () => {
    const bytes = await writeH5((r) => {
      r.create_attribute('vlen', 'hello');
      r.create_attribute('vlist', ['a', 'bb', 'ccc']);
      r.create_attribute('spacepad', ['lstm', 'dense_1'], null, 'S9');
      r.create_attribute('nullterm', ['lstm', 'dense_1'], null, 'A9');
      r.create_attribute('empty', new Float64Array(0), [0], '<d');
      r.create_attribute('number', 3);
      r.create_dataset({ name: 'gz', data: f32(1200, 1), shape: [30, 40], chunks: [10, 40], compression: 'gzip' });
    });
    await withHdf5(bytes, 'attrs.h5', (f) => {
      expect(f.stringAttr('/', 'vlen')).toBe('hello');
      expect(f.stringsAttr('/', 'vlist')).toEqual(['a', 'bb', 'ccc']);
      expect(f.stringsAttr('/', 'spacepad')).toEqual(['lstm', 'dense_1']);
      expect(f.stringsAttr('/', 'nullterm')).toEqual(['lstm', 'dense_1']);
      expect(f.stringsAttr('/', 'empty')).toEqual([]);
      expect(f.stringsAttr('/', 'absent')).toBeUndefined();
      expect(() => f.stringsAttr('/', 'number')).toThrow(/attribute 'number' of \/ holds 1 non-string values/);
      expect(() => f.stringAttr('/', 'vlist')).toThrow(/holds 3 strings, expected one/);
      expect(f.float32('/gz')).toEqual({ shape: [30, 40], dtype: 'float32', data: f32(1200, 1) });
      expect(f.kind('/a/b/c')).toBeUndefined();
    });
  });

  it('size limits are checked before reading', async () => {
    const saved = { ...HDF5_LIMITS };
    try {
      HDF5_LIMITS.datasetBytes = 20_000;
      let e = await failure(readKerasH5(wild('guitarlstm-ts9/ts9_model.h5'), { name: 'ts9_model.h5' }));
      expect(e).toBeInstanceOf(ResourceError);
      expect(e.message).toBe('ts9_model.h5: dataset /model_weights/lstm/lstm/recurrent_kernel:0 [36, 144] needs 20736 bytes, more than the 20000 allowed');
      Object.assign(HDF5_LIMITS, saved, { totalBytes: 30_000 });
      e = await failure(readKerasH5(wild('guitarlstm-ts9/ts9_model.h5'), { name: 'ts9_model.h5' }));
      expect(e).toBeInstanceOf(ResourceError);
      expect(e.message).toMatch(/^ts9_model\.h5: reading dataset \/model_weights\/lstm\/lstm\/recurrent_kernel:0 \(20736 bytes\) would take the data read from the file past the 30000 bytes allowed$/);
      Object.assign(HDF5_LIMITS, saved, { fileBytes: 100_000 });
      e = await failure(readKerasH5(wild('guitarlstm-ts9/ts9_model.h5'), { name: 'ts9_model.h5' }));
      expect(e).toBeInstanceOf(ResourceError);
      expect(e.message).toBe('ts9_model.h5 has 174682 bytes, more than the 100000 bytes an HDF5 file may have here');
    } finally {
      Object.assign(HDF5_LIMITS, saved);
    }
    const savedZip = { ...ZIP_LIMITS };
    try {
      ZIP_LIMITS.weightsBytes = 400_000;
      const e = await failure(readKerasZip(wild('stock-lstm-keras3/model.keras'), { name: 'model.keras' }));
      expect(e).toBeInstanceOf(ResourceError);
      expect(e.message).toBe("model.keras: member 'model.weights.h5' claims 476220 bytes, more than the 400000 allowed");
    } finally {
      Object.assign(ZIP_LIMITS, savedZip);
    }
  });

  it('the in-memory file system is left clean, after failures too', async () => {
    const h5 = await import('h5wasm');
    const fs = h5.FS as unknown as { readdir(p: string): string[] };
    const before = fs.readdir('/').filter((n) => n.startsWith('edgernn-'));
    await withHdf5(wild('guitarlstm-ts9/ts9_model.h5'), 'a', (f) => f.children('/'));
    await failure(withHdf5(wild('guitarlstm-ts9/ts9_model.h5').subarray(0, 5000), 'b', () => 1));
    await failure(withHdf5(wild('guitarlstm-ts9/ts9_model.h5'), 'c', (f) => f.float32('/nope')));
    expect(fs.readdir('/').filter((n) => n.startsWith('edgernn-'))).toEqual(before);
  });
});

describe('legacy HDF5 layouts (built here)', () => {
  it('full model: weight_names order, not the file order; optimizer_weights skipped; fixed or variable-length names', async () => {
    for (const vlenNames of [false, true]) {
      const doc = await readKerasH5(await writeH5((r) => legacyModel(r, { vlenNames })));
      expect(doc).toMatchObject({ format: 'h5', kerasVersion: '2.3.1', backend: 'tensorflow' });
      expect([...doc.weights.keys()]).toEqual(['dense', 'dropout', 'dense_1']);
      expect(doc.weights.get('dense')!.map((a) => [a.name, a.shape])).toEqual([['dense/kernel:0', [3, 2]], ['dense/bias:0', [2]]]);
      expect(doc.weights.get('dense')![0]!.data).toEqual(f32(6, 1));
      expect(doc.weights.get('dropout')).toEqual([]);
    }
  });

  it("layer_names split into chunks (layer_names0, layer_names1), as Keras writes long lists", async () => {
    const doc = await readKerasH5(await writeH5((r) => legacyModel(r, { chunked: true })));
    expect([...doc.weights.keys()]).toEqual(['dense', 'dropout', 'dense_1']);
  });

  it('a weight listed in weight_names but missing from the file', async () => {
    const e = await failure(readKerasH5(await writeH5((r) => legacyModel(r, { drop: 'dense_1/bias:0' })), { name: 'model.h5' }));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toBe("model.h5: layer 'dense_1' lists weight 'dense_1/bias:0' in weight_names, but there is no dataset /model_weights/dense_1/dense_1/bias:0");
  });

  it('a layer listed in layer_names without its group; a group without weight_names', async () => {
    let e = await failure(readKerasH5(await writeH5((r) => {
      r.create_attribute('layer_names', ['dense', 'ghost'], null, 'S5');
      r.create_group('dense').create_attribute('weight_names', new Float64Array(0), [0], '<d');
    }), { config: denseConfig([]) }));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/layer 'ghost' is listed in layer_names of \/, but there is no group \/ghost/);
    e = await failure(readKerasH5(await writeH5((r) => {
      r.create_attribute('layer_names', ['dense'], null, 'S5');
      r.create_group('dense');
    }), { config: denseConfig([]) }));
    expect(e.message).toMatch(/layer group \/dense has no weight_names attribute/);
  });

  it('weights only: refused without the architecture, read with it (config JSON versions as fallback)', async () => {
    const bytes = await writeH5((r) => {
      r.create_attribute('layer_names', ['dense'], null, 'S5');
      const g = r.create_group('dense');
      g.create_attribute('weight_names', ['dense/kernel:0', 'dense/bias:0'], null, 'S14');
      const d = g.create_group('dense');
      d.create_dataset({ name: 'kernel:0', data: f32(6, 1), shape: [3, 2] });
      d.create_dataset({ name: 'bias:0', data: f32(2, 2), shape: [2] });
    });
    const e = await failure(readKerasH5(bytes, { name: 'w.h5' }));
    expect(e).toBeInstanceOf(UnsupportedModelError);
    expect(e.message).toMatch(/^w\.h5 holds only weights \(Keras save_weights.*the architecture is needed: the JSON file of model\.to_json\(\)/);
    const doc = await readKerasH5(bytes, { config: { ...denseConfig([{ name: 'dense', units: 2 }]), keras_version: '2.1.6', backend: 'theano' } });
    expect(doc).toMatchObject({ format: 'h5', kerasVersion: '2.1.6', backend: 'theano' });
    expect(shapes(doc, 'dense')).toEqual([[3, 2], [2]]);
  });

  it('a full model without model_config needs the architecture; a bad model_config is named', async () => {
    let e = await failure(readKerasH5(await writeH5((r) => {
      const mw = r.create_group('model_weights');
      mw.create_attribute('layer_names', ['x'], null, 'S1');
      mw.create_group('x').create_attribute('weight_names', new Float64Array(0), [0], '<d');
    })));
    expect(e).toBeInstanceOf(UnsupportedModelError);
    expect(e.message).toMatch(/holds a model's weights \(model_weights\) but no model_config attribute/);
    e = await failure(readKerasH5(await writeH5((r) => {
      r.create_attribute('model_config', '{"class_name": ');
      r.create_group('model_weights').create_attribute('layer_names', ['x'], null, 'S1');
    }), { name: 'm.h5' }));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/^m\.h5: attribute model_config is not valid JSON/);
  });

  it('an HDF5 file that is not a Keras file', async () => {
    const e = await failure(readKerasH5(await writeH5((r) => { r.create_group('images'); }), { name: 'x.h5' }));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toBe('x.h5 is an HDF5 file but not a Keras model or weights file: it has no model_weights group, no layer_names attribute and no layers group (top-level members: images)');
  });
});

describe('Keras 3 weights layout (built here)', () => {
  const lstm = (name: string, units: number, extra: Record<string, unknown> = {}) => k3('LSTM', { name, units, ...extra });
  const dense = (name: string, units: number) => k3('Dense', { name, units });

  it('paths come from class names and per-class counters in config order; optimizer/ and vars/ are skipped', async () => {
    expect(['LSTM', 'GRU', 'SimpleRNN', 'Dense', 'Conv1D', 'TimeDistributed', 'BatchNormalization', 'InputLayer', 'GlobalAveragePooling1D'].map(toSnakeCase))
      .toEqual(['lstm', 'gru', 'simple_rnn', 'dense', 'conv1d', 'time_distributed', 'batch_normalization', 'input_layer', 'global_average_pooling1d']);
    const bytes = await writeH5((r) => keras3Weights(r, {
      lstm: { sub: { cell: [[4, 12], [3, 12], [12]] } },
      dense: { vars: [[3, 2], [2]] },
      lstm_1: { sub: { cell: [[2, 20], [5, 20], [20]] } },
      dense_1: { vars: [[5, 1], [1]] },
      dropout: {},
    }));
    const config = keras3Config([lstm('lstm_a', 3, { return_sequences: true }), dense('dense_a', 2), k3('Dropout', { name: 'drop', rate: 0.1 }), lstm('lstm_b', 5), dense('dense_b', 1)]);
    const doc = await readKerasH5(bytes, { config });
    expect([...doc.weights.keys()]).toEqual(['lstm_a', 'dense_a', 'drop', 'lstm_b', 'dense_b']);
    expect(shapes(doc, 'lstm_b')).toEqual([[2, 20], [5, 20], [20]]);
    expect(shapes(doc, 'dense_b')).toEqual([[5, 1], [1]]);
    expect(doc.weights.get('drop')).toEqual([]);
  });

  it('the name attribute wins over class and position when they disagree', async () => {
    const bytes = await writeH5((r) => keras3Weights(r, {
      dense: { name: 'second', vars: [[2, 1], [1]] },
      dense_1: { name: 'first', vars: [[4, 2], [2]] },
    }));
    const doc = await readKerasH5(bytes, { config: keras3Config([dense('first', 2), dense('second', 1)]) });
    expect(shapes(doc, 'first')).toEqual([[4, 2], [2]]);
    expect(shapes(doc, 'second')).toEqual([[2, 1], [1]]);
  });

  it('shapes are checked against the config, so a wrong mapping cannot pass', async () => {
    const bytes = await writeH5((r) => keras3Weights(r, { lstm: { sub: { cell: [[4, 12], [3, 12], [12]] } } }));
    const e = await failure(readKerasH5(bytes, { config: keras3Config([lstm('lstm_x', 4)]), name: 'm.weights.h5' }));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toBe("m.weights.h5: the weights group /layers/lstm does not fit layer 'lstm_x' (LSTM): it holds cell/vars/0 [4, 12], cell/vars/1 [3, 12], cell/vars/2 [12], the config needs [?, 16], [4, 16], [16]");
    const gru = await writeH5((r) => keras3Weights(r, { gru: { sub: { cell: [[4, 9], [3, 9], [9]] } } }));
    expect((await failure(readKerasH5(gru, { config: keras3Config([k3('GRU', { name: 'g', units: 3 })]) }))).message).toMatch(/the config needs \[\?, 9\], \[3, 9\], \[2, 9\]/);
    expect(shapes(await readKerasH5(gru, { config: keras3Config([k3('GRU', { name: 'g', units: 3, reset_after: false })]) }), 'g')).toEqual([[4, 9], [3, 9], [9]]);
  });

  it('a layer without a group is named', async () => {
    const bytes = await writeH5((r) => keras3Weights(r, { dense: { vars: [[4, 2], [2]] } }));
    const e = await failure(readKerasH5(bytes, { config: keras3Config([dense('a', 2), dense('b', 1)]), name: 'w.h5' }));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toBe("w.h5: no weights group for layer 'b' (Dense): /layers/dense_1 (its class and position) does not exist, and no group records the name 'b'");
  });

  it('Bidirectional (forward_layer then backward_layer), TimeDistributed (layer), in get_weights() order', async () => {
    const bytes = await writeH5((r) => keras3Weights(r, {
      bidirectional: { sub: { 'backward_layer/cell': [[4, 8], [2, 8], [8]], 'forward_layer/cell': [[4, 8], [2, 8], [8]] } },
      time_distributed: { sub: { layer: [[4, 3], [3]] } },
    }));
    const config = keras3Config([
      k3('Bidirectional', { name: 'bi', merge_mode: 'concat', layer: lstm('forward_l', 2, { return_sequences: true }), backward_layer: lstm('backward_l', 2, { return_sequences: true, go_backwards: true }) }),
      k3('TimeDistributed', { name: 'td', layer: dense('inner', 3) }),
    ]);
    const doc = await readKerasH5(bytes, { config });
    expect(doc.weights.get('bi')!.map((a) => a.name)).toEqual([
      'forward_layer/cell/vars/0', 'forward_layer/cell/vars/1', 'forward_layer/cell/vars/2',
      'backward_layer/cell/vars/0', 'backward_layer/cell/vars/1', 'backward_layer/cell/vars/2',
    ]);
    expect(doc.weights.get('td')!.map((a) => [a.name, a.shape])).toEqual([['layer/vars/0', [4, 3]], ['layer/vars/1', [3]]]);
  });

  it('a nested model: its layers\' arrays in order, under the nested model\'s name', async () => {
    const bytes = await writeH5((r) => {
      keras3Weights(r, { dense: { vars: [[4, 3], [3]] } });
      const inner = (r as unknown as { get(p: string): H5Group }).get('layers').create_group('sequential').create_group('layers');
      for (const [g, shapes] of [['dense', [[3, 2], [2]]], ['dense_1', [[2, 1], [1]]]] as const) {
        const v = inner.create_group(g).create_group('vars');
        shapes.forEach((sh, i) => v.create_dataset({ name: String(i), data: f32(sh.reduce((a, b) => a * b, 1), i), shape: [...sh] }));
      }
    });
    const nested = { module: 'keras', class_name: 'Sequential', config: { name: 'inner', layers: [dense('d1', 2), dense('d2', 1)] } };
    const doc = await readKerasH5(bytes, { config: keras3Config([dense('d0', 3), nested]) });
    expect(doc.weights.get('inner')!.map((a) => [a.name, a.shape])).toEqual([
      ['layers/dense/vars/0', [3, 2]], ['layers/dense/vars/1', [2]], ['layers/dense_1/vars/0', [2, 1]], ['layers/dense_1/vars/1', [1]],
    ]);
  });

  it('a sub-group whose order is unknown is refused; variables must be numbered 0..n-1', async () => {
    let bytes = await writeH5((r) => keras3Weights(r, { rnn: { sub: { 'cell/cells/lstm_cell': [[4, 8], [2, 8], [8]] } } }));
    let e = await failure(readKerasH5(bytes, { config: keras3Config([k3('RNN', { name: 'stacked', cell: {} })]) }));
    expect(e).toBeInstanceOf(UnsupportedModelError);
    expect(e.message).toMatch(/layer 'stacked' \(RNN\) keeps weights in a sub-group 'cell\/cells' \(\/layers\/rnn\/cell\/cells\), whose place in get_weights\(\) order is not known$/);
    bytes = await writeH5((r) => {
      const v = r.create_group('layers').create_group('dense').create_group('vars');
      v.create_dataset({ name: '0', data: f32(2, 1), shape: [2, 1] });
      v.create_dataset({ name: '2', data: f32(1, 1), shape: [1] });
    });
    e = await failure(readKerasH5(bytes, { config: keras3Config([dense('d', 1)]) }));
    expect(e.message).toMatch(/the variables of layer 'd' \(Dense\) at \/layers\/dense\/vars are named 0, 2, expected 0, 1, 2/);
  });

  it('without the architecture it is refused, saying what is needed', async () => {
    const e = await failure(readKerasH5(wild('finance-lstm-keras3-split/model_weights.weights.h5'), { name: 'model_weights.weights.h5' }));
    expect(e).toBeInstanceOf(UnsupportedModelError);
    expect(e.message).toMatch(/^model_weights\.weights\.h5 holds Keras 3 weights .* the architecture is needed: read the \.keras archive, or give the JSON of model\.to_json\(\)/);
  });
});

describe('architecture JSON + weights pairs', () => {
  const files = () => ({ 'model.json': wild('ecg-lstm-keras1/model.json'), 'model.h5': wild('ecg-lstm-keras1/model.h5') });

  it('unrelated JSON beside the files is ignored; two candidates need the same stem', async () => {
    const doc = await readKerasPair({ main: 'model.h5', files: { ...files(), 'metadata.json': strToU8('{"features": ["a"]}'), 'notes.txt': strToU8('x') } });
    expect(doc.kerasVersion).toBe('1.2.2');
    const other = strToU8(JSON.stringify({ class_name: 'Sequential', config: [] }));
    expect((await readKerasPair({ main: 'model.h5', files: { ...files(), 'other.json': other } })).format).toBe('keras-json');
    const e = await failure(readKerasPair({ main: 'model.h5', files: { 'a.json': files()['model.json'], 'b.json': other, 'model.h5': files()['model.h5'] } }));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toBe('model.h5 has 2 possible architecture JSON files beside it (a.json, b.json); keep only the one that belongs to it');
  });

  it('a full-model h5 uses its own config and never looks at the JSON files', async () => {
    const doc = await readKerasPair({ main: 'ts9.h5', files: { 'ts9.h5': wild('guitarlstm-ts9/ts9_model.h5'), 'a.json': files()['model.json'], 'b.json': files()['model.json'] } });
    expect(doc.format).toBe('h5');
    expect(doc.kerasVersion).toBe('2.2.4-tf');
  });

  it('a config without weights, a TF.js model.json, a missing main file', async () => {
    let e = await failure(readKerasPair({ main: 'model.json', files: { 'model.json': files()['model.json'] } }));
    expect(e).toBeInstanceOf(UnsupportedModelError);
    expect(e.message).toMatch(/model\.json is a Keras model config without weights: put the weights file/);
    e = await failure(readKerasPair({ main: 'model.json', files: { 'model.json': wild('tfjs-lstm-textgen/model.json') } }));
    expect(e).toBeInstanceOf(UnsupportedModelError);
    expect(e.message).toMatch(/TF\.js Layers model\.json/);
    e = await failure(readKerasPair({ main: 'model.json', files: { 'model.json': strToU8('{"class_name": "Seq'), 'model.h5': files()['model.h5'] } }));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/^model\.json is not valid JSON: /);
    e = await failure(readKerasPair({ main: 'x.h5', files: {} }));
    expect(e).toBeInstanceOf(UsageError);
    e = await failure(readKerasPair({ main: 'model.h5', files: { 'model.h5': files()['model.h5'] } }));
    expect(e).toBeInstanceOf(UnsupportedModelError);
    expect(e.message).toMatch(/holds only weights/);
  });
});

describe('malformed input: typed errors, no hang', () => {
  const ts9 = () => wild('guitarlstm-ts9/ts9_model.h5');
  const random = (n: number) => { let s = 12345; return Uint8Array.from({ length: n }, () => (s = (s * 1103515245 + 12345) >>> 0) >>> 24); };

  it('truncated HDF5 files (HDF5 says why)', { timeout: 20_000 }, async () => {
    for (const n of [0, 7, 100, 2048, 50_000, 174_000]) {
      const e = await failure(readKerasH5(ts9().subarray(0, n), { name: 'ts9_model.h5' }));
      expect(e, `${n} bytes`).toBeInstanceOf(ModelFormatError);
      expect(e.message).toMatch(n < 8 ? /^ts9_model\.h5 is not a valid HDF5 file: no HDF5 signature/ : /^ts9_model\.h5 is not a valid HDF5 file: truncated file: eof = \d+, .*stored_eof = 174682/);
    }
  });

  it('random bytes, and random bytes after an HDF5 signature', { timeout: 20_000 }, async () => {
    let e = await failure(readKerasH5(random(4096)));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/^the HDF5 file is not a valid HDF5 file: no HDF5 signature \(the file starts with [0-9a-f ]+\)$/);
    const sig = random(4096);
    sig.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
    e = await failure(readKerasH5(sig));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/^the HDF5 file is not a valid HDF5 file: /);
  });

  it('HDF5 files with corrupt structure (object headers, symbol tables)', { timeout: 20_000 }, async () => {
    // (Raw array data carries no checksum in these files: corrupting it cannot be detected.)
    const cases: [number, number, RegExp][] = [
      [96, 200, /^ts9_model\.h5 is not a valid HDF5 file: bad object header version number$/],
      [800, 1200, /^ts9_model\.h5 is not a valid HDF5 file: message not aligned$/],
      [1400, 2000, /^ts9_model\.h5 is not a valid HDF5 file: cannot look up \/model_weights: message not aligned$/],
      // (from byte 6144: the global heap collection at 2048..6144 is checked, and refused, first)
      [6144, 60_000, /^ts9_model\.h5 is not a valid HDF5 file: cannot list group \/: bad symbol table node signature$/],
    ];
    for (const [from, to, message] of cases) {
      const b = ts9().slice();
      b.fill(0xa5, from, to);
      const e = await failure(readKerasH5(b, { name: 'ts9_model.h5' }));
      expect(e, `${from}..${to}: ${e.message}`).toBeInstanceOf(ModelFormatError);
      expect(e.message).toMatch(message);
    }
    // a zeroed global heap object (where h5py's string attributes live) makes HDF5 2.0 loop forever
    const zeroed = ts9().fill(0, 4160, 4672);
    const e = await failure(readKerasH5(zeroed, { name: 'ts9_model.h5' }));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toBe('ts9_model.h5 is not a valid HDF5 file: the global heap collection at byte 2048 is corrupt (a free-space entry of size 0 at byte 4584)');
    // every 1 KiB block overwritten in turn: a document or a typed error, never anything else
    for (let from = 0; from < 12_000; from += 1024) {
      const b = ts9().slice();
      b.fill(0x5a, from, from + 1024);
      try {
        await readKerasH5(b);
      } catch (e) {
        expect([ModelFormatError.name, UnsupportedModelError.name], `block at ${from}: ${(e as Error).message}`).toContain((e as Error).name);
      }
    }
  });

  it('a zip without config.json; without weights; with npz weights; not a zip', async () => {
    let e = await failure(readKerasZip(zipSync({ 'metadata.json': strToU8('{}'), 'model.weights.h5': ts9() }), { name: 'm.keras' }));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toBe('m.keras has no config.json, so it is not a Keras 3 .keras model (members: metadata.json, model.weights.h5)');
    e = await failure(readKerasZip(zipSync({ 'config.json': strToU8('{}') }), { name: 'm.keras' }));
    expect(e.message).toBe('m.keras has no model.weights.h5 (members: config.json)');
    e = await failure(readKerasZip(zipSync({ 'config.json': strToU8('{}'), 'model.weights.npz': new Uint8Array(10) })));
    expect(e).toBeInstanceOf(UnsupportedModelError);
    for (const bad of [random(3000), new Uint8Array(0), ts9()]) {
      e = await failure(readKerasZip(bad, { name: 'm.keras' }));
      expect(e).toBeInstanceOf(ModelFormatError);
      expect(e.message).toMatch(/^m\.keras is not a valid zip archive: /);
    }
  });

  it('truncated and corrupt zips: central directory, member data, CRC', async () => {
    const good = wild('stock-lstm-keras3/model.keras');
    for (const n of [100, 1000, 200_000, good.length - 30]) {
      const e = await failure(readKerasZip(good.subarray(0, n)));
      expect(e, `${n}`).toBeInstanceOf(ModelFormatError);
    }
    const flipped = good.slice();
    const at = member(flipped, 'config.json').local + 30 + 'config.json'.length + 10;
    flipped[at] ^= 0x20;
    const e = await failure(readKerasZip(flipped, { name: 'm.keras' }));
    expect(e.message).toMatch(/^m\.keras: member 'config\.json' fails its CRC-32 check/);
    const inflated = zipSync({ 'config.json': strToU8('{"a": 1}'.repeat(100)) }, { level: 9 });
    const { local } = member(inflated, 'config.json');
    inflated[local + 30 + 11 + 3] ^= 0xff; // inside the deflate stream
    const e2 = await failure(readKerasZip(inflated));
    expect(e2).toBeInstanceOf(ModelFormatError);
  });

  it('zip bombs: claimed sizes are capped before allocation, lying sizes stop the inflater', { timeout: 20_000 }, async () => {
    // 1) config.json claims 3 GiB
    const small = zipSync({ 'config.json': strToU8('{}'), 'model.weights.h5': new Uint8Array(8) }, { level: 0 });
    const big = small.slice();
    setU32(big, member(big, 'config.json').cd + 24, 0xc0000000);
    let e = await failure(readKerasZip(big, { name: 'bomb.keras' }));
    expect(e).toBeInstanceOf(ResourceError);
    expect(e.message).toBe(`bomb.keras: member 'config.json' claims ${0xc0000000} bytes, more than the ${64 * 1024 * 1024} allowed`);
    // 2) a deflated weights file claiming 900 MB from a few bytes: more than deflate can make
    const bomb = zipSync({ 'config.json': [strToU8('{}'), { level: 0 }], 'model.weights.h5': [new Uint8Array(1000), { level: 9 }] });
    setU32(bomb, member(bomb, 'model.weights.h5').cd + 24, 900_000_000);
    e = await failure(readKerasZip(bomb, { name: 'bomb.keras' }));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/^bomb\.keras: member 'model\.weights\.h5' claims 900000000 bytes from \d+ compressed bytes, more than deflate can produce$/);
    // 3) 64 MiB of zeros deflated (~64 KiB) that claims 1000 bytes: stops after the first slice
    const zeros = deflateSync(new Uint8Array(64 * 1024 * 1024), { level: 9 });
    const lying = zipSync({ 'config.json': [strToU8('{}'), { level: 0 }], 'model.weights.h5': [new Uint8Array(1000), { level: 0 }] });
    const m = member(lying, 'model.weights.h5');
    const start = m.local + 30 + 'model.weights.h5'.length;
    const forged = new Uint8Array(lying.length - 1000 + zeros.length);
    forged.set(lying.subarray(0, start));
    forged.set(zeros, start);
    forged.set(lying.subarray(start + 1000), start + zeros.length);
    const shift = zeros.length - 1000;
    const cd = m.cd + shift;
    forged[m.local + 8] = 8; forged[cd + 10] = 8; // method: deflate
    setU32(forged, m.local + 18, zeros.length); setU32(forged, cd + 20, zeros.length);
    setU32(forged, m.local + 22, 1000); setU32(forged, cd + 24, 1000);
    setU32(forged, forged.length - 22 + 16, u32(forged, forged.length - 22 + 16) + shift); // central directory offset
    const t0 = performance.now();
    e = await failure(readKerasZip(forged, { name: 'bomb.keras' }));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toBe("bomb.keras: member 'model.weights.h5' inflates to more than the 1000 bytes it claims");
    expect(performance.now() - t0).toBeLessThan(2000);
    // 4) a central directory that claims more members than fit
    const many = small.slice();
    const eocd = many.length - 22;
    many[eocd + 8] = 0xff; many[eocd + 9] = 0xfe; many[eocd + 10] = 0xff; many[eocd + 11] = 0xfe;
    e = await failure(readKerasZip(many));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/the central directory \(65279 members, \d+ bytes at offset \d+\) does not fit in the archive/);
  });

  it('CRC-32 matches the zip standard', () => {
    expect(crc32(strToU8('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});
