// activation_f32: element-wise activation functions on float32 arrays, the scalar reference.
// activation_f32_simd.ts is the SIMD twin for the functions on the hot path (sigmoid, tanh,
// relu, hard sigmoid, linear); both use exactly the same sequence of IEEE operations, so the
// two builds give identical bits.
//
// exp: Cephes expf (range reduction x = n ln2 + r with a two-part ln2, degree-6 polynomial,
// 2^n built in the exponent bits), input clamped to [-87, 88] so 2^n stays a normal number.
// Max relative error about 2 ulp. sigmoid(x) = 1 / (1 + exp(-x)).
// tanh: |x| < 0.625 uses Cephes' odd polynomial (no cancellation near 0); otherwise
// 1 - 2 / (exp(2|x|) + 1) with the sign of x.
// The rarer activations (elu, softplus, gelu, ...) are built from expF32 and AssemblyScript's
// Mathf.log/log1p, plain wasm code and therefore deterministic on every host; both builds call
// the same scalar code for them.
//
// Gate activations (actGateScalarF32): the sigmoid and tanh inside recurrent cells use a
// rational approximation instead, about half the operations of the exp-based tanh and without
// its second branch: tanh(x) = x P(x^2) / Q(x^2) with x clamped to [-9, 9] (tanh rounds to 1
// in f32 beyond), P and Q of degree 4, fitted for the least maximum error on [0, 9]
// (scripts/fit-gate-tanh.py), and sigmoid(x) = tanh(x / 2) / 2 + 1/2. Evaluated in f32
// (Horner): |error| <= 3.7e-7 for tanh and 2.1e-7 for sigmoid over all f32 inputs (about 6 ulp
// near 1, against 1-2 for tanhF32 and sigmoidF32), far inside what the conformance tests allow
// after 1000 recurrent steps (test/assembly/kernels.test.ts checks the bound).
// Dense and Activation layers keep the functions above.

import { Act } from '../format';

// @ts-ignore: decorator
@inline export const EXP_LO: f32 = -87.0;
// @ts-ignore: decorator
@inline export const EXP_HI: f32 = 88.0;
// @ts-ignore: decorator
@inline export const LOG2E: f32 = 1.44269504088896341;
// @ts-ignore: decorator
@inline export const LN2_HI: f32 = 0.693359375;
// @ts-ignore: decorator
@inline export const LN2_LO: f32 = -2.12194440e-4;
// @ts-ignore: decorator
@inline export const P0: f32 = 1.9875691500e-4;
// @ts-ignore: decorator
@inline export const P1: f32 = 1.3981999507e-3;
// @ts-ignore: decorator
@inline export const P2: f32 = 8.3334519073e-3;
// @ts-ignore: decorator
@inline export const P3: f32 = 4.1665795894e-2;
// @ts-ignore: decorator
@inline export const P4: f32 = 1.6666665459e-1;
// @ts-ignore: decorator
@inline export const P5: f32 = 5.0000001201e-1;
// @ts-ignore: decorator
@inline export const TANH_SMALL: f32 = 0.625;
// @ts-ignore: decorator
@inline export const T0: f32 = -5.70498872745e-3;
// @ts-ignore: decorator
@inline export const T1: f32 = 2.06390887954e-2;
// @ts-ignore: decorator
@inline export const T2: f32 = -5.37397155531e-2;
// @ts-ignore: decorator
@inline export const T3: f32 = 1.33314422036e-1;
// @ts-ignore: decorator
@inline export const T4: f32 = -3.33332819422e-1;

export function expF32(x: f32): f32 {
  x = min<f32>(max<f32>(x, EXP_LO), EXP_HI);
  let n = nearest<f32>(x * LOG2E);
  let r = x - n * LN2_HI;
  r = r - n * LN2_LO;
  let z = r * r;
  let p = (((((P0 * r + P1) * r + P2) * r + P3) * r + P4) * r + P5) * z + r + <f32>1.0;
  return p * reinterpret<f32>((<i32>n + 127) << 23);
}

export function sigmoidF32(x: f32): f32 {
  return <f32>1.0 / (<f32>1.0 + expF32(-x));
}

export function tanhF32(x: f32): f32 {
  let ax = abs<f32>(x);
  if (ax < TANH_SMALL) {
    let z = x * x;
    return ((((T0 * z + T1) * z + T2) * z + T3) * z + T4) * z * x + x;
  }
  let e = expF32(ax + ax);
  return copysign<f32>(<f32>1.0 - <f32>2.0 / (e + <f32>1.0), x);
}

// @ts-ignore: decorator
@inline export const GATE_CLAMP: f32 = 9.0;
// @ts-ignore: decorator
@inline export const GP0: f32 = 0.9999999065888536;
// @ts-ignore: decorator
@inline export const GP1: f32 = 0.13373240127280894;
// @ts-ignore: decorator
@inline export const GP2: f32 = 0.003486630627536551;
// @ts-ignore: decorator
@inline export const GP3: f32 = 2.0472562857421295e-05;
// @ts-ignore: decorator
@inline export const GP4: f32 = 1.318510474753459e-08;
// @ts-ignore: decorator
@inline export const GQ1: f32 = 0.4670653706786412;
// @ts-ignore: decorator
@inline export const GQ2: f32 = 0.02584216892279953;
// @ts-ignore: decorator
@inline export const GQ3: f32 = 0.0003271462116234997;
// @ts-ignore: decorator
@inline export const GQ4: f32 = 7.703052372011757e-07;

