// Keras importer: lowers a KerasDocument (a Keras 1/2/3 or TF.js Layers model config with its
// weights, whatever container they came in) onto the model description (ir.ts).
//
// What it takes: Sequential models and Functional models whose layers form a single chain, made
// of InputLayer, LSTM / GRU / SimpleRNN (and RNN over one of their cells), CuDNNLSTM / CuDNNGRU,
// Bidirectional (merge concat, sum, ave), Dense, TimeDistributed(Dense), Activation and the
// activation layers (ReLU, LeakyReLU, ELU, ThresholdedReLU, Softmax), layers that are the
// identity at inference (Dropout and its kin, GaussianNoise, ActivityRegularization),
// BatchNormalization over the features (a diagonal Dense layer), Reshape and
// Flatten of the output vector, Embedding (integer ids, as a Dense layer on one-hot vectors the
// input binding expands) and Masking / Embedding(mask_zero) in sequence-to-vector models (the
// input binding drops masked steps and passes sequence lengths).
// Everything else is refused with the layer's name, class and the reason. Numbers follow the
// saving Keras version (activations.ts), and every weight array is checked against the config.

import type { KerasDocument, NamedArray } from './document.js';
import type { ModelIR, Layer, RecurrentLayer, Activation, CellKind } from '../ir.js';
import type { Axis, GraphBinding, OutputBinding, SequenceInputBinding } from '../../format/metadata.js';
import { ModelFormatError, UnsupportedModelError } from '../../errors.js';
import { builtSize } from '../limits.js';
import { dialectOf, kerasActivation, recurrentActivationOf, type Dialect } from './activations.js';
import { recurrentWeights, denseLayer, checked, type RecurrentClass } from './layers.js';

export interface KerasImportOptions {
  name?: string;
}

type Cfg = Record<string, unknown>;

interface LayerSpec {
  className: string;
  name: string;
  config: Cfg;
}

const isObj = (v: unknown): v is Cfg => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Layers that compute nothing at inference. */
const IDENTITY = new Set([
  'Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'SpatialDropout3D', 'GaussianNoise', 'GaussianDropout',
  'AlphaDropout', 'ActivityRegularization',
]);

const RECURRENT: Record<string, RecurrentClass> = {
  LSTM: 'LSTM', GRU: 'GRU', SimpleRNN: 'SimpleRNN', CuDNNLSTM: 'CuDNNLSTM', CuDNNGRU: 'CuDNNGRU',
};
const CELLS: Record<string, RecurrentClass> = { LSTMCell: 'LSTM', GRUCell: 'GRU', SimpleRNNCell: 'SimpleRNN' };
const KIND: Record<RecurrentClass, CellKind> = { LSTM: 'lstm', GRU: 'gru', SimpleRNN: 'rnn', CuDNNLSTM: 'lstm', CuDNNGRU: 'gru' };
const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

// ---------------------------------------------------------------------------------------------
// The model config as a chain of layers

interface Chain {
  name: string | undefined;
  layers: LayerSpec[];
  /** The Keras input shape without the batch axis, when the config records it. */
  inputShape: (number | null)[] | undefined;
  inputName: string | undefined;
  outputName: string | undefined;
}

function layerSpec(raw: unknown, index: number): LayerSpec {
  if (!isObj(raw) || typeof raw.class_name !== 'string') {
    throw new ModelFormatError(`layer #${index} of the model config has no class_name`, { where: `layers[${index}]` });
  }
  const config = isObj(raw.config) ? raw.config : {};
  const name = typeof raw.name === 'string' ? raw.name : typeof config.name === 'string' ? config.name : `${raw.class_name.toLowerCase()}_${index}`;
  return { className: raw.class_name, name, config };
}

/** [batch, ...] shapes recorded on a layer config or an InputLayer: the shape without batch. */
function declaredShape(spec: LayerSpec): (number | null)[] | undefined {
  const cfg = spec.config;
  const dims = (v: unknown): (number | null)[] | undefined =>
    Array.isArray(v) && v.every((d) => d === null || isNum(d)) ? (v as (number | null)[]) : undefined;
  const b = dims(cfg.batch_input_shape) ?? dims(cfg.batch_shape);
  if (b) return b.slice(1);
  const s = dims(cfg.input_shape);
  if (s) return s;
  // Keras 1: input_dim, and input_length for recurrent layers; an Embedding's input_dim is its vocabulary
  const length = isNum(cfg.input_length) ? cfg.input_length : null;
  if (spec.className === 'Embedding') return 'input_length' in cfg ? [length] : undefined;
  if (isNum(cfg.input_dim)) return spec.className in RECURRENT ? [length, cfg.input_dim] : [cfg.input_dim];
  return undefined;
}

function hasKeras3Markers(config: unknown): boolean {
  return isObj(config) && ('module' in config || 'registered_name' in config || 'build_config' in config);
}

