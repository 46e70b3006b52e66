// TF.js Layers reader: model.json (+ weight shards) -> KerasDocument.
//
// model.json: {format: 'layers-model', generatedBy, convertedBy, modelTopology, weightsManifest}.
// modelTopology is {keras_version, backend, model_config: {class_name, config}} (what the TF.js
// converter and tf.LayersModel.save write), or in older files the model config itself, or a bare
// list of Sequential layer configs. weightsManifest is a list of groups {paths, weights}: the
// shard files of a group are concatenated and then sliced in manifest order (little-endian, no
// padding; a tensor may straddle two shards; shard names need not end in .bin). Entries may be
// quantized: uint8 / uint16 with (scale, min) as TF.js decodes them (q * scale + min, in double
// precision, stored as float32), or float16.
// Weight names are 'layer/kernel', 'layer/lstm_cell/kernel' (TF >= 2.2) or for Bidirectional
// 'bidirectional/forward_lstm/...'; each weight belongs to the top-level layer whose name is the
// longest prefix of the name's first segment, and each layer's arrays are put in get_weights()
// order (forward before backward; kernel, recurrent_kernel, bias). Optimizer state (entries of
// group 'optimizer', saved with includeOptimizer) is skipped.

import type { KerasDocument, NamedArray } from '../keras/document.js';
import type { SourceFiles } from '../source.js';
import { ModelFormatError, UnsupportedModelError } from '../../errors.js';
import { halfToFloat as float16 } from '../../io/half.js';
import { parseJsonFile } from '../json.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

interface WeightEntry {
  name: string;
  shape: number[];
  dtype: string;
  /** 'optimizer' for the optimizer state TF.js saves with includeOptimizer (skipped). */
  group?: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

const VALUE_BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };


/** The file a manifest path names, relative to model.json's folder. */
function shardBytes(src: SourceFiles, path: string, group: number): Uint8Array {
  const dir = src.main.includes('/') ? src.main.slice(0, src.main.lastIndexOf('/') + 1) : '';
  const clean = (p: string) => p.replace(/^(\.\/)+/, '');
  let decoded = path;
  try { decoded = decodeURIComponent(path); } catch { /* keep as is */ }
  for (const p of [path, decoded]) {
    for (const cand of [clean(p), dir + clean(p)]) {
      const b = src.files[cand];
      if (b instanceof Uint8Array) return b;
    }
  }
  throw new ModelFormatError(`weight file '${path}' (manifest group ${group}) is missing: pass it beside model.json`, { where: path });
}

function entryOf(raw: unknown, where: string): WeightEntry {
  if (!isObj(raw) || typeof raw.name !== 'string' || !Array.isArray(raw.shape)) throw new ModelFormatError(`${where}: a weight entry needs a name and a shape`, { where });
  const name = raw.name;
  if (!raw.shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) throw new ModelFormatError(`weight '${name}': bad shape ${JSON.stringify(raw.shape)}`, { where: name });
  const dtype = typeof raw.dtype === 'string' ? raw.dtype : 'float32';
  const e: WeightEntry = { name, shape: raw.shape as number[], dtype };
  if (typeof raw.group === 'string') e.group = raw.group;
  if (raw.quantization !== undefined && raw.quantization !== null) {
    const q = raw.quantization;
    if (!isObj(q) || typeof q.dtype !== 'string') throw new ModelFormatError(`weight '${name}': malformed quantization ${JSON.stringify(q)}`, { where: name });
    e.quantization = { dtype: q.dtype };
    if (q.scale !== undefined) e.quantization.scale = Number(q.scale);
    if (q.min !== undefined) e.quantization.min = Number(q.min);
  }
  return e;
}


