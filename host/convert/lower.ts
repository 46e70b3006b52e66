// Lowers the model description to the module's layout and writes .ernn bytes.
//   f32:           weights transposed to input-major ([I, G*H]), biases merged where the math allows
//   int8-dynamic:  weights int8 output-major ([G*H, I]) with per-row scales; biases, peepholes and
//                  states stay float (docs/QUANTIZATION.md)
//   int8:          weights int8 with per-row scales, effective int32 biases, activation tables and
//                  per-layer input/output quantization from calibration statistics

import type { ModelIR, RecurrentLayer, Activation } from './ir.js';
import { GATES, isRecurrent, outputSizeOf, transpose2d } from './ir.js';
import { writeErnn, type LayerSpec, type TensorSpec, type ActivationSpec } from '../format/writer.js';
import { ACT_CODE, Dtype, LayerFlag, LayerType, Mode, OutputMode, TensorSlot } from '../format/layout.js';
import { ModelFormatError, UnsupportedModelError } from '../errors.js';
import type { Range, LayerStats } from './quantize/reference.js';
import {
  quantizeRows, asymmetric, symmetric, cellFraction, gruStateFraction, rnnState, activationTable, DIRECT_ACTIVATIONS,
  clampI32, type Affine,
} from './quantize/params.js';

const OUTPUT_MODES = { sequence: OutputMode.Sequence, 'sequence-reversed': OutputMode.SequenceReversed, last: OutputMode.Last, final: OutputMode.Final } as const;

export type QuantMode = 'f32' | 'int8-dynamic' | 'int8';

export interface QuantPlan {
  mode: QuantMode;
  /** int8: ranges measured over calibration data (quantize/reference.ts calibrate()). */
  stats?: { input: Range; layers: LayerStats[] };
  /** int8: bits of the last layer's output when it is a Dense layer (default 16). */
  lastBits?: 8 | 16;
}

export function encodeActivation(a: Activation, where: string): ActivationSpec {
  const code = ACT_CODE[a.name];
  if (code === undefined) throw new UnsupportedModelError(`${where}: activation '${a.name}' is not supported`, { where });
  const defaults: Partial<Record<string, [number, number]>> = {
    hard_sigmoid: [0.2, 0.5], leaky_relu: [0.01, 0], thresholded_relu: [1, 0], scaled_tanh: [1, 1],
    affine: [1, 0], elu: [1, 0], selu: [1.67326319217681884765625, 1.05070102214813232421875],
  };
  const [da, db] = defaults[a.name] ?? [0, 0];
  const alpha = a.alpha ?? da, beta = a.beta ?? db;
  if (!Number.isFinite(alpha) || !Number.isFinite(beta)) throw new ModelFormatError(`${where}: activation parameters must be finite`, { where });
  return { code, alpha, beta };
}

function checkLength(a: Float32Array | undefined, n: number, what: string): void {
  if (a && a.length !== n) throw new ModelFormatError(`${what} has ${a.length} values, expected ${n}`, { where: what, expected: n, actual: a.length });
}

class Builder {
  readonly tensors: TensorSpec[] = [];

  add(name: string, dtype: Dtype, data: TensorSpec['data'], shape: number[], scale?: number): number {
    this.tensors.push({ name, dtype, shape, data, ...(scale !== undefined ? { scale } : {}) });
    return this.tensors.length - 1;
  }
  f32(name: string, data: Float32Array, shape: number[]): number { return this.add(name, Dtype.F32, data, shape); }

  /** int8 [rows, cols] output-major with its per-row bf16 scale tensor. */
  int8Rows(name: string, W: Float32Array, rows: number, cols: number): { index: number; q: Int8Array; scale: Float32Array } {
    const { q, scale, bits } = quantizeRows(W, rows, cols);
    const s = this.add(`${name}.s`, Dtype.BF16, bits, [rows]);
    return { index: this.add(name, Dtype.I8, q, [rows, cols], s), q, scale };
  }
}

