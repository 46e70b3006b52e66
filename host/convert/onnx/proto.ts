// Decoding of ONNX protobufs (models and TensorProto files) with protobufjs, into plain typed
// objects. Malformed bytes become ModelFormatError; tensors become typed arrays.

import protobuf from 'protobufjs/light.js';
import { ONNX_SCHEMA } from './schema.js';
import { ModelFormatError, UnsupportedModelError } from '../../errors.js';
import type { Tensor, TensorArray } from '../../io/tensor.js';
import { halfToFloat } from '../../io/half.js';

const root = protobuf.Root.fromJSON(ONNX_SCHEMA as unknown as protobuf.INamespace);
const ModelProto = root.lookupType('onnx.ModelProto');
const TensorProto = root.lookupType('onnx.TensorProto');

type Long = { toNumber(): number; low: number; high: number; unsigned: boolean };
type IntLike = number | Long | string;

export function num(v: IntLike | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  return v.toNumber();
}

export interface OnnxTensorProto {
  dims?: IntLike[];
  dataType?: number;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: IntLike[];
  doubleData?: number[];
  uint64Data?: IntLike[];
  rawData?: Uint8Array;
  name?: string;
  dataLocation?: number;
  externalData?: { key?: string; value?: string }[];
}

export interface OnnxAttribute {
  name?: string;
  refAttrName?: string;
  type?: number;
  f?: number;
  i?: IntLike;
  s?: Uint8Array;
  t?: OnnxTensorProto;
  g?: unknown;
  floats?: number[];
  ints?: IntLike[];
  strings?: Uint8Array[];
  tensors?: OnnxTensorProto[];
}

export interface OnnxNode {
  input?: string[];
  output?: string[];
  name?: string;
  opType?: string;
  domain?: string;
  attribute?: OnnxAttribute[];
}

export interface OnnxDim { dimValue?: IntLike; dimParam?: string }
export interface OnnxValueInfo {
  name?: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: OnnxDim[] } } };
}

export interface OnnxGraph {
  node?: OnnxNode[];
  name?: string;
  initializer?: OnnxTensorProto[];
  sparseInitializer?: unknown[];
  input?: OnnxValueInfo[];
  output?: OnnxValueInfo[];
  valueInfo?: OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion?: IntLike;
  opsetImport?: { domain?: string; version?: IntLike }[];
  producerName?: string;
  producerVersion?: string;
  graph?: OnnxGraph;
  metadataProps?: { key?: string; value?: string }[];
  functions?: { name?: string; domain?: string }[];
}

export function decodeModel(bytes: Uint8Array): OnnxModel {
  try {
    const m = ModelProto.decode(bytes) as unknown as OnnxModel;
    if (!m.graph) throw new Error('no graph');
    return m;
  } catch (e) {
    throw new ModelFormatError(`not a valid ONNX model: ${(e as Error).message}`, { where: 'ModelProto', cause: e });
  }
}

export function decodeTensorProto(bytes: Uint8Array, where = 'TensorProto'): OnnxTensorProto {
  try {
    return TensorProto.decode(bytes) as unknown as OnnxTensorProto;
  } catch (e) {
    throw new ModelFormatError(`${where} is not a valid ONNX TensorProto: ${(e as Error).message}`, { where, cause: e });
  }
}

export const ONNX_DTYPES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};


/** Bytes per element in raw_data, for the data types tensorFromProto decodes. */
const RAW_BYTES: Record<number, number> = { 1: 4, 11: 8, 10: 2, 16: 2, 6: 4, 5: 2, 3: 1, 2: 1, 4: 2, 9: 1, 7: 8, 12: 4, 13: 8 };

/** Largest element count we accept for one tensor (caps allocations on hostile files). */
export const MAX_TENSOR_ELEMENTS = 1 << 28;