function decode(e: WeightEntry, bytes: Uint8Array): Float32Array {
  const n = e.shape.reduce((a, b) => a * b, 1);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  const q = e.quantization;
  if (q) {
    if (q.dtype === 'float16') {
      if (e.dtype !== 'float32') throw new ModelFormatError(`weight '${e.name}': float16 quantization is only defined for float32 weights, not ${e.dtype}`, { where: e.name });
      for (let i = 0; i < n; i++) out[i] = float16(dv.getUint16(2 * i, true));
      return out;
    }
    if (!Number.isFinite(q.scale) || !Number.isFinite(q.min)) throw new ModelFormatError(`weight '${e.name}': ${q.dtype} quantization needs a finite scale and min`, { where: e.name });
    const scale = q.scale!, min = q.min!;
    const get = q.dtype === 'uint8' ? (i: number) => dv.getUint8(i) : (i: number) => dv.getUint16(2 * i, true);
    for (let i = 0; i < n; i++) {
      const v = get(i) * scale + min;
      out[i] = e.dtype === 'int32' ? Math.round(v) : v;
    }
    return out;
  }
  if (e.dtype === 'float32') for (let i = 0; i < n; i++) out[i] = dv.getFloat32(4 * i, true);
  else for (let i = 0; i < n; i++) out[i] = dv.getInt32(4 * i, true);
  return out;
}

/** The names of the top-level layers of a model config (Sequential list, layers array). */
function layerNames(config: unknown): string[] {
  const list = Array.isArray(config) ? config
    : isObj(config) && Array.isArray(config.config) ? config.config
      : isObj(config) && isObj(config.config) && Array.isArray(config.config.layers) ? config.config.layers : [];
  const names: string[] = [];
  for (const l of list) {
    if (!isObj(l)) continue;
    const n = typeof l.name === 'string' ? l.name : isObj(l.config) && typeof l.config.name === 'string' ? l.config.name : undefined;
    if (n) names.push(n);
  }
  return names;
}

/** Rank of a weight within its layer, for get_weights() order: direction, then the array's role. */
function orderKey(name: string, manifestIndex: number): [number, number, number] {
  const segs = name.replace(/:\d+$/, '').split('/');
  const dir = segs.some((s) => s.startsWith('backward_')) ? 1 : 0;
  const leaf = segs[segs.length - 1]!;
  const role = leaf === 'kernel' ? 0 : leaf === 'recurrent_kernel' ? 1 : leaf === 'bias' ? 2 : 3;
  // arrays with other names (Keras 1 W_i..., embeddings) keep their manifest order after the known roles
  return [dir, role, role === 3 ? manifestIndex : 0];
}

const OPTIMIZER = /^(optimizer|training)(\/|$)|^iter(ations)?$/;

