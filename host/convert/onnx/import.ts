// ONNX importer: lowers an ONNX graph (as PyTorch's exporter and others write it) onto the
// model description (ir.ts), a chain of recurrent, dense and activation layers.
//
// How: every graph value is classified as it is produced, in node order:
//   const   a known tensor (initializers, Constant, and anything computed only from constants)
//   shape   a small integer vector that may hold symbolic sizes (Shape of a runtime tensor);
//           the exporter's Shape/Gather/Concat/Unsqueeze arithmetic is folded on these
//   bcast   a constant broadcast to a symbolic shape (Expand, ConstantOfShape): zero or
//           learned initial states
//   dyn     the runtime tensor flowing through the layer chain, with a label per axis:
//           outer axes (batch or time, identified when a recurrent op consumes them) and
//           feature factors (how the per-step vector splits into axes)
//   state   the final h or c of recurrent layers (Y_h, Y_c), by layer and direction
//   input   a graph input not yet used; its first use decides its role (sequence, initial
//           state, sequence lengths, or weights when the caller supplies their values)
// Ops that the chain cannot express (branches, arithmetic between two runtime tensors,
// slicing features, ...) are refused with the op, the node name and the reason.

import {
  decodeModel, tensorFromProto, num, type OnnxModel, type OnnxNode, type OnnxAttribute, type OnnxValueInfo,
} from './proto.js';
import type {
  ModelIR, Layer, RecurrentLayer, DenseLayer, Activation, CellKind, RecurrentWeights,
} from '../ir.js';
import { reorderGates, isRecurrent, transpose2d } from '../ir.js';
import type {
  GraphBinding, InputBinding, GraphOutputBinding, Axis, StateBinding,
} from '../../format/metadata.js';
import type { ActivationName } from '../../format/layout.js';
import { builtSize } from '../limits.js';
import { ModelFormatError, UnsupportedModelError } from '../../errors.js';
import { type Tensor, toFloat32 } from '../../io/tensor.js';

// ---------------------------------------------------------------------------------------------
// Values

interface Sym { sym: string }
type IntVal = number | Sym;
const nums = (a: ArrayLike<number | bigint>): number[] => Array.from(a, Number);
const isSym = (v: IntVal): v is Sym => typeof v === 'object';
const symEq = (a: IntVal, b: IntVal) => (isSym(a) && isSym(b) ? a.sym === b.sym : a === b);

interface ConstV { k: 'const'; t: Tensor }
interface ShapeV { k: 'shape'; vals: IntVal[]; scalar: boolean }
interface BcastV { k: 'bcast'; t: Tensor; shape: IntVal[] }

interface OuterAxis { kind: 'outer'; id: string; size?: number; parts?: OuterAxis[] } // parts: batch and time merged into one axis
interface FeatAxis { kind: 'feat'; size: number; order: number } // order < 0 for size-1 axes
type DynAxis = OuterAxis | FeatAxis;
interface DynV { k: 'dyn'; pos: number; axes: DynAxis[] }

type StateAxis = 'part' | 'batch' | 'unit';
interface StateV {
  k: 'state';
  which: 'h' | 'c';
  parts: { layer: number; direction: number }[];
  axes: StateAxis[];
  units: number;
  batchId: string;
}

interface InputV { k: 'input'; name: string; dims: IntVal[]; index: number }
interface StateInV { k: 'stateIn'; name: string; parts: number[]; axis: number; keepAxis: boolean; rank: number }
interface NoneV { k: 'none' }

type Value = ConstV | ShapeV | BcastV | DynV | StateV | InputV | StateInV | NoneV;

export interface OnnxImportOptions {
  /**
   * Values for graph inputs that the model uses as weights (W, R, B, P of a recurrent op, or a
   * MatMul/Gemm operand). ONNX's node tests pass weights as inputs; a real model has them as
   * initializers. Inputs named here become constants of the converted model.
   */
  weightInputs?: Record<string, Tensor> | Tensor[];
  name?: string;
}

// ---------------------------------------------------------------------------------------------

const ACT_NAMES: Record<string, { name: ActivationName; params: 0 | 1 | 2; da?: number; db?: number }> = {
  relu: { name: 'relu', params: 0 },
  tanh: { name: 'tanh', params: 0 },
  sigmoid: { name: 'sigmoid', params: 0 },
  affine: { name: 'affine', params: 2, da: 1, db: 0 },
  leakyrelu: { name: 'leaky_relu', params: 1, da: 0.01 },
  thresholdedrelu: { name: 'thresholded_relu', params: 1, da: 1 },
  scaledtanh: { name: 'scaled_tanh', params: 2, da: 1, db: 1 },
  hardsigmoid: { name: 'hard_sigmoid', params: 2, da: 0.2, db: 0.5 },
  elu: { name: 'elu', params: 1, da: 1 },
  softsign: { name: 'softsign', params: 0 },
  softplus: { name: 'softplus', params: 0 },
};

// ONNX LSTM gate blocks are i, o, f, c; canonical is i, f, g(c), o.
const LSTM_ORDER = [0, 2, 3, 1];
// ONNX peepholes are i, o, f; canonical is i, f, o.
const PEEP_ORDER = [0, 2, 1];

function attrOf(node: OnnxNode, name: string): OnnxAttribute | undefined {
  return node.attribute?.find((a) => a.name === name);
}

const SUPPORTED_DOMAINS = new Set(['', 'ai.onnx']);

export class OnnxImporter {
  private readonly model: OnnxModel;
  private readonly values = new Map<string, Value>();
  private readonly layers: Layer[] = [];
  private readonly roleOf = new Map<string, 'batch' | 'time'>();
  private readonly inputRoles = new Map<string, InputBinding>();
  private seqInput: { name: string; ids: string[]; rank: number } | undefined;
  private collapsed = false;
  private opset = 0;
  private node: OnnxNode = {};
  private nodeIndex = 0;

  constructor(bytes: Uint8Array, private readonly options: OnnxImportOptions = {}) {
    this.model = decodeModel(bytes);
  }

  private where(): string {
    const n = this.node;
    return `${n.opType ?? '?'} node '${n.name || `#${this.nodeIndex}`}'`;
  }

  private refuse(reason: string): never {
    throw new UnsupportedModelError(`${this.where()}: ${reason}`, { where: this.where() });
  }

  private bad(reason: string): never {
    throw new ModelFormatError(`${this.where()}: ${reason}`, { where: this.where() });
  }

  // ---- value access ----

  private get(name: string | undefined): Value {
    if (name === undefined || name === '') return { k: 'none' };
    const v = this.values.get(name);
    if (!v) this.bad(`input '${name}' is not produced by any earlier node, initializer or graph input`);
    return v;
  }

  private set(name: string | undefined, v: Value): void {
    if (name) this.values.set(name, v);
  }

  /** A constant input; graph inputs are accepted when the caller supplied their values. */
  private constOf(name: string | undefined, what: string): Tensor {
    const v = this.get(name);
    if (v.k === 'const') return v.t;
    if (v.k === 'input') {
      const w = this.options.weightInputs;
      const t = Array.isArray(w) ? w[v.index] : w?.[v.name];
      if (t) {
        const c: ConstV = { k: 'const', t };
        this.values.set(v.name, c);
        this.inputRoles.set(v.name, { name: v.name, role: 'constant' });
        return t;
      }
      this.refuse(`${what} comes from graph input '${v.name}', but weights must be constants (initializers); pass its value as a weight input to freeze it`);
    }
    if (v.k === 'shape' && v.vals.every((x) => !isSym(x))) {
      return { shape: v.scalar ? [] : [v.vals.length], data: Float64Array.from(v.vals as number[]) };
    }
    this.refuse(`${what} must be a constant, but it is computed at run time`);
  }

  private optConst(name: string | undefined, what: string): Tensor | undefined {
    if (!name) return undefined;
    return this.constOf(name, what);
  }

  private intsOf(name: string | undefined, what: string): IntVal[] {
    const v = this.get(name);
    if (v.k === 'shape') return v.vals;
    if (v.k === 'const') return nums(v.t.data);
    if (v.k === 'input' && this.options.weightInputs) return nums(this.constOf(name, what).data);
    this.refuse(`${what} must be a constant or a shape computation`);
  }

  private attrInt(name: string, dflt: number): number {
    const a = attrOf(this.node, name);
    return a ? num(a.i) : dflt;
  }
  private attrFloat(name: string, dflt: number): number {
    const a = attrOf(this.node, name);
    return a && a.f !== undefined ? a.f : dflt;
  }
  private attrInts(name: string): number[] | undefined {
    const a = attrOf(this.node, name);
    return a ? (a.ints ?? []).map(num) : undefined;
  }
  private attrString(name: string, dflt: string): string {
    const a = attrOf(this.node, name);
    return a?.s ? new TextDecoder().decode(a.s) : dflt;
  }
  private attrStrings(name: string): string[] | undefined {
    const a = attrOf(this.node, name);
    return a ? (a.strings ?? []).map((s) => new TextDecoder().decode(s)) : undefined;
  }
  private attrFloats(name: string): number[] | undefined {
    const a = attrOf(this.node, name);
    return a ? (a.floats ?? []) : undefined;
  }

  /** Refuses attributes the handler does not know. */
  private onlyAttrs(...known: string[]): void {
    for (const a of this.node.attribute ?? []) {
      if (!known.includes(a.name ?? '')) this.refuse(`attribute '${a.name}' is not supported`);
    }
  }

  // ---- the sequence input and outer axes ----

  private resolveSequenceInput(v: InputV): DynV {
    if (this.seqInput && this.seqInput.name !== v.name) {
      this.refuse(`the model has two runtime inputs used as data ('${this.seqInput.name}' and '${v.name}'); edgernn models take one sequence input`);
    }
    const r = v.dims.length;
    if (r < 2 || r > 3) this.refuse(`input '${v.name}' has rank ${r}; a sequence input is [batch, time, features] or [batch, features]`);
    const last = v.dims[r - 1]!;
    if (isSym(last)) this.refuse(`input '${v.name}' has a dynamic feature size; the last axis must have a fixed size`);
    const ids = v.dims.slice(0, r - 1).map((_, k) => `${v.name}:${k}`);
    this.seqInput = { name: v.name, ids, rank: r };
    const dyn: DynV = {
      k: 'dyn', pos: 0,
      axes: [
        ...ids.map((id, k): OuterAxis => {
          const d = v.dims[k]!;
          return isSym(d) ? { kind: 'outer', id } : { kind: 'outer', id, size: d };
        }),
        { kind: 'feat', size: last, order: 0 },
      ],
    };
    this.values.set(v.name, dyn);
    return dyn;
  }