/** int8 mode: activations go through a table the module builds at load; it must stay in [-1, 1]. */
function table(a: Activation, where: string): 1 {
  if (!activationTable(a)) throw new UnsupportedModelError(`${where}: activation '${a.name}' leaves [-1, 1], so the int8 mode cannot tabulate it; convert with --quant int8-dynamic or f32`, { where });
  return 1;
}

interface Int8Io { input: Affine; output: Affine; outBits: 8 | 16; cellRange?: Range; stateRange?: Range }

/** Per-layer input/output quantization of an int8 model, from the calibration ranges. */
function int8Io(ir: ModelIR, plan: QuantPlan): Int8Io[] {
  const stats = plan.stats;
  if (!stats || stats.layers.length !== ir.layers.length) {
    throw new UnsupportedModelError('the int8 mode needs calibration statistics for every layer (calibration data)', { where: 'quant' });
  }
  const io: Int8Io[] = [];
  let input = asymmetric(stats.input);
  ir.layers.forEach((L, i) => {
    const last = i === ir.layers.length - 1;
    const r = stats.layers[i]!.output;
    const state = stats.layers[i]!.state;
    let output: Affine, outBits: 8 | 16 = 8;
    // a recurrent layer's output is its h, whose range over all steps (and initial states) counts
    if (isRecurrent(L)) output = L.kind === 'rnn' ? rnnState(state ?? r) : symmetric(state ?? r, 8);
    else if (last && (plan.lastBits ?? 16) === 16) { output = symmetric(r, 16); outBits = 16; }
    else output = asymmetric(r);
    const cell = stats.layers[i]!.cell;
    io.push({ input, output, outBits, ...(cell ? { cellRange: cell } : {}), ...(state ? { stateRange: state } : {}) });
    input = output;
  });
  return io;
}

function quantParams(io: Int8Io, tables: [number, number, number], stateFrac: number, clip: number | undefined, peepholeScale = 0): Int32Array {
  const q = new Int32Array(16);
  const f32bits = (v: number) => new Int32Array(Float32Array.of(v).buffer)[0]!;
  q[0] = io.input.zeroPoint;
  q[1] = io.output.zeroPoint;
  q[2] = io.outBits;
  q[3] = stateFrac;
  q[4] = tables[0]; q[5] = tables[1]; q[6] = tables[2];
  q[8] = f32bits(io.input.scale);
  q[9] = f32bits(io.output.scale);
  q[10] = clip === undefined || clip >= 8 ? 0 : Math.max(1, Math.round(clip * 4096));
  q[11] = peepholeScale > 0 ? f32bits(peepholeScale) : 0;
  return q;
}

