// A seeded mutation fuzzer of the module's .ernn loader (issue 8, docs/RELIABILITY.md).
//
// Seeds: small valid files of every layer type (LSTM with peepholes, clip, coupled gates and
// learned initial states; GRU reset-after and reset-before; simple RNN; Dense; Activation), every
// direction (forward, reverse, bidirectional) and every mode (f32, int8-dynamic, int8).
// Mutations: truncations, bit flips, byte sets, every header/layer/tensor/quantization field set
// to edge values (0, 1, max, negative as i32, off by one, pointing past the end), shuffled and
// duplicated records and sections, sections moved elsewhere in the file, tensor slots rewired
// (shared tensors), giant dimensions kept consistent across records, metadata of the wrong
// types, weights and scales set to NaN/Inf/extremes. The checksum is fixed after most mutations
// so the deeper checks run.
//
// Invariant, through the raw ABI (docs/ABI.md) and through Runtime.load:
//   - a load either fails with a status (raw ABI: a known status and field; Runtime.load: an
//     EdgeRnnError with a message) or succeeds, and then a run on random input and a few stream
//     steps complete without a trap;
//   - nothing outside the model's region is written: guard bytes with a known pattern sit right
//     before the model (its block header) and after it (the rest of an oversized reserved block),
//     every arena block header carries a stamp, the bytes past the arena end are stamped before
//     each step and run, and the module's constants (its data segments) must not change;
//   - memory never exceeds the page limit, never grows during a step or run, and setup calls
//     grow the arena by at most what ernn_streams_bytes / ernn_run_bytes announced;
//   - no case takes longer than the per-case time limit (a real hang is the test's timeout).
//
// Everything is a pure function of (seed, case index): a finding is reproduced with
// `tsx scripts/fuzz-loader.ts --seed S --case I`.

import { wasmBinary, type Backend } from '../../host/runtime/wasm.js';
import { Runtime } from '../../host/runtime/runtime.js';
import { Status, Field, Limit, type ErnnExports } from '../../host/runtime/abi.js';
import { moduleError } from '../../host/runtime/status-errors.js';
import { isEdgeRnnError } from '../../host/errors.js';
import { ernnChecksum } from '../../host/format/crc32.js';
import {
  Header, HEADER_BYTES, LAYER_RECORD_BYTES, TENSOR_RECORD_BYTES, LayerField, TensorField, NO_TENSOR, Dtype,
} from '../../host/format/layout.js';
import { lowerToErnn, type QuantMode } from '../../host/convert/lower.js';
import { calibrate } from '../../host/convert/quantize/reference.js';
import type { Layer } from '../../host/convert/ir.js';
import { rng, randArray, recurrent, dense } from '../helpers/models.js';

// ---------------------------------------------------------------------------------------------
// Seeds

export interface Seed {
  name: string;
  mode: QuantMode;
  bytes: Uint8Array;
}

type Builder = (r: () => number) => { inputSize: number; layers: Layer[] };

const act = (size: number, name: 'tanh' | 'softmax' | 'leaky_relu' | 'relu6'): Layer => ({ kind: 'activation', name: `act-${name}`, size, activation: { name } });

const SEED_MODELS: Record<string, Builder> = {
  'lstm-peephole-clip': (r) => ({ inputSize: 3, layers: [recurrent({ kind: 'lstm', hidden: 5, peephole: true, clip: 3 }, 3, r), dense(5, 3, r)] }),
  'lstm-bidirectional': (r) => ({ inputSize: 2, layers: [recurrent({ kind: 'lstm', hidden: 4, direction: 'bidirectional' }, 2, r), dense(8, 2, r, { name: 'softmax' })] }),
  'lstm-reverse-h0c0': (r) => ({ inputSize: 3, layers: [recurrent({ kind: 'lstm', hidden: 4, direction: 'reverse', output: 'sequence-reversed', h0: true, inputForget: true }, 3, r), act(4, 'tanh')] }),
  'gru-bidirectional-final': (r) => ({ inputSize: 2, layers: [recurrent({ kind: 'gru', hidden: 3, direction: 'bidirectional', output: 'final' }, 2, r), dense(6, 2, r)] }),
  'gru-reset-before-last-h0': (r) => ({ inputSize: 4, layers: [recurrent({ kind: 'gru', hidden: 5, resetAfter: false, output: 'last', h0: true, bias: true }, 4, r), dense(5, 3, r), act(3, 'softmax')] }),
  'rnn-relu': (r) => ({ inputSize: 2, layers: [recurrent({ kind: 'rnn', hidden: 6, activations: [{ name: 'relu' }] }, 2, r), dense(6, 4, r, { name: 'relu6' }), act(4, 'leaky_relu')] }),
  'stack-lstm-gru-rnn': (r) => ({
    inputSize: 3,
    layers: [recurrent({ kind: 'lstm', hidden: 4 }, 3, r), recurrent({ kind: 'gru', hidden: 3 }, 4, r), recurrent({ kind: 'rnn', hidden: 5, output: 'last' }, 3, r), dense(5, 2, r)],
  }),
  'dense-only': (r) => ({ inputSize: 3, layers: [dense(3, 6, r, { name: 'tanh' }, 'd0'), dense(6, 2, r, { name: 'linear' }, 'd1')] }),
  'lstm-wide': (r) => ({ inputSize: 7, layers: [recurrent({ kind: 'lstm', hidden: 13, bias: false }, 7, r), dense(13, 3, r)] }),
  // input size equal to units everywhere: W and R of a layer (and Dense weights) have the same
  // shape, so rewired slots can share one tensor, which the loader must allow and handle
  'square-shared': (r) => ({ inputSize: 5, layers: [recurrent({ kind: 'lstm', hidden: 5, peephole: true }, 5, r), recurrent({ kind: 'rnn', hidden: 5 }, 5, r), dense(5, 5, r, { name: 'linear' }, 'd0'), dense(5, 5, r, { name: 'tanh' }, 'd1')] }),
  'gru-reverse-nobias': (r) => ({ inputSize: 3, layers: [recurrent({ kind: 'gru', hidden: 6, direction: 'reverse', bias: false }, 3, r), dense(6, 1, r)] }),
};

let seedCache: Seed[] | undefined;

/** The valid files mutations start from: every seed model in every mode the converter accepts. */
export function seeds(): Seed[] {
  if (seedCache) return seedCache;
  const out: Seed[] = [];
  for (const [name, build] of Object.entries(SEED_MODELS)) {
    for (const mode of ['f32', 'int8-dynamic', 'int8'] as const) {
      const built = build(rng(name.length * 7 + 1));
      const inputSize = built.inputSize;
      // the int8 mode has no separate Activation layer (the converter refuses one)
      const layers = mode === 'int8' ? built.layers.filter((L) => L.kind !== 'activation') : built.layers;
      const ir = { name, inputSize, layers, metadata: { name, output: { shape: [sizeOfOutput(layers)] } } };
      try {
        const x = randArray(2 * 6 * inputSize, rng(5), 1.5);
        const plan = mode === 'int8' ? { mode, stats: calibrate(ir, [{ x, shape: [2, 6, inputSize] }]) } : { mode };
        out.push({ name: `${name}/${mode}`, mode, bytes: lowerToErnn(ir, plan) });
      } catch {
        // the converter refuses this combination (an Activation layer or a relu LSTM in int8)
      }
    }
  }
  return (seedCache = out);
}

