// NumPy .npy files (format versions 1.0 to 3.0): little- and big-endian float32/float64/int
// arrays in C order. Enough for feature and output arrays; object arrays and Fortran order are
// refused with a DataError.

import { DataError } from '../errors.js';
import type { Tensor, TensorArray } from './tensor.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function isNpy(bytes: Uint8Array): boolean {
  return bytes.length >= 10 && MAGIC.every((b, i) => bytes[i] === b);
}

export function readNpy(bytes: Uint8Array, where = 'npy'): Tensor {
  if (!isNpy(bytes)) throw new DataError(`${where} is not a NumPy .npy file`, { where });
  const major = bytes[6]!;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const hstart = major === 1 ? 10 : 12;
  if (hstart + hlen > bytes.length) throw new DataError(`${where}: header is truncated`, { where });
  const header = new TextDecoder(major >= 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(hstart, hstart + hlen));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new DataError(`${where}: malformed header ${JSON.stringify(header.trim())}`, { where });
  if (fortran === 'True') throw new DataError(`${where}: Fortran-ordered arrays are not supported; save with np.ascontiguousarray`, { where });
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new DataError(`${where}: bad shape (${shapeText})`, { where });
  const n = shape.reduce((a, b) => a * b, 1);
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  if (!m) throw new DataError(`${where}: dtype '${descr}' is not supported`, { where });
  const little = m[1] !== '>';
  const kind = m[2]!, size = Number(m[3]);
  const off = hstart + hlen;
  if (off + n * size > bytes.length) throw new DataError(`${where}: data needs ${n * size} bytes, file has ${bytes.length - off}`, { where, expected: n * size, actual: bytes.length - off });
  let data: TensorArray;
  const get = (i: number): number => {
    const o = off + i * size;
    if (kind === 'f') return size === 4 ? dv.getFloat32(o, little) : size === 8 ? dv.getFloat64(o, little) : NaN;
    if (kind === 'i') return size === 1 ? dv.getInt8(o) : size === 2 ? dv.getInt16(o, little) : size === 4 ? dv.getInt32(o, little) : Number(dv.getBigInt64(o, little));
    return size === 1 ? dv.getUint8(o) : size === 2 ? dv.getUint16(o, little) : size === 4 ? dv.getUint32(o, little) : Number(dv.getBigUint64(o, little));
  };
  if (kind === 'f' && size !== 4 && size !== 8) throw new DataError(`${where}: float${size * 8} is not supported`, { where });
  if (kind === 'f' && size === 4) data = new Float32Array(n);
  else if (kind === 'f') data = new Float64Array(n);
  else if (size <= 4) data = new Int32Array(n);
  else data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = get(i);
  return { shape, data };
}

export function writeNpy(t: Tensor<Float32Array | Int32Array>): Uint8Array {
  const descr = t.data instanceof Float32Array ? '<f4' : '<i4';
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header = header + ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(10 + header.length + t.data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1; out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  const dv = new DataView(out.buffer, 10 + header.length);
  for (let i = 0; i < t.data.length; i++) {
    if (t.data instanceof Float32Array) dv.setFloat32(i * 4, t.data[i]!, true);
    else dv.setInt32(i * 4, t.data[i]!, true);
  }
  return out;
}