  /** The value of a node input as the chain's runtime tensor. */
  private dynOf(name: string | undefined): DynV {
    const v = this.get(name);
    if (v.k === 'dyn') return v;
    if (v.k === 'input') return this.resolveSequenceInput(v);
    if (v.k === 'state') return this.stateToDyn(v);
    this.refuse(`expected a runtime tensor for input '${name}', got a ${v.k === 'const' ? 'constant' : v.k}`);
  }

  private bindRole(id: string, role: 'batch' | 'time'): void {
    const had = this.roleOf.get(id);
    if (had && had !== role) this.refuse(`axis '${id}' is used as ${had} earlier and as ${role} here`);
    this.roleOf.set(id, role);
  }

  // ---- feature factors ----

  /** Non-unit feature axes in canonical (memory) order. */
  private static featOrder(axes: DynAxis[]): FeatAxis[] {
    return axes.filter((a): a is FeatAxis => a.kind === 'feat' && a.size !== 1).sort((a, b) => a.order - b.order);
  }

  private static featSize(axes: DynAxis[]): number {
    return axes.reduce((p, a) => (a.kind === 'feat' ? p * a.size : p), 1);
  }

  /** Renumbers feature orders 0..n-1 in canonical order (size-1 axes get -1). */
  private static renumber(axes: DynAxis[]): DynAxis[] {
    const order = OnnxImporter.featOrder(axes);
    return axes.map((a) => {
      if (a.kind !== 'feat') return a;
      if (a.size === 1) return { ...a, order: -1 };
      return { ...a, order: order.indexOf(a) };
    });
  }

  /** The chain's runtime tensor must be [outer..., features] with the feature vector last. */
  private requireFeaturesLast(d: DynV, what: string): number {
    const last = d.axes[d.axes.length - 1];
    const featAll = OnnxImporter.featSize(d.axes);
    if (!last || last.kind !== 'feat' || last.size !== featAll) {
      this.refuse(`${what} must act on the last axis holding the whole feature vector; here the features are split across axes`);
    }
    return featAll;
  }

  private requireChainHead(d: DynV): void {
    if (d.pos !== this.layers.length) {
      this.refuse('the graph branches: this op reads a tensor from before the latest layer; edgernn runs a single chain of layers');
    }
  }

  // ---- chain building ----

  private appendLayer(layer: Layer): number {
    this.layers.push(layer);
    return this.layers.length;
  }

  private lastLayer(): Layer | undefined {
    return this.layers[this.layers.length - 1];
  }

  /** The dense layer that produced `d` and can still take a bias or activation, if any. */
  private foldableDense(d: DynV): DenseLayer | undefined {
    const L = this.lastLayer();
    if (d.pos === this.layers.length && L && L.kind === 'dense' && L.activation.name === 'linear') return L;
    return undefined;
  }

  private appendDense(d: DynV, W: Float32Array, units: number, bias: Float32Array | undefined, name: string): DynV {
    this.requireChainHead(d);
    const K = this.requireFeaturesLast(d, this.node.opType ?? 'op');
    if (W.length !== units * K) this.bad(`weight has ${W.length} values, expected ${units} x ${K}`);
    const pos = this.appendLayer({
      kind: 'dense', name, inputSize: K, units, W, ...(bias ? { b: bias } : {}), activation: { name: 'linear' },
    });
    const axes = d.axes.slice(0, -1).concat([{ kind: 'feat', size: units, order: 0 }]);
    return { k: 'dyn', pos, axes: OnnxImporter.renumber(axes) };
  }

  private applyActivation(d: DynV, act: Activation): DynV {
    this.requireChainHead(d);
    const dense = this.foldableDense(d);
    if (dense) {
      dense.activation = act;
      return d;
    }
    const size = this.requireFeaturesLast(d, this.node.opType ?? 'activation');
    const pos = this.appendLayer({ kind: 'activation', name: this.node.name || act.name, size, activation: act });
    return { ...d, pos };
  }

  // ---- state values ----

  private stateToDyn(s: StateV, unitsMergedAt = -1): DynV {
    const L = this.layers.length - 1;
    const layer = this.layers[L];
    if (!layer || !isRecurrent(layer) || s.which !== 'h') {
      this.refuse('a cell state or an earlier layer\'s state is used as data; only the last recurrent layer\'s final h can feed further layers');
    }
    const dirs = layer.direction === 'bidirectional' ? 2 : 1;
    const ok = s.parts.length === dirs && s.parts.every((p, i) => p.layer === L && p.direction === i);
    if (!ok) this.refuse('only the final h of all directions of the last recurrent layer, in order, can feed further layers');
    if (layer.output !== 'sequence' && layer.output !== 'final') this.refuse('the last recurrent layer is already reduced to its last step');
    layer.output = 'final';
    this.collapsed = true;
    const axes: DynAxis[] = s.axes.map((a, k): DynAxis => {
      if (a === 'batch') return { kind: 'outer', id: s.batchId };
      if (a === 'part') return { kind: 'feat', size: dirs, order: 0 };
      return k === unitsMergedAt ? { kind: 'feat', size: dirs * s.units, order: 0 } : { kind: 'feat', size: s.units, order: 1 };
    });
    return { k: 'dyn', pos: this.layers.length, axes: OnnxImporter.renumber(axes) };
  }

  // ---------------------------------------------------------------------------------------------

  run(): ModelIR {
    const m = this.model;
    const g = m.graph!;
    for (const o of m.opsetImport ?? []) {
      if (o.domain === '' || o.domain === 'ai.onnx' || o.domain === undefined) this.opset = num(o.version);
    }
    if (this.opset === 0) this.opset = 1;
    if ((g.sparseInitializer ?? []).length > 0) throw new UnsupportedModelError('sparse initializers are not supported', { where: 'graph' });
    for (const init of g.initializer ?? []) {
      const name = init.name ?? '';
      this.values.set(name, { k: 'const', t: tensorFromProto(init, `initializer '${name}'`) });
    }
    let index = 0;
    for (const vi of g.input ?? []) {
      const name = vi.name ?? '';
      if (this.values.has(name)) continue; // an initializer with a default value (IR < 4 style)
      this.values.set(name, { k: 'input', name, dims: this.dimsOf(vi), index: index++ });
    }
    const nodes = this.topoSort(g.node ?? []);
    nodes.forEach((node, i) => {
      this.node = node;
      this.nodeIndex = i;
      if (!SUPPORTED_DOMAINS.has(node.domain ?? '')) this.refuse(`operator domain '${node.domain}' is not supported`);
      const handler = this.handlers[node.opType ?? ''];
      if (!handler) this.refuse(`operator ${node.opType} is not supported (edgernn imports recurrent layers, dense heads, activations and shape arithmetic)`);
      handler.call(this, node);
    });
    this.node = {};
    return this.finish(g.output ?? [], g.input ?? []);
  }

  private dimsOf(vi: OnnxValueInfo): IntVal[] {
    const dims = vi.type?.tensorType?.shape?.dim ?? [];
    return dims.map((d, k) => {
      if (d.dimValue !== undefined && d.dimValue !== null && num(d.dimValue) > 0) return num(d.dimValue);
      return { sym: `${vi.name}:${k}` };
    });
  }

