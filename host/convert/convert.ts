// convert(): a source model -> .ernn bytes. Detects the format from the main file's bytes, imports
// it into the model description, and lowers it. Runs in browsers too: no file or network access
// here; files beside the main one (TF.js shards, a safetensors config) come in a SourceFiles map.

import { importOnnx, type OnnxImportOptions } from './onnx/import.js';
import { importKeras } from './keras/import.js';
import { readKerasZip } from './keras/zip.js';
import { readKerasH5 } from './keras/h5.js';
import { readKerasPair } from './keras/legacy.js';
import { readTfjs } from './tfjs/read.js';
import { importSafetensors } from './safetensors/import.js';
import { looksLikeSafetensors } from './safetensors/read.js';
import { isSourceFiles, type ModelSource, type SourceFiles } from './source.js';
import { lowerToErnn, type QuantMode, type QuantPlan } from './lower.js';
import { calibrate, type ReferenceInput } from './quantize/reference.js';
import type { CanonicalInputs } from '../format/graph.js';
import { parameterCount, type ModelIR } from './ir.js';
import { foldLinearLayers } from './fold.js';
import { parseJsonFile } from './json.js';
export { parseJsonFile };
import { MAGIC } from '../format/layout.js';
import { DataError, ModelFormatError, UnsupportedModelError, UsageError } from '../errors.js';
import { type Tensor, toFloat32 } from '../io/tensor.js';

export const CONVERTER_VERSION = '0.1.0';

export type SourceFormat = 'onnx' | 'ernn' | 'keras' | 'h5' | 'keras-json' | 'tfjs' | 'safetensors';

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

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (bytes.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (bytes[at + i] !== sig[i]) return false;
  return true;
}

function firstNonSpace(bytes: Uint8Array): number {
  for (let i = 0; i < Math.min(bytes.length, 4096); i++) {
    const b = bytes[i]!;
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && b !== 0xef && b !== 0xbb && b !== 0xbf) return b;
  }
  return -1;
}


/**
 * Tells the format from the bytes (never from the file name): .ernn magic, HDF5 signature (also
 * after a 512/1024/2048-byte user block), zip (Keras 3 .keras), safetensors (u64 header length,
 * then '{'), JSON (TF.js model.json with modelTopology, or a Keras architecture), ONNX protobuf.
 */
export function detectFormat(bytes: Uint8Array): SourceFormat {
  if (bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) === MAGIC) return 'ernn';
  if ([0, 512, 1024, 2048].some((at) => startsWith(bytes, HDF5_SIGNATURE, at))) return 'h5';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return 'keras';
  if (looksLikeSafetensors(bytes)) return 'safetensors';
  if (firstNonSpace(bytes) === 0x7b || firstNonSpace(bytes) === 0x5b) {
    const doc = parseJsonFile(bytes, 'the model JSON') as Record<string, unknown> | unknown[];
    if (!Array.isArray(doc) && doc && typeof doc === 'object' && ('modelTopology' in doc || 'weightsManifest' in doc)) return 'tfjs';
    if (Array.isArray(doc) || (doc && typeof doc === 'object' && 'class_name' in doc)) return 'keras-json';
    throw new UnsupportedModelError('the JSON file is neither a TF.js model.json (modelTopology, weightsManifest) nor a Keras architecture (class_name, config)', { where: 'bytes' });
  }
  // An ONNX ModelProto starts with field 1 (ir_version, a varint): key byte 0x08. Writers emit
  // fields in number order, and a model without ir_version is invalid anyway.
  if (bytes.length > 2 && bytes[0] === 0x08) return 'onnx';
  throw new UnsupportedModelError('unrecognised model format: expected ONNX (.onnx), Keras (.keras, .h5), TF.js (model.json) or safetensors', { where: 'bytes' });
}

const ASYNC_FORMATS: readonly SourceFormat[] = ['h5', 'keras', 'keras-json'];

