// Model: one loaded .ernn model in its own module instance (its own linear memory, so models
// cannot disturb each other). Whole sequences go through run(); streaming goes through
// streams(). Shapes are checked here, once per call, in JavaScript; the module's step and run
// exports validate nothing.

import { Status, RUN_USE_LENGTHS, RUN_KEEP_STATES, type ErnnExports } from './abi.js';
import { Dtype } from '../format/layout.js';
import { moduleError } from './status-errors.js';
import { MemoryView } from './memory-view.js';
import { StreamSet, type StateKind } from './streams.js';
import type { Backend } from './wasm.js';
import type { ErnnInfo, LayerInfo, TensorInfo } from '../format/reader.js';
import type { ModelMetadata, GraphBinding, StateBinding, OutputBinding, Axis } from '../format/metadata.js';
import { ShapeError, UsageError } from '../errors.js';
import { type Tensor, sizeOf, transpose } from '../io/tensor.js';
import { bindGraphInputs } from '../format/graph.js';

/** Reads n state values at byte address p, dequantizing int8/int16 states of int8 models. */
export function readState(ex: ErnnExports, mem: MemoryView, p: number, layer: number, kind: StateKind, n: number): Float32Array {
  const which = kind === 'h' ? 0 : 1;
  const dt = ex.ernn_state_dtype(layer, which);
  if (dt === Dtype.F32) return mem.f32.slice(p >>> 2, (p >>> 2) + n);
  const s = ex.ernn_state_scale(layer, which);
  const zp = ex.ernn_state_zero_point(layer, which);
  const out = new Float32Array(n);
  const dv = new DataView(mem.u8.buffer, p);
  for (let i = 0; i < n; i++) out[i] = ((dt === Dtype.I8 ? dv.getInt8(i) : dv.getInt16(2 * i, true)) - zp) * s;
  return out;
}

/** Writes state values at byte address p, quantizing them for int8 models (round, saturate). */
export function writeState(ex: ErnnExports, mem: MemoryView, p: number, layer: number, kind: StateKind, data: ArrayLike<number>): void {
  const which = kind === 'h' ? 0 : 1;
  const dt = ex.ernn_state_dtype(layer, which);
  if (dt === Dtype.F32) { mem.f32.set(data, p >>> 2); return; }
  const s = ex.ernn_state_scale(layer, which);
  const zp = ex.ernn_state_zero_point(layer, which);
  const lim = dt === Dtype.I8 ? 127 : 32767;
  const dv = new DataView(mem.u8.buffer, p);
  for (let i = 0; i < data.length; i++) {
    const q = Math.max(-lim - 1, Math.min(lim, Math.round(data[i]! / s) + zp));
    if (dt === Dtype.I8) dv.setInt8(i, q); else dv.setInt16(2 * i, q, true);
  }
}

export interface StateTensor {
  layer: number;
  /** 0 forward, 1 backward (bidirectional layers). */
  direction?: number;
  kind: StateKind;
  /** [batch, units] */
  data: Float32Array;
}

export interface RunOptions {
  /** Valid steps per batch entry (ONNX sequence_lens); later steps output zeros and leave the state alone. */
  sequenceLengths?: ArrayLike<number>;
  /** Initial states; layers not listed start from the model's initial state (zeros unless learned). */
  initialStates?: StateTensor[];
  /** Also return the final h (and c) of every recurrent layer and direction. */
  returnStates?: boolean;
}

export interface RunResult {
  data: Float32Array;
  /** [batch, time, ...outputShape], or [batch, ...outputShape] for sequence-to-vector models. */
  shape: number[];
  states?: StateTensor[];
}

export interface MemoryPlan {
  /** Bytes of the model file held in module memory (weights are used in place). */
  modelBytes: number;
  weightBytes: number;
  /** Recurrent state per stream, in bytes. */
  stateBytesPerStream: number;
  /** Bytes of a stream set of n streams (state, I/O rows and scratch). */
  streamSetBytes(n: number): number;
  /** Bytes of the workspace for run() on a [batch, time] input. */
  runBytes(batch: number, time: number): number;
  /** Arena bytes in use now, and linear memory size. */
  heapBytes: number;
  memoryBytes: number;
}

export interface ModelInfo {
  format: string;
  backend: Backend;
  fileBytes: number;
  crc32: number;
  inputSize: number;
  outputSize: number;
  outputShape: number[];
  /** False for models with reverse or bidirectional layers: they only run whole sequences. */
  streamable: boolean;
  /** True when the model reduces each sequence to one output vector. */
  sequenceToVector: boolean;
  layers: (LayerInfo & { parameters: number; bytes: number })[];
  tensors: TensorInfo[];
  metadata: ModelMetadata;
  memory: MemoryPlan;
}

export class Model {
  readonly backend: Backend;
  private readonly mem: MemoryView;
  private readonly inputSize: number;
  private readonly outputSize: number;
  private readonly outputShape: number[];
  private readonly collapsed: boolean;
  private readonly sets = new Set<StreamSet>();
  private _info: ModelInfo | undefined;