function sizeOfOutput(layers: Layer[]): number {
  const L = layers[layers.length - 1]!;
  if (L.kind === 'dense') return L.units;
  if (L.kind === 'activation') return L.size;
  return L.hiddenSize * (L.direction === 'bidirectional' ? 2 : 1);
}

// ---------------------------------------------------------------------------------------------
// The structure of a seed, for targeted mutations

type Width = 'u8' | 'u16' | 'u32' | 'f32';
interface FieldRef { off: number; w: Width; what: string }
interface TensorRef { index: number; record: number; dtype: number; shape: number[]; offset: number; bytes: number }
interface LayerRef { index: number; record: number; dirs: number }

interface SeedInfo {
  seed: Seed;
  fields: FieldRef[];
  tensors: TensorRef[];
  layers: LayerRef[];
  fileBytes: number;
  dataOffset: number;
  dataBytes: number;
}

const infoCache = new Map<Seed, SeedInfo>();

function describeSeed(seed: Seed): SeedInfo {
  const hit = infoCache.get(seed);
  if (hit) return hit;
  const b = seed.bytes;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u32 = (o: number) => dv.getUint32(o, true);
  const fields: FieldRef[] = [
    { off: Header.major, w: 'u16', what: 'header.major' }, { off: Header.minor, w: 'u16', what: 'header.minor' },
  ];
  for (const [k, off] of Object.entries(Header)) if (off >= 8 && off !== Header.crc32) fields.push({ off, w: 'u32', what: `header.${k}` });
  const layers: LayerRef[] = [];
  const lt = u32(Header.layerTable);
  for (let i = 0; i < u32(Header.layerCount); i++) {
    const r = lt + i * LAYER_RECORD_BYTES;
    layers.push({ index: i, record: r, dirs: b[r + LayerField.directions]! });
    for (const k of ['type', 'mode', 'directions', 'output'] as const) fields.push({ off: r + LayerField[k], w: 'u8', what: `layer.${k}` });
    for (const k of ['flags', 'inputSize', 'units', 'outputSize'] as const) fields.push({ off: r + LayerField[k], w: 'u32', what: `layer.${k}` });
    fields.push({ off: r + LayerField.clip, w: 'f32', what: 'layer.clip' });
    for (let a = 0; a < 6; a++) {
      fields.push({ off: r + LayerField.act + a * 12, w: 'u32', what: 'layer.act.code' });
      fields.push({ off: r + LayerField.act + a * 12 + 4, w: 'f32', what: 'layer.act.alpha' });
      fields.push({ off: r + LayerField.act + a * 12 + 8, w: 'f32', what: 'layer.act.beta' });
    }
    for (let s = 0; s < 16; s++) fields.push({ off: r + LayerField.tensors + 2 * s, w: 'u16', what: 'layer.slot' });
  }
  const tensors: TensorRef[] = [];
  const tt = u32(Header.tensorTable);
  for (let i = 0; i < u32(Header.tensorCount); i++) {
    const r = tt + i * TENSOR_RECORD_BYTES;
    const rank = b[r + TensorField.rank]!;
    const shape = [...Array(rank).keys()].map((k) => u32(r + TensorField.dims + 4 * k));
    tensors.push({ index: i, record: r, dtype: b[r + TensorField.dtype]!, shape, offset: u32(r + TensorField.offset), bytes: u32(r + TensorField.bytes) });
    fields.push({ off: r + TensorField.name, w: 'u8', what: 'tensor.name' }, { off: r + 30, w: 'u8', what: 'tensor.name.end' });
    fields.push({ off: r + TensorField.dtype, w: 'u8', what: 'tensor.dtype' }, { off: r + TensorField.rank, w: 'u8', what: 'tensor.rank' });
    fields.push({ off: r + TensorField.layout, w: 'u16', what: 'tensor.layout' });
    for (let k = 0; k < 4; k++) fields.push({ off: r + TensorField.dims + 4 * k, w: 'u32', what: 'tensor.dims' });
    fields.push({ off: r + TensorField.offset, w: 'u32', what: 'tensor.offset' }, { off: r + TensorField.bytes, w: 'u32', what: 'tensor.bytes' });
    fields.push({ off: r + TensorField.scale, w: 'u16', what: 'tensor.scale' }, { off: r + TensorField.zeroPoint, w: 'u16', what: 'tensor.zeroPoint' });
    // int8 quantization parameters: i32 [16]
    if (b[r + TensorField.dtype] === Dtype.I32 && rank === 1 && shape[0] === 16) {
      for (let k = 0; k < 16; k++) fields.push({ off: u32(r + TensorField.offset) + 4 * k, w: k >= 8 && k <= 11 ? 'f32' : 'u32', what: `quant[${k}]` });
    }
  }
  const info: SeedInfo = { seed, fields, tensors, layers, fileBytes: u32(Header.fileBytes), dataOffset: u32(Header.dataOffset), dataBytes: u32(Header.dataBytes) };
  infoCache.set(seed, info);
  return info;
}

// ---------------------------------------------------------------------------------------------
// Mutations

type Rand = () => number;
const pick = <T>(r: Rand, a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
const int = (r: Rand, n: number) => Math.floor(r() * n);

const F32_EDGES = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 3.4e38, -3.4e38, 1e-45, 1e-38, 65504, 1e10, 1e-10, 8, 0.5];

function edgeU32(r: Rand, v: number, info: SeedInfo): number {
  const fb = info.fileBytes, dataEnd = info.dataOffset + info.dataBytes;
  return pick(r, [
    0, 1, 2, 3, 4, 15, 16, 17, 64, 0xffffffff, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffff0, 0xffff, 0x10000, 0x10001,
    v + 1, v - 1, v + 16, v - 16, v * 2, v * 4 + 1, v << 16, fb, fb - 1, fb + 1, fb - 16, fb + 16, fb - v, dataEnd, dataEnd + 16,
    32768, 32769, 65536, 65537, 1 << 20, (1 << 20) + 1, 1 << 24, 46341, 16385, int(r, 0x100000000), int(r, 64),
  ]) >>> 0;
}
const edgeU16 = (r: Rand, v: number, nT: number) => pick(r, [0, 1, 2, 0xffff, 0xfffe, 0x7fff, 0x8000, v + 1, v - 1, nT, nT - 1, nT + 1, int(r, 0x10000), int(r, nT + 2)]) & 0xffff;
const edgeU8 = (r: Rand, v: number) => pick(r, [0, 1, 2, 3, 4, 5, 6, 7, 8, 0x7f, 0x80, 0xff, v + 1, v - 1, int(r, 256)]) & 0xff;

