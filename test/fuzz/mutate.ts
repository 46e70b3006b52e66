// Mutators of the converter fuzzer (test/fuzz/converters.ts): seeded, deterministic, each returns
// the mutated bytes and a short description of what it changed (a finding names its mutation).
//
// - bytes: bit flips, interesting byte/word values, insertions, deletions, duplications, truncation;
// - protobuf (ONNX): the wire format parsed into a tree (length-delimited fields become messages
//   where their content parses and re-encodes to the same bytes), fields changed, deleted,
//   duplicated, renamed or re-pointed, then re-encoded with correct lengths; or a length prefix
//   (or a varint) set to an edge value without fixing anything else;
// - JSON (TF.js model.json, safetensors headers and configs, Keras configs): a value, preferably
//   one under a key that sizes something (shape, units, data_offsets...), replaced by a huge,
//   negative, non-integer, non-finite or ill-typed value, deleted, duplicated or nested deeply;
// - safetensors: the header's JSON as above, or its u64 length set to an edge value;
// - zip (.keras): a central directory, local header or end record field set to an edge value, or a
//   member (config.json, model.weights.h5) mutated and the archive rebuilt with valid CRCs;
// - HDF5: bit flips and edge values near structure signatures (superblock, B-trees, heaps, global
//   heap collections) and attribute names, in-place edits of the JSON text of model_config.

import { zipSync, type Zippable } from 'fflate';
import { zipEntries, extractMember } from '../../host/convert/keras/zip.js';
import { jsonDepth } from '../../host/convert/json.js';
import { rng } from '../helpers/models.js';

// ---------------------------------------------------------------------------------------------
// Random numbers

export type Rng = () => number;

/** mulberry32: a small seeded generator, uniform in [0, 1) (the tests' one generator). */
export const mulberry32: (seed: number) => Rng = rng;