  /**
   * The nodes in an order where each comes after the nodes it reads from: at each step the first
   * node, in file order, whose inputs are all produced (graph inputs and initializers count as
   * produced). Kahn's algorithm with a heap of ready nodes: O(n log n), where a scan for the next
   * ready node was O(n^2) (20 000 nodes in reverse order took 50 s; found by fuzzing).
   */
  private topoSort(nodes: OnnxNode[]): OnnxNode[] {
    const produced = new Set<string>(this.values.keys());
    const waiting = new Map<string, number[]>(); // value -> nodes that read it
    const missing = nodes.map((n, i) => {
      const need = new Set((n.input ?? []).filter((x) => x !== '' && !produced.has(x)));
      for (const x of need) {
        const w = waiting.get(x);
        if (w) w.push(i); else waiting.set(x, [i]);
      }
      return need.size;
    });
    const ready = new MinHeap();
    missing.forEach((m, i) => { if (m === 0) ready.push(i); });
    const out: OnnxNode[] = [];
    const done = new Uint8Array(nodes.length);
    while (ready.size > 0) {
      const i = ready.pop();
      const n = nodes[i]!;
      out.push(n);
      done[i] = 1;
      for (const o of n.output ?? []) {
        if (!o || produced.has(o)) continue;
        produced.add(o);
        for (const j of waiting.get(o) ?? []) if (--missing[j]! === 0) ready.push(j);
      }
    }
    if (out.length < nodes.length) {
      const n = nodes[done.indexOf(0)]!;
      const absent = (n.input ?? []).find((x) => x !== '' && !produced.has(x));
      throw new ModelFormatError(`${n.opType} node '${n.name}' reads '${absent}', which nothing produces (or the graph has a cycle)`, { where: n.name ?? '' });
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Finishing: graph inputs and outputs

  private finish(outputs: OnnxValueInfo[], inputs: OnnxValueInfo[]): ModelIR {
    const outBindings: GraphOutputBinding[] = [];
    let mainDyn: DynV | undefined;
    for (const o of outputs) {
      const name = o.name ?? '';
      const v = this.values.get(name);
      this.node = { opType: 'graph output', name };
      if (!v) this.bad(`graph output '${name}' is not produced by any node`);
      if (v.k === 'dyn' || (v.k === 'input' && this.seqInput === undefined)) {
        const d = v.k === 'dyn' ? v : this.resolveSequenceInput(v);
        if (mainDyn && mainDyn !== d) this.refuse('the graph has two data outputs; edgernn models have one output plus states');
        if (d.pos !== this.layers.length) this.refuse(`output '${name}' is taken from before the last layer`);
        mainDyn = d;
        outBindings.push(this.outputBinding(name, d));
      } else if (v.k === 'state') {
        outBindings.push({ name, role: v.which === 'h' ? 'final_h' : 'final_c', parts: v.parts, axes: v.axes });
      } else {
        this.refuse(`graph output '${name}' is a constant or shape value; edgernn models output data computed from the input`);
      }
    }
    const last = this.lastLayer();
    if (!mainDyn && last && isRecurrent(last) && last.output === 'sequence') last.output = 'final';
    for (const L of this.layers) {
      if (isRecurrent(L) && L !== last && L.output !== 'sequence' && this.layers.indexOf(L) < this.layers.length - 1) {
        const next = this.layers[this.layers.indexOf(L) + 1]!;
        if (isRecurrent(next)) this.refuse(`layer '${L.name}' is reduced to one step but feeds another recurrent layer`);
      }
    }
    if (this.layers.length === 0) {
      this.node = {};
      throw new UnsupportedModelError('the graph has no layers edgernn can run (no recurrent, MatMul/Gemm or activation ops on the input)', { where: 'graph' });
    }
    const inBindings: InputBinding[] = [];
    for (const vi of inputs) {
      const name = vi.name ?? '';
      const role = this.inputRoles.get(name);
      if (role) { inBindings.push(role); continue; }
      if (this.seqInput?.name === name) {
        const r = this.seqInput.rank;
        const axes: Axis[] = this.seqInput.ids.map((id, k) => {
          const role = this.roleOf.get(id);
          if (role) return role;
          return r === 3 ? (k === 0 ? 'batch' : 'time') : 'batch';
        });
        axes.push('feature');
        inBindings.push({ name, role: 'sequence', axes });
        continue;
      }
      const v = this.values.get(name);
      if (v && v.k === 'const') continue; // initializer listed as an input
      inBindings.push({ name, role: 'constant' });
    }
    const featureCount = this.seqInput ? this.inputFeatureCount() : 0;
    const graph: GraphBinding = { inputs: inBindings, outputs: outBindings };
    const main = outBindings.find((b) => b.role === 'output');
    const producer = this.model.producerName ?? '';
    const metadata: ModelIR['metadata'] = {
      name: this.options.name ?? (this.model.graph?.name || 'model'),
      source: {
        format: 'onnx',
        ...(producer ? { producer, producerVersion: this.model.producerVersion ?? '' } : {}),
        ...(producer === 'pytorch' ? { framework: 'pytorch', frameworkVersion: this.model.producerVersion ?? '' } : {}),
        opset: this.opset,
      },
      graph,
      ...(main && main.role === 'output' ? { output: { shape: main.factors.filter((f) => f !== 1).length ? main.factors.filter((f) => f !== 1) : [1] } } : {}),
    };
    return { name: metadata.name!, inputSize: featureCount, layers: this.layers, metadata };
  }

  private inputFeatureCount(): number {
    const v = this.model.graph!.input!.find((i) => i.name === this.seqInput!.name)!;
    const dims = this.dimsOf(v);
    return dims[dims.length - 1] as number;
  }

  private outputBinding(name: string, d: DynV): GraphOutputBinding {
    // runtime axes: batch, time (unless reduced), then feature factors in canonical order;
    // merged batch*time axes of the graph become a reshape after the transpose
    const expanded: DynAxis[] = d.axes.flatMap((a) => (a.kind === 'outer' && a.parts ? a.parts : [a]));
    let batchId: string | undefined, timeId: string | undefined;
    for (const a of expanded) {
      if (a.kind !== 'outer') continue;
      const role = this.roleOf.get(a.id) ?? (this.seqInput && this.seqInput.ids.length === 2 && !this.collapsed ? (a.id === this.seqInput.ids[0] ? 'batch' : 'time') : 'batch');
      if (role === 'batch') { if (batchId) this.refuse(`output '${name}' has two batch axes`); batchId = a.id; }
      else { if (timeId) this.refuse(`output '${name}' has two time axes`); timeId = a.id; }
    }
    if (!batchId) this.refuse(`output '${name}' has no batch axis`);
    const hasTime = timeId !== undefined;
    if (!hasTime && !this.collapsed && this.layers.some(isRecurrent)) {
      this.refuse(`output '${name}' has no time axis but the model returns a sequence`);
    }
    const feats = OnnxImporter.featOrder(expanded);
    const units = expanded.filter((a): a is FeatAxis => a.kind === 'feat' && a.size === 1);
    const factors = [...feats.map((f) => f.size), ...units.map(() => 1)];
    const canon: DynAxis[] = [...feats, ...units];
    const base = hasTime ? 2 : 1;
    const perm = expanded.map((a) => {
      if (a.kind === 'outer') return a.id === batchId ? 0 : 1;
      return base + canon.indexOf(a);
    });
    const binding: GraphOutputBinding = { name, role: 'output', time: hasTime, factors, perm };
    if (expanded.length !== d.axes.length) {
      let k = 0;
      binding.merge = d.axes.map((a) => {
        const n = a.kind === 'outer' && a.parts ? a.parts.length : 1;
        const g = [...Array(n).keys()].map((x) => x + k);
        k += n;
        return g;
      });
    }
    return binding;
  }

  // ---------------------------------------------------------------------------------------------
  // Op handlers

  private readonly handlers: Record<string, (n: OnnxNode) => void> = {
    Constant: (n) => {
      const a = n.attribute?.[0];
      if (!a) this.bad('has no value attribute');
      let t: Tensor;
      if (a.name === 'value' && a.t) t = tensorFromProto(a.t, this.where());
      else if (a.name === 'value_float') t = { shape: [], data: Float32Array.of(a.f ?? 0) };
      else if (a.name === 'value_floats') t = { shape: [(a.floats ?? []).length], data: Float32Array.from(a.floats ?? []) };
      else if (a.name === 'value_int') t = { shape: [], data: Float64Array.of(num(a.i)) };
      else if (a.name === 'value_ints') t = { shape: [(a.ints ?? []).length], data: Float64Array.from((a.ints ?? []).map(num)) };
      else this.refuse(`Constant attribute '${a.name}' is not supported`);
      this.set(n.output?.[0], { k: 'const', t });
    },
    Identity: (n) => this.set(n.output?.[0], this.get(n.input?.[0])),
    Dropout: (n) => {
      // identity at inference; the optional mask output is not produced
      if (n.output?.[1]) this.refuse('the Dropout mask output is not supported');
      this.set(n.output?.[0], this.get(n.input?.[0]));
    },
    Cast: (n) => {
      const v = this.get(n.input?.[0]);
      const to = this.attrInt('to', 1);
      if (v.k === 'const') {
        const ints = [6, 7, 5, 3, 2, 4, 12, 13].includes(to);
        const data = ints ? Float64Array.from(nums(v.t.data), Math.trunc) : toFloat32(v.t.data);
        this.set(n.output?.[0], { k: 'const', t: { shape: v.t.shape, data } });
      } else if (v.k === 'dyn' && to !== 1) {
        this.refuse('casting the runtime tensor to a non-float type is not supported');
      } else {
        this.set(n.output?.[0], v);
      }
    },
    Shape: (n) => {
      const v = this.get(n.input?.[0]);
      let vals: IntVal[];
      if (v.k === 'const') vals = [...v.t.shape];
      else if (v.k === 'dyn') vals = v.axes.map((a) => (a.kind === 'outer' ? (a.size ?? { sym: a.id }) : a.size));
      else if (v.k === 'input') vals = v.dims;
      else if (v.k === 'bcast') vals = v.shape;
      else if (v.k === 'shape') vals = v.scalar ? [] : [v.vals.length];
      else if (v.k === 'state') vals = v.axes.map((a) => (a === 'batch' ? { sym: v.batchId } : a === 'unit' ? v.units : v.parts.length));
      else this.refuse('Shape of this value is not supported');
      // a symbolic size of an axis whose static size is known stays symbolic only if dynamic
      if (v.k === 'dyn') vals = v.axes.map((a) => (a.kind === 'outer' ? { sym: a.id } : a.size));
      const start = this.attrInt('start', 0), end = attrOf(n, 'end') ? this.attrInt('end', 0) : vals.length;
      const norm = (i: number) => Math.max(0, Math.min(vals.length, i < 0 ? i + vals.length : i));
      this.set(n.output?.[0], { k: 'shape', vals: vals.slice(norm(start), norm(end)), scalar: false });
    },
    Gather: (n) => this.gather(n),
    Unsqueeze: (n) => this.unsqueeze(n),
    Squeeze: (n) => this.squeeze(n),
    Concat: (n) => this.concat(n),
    Reshape: (n) => this.reshape(n),
    Flatten: (n) => this.flatten(n),
    Transpose: (n) => this.transposeOp(n),
    Slice: (n) => this.slice(n),
    Expand: (n) => this.expand(n),
    ConstantOfShape: (n) => {
      const shape = this.intsOf(n.input?.[0], 'shape');
      const a = attrOf(n, 'value');
      const t: Tensor = a?.t ? tensorFromProto(a.t, this.where()) : { shape: [1], data: Float32Array.of(0) };
      this.set(n.output?.[0], this.broadcastTo(t, shape));
    },
    Add: (n) => this.arith(n, 'add'),
    Sub: (n) => this.arith(n, 'sub'),
    Mul: (n) => this.arith(n, 'mul'),
    Div: (n) => this.arith(n, 'div'),
    Equal: (n) => {
      // shape bookkeeping of Expand exports: Equal(shape, -1); symbolic sizes are never negative
      const a = this.intsOf(n.input?.[0], 'a'), b = this.intsOf(n.input?.[1], 'b');
      const r = Math.max(a.length, b.length);
      const at = (v: IntVal[], i: number) => v[v.length === 1 ? 0 : i]!;
      const out = [...Array(r).keys()].map((i) => {
        const x = at(a, i), y = at(b, i);
        if (isSym(x) && isSym(y)) return x.sym === y.sym ? 1 : this.refuse('comparing two unknown sizes');
        if (isSym(x) || isSym(y)) { const c = (isSym(x) ? y : x) as number; return c < 0 ? 0 : this.refuse('comparing an unknown size with a constant'); }
        return x === y ? 1 : 0;
      });
      this.set(n.output?.[0], { k: 'const', t: { shape: [r], data: Float64Array.from(out) } });
    },
    Where: (n) => {
      const c = this.constOf(n.input?.[0], 'condition');
      const a = this.intsOf(n.input?.[1], 'x'), b = this.intsOf(n.input?.[2], 'y');
      const r = Math.max(c.data.length, a.length, b.length);
      const at = (v: ArrayLike<unknown>, i: number) => v[v.length === 1 ? 0 : i];
      const out = [...Array(r).keys()].map((i) => (Number(at(c.data as ArrayLike<number>, i)) ? at(a, i) : at(b, i)) as IntVal);
      if (out.every((x) => !isSym(x))) this.set(n.output?.[0], { k: 'const', t: { shape: [r], data: Float64Array.from(out as number[]) } });
      else this.set(n.output?.[0], { k: 'shape', vals: out, scalar: false });
    },
    MatMul: (n) => this.matmul(n),
    Gemm: (n) => this.gemm(n),
    Relu: (n) => this.activation(n, { name: 'relu' }),
    Tanh: (n) => this.activation(n, { name: 'tanh' }),
    Sigmoid: (n) => this.activation(n, { name: 'sigmoid' }),
    LeakyRelu: (n) => this.activation(n, { name: 'leaky_relu', alpha: this.attrFloat('alpha', 0.01) }),
    HardSigmoid: (n) => this.activation(n, { name: 'hard_sigmoid', alpha: this.attrFloat('alpha', 0.2), beta: this.attrFloat('beta', 0.5) }),
    Elu: (n) => this.activation(n, { name: 'elu', alpha: this.attrFloat('alpha', 1) }),
    Selu: (n) => this.activation(n, { name: 'selu', alpha: this.attrFloat('alpha', 1.67326319217681884765625), beta: this.attrFloat('gamma', 1.05070102214813232421875) }),
    ThresholdedRelu: (n) => this.activation(n, { name: 'thresholded_relu', alpha: this.attrFloat('alpha', 1) }),
    Softsign: (n) => this.activation(n, { name: 'softsign' }),
    Softplus: (n) => this.activation(n, { name: 'softplus' }),
    Exp: (n) => this.activation(n, { name: 'exponential' }),
    HardSwish: (n) => this.activation(n, { name: 'hard_silu' }),
    Mish: (n) => this.activation(n, { name: 'mish' }),
    Gelu: (n) => this.activation(n, { name: this.attrString('approximate', 'none') === 'tanh' ? 'gelu_tanh' : 'gelu' }),
    Softmax: (n) => this.softmax(n, 'softmax'),
    LogSoftmax: (n) => this.softmax(n, 'log_softmax'),
    Clip: (n) => this.clipOp(n),
    LSTM: (n) => this.recurrent(n, 'lstm'),
    GRU: (n) => this.recurrent(n, 'gru'),
    RNN: (n) => this.recurrent(n, 'rnn'),
  };

  // ---- activations ----

  private activation(n: OnnxNode, act: Activation): void {
    const v = this.get(n.input?.[0]);
    if (v.k === 'const') this.refuse('activation of a constant is not folded');
    this.set(n.output?.[0], this.applyActivation(this.dynOf(n.input?.[0]), act));
  }

  private softmax(n: OnnxNode, name: 'softmax' | 'log_softmax'): void {
    const d = this.dynOf(n.input?.[0]);
    const axis = this.attrInt('axis', this.opset >= 13 ? -1 : 1);
    const r = d.axes.length;
    const a = axis < 0 ? axis + r : axis;
    if (this.opset >= 13 ? a !== r - 1 : !(a === r - 1 || (a === 1 && r === 2))) this.refuse(`${n.opType} over axis ${axis} is not supported; only the last (feature) axis`);
    this.set(n.output?.[0], this.applyActivation(d, { name }));
  }

  private clipOp(n: OnnxNode): void {
    let lo: number, hi: number;
    if (this.opset >= 11) {
      lo = n.input?.[1] ? Number(this.constOf(n.input[1], 'min').data[0]) : -Infinity;
      hi = n.input?.[2] ? Number(this.constOf(n.input[2], 'max').data[0]) : Infinity;
    } else {
      lo = this.attrFloat('min', -Infinity);
      hi = this.attrFloat('max', Infinity);
    }
    if (lo === 0 && hi === 6) this.set(n.output?.[0], this.applyActivation(this.dynOf(n.input?.[0]), { name: 'relu6' }));
    else if (lo === 0 && hi === Infinity) this.set(n.output?.[0], this.applyActivation(this.dynOf(n.input?.[0]), { name: 'relu' }));
    else this.refuse(`Clip to [${lo}, ${hi}] is not supported (only relu and relu6 shapes)`);
  }

  // ---- constant folding helpers ----

  private broadcastTo(t: Tensor, shape: IntVal[]): Value {
    if (shape.every((x) => !isSym(x))) {
      const s = shape as number[];
      return { k: 'const', t: broadcastConst(t, s, this.where()) };
    }
    return { k: 'bcast', t, shape };
  }

  private expand(n: OnnxNode): void {
    const v = this.get(n.input?.[0]);
    const shape = this.intsOf(n.input?.[1], 'shape');
    if (v.k === 'const') {
      // broadcast rules: align right, 1 expands
      const r = Math.max(v.t.shape.length, shape.length);
      const a = [...Array(r - v.t.shape.length).fill(1), ...v.t.shape];
      const b = [...Array(r - shape.length).fill(1), ...shape];
      const out: IntVal[] = a.map((x, i) => (x === 1 ? b[i]! : x));
      this.set(n.output?.[0], this.broadcastTo(v.t, out));
      return;
    }
    if (v.k === 'bcast') { this.set(n.output?.[0], { k: 'bcast', t: v.t, shape }); return; }
    this.refuse('Expand of a runtime tensor is not supported');
  }

  private gather(n: OnnxNode): void {
    const v = this.get(n.input?.[0]);
    const axis = this.attrInt('axis', 0);
    const idxV = this.get(n.input?.[1]);
    if (v.k === 'shape' || (v.k === 'const' && (v.t.shape.length <= 1))) {
      const vals: IntVal[] = v.k === 'shape' ? v.vals : nums(v.t.data);
      const idxT = this.constOf(n.input?.[1], 'indices');
      const idx = nums(idxT.data).map((i) => (i < 0 ? i + vals.length : i));
      if (idx.some((i) => i < 0 || i >= vals.length)) this.bad(`index out of range for ${vals.length} values`);
      const out = idx.map((i) => vals[i]!);
      const scalar = idxT.shape.length === 0;
      if (v.k === 'const' && out.every((x) => !isSym(x))) {
        this.set(n.output?.[0], { k: 'const', t: { shape: scalar ? [] : [out.length], data: v.t.data instanceof Float32Array ? Float32Array.from(out as number[]) : Float64Array.from(out as number[]) } });
      } else {
        this.set(n.output?.[0], { k: 'shape', vals: out, scalar });
      }
      return;
    }
    if (v.k === 'const') {
      const idxT = this.constOf(n.input?.[1], 'indices');
      this.set(n.output?.[0], { k: 'const', t: gatherConst(v.t, axis, idxT, this.where()) });
      return;
    }
    if (v.k === 'bcast' && v.t.data.length === 1) {
      const idxT = this.constOf(n.input?.[1], 'indices');
      const a = axis < 0 ? axis + v.shape.length : axis;
      const shape = [...v.shape.slice(0, a), ...idxT.shape, ...v.shape.slice(a + 1)];
      this.set(n.output?.[0], this.broadcastTo(v.t, shape));
      return;
    }
    if (idxV.k !== 'const' && !(idxV.k === 'shape' && idxV.vals.every((x) => !isSym(x)))) this.refuse('indices must be constant');
    const idxT = this.constOf(n.input?.[1], 'indices');
    if (idxT.data.length !== 1) this.refuse('only a single index is supported');
    const index = Number(idxT.data[0]);
    const keep = idxT.shape.length > 0;
    if (v.k === 'state') { this.set(n.output?.[0], this.selectParts(v, axis, index, index + 1, keep)); return; }
    if (v.k === 'input') { this.set(n.output?.[0], this.sliceStateInput(v, axis, [index], keep)); return; }
    if (v.k === 'stateIn') this.refuse('repeated selection of a state input is not supported');
    const d = this.dynOf(n.input?.[0]);
    this.set(n.output?.[0], this.selectStep(d, axis, index, keep));
  }

  /** Gather/Slice of a single position on a runtime tensor axis. */
  private selectStep(d: DynV, axisIn: number, index: number, keep: boolean): DynV {
    const r = d.axes.length;
    const axis = axisIn < 0 ? axisIn + r : axisIn;
    const a = d.axes[axis];
    if (!a) this.bad(`axis ${axisIn} is out of range for rank ${r}`);
    if (a.kind === 'feat') {
      if (a.size === 1 && (index === 0 || index === -1)) {
        const axes = d.axes.filter((_, i) => i !== axis);
        return { ...d, axes: keep ? d.axes : axes };
      }
      this.refuse('selecting part of the feature vector is not supported');
    }
    const role = a.parts ? 'merged batch and time' : this.roleOf.get(a.id);
    if (role !== 'time') this.refuse(`selecting one entry of the ${role ?? 'batch'} axis is not supported`);
    const last = index === -1 || (a.size !== undefined && index === a.size - 1);
    if (!last) this.refuse(`only the last time step can be selected (index -1), not index ${index}`);
    this.collapseLast(d);
    const axes = d.axes.map((x, i): DynAxis => (i === axis ? { kind: 'feat', size: 1, order: -1 } : x));
    return { ...d, axes: keep ? axes : axes.filter((_, i) => i !== axis) };
  }

  private collapseLast(d: DynV): void {
    this.requireChainHead(d);
    if (this.collapsed) this.refuse('the sequence is already reduced to one step');
    let k = this.layers.length - 1;
    while (k >= 0 && !isRecurrent(this.layers[k]!)) k--;
    if (k < 0) this.refuse('selecting a time step before any recurrent layer is not supported');
    const L = this.layers[k] as RecurrentLayer;
    if (L.output !== 'sequence') this.refuse('the recurrent layer output is already reduced');
    L.output = 'last';
    this.collapsed = true;
  }

  private selectParts(s: StateV, axisIn: number, start: number, end: number, keep: boolean): StateV {
    const r = s.axes.length;
    const axis = axisIn < 0 ? axisIn + r : axisIn;
    if (s.axes[axis] !== 'part') this.refuse(`selecting along the ${s.axes[axis] ?? '?'} axis of a state is not supported`);
    const P = s.parts.length;
    const norm = (i: number) => Math.max(0, Math.min(P, i < 0 ? i + P : i));
    const parts = s.parts.slice(norm(start), start === -1 && end === 0 ? P : norm(end));
    if (parts.length === 0) this.bad('selects no state');
    if (!keep && parts.length !== 1) this.bad('removes the part axis but selects several states');
    return { ...s, parts, axes: keep ? s.axes : s.axes.filter((_, i) => i !== axis) };
  }

  private sliceStateInput(v: InputV, axisIn: number, indices: number[], keep: boolean): StateInV {
    const r = v.dims.length;
    const axis = axisIn < 0 ? axisIn + r : axisIn;
    const size = v.dims[axis];
    if (size === undefined || isSym(size)) this.refuse(`input '${v.name}' is sliced along a dynamic axis; only states (with a fixed layer axis) can be sliced`);
    const parts = indices.map((i) => (i < 0 ? i + size : i));
    if (parts.some((p) => p < 0 || p >= size)) this.bad(`index out of range for input '${v.name}'`);
    return { k: 'stateIn', name: v.name, parts, axis, keepAxis: keep, rank: r };
  }

  private unsqueeze(n: OnnxNode): void {
    const v = this.get(n.input?.[0]);
    const axes = this.opset >= 13 && n.input?.[1] ? this.intsOf(n.input[1], 'axes').map(Number) : (this.attrInts('axes') ?? []);
    if (v.k === 'shape') {
      if (v.scalar && axes.length === 1 && (axes[0] === 0 || axes[0] === -1)) { this.set(n.output?.[0], { k: 'shape', vals: v.vals, scalar: false }); return; }
      this.refuse('unsqueeze of a shape vector is not supported');
    }
    if (v.k === 'const') {
      const r = v.t.shape.length + axes.length;
      const norm = axes.map((a) => (a < 0 ? a + r : a)).sort((a, b) => a - b);
      const shape = [...v.t.shape];
      for (const a of norm) shape.splice(a, 0, 1);
      this.set(n.output?.[0], { k: 'const', t: { shape, data: v.t.data } });
      return;
    }
    if (v.k === 'bcast' && v.t.data.length === 1) {
      const r = v.shape.length + axes.length;
      const shape = [...v.shape];
      for (const a of axes.map((x) => (x < 0 ? x + r : x)).sort((x, y) => x - y)) shape.splice(a, 0, 1);
      this.set(n.output?.[0], this.broadcastTo(v.t, shape));
      return;
    }
    if (v.k === 'state') {
      if (axes.length === 1 && !v.axes.includes('part')) {
        const r = v.axes.length + 1;
        const a = axes[0]! < 0 ? axes[0]! + r : axes[0]!;
        const ax = [...v.axes];
        ax.splice(a, 0, 'part');
        this.set(n.output?.[0], { ...v, axes: ax });
        return;
      }
      this.refuse('unsqueeze of a state is not supported here');
    }
    const d = this.dynOf(n.input?.[0]);
    const r = d.axes.length + axes.length;
    const norm = axes.map((a) => (a < 0 ? a + r : a)).sort((a, b) => a - b);
    const out = [...d.axes];
    for (const a of norm) out.splice(a, 0, { kind: 'feat', size: 1, order: -1 });
    this.set(n.output?.[0], { ...d, axes: out });
  }

  private squeeze(n: OnnxNode): void {
    const v = this.get(n.input?.[0]);
    let axes = this.opset >= 13 && n.input?.[1] ? this.intsOf(n.input[1], 'axes').map(Number) : this.attrInts('axes');
    if (v.k === 'const') {
      const r = v.t.shape.length;
      const ax = (axes ?? v.t.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)).map((a) => (a < 0 ? a + r : a));
      this.set(n.output?.[0], { k: 'const', t: { shape: v.t.shape.filter((_, i) => !ax.includes(i)), data: v.t.data } });
      return;
    }
    if (v.k === 'shape') { this.set(n.output?.[0], { k: 'shape', vals: v.vals, scalar: v.vals.length === 1 }); return; }
    if (v.k === 'bcast' && v.t.data.length === 1) {
      const r = v.shape.length;
      const ax = (axes ?? v.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)).map((a) => (a < 0 ? a + r : a));
      this.set(n.output?.[0], this.broadcastTo(v.t, v.shape.filter((_, i) => !ax.includes(i))));
      return;
    }
    if (v.k === 'state') {
      const r = v.axes.length;
      const ax = (axes ?? [v.axes.indexOf('part')]).map((a) => (a < 0 ? a + r : a));
      if (ax.length !== 1 || v.axes[ax[0]!] !== 'part' || v.parts.length !== 1) this.refuse('squeeze of a state must remove a single-entry layer/direction axis');
      this.set(n.output?.[0], { ...v, axes: v.axes.filter((_, i) => i !== ax[0]) });
      return;
    }
    if (v.k === 'input') {
      if (axes && axes.length === 1) {
        const size = v.dims[axes[0]! < 0 ? axes[0]! + v.dims.length : axes[0]!];
        if (size === 1) { this.set(n.output?.[0], this.sliceStateInput(v, axes[0]!, [0], false)); return; }
      }
    }
    const d = this.dynOf(n.input?.[0]);
    const r = d.axes.length;
    if (!axes) axes = d.axes.map((a, i) => ((a.kind === 'feat' && a.size === 1) || (a.kind === 'outer' && a.size === 1) ? i : -1)).filter((i) => i >= 0);
    const ax = axes.map((a) => (a < 0 ? a + r : a));
    for (const a of ax) {
      const x = d.axes[a];
      if (!x) this.bad(`axis ${a} is out of range`);
      if (x.kind !== 'feat' || x.size !== 1) {
        this.refuse(`squeezing axis ${a} is not supported: only size-1 axes that are not the batch or time axis can be removed`);
      }
    }
    this.set(n.output?.[0], { ...d, axes: d.axes.filter((_, i) => !ax.includes(i)) });
  }

