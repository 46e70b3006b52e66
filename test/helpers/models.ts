// Builders of small random models straight from the model description, for kernel and runtime
// tests that need many shapes (the conformance tests use real exports instead).

import type { ModelIR, Layer, RecurrentLayer, CellKind, Activation } from '../../host/convert/ir.js';
import { GATES } from '../../host/convert/ir.js';
import { lowerToErnn } from '../../host/convert/lower.js';

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randArray(n: number, r: () => number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (r() * 2 - 1) * scale;
  return a;
}

export interface CellSpec {
  kind: CellKind;
  hidden: number;
  direction?: RecurrentLayer['direction'];
  output?: RecurrentLayer['output'];
  resetAfter?: boolean;
  bias?: boolean;
  peephole?: boolean;
  clip?: number;
  inputForget?: boolean;
  activations?: Activation[];
  h0?: boolean;
}

export function recurrent(spec: CellSpec, inputSize: number, r: () => number, name = spec.kind): RecurrentLayer {
  const G = GATES[spec.kind], H = spec.hidden, I = inputSize;
  const dirs = spec.direction === 'bidirectional' ? 2 : 1;
  const scale = 1 / Math.sqrt(H);
  const dflt: Activation[] = spec.kind === 'lstm' ? [{ name: 'sigmoid' }, { name: 'tanh' }, { name: 'tanh' }]
    : spec.kind === 'gru' ? [{ name: 'sigmoid' }, { name: 'tanh' }] : [{ name: 'tanh' }];
  return {
    kind: spec.kind, name, inputSize: I, hiddenSize: H, direction: spec.direction ?? 'forward',
    output: spec.output ?? 'sequence',
    ...(spec.kind === 'gru' ? { resetAfter: spec.resetAfter ?? true } : {}),
    ...(spec.clip !== undefined ? { clip: spec.clip } : {}),
    ...(spec.inputForget ? { inputForget: true } : {}),
    activations: [...Array(dirs)].map(() => spec.activations ?? dflt),
    weights: [...Array(dirs)].map(() => ({
      W: randArray(G * H * I, r, scale * 2),
      R: randArray(G * H * H, r, scale * 2),
      ...(spec.bias !== false ? { bW: randArray(G * H, r, scale), bR: randArray(G * H, r, scale) } : {}),
      ...(spec.peephole ? { peephole: randArray(3 * H, r, 0.5) } : {}),
      ...(spec.h0 ? { h0: randArray(H, r, 0.5), ...(spec.kind === 'lstm' ? { c0: randArray(H, r, 0.5) } : {}) } : {}),
    })),
  };
}

export function dense(inputSize: number, units: number, r: () => number, activation: Activation = { name: 'linear' }, name = 'dense'): Layer {
  return { kind: 'dense', name, inputSize, units, W: randArray(units * inputSize, r, 1 / Math.sqrt(inputSize)), b: randArray(units, r, 0.1), activation };
}

export function modelOf(inputSize: number, layers: Layer[], metadata: ModelIR['metadata'] = {}): Uint8Array {
  return lowerToErnn({ name: 'test', inputSize, layers, metadata: { name: 'test', ...metadata } });
}

/** Largest |got - want| (Infinity if any is NaN); the lengths must agree. */
export function maxErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) throw new Error(`maxErr: ${got.length} values against ${want.length}`);
  let m = 0;
  for (let i = 0; i < want.length; i++) {
    const e = Math.abs(Number(got[i]) - Number(want[i]));
    m = Number.isNaN(e) ? Infinity : Math.max(m, e);
  }
  return m;
}