export function lowerToErnn(ir: ModelIR, plan: QuantPlan = { mode: 'f32' }): Uint8Array {
  const b = new Builder();
  const layers: LayerSpec[] = [];
  const io = plan.mode === 'int8' ? int8Io(ir, plan) : undefined;
  let width = ir.inputSize;
  ir.layers.forEach((L, li) => {
    const tag = `${L.name || `layer${li}`}`;
    const where = `layer ${li} (${L.kind} '${L.name}')`;
    const slots: (number | undefined)[] = new Array(16).fill(undefined);
    const mode = plan.mode === 'f32' || L.kind === 'activation' ? Mode.F32 : plan.mode === 'int8' ? Mode.Int8 : Mode.Int8Dynamic;
    if (plan.mode === 'int8' && L.kind === 'activation') throw new UnsupportedModelError(`${where}: the int8 mode has no separate activation layer; the activation must follow a Dense layer`, { where });
    if (isRecurrent(L)) {
      if (L.inputSize !== width) throw new ModelFormatError(`${where} takes ${L.inputSize} inputs, the previous layer gives ${width}`, { where, expected: width, actual: L.inputSize });
      layers.push(lowerRecurrent(L, tag, where, mode, slots, b, io?.[li]));
      width = L.hiddenSize * (L.direction === 'bidirectional' ? 2 : 1);
    } else if (L.kind === 'dense') {
      if (L.inputSize !== width) throw new ModelFormatError(`${where} takes ${L.inputSize} inputs, the previous layer gives ${width}`, { where, expected: width, actual: L.inputSize });
      checkLength(L.W, L.units * L.inputSize, `${where} weights`);
      checkLength(L.b, L.units, `${where} bias`);
      let flags = L.b ? LayerFlag.HasBias : 0;
      if (mode === Mode.F32) {
        slots[TensorSlot.W] = b.f32(`${tag}.W`, transpose2d(L.W, L.units, L.inputSize), [L.inputSize, L.units]);
        if (L.b) slots[TensorSlot.B] = b.f32(`${tag}.B`, L.b, [L.units]);
      } else if (mode === Mode.Int8Dynamic) {
        slots[TensorSlot.W] = b.int8Rows(`${tag}.W`, L.W, L.units, L.inputSize).index;
        if (L.b) slots[TensorSlot.B] = b.f32(`${tag}.B`, L.b, [L.units]);
      } else {
        const q = io![li]!;
        const w = b.int8Rows(`${tag}.W`, L.W, L.units, L.inputSize);
        slots[TensorSlot.W] = w.index;
        slots[TensorSlot.B] = b.add(`${tag}.B`, Dtype.I32, effectiveBias(w, L.inputSize, L.b, q.input), [L.units]);
        if (L.activation.name === 'softmax' || L.activation.name === 'log_softmax') {
          throw new UnsupportedModelError(`${where}: softmax is not supported in the int8 mode; convert with --quant int8-dynamic`, { where });
        }
        const tf = DIRECT_ACTIVATIONS[L.activation.name] === undefined ? table(L.activation, where) : 0;
        slots[TensorSlot.Quant] = b.add(`${tag}.Q`, Dtype.I32, quantParams(q, [tf, 0, 0], 0, undefined), [16]);
        flags = LayerFlag.HasBias;
      }
      layers.push({
        type: LayerType.Dense, mode, directions: 1, output: OutputMode.Sequence,
        flags, inputSize: L.inputSize, units: L.units, outputSize: L.units,
        clip: 0, activations: [[encodeActivation(L.activation, where)]], tensors: slots,
      });
      width = L.units;
    } else {
      if (L.size !== width) throw new ModelFormatError(`${where} has size ${L.size}, the previous layer gives ${width}`, { where });
      layers.push({
        type: LayerType.Activation, mode: Mode.F32, directions: 1, output: OutputMode.Sequence, flags: 0,
        inputSize: L.size, units: L.size, outputSize: L.size, clip: 0,
        activations: [[encodeActivation(L.activation, where)]], tensors: slots,
      });
    }
  });
  if (layers.length === 0) throw new UnsupportedModelError('the model has no layers edgernn can run', { where: 'layers' });
  return writeErnn({
    inputSize: ir.inputSize,
    outputSize: outputSizeOf(ir.layers[ir.layers.length - 1]!),
    layers,
    tensors: b.tensors,
    metadata: ir.metadata,
  });
}

/** int32 bias of the input accumulator: round(b / (s_w s_x)) - z_x * sum_k q[m, k]. */
function effectiveBias(w: { q: Int8Array; scale: Float32Array }, cols: number, bias: Float32Array | undefined, input: Affine): Int32Array {
  const rows = w.scale.length;
  const out = new Int32Array(rows);
  for (let m = 0; m < rows; m++) {
    let sum = 0;
    for (let k = 0; k < cols; k++) sum += w.q[m * cols + k]!;
    const bq = bias ? bias[m]! / (w.scale[m]! * input.scale) : 0;
    out[m] = clampI32(bq - input.zeroPoint * sum);
  }
  return out;
}

