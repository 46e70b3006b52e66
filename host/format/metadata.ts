// The metadata block of an .ernn file (UTF-8 JSON). The converter writes it; the runtime host
// reads it to name features, apply normalisation, shape outputs and bind a source graph's
// inputs and outputs. The module itself only checks that the block lies inside the file.

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