  /** @internal use Runtime.load() */
  constructor(
    private readonly ex: ErnnExports,
    backend: Backend,
    private readonly file: ErnnInfo,
    readonly metadata: ModelMetadata,
  ) {
    this.backend = backend;
    this.mem = new MemoryView(ex.memory);
    this.inputSize = ex.ernn_model_input_size();
    this.outputSize = ex.ernn_model_output_size();
    this.collapsed = ex.ernn_model_collapse_layer() >= 0;
    const shape = metadata.output?.shape;
    this.outputShape = shape && shape.length > 0 && sizeOf(shape) === this.outputSize ? [...shape] : [this.outputSize];
  }

  get info(): ModelInfo {
    if (this._info) return this._info;
    const ex = this.ex;
    const layers = this.file.layers.map((L) => {
      const ts = L.tensors.map((s) => this.file.tensors[s.tensor]!);
      return {
        ...L,
        parameters: ts.reduce((a, t) => a + sizeOf(t.shape), 0),
        bytes: ts.reduce((a, t) => a + t.bytes, 0),
      };
    });
    this._info = {
      format: this.file.version,
      backend: this.backend,
      fileBytes: this.file.fileBytes,
      crc32: this.file.crc32,
      inputSize: this.inputSize,
      outputSize: this.outputSize,
      outputShape: this.outputShape,
      streamable: ex.ernn_model_streamable() === 1,
      sequenceToVector: this.collapsed,
      layers,
      tensors: this.file.tensors,
      metadata: this.metadata,
      memory: {
        modelBytes: this.file.fileBytes,
        weightBytes: ex.ernn_model_weight_bytes(),
        stateBytesPerStream: ex.ernn_model_state_bytes(),
        streamSetBytes: (n: number) => ex.ernn_streams_bytes(n),
        runBytes: (b: number, t: number) => ex.ernn_run_bytes(b, t),
        get heapBytes() { return ex.ernn_heap_bytes(); },
        get memoryBytes() { return ex.ernn_memory_pages() * 65536; },
      },
    };
    return this._info;
  }

  private units(layer: number, kind: StateKind): number {
    const L = this.file.layers[layer];
    if (!L || !['LSTM', 'GRU', 'RNN'].includes(L.type) || (kind === 'c' && L.type !== 'LSTM')) {
      throw new UsageError(`layer ${layer} has no ${kind} state`, { where: 'layer', actual: layer });
    }
    return L.units;
  }

  /**
   * Runs whole sequences: x is [batch, time, features] row-major. Returns the model output as
   * [batch, time, ...outputShape] (or [batch, ...outputShape] for sequence-to-vector models).
   */
  run(x: ArrayLike<number>, shape: readonly number[], options: RunOptions = {}): RunResult {
    const ex = this.ex;
    if (shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new ShapeError(`input shape must be [batch, time, features] with positive integers, got [${shape.join(', ')}]`, { where: 'shape', actual: shape });
    }
    const [B, T, F] = shape as [number, number, number];
    if (F !== this.inputSize) throw new ShapeError(`the model takes ${this.inputSize} features per step, input has ${F}`, { where: 'shape[2]', expected: this.inputSize, actual: F });
    if (x.length !== B * T * F) throw new ShapeError(`input has ${x.length} values, shape [${B}, ${T}, ${F}] needs ${B * T * F}`, { where: 'x', expected: B * T * F, actual: x.length });
    let s = ex.ernn_run_prepare(B, T);
    if (s !== Status.Ok) throw moduleError(ex, s, undefined, 'run');
    this.mem.f32.set(x, ex.ernn_run_input_ptr() >>> 2);
    let flags = 0;
    if (options.sequenceLengths) {
      const lens = options.sequenceLengths;
      if (lens.length !== B) throw new ShapeError(`sequenceLengths has ${lens.length} entries, batch is ${B}`, { where: 'sequenceLengths', expected: B, actual: lens.length });
      this.mem.i32.set(Array.from(lens, (v) => Math.trunc(v)), ex.ernn_run_lens_ptr() >>> 2);
      flags |= RUN_USE_LENGTHS;
    }
    if (options.initialStates && options.initialStates.length > 0) {
      ex.ernn_run_reset_states();
      for (const st of options.initialStates) {
        const H = this.units(st.layer, st.kind);
        const dir = st.direction ?? 0;
        const p = ex.ernn_run_state_ptr(st.layer, dir, st.kind === 'h' ? 0 : 1);
        if (p === 0) throw new UsageError(`layer ${st.layer} direction ${dir} has no ${st.kind} state`, { where: 'initialStates' });
        if (st.data.length !== B * H) throw new ShapeError(`initial ${st.kind} of layer ${st.layer} has ${st.data.length} values, expected [${B}, ${H}]`, { where: 'initialStates', expected: B * H, actual: st.data.length });
        writeState(this.ex, this.mem, p, st.layer, st.kind, st.data);
      }
      flags |= RUN_KEEP_STATES;
    }
    s = ex.ernn_run(flags);
    if (s !== Status.Ok) throw moduleError(ex, s, undefined, 'run');
    const steps = ex.ernn_run_output_steps();
    const p = ex.ernn_run_output_ptr() >>> 2;
    const data = this.mem.f32.slice(p, p + B * steps * this.outputSize);
    const result: RunResult = {
      data,
      shape: this.collapsed ? [B, ...this.outputShape] : [B, steps, ...this.outputShape],
    };
    if (options.returnStates) {
      const states: StateTensor[] = [];
      this.file.layers.forEach((L, l) => {
        if (!['LSTM', 'GRU', 'RNN'].includes(L.type)) return;
        for (let d = 0; d < L.directions; d++) {
          for (const kind of (L.type === 'LSTM' ? ['h', 'c'] : ['h']) as StateKind[]) {
            const q = ex.ernn_run_state_ptr(l, d, kind === 'h' ? 0 : 1);
            states.push({ layer: l, direction: d, kind, data: readState(ex, this.mem, q, l, kind, B * L.units) });
          }
        }
      });
      result.states = states;
    }
    return result;
  }