class Mut {
  b: Uint8Array;
  dv: DataView;
  ops: string[] = [];
  fixCrc = true;
  constructor(b: Uint8Array) { this.b = b; this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength); }
  set(b: Uint8Array): void { this.b = b; this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength); }
  u32(o: number): number { return o + 4 <= this.b.length ? this.dv.getUint32(o, true) : 0; }
  put(o: number, w: Width, v: number): void {
    const size = w === 'u8' ? 1 : w === 'u16' ? 2 : 4;
    if (o < 0 || o + size > this.b.length) return;
    if (w === 'u8') this.dv.setUint8(o, v);
    else if (w === 'u16') this.dv.setUint16(o, v, true);
    else if (w === 'u32') this.dv.setUint32(o, v >>> 0, true);
    else this.dv.setFloat32(o, v, true);
  }
  get(o: number, w: Width): number {
    const size = w === 'u8' ? 1 : w === 'u16' ? 2 : 4;
    if (o < 0 || o + size > this.b.length) return 0;
    return w === 'u8' ? this.dv.getUint8(o) : w === 'u16' ? this.dv.getUint16(o, true) : w === 'u32' ? this.dv.getUint32(o, true) : this.dv.getFloat32(o, true);
  }
  /** Appends bytes and keeps header.file_bytes (and data_bytes when asked) consistent. */
  append(extra: Uint8Array): number {
    const at = this.b.length;
    const nb = new Uint8Array(at + extra.length);
    nb.set(this.b);
    nb.set(extra, at);
    this.set(nb);
    this.put(Header.fileBytes, 'u32', nb.length);
    return at;
  }
}

const pad16 = (n: number) => Math.ceil(n / 16) * 16;

// Metadata blocks of valid JSON and the wrong types, and a few non-JSON ones.
const WEIRD_METADATA = [
  '{"output":{"shape":"ab"}}', '{"output":{"shape":[0]}}', '{"output":{"shape":[-1,-2]}}', '{"output":{"shape":{"length":2}}}',
  '{"output":null}', '{"output":{"shape":[1e308,0]}}', '{"output":{"shape":[2.5,0.4]}}', '{"graph":1}', '{"graph":{"inputs":5,"outputs":"x"}}',
  '{"graph":null}', '[]', 'null', '"x"', '7', '{"__proto__":{"output":{"shape":[1]}}}', '{"constructor":{"prototype":{"x":1}}}',
  '{"normalization":{"mean":"x","std":null}}', '{"features":7}', '{"name":{"x":1}}', '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
  '{"a":"\\ud800"}', '\ufeff{}', '{}', '{"output":{"shape":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}}', '{', '\u0000',
];

type MutFn = (m: Mut, info: SeedInfo, r: Rand) => void;