  private concat(n: OnnxNode): void {
    const vs = (n.input ?? []).map((x) => this.get(x));
    const axis = this.attrInt('axis', 0);
    if (vs.every((v) => v.k === 'shape' || (v.k === 'const' && v.t.shape.length <= 1))) {
      const vals: IntVal[] = [];
      for (const v of vs) vals.push(...(v.k === 'shape' ? v.vals : nums((v as ConstV).t.data)));
      if (vals.every((x) => !isSym(x))) this.set(n.output?.[0], { k: 'const', t: { shape: [vals.length], data: Float64Array.from(vals as number[]) } });
      else this.set(n.output?.[0], { k: 'shape', vals, scalar: false });
      return;
    }
    if (vs.every((v) => v.k === 'const')) {
      this.set(n.output?.[0], { k: 'const', t: concatConst(vs.map((v) => (v as ConstV).t), axis, this.where()) });
      return;
    }
    if (vs.every((v) => v.k === 'state')) {
      const ss = vs as StateV[];
      const first = ss[0]!;
      const r = first.axes.length;
      const a = axis < 0 ? axis + r : axis;
      if (ss.some((s) => s.which !== first.which || s.axes.join() !== first.axes.join())) this.refuse('states of different kinds or layouts are concatenated');
      if (first.axes[a] === 'part') {
        this.set(n.output?.[0], { ...first, parts: ss.flatMap((s) => s.parts) });
        return;
      }
      if (first.axes[a] === 'unit' && !first.axes.includes('part') && ss.every((s) => s.parts.length === 1)) {
        // cat((h_n[-2], h_n[-1]), dim=1): the directions side by side, which is the layer's
        // final output when they are all directions of the last layer in order
        const merged: StateV = { ...first, parts: ss.flatMap((s) => s.parts) };
        this.set(n.output?.[0], this.stateToDyn(merged, a));
        return;
      }
      this.refuse('states can only be concatenated along their layer/direction axis, or side by side along their units');
    }
    this.refuse('concatenating runtime tensors is not supported');
  }

