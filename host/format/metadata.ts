// The metadata block of an .ernn file (UTF-8 JSON). The converter writes it; the runtime host
// reads it to name features, apply normalisation, shape outputs and bind a source graph's
// inputs and outputs. The module itself only checks that the block lies inside the file.

import { ModelFormatError } from '../errors.js';

export interface FeatureSpec {
  name: string;
  /** SI unit or description, e.g. "m", "m/s", "rad", "1". */
  unit?: string;
}

export interface SourceInfo {
  /** pytorch, keras, tfjs, onnx, ... (the framework that trained the model, when known). */
  framework?: string;
  frameworkVersion?: string;
  /** File format the converter read: onnx, keras, h5, tfjs, safetensors. */
  format?: string;
  producer?: string;
  producerVersion?: string;
  opset?: number;
  file?: string;
}

/** Axis names used by graph bindings. */
export type Axis = 'batch' | 'time' | 'feature' | 'direction' | 'part' | 'unit';

export interface SequenceInputBinding {
  name: string;
  role: 'sequence';
  /** The graph tensor's axes in order; the runtime's own order is batch, time, feature. */
  axes: Axis[];
  /**
   * The graph tensor holds integer ids (no feature axis) that become one-hot vectors of this many
   * features (a Keras Embedding front end). Ids outside [0, oneHot) are an error.
   */
  oneHot?: number;
  /**
   * Steps to skip (Keras Masking, Embedding mask_zero): a step whose values in the graph tensor all
   * equal `value` is dropped, the remaining steps move to the front in order, and the sequence
   * lengths count them. Only sequence-to-vector models carry it (their output ignores skipped steps).
   */
  mask?: { value: number };
}

export interface StateBinding {
  name: string;
  role: 'initial_h' | 'initial_c' | 'final_h' | 'final_c';
  /** Entry k of the tensor's 'part' axis is the state of this layer and direction. */
  parts: { layer: number; direction: number }[];
  /** Order of the axes 'part', 'batch', 'unit' in the graph tensor. */
  axes: Axis[];
}

export interface LengthsBinding {
  name: string;
  role: 'sequence_lens';
}

export interface OutputBinding {
  name: string;
  role: 'output';
  /** Whether the runtime output has a time axis (false after a sequence-to-vector layer). */
  time: boolean;
  /** How the runtime's per-step output vector splits into axes (product = output size). */
  factors: number[];
  /** Graph axis k is runtime axis perm[k], runtime axes being [batch, time?, ...factors]. */
  perm: number[];
  /** After the transpose, graph axis k is the product of transposed axes merge[k] (batch*time). */
  merge?: number[][];
}

/** A graph input whose value was frozen into the model at conversion (weights passed as inputs). */
export interface ConstantBinding {
  name: string;
  role: 'constant';
}

export type InputBinding = SequenceInputBinding | StateBinding | LengthsBinding | ConstantBinding;
export type GraphOutputBinding = OutputBinding | StateBinding;

export interface GraphBinding {
  inputs: InputBinding[];
  outputs: GraphOutputBinding[];
}

export interface ModelMetadata {
  name?: string;
  description?: string;
  features?: FeatureSpec[];
  /** Seconds between two steps of the model, when it was trained on a fixed rate. */
  samplePeriod?: number;
  /** Applied by the host before the model: x' = (x - mean) / std, per feature. */
  normalization?: { mean: number[]; std: number[] };
  output?: {
    /** Shape of one output vector, e.g. [12, 2]. */
    shape: number[];
    unit?: string;
    names?: string[];
  };
  source?: SourceInfo;
  converter?: { name: string; version: string };
  graph?: GraphBinding;
  [key: string]: unknown;
}

// ---- validation -------------------------------------------------------------------------------
// The metadata block is part of an untrusted file. The module only checks that it lies inside the
// file, so the host checks the types of the fields it reads before anything uses them: a field of
// the wrong type is a ModelFormatError that names it, never a TypeError later on.

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown, min = 1): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= 0x7fffffff;
const AXES: readonly string[] = ['batch', 'time', 'feature', 'direction', 'part', 'unit'];
const INPUT_ROLES: readonly string[] = ['sequence', 'initial_h', 'initial_c', 'sequence_lens', 'constant'];
const STATE_ROLES: readonly string[] = ['initial_h', 'initial_c', 'final_h', 'final_c'];

function bad(where: string, what: string, actual: unknown): ModelFormatError {
  let shown: string;
  try { shown = JSON.stringify(actual)?.slice(0, 60) ?? String(actual); } catch { shown = typeof actual; }
  return new ModelFormatError(`metadata: ${where} must be ${what}, found ${shown}`, { where: `metadata.${where}`, expected: what, actual });
}

function checkOptional(md: Record<string, unknown>, key: string, where: string, ok: (v: unknown) => boolean, what: string): void {
  if (md[key] !== undefined && !ok(md[key])) throw bad(`${where}${key}`, what, md[key]);
}