const MUTATIONS: Record<string, [number, MutFn]> = {
  truncate: [4, (m, _i, r) => {
    const n = r() < 0.3 ? int(r, HEADER_BYTES + 1) : int(r, m.b.length);
    m.set(m.b.slice(0, n));
    if (r() < 0.6) m.put(Header.fileBytes, 'u32', n); // consistent size: the structure checks see it
    m.ops.push(`truncate(${n})`);
  }],
  append: [2, (m, _i, r) => {
    const extra = new Uint8Array(pick(r, [1, 15, 16, 64, 100]));
    for (let k = 0; k < extra.length; k++) extra[k] = r() < 0.5 ? 0 : int(r, 256);
    const fb = m.u32(Header.fileBytes);
    m.append(extra);
    if (r() < 0.5) m.put(Header.fileBytes, 'u32', fb); // trailing bytes
    m.ops.push(`append(${extra.length})`);
  }],
  bitflip: [8, (m, info, r) => {
    const n = 1 + int(r, 3);
    for (let k = 0; k < n; k++) {
      const o = r() < 0.75 ? int(r, Math.min(m.b.length, info.dataOffset)) : int(r, m.b.length);
      m.b[o] = m.b[o]! ^ (1 << int(r, 8));
      m.ops.push(`bitflip(${o})`);
    }
  }],
  byteset: [5, (m, info, r) => {
    const o = r() < 0.75 ? int(r, Math.min(m.b.length, info.dataOffset)) : int(r, m.b.length);
    const v = pick(r, [0, 0xff, 0x7f, 0x80, 1, int(r, 256)]);
    m.b[o] = v;
    m.ops.push(`byteset(${o},${v})`);
  }],
  field: [24, (m, info, r) => {
    const f = pick(r, info.fields);
    const v = m.get(f.off, f.w);
    const nv = f.w === 'u32' ? edgeU32(r, v, info) : f.w === 'u16' ? edgeU16(r, v, info.tensors.length) : f.w === 'u8' ? edgeU8(r, v) : pick(r, F32_EDGES);
    m.put(f.off, f.w, nv);
    m.ops.push(`field(${f.what}@${f.off}=${nv})`);
  }],
  quantParam: [4, (m, info, r) => {
    const q = info.fields.filter((f) => f.what.startsWith('quant['));
    if (!q.length) return;
    const f = pick(r, q);
    const nv = f.w === 'f32' ? pick(r, [...F32_EDGES, 1e-30, 2 ** -126, 2 ** 127]) : pick(r, [0, 1, -1, 7, 8, 9, 15, 16, 17, 31, 32, 127, 128, -128, -129, 32767, 32768, 0x7fffffff, -0x80000000]);
    m.put(f.off, f.w, nv);
    m.ops.push(`quant(${f.what}@${f.off}=${nv})`);
  }],
  floats: [3, (m, info, r) => {
    // a whole tensor to one extreme value: NaN weights, Inf scales, zero scales, int8 -128 rows
    const t = pick(r, info.tensors);
    const v = pick(r, F32_EDGES);
    for (let o = t.offset; o + 4 <= t.offset + t.bytes; o += 4) {
      if (t.dtype === Dtype.F32 || t.dtype === Dtype.I32) m.put(o, 'f32', v);
      else if (t.dtype === Dtype.BF16) { const hi = new Uint16Array(Float32Array.of(v).buffer)[1]!; m.put(o, 'u16', hi); m.put(o + 2, 'u16', hi); }
      else m.put(o, 'u32', pick(r, [0x80808080, 0x7f7f7f7f, 0]));
    }
    m.ops.push(`fill(tensor ${t.index}=${v})`);
  }],
  payload: [4, (m, info, r) => {
    const n = 1 + int(r, 16);
    for (let k = 0; k < n; k++) {
      const o = info.dataOffset + int(r, Math.max(1, info.dataBytes));
      if (o < m.b.length) m.b[o] = int(r, 256);
    }
    m.ops.push(`payload(${n})`);
  }],
  swapRecords: [3, (m, info, r) => {
    const layer = r() < 0.5 && info.layers.length > 1;
    const list = layer ? info.layers.map((l) => l.record) : info.tensors.map((t) => t.record);
    if (list.length < 2) return;
    const size = layer ? LAYER_RECORD_BYTES : TENSOR_RECORD_BYTES;
    const a = int(r, list.length), b = int(r, list.length);
    if (Math.max(list[a]!, list[b]!) + size > m.b.length) return;
    const ra = m.b.slice(list[a]!, list[a]! + size), rb = m.b.slice(list[b]!, list[b]! + size);
    if (r() < 0.5) { m.b.set(rb, list[a]!); m.b.set(ra, list[b]!); m.ops.push(`swap(${layer ? 'layer' : 'tensor'} ${a},${b})`); }
    else { m.b.set(ra, list[b]!); m.ops.push(`dup(${layer ? 'layer' : 'tensor'} ${a}->${b})`); }
  }],
  sections: [3, (m, _i, r) => {
    const offs = [Header.layerTable, Header.tensorTable, Header.metaOffset, Header.dataOffset];
    const a = pick(r, offs), b = pick(r, offs);
    const va = m.u32(a), vb = m.u32(b);
    if (r() < 0.5) { m.put(a, 'u32', vb); m.put(b, 'u32', va); m.ops.push(`swapSection(${a},${b})`); }
    else { m.put(a, 'u32', vb); m.ops.push(`aliasSection(${a}<-${b})`); }
  }],
  counts: [3, (m, _i, r) => {
    const f = pick(r, [Header.layerCount, Header.tensorCount, Header.metaBytes, Header.dataBytes]);
    const v = m.u32(f);
    const nv = pick(r, [v + 1, v - 1, 0, v * 2, 0xffffffff, 0x10000, 0x01000000, 0x04000000]) >>> 0;
    m.put(f, 'u32', nv);
    m.ops.push(`count(${f}=${nv})`);
  }],
  moveSection: [3, (m, _i, r) => {
    // a valid reordering: copy a table or the metadata to the end of the file and point there
    const which = pick(r, ['layer', 'tensor', 'meta'] as const);
    const off = which === 'layer' ? Header.layerTable : which === 'tensor' ? Header.tensorTable : Header.metaOffset;
    const len = which === 'layer' ? m.u32(Header.layerCount) * LAYER_RECORD_BYTES : which === 'tensor' ? m.u32(Header.tensorCount) * TENSOR_RECORD_BYTES : m.u32(Header.metaBytes);
    const src = m.u32(off);
    if (src + len > m.b.length || len > 1 << 16) return;
    const chunk = new Uint8Array(pad16(len));
    chunk.set(m.b.subarray(src, src + len));
    if (r() < 0.7) m.b.fill(r() < 0.5 ? 0 : 0xee, src, src + len); // the old copy becomes garbage
    const at = m.append(chunk);
    m.put(off, 'u32', at + (r() < 0.1 ? 8 : 0));
    m.ops.push(`move(${which}->${at})`);
  }],
  giantDims: [4, (m, info, r) => {
    // one layer's units (or the model input) set large, with every record that depends on it
    // kept consistent, so the checks that look at sizes and extents are the ones that refuse
    const H = pick(r, [32768, 32769, 46341, 65535, 65536, 65537, 1 << 20, (1 << 20) + 1, 1 << 24, 0x7fffffff, 0x80000000, 0xffffffff, 16385, 0x40000001]);
    const L = pick(r, info.layers);
    const put = (o: number, v: number) => m.put(o, 'u32', v);
    const next = info.layers[L.index + 1];
    const type = m.b[L.record + LayerField.type]!;
    const G = type === 1 ? 4 : type === 2 ? 3 : 1;
    const recurrentLayer = type <= 3;
    const oldH = new DataView(info.seed.bytes.buffer, info.seed.bytes.byteOffset).getUint32(L.record + LayerField.units, true);
    put(L.record + LayerField.units, H);
    put(L.record + LayerField.outputSize, (L.dirs * H) >>> 0);
    if (next) put(next.record + LayerField.inputSize, (L.dirs * H) >>> 0);
    else put(Header.outputSize, (L.dirs * H) >>> 0);
    if (!recurrentLayer && m.b[L.record + LayerField.type] === 5) put(L.record + LayerField.inputSize, H);
    // the tensors of its slots: dims and byte counts (modulo 2^32, as a crafted file would)
    for (let s = 0; s < 16; s++) {
      const t = m.get(L.record + LayerField.tensors + 2 * s, 'u16');
      const T = info.tensors[t];
      if (!T) continue;
      // every dimension that equals this layer's old H, G*H or 3H follows the new H
      const nd = T.shape.map((d) => (d === oldH ? H : d === G * oldH ? G * H : d === 3 * oldH ? 3 * H : d));
      nd.forEach((d, k) => put(T.record + TensorField.dims + 4 * k, d >>> 0));
      const esize = T.dtype === Dtype.F32 || T.dtype === Dtype.I32 ? 4 : T.dtype === Dtype.I8 ? 1 : 2;
      put(T.record + TensorField.bytes, Number(BigInt.asUintN(32, nd.reduce((a, d) => a * BigInt(d >>> 0), 1n) * BigInt(esize))));
    }
    m.ops.push(`giant(layer ${L.index} units=${H >>> 0})`);
  }],
  giantInput: [1, (m, info, r) => {
    const I = pick(r, [65536, 65537, 1 << 20, 0x7fffffff, 0x80000000, 0xffffffff, 32769]);
    m.put(Header.inputSize, 'u32', I);
    m.put(info.layers[0]!.record + LayerField.inputSize, 'u32', I);
    m.ops.push(`giantInput(${I >>> 0})`);
  }],
  rewire: [5, (m, info, r) => {
    // a layer slot pointing at another tensor: same dtype and shape (a shared tensor, which is
    // valid), any other, none, or out of range
    const L = pick(r, info.layers);
    const s = int(r, 16);
    const o = L.record + LayerField.tensors + 2 * s;
    const cur = info.tensors[m.get(o, 'u16')];
    const same = cur ? info.tensors.filter((t) => t.index !== cur.index && t.dtype === cur.dtype && t.shape.join() === cur.shape.join()) : [];
    const v = same.length && r() < 0.5 ? pick(r, same).index : pick(r, [NO_TENSOR, info.tensors.length, info.tensors.length - 1, 0, int(r, info.tensors.length)]);
    m.put(o, 'u16', v);
    m.ops.push(`rewire(layer ${L.index} slot ${s}=${v})`);
  }],
  rescale: [2, (m, info, r) => {
    const t = pick(r, info.tensors);
    const bf = info.tensors.filter((x) => x.dtype === Dtype.BF16);
    const v = bf.length && r() < 0.5 ? pick(r, bf).index : pick(r, [t.index, NO_TENSOR, info.tensors.length, 0]);
    m.put(t.record + TensorField[r() < 0.8 ? 'scale' : 'zeroPoint'], 'u16', v);
    m.ops.push(`rescale(tensor ${t.index}=${v})`);
  }],
  retarget: [3, (m, info, r) => {
    const t = pick(r, info.tensors);
    const o = pick(r, info.tensors);
    const v = pick(r, [o.offset, o.offset + 16, t.offset - 16, t.offset + 8, info.dataOffset - 16, info.dataOffset + info.dataBytes, info.fileBytes, 0, 16]) >>> 0;
    m.put(t.record + TensorField.offset, 'u32', v);
    m.ops.push(`retarget(tensor ${t.index}@${v})`);
  }],
  metadata: [3, (m, _i, r) => {
    const off = m.u32(Header.metaOffset), len = m.u32(Header.metaBytes);
    if (off + len > m.b.length) return;
    const text = pick(r, WEIRD_METADATA);
    const enc = new TextEncoder().encode(text);
    if (enc.length <= len) {
      m.b.fill(0x20, off, off + len);
      m.b.set(enc, off);
      if (r() < 0.3) m.put(Header.metaBytes, 'u32', enc.length);
    } else {
      const chunk = new Uint8Array(pad16(enc.length));
      chunk.set(enc);
      const at = m.append(chunk);
      m.put(Header.metaOffset, 'u32', at);
      m.put(Header.metaBytes, 'u32', enc.length);
    }
    m.ops.push(`metadata(${JSON.stringify(text).slice(0, 40)})`);
  }],
  crcOff: [1, (m) => { m.fixCrc = false; m.ops.push('crc-unfixed'); }],
};