/** A seed for case `index` of run `runSeed` (a mix, so neighbouring cases are unrelated). */
export function caseSeed(runSeed: number, index: number): number {
  let h = Math.imul(runSeed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

export const int = (r: Rng, n: number): number => Math.floor(r() * n);
export function pick<T>(r: Rng, xs: readonly T[]): T {
  if (xs.length === 0) throw new Error('pick from an empty list');
  return xs[int(r, xs.length)]!;
}

export interface Mutation { bytes: Uint8Array; what: string }

// ---------------------------------------------------------------------------------------------
// Bytes

const EDGE8 = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];
const EDGE32 = [0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

function setLe(b: Uint8Array, at: number, width: number, v: bigint): void {
  for (let k = 0; k < width && at + k < b.length; k++) b[at + k] = Number((v >> BigInt(8 * k)) & 0xffn);
}

function getLe(b: Uint8Array, at: number, width: number): bigint {
  let v = 0n;
  for (let k = width - 1; k >= 0; k--) v = (v << 8n) | BigInt(b[at + k] ?? 0);
  return v;
}

/** An edge value for a `width`-byte field that holds `v` now. */
function edgeValue(r: Rng, width: number, v: bigint): bigint {
  const top = (1n << BigInt(8 * width)) - 1n;
  const choices = [0n, 1n, top, top >> 1n, (top >> 1n) + 1n, v + 1n, v - 1n, v * 2n, v << 16n, BigInt(pick(r, EDGE32))];
  if (width === 8) choices.push(1n << 53n, (1n << 53n) + 1n, 1n << 62n);
  return BigInt.asUintN(8 * width, pick(r, choices));
}

/** Generic byte-level mutation, anywhere in `b` (or in [lo, hi) when given). */
export function mutateBytes(r: Rng, src: Uint8Array, lo = 0, hi = src.length): Mutation {
  const b = src.slice();
  if (b.length === 0) return { bytes: Uint8Array.of(int(r, 256)), what: 'bytes: one byte into an empty file' };
  hi = Math.max(lo + 1, Math.min(hi, b.length));
  const at = lo + int(r, hi - lo);
  switch (int(r, 9)) {
    case 0: { const bit = int(r, 8); b[at] = b[at]! ^ (1 << bit); return { bytes: b, what: `bytes: flip bit ${bit} of byte ${at}` }; }
    case 1: { const n = 1 + int(r, 8); for (let k = 0; k < n; k++) { const p = lo + int(r, hi - lo); b[p] = b[p]! ^ (1 << int(r, 8)); } return { bytes: b, what: `bytes: ${n} random bit flips in [${lo}, ${hi})` }; }
    case 2: { const v = pick(r, EDGE8); b[at] = v; return { bytes: b, what: `bytes: byte ${at} = 0x${v.toString(16)}` }; }
    case 3: { const w = pick(r, [2, 4, 8]); const v = edgeValue(r, w, getLe(b, at, w)); setLe(b, at, w, v); return { bytes: b, what: `bytes: u${8 * w} at ${at} = ${v}` }; }
    case 4: { const n = 1 + int(r, 64); const ins = Uint8Array.from({ length: n }, () => (r() < 0.5 ? 0 : int(r, 256))); return { bytes: concat(b.subarray(0, at), ins, b.subarray(at)), what: `bytes: insert ${n} bytes at ${at}` }; }
    case 5: { const n = 1 + int(r, Math.min(256, b.length - at)); return { bytes: concat(b.subarray(0, at), b.subarray(at + n)), what: `bytes: delete ${n} bytes at ${at}` }; }
    case 6: { const n = 1 + int(r, Math.min(512, b.length - at)); const to = int(r, b.length); return { bytes: concat(b.subarray(0, to), b.subarray(at, at + n), b.subarray(to)), what: `bytes: copy ${n} bytes from ${at} to ${to}` }; }
    case 7: { const n = int(r, b.length); return { bytes: b.subarray(0, n), what: `bytes: truncate to ${n} of ${b.length}` }; }
    default: { const n = 1 + int(r, 32); for (let k = 0; k < n && at + k < b.length; k++) b[at + k] = int(r, 256); return { bytes: b, what: `bytes: ${n} random bytes at ${at}` }; }
  }
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Protobuf (ONNX)

export interface PbField {
  no: number;
  wire: 0 | 1 | 2 | 5;
  /** varint value (wire 0) */
  v?: bigint;
  /** fixed32/64 or length-delimited content */
  bytes?: Uint8Array;
  /** the content parsed as a message, when it is one */
  msg?: PbField[];
  /** encode this length prefix instead of the real one (breaks the message on purpose) */
  lenOverride?: bigint;
  /** encode this varint in place of the key + value (an overlong or truncated varint) */
  rawVarint?: Uint8Array;
}

function readVarint(b: Uint8Array, p: number): { v: bigint; end: number } | undefined {
  let v = 0n, shift = 0n;
  for (let k = 0; k < 10; k++) {
    if (p + k >= b.length) return undefined;
    const c = b[p + k]!;
    v |= BigInt(c & 0x7f) << shift;
    if ((c & 0x80) === 0) return { v, end: p + k + 1 };
    shift += 7n;
  }
  return undefined;
}

function varint(v: bigint): number[] {
  v = BigInt.asUintN(64, v);
  const out: number[] = [];
  do {
    let c = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) c |= 0x80;
    out.push(c);
  } while (v > 0n);
  return out;
}

/** Parses a message; undefined if the bytes are not one. */
export function pbParse(b: Uint8Array, depth = 0): PbField[] | undefined {
  const out: PbField[] = [];
  let p = 0;
  while (p < b.length) {
    const key = readVarint(b, p);
    if (!key) return undefined;
    p = key.end;
    const no = Number(key.v >> 3n), wire = Number(key.v & 7n);
    if (no < 1 || no > 1 << 20) return undefined;
    if (wire === 0) {
      const v = readVarint(b, p);
      if (!v) return undefined;
      out.push({ no, wire, v: v.v });
      p = v.end;
    } else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (p + n > b.length) return undefined;
      out.push({ no, wire, bytes: b.slice(p, p + n) });
      p += n;
    } else if (wire === 2) {
      const l = readVarint(b, p);
      if (!l || l.v > BigInt(b.length - l.end)) return undefined;
      p = l.end;
      const c = b.subarray(p, p + Number(l.v));
      p += c.length;
      const f: PbField = { no, wire, bytes: c.slice() };
      if (depth < 16 && c.length > 0 && c.length < 1 << 16) {
        const m = pbParse(c, depth + 1);
        if (m && equalBytes(pbEncode(m), c)) f.msg = m;
      }
      out.push(f);
    } else return undefined;
  }
  return out;
}

export function pbEncode(fields: PbField[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f of fields) {
    if (f.rawVarint) { parts.push(Uint8Array.from(varint(BigInt((f.no << 3) | f.wire))), f.rawVarint); continue; }
    parts.push(Uint8Array.from(varint(BigInt((f.no << 3) | f.wire))));
    if (f.wire === 0) parts.push(Uint8Array.from(varint(f.v ?? 0n)));
    else if (f.wire === 1 || f.wire === 5) parts.push(f.bytes!);
    else {
      const c = f.msg ? pbEncode(f.msg) : f.bytes!;
      parts.push(Uint8Array.from(varint(f.lenOverride ?? BigInt(c.length))), c);
    }
  }
  return concat(...parts);
}

interface PbRef { field: PbField; list: PbField[]; path: number[] }

function pbRefs(fields: PbField[], path: number[] = [], out: PbRef[] = []): PbRef[] {
  for (const f of fields) {
    const p = [...path, f.no];
    out.push({ field: f, list: fields, path: p });
    if (f.msg) pbRefs(f.msg, p, out);
  }
  return out;
}

// ONNX field numbers, for readable descriptions and for aiming at the fields that size things.
const ONNX_NAMES: Record<string, string> = {
  '7': 'graph', '7.1': 'node', '7.5': 'initializer', '7.11': 'input', '7.12': 'output', '7.13': 'value_info',
  '7.1.1': 'input', '7.1.2': 'output', '7.1.4': 'op_type', '7.1.5': 'attribute', '7.1.5.3': 'i', '7.1.5.8': 'ints', '7.1.5.1': 'name',
  '7.1.5.5': 't', '7.1.5.20': 'type', '7.5.1': 'dims', '7.5.2': 'data_type', '7.5.8': 'name', '7.5.9': 'raw_data', '7.5.4': 'float_data',
  '7.11.2.1.2.1.1': 'dim_value', '7.12.2.1.2.1.1': 'dim_value', '7.11.2.1.1': 'elem_type', '1': 'ir_version', '8': 'opset_import', '8.2': 'version',
};
const describePath = (p: number[]): string => {
  const names: string[] = [];
  for (let k = 1; k <= p.length; k++) names.push(ONNX_NAMES[p.slice(0, k).join('.')] ?? String(p[k - 1]));
  return names.join('.');
};
const HOT_PATH = /^(7\.5\.1|7\.5\.2|7\.1\.5\.3|7\.1\.5\.8|7\.1\.5\.5\.1|7\.1\.5\.20|7\.1[12]\.2\.1\.2\.1\.1|7\.13\.2\.1\.2\.1\.1|8\.2|1)$/;

const VARINT_EDGES = [0n, 1n, 2n, 3n, 0x7fn, 0x80n, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n,
  1n << 53n, (1n << 53n) + 1n, (1n << 63n) - 1n, (1n << 64n) - 1n, (1n << 64n) - 2n, (1n << 64n) - 0x80000000n];

const OP_TYPES = ['LSTM', 'GRU', 'RNN', 'Gemm', 'MatMul', 'Add', 'Sub', 'Mul', 'Div', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze',
  'Concat', 'Slice', 'Gather', 'Shape', 'Constant', 'Identity', 'Sigmoid', 'Tanh', 'Relu', 'Softmax', 'Flatten', 'Cast', 'Where',
  'Expand', 'Split', 'ConstantOfShape', 'Range', 'Loop', 'If', 'NoSuchOp'];

export function mutateProtobuf(r: Rng, src: Uint8Array): Mutation {
  const tree = pbParse(src);
  if (!tree || r() < 0.1) return mutateBytes(r, src);
  const refs = pbRefs(tree);
  const strings = refs.filter((x) => x.field.wire === 2 && !x.field.msg && x.field.bytes!.length < 64 && /^(7\.1\.[12]|7\.5\.8|7\.1[123]\.1)$/.test(x.path.join('.')))
    .map((x) => x.field.bytes!);
  const kind = int(r, 8);
  if (kind <= 2) {
    // a varint set to an edge value, aimed at dims, attributes, types and shapes most of the time
    const varints = refs.filter((x) => x.field.wire === 0);
    const hot = varints.filter((x) => HOT_PATH.test(x.path.join('.')));
    const ref = pick(r, hot.length > 0 && r() < 0.7 ? hot : varints.length > 0 ? varints : refs);
    if (ref.field.wire !== 0) return mutateBytes(r, src);
    const old = ref.field.v!;
    const v = r() < 0.25 ? BigInt.asUintN(64, pick(r, [old + 1n, old - 1n, old * 2n, old * 1000n, -old])) : pick(r, VARINT_EDGES);
    ref.field.v = v;
    return { bytes: pbEncode(tree), what: `protobuf: ${describePath(ref.path)} ${old} -> ${BigInt.asIntN(64, v)}` };
  }
  if (kind === 3) {
    // a length prefix set to an edge value, the content left as it is
    const lens = refs.filter((x) => x.field.wire === 2);
    if (lens.length === 0) return mutateBytes(r, src);
    const ref = pick(r, lens);
    const len = BigInt((ref.field.msg ? pbEncode(ref.field.msg) : ref.field.bytes!).length);
    ref.field.lenOverride = pick(r, [0n, len - 1n, len + 1n, len + 7n, 0x7fffffffn, 0xffffffffn, 1n << 40n, (1n << 64n) - 1n]);
    if (ref.field.lenOverride < 0n) ref.field.lenOverride = 0n;
    return { bytes: pbEncode(tree), what: `protobuf: length of ${describePath(ref.path)} ${len} -> ${ref.field.lenOverride}` };
  }
  if (kind === 4) {
    const ref = pick(r, refs);
    ref.list.splice(ref.list.indexOf(ref.field), 1);
    return { bytes: pbEncode(tree), what: `protobuf: delete ${describePath(ref.path)}` };
  }
  if (kind === 5) {
    const ref = pick(r, refs);
    const copies = r() < 0.8 ? 1 : 1 + int(r, 50);
    ref.list.splice(ref.list.indexOf(ref.field), 0, ...Array.from({ length: copies }, () => ref.field));
    return { bytes: pbEncode(tree), what: `protobuf: duplicate ${describePath(ref.path)} x${copies}` };
  }
  if (kind === 6) {
    // strings: op types, node inputs/outputs re-pointed at other names (cycles, self loops)
    const targets = refs.filter((x) => x.field.wire === 2 && !x.field.msg && /^(7\.1\.[124]|7\.1\.5\.1|7\.1[123]\.1|7\.5\.8)$/.test(x.path.join('.')));
    if (targets.length === 0) return mutateBytes(r, src);
    const ref = pick(r, targets);
    const old = new TextDecoder().decode(ref.field.bytes);
    const isOp = ref.path.join('.') === '7.1.4';
    const bytes = isOp ? new TextEncoder().encode(pick(r, OP_TYPES)) : r() < 0.85 && strings.length > 0 ? pick(r, strings) : new TextEncoder().encode(pick(r, ['', 'x', 'Y_h', old + old]));
    ref.field.bytes = bytes;
    return { bytes: pbEncode(tree), what: `protobuf: ${describePath(ref.path)} '${old}' -> '${new TextDecoder().decode(bytes)}'` };
  }
  // bytes content (raw_data, strings): cut, emptied, grown, or byte-mutated inside
  const blobs = refs.filter((x) => x.field.wire === 2 && !x.field.msg);
  if (blobs.length === 0) return mutateBytes(r, src);
  const ref = pick(r, blobs);
  const old = ref.field.bytes!;
  const how = int(r, 4);
  ref.field.bytes = how === 0 ? old.subarray(0, int(r, old.length + 1)) : how === 1 ? new Uint8Array(0) : how === 2 ? concat(old, old) : mutateBytes(r, old).bytes;
  return { bytes: pbEncode(tree), what: `protobuf: content of ${describePath(ref.path)} ${old.length} -> ${ref.field.bytes.length} bytes (${['cut', 'emptied', 'doubled', 'byte-mutated'][how]})` };
}

// ---------------------------------------------------------------------------------------------
// JSON

const HOT_KEYS = new Set([
  'shape', 'units', 'data_offsets', 'batch_input_shape', 'batch_shape', 'input_shape', 'input_dim', 'output_dim', 'dtype',
  'paths', 'weights', 'hidden_size', 'input_size', 'num_layers', 'layers', 'target_shape', 'dims', 'axis', 'filters',
  'kernel_size', 'strides', 'return_sequences', 'go_backwards', 'stateful', 'reset_after', 'activation', 'recurrent_activation',
  'class_name', 'name', 'quantization', 'scale', 'min', 'inbound_nodes', 'merge_mode', 'bidirectional', 'batch_first',
  'nonlinearity', 'bias', 'proj_size', 'output_size', 'inputs', 'outputs', 'rate', 'epsilon', 'mask_value', 'use_bias',
  'weightsManifest', 'modelTopology', 'model_config', 'config', 'layer', 'backward_layer', 'cell', 'implementation',
  'sample_period', 'samplePeriod', 'horizon', 'observe', 'features', 'normalize', 'mean', 'std',
]);

/** A number as raw JSON text that JSON.stringify cannot produce (1e400 parses as Infinity). */
class Raw { constructor(readonly text: string) {} }

const NUMBER_EDGES: (number | Raw)[] = [0, -1, 1, 2, 0.5, 1.5, -0.5, 2 ** 31, 2 ** 32, 2 ** 32 + 1, 2 ** 53, 2 ** 53 + 2, 2 ** 63, 1e20, 1e308, -1e308,
  -(2 ** 31), 1e-300, new Raw('1e400'), new Raw('-1e400'), new Raw('-0'), new Raw('1E2'), new Raw('4294967296.0')];
const OTHER_EDGES: unknown[] = [null, '1', '', true, false, [], {}, [1, 2], [null], { a: 1 }, 'x'.repeat(300), [-1], [2 ** 53], [0]];

interface JRef { parent: Record<string, unknown> | unknown[]; key: string | number; value: unknown; hot: boolean; path: string }

function jsonRefs(v: unknown, path: string, hot: boolean, out: JRef[]): void {
  if (Array.isArray(v)) v.forEach((x, i) => { out.push({ parent: v, key: i, value: x, hot, path: `${path}[${i}]` }); jsonRefs(x, `${path}[${i}]`, hot, out); });
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const h = HOT_KEYS.has(k);
      out.push({ parent: v as Record<string, unknown>, key: k, value: x, hot: h || (hot && typeof x !== 'object'), path: `${path}.${k}` });
      jsonRefs(x, `${path}.${k}`, h, out);
    }
  }
}

