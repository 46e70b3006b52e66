// Folds linear layers into their successor, in the model description, before lowering:
//   Dense (linear) -> recurrent layer:  W' = W_rnn · W_dense, bW' = bW + W_rnn · b_dense
//   Dense (linear) -> Dense:            W' = W2 · W1,        b' = W2 · b1 + b2
// Exact in real arithmetic (sums in float64, rounded once), and one layer less to run: input
// normalisation written into a graph ((x - mean) / std before the recurrent layer) costs nothing.
// A fold that would make the weights larger than the two layers apart is skipped: a wide Dense
// into a narrow one (a Keras Embedding as a one-hot Dense [D, vocab] into an LSTM of 4H > D rows)
// is cheaper to run as two layers.

import type { ModelIR, Layer, DenseLayer } from './ir.js';
import { isRecurrent, GATES } from './ir.js';

function matmul(A: Float32Array, rows: number, inner: number, B: Float32Array, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let s = 0;
      for (let k = 0; k < inner; k++) s += A[r * inner + k]! * B[k * cols + c]!;
      out[r * cols + c] = s;
    }
  }
  return out;
}

function matvec(A: Float32Array, rows: number, cols: number, x: Float32Array | undefined, add?: Float32Array): Float32Array | undefined {
  if (!x && !add) return undefined;
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = add ? add[r]! : 0;
    if (x) for (let k = 0; k < cols; k++) s += A[r * cols + k]! * x[k]!;
    out[r] = s;
  }
  return out;
}

const foldable = (L: Layer): L is DenseLayer => L.kind === 'dense' && L.activation.name === 'linear';

export function foldLinearLayers(ir: ModelIR): ModelIR {
  const layers: Layer[] = [];
  for (const L of ir.layers) {
    const prev = layers[layers.length - 1];
    if (prev && foldable(prev) && isRecurrent(L) && L.weights.length * GATES[L.kind] * L.hiddenSize * (prev.inputSize - L.inputSize) <= prev.W.length) {
      const rows = GATES[L.kind] * L.hiddenSize;
      layers[layers.length - 1] = {
        ...L,
        inputSize: prev.inputSize,
        weights: L.weights.map((w) => {
          const bW = matvec(w.W, rows, L.inputSize, prev.b, w.bW);
          return { ...w, W: matmul(w.W, rows, L.inputSize, prev.W, prev.inputSize), ...(bW ? { bW } : {}) };
        }),
      };
      continue;
    }
    if (prev && foldable(prev) && L.kind === 'dense' && L.units * (prev.inputSize - L.inputSize) <= prev.W.length) {
      const b = matvec(L.W, L.units, L.inputSize, prev.b, L.b);
      layers[layers.length - 1] = { ...L, inputSize: prev.inputSize, W: matmul(L.W, L.units, L.inputSize, prev.W, prev.inputSize), ...(b ? { b } : {}) };
      continue;
    }
    layers.push(L);
  }
  return { ...ir, layers };
}