/** An inbound node's input tensors as [layer, node, tensor] (Keras 2 / TF.js lists, Keras 3 args). */
function inboundTensors(node: unknown, where: string): { layer: string; node: number; tensor: number; extra: boolean }[] {
  const out: { layer: string; node: number; tensor: number; extra: boolean }[] = [];
  const history = (t: unknown): [string, number, number] | undefined => {
    if (isObj(t) && t.class_name === '__keras_tensor__' && isObj(t.config) && Array.isArray(t.config.keras_history)) {
      const h = t.config.keras_history;
      return [String(h[0]), Number(h[1] ?? 0), Number(h[2] ?? 0)];
    }
    return undefined;
  };
  const walk = (v: unknown, extra: boolean): void => {
    const h = history(v);
    if (h) { out.push({ layer: h[0], node: h[1], tensor: h[2], extra }); return; }
    if (Array.isArray(v)) v.forEach((x) => walk(x, extra));
    else if (isObj(v)) Object.values(v).forEach((x) => walk(x, extra));
  };
  if (Array.isArray(node)) {
    // Keras 2 / TF.js: [[layer, node, tensor, kwargs], ...]
    for (const e of node) {
      if (!Array.isArray(e) || typeof e[0] !== 'string') throw new ModelFormatError(`${where}: malformed inbound node ${JSON.stringify(e)}`, { where });
      out.push({ layer: e[0], node: Number(e[1] ?? 0), tensor: Number(e[2] ?? 0), extra: false });
      if (isObj(e[3])) walk(e[3], true);
    }
  } else if (isObj(node)) {
    walk(node.args, false);
    const kwargs = isObj(node.kwargs) ? node.kwargs : {};
    for (const [key, v] of Object.entries(kwargs)) {
      // the mask Keras 3 records with a call is the input's own mask (Masking, Embedding mask_zero)
      if (key === 'mask' && out.length === 1) {
        const before = out.length;
        walk(v, true);
        if (out.slice(before).every((t) => t.layer === out[0]!.layer)) out.length = before;
        continue;
      }
      walk(v, true);
    }
  } else {
    throw new ModelFormatError(`${where}: malformed inbound node`, { where });
  }
  return out;
}

function endpoints(v: unknown, what: string): [string, number, number][] {
  if (!Array.isArray(v)) throw new ModelFormatError(`the functional model config has no ${what}`, { where: what });
  // Keras 3 writes a single endpoint as a flat triple
  const list = typeof v[0] === 'string' ? [v] : v;
  return list.map((e) => {
    if (!Array.isArray(e) || typeof e[0] !== 'string') throw new ModelFormatError(`malformed ${what} entry ${JSON.stringify(e)}`, { where: what });
    return [e[0], Number(e[1] ?? 0), Number(e[2] ?? 0)];
  });
}

function functionalChain(cfg: Cfg): Chain {
  const raw = Array.isArray(cfg.layers) ? cfg.layers : [];
  const specs = raw.map(layerSpec);
  const byName = new Map(specs.map((s) => [s.name, s]));
  const inputs = endpoints(cfg.input_layers, 'input_layers');
  const outputs = endpoints(cfg.output_layers, 'output_layers');
  if (inputs.length !== 1) throw new UnsupportedModelError(`the model has ${inputs.length} inputs; edgernn runs models with one sequence input`, { where: 'input_layers' });
  if (outputs.length !== 1) {
    throw new UnsupportedModelError(`the model has ${outputs.length} outputs (${outputs.map((o) => o[0]).join(', ')}); edgernn runs models with one output`, { where: 'output_layers' });
  }
  const source = new Map<string, string>(); // layer -> the layer it reads
  const consumers = new Map<string, string[]>();
  raw.forEach((r, i) => {
    const s = specs[i]!;
    const nodes = isObj(r) && Array.isArray(r.inbound_nodes) ? r.inbound_nodes : [];
    const where = `layer '${s.name}' (${s.className})`;
    if (s.className === 'InputLayer') return;
    if (nodes.length === 0) return; // not connected: refused below unless it is the input
    if (nodes.length > 1) throw new UnsupportedModelError(`${where} is called ${nodes.length} times (a shared layer); edgernn runs a single chain of layers`, { where: s.name });
    const ts = inboundTensors(nodes[0], where);
    const extra = ts.filter((t) => t.extra);
    if (extra.length > 0) throw new UnsupportedModelError(`${where} takes extra tensor arguments (initial_state, constants or a mask from '${extra[0]!.layer}'); edgernn runs a single chain of layers`, { where: s.name });
    if (ts.length !== 1) throw new UnsupportedModelError(`${where} merges ${ts.length} tensors (${ts.map((t) => t.layer).join(', ')}); edgernn runs a single chain of layers, not a branching graph`, { where: s.name });
    const t = ts[0]!;
    if (!byName.has(t.layer)) throw new ModelFormatError(`${where} reads layer '${t.layer}', which the config does not define`, { where: s.name });
    if (t.tensor !== 0 || t.node !== 0) throw new UnsupportedModelError(`${where} reads output ${t.tensor} of node ${t.node} of '${t.layer}' (a state or a second call); edgernn runs a single chain of layers`, { where: s.name });
    source.set(s.name, t.layer);
    consumers.set(t.layer, [...(consumers.get(t.layer) ?? []), s.name]);
  });
  const [inName] = inputs[0]!;
  const [outName, , outTensor] = outputs[0]!;
  if (outTensor !== 0) throw new UnsupportedModelError(`the model's output is tensor ${outTensor} of '${outName}' (a state); edgernn models output the layer's main output`, { where: 'output_layers' });
  const order: LayerSpec[] = [];
  let cur = inName;
  const seen = new Set<string>();
  for (;;) {
    const s = byName.get(cur);
    if (!s) throw new ModelFormatError(`the config names layer '${cur}', which it does not define`, { where: cur });
    if (seen.has(cur)) throw new ModelFormatError(`the layer graph has a cycle at '${cur}'`, { where: cur });
    seen.add(cur);
    order.push(s);
    if (cur === outName) break;
    const next = consumers.get(cur) ?? [];
    if (next.length === 0) throw new UnsupportedModelError(`layer '${cur}' (${s.className}) feeds nothing, but the model's output is '${outName}'`, { where: cur });
    if (next.length > 1) {
      throw new UnsupportedModelError(`layer '${cur}' (${s.className}) feeds ${next.length} layers (${next.join(', ')}): the model branches; edgernn runs a single chain of layers`, { where: cur });
    }
    cur = next[0]!;
  }
  const unused = specs.filter((s) => !seen.has(s.name));
  if (unused.length > 0) {
    const s = unused[0]!;
    throw new UnsupportedModelError(`layer '${s.name}' (${s.className}) is not on the chain from '${inName}' to '${outName}': the model branches; edgernn runs a single chain of layers`, { where: s.name });
  }
  const first = order[0]!;
  return {
    name: typeof cfg.name === 'string' ? cfg.name : undefined,
    layers: order,
    inputShape: first.className === 'InputLayer' ? declaredShape(first) : undefined,
    inputName: inName,
    outputName: outName,
  };
}

