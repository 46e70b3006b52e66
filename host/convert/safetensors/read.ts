// safetensors reader (docs/SAFETENSORS.md, ../shared/reference/rnn-semantics.md §5).
//
//   bytes 0..7     N, u64 little-endian: the header length
//   bytes 8..8+N   UTF-8 JSON object, possibly right-padded with spaces:
//                  { "__metadata__": {string: string}, "<name>": {dtype, shape, data_offsets}, ... }
//   bytes 8+N..    the data section; data_offsets [begin, end) are relative to its start
//
// The whole header is validated before any tensor is decoded, with the rules of the reference
// implementation (huggingface/safetensors `Metadata::validate`): N at most 100 MB and inside the
// file, the JSON starts with '{', known dtypes, shapes of non-negative safe integers,
// end - begin = prod(shape) * sizeof(dtype), tensors contiguous from offset 0 (no overlaps, no
// holes) and the data section ending exactly at the end of the file. Tensors are decoded on
// request only (an unused integer tensor does not stop a model from loading), with a DataView,
// because neither the data section nor a tensor inside it has to be aligned.

import { ModelFormatError, ResourceError, UnsupportedModelError } from '../../errors.js';
import { halfToFloat } from '../../io/half.js';
import { checkJsonDepth } from '../json.js';

/** The reference implementation's cap on the header length (MAX_HEADER_SIZE). */
export const MAX_HEADER_BYTES = 100_000_000;
/** Default cap on the total number of elements of all tensors (a 256 MB float32 model). */
export const DEFAULT_MAX_ELEMENTS = 64 * 1024 * 1024;

/** Bits per element of every dtype the safetensors specification defines. */
const DTYPE_BITS: Record<string, number> = {
  BOOL: 8, U8: 8, I8: 8, F8_E5M2: 8, F8_E4M3: 8, F8_E8M0: 8, I16: 16, U16: 16, F16: 16, BF16: 16,
  I32: 32, U32: 32, F32: 32, F64: 64, I64: 64, U64: 64, C64: 64, F4: 4, F6_E2M3: 6, F6_E3M2: 6,
};
/** dtypes decoded to float32. */
const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16', 'F64']);

export interface SafetensorsEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Elements (product of shape). */
  size: number;
  /** [begin, end) relative to the data section. */
  begin: number;
  end: number;
}

export interface SafetensorsFile {
  /** The file name used in messages. */
  file: string;
  /** `__metadata__` (empty when absent). */
  metadata: Record<string, string>;
  /** Tensors in header order. */
  tensors: Map<string, SafetensorsEntry>;
  /** File offset of the data section (8 + N). */
  dataStart: number;
  bytes: Uint8Array;
}

export interface SafetensorsReadOptions {
  /** File name for messages (default 'model.safetensors'). */
  file?: string;
  /** Refuse files whose tensors hold more elements in total (default 64 Mi). */
  maxElements?: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Whether the bytes look like a safetensors file (it has no magic number): a header length that
 * fits the file and the 100 MB cap, followed by '{'. Test it before ONNX's one-byte check: the
 * first byte of a header length of 256k + 8 is 0x08 too.
 */
export function looksLikeSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  return n >= 2n && n <= BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8)) && bytes[8] === 0x7b;
}

