// A float64 interpreter of the model description, used by the quantizer to measure the ranges
// of every layer's output and every LSTM cell state over calibration data. It follows the
// equations stated in the kernel headers (assembly/kernels/*_f32.ts). It is a measuring tool,
// not a reference of correctness: conformance is checked against framework outputs.

import type { ModelIR, RecurrentLayer } from '../ir.js';
import { GATES, isRecurrent, outputSizeOf } from '../ir.js';
import { activationFn, applyActivation } from './activations.js';

export interface Range { min: number; max: number }

export interface LayerStats {
  /** Values of the layer's output (what the next layer reads). */
  output: Range;
  /** Recurrent layers: h over all steps, initial states included. */
  state?: Range;
  /** LSTM: the cell state over all steps, initial states included. */
  cell?: Range;
}

export interface ReferenceInput {
  x: Float32Array;
  /** [batch, time, features] */
  shape: [number, number, number];
  /** Initial states per recurrent layer index, direction and kind: [batch, units]. */
  initialStates?: { layer: number; direction?: number; kind: 'h' | 'c'; data: ArrayLike<number> }[];
  sequenceLengths?: ArrayLike<number>;
}

const grow = (r: Range, v: number) => {
  if (v < r.min) r.min = v;
  if (v > r.max) r.max = v;
};

/** Runs the model in float64 and returns every layer's output and range statistics. */
export function runReference(ir: ModelIR, input: ReferenceInput, upTo = ir.layers.length): { outputs: Float64Array[]; steps: number[]; stats: LayerStats[] } {
  const [B, T, F] = input.shape;
  let x: Float64Array = Float64Array.from(input.x);
  let Tin = T, Win = F;
  const outputs: Float64Array[] = [];
  const steps: number[] = [];
  const stats: LayerStats[] = [];
  ir.layers.slice(0, upTo).forEach((L, li) => {
    const st: LayerStats = { output: { min: Infinity, max: -Infinity } };
    let y: Float64Array, Tout = Tin;
    if (isRecurrent(L)) {
      const r = runRecurrent(L, li, x, B, Tin, Win, input, st);
      y = r.y; Tout = r.T;
    } else if (L.kind === 'dense') {
      y = new Float64Array(B * Tin * L.units);
      const row = new Float64Array(L.units);
      for (let i = 0; i < B * Tin; i++) {
        for (let o = 0; o < L.units; o++) {
          let s = L.b ? L.b[o]! : 0;
          for (let k = 0; k < L.inputSize; k++) s += x[i * Win + k]! * L.W[o * L.inputSize + k]!;
          row[o] = s;
        }
        applyActivation(L.activation, row);
        y.set(row, i * L.units);
      }
    } else {
      y = Float64Array.from(x);
      const row = new Float64Array(L.size);
      for (let i = 0; i < B * Tin; i++) {
        row.set(y.subarray(i * L.size, (i + 1) * L.size));
        applyActivation(L.activation, row);
        y.set(row, i * L.size);
      }
    }
    for (const v of y) grow(st.output, v);
    outputs.push(y);
    steps.push(Tout);
    stats.push(st);
    x = y; Tin = Tout; Win = outputSizeOf(L);
  });
  return { outputs, steps, stats };
}

