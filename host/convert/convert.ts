// convert(): source model bytes -> .ernn bytes. Detects the format from the bytes, imports it into
// the model description, and lowers it. Runs in browsers too: no file or network access here.

import { importOnnx, type OnnxImportOptions } from './onnx/import.js';
import { lowerToErnn, type QuantMode, type QuantPlan } from './lower.js';
import { calibrate, type ReferenceInput } from './quantize/reference.js';
import type { CanonicalInputs } from '../format/graph.js';
import { parameterCount, type ModelIR } from './ir.js';
import { foldLinearLayers } from './fold.js';
import { MAGIC } from '../format/layout.js';
import { DataError, ModelFormatError, UnsupportedModelError, UsageError } from '../errors.js';
import { type Tensor, toFloat32 } from '../io/tensor.js';

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
  /** Weight/activation precision: f32 (default), int8-dynamic, or int8 (needs calibration). */
  quant?: QuantMode;
  /**
   * Representative inputs: a [batch, time, features] tensor, or runtime inputs with initial
   * states and lengths. The int8 mode sets its activation ranges from them.
   */
  calibration?: Tensor | CanonicalInputs | CanonicalInputs[];
  /** int8: bits of a final Dense layer's output (default 16). */
  outputBits?: 8 | 16;
  /** Fold linear Dense layers into the layer after them (default true). */
  fold?: boolean;
}

export interface ConvertResult {
  bytes: Uint8Array;
  format: SourceFormat;
  ir: ModelIR;
  parameters: number;
  plan: QuantPlan;
}

/** Normalises calibration data to the interpreter's inputs, checking shapes. */
export function calibrationInputs(data: ConvertOptions['calibration'], inputSize: number): ReferenceInput[] {
  if (!data) return [];
  const list = Array.isArray(data) ? data : [data];
  return list.map((d, i) => {
    if ('x' in d) {
      if (d.shape[2] !== inputSize) throw new DataError(`calibration set ${i} has ${d.shape[2]} features, the model takes ${inputSize}`, { where: 'calibration', expected: inputSize, actual: d.shape[2] });
      return { x: d.x, shape: d.shape, initialStates: d.initialStates, ...(d.sequenceLengths ? { sequenceLengths: d.sequenceLengths } : {}) };
    }
    const t = d as Tensor;
    if (t.shape.length !== 3 || t.shape[2] !== inputSize || t.shape.some((v) => !(v > 0))) {
      throw new DataError(`calibration data has shape [${t.shape.join(', ')}], expected [batch, time, ${inputSize}]`, { where: 'calibration', expected: `[batch, time, ${inputSize}]`, actual: t.shape });
    }
    const x = toFloat32(t.data);
    if (x.some((v) => !Number.isFinite(v))) throw new DataError('calibration data contains NaN or infinite values', { where: 'calibration' });
    return { x, shape: t.shape as [number, number, number] };
  });
}

export function quantPlan(ir: ModelIR, options: ConvertOptions): QuantPlan {
  const mode = options.quant ?? 'f32';
  if (!['f32', 'int8-dynamic', 'int8'].includes(mode)) throw new UsageError(`quant must be f32, int8-dynamic or int8, got '${mode}'`, { where: 'quant' });
  if (mode !== 'int8') return { mode };
  const inputs = calibrationInputs(options.calibration, ir.inputSize);
  if (inputs.length === 0) throw new UsageError('the int8 mode needs calibration data: representative inputs [batch, time, features] (--calibration X.npy)', { where: 'calibration' });
  return { mode, stats: calibrate(ir, inputs), lastBits: options.outputBits ?? 16 };
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
  let ir = importOnnx(bytes, onnxOptions);
  if (options.fold !== false) ir = foldLinearLayers(ir);
  ir.metadata = {
    ...ir.metadata,
    ...(options.metadata ?? {}),
    converter: { name: 'edgernn', version: CONVERTER_VERSION },
  };
  const plan = quantPlan(ir, options);
  if (plan.mode !== 'f32') ir.metadata = { ...ir.metadata, quantization: { mode: plan.mode } };
  return { bytes: lowerToErnn(ir, plan), format, ir, parameters: parameterCount(ir), plan };
}

/** Converts a source model (ONNX) to .ernn bytes. */
export async function convert(bytes: Uint8Array, options: ConvertOptions = {}): Promise<Uint8Array> {
  return convertModel(bytes, options).bytes;
}