/** Parses and validates a safetensors file's header; tensors are decoded by `readFloat32`. */
export function readSafetensors(bytes: Uint8Array, options: SafetensorsReadOptions = {}): SafetensorsFile {
  const file = options.file ?? 'model.safetensors';
  const maxElements = options.maxElements ?? DEFAULT_MAX_ELEMENTS;
  const bad = (msg: string, where = file, expected?: unknown, actual?: unknown): never => {
    throw new ModelFormatError(`${file}: ${msg}`, { where, ...(expected !== undefined ? { expected } : {}), ...(actual !== undefined ? { actual } : {}) });
  };
  if (bytes.length < 8) bad(`file has ${bytes.length} bytes; a safetensors file starts with an 8-byte header length`, file, 8, bytes.length);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = dv.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES)) {
    bad(`header length ${n64} exceeds the 100 MB limit of the safetensors format`, 'header length', MAX_HEADER_BYTES, n64.toString());
  }
  const N = Number(n64);
  if (8 + N > bytes.length) bad(`header needs ${N} bytes at offset 8, file has ${bytes.length}`, 'header length', 8 + N, bytes.length);
  if (N < 2 || bytes[8] !== 0x7b) bad(`header must be a JSON object starting with '{' (byte 8 is ${N === 0 ? 'missing' : `0x${bytes[8]!.toString(16).padStart(2, '0')}`})`, 'header');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + N));
  } catch {
    return bad('header is not valid UTF-8', 'header');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return bad(`header is not valid JSON (${(e as Error).message})`, 'header');
  }
  if (!isObject(header)) return bad('header is not a JSON object', 'header');
  checkJsonDepth(header, `${file}: header`);

  const metadata: Record<string, string> = {};
  const meta = header['__metadata__'];
  if (meta !== undefined) {
    if (!isObject(meta)) bad('__metadata__ must be an object of strings', '__metadata__');
    for (const [k, v] of Object.entries(meta as Record<string, unknown>)) {
      if (typeof v !== 'string') bad(`__metadata__ entry '${k}' is ${JSON.stringify(v)}; entries must be strings`, `__metadata__.${k}`);
      metadata[k] = v as string;
    }
  }

  const dataStart = 8 + N;
  const dataBytes = bytes.length - dataStart;
  const tensors = new Map<string, SafetensorsEntry>();
  let totalElements = 0;
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const t = `tensor '${name}'`;
    if (!isObject(info)) return bad(`${t}: entry must be an object with dtype, shape and data_offsets`, name);
    const { dtype, shape, data_offsets: offs } = info;
    if (typeof dtype !== 'string') return bad(`${t}: dtype must be a string, got ${JSON.stringify(dtype)}`, name);
    const bits = DTYPE_BITS[dtype];
    if (bits === undefined) {
      throw new UnsupportedModelError(`${file}: ${t} has dtype '${dtype}', which this reader does not know`, { where: name, actual: dtype });
    }
    if (!Array.isArray(shape) || !shape.every(isCount)) {
      return bad(`${t}: shape must be an array of non-negative integers up to 2^53, got ${JSON.stringify(shape)}`, name);
    }
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every(isCount) || (offs[0] as number) > (offs[1] as number)) {
      return bad(`${t}: data_offsets must be [begin, end] with 0 <= begin <= end, got ${JSON.stringify(offs)}`, name);
    }
    let size = 1;
    for (const d of shape as number[]) {
      size *= d;
      if (!Number.isSafeInteger(size)) return bad(`${t}: shape [${(shape as number[]).join(', ')}] has more than 2^53 elements`, name);
    }
    const [begin, end] = offs as [number, number];
    const need = (size * bits) / 8;
    if (!Number.isSafeInteger(need)) return bad(`${t}: shape [${(shape as number[]).join(', ')}] of ${dtype} is not a whole number of bytes`, name);
    if (end - begin !== need) {
      return bad(`${t}: shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${need} bytes, data_offsets [${begin}, ${end}] hold ${end - begin}`, name, need, end - begin);
    }
    if (end > dataBytes) {
      return bad(`${t} needs ${need} bytes at offset ${dataStart + begin} (data_offsets [${begin}, ${end}] after the ${dataStart}-byte header), file has ${bytes.length}`, name, dataStart + end, bytes.length);
    }
    totalElements += size;
    if (totalElements > maxElements) {
      throw new ResourceError(`${file}: the tensors hold more than ${maxElements} elements (limit maxElements) at ${t}`, { where: name, expected: maxElements, actual: totalElements });
    }
    tensors.set(name, { name, dtype, shape: (shape as number[]).slice(), size, begin, end });
  }

  // contiguity, as the reference implementation requires: sorted by offsets, each tensor starts
  // where the previous one ended, the last one ends at the end of the file
  const sorted = [...tensors.values()].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let prev: SafetensorsEntry | undefined;
  for (const e of sorted) {
    if (e.begin < at) {
      bad(`tensors '${prev!.name}' [${prev!.begin}, ${prev!.end}) and '${e.name}' [${e.begin}, ${e.end}) overlap in the data section`, e.name);
    }
    if (e.begin > at) {
      bad(`bytes [${at}, ${e.begin}) of the data section (before tensor '${e.name}') belong to no tensor; safetensors tensors are contiguous`, e.name);
    }
    at = e.end;
    prev = e;
  }
  if (at !== dataBytes) {
    bad(`the data section has ${dataBytes} bytes but the tensors end at ${at}${at < dataBytes ? ' (trailing bytes)' : ''}`, 'data', at, dataBytes);
  }
  return { file, metadata, tensors, dataStart, bytes };
}


/**
 * Decodes one tensor to float32 (F32, F16 and BF16 exactly; F64 rounded to nearest). Integer,
 * boolean and 8-bit float tensors are refused: they are not float weights.
 */
export function readFloat32(st: SafetensorsFile, name: string): Float32Array {
  const e = st.tensors.get(name);
  if (!e) throw new ModelFormatError(`${st.file}: no tensor '${name}'`, { where: name });
  if (!FLOAT_DTYPES.has(e.dtype)) {
    throw new UnsupportedModelError(`${st.file}: tensor '${name}' is ${e.dtype}; weights must be F32, F16, BF16 or F64 (quantized or integer state_dicts are not supported)`, { where: name, expected: 'F32|F16|BF16|F64', actual: e.dtype });
  }
  const off = st.dataStart + e.begin;
  const dv = new DataView(st.bytes.buffer, st.bytes.byteOffset + off, e.end - e.begin);
  const out = new Float32Array(e.size);
  switch (e.dtype) {
    case 'F32':
      for (let i = 0; i < e.size; i++) out[i] = dv.getFloat32(4 * i, true);
      break;
    case 'F64':
      for (let i = 0; i < e.size; i++) {
        const v = dv.getFloat64(8 * i, true);
        out[i] = v;
        if (Number.isFinite(v) && !Number.isFinite(out[i]!)) {
          throw new UnsupportedModelError(`${st.file}: tensor '${name}' value ${v} at index ${i} is out of the float32 range`, { where: name, actual: v });
        }
      }
      break;
    case 'F16':
      for (let i = 0; i < e.size; i++) out[i] = halfToFloat(dv.getUint16(2 * i, true));
      break;
    case 'BF16': {
      const u = new Uint32Array(out.buffer);
      for (let i = 0; i < e.size; i++) u[i] = dv.getUint16(2 * i, true) << 16;
      break;
    }
  }
  return out;
}