const MUT_NAMES = Object.keys(MUTATIONS);
const MUT_WEIGHTS = MUT_NAMES.map((k) => MUTATIONS[k]![0]);
const MUT_TOTAL = MUT_WEIGHTS.reduce((a, b) => a + b, 0);

function pickMutation(r: Rand): string {
  let x = r() * MUT_TOTAL;
  for (let i = 0; i < MUT_NAMES.length; i++) if ((x -= MUT_WEIGHTS[i]!) < 0) return MUT_NAMES[i]!;
  return MUT_NAMES[0]!;
}

export interface FuzzCase {
  index: number;
  seed: Seed;
  bytes: Uint8Array;
  ops: string[];
  /** Name of the first mutation, for the per-mutation statistics. */
  kind: string;
}

/** Case `index` of run `seed`: a pure function of the two. */
export function makeCase(runSeed: number, index: number): FuzzCase {
  const r = rng((Math.imul(runSeed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
  const all = seeds();
  const seed = all[int(r, all.length)]!;
  const info = describeSeed(seed);
  const m = new Mut(seed.bytes.slice());
  const n = r() < 0.6 ? 1 : r() < 0.7 ? 2 : 3 + int(r, 3);
  let kind = '';
  for (let k = 0; k < n; k++) {
    const name = pickMutation(r);
    if (!kind) kind = name;
    MUTATIONS[name]![1](m, info, r);
  }
  if (m.fixCrc && m.b.length >= HEADER_BYTES && r() < 0.95) {
    const fb = Math.min(m.b.length, m.u32(Header.fileBytes));
    if (fb >= 20) m.put(Header.crc32, 'u32', ernnChecksum(m.b, fb));
  }
  return { index, seed, bytes: m.b, ops: m.ops, kind };
}

// ---------------------------------------------------------------------------------------------
// Running cases

export interface Finding {
  case: number;
  path: 'abi' | 'runtime';
  build: Backend;
  kind: string;
  message: string;
  seed: string;
  ops: string[];
  bytes: Uint8Array;
}

export interface FuzzOptions {
  cases: number;
  seed: number;
  /** First case index (to split a long run or reproduce one case). */
  start?: number;
  /** Every n-th case also goes through Runtime.load (default 5). 0: raw ABI only. */
  runtimeEvery?: number;
  /** Page limit set on every instance (default 256 = 16 MiB). */
  maxPages?: number;
  /** A case slower than this is a finding (default 2000 ms). */
  caseMillis?: number;
  /** Stop after this many findings (default 50). */
  maxFindings?: number;
  onProgress?: (done: number, report: FuzzReport) => void;
}

export interface FuzzReport {
  cases: number;
  abiCases: number;
  runtimeCases: number;
  /** Raw-ABI loads that succeeded (and then ran). */
  loaded: number;
  runtimeLoaded: number;
  /** Raw ABI: how many loads ended with each status. */
  statuses: Record<string, number>;
  /** Per first mutation: cases and successful loads. */
  mutations: Record<string, { cases: number; loaded: number }>;
  instances: number;
  steps: number;
  runs: number;
  findings: Finding[];
  maxCaseMillis: number;
  millis: number;
}

const GUARD = 0xa5;
const GUARD32 = 0xa5a5a5a5;
const CAP = 1 << 14;            // reserved block: the case's bytes, then guard bytes to the end
const TAIL = 4096;              // bytes past the arena end stamped before each call
const KNOWN_FIELDS = new Set(Object.values(Field).filter((v) => typeof v === 'number') as number[]);

class Violation extends Error {}

interface Block { addr: number; size: number; used: number }

/** One instance driven through the raw exports, with guard bytes around everything. */
export class AbiHarness {
  ex!: ErnnExports;
  p = 0;                  // the model block
  heapStart = 0;
  n = 0;                  // bytes of the current case
  modelBlock = 0;         // payload bytes of the model block (CAP and the module's slack)
  instances = 0;
  readonly constants: { offset: number; bytes: Uint8Array }[];
  constructor(readonly build: Backend, private readonly module: WebAssembly.Module, private readonly maxPages: number) {
    this.constants = dataSegments(wasmBinary(build));
  }

  get u8(): Uint8Array { return new Uint8Array(this.ex.memory.buffer); }
  get dv(): DataView { return new DataView(this.ex.memory.buffer); }

  instantiate(): void {
    this.ex = new WebAssembly.Instance(this.module, {}).exports as unknown as ErnnExports;
    this.instances++;
    const ex = this.ex;
    if (ex.ernn_set_limit(Limit.MemoryPages, this.maxPages) !== Status.Ok) throw new Error('set_limit pages failed');
    ex.ernn_set_limit(Limit.Streams, 64);
    this.p = ex.ernn_model_reserve(CAP);
    if (this.p === 0) throw new Error('reserve failed');
    this.heapStart = this.p - 16;
    // the block holds the file and the module's own slack for SIMD over-reads after it
    this.modelBlock = this.dv.getUint32(this.heapStart, true);
    if (this.modelBlock < CAP + 16) throw new Error(`model block of ${this.modelBlock} bytes for ${CAP}`);
  }

  /** Writes a file into the reserved block, guard bytes after it, and loads it. */
  load(bytes: Uint8Array): number {
    this.n = bytes.length;
    const u8 = this.u8;
    u8.set(bytes, this.p);
    u8.fill(GUARD, this.p + bytes.length, this.p + CAP);
    return this.ex.ernn_model_load(bytes.length);
  }

  /** Walks the arena's block headers from the heap base to the end it reports. */
  blocks(): Block[] {
    const dv = this.dv;
    const end = this.heapStart + this.ex.ernn_heap_bytes();
    if (end > dv.byteLength) throw new Violation(`arena end ${end} beyond memory ${dv.byteLength}`);
    const out: Block[] = [];
    let a = this.heapStart;
    while (a < end) {
      const size = dv.getUint32(a, true), used = dv.getUint32(a + 4, true);
      if (size % 16 !== 0 || (used !== 0 && used !== 1) || a + 16 + size > end) throw new Violation(`arena block header at ${a} corrupt (size ${size}, used ${used}, arena end ${end})`);
      out.push({ addr: a, size, used });
      a += 16 + size;
    }
    if (a !== end) throw new Violation(`arena walk ends at ${a}, not ${end}`);
    if (out[0]?.addr !== this.heapStart || out[0].size !== this.modelBlock || out[0].used !== 1) throw new Violation('the model block header changed');
    return out;
  }

  /** Stamps the spare bytes of every block header and the bytes past the arena end. */
  stamp(): Block[] {
    const list = this.blocks();
    const u8 = this.u8;
    for (const b of list) u8.fill(GUARD, b.addr + 8, b.addr + 16);
    const end = this.heapStart + this.ex.ernn_heap_bytes();
    u8.fill(GUARD, end, Math.min(u8.length, end + TAIL));
    return list;
  }

  /** The stamps are intact; with `same`, the arena has exactly these blocks. */
  check(before: Block[], same: boolean, what: string, tailFrom: number): void {
    const list = this.blocks();
    const u8 = this.u8;
    if (same) {
      if (list.length !== before.length || list.some((b, i) => b.addr !== before[i]!.addr || b.size !== before[i]!.size || b.used !== before[i]!.used)) {
        throw new Violation(`${what} changed the arena's blocks`);
      }
    }
    // the stamps of the blocks that were there before (a setup call may split or merge blocks)
    let j = 0;
    for (const b of list) {
      while (j < before.length && before[j]!.addr < b.addr) j++;
      if (j >= before.length || before[j]!.addr !== b.addr) continue;
      for (let k = 8; k < 16; k++) if (u8[b.addr + k] !== GUARD) throw new Violation(`${what} wrote the guard bytes of the arena block at ${b.addr} (byte ${k})`);
    }
    // past the arena end: setup calls may use temporary blocks there (allocated, then freed);
    // a step or a run allocates nothing and must not write there
    if (same) {
      const end = this.heapStart + this.ex.ernn_heap_bytes();
      const from = Math.max(end, tailFrom), stop = Math.min(u8.length, tailFrom + TAIL); // both 16-aligned
      const w = new Uint32Array(u8.buffer, from, Math.max(0, stop - from) >>> 2);
      for (let k = 0; k < w.length; k++) if (w[k] !== GUARD32) throw new Violation(`${what} wrote byte ${from + 4 * k}, past the arena end ${end}`);
    }
    this.checkModelGuard(what);
  }

  /** The guard bytes after the model file, in the rest of its reserved block. */
  checkModelGuard(what: string): void {
    const u8 = this.u8;
    const from = this.p + this.n, to = this.p + CAP;
    let a = from;
    for (; a < to && a % 4 !== 0; a++) if (u8[a] !== GUARD) throw new Violation(`${what} wrote byte ${a - this.p} of the model block, past the file's ${this.n} bytes`);
    const w = new Uint32Array(u8.buffer, a, (to - a) >>> 2);
    for (let k = 0; k < w.length; k++) if (w[k] !== GUARD32) throw new Violation(`${what} wrote byte ${a + 4 * k - this.p} of the model block, past the file's ${this.n} bytes`);
  }

  pagesOk(what: string): void {
    const pages = this.ex.memory.buffer.byteLength / 65536;
    if (pages > this.maxPages) throw new Violation(`${what}: memory is ${pages} pages, above the limit of ${this.maxPages}`);
  }
}

function statusName(s: number): string {
  return Status[s] ?? `status ${s}`;
}

/** Random input values: mostly ordinary, sometimes extreme. */
function fillInput(f32: Float32Array, at: number, n: number, r: Rand): void {
  for (let i = 0; i < n; i++) {
    const x = r();
    f32[at + i] = x < 0.9 ? (r() * 2 - 1) * 3 : pick(r, [NaN, Infinity, -Infinity, 1e30, -1e30, 0, 1e-40]);
  }
}

/**
 * The active data segments of a module: its constants (tables, polynomial coefficients) at
 * their addresses. Zero-initialized scratch (memory.data without values) has no segment.
 */
export function dataSegments(binary: Uint8Array): { offset: number; bytes: Uint8Array }[] {
  let p = 8;
  const leb = () => { let v = 0, shift = 0, b; do { b = binary[p++]!; v |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80); return v >>> 0; };
  const sleb = () => { let v = 0, shift = 0, b; do { b = binary[p++]!; v |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80); return shift < 32 && b & 0x40 ? v | (~0 << shift) : v; };
  const out: { offset: number; bytes: Uint8Array }[] = [];
  while (p < binary.length) {
    const id = binary[p++]!, size = leb(), end = p + size;
    if (id === 11) {
      const n = leb();
      for (let i = 0; i < n; i++) {
        const flags = leb();
        if (flags === 1) { p += leb(); continue; } // passive
        if (flags === 2) leb();
        if (binary[p++] !== 0x41) throw new Error('data segment offset is not i32.const');
        const offset = sleb();
        if (binary[p++] !== 0x0b) throw new Error('data segment offset expression too long');
        const len = leb();
        out.push({ offset, bytes: binary.slice(p, p + len) });
        p += len;
      }
    }
    p = end;
  }
  return out;
}

/**
 * The module's constants still hold what its data segments say. (A step or run may use the
 * module's static scratch words, so only the constants are compared.)
 */
function constantsIntact(h: AbiHarness, what: string): void {
  const u8 = h.u8;
  for (const seg of h.constants) {
    for (let k = 0; k < seg.bytes.length; k++) if (u8[seg.offset + k] !== seg.bytes[k]) throw new Violation(`${what} changed the module's constant data at ${seg.offset + k}`);
  }
}

const DTYPE_SIZE: Record<number, number> = { 1: 4, 2: 1, 3: 2 };

/** After a successful raw load: whole sequences and stream steps, with the guards checked. */
function exerciseAbi(h: AbiHarness, r: Rand, report: FuzzReport): void {
  const ex = h.ex;
  const inSize = ex.ernn_model_input_size(), outSize = ex.ernn_model_output_size(), nLayers = ex.ernn_model_layer_count();
  if (!(inSize > 0 && outSize > 0 && nLayers > 0)) throw new Violation(`loaded model reports input ${inSize}, output ${outSize}, layers ${nLayers}`);
  const inArena = (ptr: number, bytes: number, what: string) => {
    const end = h.heapStart + ex.ernn_heap_bytes();
    const after = h.heapStart + 16 + h.modelBlock;
    if (ptr < after || ptr + bytes > end) throw new Violation(`${what} [${ptr}, ${ptr + bytes}) is not inside the arena after the model [${after}, ${end})`);
  };

  // ---- whole sequences ----
  const B = 1 + int(r, 3), T = 1 + int(r, 5);
  const plan = ex.ernn_run_bytes(B, T);
  let before = h.stamp();
  let heap0 = ex.ernn_heap_bytes(), tail0 = h.heapStart + heap0;
  let s = ex.ernn_run_prepare(B, T);
  h.pagesOk('run_prepare');
  h.check(before, false, 'run_prepare', tail0);
  if (s === Status.Ok) {
    if (ex.ernn_heap_bytes() - heap0 > plan + 16) throw new Violation(`run_prepare(${B}, ${T}) grew the arena by ${ex.ernn_heap_bytes() - heap0} bytes, ernn_run_bytes said ${plan}`);
    const xp = ex.ernn_run_input_ptr();
    inArena(xp, B * T * inSize * 4, 'run input');
    fillInput(new Float32Array(ex.memory.buffer), xp >>> 2, B * T * inSize, r);
    let flags = 0;
    if (r() < 0.3) {
      const lp = ex.ernn_run_lens_ptr();
      inArena(lp, B * 4, 'run lengths');
      const i32 = new Int32Array(ex.memory.buffer);
      for (let b = 0; b < B; b++) i32[(lp >>> 2) + b] = r() < 0.05 ? pick(r, [-1, T + 1, 0x7fffffff]) : int(r, T + 1);
      flags |= 1;
    }
    if (r() < 0.3) {
      ex.ernn_run_reset_states();
      for (let l = 0; l < nLayers; l++) {
        for (let which = 0; which < 2; which++) {
          const dt = ex.ernn_state_dtype(l, which);
          if (!dt) continue;
          for (let d = 0; d < 2; d++) {
            const sp = ex.ernn_run_state_ptr(l, d, which);
            if (sp === 0) continue;
            if (sp < h.heapStart + 16 + h.modelBlock || sp > h.heapStart + ex.ernn_heap_bytes()) throw new Violation(`run state pointer ${sp} outside the arena`);
            const u8 = h.u8;
            for (let k = 0; k < B * (DTYPE_SIZE[dt] ?? 4); k++) if (sp + k < h.heapStart + ex.ernn_heap_bytes()) u8[sp + k] = int(r, 256);
          }
        }
      }
      flags |= 2;
    }
    before = h.stamp();
    const bytes0 = ex.memory.buffer.byteLength;
    tail0 = h.heapStart + ex.ernn_heap_bytes();
    s = ex.ernn_run(flags);
    report.runs++;
    if (ex.memory.buffer.byteLength !== bytes0) throw new Violation('ernn_run grew memory');
    h.check(before, true, 'ernn_run', tail0);
    constantsIntact(h, 'ernn_run');
    if (s !== Status.Ok && !(s === Status.BadArgument && flags & 1)) throw new Violation(`ernn_run returned ${statusName(s)} on a loaded model`);
    if (s === Status.Ok) {
      const steps = ex.ernn_run_output_steps();
      if (steps !== T && steps !== 1) throw new Violation(`ernn_run_output_steps ${steps} for time ${T}`);
      inArena(ex.ernn_run_output_ptr(), B * steps * outSize * 4, 'run output');
    }
  } else if (s !== Status.OutOfMemory && s !== Status.LimitExceeded) {
    throw new Violation(`run_prepare(${B}, ${T}) returned ${statusName(s)}`);
  }

  // ---- streams ----
  if (ex.ernn_model_streamable() !== 1) return;
  const n = 1 + int(r, 4);
  const splan = ex.ernn_streams_bytes(n);
  before = h.stamp();
  heap0 = ex.ernn_heap_bytes();
  tail0 = h.heapStart + heap0;
  const hd = ex.ernn_streams_create(n);
  h.pagesOk('streams_create');
  h.check(before, false, 'streams_create', tail0);
  if (hd <= 0) {
    if (-hd !== Status.OutOfMemory && -hd !== Status.LimitExceeded) throw new Violation(`streams_create(${n}) returned ${statusName(-hd)}`);
    return;
  }
  if (ex.ernn_heap_bytes() - heap0 > splan + 16) throw new Violation(`streams_create(${n}) grew the arena by ${ex.ernn_heap_bytes() - heap0} bytes, ernn_streams_bytes said ${splan}`);
  const ip = ex.ernn_streams_input_ptr(hd), op = ex.ernn_streams_output_ptr(hd), xp = ex.ernn_streams_index_ptr(hd);
  inArena(ip, n * inSize * 4, 'stream input');
  inArena(op, n * outSize * 4, 'stream output');
  inArena(xp, n * 4, 'stream index');
  for (let step = 0; step < 3; step++) {
    const k = 1 + int(r, n);
    const indexed = r() < 0.5 ? 1 : 0;
    fillInput(new Float32Array(ex.memory.buffer), ip >>> 2, k * inSize, r);
    if (indexed) {
      const i32 = new Int32Array(ex.memory.buffer);
      const order = [...Array(n).keys()].sort(() => r() - 0.5);
      for (let j = 0; j < k; j++) i32[(xp >>> 2) + j] = r() < 0.05 ? pick(r, [-1, n, order[0]!]) : order[j]!;
    }
    before = h.stamp();
    const bytes0 = ex.memory.buffer.byteLength;
    tail0 = h.heapStart + ex.ernn_heap_bytes();
    s = ex.ernn_streams_step(hd, k, indexed);
    report.steps++;
    if (ex.memory.buffer.byteLength !== bytes0) throw new Violation('ernn_streams_step grew memory');
    h.check(before, true, 'ernn_streams_step', tail0);
    constantsIntact(h, 'ernn_streams_step');
    if (s !== Status.Ok && !(s === Status.BadArgument && indexed)) throw new Violation(`ernn_streams_step returned ${statusName(s)}`);
    if (r() < 0.3) {
      const st = r() < 0.8 ? int(r, n) : pick(r, [-1, n]);
      const rs = ex.ernn_streams_reset(hd, st);
      if ((rs === Status.Ok) !== (st >= 0 && st < n)) throw new Violation(`ernn_streams_reset(${st}) of ${n} returned ${statusName(rs)}`);
      for (let l = 0; l < nLayers; l++) {
        const sp = ex.ernn_streams_state_ptr(hd, int(r, n), l, int(r, 2));
        if (sp !== 0) inArena(sp, 1, 'stream state');
      }
    }
  }
  if (ex.ernn_streams_destroy(hd) !== Status.Ok) throw new Violation('streams_destroy failed');
  h.blocks();
}

function abiCase(h: AbiHarness, c: FuzzCase, r: Rand, report: FuzzReport): void {
  if (c.bytes.length > CAP - 64) return;
  const ex = h.ex;
  h.n = 0;
  const before = h.stamp();
  const heap0 = ex.ernn_heap_bytes();
  const tail0 = h.heapStart + heap0;
  const s = h.load(c.bytes);
  report.statuses[statusName(s)] = (report.statuses[statusName(s)] ?? 0) + 1;
  h.pagesOk('load');
  h.check(before, false, 'ernn_model_load', tail0);
  constantsIntact(h, 'ernn_model_load');
  if (s !== Status.Ok) {
    if (!(s >= 1 && s <= 14)) throw new Violation(`load returned unknown status ${s}`);
    const field = ex.ernn_error_field();
    if (!KNOWN_FIELDS.has(field)) throw new Violation(`load failed (${statusName(s)}) with unknown field code ${field}`);
    const e = moduleError(ex, s, c.bytes, 'load');
    if (!isEdgeRnnError(e) || !e.message) throw new Violation(`the host's message for ${statusName(s)} is empty or untyped`);
    // a load that failed before allocating anything leaves the instance as it was: reuse it
    if (ex.ernn_heap_bytes() !== heap0) h.instantiate();
    return;
  }
  report.loaded++;
  report.mutations[c.kind]!.loaded++;
  exerciseAbi(h, r, report);
  h.instantiate(); // one model per instance (docs/ABI.md)
}

function runtimeCase(rt: Runtime, c: FuzzCase, r: Rand, report: FuzzReport, maxPages: number): void {
  let model;
  try {
    model = rt.load(c.bytes);
  } catch (e) {
    if (!isEdgeRnnError(e)) throw new Violation(`Runtime.load threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
    if (!e.message) throw new Violation(`Runtime.load threw ${e.name} without a message`);
    return;
  }
  report.runtimeLoaded++;
  try {
    const info = model.info;
    const F = info.inputSize;
    const B = 1 + int(r, 3), T = 1 + int(r, 4);
    const x = new Float32Array(B * T * F);
    fillInput(x, 0, x.length, r);
    const y = model.run(x, [B, T, F], { returnStates: r() < 0.3 });
    const want = B * (info.sequenceToVector ? 1 : T) * info.outputSize;
    if (y.data.length !== want) throw new Violation(`run returned ${y.data.length} values, expected ${want}`);
    void model.graph;
    if (info.streamable) {
      const set = model.streams(2);
      set.step(0, x.subarray(0, F));
      set.stepAll(new Float32Array(2 * F));
      set.reset(1);
      set.dispose();
    }
    if (info.memory.memoryBytes > maxPages * 65536) throw new Violation(`memory ${info.memory.memoryBytes} above the page limit`);
  } catch (e) {
    if (e instanceof Violation) throw e;
    if (isEdgeRnnError(e) && e.name === 'ResourceError') return;
    throw new Violation(`a model that loaded failed to run: ${(e as Error)?.name}: ${(e as Error)?.message}`);
  }
}

/** Runs `cases` cases of run `seed` and reports counts and findings. Synchronous. */
export function fuzzLoader(options: FuzzOptions): FuzzReport {
  const t0 = performance.now();
  const maxPages = options.maxPages ?? 256;
  const every = options.runtimeEvery ?? 5;
  const caseMillis = options.caseMillis ?? 2000;
  const maxFindings = options.maxFindings ?? 50;
  const start = options.start ?? 0;
  const report: FuzzReport = {
    cases: 0, abiCases: 0, runtimeCases: 0, loaded: 0, runtimeLoaded: 0, statuses: {}, mutations: {}, instances: 0,
    steps: 0, runs: 0, findings: [], maxCaseMillis: 0, millis: 0,
  };
  for (const k of MUT_NAMES) report.mutations[k] = { cases: 0, loaded: 0 };
  const harness = (['simd', 'scalar'] as const).map((b) => {
    const h = new AbiHarness(b, new WebAssembly.Module(wasmBinary(b) as BufferSource), maxPages);
    h.instantiate();
    return h;
  });
  // typed errors are what is checked, and their stacks (source-mapped under tsx and vitest)
  // would cost more than the loads
  const stackLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const runtimes = (['simd', 'scalar'] as const).map((b) => Runtime.createSync({ simd: b === 'simd', limits: { maxMemoryPages: maxPages, maxStreams: 64 } }));
  for (let i = start; i < start + options.cases && report.findings.length < maxFindings; i++) {
    const c = makeCase(options.seed, i);
    const r = rng((options.seed ^ Math.imul(i + 1, 0x27d4eb2d)) >>> 0);
    const which = i % 3 === 2 ? 1 : 0; // two thirds on the SIMD build, one third scalar
    const h = harness[which]!;
    report.mutations[c.kind]!.cases++;
    const tc = performance.now();
    const finding = (path: 'abi' | 'runtime', kind: string, message: string) => {
      report.findings.push({ case: i, path, build: h.build, kind, message, seed: c.seed.name, ops: c.ops, bytes: c.bytes });
    };
    try {
      report.abiCases++;
      abiCase(h, c, r, report);
    } catch (e) {
      if (e instanceof Violation) finding('abi', 'violation', e.message);
      else if (e instanceof WebAssembly.RuntimeError) finding('abi', 'trap', `${e.message}`);
      else finding('abi', 'error', `${(e as Error)?.stack ?? e}`);
      h.instantiate();
    }
    if (every > 0 && i % every === 0) {
      report.runtimeCases++;
      try {
        runtimeCase(runtimes[which]!, c, r, report, maxPages);
      } catch (e) {
        if (e instanceof Violation) finding('runtime', 'violation', e.message);
        else if (e instanceof WebAssembly.RuntimeError) finding('runtime', 'trap', e.message);
        else finding('runtime', 'error', `${(e as Error)?.stack ?? e}`);
      }
    }
    const ms = performance.now() - tc;
    if (ms > report.maxCaseMillis) report.maxCaseMillis = ms;
    if (ms > caseMillis) finding('abi', 'slow', `case took ${ms.toFixed(0)} ms`);
    report.cases++;
    if (options.onProgress && report.cases % 1000 === 0) {
      report.instances = harness.reduce((a, x) => a + x.instances, 0);
      report.millis = performance.now() - t0;
      options.onProgress(report.cases, report);
    }
  }
  Error.stackTraceLimit = stackLimit;
  report.instances = harness.reduce((a, x) => a + x.instances, 0);
  report.millis = performance.now() - t0;
  return report;
}
