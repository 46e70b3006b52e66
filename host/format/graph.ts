// Binding a source graph's inputs (in the graph's own layouts) to the runtime's canonical
// inputs, as recorded in the metadata's `graph` block. Shared by the runtime (runGraph) and the
// converter (calibration on graph-shaped data).

import type { Axis, GraphBinding, StateBinding } from './metadata.js';
import { ShapeError, UnsupportedModelError } from '../errors.js';
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
      const canon: Axis[] = axes.includes('time') ? ['batch', 'time', 'feature'] : ['batch', 'feature'];
      const perm = canon.map((a) => axes.indexOf(a));
      if (perm.some((p) => p < 0)) throw new UnsupportedModelError(`input '${b.name}' axes [${axes.join(', ')}] lack batch or feature`, { where: b.name });
      const c = transpose({ shape: t.shape, data: toFloat32(t.data) }, perm);
      x = c.data;
      shape = [c.shape[0]!, canon.length === 3 ? c.shape[1]! : 1, c.shape[canon.length - 1]!];
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