function lowerRecurrent(L: RecurrentLayer, tag: string, where: string, mode: Mode, slots: (number | undefined)[], b: Builder, q: Int8Io | undefined): LayerSpec {
  const G = GATES[L.kind], H = L.hiddenSize, I = L.inputSize;
  const dirs = L.direction === 'bidirectional' ? 2 : 1;
  if (L.weights.length !== dirs) throw new ModelFormatError(`${where} has ${L.weights.length} weight sets for ${dirs} directions`, { where });
  const int8 = mode === Mode.Int8;
  const hasBias = L.weights.some((w) => w.bW || w.bR);
  const resetAfter = L.kind === 'gru' && L.resetAfter === true;
  let flags = 0;
  if (L.direction === 'reverse') flags |= LayerFlag.Reverse;
  if (hasBias || int8) flags |= LayerFlag.HasBias;
  if (resetAfter) flags |= LayerFlag.ResetAfter;
  if (L.clip !== undefined) flags |= LayerFlag.Clip;
  if (L.inputForget) flags |= LayerFlag.InputForget;
  const peep = L.weights.some((w) => w.peephole);
  if (peep) flags |= LayerFlag.Peephole;
  if (L.weights.some((w) => w.h0)) flags |= LayerFlag.HasH0;
  if (L.weights.some((w) => w.c0)) flags |= LayerFlag.HasC0;
  const acts: ActivationSpec[][] = [];
  for (let d = 0; d < dirs; d++) {
    const w = L.weights[d]!;
    const sfx = dirs === 2 ? (d === 0 ? '.f' : '.b') : '';
    checkLength(w.W, G * H * I, `${where} W`);
    checkLength(w.R, G * H * H, `${where} R`);
    checkLength(w.bW, G * H, `${where} input bias`);
    checkLength(w.bR, G * H, `${where} recurrent bias`);
    checkLength(w.peephole, 3 * H, `${where} peepholes`);
    checkLength(w.h0, H, `${where} initial h`);
    checkLength(w.c0, H, `${where} initial c`);
    const base = d * 8;
    // merged bias: input + recurrent, except the n block of a reset-after GRU (input part only)
    const merged = new Float32Array(G * H);
    for (let k = 0; k < G * H; k++) merged[k] = (w.bW?.[k] ?? 0) + (w.bR?.[k] ?? 0);
    const bn = new Float32Array(H);
    if (resetAfter) for (let k = 0; k < H; k++) { merged[2 * H + k] = w.bW?.[2 * H + k] ?? 0; bn[k] = w.bR?.[2 * H + k] ?? 0; }
    const nAct = L.kind === 'lstm' ? 3 : L.kind === 'gru' ? 2 : 1;
    const a = L.activations[d] ?? L.activations[0]!;
    if (a.length !== nAct) throw new ModelFormatError(`${where} needs ${nAct} activations, has ${a.length}`, { where });
    if (a.some((x) => x.name === 'softmax' || x.name === 'log_softmax')) {
      throw new UnsupportedModelError(`${where}: softmax cannot be a recurrent cell activation`, { where });
    }
    acts.push(a.map((x) => encodeActivation(x, where)));
    if (mode === Mode.F32) {
      slots[base + TensorSlot.W] = b.f32(`${tag}${sfx}.W`, transpose2d(w.W, G * H, I), [I, G * H]);
      slots[base + TensorSlot.R] = b.f32(`${tag}${sfx}.R`, transpose2d(w.R, G * H, H), [H, G * H]);
    } else {
      const wq = b.int8Rows(`${tag}${sfx}.W`, w.W, G * H, I);
      const rq = b.int8Rows(`${tag}${sfx}.R`, w.R, G * H, H);
      slots[base + TensorSlot.W] = wq.index;
      slots[base + TensorSlot.R] = rq.index;
      if (int8) {
        const qi = q!;
        slots[base + TensorSlot.B] = b.add(`${tag}${sfx}.B`, Dtype.I32, effectiveBias(wq, I, merged, qi.input), [G * H]);
        if (resetAfter) {
          const bnq = new Int32Array(H);
          for (let k = 0; k < H; k++) bnq[k] = clampI32(bn[k]! / (rq.scale[2 * H + k]! * qi.output.scale));
          slots[base + TensorSlot.Bn] = b.add(`${tag}${sfx}.Bn`, Dtype.I32, bnq, [H]);
        } else if (L.kind === 'rnn') {
          // the recurrent accumulator's zero-point term: -z_h * sum_k R[m, k]
          const bh = new Int32Array(H);
          for (let m = 0; m < H; m++) {
            let sum = 0;
            for (let k = 0; k < H; k++) sum += rq.q[m * H + k]!;
            bh[m] = clampI32(-qi.output.zeroPoint * sum);
          }
          slots[base + TensorSlot.Bn] = b.add(`${tag}${sfx}.Bn`, Dtype.I32, bh, [H]);
        }
        const tables: [number, number, number] = [0, 0, 0];
        if (L.kind !== 'rnn') {
          tables[0] = table(a[0]!, where);
          tables[1] = table(a[1]!, where);
          if (L.kind === 'lstm') tables[2] = table(a[2]!, where);
        } else if (DIRECT_ACTIVATIONS[a[0]!.name] === undefined) {
          tables[0] = table(a[0]!, where);
        } else if (L.clip !== undefined) {
          throw new UnsupportedModelError(`${where}: clip with a ${a[0]!.name} activation is not supported in the int8 mode`, { where });
        }
        const cf = L.kind === 'lstm' ? cellFraction(qi.cellRange) : L.kind === 'gru' ? gruStateFraction(qi.stateRange) : 0;
        let ps = 0;
        if (peep) {
          const P = w.peephole ?? new Float32Array(3 * H);
          let m = 0;
          for (const v of P) m = Math.max(m, Math.abs(v));
          ps = Math.fround(m > 0 ? m / 32767 : 2 ** -16);
          slots[base + TensorSlot.P] = b.add(`${tag}${sfx}.P`, Dtype.I16, Int16Array.from(P, (v) => Math.max(-32767, Math.min(32767, Math.round(v / ps)))), [3 * H]);
        }
        slots[base + TensorSlot.Quant] = b.add(`${tag}${sfx}.Q`, Dtype.I32, quantParams(qi, tables, cf, L.clip, ps), [16]);
        if (flags & LayerFlag.HasH0) {
          const h0 = w.h0 ?? new Float32Array(H);
          slots[base + TensorSlot.H0] = L.kind === 'gru'
            ? b.add(`${tag}${sfx}.h0`, Dtype.I16, Int16Array.from(h0, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 2 ** cf)))), [H])
            : b.add(`${tag}${sfx}.h0`, Dtype.I8, Int8Array.from(h0, (v) => Math.max(-128, Math.min(127, Math.round(v / qi.output.scale) + qi.output.zeroPoint))), [H]);
        }
        if (flags & LayerFlag.HasC0) {
          slots[base + TensorSlot.C0] = b.add(`${tag}${sfx}.c0`, Dtype.I16, Int16Array.from(w.c0 ?? new Float32Array(H), (v) => Math.max(-32768, Math.min(32767, Math.round(v * 2 ** cf)))), [H]);
        }
        continue;
      }
    }
    // float biases, peepholes and initial states (f32 and int8-dynamic)
    if (hasBias) {
      if (resetAfter) slots[base + TensorSlot.Bn] = b.f32(`${tag}${sfx}.Bn`, bn, [H]);
      slots[base + TensorSlot.B] = b.f32(`${tag}${sfx}.B`, merged, [G * H]);
    }
    if (peep) slots[base + TensorSlot.P] = b.f32(`${tag}${sfx}.P`, w.peephole ?? new Float32Array(3 * H), [3 * H]);
    if (flags & LayerFlag.HasH0) slots[base + TensorSlot.H0] = b.f32(`${tag}${sfx}.h0`, w.h0 ?? new Float32Array(H), [H]);
    if (flags & LayerFlag.HasC0) slots[base + TensorSlot.C0] = b.f32(`${tag}${sfx}.c0`, w.c0 ?? new Float32Array(H), [H]);
  }
  if (L.output === 'sequence-reversed' && L.direction !== 'reverse') {
    throw new ModelFormatError(`${where}: a reversed output order needs a reverse layer`, { where });
  }
  return {
    type: L.kind === 'lstm' ? LayerType.LSTM : L.kind === 'gru' ? LayerType.GRU : LayerType.RNN,
    mode, directions: dirs as 1 | 2, output: OUTPUT_MODES[L.output], flags,
    inputSize: I, units: H, outputSize: dirs * H, clip: L.clip ?? 0, activations: acts, tensors: slots,
  };
}