  private transposeOp(n: OnnxNode): void {
    const v = this.get(n.input?.[0]);
    const permAttr = this.attrInts('perm');
    // perm must name every axis once: an out-of-range entry would leave a hole in the axes
    const permOf = (rank: number): number[] => {
      const perm = permAttr ?? [...Array(rank).keys()].reverse();
      if (perm.length !== rank || new Set(perm).size !== rank || !perm.every((p) => Number.isInteger(p) && p >= 0 && p < rank)) {
        this.bad(`perm [${perm.join(', ')}] is not a permutation of the ${rank} axes of the input`);
      }
      return perm;
    };
    if (v.k === 'const') {
      this.set(n.output?.[0], { k: 'const', t: transposeConst(v.t, permOf(v.t.shape.length)) });
      return;
    }
    if (v.k === 'state') {
      const perm = permOf(v.axes.length);
      this.set(n.output?.[0], { ...v, axes: perm.map((p) => v.axes[p]!) });
      return;
    }
    const d = this.dynOf(n.input?.[0]);
    const perm = permOf(d.axes.length);
    this.set(n.output?.[0], { ...d, axes: perm.map((p) => d.axes[p]!) });
  }

  private reshape(n: OnnxNode): void {
    const v = this.get(n.input?.[0]);
    const target = this.intsOf(n.input?.[1], 'shape');
    const allowZero = this.attrInt('allowzero', 0) === 1;
    if (v.k === 'shape') {
      this.set(n.output?.[0], { k: 'shape', vals: v.vals, scalar: false });
      return;
    }
    if (v.k === 'const') {
      const shape = resolveReshape(v.t.shape, target.map((x) => (isSym(x) ? -2 : x)), allowZero, this.where());
      this.set(n.output?.[0], { k: 'const', t: { shape, data: v.t.data } });
      return;
    }
    const d = this.dynOf(n.input?.[0]);
    this.set(n.output?.[0], this.reshapeDyn(d, target, allowZero));
  }

  private flatten(n: OnnxNode): void {
    const d = this.dynOf(n.input?.[0]);
    const r = d.axes.length;
    let axis = this.attrInt('axis', 1);
    if (axis < 0) axis += r;
    if (axis !== 1 || d.axes[0]!.kind !== 'outer' || d.axes.slice(1).some((a) => a.kind !== 'feat')) {
      this.refuse('only Flatten(axis=1) of a [batch, features...] tensor is supported');
    }
    const target: IntVal[] = [{ sym: (d.axes[0] as OuterAxis).id }, -1];
    this.set(n.output?.[0], this.reshapeDyn(d, target, false));
  }

  private static matchesOuter(a: OuterAxis, t: IntVal | undefined): boolean {
    if (t === undefined) return false;
    if (isSym(t)) return t.sym === a.id;
    return a.size !== undefined && t === a.size;
  }

  private static mergeOuter(group: OuterAxis[]): OuterAxis {
    const parts = group.flatMap((g) => g.parts ?? [g]);
    const size = parts.every((p) => p.size !== undefined) ? parts.reduce((a, p) => a * p.size!, 1) : undefined;
    return { kind: 'outer', id: parts.map((p) => p.id).join('*'), parts, ...(size !== undefined ? { size } : {}) };
  }