function modelChain(config: unknown): Chain {
  if (Array.isArray(config)) {
    const layers = config.map(layerSpec);
    return { name: undefined, layers, inputShape: layers[0] ? declaredShape(layers[0]) : undefined, inputName: undefined, outputName: undefined };
  }
  if (!isObj(config) || typeof config.class_name !== 'string') {
    throw new ModelFormatError('the model config has no class_name (expected Sequential, Functional or Model)', { where: 'config' });
  }
  const cls = config.class_name;
  const cfg = config.config;
  if (cls === 'Sequential') {
    const list = Array.isArray(cfg) ? cfg : isObj(cfg) && Array.isArray(cfg.layers) ? cfg.layers : undefined;
    if (!list) throw new ModelFormatError('the Sequential config has no layer list', { where: 'config.layers' });
    const layers = list.map(layerSpec);
    const first = layers[0];
    let inputShape = first ? declaredShape(first) : undefined;
    if (!inputShape && isObj(cfg) && Array.isArray(cfg.build_input_shape)) inputShape = (cfg.build_input_shape as (number | null)[]).slice(1);
    if (!inputShape && isObj(config.build_config) && Array.isArray(config.build_config.input_shape)) inputShape = (config.build_config.input_shape as (number | null)[]).slice(1);
    const name = isObj(cfg) && typeof cfg.name === 'string' ? cfg.name : undefined;
    return { name, layers, inputShape, inputName: first?.className === 'InputLayer' ? first.name : undefined, outputName: undefined };
  }
  if (cls === 'Functional' || cls === 'Model') {
    if (!isObj(cfg)) throw new ModelFormatError(`the ${cls} config has no layers`, { where: 'config' });
    return functionalChain(cfg);
  }
  throw new UnsupportedModelError(`the model class '${cls}' is not supported (expected Sequential, Functional or Model)`, { where: 'config.class_name' });
}

// ---------------------------------------------------------------------------------------------
// The importer

/** What flows between layers: the Keras tensor's shape per sample, and whether a mask goes with it. */
interface Flow {
  /** Whether the tensor has a time axis (before the feature axes). */
  time: boolean;
  /** Time steps when the config fixes them. */
  steps: number | null;
  /** The Keras shape after the batch (and time) axes; product = features per step. Empty when unknown. */
  factors: number[];
  /** A Keras mask goes with the tensor (Masking, Embedding mask_zero) and a recurrent layer has yet to use it. */
  masked: boolean;
}

class KerasImporter {
  private readonly layers: Layer[] = [];
  private readonly dialect: Dialect;
  private readonly chain: Chain;
  private flow: Flow = { time: true, steps: null, factors: [], masked: false };
  private inputSize: number | undefined;
  private oneHot: number | undefined;
  private mask: { value: number } | undefined;
  private maskUsed = false;
  private timeMajor: boolean | undefined;
  private statefulLayers: string[] = [];
  private statelessLayers: string[] = [];
  private spec: LayerSpec = { className: '', name: '', config: {} };
  private index = 0;

  constructor(private readonly doc: KerasDocument, private readonly options: KerasImportOptions) {
    this.chain = modelChain(doc.config);
    const cfg = doc.config;
    const topVersion = isObj(cfg) && typeof cfg.keras_version === 'string' ? cfg.keras_version : undefined;
    const markers = hasKeras3Markers(cfg);
    this.dialect = dialectOf(doc.kerasVersion ?? topVersion, doc.format, markers);
  }

  // ---- messages ----

  private where(spec: LayerSpec = this.spec): string {
    return `layer '${spec.name}' (${spec.className})`;
  }

  private refuse(reason: string, spec: LayerSpec = this.spec): never {
    throw new UnsupportedModelError(`${this.where(spec)} is not supported: ${reason}`, { where: spec.name });
  }

  private bad(reason: string, spec: LayerSpec = this.spec): never {
    throw new ModelFormatError(`${this.where(spec)}: ${reason}`, { where: spec.name });
  }

  // ---- config access ----