/** Reads a TF.js Layers model (model.json and its weight files) into a KerasDocument. */
export function readTfjs(src: SourceFiles): KerasDocument {
  const mainBytes = src.files[src.main];
  if (!(mainBytes instanceof Uint8Array)) throw new ModelFormatError(`'${src.main}' is not among the files given`, { where: src.main });
  const json = parseJsonFile(mainBytes, src.main);
  if (!isObj(json)) throw new ModelFormatError(`${src.main} is not a TF.js model.json (a JSON object with modelTopology and weightsManifest)`, { where: src.main });
  if (json.format === 'graph-model') {
    throw new UnsupportedModelError(`${src.main} is a TF.js graph model (format 'graph-model'); edgernn reads TF.js Layers models (format 'layers-model'), which keep the Keras layers`, { where: 'format' });
  }
  if (!('modelTopology' in json)) {
    if ('class_name' in json && 'config' in json) {
      throw new UnsupportedModelError(`${src.main} is a Keras model config (model.to_json()), not a TF.js model: it holds no weights; pass the weights file saved with it (.weights.h5 or .h5) together with this JSON`, { where: src.main });
    }
    throw new ModelFormatError(`${src.main} has no modelTopology: not a TF.js Layers model.json`, { where: 'modelTopology' });
  }
  const topo = json.modelTopology;
  let config: unknown, kerasVersion: string | undefined, backend: string | undefined;
  if (isObj(topo) && 'model_config' in topo) {
    config = topo.model_config;
    if (typeof topo.keras_version === 'string') kerasVersion = topo.keras_version;
    if (typeof topo.backend === 'string') backend = topo.backend;
  } else if (Array.isArray(topo) || (isObj(topo) && typeof topo.class_name === 'string')) {
    config = topo;
    if (isObj(topo) && typeof topo.keras_version === 'string') kerasVersion = topo.keras_version;
    if (isObj(topo) && typeof topo.backend === 'string') backend = topo.backend;
  } else {
    throw new ModelFormatError(`${src.main}: modelTopology is neither a Keras model config nor {model_config, keras_version}`, { where: 'modelTopology' });
  }

  const names = layerNames(config);
  // the longest layer name that starts the weight name's first segment: its prefixes looked up in
  // a set (a scan of every layer per weight is O(weights x layers): minutes for a crafted file)
  const nameSet = new Set(names);
  const layerOf = (weight: string): string | undefined => {
    const first = weight.split('/')[0]!;
    for (let n = first.length; n > 0; n--) if (nameSet.has(first.slice(0, n))) return first.slice(0, n);
    return undefined;
  };

  const manifest = json.weightsManifest ?? [];
  if (!Array.isArray(manifest)) throw new ModelFormatError(`${src.main}: weightsManifest must be a list of groups`, { where: 'weightsManifest' });
  const collected = new Map<string, { a: NamedArray; key: [number, number, number] }[]>();
  let index = 0;
  manifest.forEach((g, gi) => {
    if (!isObj(g) || !Array.isArray(g.paths) || !Array.isArray(g.weights)) throw new ModelFormatError(`weightsManifest group ${gi} needs paths and weights`, { where: `weightsManifest[${gi}]` });
    const shards = g.paths.map((p) => {
      if (typeof p !== 'string') throw new ModelFormatError(`weightsManifest group ${gi}: a path is not a string`, { where: `weightsManifest[${gi}]` });
      return shardBytes(src, p, gi);
    });
    const entries = g.weights.map((w, wi) => entryOf(w, `weightsManifest[${gi}].weights[${wi}]`));
    let need = 0;
    for (const e of entries) {
      const vb = VALUE_BYTES[e.quantization?.dtype ?? e.dtype];
      if (vb === undefined || (e.quantization && !['uint8', 'uint16', 'float16'].includes(e.quantization.dtype))
        || (!e.quantization && !['float32', 'int32'].includes(e.dtype))) {
        throw new UnsupportedModelError(`weight '${e.name}' has dtype ${e.dtype}${e.quantization ? ` quantized as ${e.quantization.dtype}` : ''}; supported are float32 and int32, plain or quantized as uint8, uint16 or float16`, { where: e.name });
      }
      need += e.shape.reduce((a, b) => a * b, 1) * vb;
    }
    const have = shards.reduce((n, s) => n + s.length, 0);
    if (have !== need) {
      throw new ModelFormatError(`weightsManifest group ${gi} (${g.paths.join(', ')}): the files hold ${have} bytes, the manifest describes ${need}`, { where: `weightsManifest[${gi}]`, expected: need, actual: have });
    }
    const data = new Uint8Array(have);
    let o = 0;
    for (const s of shards) { data.set(s, o); o += s.length; }
    o = 0;
    for (const e of entries) {
      const bytes = e.shape.reduce((a, b) => a * b, 1) * VALUE_BYTES[e.quantization?.dtype ?? e.dtype]!;
      const arr = decode(e, data.subarray(o, o + bytes));
      o += bytes;
      const i = index++;
      if (e.group === 'optimizer') continue;
      const layer = layerOf(e.name);
      if (!layer) {
        if (OPTIMIZER.test(e.name)) continue;
        throw new ModelFormatError(`weight '${e.name}' belongs to no layer of the model config (layers: ${names.join(', ')})`, { where: e.name });
      }
      const list = collected.get(layer) ?? [];
      list.push({ a: { name: e.name, shape: [...e.shape], data: arr }, key: orderKey(e.name, i) });
      collected.set(layer, list);
    }
  });

  const weights = new Map<string, NamedArray[]>();
  for (const [layer, list] of collected) {
    const sorted = list.slice().sort((x, y) => x.key[0] - y.key[0] || x.key[1] - y.key[1] || x.key[2] - y.key[2]);
    weights.set(layer, sorted.map((x) => x.a));
  }
  const producer = [json.generatedBy, json.convertedBy].filter((s): s is string => typeof s === 'string' && s.length > 0).join('; ');
  const doc: KerasDocument = { format: 'tfjs', config, weights };
  if (kerasVersion) doc.kerasVersion = kerasVersion;
  if (backend) doc.backend = backend;
  if (producer) doc.producer = producer;
  return doc;
}