  /**
   * Reshape of the runtime tensor. Batch and time axes stay in place; they may be merged into
   * one axis (out.reshape(-1, H) before a per-step head) and split back. Feature axes may merge
   * or split as long as their values stay in memory order.
   */
  private reshapeDyn(d: DynV, targetIn: IntVal[], allowZero: boolean): DynV {
    const target: IntVal[] = targetIn.map((t, j) => {
      if (t !== 0 || allowZero) return t;
      const a = d.axes[j];
      if (!a) this.bad('shape entry 0 copies a dimension that does not exist');
      return a.kind === 'outer' ? { sym: a.id } : a.size;
    });
    const out: DynAxis[] = [];
    const order = OnnxImporter.featOrder(d.axes);
    const shown = () => `[${targetIn.map((x) => (isSym(x) ? '?' : x)).join(', ')}]`;
    let i = 0, j = 0;
    while (i < d.axes.length) {
      const a = d.axes[i]!;
      if (a.kind === 'outer') {
        const t = target[j];
        if (OnnxImporter.matchesOuter(a, t)) { out.push(a); i++; j++; continue; }
        if (a.parts && a.parts.every((p, k) => OnnxImporter.matchesOuter(p, target[j + k]))) {
          out.push(...a.parts); i++; j += a.parts.length; continue;
        }
        if (t === -1) {
          const group: OuterAxis[] = [a];
          let k = i + 1;
          while (k < d.axes.length && d.axes[k]!.kind === 'outer' && !OnnxImporter.matchesOuter(d.axes[k] as OuterAxis, target[j + 1])) {
            group.push(d.axes[k] as OuterAxis);
            k++;
          }
          out.push(group.length === 1 ? a : OnnxImporter.mergeOuter(group));
          i = k; j++;
          continue;
        }
        this.refuse(`reshape to ${shown()} changes the ${this.roleOf.get(a.id) ?? 'batch or time'} axis; only feature axes can be merged or split (and batch with time)`);
      }
      // a run of consecutive feature axes
      const group: FeatAxis[] = [];
      while (i < d.axes.length && d.axes[i]!.kind === 'feat') group.push(d.axes[i++] as FeatAxis);
      const P = group.reduce((p, g) => p * g.size, 1);
      const atEnd = i >= d.axes.length;
      const sizes: number[] = [];
      let prod = 1, minus = -1;
      while (j < target.length) {
        const tj = target[j]!;
        if (isSym(tj)) break;
        if (tj === -1) {
          if (minus >= 0) this.bad('two -1 entries');
          minus = sizes.length; sizes.push(1); j++; continue;
        }
        if (minus < 0 && prod === P && !(atEnd && tj === 1)) break;
        if (minus < 0 && prod * tj > P) break;
        sizes.push(tj);
        prod *= tj;
        j++;
      }
      if (minus >= 0) {
        if (P % prod !== 0) this.bad(`cannot infer -1: ${P} is not divisible by ${prod}`);
        sizes[minus] = P / prod;
        prod = P;
      }
      if (prod !== P) this.refuse(`reshape to ${shown()} mixes feature values with the batch or time axis`);
      const nonUnitOld = group.filter((g) => g.size !== 1);
      const idx = nonUnitOld.map((g) => order.indexOf(g));
      for (let k = 1; k < idx.length; k++) {
        if (idx[k] !== idx[k - 1]! + 1) this.refuse('reshape merges feature axes that are not in memory order (a transpose reordered them)');
      }
      const fresh = sizes.map((sz): FeatAxis => ({ kind: 'feat', size: sz, order: -1 }));
      out.push(...fresh);
      const freshNonUnit = fresh.filter((f) => f.size !== 1);
      if (nonUnitOld.length === 0) {
        if (freshNonUnit.length > 0) this.refuse('reshape creates feature values out of nothing');
      } else {
        order.splice(order.indexOf(nonUnitOld[0]!), nonUnitOld.length, ...freshNonUnit);
      }
    }
    while (j < target.length) {
      if (target[j] !== 1) this.refuse(`reshape to ${shown()} adds an axis that is not of size 1`);
      out.push({ kind: 'feat', size: 1, order: -1 });
      j++;
    }
    const axes = out.map((a): DynAxis => (a.kind === 'feat' ? { ...a, order: a.size === 1 ? -1 : order.indexOf(a) } : a));
    return { ...d, axes };
  }

  private slice(n: OnnxNode): void {
    const v = this.get(n.input?.[0]);
    let starts: number[], ends: number[], axes: number[] | undefined, steps: number[] | undefined;
    if (this.opset >= 10) {
      starts = this.intsOf(n.input?.[1], 'starts').map(Number);
      ends = this.intsOf(n.input?.[2], 'ends').map(Number);
      axes = n.input?.[3] ? this.intsOf(n.input[3], 'axes').map(Number) : undefined;
      steps = n.input?.[4] ? this.intsOf(n.input[4], 'steps').map(Number) : undefined;
    } else {
      starts = this.attrInts('starts') ?? [];
      ends = this.attrInts('ends') ?? [];
      axes = this.attrInts('axes');
    }
    if (v.k === 'shape' || (v.k === 'const' && v.t.shape.length === 1)) {
      const vals: IntVal[] = v.k === 'shape' ? v.vals : nums(v.t.data);
      if (steps && steps.some((s) => s !== 1)) this.refuse('strided slices of shapes are not supported');
      const N = vals.length;
      const norm = (x: number) => Math.max(0, Math.min(N, x < 0 ? x + N : x));
      const out = vals.slice(norm(starts[0]!), norm(ends[0]!));
      if (v.k === 'const' && out.every((x) => !isSym(x))) this.set(n.output?.[0], { k: 'const', t: { shape: [out.length], data: Float64Array.from(out as number[]) } });
      else this.set(n.output?.[0], { k: 'shape', vals: out, scalar: false });
      return;
    }
    if (v.k === 'const') {
      this.set(n.output?.[0], { k: 'const', t: sliceConst(v.t, starts, ends, axes, steps, this.where()) });
      return;
    }
    if (v.k === 'bcast') {
      // a constant fill of a symbolic shape (PyTorch's zero initial states): slice the shape
      if (v.t.data.length !== 1) this.refuse('slicing a broadcast tensor is not supported');
      const shape = [...v.shape];
      (axes ?? starts.map((_, i) => i)).forEach((axIn, i) => {
        const ax = axIn < 0 ? axIn + shape.length : axIn;
        const D = shape[ax];
        if (D === undefined || isSym(D)) this.refuse('slicing a dynamic axis of a broadcast tensor is not supported');
        const norm = (x: number) => Math.max(0, Math.min(D, x < 0 ? x + D : x));
        shape[ax] = Math.max(0, norm(ends[i]!) - norm(starts[i]!));
      });
      this.set(n.output?.[0], this.broadcastTo(v.t, shape));
      return;
    }
    if (starts.length !== 1) this.refuse('only slices along one axis are supported');
    if (steps && steps[0] !== 1) this.refuse('strided slices are not supported');
    const axis = axes?.[0] ?? 0;
    const s = starts[0]!, e = ends[0]!;
    if (v.k === 'state') { this.set(n.output?.[0], this.selectParts(v, axis, s, e, true)); return; }
    if (v.k === 'input') {
      const r = v.dims.length;
      const a = axis < 0 ? axis + r : axis;
      const size = v.dims[a];
      if (size === undefined || isSym(size)) this.refuse('slicing a dynamic axis of an input is not supported');
      const norm = (x: number) => Math.max(0, Math.min(size, x < 0 ? x + size : x));
      const idx: number[] = [];
      for (let k = norm(s); k < norm(e); k++) idx.push(k);
      this.set(n.output?.[0], this.sliceStateInput(v, a, idx, true));
      return;
    }
    const d = this.dynOf(n.input?.[0]);
    const r = d.axes.length;
    const a = axis < 0 ? axis + r : axis;
    const ax = d.axes[a];
    if (!ax) this.bad(`axis ${axis} is out of range`);
    const big = 2 ** 31;
    if (s === 0 && e >= (ax.kind === 'feat' ? ax.size : (ax.size ?? big))) { this.set(n.output?.[0], d); return; }
    if (ax.kind === 'outer' && this.roleOf.get(ax.id) === 'time' && (s === -1 || (ax.size !== undefined && s === ax.size - 1)) && e >= (ax.size ?? big - 1)) {
      this.set(n.output?.[0], this.selectStep(d, a, -1, true));
      return;
    }
    this.refuse(`slice [${s}:${e}] of axis ${axis} is not supported (only the last time step, or the whole axis)`);
  }

  // ---- arithmetic ----

  private arith(n: OnnxNode, op: 'add' | 'sub' | 'mul' | 'div'): void {
    const a = this.get(n.input?.[0]);
    const b = this.get(n.input?.[1]);
    const isC = (v: Value) => v.k === 'const' || (v.k === 'shape' && v.vals.every((x) => !isSym(x)));
    if (isC(a) && isC(b)) {
      this.set(n.output?.[0], { k: 'const', t: elementwiseConst(this.constOf(n.input?.[0], 'a'), this.constOf(n.input?.[1], 'b'), op, this.where()) });
      return;
    }
    if (a.k === 'shape' || b.k === 'shape') {
      // symbolic shape arithmetic: only the identities the exporters emit
      const s = (a.k === 'shape' ? a : b) as ShapeV;
      const c = a.k === 'shape' ? b : a;
      const cv = c.k === 'const' ? nums(c.t.data) : undefined;
      if (cv && cv.every((x) => x === (op === 'mul' || op === 'div' ? 1 : 0))) { this.set(n.output?.[0], s); return; }
      this.refuse('arithmetic on symbolic sizes is not supported');
    }
    let dynName: string | undefined, cst: Tensor;
    if (isC(b)) { dynName = n.input?.[0]; cst = this.constOf(n.input?.[1], 'operand'); }
    else if (isC(a) && (op === 'add' || op === 'mul')) { dynName = n.input?.[1]; cst = this.constOf(n.input?.[0], 'operand'); }
    else this.refuse(`${op} of two runtime tensors is not supported`);
    const d = this.dynOf(dynName);
    this.requireChainHead(d);
    const F = this.requireFeaturesLast(d, n.opType ?? op);
    // the constant must broadcast along the feature axis only
    const nonUnit = cst.shape.filter((x) => x !== 1);
    if (nonUnit.length > 1 || (nonUnit.length === 1 && (nonUnit[0] !== F || cst.shape[cst.shape.length - 1] !== F))) {
      this.refuse(`the constant of shape [${cst.shape.join(', ')}] does not broadcast along the ${F} features only`);
    }
    if (cst.shape.length > d.axes.length) this.refuse('the constant has more axes than the tensor');
    const vec = new Float32Array(builtSize(F, `the ${op} constant over ${F} features`, this.where()));
    const src = toFloat32(cst.data);
    for (let k = 0; k < F; k++) vec[k] = src.length === 1 ? src[0]! : src[k]!;
    const dense = this.foldableDense(d);
    let Wd: DenseLayer;
    let out: DynV = d;
    if (dense) Wd = dense;
    else {
      const W = new Float32Array(builtSize(F * F, `an identity layer of ${F} x ${F} for ${op}`, this.where()));
      for (let k = 0; k < F; k++) W[k * F + k] = 1;
      out = this.appendDense(d, W, F, undefined, n.name || op);
      Wd = this.lastLayer() as DenseLayer;
    }
    const bias = Wd.b ?? new Float32Array(Wd.units);
    if (op === 'add') for (let k = 0; k < F; k++) bias[k] = bias[k]! + vec[k]!;
    else if (op === 'sub') for (let k = 0; k < F; k++) bias[k] = bias[k]! - vec[k]!;
    else {
      // y = (x·W + b) * s  ==  x·(W * s) + b * s, per output
      const K = Wd.inputSize;
      for (let o = 0; o < Wd.units; o++) {
        for (let i = 0; i < K; i++) Wd.W[o * K + i] = op === 'mul' ? Wd.W[o * K + i]! * vec[o]! : Wd.W[o * K + i]! / vec[o]!;
        bias[o] = op === 'mul' ? bias[o]! * vec[o]! : bias[o]! / vec[o]!;
      }
    }
    if (op === 'add' || op === 'sub' || Wd.b) Wd.b = bias;
    this.set(n.output?.[0], out);
  }

