// A defensive reader of .ernn headers, tables and metadata, for `inspect`, for naming tensors in
// error messages, and for the host's view of a model's metadata. It never reads outside the
// given bytes and reports problems as ModelFormatError/UnsupportedModelError; the module's
// loader remains the validator of record for everything the kernels touch.

import {
  MAGIC, FORMAT_MAJOR, FORMAT_MINOR, HEADER_BYTES, LAYER_RECORD_BYTES, TENSOR_RECORD_BYTES,
  TENSOR_NAME_BYTES, NO_TENSOR, Header, LayerField, TensorField, DTYPE_BYTES, DTYPE_NAMES,
  LAYER_TYPE_NAMES, MODE_NAMES, OUTPUT_MODE_NAMES, ACTIVATIONS, SLOT_NAMES,
} from './layout.js';
import { ModelFormatError, UnsupportedModelError } from '../errors.js';
import { checkMetadata } from './metadata.js';

export interface TensorInfo {
  index: number;
  name: string;
  dtype: string;
  shape: number[];
  offset: number;
  bytes: number;
  scale?: number;
  zeroPoint?: number;
}

export interface LayerInfo {
  index: number;
  type: string;
  mode: string;
  directions: number;
  output: string;
  flags: number;
  inputSize: number;
  units: number;
  outputSize: number;
  clip: number;
  activations: { name: string; alpha: number; beta: number }[][];
  tensors: { slot: string; direction: number; tensor: number }[];
}

export interface ErnnInfo {
  version: string;
  fileBytes: number;
  crc32: number;
  inputSize: number;
  outputSize: number;
  layers: LayerInfo[];
  tensors: TensorInfo[];
  metadata: Record<string, unknown>;
  metadataBytes: number;
  dataBytes: number;
}

function need(bytes: Uint8Array, end: number, what: string): void {
  if (end > bytes.length) {
    throw new ModelFormatError(`${what} needs ${end} bytes, file has ${bytes.length}`, {
      where: what, expected: end, actual: bytes.length,
    });
  }
}

export function readTensorName(bytes: Uint8Array, record: number): string {
  const end = Math.min(record + TENSOR_NAME_BYTES, bytes.length);
  let n = record;
  while (n < end && bytes[n] !== 0) n++;
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(record, n));
}

/** Reads the fixed header fields only; throws on a bad magic, version or truncation. */
export function readHeader(bytes: Uint8Array) {
  need(bytes, HEADER_BYTES, 'header');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (o: number) => dv.getUint32(o, true);
  if (u32(Header.magic) !== MAGIC) {
    throw new ModelFormatError(`not an .ernn file: magic is 0x${u32(Header.magic).toString(16)}, expected 0x${MAGIC.toString(16)} ("ERNN")`, {
      where: 'header.magic', expected: MAGIC, actual: u32(Header.magic),
    });
  }
  const major = dv.getUint16(Header.major, true);
  const minor = dv.getUint16(Header.minor, true);
  if (major !== FORMAT_MAJOR || minor > FORMAT_MINOR) {
    throw new UnsupportedModelError(
      `unsupported .ernn format version ${major}.${minor}: this edgernn reads ${FORMAT_MAJOR}.0 to ${FORMAT_MAJOR}.${FORMAT_MINOR}`,
      { where: 'header.version', expected: `${FORMAT_MAJOR}.${FORMAT_MINOR}`, actual: `${major}.${minor}` },
    );
  }
  return {
    major, minor,
    headerBytes: u32(Header.headerBytes),
    fileBytes: u32(Header.fileBytes),
    crc32: u32(Header.crc32),
    flags: u32(Header.flags),
    layerCount: u32(Header.layerCount),
    layerTable: u32(Header.layerTable),
    tensorCount: u32(Header.tensorCount),
    tensorTable: u32(Header.tensorTable),
    metaOffset: u32(Header.metaOffset),
    metaBytes: u32(Header.metaBytes),
    dataOffset: u32(Header.dataOffset),
    dataBytes: u32(Header.dataBytes),
    inputSize: u32(Header.inputSize),
    outputSize: u32(Header.outputSize),
  };
}

