// Keras weight arrays -> model IR layers: recurrent layers (LSTM, GRU, SimpleRNN and their
// CuDNN / Keras 1 variants), Dense and Embedding. Every array's shape is checked against the
// layer's config before it is used.
//
// Keras stores kernels as [inputs, G*H] with gate blocks as column blocks (LSTM i, f, c, o; GRU
// z, r, h), used as x·kernel; the IR wants [G*H, inputs] row blocks in the same gate order
// (LSTM i, f, g, o; GRU z, r, n), so every kernel is transposed and no block moves.
//   LSTM / SimpleRNN bias [G*H]      -> bW (bR absent: the sum is all that matters)
//   GRU reset_after=False bias [3H]  -> bW, variant A (resetAfter false)
//   GRU reset_after=True bias [2,3H] -> bW = row 0, bR = row 1, variant B (resetAfter true)
//   CuDNNLSTM bias [8H]              -> bW = [0, 4H), bR = [4H, 8H)
//   CuDNNGRU bias [6H]               -> bW = [0, 3H), bR = [3H, 6H), variant B
// CuDNN layers hand each gate block of their kernels to cuDNN by *reshaping* it (keras
// cudnn_recurrent.py `_canonical_to_params`), and cuDNN reads each block as a row-major
// [H, inputs] matrix. So the IR's block g is block g's values in row-major order, not its
// transpose (the conversion keras PR #8307 / #9112 implements in `_convert_rnn_weights`).
// Keras 1 per-gate arrays (LSTM W_i,U_i,b_i, W_c,U_c,b_c, W_f,U_f,b_f, W_o,U_o,b_o; GRU z, r, h)
// are reassembled into Keras 2 kernels first.

import type { NamedArray } from './document.js';
import type { Activation, DenseLayer, RecurrentWeights } from '../ir.js';
import { transpose2d } from '../ir.js';
import { ModelFormatError } from '../../errors.js';

export type RecurrentClass = 'LSTM' | 'GRU' | 'SimpleRNN' | 'CuDNNLSTM' | 'CuDNNGRU';

export const GATE_COUNT: Record<RecurrentClass, number> = { LSTM: 4, GRU: 3, SimpleRNN: 1, CuDNNLSTM: 4, CuDNNGRU: 3 };

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** Checks one array against the shape the config implies (and its data against its shape). */
export function checked(a: NamedArray | undefined, shape: number[], where: string, what: string): Float32Array {
  if (!a) throw new ModelFormatError(`${where}: ${what} is missing`, { where, expected: shapeText(shape) });
  const n = a.shape.reduce((p, d) => p * d, 1);
  if (a.data.length !== n) {
    throw new ModelFormatError(`${where}: ${what} '${a.name}' has ${a.data.length} values for shape ${shapeText(a.shape)}`, { where, expected: n, actual: a.data.length });
  }
  if (!sameShape(a.shape, shape)) {
    throw new ModelFormatError(`${where}: ${what} '${a.name}' has shape ${shapeText(a.shape)}, expected ${shapeText(shape)}`, { where, expected: shapeText(shape), actual: shapeText(a.shape) });
  }
  return a.data;
}