/** A TensorProto as a typed array: floats as Float32Array (or Float64Array), integers as numbers in Int32Array/Float64Array. */
export function tensorFromProto(t: OnnxTensorProto, where: string): Tensor {
  const shape = (t.dims ?? []).map(num);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new ModelFormatError(`${where}: invalid dims [${shape.join(', ')}]`, { where });
  const n = shape.reduce((a, b) => a * b, 1);
  if (n > MAX_TENSOR_ELEMENTS) throw new ModelFormatError(`${where}: ${n} elements is more than the ${MAX_TENSOR_ELEMENTS} edgernn accepts`, { where });
  if (t.dataLocation === 1) {
    throw new UnsupportedModelError(`${where}: tensor data is stored in an external file, which the converter does not read; save the model with all tensors inside the .onnx file`, { where });
  }
  const dt = t.dataType ?? 0;
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  const rawView = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  const needRaw = (bytes: number) => {
    if (raw!.length !== n * bytes) {
      throw new ModelFormatError(`${where}: raw_data has ${raw!.length} bytes, shape [${shape.join(', ')}] of ${ONNX_DTYPES[dt]} needs ${n * bytes}`, { where, expected: n * bytes, actual: raw!.length });
    }
  };
  const needList = (len: number) => {
    if (len !== n) throw new ModelFormatError(`${where}: holds ${len} values, shape [${shape.join(', ')}] needs ${n}`, { where, expected: n, actual: len });
  };
  // The data must match the shape before anything is allocated: a dims field of a few bytes can
  // claim 2^28 elements (a 1 GiB array allocated for nothing; found by fuzzing).
  const rawBytes = RAW_BYTES[dt];
  if (rawBytes !== undefined) {
    if (raw) needRaw(rawBytes);
    else needList((dt === 1 ? t.floatData : dt === 11 ? t.doubleData : dt === 7 ? t.int64Data : dt === 13 ? t.uint64Data : t.int32Data)?.length ?? 0);
  }
  let data: TensorArray;
  switch (dt) {
    case 1: { // float32
      data = new Float32Array(n);
      if (raw) { needRaw(4); for (let i = 0; i < n; i++) data[i] = rawView!.getFloat32(i * 4, true); }
      else { needList(t.floatData?.length ?? 0); data.set(t.floatData ?? []); }
      break;
    }
    case 11: { // float64
      const d = new Float64Array(n);
      if (raw) { needRaw(8); for (let i = 0; i < n; i++) d[i] = rawView!.getFloat64(i * 8, true); }
      else { needList(t.doubleData?.length ?? 0); d.set(t.doubleData ?? []); }
      data = d;
      break;
    }
    case 10: case 16: { // float16, bfloat16
      const d = new Float32Array(n);
      if (raw) {
        needRaw(2);
        for (let i = 0; i < n; i++) {
          const h = rawView!.getUint16(i * 2, true);
          d[i] = dt === 10 ? halfToFloat(h) : new Float32Array(new Uint32Array([h << 16]).buffer)[0]!;
        }
      } else {
        needList(t.int32Data?.length ?? 0);
        (t.int32Data ?? []).forEach((h, i) => { d[i] = dt === 10 ? halfToFloat(h) : new Float32Array(new Uint32Array([h << 16]).buffer)[0]!; });
      }
      data = d;
      break;
    }
    case 6: case 5: case 3: case 2: case 4: case 9: { // int32, int16, int8, uint8, uint16, bool
      const d = new Int32Array(n);
      const size = dt === 6 ? 4 : dt === 5 || dt === 4 ? 2 : 1;
      if (raw) {
        needRaw(size);
        for (let i = 0; i < n; i++) {
          d[i] = size === 4 ? rawView!.getInt32(i * 4, true)
            : dt === 5 ? rawView!.getInt16(i * 2, true) : dt === 4 ? rawView!.getUint16(i * 2, true)
            : dt === 3 ? rawView!.getInt8(i) : rawView!.getUint8(i);
        }
      } else { needList(t.int32Data?.length ?? 0); d.set(t.int32Data ?? []); }
      data = d;
      break;
    }
    case 7: case 12: case 13: { // int64, uint32, uint64 as float64 numbers (exact up to 2^53)
      const d = new Float64Array(n);
      if (raw) {
        needRaw(dt === 12 ? 4 : 8);
        for (let i = 0; i < n; i++) {
          d[i] = dt === 12 ? rawView!.getUint32(i * 4, true) : dt === 7 ? Number(rawView!.getBigInt64(i * 8, true)) : Number(rawView!.getBigUint64(i * 8, true));
        }
      } else {
        const list = dt === 7 ? t.int64Data : dt === 13 ? t.uint64Data : t.int32Data;
        needList(list?.length ?? 0);
        (list ?? []).forEach((v, i) => { d[i] = num(v); });
      }
      data = d;
      break;
    }
    default:
      throw new UnsupportedModelError(`${where}: tensor data type ${ONNX_DTYPES[dt] ?? dt} is not supported`, { where, actual: dt });
  }
  return { shape, data };
}