// The gate tanh: x P(x^2) / Q(x^2) on the clamped x (see the header).
export function gateTanhF32(x: f32): f32 {
  x = min<f32>(max<f32>(x, -GATE_CLAMP), GATE_CLAMP);
  let t = x * x;
  let p = (((GP4 * t + GP3) * t + GP2) * t + GP1) * t + GP0;
  let q = (((GQ4 * t + GQ3) * t + GQ2) * t + GQ1) * t + <f32>1.0;
  return (x * p) / q;
}

// In place over p[0..n): the gate sigmoid and tanh, every other code as actApplyScalarF32.
// Both as s * gateTanh(s * x) + o: s = o = 1/2 for the sigmoid, s = 1, o = 0 for tanh (exact,
// but for the sign of a zero result).
export function actGateScalarF32(code: i32, alpha: f32, beta: f32, p: usize, n: i32): void {
  if (code != Act.Sigmoid && code != Act.Tanh) { actApplyScalarF32(code, alpha, beta, p, n); return; }
  let s: f32 = code == Act.Sigmoid ? 0.5 : 1.0, o: f32 = code == Act.Sigmoid ? 0.5 : 0.0;
  for (let i = 0; i < n; i++) {
    let q = p + (<usize>i << 2);
    store<f32>(q, s * gateTanhF32(s * load<f32>(q)) + o);
  }
}

// erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), for the exact gelu.
function erfF32(x: f32): f32 {
  let ax = abs<f32>(x);
  let t = <f32>1.0 / (<f32>1.0 + <f32>0.3275911 * ax);
  let y = <f32>1.0 - (((((<f32>1.061405429 * t - <f32>1.453152027) * t + <f32>1.421413741) * t - <f32>0.284496736) * t + <f32>0.254829592) * t) * expF32(-ax * ax);
  return copysign<f32>(y, x);
}

function softplusF32(x: f32): f32 {
  if (x > <f32>20.0) return x;
  if (x < <f32>-20.0) return expF32(x);
  return Mathf.log1p(expF32(x));
}

// One element of any element-wise activation. Softmax/LogSoftmax are row operations (see
// actRowF32) and are not handled here.
export function actScalarF32(code: i32, alpha: f32, beta: f32, x: f32): f32 {
  switch (code) {
    case Act.Linear: return x;
    case Act.Sigmoid: return sigmoidF32(x);
    case Act.Tanh: return tanhF32(x);
    case Act.Relu: return max<f32>(x, 0);
    case Act.HardSigmoid: return max<f32>(min<f32>(alpha * x + beta, 1), 0);
    case Act.LeakyRelu: return x >= 0 ? x : alpha * x;
    case Act.ThresholdedRelu: return x > alpha ? x : 0;
    case Act.ScaledTanh: return alpha * tanhF32(beta * x);
    case Act.Affine: return alpha * x + beta;
    case Act.Elu: return x >= 0 ? x : alpha * (expF32(x) - <f32>1.0);
    case Act.Softsign: return x / (<f32>1.0 + abs<f32>(x));
    case Act.Softplus: return softplusF32(x);
    case Act.Selu: return beta * (x > 0 ? x : alpha * (expF32(x) - <f32>1.0));
    case Act.Exponential: return expF32(x);
    case Act.Silu: return x * sigmoidF32(x);
    case Act.Gelu: return x * <f32>0.5 * (<f32>1.0 + erfF32(x * <f32>0.70710678118654752));
    case Act.GeluTanh: return <f32>0.5 * x * (<f32>1.0 + tanhF32(<f32>0.79788456080286536 * (x + <f32>0.044715 * x * x * x)));
    case Act.Relu6: return min<f32>(max<f32>(x, 0), 6);
    case Act.HardSilu: return x * (min<f32>(max<f32>(x + <f32>3.0, 0), 6) / <f32>6.0);
    case Act.Mish: return x * tanhF32(softplusF32(x));
    default: return x;
  }
}

// In place over p[0..n). The scalar reference for every code.
export function actApplyScalarF32(code: i32, alpha: f32, beta: f32, p: usize, n: i32): void {
  if (code == Act.Linear) return;
  if (code == Act.Softmax || code == Act.LogSoftmax) {
    actRowF32(code, p, n);
    return;
  }
  for (let i = 0; i < n; i++) {
    let q = p + (<usize>i << 2);
    store<f32>(q, actScalarF32(code, alpha, beta, load<f32>(q)));
  }
}

// Softmax / log-softmax over one row of n features (max-shifted, summed in index order).
export function actRowF32(code: i32, p: usize, n: i32): void {
  if (n <= 0) return;
  let m = load<f32>(p);
  for (let i = 1; i < n; i++) m = max<f32>(m, load<f32>(p + (<usize>i << 2)));
  let sum: f32 = 0;
  for (let i = 0; i < n; i++) sum += expF32(load<f32>(p + (<usize>i << 2)) - m);
  if (code == Act.Softmax) {
    let inv = <f32>1.0 / sum;
    for (let i = 0; i < n; i++) {
      let q = p + (<usize>i << 2);
      store<f32>(q, expF32(load<f32>(q) - m) * inv);
    }
  } else {
    let lse = m + Mathf.log(sum);
    for (let i = 0; i < n; i++) {
      let q = p + (<usize>i << 2);
      store<f32>(q, load<f32>(q) - lse);
    }
  }
}