  private matmul(n: OnnxNode): void {
    const a = this.get(n.input?.[0]);
    const bv = this.get(n.input?.[1]);
    if (a.k === 'const' && bv.k === 'const') this.refuse('MatMul of two constants is not folded');
    if (a.k === 'const') this.refuse('MatMul with the runtime tensor on the right is not supported');
    const B = this.constOf(n.input?.[1], 'MatMul weight');
    if (B.shape.length !== 2) this.refuse(`MatMul weight must be 2-d, it is [${B.shape.join(', ')}]`);
    const [K, O] = B.shape as [number, number];
    const d = this.dynOf(n.input?.[0]);
    const F = this.requireFeaturesLast(d, 'MatMul');
    if (F !== K) this.bad(`MatMul weight is [${K}, ${O}] but the input has ${F} features`);
    const W = transpose2d(toFloat32(B.data), K, O); // [O, K]
    this.set(n.output?.[0], this.appendDense(d, W, O, undefined, n.name || 'matmul'));
  }

  private gemm(n: OnnxNode): void {
    this.onlyAttrs('alpha', 'beta', 'transA', 'transB', 'broadcast');
    if (this.attrInt('transA', 0) !== 0) this.refuse('transA=1 is not supported');
    const alpha = this.attrFloat('alpha', 1), beta = this.attrFloat('beta', 1);
    const d = this.dynOf(n.input?.[0]);
    if (d.axes.length !== 2) this.refuse(`Gemm input must be 2-d, it has ${d.axes.length} axes`);
    const Bt = this.constOf(n.input?.[1], 'Gemm weight');
    if (Bt.shape.length !== 2) this.bad('Gemm weight must be 2-d');
    const transB = this.attrInt('transB', 0) === 1;
    const [r0, r1] = Bt.shape as [number, number];
    const K = transB ? r1 : r0, O = transB ? r0 : r1;
    let W = toFloat32(Bt.data);
    W = transB ? Float32Array.from(W) : transpose2d(W, r0, r1); // [O, K]
    if (alpha !== 1) for (let i = 0; i < W.length; i++) W[i] = W[i]! * alpha;
    let bias: Float32Array | undefined;
    if (n.input?.[2]) {
      const C = this.constOf(n.input[2], 'Gemm bias');
      const c = toFloat32(C.data);
      if (c.length !== O && c.length !== 1) this.refuse(`Gemm bias of shape [${C.shape.join(', ')}] is not a per-output vector`);
      bias = new Float32Array(O);
      for (let k = 0; k < O; k++) bias[k] = beta * (c.length === 1 ? c[0]! : c[k]!);
    }
    const F = this.requireFeaturesLast(d, 'Gemm');
    if (F !== K) this.bad(`Gemm weight expects ${K} inputs, the tensor has ${F} features`);
    this.set(n.output?.[0], this.appendDense(d, W, O, bias, n.name || 'gemm'));
  }

  // ---- recurrent ops ----

  private recurrent(n: OnnxNode, kind: CellKind): void {
    const known = ['hidden_size', 'direction', 'activations', 'activation_alpha', 'activation_beta', 'clip', 'layout'];
    if (kind === 'lstm') known.push('input_forget');
    if (kind === 'gru') known.push('linear_before_reset');
    known.push('output_sequence');
    this.onlyAttrs(...known);
    const G = kind === 'lstm' ? 4 : kind === 'gru' ? 3 : 1;
    const inputs = n.input ?? [];
    const direction = this.attrString('direction', 'forward');
    if (!['forward', 'reverse', 'bidirectional'].includes(direction)) this.bad(`direction '${direction}' is not one of forward, reverse, bidirectional`);
    const D = direction === 'bidirectional' ? 2 : 1;
    const layout = this.attrInt('layout', 0);
    if (layout !== 0 && layout !== 1) this.bad(`layout ${layout} is not 0 or 1`);
    const Wt = this.constOf(inputs[1], 'W');
    const Rt = this.constOf(inputs[2], 'R');
    if (Wt.shape.length !== 3 || Rt.shape.length !== 3) this.bad('W and R must be 3-d');
    const H = this.attrInt('hidden_size', Rt.shape[2]!);
    const I = Wt.shape[2]!;
    if (Wt.shape[0] !== D || Wt.shape[1] !== G * H) this.bad(`W has shape [${Wt.shape.join(', ')}], expected [${D}, ${G * H}, I]`);
    if (Rt.shape[0] !== D || Rt.shape[1] !== G * H || Rt.shape[2] !== H) this.bad(`R has shape [${Rt.shape.join(', ')}], expected [${D}, ${G * H}, ${H}]`);
    const Bt = this.optConst(inputs[3], 'B');
    if (Bt && (Bt.data.length !== D * 2 * G * H)) this.bad(`B has ${Bt.data.length} values, expected [${D}, ${2 * G * H}]`);
    const Pt = kind === 'lstm' ? this.optConst(inputs[7], 'P') : undefined;
    if (Pt && Pt.data.length !== D * 3 * H) this.bad(`P has ${Pt.data.length} values, expected [${D}, ${3 * H}]`);

    // X: the chain's runtime tensor, [T, B, I] (layout 0) or [B, T, I] (layout 1)
    const x = this.dynOf(inputs[0]);
    this.requireChainHead(x);
    if (this.collapsed) this.refuse('a recurrent layer after the sequence was reduced to one step is not supported');
    if (x.axes.length !== 3) this.refuse(`X must be 3-d, it has ${x.axes.length} axes`);
    const F = this.requireFeaturesLast(x, 'X');
    if (F !== I) this.bad(`W expects ${I} inputs, X has ${F} features`);
    const tAx = x.axes[layout === 0 ? 0 : 1]!, bAx = x.axes[layout === 0 ? 1 : 0]!;
    if (tAx.kind !== 'outer' || bAx.kind !== 'outer' || tAx.parts || bAx.parts) this.refuse('X must have separate time and batch axes before the features');
    this.bindRole(tAx.id, 'time');
    this.bindRole(bAx.id, 'batch');

    // activations
    const nAct = kind === 'lstm' ? 3 : kind === 'gru' ? 2 : 1;
    const defaults = kind === 'lstm' ? ['Sigmoid', 'Tanh', 'Tanh'] : kind === 'gru' ? ['Sigmoid', 'Tanh'] : ['Tanh'];
    const names = this.attrStrings('activations') ?? [...defaults, ...(D === 2 ? defaults : [])];
    if (names.length !== nAct * D) this.bad(`activations has ${names.length} entries, expected ${nAct * D}`);
    const alphas = [...(this.attrFloats('activation_alpha') ?? [])];
    const betas = [...(this.attrFloats('activation_beta') ?? [])];
    const acts: Activation[][] = [];
    for (let d = 0; d < D; d++) {
      const row: Activation[] = [];
      for (let k = 0; k < nAct; k++) {
        const nm = names[d * nAct + k]!;
        const spec = ACT_NAMES[nm.toLowerCase()];
        if (!spec) this.refuse(`activation '${nm}' is not supported`);
        const act: Activation = { name: spec.name };
        if (spec.params >= 1) act.alpha = alphas.length ? alphas.shift()! : spec.da!;
        if (spec.params >= 2) act.beta = betas.length ? betas.shift()! : spec.db!;
        row.push(act);
      }
      acts.push(row);
    }
    const clipAttr = attrOf(n, 'clip');
    const clip = clipAttr ? clipAttr.f : undefined;
    if (clip !== undefined && !(clip > 0)) this.bad(`clip must be positive, it is ${clip}`);

    // weights per direction, canonical gate order
    const order = kind === 'lstm' ? LSTM_ORDER : [...Array(G).keys()];
    const Wf = toFloat32(Wt.data), Rf = toFloat32(Rt.data);
    const Bf = Bt ? toFloat32(Bt.data) : undefined;
    const Pf = Pt ? toFloat32(Pt.data) : undefined;
    const layerIndex = this.layers.length;
    const weights: RecurrentWeights[] = [];
    for (let d = 0; d < D; d++) {
      const w: RecurrentWeights = {
        W: reorderGates(Wf.slice(d * G * H * I, (d + 1) * G * H * I), G, order),
        R: reorderGates(Rf.slice(d * G * H * H, (d + 1) * G * H * H), G, order),
      };
      if (Bf) {
        const o = d * 2 * G * H;
        w.bW = reorderGates(Bf.slice(o, o + G * H), G, order);
        w.bR = reorderGates(Bf.slice(o + G * H, o + 2 * G * H), G, order);
      }
      if (Pf) w.peephole = reorderGates(Pf.slice(d * 3 * H, (d + 1) * 3 * H), 3, PEEP_ORDER);
      weights.push(w);
    }

    // sequence_lens
    const lens = this.get(inputs[4]);
    if (lens.k === 'input') {
      this.inputRoles.set(lens.name, { name: lens.name, role: 'sequence_lens' });
      this.values.set(lens.name, { k: 'none' });
    } else if (lens.k === 'const') {
      const T = tAx.size;
      const vals = nums(lens.t.data);
      if (T === undefined || vals.some((v) => v !== T)) this.refuse('constant sequence_lens shorter than the sequence are not supported; pass them as a graph input');
    } else if (lens.k !== 'none') {
      this.refuse('sequence_lens must be a graph input or a constant');
    }

    // initial states
    const stateAxes: StateAxis[] = layout === 0 ? ['part', 'batch', 'unit'] : ['batch', 'part', 'unit'];
    const initial = (idx: number, which: 'h' | 'c') => {
      const v = this.get(inputs[idx]);
      if (v.k === 'none') return;
      const role = which === 'h' ? 'initial_h' : 'initial_c';
      if (v.k === 'input' || v.k === 'stateIn') {
        const name = v.name;
        const partAxis = stateAxes.indexOf('part');
        const parts = v.k === 'input' ? [...Array(D).keys()] : v.parts;
        if (v.k === 'stateIn' && (v.axis !== partAxis || v.rank !== 3)) this.refuse(`initial state '${name}' is sliced along an axis that is not its layer/direction axis`);
        if (parts.length !== D) this.bad(`initial state '${name}' provides ${parts.length} states for ${D} directions`);
        const existing = this.inputRoles.get(name) as StateBinding | undefined;
        const binding: StateBinding = existing ?? { name, role, parts: [], axes: stateAxes as Axis[] };
        if (existing && (existing.role !== role || existing.axes.join() !== stateAxes.join())) this.refuse(`state input '${name}' is used in two ways`);
        parts.forEach((p, dIdx) => {
          while (binding.parts.length <= p) binding.parts.push({ layer: -1, direction: 0 });
          binding.parts[p] = { layer: layerIndex, direction: dIdx };
        });
        this.inputRoles.set(name, binding);
        return;
      }
      let t: Tensor;
      if (v.k === 'const') t = v.t;
      else if (v.k === 'bcast') t = v.t;
      else this.refuse(`initial ${which} must be a graph input or a constant`);
      const vals = toFloat32(t.data);
      if (vals.every((x) => x === 0)) return;
      // a learned initial state: the same vector for every batch entry
      const shape = [...Array(3 - t.shape.length).fill(1), ...t.shape];
      const pa = stateAxes.indexOf('part'), ba = stateAxes.indexOf('batch');
      if (shape.length !== 3 || shape[2] !== H || (shape[pa] !== D && shape[pa] !== 1)) this.bad(`initial ${which} of shape [${t.shape.join(', ')}] does not match [${D}, batch, ${H}]`);
      const full = transposeConst({ shape, data: vals }, [pa, ba, 2]);
      const [P, Bn] = full.shape as [number, number, number];
      const f = toFloat32(full.data);
      for (let d = 0; d < D; d++) {
        const base = (P === 1 ? 0 : d) * Bn * H;
        for (let b = 1; b < Bn; b++) {
          for (let k = 0; k < H; k++) {
            if (f[base + b * H + k] !== f[base + k]) this.refuse(`initial ${which} differs between batch entries; pass it as a graph input instead`);
          }
        }
        weights[d]![which === 'h' ? 'h0' : 'c0'] = f.slice(base, base + H);
      }
    };
    initial(5, 'h');
    if (kind === 'lstm') initial(6, 'c');

    const layer: RecurrentLayer = {
      kind, name: n.name || `${kind}${layerIndex}`, inputSize: I, hiddenSize: H,
      direction: direction as RecurrentLayer['direction'], output: 'sequence',
      activations: acts, weights,
      ...(kind === 'gru' ? { resetAfter: this.attrInt('linear_before_reset', 0) === 1 } : {}),
      ...(clip !== undefined ? { clip } : {}),
      ...(kind === 'lstm' && this.attrInt('input_forget', 0) === 1 ? { inputForget: true } : {}),
    };
    const pos = this.appendLayer(layer);
    const outs = n.output ?? [];
    const yAxes: DynAxis[] = layout === 0
      ? [tAx, { kind: 'feat', size: D, order: 0 }, bAx, { kind: 'feat', size: H, order: 1 }]
      : [bAx, tAx, { kind: 'feat', size: D, order: 0 }, { kind: 'feat', size: H, order: 1 }];
    this.set(outs[0], { k: 'dyn', pos, axes: OnnxImporter.renumber(yAxes) });
    const parts = [...Array(D).keys()].map((d) => ({ layer: layerIndex, direction: d }));
    this.set(outs[1], { k: 'state', which: 'h', parts, axes: stateAxes, units: H, batchId: (bAx as OuterAxis).id });
    if (kind === 'lstm') this.set(outs[2], { k: 'state', which: 'c', parts, axes: stateAxes, units: H, batchId: (bAx as OuterAxis).id });
  }
}