/** Concatenates [rows, cols_k] matrices along columns. */
function hcat(blocks: Float32Array[], rows: number, cols: number): Float32Array {
  const n = blocks.length;
  const out = new Float32Array(rows * cols * n);
  for (let r = 0; r < rows; r++) blocks.forEach((b, k) => out.set(b.subarray(r * cols, (r + 1) * cols), r * cols * n + k * cols));
  return out;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

const PER_GATE = /(?:^|[_/])([WUb])_([a-z])(?::\d+)?$/;

/**
 * Keras 1 per-gate arrays (12 for LSTM, 9 for GRU) as Keras 2 [kernel, recurrent_kernel, bias].
 * Arrays are matched by their names (W_i, U_f, b_o, ...) when they carry them, else by position.
 */
function fromPerGate(cls: 'LSTM' | 'GRU', arrays: NamedArray[], I: number, H: number, where: string): NamedArray[] {
  const stored = cls === 'LSTM' ? ['i', 'c', 'f', 'o'] : ['z', 'r', 'h'];
  const order = cls === 'LSTM' ? ['i', 'f', 'c', 'o'] : ['z', 'r', 'h'];
  const byName = new Map<string, NamedArray>();
  for (const a of arrays) {
    const m = PER_GATE.exec(a.name);
    if (m) byName.set(`${m[1]}_${m[2]}`, a);
  }
  const named = byName.size === arrays.length;
  const get = (kind: 'W' | 'U' | 'b', gate: string): NamedArray | undefined => {
    if (named) return byName.get(`${kind}_${gate}`);
    return arrays[stored.indexOf(gate) * 3 + ['W', 'U', 'b'].indexOf(kind)];
  };
  const W = order.map((g) => checked(get('W', g), [I, H], where, `W_${g}`));
  const U = order.map((g) => checked(get('U', g), [H, H], where, `U_${g}`));
  const b = order.map((g) => checked(get('b', g), [H], where, `b_${g}`));
  const G = order.length;
  return [
    { name: 'kernel (from W_*)', shape: [I, G * H], data: hcat(W, I, H) },
    { name: 'recurrent_kernel (from U_*)', shape: [H, G * H], data: hcat(U, H, H) },
    { name: 'bias (from b_*)', shape: [G * H], data: concat(b) },
  ];
}

export interface RecurrentSpec {
  cls: RecurrentClass;
  inputSize: number;
  units: number;
  useBias: boolean;
  /** GRU only. */
  resetAfter: boolean;
}

/** The weights of one direction of a recurrent layer, from its get_weights() arrays. */
export function recurrentWeights(spec: RecurrentSpec, arrays: NamedArray[], where: string): RecurrentWeights {
  const { cls, inputSize: I, units: H } = spec;
  const G = GATE_COUNT[cls];
  const cudnn = cls === 'CuDNNLSTM' || cls === 'CuDNNGRU';
  if ((cls === 'LSTM' && arrays.length === 12) || (cls === 'GRU' && arrays.length === 9)) {
    arrays = fromPerGate(cls, arrays, I, H, where);
  }
  const names = arrays.map((a) => `'${a.name}'`).join(', ');
  const hasBias = cudnn || spec.useBias;
  const want = hasBias ? 3 : 2;
  if (arrays.length !== want) {
    throw new ModelFormatError(`${where} has ${arrays.length} weight arrays (${names || 'none'}), expected ${want} (kernel, recurrent_kernel${hasBias ? ', bias' : ''})`, { where, expected: want, actual: arrays.length });
  }
  const kernel = checked(arrays[0], [I, G * H], where, 'kernel');
  const rk = checked(arrays[1], [H, G * H], where, 'recurrent_kernel');
  let W: Float32Array, R: Float32Array;
  if (cudnn) {
    // block g of the IR = block g's [rows, H] values read row-major as [H, rows]
    W = new Float32Array(G * H * I);
    R = new Float32Array(G * H * H);
    for (let g = 0; g < G; g++) {
      for (let r = 0; r < I; r++) for (let c = 0; c < H; c++) W[g * H * I + r * H + c] = kernel[r * G * H + g * H + c]!;
      for (let r = 0; r < H; r++) for (let c = 0; c < H; c++) R[g * H * H + r * H + c] = rk[r * G * H + g * H + c]!;
    }
  } else {
    W = transpose2d(kernel, I, G * H);
    R = transpose2d(rk, H, G * H);
  }
  const w: RecurrentWeights = { W, R };
  if (!hasBias) return w;
  if (cudnn) {
    const b = checked(arrays[2], [2 * G * H], where, 'bias');
    w.bW = b.slice(0, G * H);
    w.bR = b.slice(G * H);
  } else if (cls === 'GRU' && spec.resetAfter) {
    const b = checked(arrays[2], [2, G * H], where, 'bias (reset_after=True: input and recurrent rows)');
    w.bW = b.slice(0, G * H);
    w.bR = b.slice(G * H);
  } else {
    w.bW = checked(arrays[2], [G * H], where, 'bias').slice();
  }
  return w;
}

/** A Dense layer from its [kernel, bias?] arrays (Keras 1: W, b). */
export function denseLayer(name: string, arrays: NamedArray[], inputSize: number, units: number, useBias: boolean, activation: Activation, where: string): DenseLayer {
  const want = useBias ? 2 : 1;
  if (arrays.length !== want) {
    const names = arrays.map((a) => `'${a.name}'`).join(', ');
    throw new ModelFormatError(`${where} has ${arrays.length} weight arrays (${names || 'none'}), expected ${want} (kernel${useBias ? ', bias' : ''})`, { where, expected: want, actual: arrays.length });
  }
  const kernel = checked(arrays[0], [inputSize, units], where, 'kernel');
  const layer: DenseLayer = { kind: 'dense', name, inputSize, units, W: transpose2d(kernel, inputSize, units), activation };
  if (useBias) layer.b = checked(arrays[1], [units], where, 'bias').slice();
  return layer;
}