function stringify(v: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(v, (_k, x: unknown) => (x instanceof Raw ? `\u0000raw${raws.push(x.text) - 1}\u0000` : x));
  return text.replace(/"\\u0000raw(\d+)\\u0000"/g, (_m, i: string) => raws[Number(i)]!);
}

const short = (v: unknown): string => {
  const s = v instanceof Raw ? v.text : JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
};

/** Mutates a parsed JSON value in place; returns a description. */
export function mutateJsonValue(r: Rng, doc: unknown): string {
  const refs: JRef[] = [];
  jsonRefs(doc, '$', false, refs);
  if (refs.length === 0) return 'json: nothing to mutate';
  const hot = refs.filter((x) => x.hot);
  const ref = pick(r, hot.length > 0 && r() < 0.75 ? hot : refs);
  const set = (v: unknown) => { (ref.parent as Record<string | number, unknown>)[ref.key] = v; };
  const op = int(r, 10);
  if (op <= 4 || (typeof ref.value === 'number' && op <= 6)) {
    const v = typeof ref.value === 'number' && r() < 0.8
      ? (r() < 0.3 ? pick(r, [ref.value + 1, ref.value - 1, ref.value * 1000, -ref.value, ref.value + 0.5]) : pick(r, NUMBER_EDGES))
      : pick(r, r() < 0.5 ? NUMBER_EDGES : OTHER_EDGES);
    set(v);
    return `json: ${ref.path} ${short(ref.value)} -> ${short(v)}`;
  }
  if (op === 5) {
    if (Array.isArray(ref.parent)) ref.parent.splice(ref.key as number, 1);
    else delete (ref.parent as Record<string, unknown>)[ref.key as string];
    return `json: delete ${ref.path}`;
  }
  if (op === 6) {
    if (Array.isArray(ref.parent)) {
      const n = r() < 0.8 ? 1 : 1 + int(r, 1000);
      ref.parent.splice(ref.key as number, 0, ...Array.from({ length: n }, () => structuredClone(ref.value)));
      return `json: duplicate ${ref.path} x${n}`;
    }
    const other = pick(r, refs);
    set(structuredClone(other.value));
    return `json: ${ref.path} = copy of ${other.path}`;
  }
  if (op === 7) {
    // as text: JSON.stringify itself would overflow the stack on the deepest
    const depth = pick(r, [64, 1000, 20000, 200000]);
    const array = r() < 0.5;
    const inner = stringify(ref.value) ?? 'null';
    set(new Raw(array ? `${'['.repeat(depth)}${inner}${']'.repeat(depth)}` : `${'{"config":'.repeat(depth)}${inner}${'}'.repeat(depth)}`));
    return `json: ${ref.path} nested ${depth} deep in ${array ? 'lists' : 'objects'}`;
  }
  if (op === 8 && typeof ref.value === 'string') {
    const v = pick(r, ['', ref.value.toUpperCase(), `${ref.value}_1`, 'LSTM', 'GRU', 'SimpleRNN', 'Dense', 'Bidirectional', 'TimeDistributed',
      'float16', 'int32', 'uint8', 'bfloat16', 'F64', 'I8', 'BF16', 'relu', 'hard_sigmoid', 'linear', 'softmax', '../x', '%zz']);
    set(v);
    return `json: ${ref.path} '${ref.value}' -> '${v}'`;
  }
  // swap with a sibling array element or another key's value
  const other = pick(r, refs);
  const tmp = ref.value;
  set(other.value);
  (other.parent as Record<string | number, unknown>)[other.key] = tmp;
  return `json: swap ${ref.path} and ${other.path}`;
}