// ---------------------------------------------------------------------------------------------
// Constant folding on plain tensors

function stridesOf(shape: number[]): number[] {
  const s = new Array<number>(shape.length);
  let a = 1;
  for (let k = shape.length - 1; k >= 0; k--) { s[k] = a; a *= shape[k]!; }
  return s;
}

function newLike(t: Tensor, n: number): Float32Array | Float64Array {
  return t.data instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
}

export function broadcastConst(t: Tensor, shape: number[], where: string): Tensor {
  const r = shape.length;
  const src = [...Array(Math.max(0, r - t.shape.length)).fill(1), ...t.shape];
  if (src.length !== r || src.some((d, i) => d !== 1 && d !== shape[i])) {
    throw new ModelFormatError(`${where}: cannot broadcast [${t.shape.join(', ')}] to [${shape.join(', ')}]`, { where });
  }
  const n = shape.reduce((a, b) => a * b, 1);
  if (n > 1 << 26) throw new ModelFormatError(`${where}: broadcast to ${n} values is too large`, { where });
  const out = newLike(t, n);
  const ss = stridesOf(src), os = stridesOf(shape);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let k = 0; k < r; k++) {
      const idx = Math.floor(i / os[k]!) % shape[k]!;
      if (src[k] !== 1) off += idx * ss[k]!;
    }
    out[i] = Number(t.data[off]);
  }
  return { shape, data: out };
}

function gatherConst(t: Tensor, axisIn: number, idx: Tensor, where: string): Tensor {
  const r = t.shape.length;
  const axis = axisIn < 0 ? axisIn + r : axisIn;
  const D = t.shape[axis]!;
  const ids = nums(idx.data).map((i) => (i < 0 ? i + D : i));
  if (ids.some((i) => i < 0 || i >= D)) throw new ModelFormatError(`${where}: gather index out of range`, { where });
  const outer = t.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out = newLike(t, builtSize(outer * ids.length * inner, 'the gathered constant', where));
  let o = 0;
  for (let a = 0; a < outer; a++) for (const i of ids) for (let k = 0; k < inner; k++) out[o++] = Number(t.data[(a * D + i) * inner + k]);
  return { shape: [...t.shape.slice(0, axis), ...idx.shape, ...t.shape.slice(axis + 1)], data: out };
}

function concatConst(ts: Tensor[], axisIn: number, where: string): Tensor {
  const r = ts[0]!.shape.length;
  const axis = axisIn < 0 ? axisIn + r : axisIn;
  for (const t of ts) {
    if (t.shape.length !== r || t.shape.some((d, i) => i !== axis && d !== ts[0]!.shape[i])) throw new ModelFormatError(`${where}: concat of mismatched shapes`, { where });
  }
  const outer = ts[0]!.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = ts[0]!.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const total = ts.reduce((a, t) => a + t.shape[axis]!, 0);
  const out = newLike(ts[0]!, outer * total * inner);
  let o = 0;
  for (let a = 0; a < outer; a++) {
    for (const t of ts) {
      const n = t.shape[axis]! * inner;
      for (let k = 0; k < n; k++) out[o++] = Number(t.data[a * n + k]);
    }
  }
  const shape = [...ts[0]!.shape];
  shape[axis] = total;
  return { shape, data: out };
}

function transposeConst(t: Tensor, perm: number[]): Tensor {
  const shape = perm.map((p) => t.shape[p]!);
  const n = t.data.length;
  const out = newLike(t, n);
  const is = stridesOf(t.shape), os = stridesOf(shape);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let k = 0; k < shape.length; k++) off += (Math.floor(i / os[k]!) % shape[k]!) * is[perm[k]!]!;
    out[i] = Number(t.data[off]);
  }
  return { shape, data: out };
}

function sliceConst(t: Tensor, starts: number[], ends: number[], axesIn: number[] | undefined, steps: number[] | undefined, where: string): Tensor {
  const r = t.shape.length;
  const axes = (axesIn ?? starts.map((_, i) => i)).map((a) => (a < 0 ? a + r : a));
  const lo = t.shape.map(() => 0), hi = [...t.shape], st = t.shape.map(() => 1);
  axes.forEach((a, i) => {
    const D = t.shape[a]!;
    const step = steps?.[i] ?? 1;
    if (step !== 1) throw new UnsupportedModelError(`${where}: strided slices are not folded`, { where });
    const norm = (x: number) => Math.max(0, Math.min(D, x < 0 ? x + D : x));
    lo[a] = norm(starts[i]!);
    hi[a] = Math.max(lo[a]!, norm(ends[i]!));
    st[a] = step;
  });
  const shape = t.shape.map((_, k) => hi[k]! - lo[k]!);
  const n = shape.reduce((a, b) => a * b, 1);
  const out = newLike(t, n);
  const is = stridesOf(t.shape), os = stridesOf(shape);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let k = 0; k < r; k++) off += (lo[k]! + (Math.floor(i / os[k]!) % shape[k]!)) * is[k]!;
    out[i] = Number(t.data[off]);
  }
  return { shape, data: out };
}

function resolveReshape(inShape: number[], target: number[], allowZero: boolean, where: string): number[] {
  const total = inShape.reduce((a, b) => a * b, 1);
  const out = target.map((d, i) => (d === 0 && !allowZero ? inShape[i]! : d));
  if (out.some((d) => d === -2)) throw new UnsupportedModelError(`${where}: reshape of a constant to a symbolic shape is not supported`, { where });
  const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const m = out.indexOf(-1);
  if (m >= 0) out[m] = total / known;
  if (out.reduce((a, b) => a * b, 1) !== total || out.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ModelFormatError(`${where}: cannot reshape [${inShape.join(', ')}] to [${target.join(', ')}]`, { where });
  }
  return out;
}

function elementwiseConst(a: Tensor, b: Tensor, op: 'add' | 'sub' | 'mul' | 'div', where: string): Tensor {
  const r = Math.max(a.shape.length, b.shape.length);
  const pa = [...Array(r - a.shape.length).fill(1), ...a.shape];
  const pb = [...Array(r - b.shape.length).fill(1), ...b.shape];
  const shape = pa.map((x, i) => {
    const y = pb[i]!;
    if (x !== y && x !== 1 && y !== 1) throw new ModelFormatError(`${where}: shapes [${a.shape}] and [${b.shape}] do not broadcast`, { where });
    return Math.max(x, y);
  });
  const A = broadcastConst(a, shape, where), B = broadcastConst(b, shape, where);
  const isInt = !(a.data instanceof Float32Array) && !(b.data instanceof Float32Array);
  const out = isInt ? new Float64Array(A.data.length) : new Float32Array(A.data.length);
  for (let i = 0; i < out.length; i++) {
    const x = Number(A.data[i]), y = Number(B.data[i]);
    const v = op === 'add' ? x + y : op === 'sub' ? x - y : op === 'mul' ? x * y : isInt ? Math.trunc(x / y) : x / y;
    out[i] = v;
  }
  return { shape, data: out };
}

export function importOnnx(bytes: Uint8Array, options: OnnxImportOptions = {}): ModelIR {
  return new OnnxImporter(bytes, options).run();
}

// keep symEq referenced for future symbolic checks
void symEq;

/** A binary min-heap of node indices (topoSort's ready list). */
class MinHeap {
  private readonly a: number[] = [];
  get size(): number { return this.a.length; }
  push(v: number): void {
    const a = this.a;
    let i = a.push(v) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= v) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = v;
  }
  pop(): number {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i, mv = last;
        if (l < a.length && a[l]! < mv) { m = l; mv = a[l]!; }
        if (r < a.length && a[r]! < mv) { m = r; mv = a[r]!; }
        if (m === i) break;
        a[i] = a[m]!;
        i = m;
      }
      a[i] = last;
    }
    return top;
  }
}
