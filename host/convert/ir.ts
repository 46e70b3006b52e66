// The converter's one in-memory model description. Every importer (ONNX, Keras, TF.js,
// safetensors) produces this; the quantizer and the .ernn writer consume it.
//
// Conventions (one canonical form, whatever the source framework):
// - Gate order: LSTM i, f, g, o; GRU z, r, n; RNN a single block.
// - Recurrent weights are [G*H, I] and [G*H, H], row-major (the PyTorch/ONNX orientation).
// - Biases stay split as input (bW) and recurrent (bR) vectors [G*H]; whether they may be summed
//   is decided when lowering (not for the n gate of a reset-after GRU).
// - Peepholes are [3H] in order i, f, o.
// - Dense weights are [units, inputs] (PyTorch nn.Linear orientation).

import type { ActivationName } from '../format/layout.js';
import type { ModelMetadata } from '../format/metadata.js';

export interface Activation {
  name: ActivationName;
  alpha?: number;
  beta?: number;
}

export type CellKind = 'lstm' | 'gru' | 'rnn';
export type Direction = 'forward' | 'reverse' | 'bidirectional';
export type RecurrentOutput = 'sequence' | 'sequence-reversed' | 'last' | 'final';

export interface RecurrentWeights {
  W: Float32Array;
  R: Float32Array;
  bW?: Float32Array;
  bR?: Float32Array;
  peephole?: Float32Array;
  h0?: Float32Array;
  c0?: Float32Array;
}

export interface RecurrentLayer {
  kind: CellKind;
  name: string;
  inputSize: number;
  hiddenSize: number;
  direction: Direction;
  output: RecurrentOutput;
  /** GRU only: true for variant B (PyTorch, Keras reset_after=True, ONNX linear_before_reset=1). */
  resetAfter?: boolean;
  /** Per direction: LSTM [f, g, h], GRU [f, g], RNN [f]. */
  activations: Activation[][];
  clip?: number;
  inputForget?: boolean;
  /** One entry per direction (forward first). */
  weights: RecurrentWeights[];
}

export interface DenseLayer {
  kind: 'dense';
  name: string;
  inputSize: number;
  units: number;
  W: Float32Array;
  b?: Float32Array;
  activation: Activation;
}

export interface ActivationLayer {
  kind: 'activation';
  name: string;
  size: number;
  activation: Activation;
}

export type Layer = RecurrentLayer | DenseLayer | ActivationLayer;

export interface ModelIR {
  name: string;
  inputSize: number;
  layers: Layer[];
  metadata: ModelMetadata;
}

export const GATES: Record<CellKind, number> = { lstm: 4, gru: 3, rnn: 1 };

export function isRecurrent(l: Layer): l is RecurrentLayer {
  return l.kind === 'lstm' || l.kind === 'gru' || l.kind === 'rnn';
}

export function outputSizeOf(l: Layer): number {
  if (isRecurrent(l)) return l.hiddenSize * (l.direction === 'bidirectional' ? 2 : 1);
  return l.kind === 'dense' ? l.units : l.size;
}

/** Reorders gate blocks (rows of a [G*H, X] matrix or a [G*H] vector): out block k = in block order[k]. */
export function reorderGates(a: Float32Array, gates: number, order: readonly number[]): Float32Array {
  const block = a.length / gates;
  const out = new Float32Array(a.length);
  order.forEach((src, k) => out.set(a.subarray(src * block, (src + 1) * block), k * block));
  return out;
}

/** Transposes a row-major [rows, cols] matrix. */
export function transpose2d(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c]!;
  return out;
}

export function parameterCount(ir: ModelIR): number {
  let n = 0;
  for (const l of ir.layers) {
    if (l.kind === 'dense') n += l.W.length + (l.b?.length ?? 0);
    else if (isRecurrent(l)) {
      for (const w of l.weights) n += w.W.length + w.R.length + (w.bW?.length ?? 0) + (w.bR?.length ?? 0) + (w.peephole?.length ?? 0);
    }
  }
  return n;
}