function mainOf(source: ModelSource): { bytes: Uint8Array; name: string } {
  if (source instanceof Uint8Array) return { bytes: source, name: 'model' };
  if (!isSourceFiles(source)) throw new UsageError('the model source must be bytes (Uint8Array) or { main, files }', { where: 'source' });
  const bytes = source.files[source.main];
  if (!(bytes instanceof Uint8Array)) throw new UsageError(`the model source names '${source.main}' as its main file, but files has no such entry`, { where: 'source.main' });
  return { bytes, name: source.main };
}

function needsFiles(format: SourceFormat, source: ModelSource): SourceFiles {
  if (isSourceFiles(source)) return source;
  const what = format === 'tfjs' ? 'a TF.js model.json needs its weight files' : 'a safetensors file needs its config JSON';
  throw new UsageError(`${what}: pass { main, files } with the files beside it (the CLI reads them from the folder)`, { where: 'source' });
}

function importSync(format: SourceFormat, source: ModelSource, bytes: Uint8Array, options: ConvertOptions): ModelIR {
  const named = options.name ? { name: options.name } : {};
  switch (format) {
    case 'onnx': {
      const onnxOptions: OnnxImportOptions = { ...named };
      if (options.weightInputs) onnxOptions.weightInputs = options.weightInputs;
      return importOnnx(bytes, onnxOptions);
    }
    case 'tfjs': return importKeras(readTfjs(needsFiles(format, source)), named);
    case 'safetensors': return importSafetensors(needsFiles(format, source), named);
    default: throw new UsageError(`${format} models are read asynchronously: use convert() or convertSource()`, { where: 'format' });
  }
}

async function importAsync(format: SourceFormat, source: ModelSource, bytes: Uint8Array, options: ConvertOptions): Promise<ModelIR> {
  const named = options.name ? { name: options.name } : {};
  const file = isSourceFiles(source) ? { name: source.main } : {};
  if (format === 'keras') return importKeras(await readKerasZip(bytes, file), named);
  if (format === 'h5' && !isSourceFiles(source)) return importKeras(await readKerasH5(bytes), named);
  // a legacy full model ignores the files beside it; a weights-only one takes its architecture from them
  if (format === 'h5' || format === 'keras-json') return importKeras(await readKerasPair(source as SourceFiles), named);
  return importSync(format, source, bytes, options);
}

function finish(ir: ModelIR, format: SourceFormat, options: ConvertOptions): ConvertResult {
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

function checkedFormat(source: ModelSource): { format: SourceFormat; bytes: Uint8Array } {
  const { bytes } = mainOf(source);
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new ModelFormatError('the model file is empty', { where: 'bytes' });
  const format = detectFormat(bytes);
  if (format === 'ernn') throw new UnsupportedModelError('the file is already an .ernn model', { where: 'bytes' });
  return { format, bytes };
}

/**
 * Converts synchronously: ONNX, TF.js Layers and safetensors. Keras .keras/.h5 files need the
 * HDF5 reader, which loads asynchronously: use convertSource() for those (and for any format).
 */
export function convertModel(source: ModelSource, options: ConvertOptions = {}): ConvertResult {
  const { format, bytes } = checkedFormat(source);
  return finish(importSync(format, source, bytes, options), format, options);
}

/** Converts any supported format and returns the .ernn bytes, the model description and a summary. */
export async function convertSource(source: ModelSource, options: ConvertOptions = {}): Promise<ConvertResult> {
  const { format, bytes } = checkedFormat(source);
  const ir = ASYNC_FORMATS.includes(format) ? await importAsync(format, source, bytes, options) : importSync(format, source, bytes, options);
  return finish(ir, format, options);
}

/** Converts a source model (ONNX, Keras, TF.js Layers, safetensors) to .ernn bytes. */
export async function convert(source: ModelSource, options: ConvertOptions = {}): Promise<Uint8Array> {
  return (await convertSource(source, options)).bytes;
}
