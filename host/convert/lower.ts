// Lowers the model description to the module's layout and writes .ernn bytes: weights transposed
// to input-major ([I, G*H]), biases merged where the math allows, activations encoded.

import type { ModelIR, RecurrentLayer, Activation } from './ir.js';
import { GATES, isRecurrent, outputSizeOf, transpose2d } from './ir.js';
import { writeErnn, type LayerSpec, type TensorSpec, type ActivationSpec } from '../format/writer.js';
import { ACT_CODE, Dtype, LayerFlag, LayerType, Mode, OutputMode, TensorSlot } from '../format/layout.js';
import { ModelFormatError, UnsupportedModelError } from '../errors.js';

const OUTPUT_MODES = { sequence: OutputMode.Sequence, 'sequence-reversed': OutputMode.SequenceReversed, last: OutputMode.Last, final: OutputMode.Final } as const;

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

export function lowerToErnn(ir: ModelIR): Uint8Array {
  const tensors: TensorSpec[] = [];
  const add = (name: string, data: Float32Array, shape: number[]): number => {
    tensors.push({ name, dtype: Dtype.F32, shape, data });
    return tensors.length - 1;
  };
  const layers: LayerSpec[] = [];
  let width = ir.inputSize;
  ir.layers.forEach((L, li) => {
    const tag = `${L.name || `layer${li}`}`;
    const where = `layer ${li} (${L.kind} '${L.name}')`;
    const slots: (number | undefined)[] = new Array(16).fill(undefined);
    if (isRecurrent(L)) {
      if (L.inputSize !== width) throw new ModelFormatError(`${where} takes ${L.inputSize} inputs, the previous layer gives ${width}`, { where, expected: width, actual: L.inputSize });
      const G = GATES[L.kind], H = L.hiddenSize, I = L.inputSize;
      const dirs = L.direction === 'bidirectional' ? 2 : 1;
      if (L.weights.length !== dirs) throw new ModelFormatError(`${where} has ${L.weights.length} weight sets for ${dirs} directions`, { where });
      const hasBias = L.weights.some((w) => w.bW || w.bR);
      let flags = 0;
      if (L.direction === 'reverse') flags |= LayerFlag.Reverse;
      if (hasBias) flags |= LayerFlag.HasBias;
      if (L.kind === 'gru' && L.resetAfter) flags |= LayerFlag.ResetAfter;
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
        slots[base + TensorSlot.W] = add(`${tag}${sfx}.W`, transpose2d(w.W, G * H, I), [I, G * H]);
        slots[base + TensorSlot.R] = add(`${tag}${sfx}.R`, transpose2d(w.R, G * H, H), [H, G * H]);
        if (hasBias) {
          const b = new Float32Array(G * H);
          for (let k = 0; k < G * H; k++) b[k] = (w.bW?.[k] ?? 0) + (w.bR?.[k] ?? 0);
          if (L.kind === 'gru' && L.resetAfter) {
            // the n gate's recurrent bias sits inside r ⊙ (h·Rn + Bn): keep it apart
            const bn = new Float32Array(H);
            for (let k = 0; k < H; k++) { b[2 * H + k] = w.bW?.[2 * H + k] ?? 0; bn[k] = w.bR?.[2 * H + k] ?? 0; }
            slots[base + TensorSlot.Bn] = add(`${tag}${sfx}.Bn`, bn, [H]);
          }
          slots[base + TensorSlot.B] = add(`${tag}${sfx}.B`, b, [G * H]);
        }
        if (peep) slots[base + TensorSlot.P] = add(`${tag}${sfx}.P`, w.peephole ?? new Float32Array(3 * H), [3 * H]);
        if (flags & LayerFlag.HasH0) slots[base + TensorSlot.H0] = add(`${tag}${sfx}.h0`, w.h0 ?? new Float32Array(H), [H]);
        if (flags & LayerFlag.HasC0) slots[base + TensorSlot.C0] = add(`${tag}${sfx}.c0`, w.c0 ?? new Float32Array(H), [H]);
        const nAct = L.kind === 'lstm' ? 3 : L.kind === 'gru' ? 2 : 1;
        const a = L.activations[d] ?? L.activations[0]!;
        if (a.length !== nAct) throw new ModelFormatError(`${where} needs ${nAct} activations, has ${a.length}`, { where });
        acts.push(a.map((x) => encodeActivation(x, where)));
        if (a.some((x) => x.name === 'softmax' || x.name === 'log_softmax')) {
          throw new UnsupportedModelError(`${where}: softmax cannot be a recurrent cell activation`, { where });
        }
      }
      if (L.output === 'sequence-reversed' && L.direction !== 'reverse') {
        throw new ModelFormatError(`${where}: a reversed output order needs a reverse layer`, { where });
      }
      layers.push({
        type: L.kind === 'lstm' ? LayerType.LSTM : L.kind === 'gru' ? LayerType.GRU : LayerType.RNN,
        mode: Mode.F32, directions: dirs as 1 | 2, output: OUTPUT_MODES[L.output], flags,
        inputSize: I, units: H, outputSize: dirs * H, clip: L.clip ?? 0, activations: acts, tensors: slots,
      });
      width = dirs * H;
    } else if (L.kind === 'dense') {
      if (L.inputSize !== width) throw new ModelFormatError(`${where} takes ${L.inputSize} inputs, the previous layer gives ${width}`, { where, expected: width, actual: L.inputSize });
      checkLength(L.W, L.units * L.inputSize, `${where} weights`);
      checkLength(L.b, L.units, `${where} bias`);
      slots[TensorSlot.W] = add(`${tag}.W`, transpose2d(L.W, L.units, L.inputSize), [L.inputSize, L.units]);
      if (L.b) slots[TensorSlot.B] = add(`${tag}.B`, L.b, [L.units]);
      layers.push({
        type: LayerType.Dense, mode: Mode.F32, directions: 1, output: OutputMode.Sequence,
        flags: L.b ? LayerFlag.HasBias : 0, inputSize: L.inputSize, units: L.units, outputSize: L.units,
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
    tensors,
    metadata: ir.metadata,
  });
}
