// The accuracy report of a quantized conversion: for every layer (the model cut after it) and for
// the whole model, the error of the quantized model against the float model, both run in the
// WebAssembly runtime on the calibration data (or, without any, on seeded standard-normal
// inputs), with the same quantization parameters as the converted file.

import type { ModelIR } from '../ir.js';
import { isRecurrent } from '../ir.js';
import { lowerToErnn, type QuantPlan } from '../lower.js';
import type { ReferenceInput } from './reference.js';
import { Runtime } from '../../runtime/runtime.js';

export interface ErrorStats {
  /** max |quantized - float| */
  maxAbs: number;
  /** mean |quantized - float| */
  meanAbs: number;
  /** maxAbs / max |float| */
  relative: number;
}

export interface LayerError extends ErrorStats {
  layer: number;
  name: string;
  kind: string;
}

export interface AccuracyReport {
  mode: QuantPlan['mode'];
  /** What the errors were measured on. */
  data: 'calibration' | 'random';
  batches: number;
  steps: number;
  layers: LayerError[];
  output: ErrorStats;
}

function gaussian(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const u = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return (s + 0.5) / 4294967296; };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return out;
}

function compare(q: Float32Array, f: Float32Array, acc: { max: number; sum: number; n: number; ref: number }): void {
  for (let i = 0; i < f.length; i++) {
    const e = Math.abs(q[i]! - f[i]!);
    acc.max = Math.max(acc.max, e);
    acc.sum += e;
    acc.ref = Math.max(acc.ref, Math.abs(f[i]!));
  }
  acc.n += f.length;
}

export async function accuracyReport(ir: ModelIR, plan: QuantPlan, inputs: ReferenceInput[]): Promise<AccuracyReport> {
  const rt = await Runtime.create();
  const data = inputs.length ? 'calibration' : 'random';
  const sets: ReferenceInput[] = inputs.length ? inputs : [{ x: gaussian(4 * 16 * ir.inputSize, 1), shape: [4, 16, ir.inputSize] }];
  const layers: LayerError[] = [];
  let output: ErrorStats = { maxAbs: 0, meanAbs: 0, relative: 0 };
  for (let k = 1; k <= ir.layers.length; k++) {
    const last = k === ir.layers.length;
    const prefix: ModelIR = { ...ir, layers: ir.layers.slice(0, k), metadata: { name: ir.metadata.name ?? 'model' } };
    const qplan: QuantPlan = plan.mode === 'int8'
      ? { ...plan, stats: { input: plan.stats!.input, layers: plan.stats!.layers.slice(0, k) }, lastBits: last ? (plan.lastBits ?? 16) : 8 }
      : plan;
    const fm = rt.load(lowerToErnn(prefix, { mode: 'f32' }));
    const qm = rt.load(lowerToErnn(prefix, qplan));
    const acc = { max: 0, sum: 0, n: 0, ref: 0 };
    for (const s of sets) {
      const opts = {
        ...(s.sequenceLengths ? { sequenceLengths: s.sequenceLengths } : {}),
        ...(s.initialStates?.length ? { initialStates: s.initialStates.filter((st) => st.layer < k).map((st) => ({ ...st, data: Float32Array.from(st.data) })) } : {}),
      };
      compare(qm.run(s.x, s.shape, opts).data, fm.run(s.x, s.shape, opts).data, acc);
    }
    const stats = { maxAbs: acc.max, meanAbs: acc.sum / Math.max(1, acc.n), relative: acc.ref > 0 ? acc.max / acc.ref : acc.max };
    const L = ir.layers[k - 1]!;
    layers.push({ layer: k - 1, name: L.name, kind: isRecurrent(L) ? `${L.kind}${L.direction === 'forward' ? '' : ` ${L.direction}`}` : L.kind, ...stats });
    if (last) output = stats;
  }
  return { mode: plan.mode, data, batches: sets.reduce((a, s) => a + s.shape[0], 0), steps: sets[0]!.shape[1], layers, output };
}