export function readErnn(bytes: Uint8Array): ErnnInfo {
  const h = readHeader(bytes);
  need(bytes, h.fileBytes, 'file');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (o: number) => dv.getUint32(o, true);
  if (h.layerCount > 4096 || h.tensorCount > 65535) {
    throw new ModelFormatError(`layer count ${h.layerCount} or tensor count ${h.tensorCount} is implausible`, { where: 'header' });
  }
  need(bytes, h.layerTable + h.layerCount * LAYER_RECORD_BYTES, 'layer table');
  need(bytes, h.tensorTable + h.tensorCount * TENSOR_RECORD_BYTES, 'tensor table');
  need(bytes, h.metaOffset + h.metaBytes, 'metadata');

  const tensors: TensorInfo[] = [];
  for (let i = 0; i < h.tensorCount; i++) {
    const r = h.tensorTable + i * TENSOR_RECORD_BYTES;
    const dt = dv.getUint8(r + TensorField.dtype);
    const rank = Math.min(dv.getUint8(r + TensorField.rank), 4);
    const shape: number[] = [];
    for (let k = 0; k < rank; k++) shape.push(u32(r + TensorField.dims + k * 4));
    const scale = dv.getUint16(r + TensorField.scale, true);
    const zp = dv.getUint16(r + TensorField.zeroPoint, true);
    const t: TensorInfo = {
      index: i,
      name: readTensorName(bytes, r + TensorField.name),
      dtype: DTYPE_NAMES[dt] ?? `dtype#${dt}`,
      shape,
      offset: u32(r + TensorField.offset),
      bytes: u32(r + TensorField.bytes),
    };
    if (scale !== NO_TENSOR) t.scale = scale;
    if (zp !== NO_TENSOR) t.zeroPoint = zp;
    void DTYPE_BYTES;
    tensors.push(t);
  }

  const layers: LayerInfo[] = [];
  for (let i = 0; i < h.layerCount; i++) {
    const r = h.layerTable + i * LAYER_RECORD_BYTES;
    const type = dv.getUint8(r + LayerField.type);
    const directions = dv.getUint8(r + LayerField.directions);
    const activations: LayerInfo['activations'] = [];
    for (let d = 0; d < 2; d++) {
      const row = [];
      for (let k = 0; k < 3; k++) {
        const p = r + LayerField.act + (d * 3 + k) * 12;
        const code = u32(p);
        row.push({ name: ACTIVATIONS[code] ?? `act#${code}`, alpha: dv.getFloat32(p + 4, true), beta: dv.getFloat32(p + 8, true) });
      }
      activations.push(row);
    }
    const slots: LayerInfo['tensors'] = [];
    for (let s = 0; s < 16; s++) {
      const t = dv.getUint16(r + LayerField.tensors + s * 2, true);
      if (t !== NO_TENSOR) slots.push({ slot: SLOT_NAMES[s % 8]!, direction: s >> 3, tensor: t });
    }
    layers.push({
      index: i,
      type: LAYER_TYPE_NAMES[type] ?? `type#${type}`,
      mode: MODE_NAMES[dv.getUint8(r + LayerField.mode)] ?? `mode#${dv.getUint8(r + LayerField.mode)}`,
      directions,
      output: OUTPUT_MODE_NAMES[dv.getUint8(r + LayerField.output)] ?? `output#${dv.getUint8(r + LayerField.output)}`,
      flags: u32(r + LayerField.flags),
      inputSize: u32(r + LayerField.inputSize),
      units: u32(r + LayerField.units),
      outputSize: u32(r + LayerField.outputSize),
      clip: dv.getFloat32(r + LayerField.clip, true),
      activations,
      tensors: slots,
    });
  }

  let metadata: Record<string, unknown> = {};
  if (h.metaBytes > 0) {
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(h.metaOffset, h.metaOffset + h.metaBytes));
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      metadata = parsed as Record<string, unknown>;
    } catch (e) {
      throw new ModelFormatError(`metadata block at offset ${h.metaOffset} (${h.metaBytes} bytes) is not a JSON object: ${(e as Error).message}`, {
        where: 'metadata', cause: e,
      });
    }
    checkMetadata(metadata, h.inputSize);
  }
  return {
    version: `${h.major}.${h.minor}`,
    fileBytes: h.fileBytes,
    crc32: h.crc32,
    inputSize: h.inputSize,
    outputSize: h.outputSize,
    layers,
    tensors,
    metadata,
    metadataBytes: h.metaBytes,
    dataBytes: h.dataBytes,
  };
}
