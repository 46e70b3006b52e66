// Activation functions in float64, for the calibration interpreter and the int8 tables.

import type { Activation } from '../ir.js';

const erf = (x: number): number => {
  // Abramowitz & Stegun 7.1.26
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
};
const softplus = (x: number) => (x > 20 ? x : Math.log1p(Math.exp(x)));

/** The element-wise function of an activation (softmax and log_softmax are row operations: undefined here). */
export function activationFn(a: Activation): ((x: number) => number) | undefined {
  const al = a.alpha, be = a.beta;
  switch (a.name) {
    case 'linear': return (x) => x;
    case 'sigmoid': return (x) => 1 / (1 + Math.exp(-x));
    case 'tanh': return Math.tanh;
    case 'relu': return (x) => Math.max(x, 0);
    case 'hard_sigmoid': return (x) => Math.min(Math.max((al ?? 0.2) * x + (be ?? 0.5), 0), 1);
    case 'leaky_relu': return (x) => (x >= 0 ? x : (al ?? 0.01) * x);
    case 'thresholded_relu': return (x) => (x > (al ?? 1) ? x : 0);
    case 'scaled_tanh': return (x) => (al ?? 1) * Math.tanh((be ?? 1) * x);
    case 'affine': return (x) => (al ?? 1) * x + (be ?? 0);
    case 'elu': return (x) => (x >= 0 ? x : (al ?? 1) * Math.expm1(x));
    case 'softsign': return (x) => x / (1 + Math.abs(x));
    case 'softplus': return softplus;
    case 'selu': return (x) => (be ?? 1.0507009873554805) * (x > 0 ? x : (al ?? 1.6732632423543772) * Math.expm1(x));
    case 'exponential': return Math.exp;
    case 'silu': return (x) => x / (1 + Math.exp(-x));
    case 'gelu': return (x) => 0.5 * x * (1 + erf(x / Math.SQRT2));
    case 'gelu_tanh': return (x) => 0.5 * x * (1 + Math.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
    case 'relu6': return (x) => Math.min(Math.max(x, 0), 6);
    case 'hard_silu': return (x) => x * Math.min(Math.max(x + 3, 0), 6) / 6;
    case 'mish': return (x) => x * Math.tanh(softplus(x));
    default: return undefined;
  }
}

/** Applies an activation in place over one row (softmax and log_softmax included). */
export function applyActivation(a: Activation, row: Float64Array): void {
  if (a.name === 'softmax' || a.name === 'log_softmax') {
    let m = -Infinity;
    for (const v of row) m = Math.max(m, v);
    let sum = 0;
    for (const v of row) sum += Math.exp(v - m);
    for (let i = 0; i < row.length; i++) row[i] = a.name === 'softmax' ? Math.exp(row[i]! - m) / sum : row[i]! - m - Math.log(sum);
    return;
  }
  const f = activationFn(a)!;
  for (let i = 0; i < row.length; i++) row[i] = f(row[i]!);
}
