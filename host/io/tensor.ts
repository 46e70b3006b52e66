// A minimal n-d array for the host's I/O (graph inputs/outputs, .npy and ONNX TensorProto
// files): row-major data with a shape. Not a math library: just enough to bind and reorder.

export type TensorArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array
  | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

export interface Tensor<T extends TensorArray = TensorArray> {
  shape: number[];
  data: T;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** out = transpose(x, perm): out axis k is input axis perm[k] (numpy semantics). */
export function transpose<T extends TensorArray>(t: Tensor<T>, perm: readonly number[]): Tensor<T> {
  const rank = t.shape.length;
  const outShape = perm.map((p) => t.shape[p]!);
  const identity = perm.every((p, i) => p === i);
  const Ctor = t.data.constructor as new (n: number) => T;
  const out = new Ctor(t.data.length);
  if (identity) {
    (out as unknown as { set(a: T): void }).set(t.data);
    return { shape: outShape, data: out };
  }
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let k = rank - 1; k >= 0; k--) { inStrides[k] = s; s *= t.shape[k]!; }
  const strides = perm.map((p) => inStrides[p]!);
  const idx = new Array<number>(rank).fill(0);
  const n = t.data.length;
  let src = 0;
  for (let i = 0; i < n; i++) {
    (out as unknown as Record<number, unknown>)[i] = (t.data as unknown as Record<number, unknown>)[src];
    for (let k = rank - 1; k >= 0; k--) {
      idx[k]!++;
      src += strides[k]!;
      if (idx[k]! < outShape[k]!) break;
      src -= strides[k]! * outShape[k]!;
      idx[k] = 0;
    }
  }
  return { shape: outShape, data: out };
}

export function toFloat32(data: TensorArray): Float32Array {
  if (data instanceof Float32Array) return data;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
}

export function toInt32(data: TensorArray): Int32Array {
  if (data instanceof Int32Array) return data;
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
}