export function mutateJson(r: Rng, src: Uint8Array): Mutation {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(src));
  } catch {
    return mutateBytes(r, src);
  }
  // an earlier mutation of this case may have nested it too deep to walk
  if (r() < 0.1 || jsonDepth(doc, 1000) > 1000) return mutateBytes(r, src);
  const what = mutateJsonValue(r, doc);
  return { bytes: new TextEncoder().encode(stringify(doc)), what };
}

// ---------------------------------------------------------------------------------------------
// safetensors

export function mutateSafetensors(r: Rng, src: Uint8Array): Mutation {
  if (src.length < 10) return mutateBytes(r, src);
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  if (8 + n > src.length) return mutateBytes(r, src);
  const data = src.subarray(8 + n);
  const k = int(r, 10);
  if (k <= 5) {
    let header: unknown;
    try { header = JSON.parse(new TextDecoder().decode(src.subarray(8, 8 + n))); } catch { return mutateBytes(r, src); }
    if (jsonDepth(header, 1000) > 1000) return mutateBytes(r, src);
    const what = mutateJsonValue(r, header);
    const text = new TextEncoder().encode(stringify(header));
    const out = new Uint8Array(8 + text.length + data.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
    out.set(text, 8);
    out.set(data, 8 + text.length);
    return { bytes: out, what: `safetensors header ${what}` };
  }
  if (k === 6) {
    const out = src.slice();
    const v = pick(r, [0n, 1n, 2n, BigInt(n - 1), BigInt(n + 1), BigInt(src.length - 8), BigInt(src.length), 100_000_000n, 100_000_001n, 1n << 53n, (1n << 64n) - 1n, 1n << 63n]);
    new DataView(out.buffer).setBigUint64(0, v, true);
    return { bytes: out, what: `safetensors: header length ${n} -> ${v}` };
  }
  if (k === 7) {
    const cut = 8 + n + int(r, data.length + 1);
    return { bytes: src.subarray(0, cut), what: `safetensors: data section cut to ${cut - 8 - n} of ${data.length} bytes` };
  }
  if (k === 8) {
    const m = mutateBytes(r, src, 0, 8 + n);
    return { bytes: m.bytes, what: `safetensors header ${m.what}` };
  }
  const m = mutateBytes(r, src, 8 + n);
  return { bytes: m.bytes, what: `safetensors data ${m.what}` };
}

// ---------------------------------------------------------------------------------------------
// HDF5

const H5_SIGNATURES = ['\x89HDF', 'TREE', 'HEAP', 'SNOD', 'GCOL', 'OHDR', 'OCHK', 'BTHD', 'BTLF', 'BTIN', 'FRHP', 'FHDB', 'FHIB', 'FSHD', 'FSSE', 'SMTB', 'SMLI'];
const H5_NAMES = ['layer_names', 'weight_names', 'model_config', 'keras_version', 'backend', 'kernel', 'bias', 'vars', 'name', 'training_config'];

function findAll(b: Uint8Array, needle: string, max = 4096): number[] {
  const n = new TextEncoder().encode(needle);
  const out: number[] = [];
  for (let i = b.indexOf(n[0]!); i >= 0 && out.length < max; i = b.indexOf(n[0]!, i + 1)) {
    let ok = true;
    for (let k = 1; k < n.length && ok; k++) ok = b[i + k] === n[k];
    if (ok) out.push(i);
  }
  return out;
}

/** In-place edits of the JSON text stored in the file (model_config): numbers and booleans, same length. */
function h5JsonEdit(r: Rng, src: Uint8Array): Mutation | undefined {
  const starts = findAll(src, '{"class_name"', 16);
  if (starts.length === 0) return undefined;
  const s = pick(r, starts);
  let end = s;
  while (end < src.length && src[end] !== 0 && end - s < 1 << 20) end++;
  const text = new TextDecoder('latin1').decode(src.subarray(s, end));
  const tokens: { at: number; text: string }[] = [];
  for (const m of text.matchAll(/-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null/g)) tokens.push({ at: m.index, text: m[0] });
  if (tokens.length === 0) return undefined;
  const t = pick(r, tokens);
  const len = t.text.length;
  const pad = (x: string) => (x.length <= len ? x.padEnd(len, ' ') : undefined);
  const options = [pad('0'), pad('-1'), pad('1'), '9'.repeat(len), len >= 2 ? `-${'9'.repeat(len - 1)}` : undefined, pad('null'), pad('true'), pad('1e9'), pad('1e99'), pad('0.5'), pad('[]'), pad('{}'), pad('""')]
    .filter((x): x is string => x !== undefined);
  const v = pick(r, options);
  const out = src.slice();
  out.set(new TextEncoder().encode(v), s + t.at);
  return { bytes: out, what: `hdf5: model_config text '${t.text}' at ${s + t.at} -> '${v.trimEnd()}'` };
}

export function mutateHdf5(r: Rng, src: Uint8Array): Mutation {
  const k = int(r, 10);
  if (k <= 1) {
    const m = h5JsonEdit(r, src);
    if (m) return m;
  }
  if (k <= 4) {
    const sig = pick(r, H5_SIGNATURES);
    const at = findAll(src, sig, 256);
    if (at.length > 0) {
      const base = pick(r, at);
      const off = base + 4 + int(r, 60);
      const b = src.slice();
      if (r() < 0.5) {
        const w = pick(r, [1, 2, 4, 8]);
        const v = edgeValue(r, w, getLe(b, off, w));
        setLe(b, off, w, v);
        return { bytes: b, what: `hdf5: '${sig.replace('\x89', '')}' at ${base}: u${8 * w} at +${off - base} = ${v}` };
      }
      const m = mutateBytes(r, src, base, Math.min(src.length, base + 128));
      return { bytes: m.bytes, what: `hdf5: near '${sig.replace('\x89', '')}' at ${base}: ${m.what}` };
    }
  }
  if (k <= 6) {
    const name = pick(r, H5_NAMES);
    const at = findAll(src, name, 256);
    if (at.length > 0) {
      const base = pick(r, at);
      const b = src.slice();
      const off = base + name.length + int(r, 72);
      const w = pick(r, [1, 2, 4, 8]);
      const v = edgeValue(r, w, getLe(b, off, w));
      setLe(b, off, w, v);
      return { bytes: b, what: `hdf5: after '${name}' at ${base}: u${8 * w} at +${off - base} = ${v}` };
    }
  }
  if (k === 7) {
    const m = mutateBytes(r, src, 0, Math.min(src.length, 4096));
    return { bytes: m.bytes, what: `hdf5: first 4 KiB: ${m.what}` };
  }
  const m = mutateBytes(r, src);
  return { bytes: m.bytes, what: `hdf5: ${m.what}` };
}

// ---------------------------------------------------------------------------------------------
// zip (.keras)

const u16 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;

function signatures(b: Uint8Array, sig: number): number[] {
  const out: number[] = [];
  for (let i = 0; i + 4 <= b.length; i++) if (u32(b, i) === sig) out.push(i);
  return out;
}

/** A fixed member time, so that a rebuilt archive is the same bytes in every run. */
export const ZIP_TIME = new Date(2020, 0, 1);

/** The members of an archive (cached per array: the seeds' archives are unzipped once). */
const unzipCache = new WeakMap<Uint8Array, Record<string, Uint8Array>>();
function unzipped(src: Uint8Array): Record<string, Uint8Array> {
  let members = unzipCache.get(src);
  if (!members) {
    members = Object.fromEntries(zipEntries(src, 'seed').map((e) => [e.name, extractMember(src, e, 1 << 30, 'seed')]));
    unzipCache.set(src, members);
  }
  return members;
}

export function mutateZip(r: Rng, src: Uint8Array): Mutation {
  const k = int(r, 10);
  if (k <= 4) {
    // a member mutated, the archive rebuilt (valid CRCs: the mutation reaches the member's reader)
    let members: Record<string, Uint8Array>;
    try {
      members = { ...unzipped(src) };
    } catch {
      return mutateBytes(r, src);
    }
    const names = Object.keys(members);
    if (names.length === 0) return mutateBytes(r, src);
    const known = names.filter((n) => n.endsWith('.json') || n.endsWith('.h5'));
    const name = known.length > 0 && r() < 0.9 ? pick(r, known) : pick(r, names);
    let what: string;
    if (r() < 0.08) {
      delete members[name];
      what = `delete member ${name}`;
    } else if (r() < 0.04) {
      members[`${name}`] = new Uint8Array(0);
      what = `member ${name} emptied`;
    } else {
      const m = name.endsWith('.json') ? mutateJson(r, members[name]!) : name.endsWith('.h5') ? mutateHdf5(r, members[name]!) : mutateBytes(r, members[name]!);
      members[name] = m.bytes;
      what = `${name}: ${m.what}`;
    }
    const level = r() < 0.7 ? 0 : 6;
    const z: Zippable = {};
    for (const [n, b] of Object.entries(members)) z[n] = [b, { level, mtime: ZIP_TIME }];
    return { bytes: zipSync(z), what: `zip member (rebuilt, level ${level}) ${what}` };
  }
  const b = src.slice();
  const cds = signatures(b, 0x02014b50), locals = signatures(b, 0x04034b50), ends = signatures(b, 0x06054b50);
  const fields: { at: number; w: 2 | 4; name: string }[] = [];
  for (const c of cds) {
    const n = new TextDecoder().decode(b.subarray(c + 46, c + 46 + u16(b, c + 28)));
    fields.push({ at: c + 8, w: 2, name: `${n} cd flags` }, { at: c + 10, w: 2, name: `${n} cd method` }, { at: c + 16, w: 4, name: `${n} cd crc` },
      { at: c + 20, w: 4, name: `${n} cd compressed size` }, { at: c + 24, w: 4, name: `${n} cd size` }, { at: c + 28, w: 2, name: `${n} cd name length` },
      { at: c + 30, w: 2, name: `${n} cd extra length` }, { at: c + 32, w: 2, name: `${n} cd comment length` }, { at: c + 42, w: 4, name: `${n} cd local offset` });
  }
  for (const l of locals) {
    fields.push({ at: l + 8, w: 2, name: `local@${l} method` }, { at: l + 18, w: 4, name: `local@${l} compressed size` },
      { at: l + 26, w: 2, name: `local@${l} name length` }, { at: l + 28, w: 2, name: `local@${l} extra length` });
  }
  for (const e of ends) {
    fields.push({ at: e + 4, w: 2, name: 'eocd disk' }, { at: e + 8, w: 2, name: 'eocd entries on disk' }, { at: e + 10, w: 2, name: 'eocd entries' },
      { at: e + 12, w: 4, name: 'eocd cd size' }, { at: e + 16, w: 4, name: 'eocd cd offset' }, { at: e + 20, w: 2, name: 'eocd comment length' });
  }
  if (fields.length === 0 || k === 9) {
    const m = mutateBytes(r, src);
    return { bytes: m.bytes, what: `zip: ${m.what}` };
  }
  const f = pick(r, fields);
  const old = getLe(b, f.at, f.w);
  const v = r() < 0.15 ? BigInt(f.w === 4 ? b.length : 0xffff) : edgeValue(r, f.w, old);
  setLe(b, f.at, f.w, v);
  return { bytes: b, what: `zip: ${f.name} ${old} -> ${v}` };
}
