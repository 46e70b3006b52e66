// File access for the CLI (Node only): model sources, tensors (.npy / ONNX TensorProto .pb).

import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { readNpy, isNpy } from '../io/npy.js';
import { decodeTensorProto, tensorFromProto } from '../convert/onnx/proto.js';
import { DataError, UsageError } from '../errors.js';
import type { Tensor } from '../io/tensor.js';

export function readBytes(path: string, what = 'file'): Uint8Array {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new UsageError(`${what} '${path}' does not exist`, { where: path });
  }
  if (st.isDirectory()) throw new UsageError(`${what} '${path}' is a directory`, { where: path });
  const b = readFileSync(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Reads a tensor from a .npy file or an ONNX TensorProto (.pb) file. */
export function readTensor(path: string): Tensor {
  const bytes = readBytes(path, 'tensor file');
  if (isNpy(bytes)) return readNpy(bytes, path);
  if (extname(path) === '.npy') throw new DataError(`${path} is not a valid .npy file`, { where: path });
  return tensorFromProto(decodeTensorProto(bytes, path), path);
}
