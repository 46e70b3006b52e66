// Serialises an engine-ready model (layers and tensors already in the module's layout) into
// .ernn v1 bytes. Used by the converter only; the runtime never writes models.

import {
  MAGIC, FORMAT_MAJOR, FORMAT_MINOR, HEADER_BYTES, LAYER_RECORD_BYTES, TENSOR_RECORD_BYTES,
  TENSOR_ALIGN, NO_TENSOR, TENSOR_NAME_BYTES, TENSOR_SLOTS, Header, LayerField, TensorField,
  type Dtype, type LayerType, type Mode, type OutputMode,
} from './layout.js';
import { ernnChecksum } from './crc32.js';

export type TensorData = Float32Array | Int8Array | Int16Array | Int32Array | Uint16Array;

export interface TensorSpec {
  name: string;
  dtype: Dtype;
  shape: number[];
  data: TensorData;
  /** Index of an f32 tensor of per-row scales (quantized tensors). */
  scale?: number;
  /** Index of a tensor of per-row zero points (quantized tensors). */
  zeroPoint?: number;
}

export interface ActivationSpec {
  code: number;
  alpha: number;
  beta: number;
}

export interface LayerSpec {
  type: LayerType;
  mode: Mode;
  directions: 1 | 2;
  output: OutputMode;
  flags: number;
  inputSize: number;
  units: number;
  outputSize: number;
  clip: number;
  /** [direction][slot 0..2]; unused entries are written as zeros. */
  activations: ActivationSpec[][];
  /** 16 tensor slots (direction * 8 + TensorSlot), tensor index or undefined. */
  tensors: (number | undefined)[];
}

export interface ErnnSpec {
  inputSize: number;
  outputSize: number;
  layers: LayerSpec[];
  tensors: TensorSpec[];
  metadata: unknown;
}

const align = (v: number, a: number) => Math.ceil(v / a) * a;

/** Encodes a tensor name into at most 31 UTF-8 bytes, cutting at a character boundary. */
export function encodeTensorName(name: string): Uint8Array {
  const enc = new TextEncoder();
  let bytes = enc.encode(name);
  if (bytes.length < TENSOR_NAME_BYTES) return bytes;
  let chars = Array.from(name);
  while (bytes.length >= TENSOR_NAME_BYTES && chars.length > 0) {
    chars = chars.slice(0, -1);
    bytes = enc.encode(chars.join(''));
  }
  return bytes;
}

export function writeErnn(spec: ErnnSpec): Uint8Array {
  const meta = new TextEncoder().encode(JSON.stringify(spec.metadata ?? {}));
  const layerTable = HEADER_BYTES;
  const tensorTable = align(layerTable + spec.layers.length * LAYER_RECORD_BYTES, 16);
  const metaOffset = tensorTable + spec.tensors.length * TENSOR_RECORD_BYTES;
  const dataOffset = align(metaOffset + meta.length, TENSOR_ALIGN);
  const offsets: number[] = [];
  let cursor = dataOffset;
  for (const t of spec.tensors) {
    cursor = align(cursor, TENSOR_ALIGN);
    offsets.push(cursor);
    cursor += t.data.byteLength;
  }
  const fileBytes = align(cursor, TENSOR_ALIGN);
  const out = new Uint8Array(fileBytes);
  const dv = new DataView(out.buffer);

  spec.layers.forEach((L, i) => {
    const r = layerTable + i * LAYER_RECORD_BYTES;
    dv.setUint8(r + LayerField.type, L.type);
    dv.setUint8(r + LayerField.mode, L.mode);
    dv.setUint8(r + LayerField.directions, L.directions);
    dv.setUint8(r + LayerField.output, L.output);
    dv.setUint32(r + LayerField.flags, L.flags >>> 0, true);
    dv.setUint32(r + LayerField.inputSize, L.inputSize, true);
    dv.setUint32(r + LayerField.units, L.units, true);
    dv.setUint32(r + LayerField.outputSize, L.outputSize, true);
    dv.setFloat32(r + LayerField.clip, L.clip, true);
    for (let d = 0; d < 2; d++) {
      for (let k = 0; k < 3; k++) {
        const a = L.activations[d]?.[k];
        if (!a) continue;
        const p = r + LayerField.act + (d * 3 + k) * 12;
        dv.setUint32(p, a.code, true);
        dv.setFloat32(p + 4, a.alpha, true);
        dv.setFloat32(p + 8, a.beta, true);
      }
    }
    for (let s = 0; s < TENSOR_SLOTS; s++) {
      const t = L.tensors[s];
      dv.setUint16(r + LayerField.tensors + s * 2, t === undefined ? NO_TENSOR : t, true);
    }
  });

  spec.tensors.forEach((t, i) => {
    const r = tensorTable + i * TENSOR_RECORD_BYTES;
    out.set(encodeTensorName(t.name), r + TensorField.name);
    dv.setUint8(r + TensorField.dtype, t.dtype);
    dv.setUint8(r + TensorField.rank, t.shape.length);
    dv.setUint16(r + TensorField.layout, 0, true);
    t.shape.forEach((d, k) => dv.setUint32(r + TensorField.dims + k * 4, d, true));
    dv.setUint32(r + TensorField.offset, offsets[i]!, true);
    dv.setUint32(r + TensorField.bytes, t.data.byteLength, true);
    dv.setUint16(r + TensorField.scale, t.scale ?? NO_TENSOR, true);
    dv.setUint16(r + TensorField.zeroPoint, t.zeroPoint ?? NO_TENSOR, true);
    // little-endian copy regardless of the host's byte order
    const src = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    const o = offsets[i]!;
    if (t.data instanceof Float32Array) for (let k = 0; k < t.data.length; k++) dv.setFloat32(o + k * 4, src.getFloat32(k * 4, true), true);
    else out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), o);
  });
  out.set(meta, metaOffset);

  dv.setUint32(Header.magic, MAGIC, true);
  dv.setUint16(Header.major, FORMAT_MAJOR, true);
  dv.setUint16(Header.minor, FORMAT_MINOR, true);
  dv.setUint32(Header.headerBytes, HEADER_BYTES, true);
  dv.setUint32(Header.fileBytes, fileBytes, true);
  dv.setUint32(Header.flags, 0, true);
  dv.setUint32(Header.layerCount, spec.layers.length, true);
  dv.setUint32(Header.layerTable, layerTable, true);
  dv.setUint32(Header.tensorCount, spec.tensors.length, true);
  dv.setUint32(Header.tensorTable, tensorTable, true);
  dv.setUint32(Header.metaOffset, metaOffset, true);
  dv.setUint32(Header.metaBytes, meta.length, true);
  dv.setUint32(Header.dataOffset, dataOffset, true);
  dv.setUint32(Header.dataBytes, fileBytes - dataOffset, true);
  dv.setUint32(Header.inputSize, spec.inputSize, true);
  dv.setUint32(Header.outputSize, spec.outputSize, true);
  dv.setUint32(Header.crc32, ernnChecksum(out, fileBytes), true);
  return out;
}