  /** The graph binding stored by the converter, or the plain one: x [batch, time, features] -> y. */
  get graph(): GraphBinding {
    return this.metadata.graph ?? {
      inputs: [{ name: 'input', role: 'sequence', axes: ['batch', 'time', 'feature'] }],
      outputs: [{
        name: 'output', role: 'output', time: !this.collapsed, factors: this.outputShape,
        perm: [...Array(this.outputShape.length + (this.collapsed ? 1 : 2)).keys()],
      }],
    };
  }

  /**
   * Runs the model with the source graph's inputs and outputs (as exported from ONNX, say): inputs
   * in graph order or by name, in the graph's layouts; outputs in graph order and layouts.
   * This is what `edgernn verify` compares with framework outputs.
   */
  runGraph(inputs: Tensor[] | Record<string, Tensor>): Tensor<Float32Array>[] {
    const g = this.graph;
    const c = bindGraphInputs(g, inputs);
    const B = c.shape[0];
    const wantStates = g.outputs.some((o) => o.role !== 'output');
    const r = this.run(c.x, c.shape, {
      ...(c.sequenceLengths ? { sequenceLengths: c.sequenceLengths } : {}),
      ...(c.initialStates.length ? { initialStates: c.initialStates } : {}),
      returnStates: wantStates,
    });
    return g.outputs.map((o) => {
      if (o.role === 'output') return this.bindOutput(o, r, B);
      return this.bindState(o, r.states ?? [], B);
    });
  }

  private bindOutput(o: OutputBinding, r: RunResult, B: number): Tensor<Float32Array> {
    const steps = this.collapsed ? 1 : r.shape[1]!;
    const shape = o.time ? [B, steps, ...o.factors] : [B, ...o.factors];
    if (sizeOf(shape) !== r.data.length) {
      throw new ShapeError(`output '${o.name}' expects ${sizeOf(shape)} values ([${shape.join(', ')}]), the model produced ${r.data.length}`, { where: o.name });
    }
    const t = transpose({ shape, data: r.data }, o.perm);
    if (o.merge) t.shape = o.merge.map((g) => g.reduce((p, k) => p * t.shape[k]!, 1));
    return t;
  }

  private bindState(b: StateBinding, states: StateTensor[], B: number): Tensor<Float32Array> {
    const kind: StateKind = b.role === 'final_c' ? 'c' : 'h';
    const parts = b.parts.map((p) => {
      const s = states.find((st) => st.layer === p.layer && (st.direction ?? 0) === p.direction && st.kind === kind);
      if (!s) throw new UsageError(`output '${b.name}' needs the ${kind} state of layer ${p.layer}, which the model does not have`, { where: b.name });
      return s.data;
    });
    const H = parts[0]!.length / B;
    const data = new Float32Array(parts.length * B * H);
    parts.forEach((p, k) => data.set(p, k * B * H));
    // canonical [part, batch, unit] -> graph axes
    const canonAxes: Axis[] = ['part', 'batch', 'unit'];
    return transpose({ shape: [parts.length, B, H], data }, b.axes.map((a) => canonAxes.indexOf(a)));
  }

  /**
   * Allocates `count` independent recurrent states for streaming, all at the model's initial
   * state. Throws UnsupportedModelError for models with reverse or bidirectional layers.
   */
  streams(count: number): StreamSet {
    if (!Number.isInteger(count) || count <= 0) throw new UsageError(`stream count must be a positive integer, got ${count}`, { where: 'count', actual: count });
    const h = this.ex.ernn_streams_create(count);
    if (h <= 0) throw moduleError(this.ex, -h, undefined, 'streams');
    const set = new StreamSet(this.ex, this.mem, h, (l, k) => this.units(l, k));
    this.sets.add(set);
    return set;
  }
}