function runRecurrent(L: RecurrentLayer, li: number, x: Float64Array, B: number, T: number, I: number, input: ReferenceInput, st: LayerStats): { y: Float64Array; T: number } {
  const H = L.hiddenSize, G = GATES[L.kind];
  const D = L.direction === 'bidirectional' ? 2 : 1;
  const seqOut = L.output === 'sequence' || L.output === 'sequence-reversed';
  const Tout = seqOut ? T : 1;
  const y = new Float64Array(B * Tout * D * H);
  st.state = { min: Infinity, max: -Infinity };
  if (L.kind === 'lstm') st.cell = { min: Infinity, max: -Infinity };
  const lens = input.sequenceLengths;
  for (let d = 0; d < D; d++) {
    const w = L.weights[d]!;
    const acts = (L.activations[d] ?? L.activations[0]!).map((a) => activationFn(a)!);
    const reverse = d === 1 || L.direction === 'reverse';
    for (let b = 0; b < B; b++) {
      const h = new Float64Array(H), c = new Float64Array(H);
      const init = (kind: 'h' | 'c', dst: Float64Array, learned?: Float32Array) => {
        const given = input.initialStates?.find((s) => s.layer === li && (s.direction ?? 0) === d && s.kind === kind);
        if (given) for (let k = 0; k < H; k++) dst[k] = given.data[b * H + k]!;
        else if (learned) dst.set(learned);
      };
      init('h', h, w.h0);
      init('c', c, w.c0);
      for (const v of h) grow(st.state!, v);
      if (st.cell) for (const v of c) grow(st.cell, v);
      const len = lens ? Number(lens[b]) : T;
      const g = new Float64Array(G * H), gh = new Float64Array(G * H);
      for (let step = 0; step < T; step++) {
        const t = reverse ? T - 1 - step : step;
        const active = t < len;
        if (active) {
          const xt = x.subarray((b * T + t) * I, (b * T + t + 1) * I);
          for (let m = 0; m < G * H; m++) {
            let s = (w.bW?.[m] ?? 0);
            for (let k = 0; k < I; k++) s += w.W[m * I + k]! * xt[k]!;
            g[m] = s;
            let r = (w.bR?.[m] ?? 0);
            for (let k = 0; k < H; k++) r += w.R[m * H + k]! * h[k]!;
            gh[m] = r;
          }
          const clip = (v: number) => (L.clip === undefined ? v : Math.min(Math.max(v, -L.clip), L.clip));
          if (L.kind === 'lstm') {
            for (let k = 0; k < H; k++) {
              const P = w.peephole;
              const i = acts[0]!(clip(g[k]! + gh[k]! + (P ? P[k]! * c[k]! : 0)));
              const f = L.inputForget ? 1 - i : acts[0]!(clip(g[H + k]! + gh[H + k]! + (P ? P[H + k]! * c[k]! : 0)));
              const gg = acts[1]!(clip(g[2 * H + k]! + gh[2 * H + k]!));
              c[k] = f * c[k]! + i * gg;
              const o = acts[0]!(clip(g[3 * H + k]! + gh[3 * H + k]! + (P ? P[2 * H + k]! * c[k]! : 0)));
              h[k] = o * acts[2]!(c[k]!);
              grow(st.cell!, c[k]!);
            }
          } else if (L.kind === 'gru') {
            const z = new Float64Array(H), r = new Float64Array(H);
            for (let k = 0; k < H; k++) {
              z[k] = acts[0]!(clip(g[k]! + gh[k]!));
              r[k] = acts[0]!(clip(g[H + k]! + gh[H + k]!));
            }
            const n = new Float64Array(H);
            for (let k = 0; k < H; k++) {
              let pre: number;
              if (L.resetAfter) pre = g[2 * H + k]! + r[k]! * gh[2 * H + k]!;
              else {
                let s = g[2 * H + k]! + (w.bR?.[2 * H + k] ?? 0);
                for (let j = 0; j < H; j++) s += w.R[(2 * H + k) * H + j]! * r[j]! * h[j]!;
                pre = s;
              }
              n[k] = acts[1]!(clip(pre));
            }
            for (let k = 0; k < H; k++) h[k] = (1 - z[k]!) * n[k]! + z[k]! * h[k]!;
          } else {
            for (let k = 0; k < H; k++) h[k] = acts[0]!(clip(g[k]! + gh[k]!));
          }
        }
        if (active) for (const v of h) grow(st.state!, v);
        const write = (tt: number) => {
          for (let k = 0; k < H; k++) y[(b * Tout + tt) * D * H + d * H + k] = active ? h[k]! : 0;
        };
        if (L.output === 'sequence') write(t);
        else if (L.output === 'sequence-reversed') write(T - 1 - t);
        else if (L.output === 'last' && t === T - 1) write(0);
      }
      if (L.output === 'final') for (let k = 0; k < H; k++) y[b * D * H + d * H + k] = h[k]!;
    }
  }
  return { y, T: Tout };
}

/** Per-layer statistics over several inputs (calibration batches). */
/**
 * The model as its streams run it: a forward layer that outputs only its last (or final) step
 * feeds the layers after it at every step of a stream, so their ranges must be measured over
 * every step, not only the last. Undefined when no layer collapses the sequence that way.
 */
function streamingVariant(ir: ModelIR): ModelIR | undefined {
  let changed = false;
  const layers = ir.layers.map((L) => {
    if (isRecurrent(L) && L.direction === 'forward' && (L.output === 'last' || L.output === 'final')) {
      changed = true;
      return { ...L, output: 'sequence' as const };
    }
    return L;
  });
  return changed ? { ...ir, layers } : undefined;
}

export function calibrate(ir: ModelIR, inputs: ReferenceInput[]): { input: Range; layers: LayerStats[] } {
  const input: Range = { min: Infinity, max: -Infinity };
  const empty = (): Range => ({ min: Infinity, max: -Infinity });
  const layers: LayerStats[] = ir.layers.map((L) => ({
    output: empty(),
    ...(isRecurrent(L) ? { state: empty() } : {}),
    ...(L.kind === 'lstm' ? { cell: empty() } : {}),
  }));
  const streamed = streamingVariant(ir);
  for (const inp of inputs) {
    for (const v of inp.x) grow(input, v);
    for (const model of streamed ? [ir, streamed] : [ir]) {
      const { stats } = runReference(model, inp);
      stats.forEach((s, i) => {
        grow(layers[i]!.output, s.output.min); grow(layers[i]!.output, s.output.max);
        if (s.cell) { grow(layers[i]!.cell!, s.cell.min); grow(layers[i]!.cell!, s.cell.max); }
        if (s.state) { grow(layers[i]!.state!, s.state.min); grow(layers[i]!.state!, s.state.max); }
      });
    }
  }
  return { input, layers };
}