  private bool(cfg: Cfg, key: string, dflt: boolean): boolean {
    const v = cfg[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'boolean') this.bad(`${key} must be true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  private int(cfg: Cfg, keys: string[], what: string): number {
    for (const k of keys) {
      const v = cfg[k];
      if (v === undefined || v === null) continue;
      if (!Number.isInteger(v) || (v as number) <= 0) this.bad(`${k} must be a positive integer, got ${JSON.stringify(v)}`);
      return v as number;
    }
    this.bad(`the config has no ${what} (${keys.join(' / ')})`);
  }

  private weights(spec: LayerSpec = this.spec): NamedArray[] {
    return this.doc.weights.get(spec.name) ?? [];
  }

  // ---- width bookkeeping ----

  private get width(): number | undefined {
    return this.flow.factors.length ? this.flow.factors.reduce((a, b) => a * b, 1) : undefined;
  }

  /** The features per step a layer receives: from the flow, or (at the first weighted layer) its kernel. */
  private inWidth(kernel: NamedArray | undefined, what: string): number {
    const w = this.width;
    if (w !== undefined) return w;
    const k = kernel?.shape[0];
    if (!Number.isInteger(k) || (k as number) <= 0) this.bad(`the input feature size is not in the config and the ${what} does not give it`);
    this.flow.factors = [k as number];
    if (this.inputSize === undefined) this.inputSize = k as number;
    return k as number;
  }

  /** Layers that act on the last axis need it to hold all features of a step (no Reshape to [.., a, b] before). */
  private needFlat(): void {
    if (this.flow.factors.slice(0, -1).some((f) => f !== 1)) {
      this.refuse(`it acts on the last axis of a [${this.flow.factors.join(', ')}] tensor (after a Reshape); edgernn layers act on all features of a step`);
    }
  }

  /** The factors after a layer that maps the last axis to n values (leading unit axes stay). */
  private lastAxis(n: number): number[] {
    return [...this.flow.factors.slice(0, -1), n];
  }

  private needSequence(): void {
    if (this.flow.time) return;
    if (this.flow.factors.length > 1) {
      this.refuse(`it reads a [${this.flow.factors.join(', ')}] tensor reshaped from one vector per sequence; edgernn's recurrent layers read the model's input sequence, not one made inside the model`);
    }
    this.bad('it needs a sequence [batch, time, features], but the previous layer returns one vector per sequence');
  }

  // ---- the walk ----

  run(): ModelIR {
    const chain = this.chain;
    if (chain.layers.length === 0) throw new UnsupportedModelError('the model has no layers', { where: 'layers' });
    const shape = chain.inputShape;
    const firstReal = chain.layers.find((l) => l.className !== 'InputLayer');
    if (firstReal?.className === 'Embedding') {
      // integer ids [batch, time]: the Embedding layer sets the flow
      if (shape && shape.length !== 1) this.bad(`the input has shape [batch, ${shape.join(', ')}]; an Embedding front end takes ids [batch, time]`, firstReal);
      this.flow = { time: true, steps: shape?.[0] ?? null, factors: [], masked: false };
    } else if (shape) {
      if (shape.length === 2) {
        this.flow = { time: true, steps: shape[0] ?? null, factors: isNum(shape[1]) ? [shape[1]] : [], masked: false };
      } else if (shape.length === 1) {
        this.flow = { time: false, steps: null, factors: isNum(shape[0]) ? [shape[0]] : [], masked: false };
      } else {
        throw new UnsupportedModelError(`the model input has shape [batch, ${shape.map((d) => d ?? 'None').join(', ')}]; edgernn runs inputs [batch, time, features] or [batch, features]`, { where: 'input' });
      }
      if (this.flow.factors.length) this.inputSize = this.flow.factors[0]!;
    } else {
      // no recorded input shape: a sequence when the model has a recurrent layer
      const recurrent = chain.layers.some((l) => this.recurrentClass(l) !== undefined || l.className === 'Bidirectional');
      this.flow = { time: recurrent, steps: null, factors: [], masked: false };
    }
    const inputTime = this.flow.time;
    chain.layers.forEach((spec, i) => {
      this.spec = spec;
      this.index = i;
      this.layer(spec);
    });
    this.spec = { className: 'model', name: chain.name ?? 'model', config: {} };
    if (this.flow.masked) {
      this.refuse('the model returns a sequence computed under a mask (Masking or Embedding mask_zero); Keras gives masked steps outputs of its own (the previous output after a recurrent layer), which edgernn does not reproduce, so only sequence-to-vector models may use a mask', chain.layers[chain.layers.length - 1]);
    }
    if (this.layers.length === 0) throw new UnsupportedModelError('the model has no layers edgernn can run (only inputs and identity layers)', { where: 'layers' });
    if (this.inputSize === undefined) throw new ModelFormatError('the input feature size is neither in the config nor implied by any weights', { where: 'input' });
    if (this.statefulLayers.length && this.statelessLayers.length) {
      throw new UnsupportedModelError(`only some recurrent layers are stateful (${this.statefulLayers.join(', ')}; not ${this.statelessLayers.join(', ')}); edgernn carries either all states across calls or none`, { where: this.statefulLayers[0]! });
    }
    return this.finish(inputTime);
  }

  private finish(inputTime: boolean): ModelIR {
    const chain = this.chain;
    const first = chain.layers[0]!;
    const inName = chain.inputName ?? `${first.name}_input`;
    const last = chain.layers[chain.layers.length - 1]!;
    const outName = chain.outputName ?? last.name;
    const tm = this.timeMajor === true;
    let axes: Axis[];
    if (this.oneHot !== undefined) axes = inputTime ? (tm ? ['time', 'batch'] : ['batch', 'time']) : ['batch'];
    else axes = inputTime ? (tm ? ['time', 'batch', 'feature'] : ['batch', 'time', 'feature']) : ['batch', 'feature'];
    const input: SequenceInputBinding = { name: inName, role: 'sequence', axes };
    if (this.oneHot !== undefined) input.oneHot = this.oneHot;
    if (this.mask && this.maskUsed) input.mask = { value: this.mask.value };
    const factors = this.flow.factors.length ? this.flow.factors : [this.width ?? 1];
    const base = this.flow.time ? 2 : 1;
    const perm = [...Array(base + factors.length).keys()];
    if (this.flow.time && tm) { perm[0] = 1; perm[1] = 0; }
    const output: OutputBinding = { name: outName, role: 'output', time: this.flow.time, factors, perm };
    const graph: GraphBinding = { inputs: [input], outputs: [output] };
    const shape = factors.filter((f) => f !== 1);
    const doc = this.doc;
    const framework = this.dialect.family === 'tfjs' ? 'tfjs' : 'keras';
    const name = this.options.name ?? chain.name ?? 'model';
    const metadata: ModelIR['metadata'] = {
      name,
      source: {
        format: doc.format,
        framework,
        ...(this.dialect.version ? { frameworkVersion: this.dialect.version } : {}),
        ...(doc.producer ? { producer: doc.producer } : {}),
      },
      graph,
      output: { shape: shape.length ? shape : [1] },
      ...(this.statefulLayers.length ? { stateful: true } : {}),
    };
    return { name, inputSize: this.inputSize!, layers: this.layers, metadata };
  }

  private recurrentClass(spec: LayerSpec): RecurrentClass | undefined {
    if (spec.className in RECURRENT) return RECURRENT[spec.className];
    if (spec.className === 'RNN' && isObj(spec.config.cell) && typeof spec.config.cell.class_name === 'string') return CELLS[spec.config.cell.class_name];
    return undefined;
  }

  private layer(spec: LayerSpec): void {
    const cls = spec.className;
    const cfg = spec.config;
    if (cls === 'InputLayer') {
      if (this.index !== 0) this.bad('an InputLayer inside the chain');
      if (cfg.sparse === true || cfg.ragged === true) this.refuse('sparse or ragged inputs');
      return;
    }
    if (MODEL_CLASSES.has(cls)) this.refuse('a model nested inside the model; save the inner model\'s layers in one flat model');
    if (IDENTITY.has(cls)) return;
    if (this.recurrentClass(spec) || cls === 'RNN') { this.recurrent(spec); return; }
    switch (cls) {
      case 'Bidirectional': this.bidirectional(spec); return;
      case 'Dense': case 'TimeDistributedDense': this.dense(spec, cfg, cls === 'TimeDistributedDense'); return;
      case 'TimeDistributed': this.timeDistributed(spec); return;
      case 'Activation': this.activation(kerasActivation(cfg.activation, this.dialect, this.where())); return;
      case 'ReLU': this.reluLayer(cfg); return;
      case 'LeakyReLU': {
        const a = cfg.negative_slope ?? cfg.alpha ?? 0.3;
        if (!isNum(a)) this.bad(`alpha must be a number, got ${JSON.stringify(a)}`);
        this.activation({ name: 'leaky_relu', alpha: a });
        return;
      }
      case 'ELU': {
        const a = cfg.alpha ?? 1;
        if (!isNum(a)) this.bad(`alpha must be a number, got ${JSON.stringify(a)}`);
        this.activation({ name: 'elu', alpha: a });
        return;
      }
      case 'ThresholdedReLU': {
        const t = cfg.theta ?? 1;
        if (!isNum(t)) this.bad(`theta must be a number, got ${JSON.stringify(t)}`);
        this.activation({ name: 'thresholded_relu', alpha: t });
        return;
      }
      case 'Softmax': {
        const axis = cfg.axis ?? -1;
        const last = this.flow.factors.length + (this.flow.time ? 1 : 0);
        if (axis !== -1 && !(Array.isArray(axis) && axis.length === 1 && axis[0] === -1) && axis !== last) this.refuse(`softmax over axis ${JSON.stringify(axis)}; only the last axis is supported`);
        this.activation({ name: 'softmax' });
        return;
      }
      case 'BatchNormalization': this.batchNorm(cfg); return;
      case 'Reshape': this.reshape(cfg); return;
      case 'Flatten': this.flatten(); return;
      case 'Masking': this.masking(cfg); return;
      case 'Embedding': this.embedding(cfg); return;
      default:
        this.refuse(`edgernn imports recurrent layers (LSTM, GRU, SimpleRNN, Bidirectional), Dense, activations, BatchNormalization, Embedding, Masking, Reshape, Flatten and dropout-like layers, not ${cls}`);
    }
  }

  // ---- elementwise ----

  private activation(a: Activation): void {
    if (a.name === 'linear') return;
    if (a.name === 'softmax' || a.name === 'log_softmax') this.needFlat();
    const w = this.width;
    if (w === undefined) this.bad('the feature size before this layer is unknown');
    this.layers.push({ kind: 'activation', name: this.spec.name, size: w, activation: a });
  }

  private reluLayer(cfg: Cfg): void {
    const max = cfg.max_value ?? null;
    const slope = cfg.negative_slope ?? 0;
    const threshold = cfg.threshold ?? 0;
    if (slope !== 0 || threshold !== 0) {
      if (max === null && threshold === 0 && isNum(slope)) { this.activation({ name: 'leaky_relu', alpha: slope }); return; }
      this.refuse(`ReLU with negative_slope ${JSON.stringify(slope)}, threshold ${JSON.stringify(threshold)} and max_value ${JSON.stringify(max)}; supported are relu, relu6 and a leaky relu without threshold or cap`);
    }
    if (max === null) this.activation({ name: 'relu' });
    else if (max === 6) this.activation({ name: 'relu6' });
    else this.refuse(`ReLU with max_value ${JSON.stringify(max)}; supported are no cap and 6`);
  }

  // ---- Dense ----

  private dense(spec: LayerSpec, cfg: Cfg, timeDistributed: boolean): void {
    if (timeDistributed) this.needSequence();
    this.needFlat();
    const units = this.int(cfg, ['units', 'output_dim'], 'units');
    const useBias = this.bool(cfg, 'use_bias', this.bool(cfg, 'bias', true));
    const arrays = this.weights();
    const inSize = this.inWidth(arrays[0], 'kernel');
    const act = kerasActivation(cfg.activation, this.dialect, `${this.where()} activation`);
    const d = denseLayer(spec.name, arrays, inSize, units, useBias, act, this.where());
    this.layers.push(d);
    this.flow.factors = this.lastAxis(units);
  }

  private timeDistributed(spec: LayerSpec): void {
    const inner = spec.config.layer;
    if (!isObj(inner) || typeof inner.class_name !== 'string') this.bad('the config has no inner layer');
    const innerSpec = layerSpec(inner, 0);
    if (innerSpec.className === 'Dense') { this.needSequence(); this.dense(spec, innerSpec.config, true); return; }
    if (IDENTITY.has(innerSpec.className)) return;
    if (innerSpec.className === 'Activation') { this.activation(kerasActivation(innerSpec.config.activation, this.dialect, this.where())); return; }
    this.refuse(`TimeDistributed(${innerSpec.className}); only TimeDistributed(Dense) (and identity or activation layers) are supported`);
  }

  /**
   * BatchNormalization at inference over the last axis: y = x·inv + (beta - mean·inv) with
   * inv = gamma / sqrt(variance + epsilon), as tf.nn.batch_normalization computes it, as a
   * diagonal Dense layer (exact: the off-diagonal products are zeros).
   */
  private batchNorm(cfg: Cfg): void {
    this.needFlat();
    const w = this.width;
    if (w === undefined) this.bad('the feature size before this layer is unknown');
    const rank = this.flow.factors.length + (this.flow.time ? 1 : 0);
    const axis = Array.isArray(cfg.axis) && cfg.axis.length === 1 ? cfg.axis[0] : cfg.axis ?? -1;
    if (axis !== -1 && axis !== rank) this.refuse(`normalisation over axis ${JSON.stringify(cfg.axis)}; only the last (feature) axis is supported`);
    const eps = cfg.epsilon ?? 1e-3;
    if (!isNum(eps) || eps < 0) this.bad(`epsilon must be a non-negative number, got ${JSON.stringify(cfg.epsilon)}`);
    const scale = this.bool(cfg, 'scale', true), center = this.bool(cfg, 'center', true);
    const arrays = this.weights();
    const names = ['gamma', 'beta', 'moving_mean', 'moving_variance'].filter((n) => (n === 'gamma' ? scale : n === 'beta' ? center : true));
    if (arrays.length !== names.length) this.bad(`${arrays.length} weight arrays, expected ${names.length} (${names.join(', ')})`);
    const get = (n: string) => checked(arrays[names.indexOf(n)], [w], this.where(), n);
    const gamma = scale ? get('gamma') : undefined, beta = center ? get('beta') : undefined;
    const mean = get('moving_mean'), variance = get('moving_variance');
    const W = new Float32Array(builtSize(w * w, `the ${w} x ${w} layer of the normalisation`, this.where()));
    const b = new Float32Array(w);
    for (let k = 0; k < w; k++) {
      let inv = Math.fround(1 / Math.fround(Math.sqrt(Math.fround(variance[k]! + eps))));
      if (gamma) inv = Math.fround(inv * gamma[k]!);
      W[k * w + k] = inv;
      b[k] = Math.fround((beta ? beta[k]! : 0) - Math.fround(mean[k]! * inv));
    }
    this.layers.push({ kind: 'dense', name: this.spec.name, inputSize: w, units: w, W, b, activation: { name: 'linear' } });
  }

  // ---- shape layers ----

  private reshape(cfg: Cfg): void {
    // TF.js writes the free axis as null, Keras as -1
    const raw = cfg.target_shape ?? cfg.dims;
    const target = Array.isArray(raw) ? raw.map((d) => (d === null ? -1 : d)) : raw;
    if (!Array.isArray(target) || !target.every((d) => Number.isInteger(d) && (d > 0 || d === -1))) this.bad(`target_shape must be a list of positive sizes (one may be -1), got ${JSON.stringify(raw)}`);
    if (this.flow.masked) this.refuse('Reshape of a masked sequence (Keras drops or rejects the mask)');
    const w = this.width;
    if (w === undefined) this.bad('the feature size before this layer is unknown');
    let dims = [...(target as number[])];
    const minus = dims.filter((d) => d === -1).length;
    if (minus > 1) this.bad(`target_shape ${JSON.stringify(target)} has more than one -1`);
    if (this.flow.time) {
      // the first target axis must stay the time axis
      const t = dims[0]!;
      if (dims.length < 2 || (t !== -1 && !(this.flow.steps !== null && t === this.flow.steps))) {
        this.refuse(`Reshape to ${JSON.stringify(target)} of a [time=${this.flow.steps ?? 'None'}, ${this.flow.factors.join(', ')}] sequence would mix the time axis with the features; only reshapes of the features of each step are supported`);
      }
      dims = dims.slice(1);
    }
    if (dims.includes(-1)) {
      const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
      if (w % known !== 0) this.bad(`cannot reshape ${w} values per step to ${JSON.stringify(target)}`);
      dims = dims.map((d) => (d === -1 ? w / known : d));
    }
    if (dims.reduce((a, b) => a * b, 1) !== w) this.bad(`cannot reshape ${w} values per step to ${JSON.stringify(target)}`);
    this.flow.factors = dims;
  }

  private flatten(): void {
    if (this.flow.time) {
      this.refuse('Flatten of a sequence merges the time axis into the features; edgernn supports Flatten after a sequence-to-vector layer');
    }
    const w = this.width;
    if (w !== undefined) this.flow.factors = [w];
  }

  // ---- masks and ids ----

  private masking(cfg: Cfg): void {
    const firstReal = this.chain.layers.findIndex((l) => l.className !== 'InputLayer');
    if (this.index !== firstReal) this.refuse('Masking is supported as the model\'s first layer only (the mask is computed from the model input)');
    this.needSequence();
    const v = cfg.mask_value ?? 0;
    if (!isNum(v)) this.bad(`mask_value must be a number, got ${JSON.stringify(v)}`);
    this.mask = { value: v };
    this.flow.masked = true;
  }

  private embedding(cfg: Cfg): void {
    const firstReal = this.chain.layers.findIndex((l) => l.className !== 'InputLayer');
    if (this.index !== firstReal) this.refuse('Embedding is supported as the model\'s first layer only (it reads the integer ids of the model input)');
    const vocab = this.int(cfg, ['input_dim'], 'input_dim');
    const dim = this.int(cfg, ['output_dim'], 'output_dim');
    const arrays = this.weights();
    if (arrays.length !== 1) this.bad(`${arrays.length} weight arrays, expected 1 (embeddings [${vocab}, ${dim}])`);
    const E = checked(arrays[0], [vocab, dim], this.where(), 'embeddings');
    const W = new Float32Array(dim * vocab);
    for (let v = 0; v < vocab; v++) for (let d = 0; d < dim; d++) W[d * vocab + v] = E[v * dim + d]!;
    this.layers.push({ kind: 'dense', name: this.spec.name, inputSize: vocab, units: dim, W, activation: { name: 'linear' } });
    this.oneHot = vocab;
    this.inputSize = vocab;
    this.flow.factors = [dim];
    if (this.bool(cfg, 'mask_zero', false)) {
      this.mask = { value: 0 };
      this.flow.masked = true;
    }
  }

  // ---- recurrent layers ----

  /** The recurrent options shared by plain layers, RNN(cell) and Bidirectional's inner layer. */
  private recurrentSpec(spec: LayerSpec): { cls: RecurrentClass; cfg: Cfg; cell: Cfg } {
    const cls = this.recurrentClass(spec);
    if (spec.className === 'RNN') {
      const cell = spec.config.cell;
      const cellCls = isObj(cell) ? String(cell.class_name) : 'none';
      if (!cls) this.refuse(`RNN over a ${cellCls} cell; supported cells are LSTMCell, GRUCell and SimpleRNNCell`, spec);
      return { cls, cfg: spec.config, cell: isObj((cell as Cfg).config) ? ((cell as Cfg).config as Cfg) : {} };
    }
    if (!cls) this.refuse(`${spec.className} is not a recurrent layer`, spec);
    return { cls, cfg: spec.config, cell: spec.config };
  }

  /** One direction's IR pieces from a recurrent config and its arrays. */
  private cell(cls: RecurrentClass, cell: Cfg, arrays: NamedArray[], inputSize: number, where: string) {
    const units = this.int(cell, ['units', 'output_dim'], 'units');
    const cudnn = cls === 'CuDNNLSTM' || cls === 'CuDNNGRU';
    let acts: Activation[];
    let resetAfter = false;
    if (cudnn) {
      acts = cls === 'CuDNNLSTM' ? [{ name: 'sigmoid' }, { name: 'tanh' }, { name: 'tanh' }] : [{ name: 'sigmoid' }, { name: 'tanh' }];
      resetAfter = cls === 'CuDNNGRU';
    } else {
      const act = kerasActivation(cell.activation === undefined ? 'tanh' : cell.activation, this.dialect, `${where} activation`);
      if (cls === 'SimpleRNN') acts = [act];
      else {
        const rec = recurrentActivationOf(cell, this.dialect, where);
        acts = cls === 'LSTM' ? [rec, act, act] : [rec, act];
      }
      if (cls === 'GRU') {
        if (cell.reset_after === undefined || cell.reset_after === null) {
          if (this.dialect.resetAfter === undefined) {
            throw new UnsupportedModelError(`${where}: reset_after is not in the config and its default depends on the Keras version (False in Keras 2 and TF 1.x tf.keras, True in TF 2 tf.keras), which the file does not pin down (version ${this.dialect.version ?? 'unknown'})`, { where });
          }
          resetAfter = this.dialect.resetAfter;
        } else resetAfter = this.bool(cell, 'reset_after', false);
      }
    }
    const useBias = cudnn || this.bool(cell, 'use_bias', true);
    const weights = recurrentWeights({ cls, inputSize, units, useBias, resetAfter }, arrays, where);
    return { units, acts, resetAfter, weights };
  }

  /** Checks the layer-level options; returns return_sequences and go_backwards. */
  private recurrentOptions(cfg: Cfg, cls: RecurrentClass, spec: LayerSpec): { seq: boolean; back: boolean } {
    if (this.bool(cfg, 'return_state', false)) {
      this.refuse('return_state: the final states as extra outputs are not supported (the runtime returns them with run({ returnStates: true })); save the model without return_state', spec);
    }
    const stateful = this.bool(cfg, 'stateful', false);
    (stateful ? this.statefulLayers : this.statelessLayers).push(spec.name);
    const tm = this.bool(cfg, 'time_major', false);
    if (this.timeMajor === undefined) {
      this.timeMajor = tm;
    } else if (tm !== this.timeMajor && this.flow.time) {
      this.refuse(`time_major=${tm} after a layer with time_major=${this.timeMajor}; the layers would read different axes as time`, spec);
    }
    if (this.flow.masked && (cls === 'CuDNNLSTM' || cls === 'CuDNNGRU')) this.bad('CuDNN layers reject masks (Keras: "Masking is not supported for CuDNN RNNs")', spec);
    return { seq: this.bool(cfg, 'return_sequences', false), back: this.bool(cfg, 'go_backwards', false) };
  }

  private useMask(seq: boolean, back: boolean): void {
    if (!this.flow.masked) return;
    if (seq && back) {
      this.refuse('go_backwards with return_sequences under a mask: Keras returns the reversed outputs with the unreversed mask, which edgernn does not reproduce');
    }
    this.maskUsed = true;
    if (!seq) this.flow.masked = false; // a sequence-to-vector layer consumes the mask
  }

  /** Recurrent layers take [batch, time, features] only (Keras: ndim=3). */
  private needRank3(): void {
    this.needSequence();
    if (this.flow.factors.length > 1) this.bad(`it needs a 3-d input [batch, time, features], but receives [batch, time, ${this.flow.factors.join(', ')}]`);
  }

  private recurrent(spec: LayerSpec): void {
    this.needRank3();
    const { cls, cfg, cell } = this.recurrentSpec(spec);
    const { seq, back } = this.recurrentOptions(cfg, cls, spec);
    const arrays = this.weights();
    const I = this.inWidth(arrays[0], 'kernel');
    const where = this.where();
    const c = this.cell(cls, cell, arrays, I, where);
    const L: RecurrentLayer = {
      kind: KIND[cls], name: spec.name, inputSize: I, hiddenSize: c.units,
      direction: back ? 'reverse' : 'forward',
      output: seq ? (back ? 'sequence-reversed' : 'sequence') : 'final',
      activations: [c.acts], weights: [c.weights],
    };
    if (L.kind === 'gru') L.resetAfter = c.resetAfter;
    this.layers.push(L);
    this.useMask(seq, back);
    this.flow.factors = [c.units];
    this.flow.time = seq;
  }

  private bidirectional(spec: LayerSpec): void {
    this.needRank3();
    const cfg = spec.config;
    const inner = cfg.layer;
    if (!isObj(inner) || typeof inner.class_name !== 'string') this.bad('the config has no inner layer');
    const fwd = layerSpec(inner, 0);
    const innerCls = this.recurrentClass(fwd);
    if (!innerCls) this.refuse(`Bidirectional(${fwd.className}); supported inner layers are LSTM, GRU, SimpleRNN and their CuDNN variants`);
    const { cls, cfg: fcfg, cell } = this.recurrentSpec(fwd);
    const mode = cfg.merge_mode === undefined ? 'concat' : cfg.merge_mode;
    if (mode === null) this.refuse('merge_mode None returns the two directions as two outputs; edgernn models have one output');
    if (mode === 'mul') this.refuse('merge_mode \'mul\' multiplies the two directions element-wise, which edgernn layers cannot express; concat, sum and ave are supported');
    if (mode !== 'concat' && mode !== 'sum' && mode !== 'ave') this.bad(`unknown merge_mode ${JSON.stringify(mode)}`);
    if (this.bool(fcfg, 'go_backwards', false)) this.refuse('an inner layer with go_backwards=True (its "forward" half would run backwards)');
    if (this.bool(fcfg, 'time_major', false)) this.refuse('time_major inside Bidirectional');
    if (isObj(cfg.backward_layer)) {
      const bwd = layerSpec(cfg.backward_layer, 1);
      const b = bwd.config;
      const same = (k: string) => JSON.stringify(b[k] ?? null) === JSON.stringify(fcfg[k] ?? null);
      const keys = ['units', 'output_dim', 'activation', 'recurrent_activation', 'use_bias', 'reset_after', 'return_sequences', 'return_state', 'stateful'];
      if (bwd.className !== fwd.className || !keys.every(same) || b.go_backwards !== true) {
        this.refuse(`a backward_layer that differs from the forward layer (${bwd.className} '${bwd.name}'); supported is the mirror image of the forward layer`);
      }
    }
    const { seq } = this.recurrentOptions(fcfg, cls, spec);
    const arrays = this.weights();
    if (arrays.length % 2 !== 0) this.bad(`${arrays.length} weight arrays; Bidirectional needs the forward layer's then the backward layer's, as many each`);
    const half = arrays.length / 2;
    const I = this.inWidth(arrays[0], 'forward kernel');
    const where = this.where();
    const f = this.cell(cls, cell, arrays.slice(0, half), I, `${where} forward`);
    const b = this.cell(cls, cell, arrays.slice(half), I, `${where} backward`);
    const L: RecurrentLayer = {
      kind: KIND[cls], name: spec.name, inputSize: I, hiddenSize: f.units, direction: 'bidirectional',
      output: seq ? 'sequence' : 'final', activations: [f.acts, b.acts], weights: [f.weights, b.weights],
    };
    if (L.kind === 'gru') L.resetAfter = f.resetAfter;
    this.layers.push(L);
    this.useMask(seq, false);
    this.flow.time = seq;
    const H = f.units;
    if (mode === 'concat') { this.flow.factors = [2 * H]; return; }
    // sum / ave: a linear Dense [H, 2H] = c·[I | I]; exact (adds zeros, scales by 1 or 0.5)
    const c = mode === 'sum' ? 1 : 0.5;
    const W = new Float32Array(H * 2 * H);
    for (let k = 0; k < H; k++) { W[k * 2 * H + k] = c; W[k * 2 * H + H + k] = c; }
    this.layers.push({ kind: 'dense', name: `${spec.name}/merge_${mode}`, inputSize: 2 * H, units: H, W, activation: { name: 'linear' } });
    this.flow.factors = [H];
  }
}

/** Lowers a Keras model (config + weights from any Keras container) to the model description. */
export function importKeras(doc: KerasDocument, options: KerasImportOptions = {}): ModelIR {
  return new KerasImporter(doc, options).run();
}
