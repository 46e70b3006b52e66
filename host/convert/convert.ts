// convert(): source model bytes -> .ernn bytes. Detects the format from the bytes, imports it into
// the model description, and lowers it. Runs in browsers too: no file or network access here.

import { importOnnx, type OnnxImportOptions } from './onnx/import.js';
import { lowerToErnn } from './lower.js';
import { parameterCount, type ModelIR } from './ir.js';
import { MAGIC } from '../format/layout.js';
import { ModelFormatError, UnsupportedModelError } from '../errors.js';
import type { Tensor } from '../io/tensor.js';

export const CONVERTER_VERSION = '0.1.0';

export type SourceFormat = 'onnx' | 'ernn';

export interface ConvertOptions {
  /** Model name stored in the metadata (default: the source graph's name). */
  name?: string;
  /**
   * Values for graph inputs that the model uses as weights, by name or by position among the
   * graph's non-initializer inputs (ONNX node tests pass weights as inputs). They become constants.
   */
  weightInputs?: Record<string, Tensor> | Tensor[];
  /** Metadata merged into the file's metadata block (features, sample period, normalisation...). */
  metadata?: Record<string, unknown>;
}

export interface ConvertResult {
  bytes: Uint8Array;
  format: SourceFormat;
  ir: ModelIR;
  parameters: number;
}

export function detectFormat(bytes: Uint8Array): SourceFormat {
  if (bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) === MAGIC) return 'ernn';
  // An ONNX ModelProto starts with field 1 (ir_version, a varint): key byte 0x08. Writers emit
  // fields in number order, and a model without ir_version is invalid anyway.
  if (bytes.length > 2 && bytes[0] === 0x08) return 'onnx';
  throw new UnsupportedModelError('unrecognised model format: expected an ONNX (.onnx) model', { where: 'bytes' });
}

/** Converts and returns the .ernn bytes together with the model description and a summary. */
export function convertModel(bytes: Uint8Array, options: ConvertOptions = {}): ConvertResult {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new ModelFormatError('the model file is empty', { where: 'bytes' });
  const format = detectFormat(bytes);
  if (format === 'ernn') throw new UnsupportedModelError('the file is already an .ernn model', { where: 'bytes' });
  const onnxOptions: OnnxImportOptions = {};
  if (options.weightInputs) onnxOptions.weightInputs = options.weightInputs;
  if (options.name) onnxOptions.name = options.name;
  const ir = importOnnx(bytes, onnxOptions);
  ir.metadata = {
    ...ir.metadata,
    ...(options.metadata ?? {}),
    converter: { name: 'edgernn', version: CONVERTER_VERSION },
  };
  return { bytes: lowerToErnn(ir), format, ir, parameters: parameterCount(ir) };
}

/** Converts a source model (ONNX) to .ernn bytes. */
export async function convert(bytes: Uint8Array, options: ConvertOptions = {}): Promise<Uint8Array> {
  return convertModel(bytes, options).bytes;
}