const isString = (v: unknown) => typeof v === 'string';
const isStringArray = (v: unknown) => Array.isArray(v) && v.every(isString);
const isFiniteArray = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
const isAxes = (v: unknown) => Array.isArray(v) && v.every((a) => AXES.includes(a as string));
const isCounts = (v: unknown, min = 1) => Array.isArray(v) && v.every((x) => isCount(x, min));
const isPermutation = (v: unknown, n: number) => isCounts(v, 0) && (v as number[]).length === n && [...(v as number[])].sort((a, b) => a - b).every((x, i) => x === i);
const isStateAxes = (v: unknown) => Array.isArray(v) && v.length === 3 && ['part', 'batch', 'unit'].every((a) => v.includes(a));

function checkGraph(g: unknown, inputSize: number): void {
  if (!isObject(g) || !Array.isArray(g.inputs) || !Array.isArray(g.outputs)) throw bad('graph', 'an object with arrays inputs and outputs', g);
  const state = (b: Record<string, unknown>, where: string) => {
    if (!Array.isArray(b.parts) || !b.parts.every((p) => isObject(p) && isCount(p.layer, -1) && (p.direction === 0 || p.direction === 1))) throw bad(`${where}.parts`, 'an array of { layer, direction }', b.parts);
    if (!isStateAxes(b.axes)) throw bad(`${where}.axes`, 'the axes part, batch and unit in some order', b.axes);
  };
  g.inputs.forEach((b: unknown, i) => {
    const where = `graph.inputs[${i}]`;
    if (!isObject(b) || typeof b.name !== 'string' || !INPUT_ROLES.includes(b.role as string)) throw bad(where, `an object with a name and a role (${INPUT_ROLES.join(', ')})`, b);
    if (b.role === 'sequence') {
      if (!isAxes(b.axes)) throw bad(`${where}.axes`, `an array of axis names (${AXES.join(', ')})`, b.axes);
      // the one-hot width is the model's input size: it sizes an allocation in runGraph()
      if (b.oneHot !== undefined && b.oneHot !== inputSize) throw bad(`${where}.oneHot`, `the model's input size ${inputSize}`, b.oneHot);
      if (b.mask !== undefined && !(isObject(b.mask) && typeof b.mask.value === 'number')) throw bad(`${where}.mask`, 'an object { value: number }', b.mask);
    } else if (b.role === 'initial_h' || b.role === 'initial_c') state(b, where);
  });
  g.outputs.forEach((b: unknown, i) => {
    const where = `graph.outputs[${i}]`;
    if (!isObject(b) || typeof b.name !== 'string') throw bad(where, 'an object with a name and a role', b);
    if (b.role === 'output') {
      if (typeof b.time !== 'boolean') throw bad(`${where}.time`, 'a boolean', b.time);
      if (!isCounts(b.factors)) throw bad(`${where}.factors`, 'an array of positive integers', b.factors);
      const rank = (b.factors as number[]).length + (b.time ? 2 : 1);
      if (!isPermutation(b.perm, rank)) throw bad(`${where}.perm`, `a permutation of the ${rank} runtime axes`, b.perm);
      if (b.merge !== undefined && !(Array.isArray(b.merge) && b.merge.every((m) => isCounts(m, 0) && (m as number[]).every((k) => k < rank)))) throw bad(`${where}.merge`, 'an array of arrays of axis indices', b.merge);
    } else if (STATE_ROLES.includes(b.role as string)) state(b, where);
    else throw bad(`${where}.role`, `output or ${STATE_ROLES.join(', ')}`, b.role);
  });
}

/**
 * Checks the types of the metadata fields the host reads (name, features, samplePeriod,
 * normalization, output, source, converter, graph). Other fields are left alone.
 * Throws ModelFormatError naming the first field of the wrong type.
 */
export function checkMetadata(md: Record<string, unknown>, inputSize: number): ModelMetadata {
  checkOptional(md, 'name', '', isString, 'a string');
  checkOptional(md, 'description', '', isString, 'a string');
  checkOptional(md, 'features', '', (v) => Array.isArray(v) && v.every((f) => isObject(f) && typeof f.name === 'string' && (f.unit === undefined || typeof f.unit === 'string')), 'an array of { name, unit? }');
  checkOptional(md, 'samplePeriod', '', (v) => typeof v === 'number' && Number.isFinite(v) && v > 0, 'a positive number of seconds');
  checkOptional(md, 'normalization', '', (v) => isObject(v) && isFiniteArray(v.mean) && isFiniteArray(v.std), 'an object { mean: number[], std: number[] }');
  checkOptional(md, 'source', '', isObject, 'an object');
  checkOptional(md, 'converter', '', isObject, 'an object');
  if (md.output !== undefined) {
    const o = md.output;
    if (!isObject(o)) throw bad('output', 'an object', o);
    checkOptional(o, 'shape', 'output.', (v) => isCounts(v) && (v as number[]).length > 0 && (v as number[]).length <= 8, 'an array of 1 to 8 positive integers');
    checkOptional(o, 'unit', 'output.', isString, 'a string');
    checkOptional(o, 'names', 'output.', isStringArray, 'an array of strings');
  }
  if (md.graph !== undefined) checkGraph(md.graph, inputSize);
  return md as ModelMetadata;
}
