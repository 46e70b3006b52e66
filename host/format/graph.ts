// Binding a source graph's inputs (in the graph's own layouts) to the runtime's canonical
// inputs, as recorded in the metadata's `graph` block. Shared by the runtime (runGraph) and the
// converter (calibration on graph-shaped data).

import type { Axis, GraphBinding, StateBinding } from './metadata.js';
import { DataError, ShapeError, UnsupportedModelError } from '../errors.js';
import { type Tensor, transpose, toFloat32, toInt32 } from '../io/tensor.js';

export interface CanonicalState {
  layer: number;
  direction: number;
  kind: 'h' | 'c';
  /** [batch, units] */
  data: Float32Array;
}

export interface CanonicalInputs {
  x: Float32Array;
  shape: [number, number, number];
  initialStates: CanonicalState[];
  sequenceLengths?: Int32Array;
}

export function bindGraphInputs(g: GraphBinding, inputs: Tensor[] | Record<string, Tensor>): CanonicalInputs {
  const byName = (i: number, name: string): Tensor | undefined => (Array.isArray(inputs) ? inputs[i] : inputs[name]);
  let x: Float32Array | undefined, shape: [number, number, number] | undefined;
  const states: { b: StateBinding; t: Tensor }[] = [];
  let lens: Int32Array | undefined;
  g.inputs.forEach((b, i) => {
    const t = byName(i, b.name);
    if (!t) {
      if (b.role === 'sequence') throw new ShapeError(`graph input '${b.name}' (#${i}) is missing`, { where: b.name });
      return;
    }
    if (b.role === 'sequence_lens') lens = toInt32(t.data);
    else if (b.role === 'initial_h' || b.role === 'initial_c') states.push({ b, t });
    else if (b.role === 'sequence') {
      const axes = b.axes;
      if (t.shape.length !== axes.length) {
        throw new ShapeError(`input '${b.name}' has rank ${t.shape.length}, expected ${axes.length} (${axes.join(', ')})`, { where: b.name, expected: axes.length, actual: t.shape.length });
      }
      const hasTime = axes.includes('time');
      const canon: Axis[] = ['batch', ...(hasTime ? ['time' as const] : []), ...(b.oneHot === undefined ? ['feature' as const] : [])];
      const perm = canon.map((a) => axes.indexOf(a));
      if (perm.some((p) => p < 0)) throw new UnsupportedModelError(`input '${b.name}' axes [${axes.join(', ')}] lack batch or feature`, { where: b.name });
      const c = transpose({ shape: t.shape, data: toFloat32(t.data) }, perm);
      const B = c.shape[0]!, T = hasTime ? c.shape[1]! : 1;
      const F = b.oneHot === undefined ? c.shape[canon.length - 1]! : 1;
      x = c.data;
      if (b.oneHot !== undefined) checkIds(x, b.oneHot, b.name, T);
      if (b.mask) {
        const m = skipMasked(x, B, T, F, b.mask.value);
        x = m.x;
        lens = m.lengths;
      }
      if (b.oneHot !== undefined) x = oneHot(x, b.oneHot);
      shape = [B, T, b.oneHot ?? F];
    }
  });
  if (!x || !shape) throw new ShapeError('the graph has no sequence input', { where: 'inputs' });
  const B = shape[0];
  const initialStates: CanonicalState[] = [];
  for (const { b, t } of states) {
    const order = (['part', 'batch', 'unit'] as Axis[]).map((a) => b.axes.indexOf(a));
    if (t.shape.length !== 3 || order.some((p) => p < 0)) throw new ShapeError(`state input '${b.name}' must be 3-d (${b.axes.join(', ')}), got [${t.shape.join(', ')}]`, { where: b.name });
    const canon = transpose({ shape: t.shape, data: toFloat32(t.data) }, order);
    const [P, Bt, H] = canon.shape as [number, number, number];
    if (P !== b.parts.length || Bt !== B) throw new ShapeError(`state input '${b.name}' has shape [${t.shape.join(', ')}], expected ${b.parts.length} parts of batch ${B}`, { where: b.name });
    b.parts.forEach((part, k) => {
      if (part.layer < 0) return;
      initialStates.push({ layer: part.layer, direction: part.direction, kind: b.role === 'initial_c' ? 'c' : 'h', data: canon.data.slice(k * Bt * H, (k + 1) * Bt * H) });
    });
  }
  return { x, shape, initialStates, ...(lens ? { sequenceLengths: lens } : {}) };
}

/** Drops the steps whose values all equal the mask value (Keras Masking); kept steps move to the front. */
function skipMasked(x: Float32Array, B: number, T: number, F: number, value: number): { x: Float32Array; lengths: Int32Array } {
  const v = Math.fround(value);
  const out = new Float32Array(x.length);
  const lengths = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    let n = 0;
    for (let t = 0; t < T; t++) {
      const row = x.subarray((b * T + t) * F, (b * T + t + 1) * F);
      if (row.every((e) => e === v)) continue;
      out.set(row, (b * T + n) * F);
      n++;
    }
    lengths[b] = n;
  }
  return { x: out, lengths };
}

/** Ids must lie in [0, n) once cast to int as Keras casts them (truncation). */
function checkIds(ids: Float32Array, n: number, name: string, T: number): void {
  for (let i = 0; i < ids.length; i++) {
    const id = Math.trunc(ids[i]!);
    if (!(id >= 0 && id < n)) {
      throw new DataError(`input '${name}' holds id ${ids[i]} at [${Math.floor(i / T)}, ${i % T}]; the embedding takes ids 0 to ${n - 1}`, { where: name, expected: `0..${n - 1}`, actual: ids[i] });
    }
  }
}

/** Integer ids to one-hot rows of n features. */
function oneHot(ids: Float32Array, n: number): Float32Array {
  const out = new Float32Array(ids.length * n);
  for (let i = 0; i < ids.length; i++) out[i * n + Math.trunc(ids[i]!)] = 1;
  return out;
}
