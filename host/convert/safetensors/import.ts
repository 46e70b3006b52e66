// PyTorch safetensors importer: a `state_dict` saved with safetensors plus a small JSON config
// that says which modules it holds and how they are chained (docs/SAFETENSORS.md).
//
// A state_dict records weights, not the architecture: shapes give the cell kind (gate blocks
// G = rows(weight_hh) / H), H, the input size, num_layers and bidirectionality, but not
// batch_first, the RNN nonlinearity, how modules are chained, or which time step a head reads.
// The config supplies those, and everything it also states is cross-checked against the shapes.
//
// Mapping (../shared/reference/rnn-semantics.md §3):
//   nn.LSTM   gates i, f, g, o   = canonical order, biases kept split (bW = bias_ih, bR = bias_hh)
//   nn.GRU    gates r, z, n      -> z, r, n (blocks 1, 0, 2); reset-after (variant B)
//   nn.RNN    one block, tanh or relu
//   nn.Linear weight [out, in]  = DenseLayer.W, bias [out]
// Each PyTorch layer k of a module becomes one IR layer; `_reverse` tensors make it bidirectional.
//
// Errors: a file that contradicts itself is a ModelFormatError; a config that contradicts the
// file (or is malformed) is a UsageError; valid but unsupported content (proj_size, integer
// weights) is an UnsupportedModelError. Every message names the config field and the tensor.

import type { SourceFiles } from '../source.js';
import type {
  ModelIR, Layer, RecurrentLayer, DenseLayer, ActivationLayer, Activation, CellKind, RecurrentWeights,
} from '../ir.js';
import { GATES, reorderGates } from '../ir.js';
import type { Axis, FeatureSpec, GraphBinding, ModelMetadata } from '../../format/metadata.js';
import { readSafetensors, readFloat32, type SafetensorsFile, type SafetensorsEntry } from './read.js';
import { ModelFormatError, UnsupportedModelError, UsageError } from '../../errors.js';
import { checkJsonDepth } from '../json.js';

export const SAFETENSORS_CONFIG_FORMAT = 'edgernn-pytorch/1';

export interface SafetensorsImportOptions {
  /** Model name stored in the metadata (default: the config's `name`, else the file's stem). */
  name?: string;
  /** Refuse files whose tensors hold more elements in total (default 64 Mi). */
  maxElements?: number;
}

// ---------------------------------------------------------------------------------------------
// Config

type ReturnMode = 'sequence' | 'last' | 'final';

interface RecurrentConfig {
  type: CellKind;
  prefix: string;
  input_size?: number;
  hidden_size?: number;
  num_layers?: number;
  bidirectional?: boolean;
  batch_first: boolean;
  nonlinearity: 'tanh' | 'relu';
  bias?: boolean;
  return: ReturnMode;
}

interface LinearConfig {
  type: 'linear';
  prefix: string;
  in_features?: number;
  out_features?: number;
  bias?: boolean;
  activation: Activation;
}

interface ActivationConfig { type: 'activation'; activation: Activation }
interface DropoutConfig { type: 'dropout' }

type LayerConfig = RecurrentConfig | LinearConfig | ActivationConfig | DropoutConfig;

interface Config {
  file: string;
  name?: string;
  layers: LayerConfig[];
  outputShape?: number[];
  ignore: string[];
  metadata: Record<string, unknown>;
}

/** Activations of nn.Linear heads and standalone activation layers, with PyTorch's defaults. */
const ACTIVATIONS: Record<string, Activation> = {
  none: { name: 'linear' },
  relu: { name: 'relu' },
  tanh: { name: 'tanh' },
  sigmoid: { name: 'sigmoid' },
  relu6: { name: 'relu6' },
  leaky_relu: { name: 'leaky_relu', alpha: 0.01 },
  elu: { name: 'elu', alpha: 1 },
  selu: { name: 'selu' },
  gelu: { name: 'gelu' },
  gelu_tanh: { name: 'gelu_tanh' },
  silu: { name: 'silu' },
  mish: { name: 'mish' },
  softplus: { name: 'softplus' },
  softsign: { name: 'softsign' },
  hardsigmoid: { name: 'hard_sigmoid', alpha: 1 / 6, beta: 0.5 },
  hardswish: { name: 'hard_silu' },
  softmax: { name: 'softmax' },
  log_softmax: { name: 'log_softmax' },
};
/** Activations that take one parameter in object form: { "name": "leaky_relu", "negative_slope": 0.2 }. */
const ACTIVATION_PARAMS: Record<string, string> = { leaky_relu: 'negative_slope', elu: 'alpha' };

const RESERVED_METADATA = ['name', 'source', 'graph', 'converter', 'quantization'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;

class ConfigReader {
  constructor(readonly file: string) {}

  fail(where: string, msg: string, expected?: unknown, actual?: unknown): never {
    throw new UsageError(`${this.file}: ${where}: ${msg}`, { where, ...(expected !== undefined ? { expected } : {}), ...(actual !== undefined ? { actual } : {}) });
  }

  keys(o: Record<string, unknown>, where: string, allowed: readonly string[]): void {
    const unknown = Object.keys(o).filter((k) => !allowed.includes(k) && k !== 'comment');
    if (unknown.length) this.fail(where, `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${allowed.join(', ')})`);
  }

  count(o: Record<string, unknown>, key: string, where: string, min = 1): number | undefined {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) this.fail(`${where}.${key}`, `must be an integer >= ${min}, got ${JSON.stringify(v)}`);
    return v;
  }

  bool(o: Record<string, unknown>, key: string, where: string): boolean | undefined {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') this.fail(`${where}.${key}`, `must be true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  oneOf<T extends string>(o: Record<string, unknown>, key: string, where: string, values: readonly T[], dflt: T): T {
    const v = o[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'string' || !values.includes(v as T)) this.fail(`${where}.${key}`, `must be one of ${values.map((x) => `"${x}"`).join(', ')}, got ${JSON.stringify(v)}`);
    return v as T;
  }

  prefix(o: Record<string, unknown>, where: string): string {
    const v = o['prefix'];
    if (typeof v !== 'string') this.fail(`${where}.prefix`, `is required: the module's state_dict prefix such as "lstm." (use "" for a module saved on its own), got ${JSON.stringify(v)}`);
    if (v !== '' && !v.endsWith('.')) this.fail(`${where}.prefix`, `must end with '.' ("${v}." for the tensors '${v}.weight_ih_l0', ...), got ${JSON.stringify(v)}`);
    return v;
  }

  activation(v: unknown, where: string): Activation {
    if (v === undefined) return { name: 'linear' };
    const names = Object.keys(ACTIVATIONS).map((n) => `"${n}"`).join(', ');
    if (typeof v === 'string') {
      const a = ACTIVATIONS[v];
      if (!a) this.fail(where, `unknown activation ${JSON.stringify(v)} (known: ${names})`);
      return { ...a };
    }
    if (isObject(v) && typeof v['name'] === 'string' && ACTIVATION_PARAMS[v['name']] !== undefined) {
      const name = v['name'];
      const param = ACTIVATION_PARAMS[name]!;
      this.keys(v, where, ['name', param]);
      const a = { ...ACTIVATIONS[name]! };
      const p = v[param];
      if (p !== undefined) {
        if (typeof p !== 'number' || !Number.isFinite(p)) this.fail(`${where}.${param}`, `must be a finite number, got ${JSON.stringify(p)}`);
        a.alpha = p;
      }
      return a;
    }
    return this.fail(where, `must be an activation name (${names}) or {"name": "leaky_relu", "negative_slope": x} / {"name": "elu", "alpha": x}, got ${JSON.stringify(v)}`);
  }

  layer(o: unknown, where: string): LayerConfig {
    if (!isObject(o)) this.fail(where, `must be an object, got ${JSON.stringify(o)}`);
    const type = o['type'];
    if (type === 'lstm' || type === 'gru' || type === 'rnn') {
      this.keys(o, where, ['type', 'prefix', 'input_size', 'hidden_size', 'num_layers', 'bidirectional', 'batch_first', 'nonlinearity', 'bias', 'proj_size', 'dropout', 'return']);
      if (o['nonlinearity'] !== undefined && type !== 'rnn') this.fail(`${where}.nonlinearity`, `applies to "rnn" layers only (nn.RNN); nn.${type === 'lstm' ? 'LSTM' : 'GRU'} always uses sigmoid and tanh`);
      const proj = this.count(o, 'proj_size', where, 0);
      if (proj !== undefined && proj > 0) {
        if (type !== 'lstm') this.fail(`${where}.proj_size`, 'applies to "lstm" layers only');
        throw new UnsupportedModelError(`${this.file}: ${where}.proj_size: LSTM proj_size ${proj} is not supported (edgernn's LSTM has no output projection)`, { where: `${where}.proj_size`, actual: proj });
      }
      const dropout = o['dropout'];
      if (dropout !== undefined && (typeof dropout !== 'number' || !(dropout >= 0 && dropout <= 1))) this.fail(`${where}.dropout`, `must be a number in [0, 1], got ${JSON.stringify(dropout)}`);
      const c: RecurrentConfig = {
        type,
        prefix: this.prefix(o, where),
        batch_first: this.bool(o, 'batch_first', where) ?? false,
        nonlinearity: this.oneOf(o, 'nonlinearity', where, ['tanh', 'relu'] as const, 'tanh'),
        return: this.oneOf(o, 'return', where, ['sequence', 'last', 'final'] as const, 'sequence'),
      };
      const set = <K extends keyof RecurrentConfig>(k: K, v: RecurrentConfig[K] | undefined) => { if (v !== undefined) c[k] = v; };
      set('input_size', this.count(o, 'input_size', where));
      set('hidden_size', this.count(o, 'hidden_size', where));
      set('num_layers', this.count(o, 'num_layers', where));
      set('bidirectional', this.bool(o, 'bidirectional', where));
      set('bias', this.bool(o, 'bias', where));
      return c;
    }
    if (type === 'linear') {
      this.keys(o, where, ['type', 'prefix', 'in_features', 'out_features', 'bias', 'activation']);
      const c: LinearConfig = { type, prefix: this.prefix(o, where), activation: this.activation(o['activation'], `${where}.activation`) };
      const inF = this.count(o, 'in_features', where), outF = this.count(o, 'out_features', where), bias = this.bool(o, 'bias', where);
      if (inF !== undefined) c.in_features = inF;
      if (outF !== undefined) c.out_features = outF;
      if (bias !== undefined) c.bias = bias;
      return c;
    }
    if (type === 'activation') {
      this.keys(o, where, ['type', 'activation']);
      if (o['activation'] === undefined) this.fail(`${where}.activation`, 'is required');
      return { type, activation: this.activation(o['activation'], `${where}.activation`) };
    }
    if (type === 'dropout') {
      this.keys(o, where, ['type', 'p']);
      return { type };
    }
    return this.fail(`${where}.type`, `must be "lstm", "gru", "rnn", "linear", "activation" or "dropout", got ${JSON.stringify(type)}`);
  }

  read(json: unknown): Config {
    if (!isObject(json)) this.fail('config', 'must be a JSON object');
    this.keys(json, 'config', ['format', 'name', 'layers', 'output_shape', 'ignore', 'metadata']);
    const fmt = json['format'];
    if (fmt !== SAFETENSORS_CONFIG_FORMAT) {
      if (typeof fmt === 'string' && fmt.startsWith('edgernn-pytorch/')) {
        throw new UnsupportedModelError(`${this.file}: config format '${fmt}' is newer than this converter reads ('${SAFETENSORS_CONFIG_FORMAT}')`, { where: 'format', expected: SAFETENSORS_CONFIG_FORMAT, actual: fmt });
      }
      this.fail('format', `must be "${SAFETENSORS_CONFIG_FORMAT}", got ${JSON.stringify(fmt)}`);
    }
    const name = json['name'];
    if (name !== undefined && (typeof name !== 'string' || name.length === 0)) this.fail('name', `must be a non-empty string, got ${JSON.stringify(name)}`);
    const layers = json['layers'];
    if (!Array.isArray(layers) || layers.length === 0) this.fail('layers', 'must be a non-empty array of layer objects');
    const out: Config = { file: this.file, layers: layers.map((l, i) => this.layer(l, `layers[${i}]`)), ignore: [], metadata: {} };
    if (typeof name === 'string') out.name = name;
    const shape = json['output_shape'];
    if (shape !== undefined) {
      if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isSafeInteger(d) && d >= 1)) {
        this.fail('output_shape', `must be a non-empty array of positive integers, got ${JSON.stringify(shape)}`);
      }
      out.outputShape = shape as number[];
    }
    const ignore = json['ignore'];
    if (ignore !== undefined) {
      if (!Array.isArray(ignore) || !ignore.every((k) => typeof k === 'string' && k.length > 0)) {
        this.fail('ignore', `must be an array of tensor names or prefixes ending in '.', got ${JSON.stringify(ignore)}`);
      }
      out.ignore = ignore as string[];
    }
    const meta = json['metadata'];
    if (meta !== undefined) {
      if (!isObject(meta)) this.fail('metadata', 'must be an object');
      const reserved = Object.keys(meta).filter((k) => RESERVED_METADATA.includes(k));
      if (reserved.length) this.fail('metadata', `${reserved.map((k) => `'${k}'`).join(', ')} ${reserved.length > 1 ? 'are' : 'is'} written by the converter (the model name is the config's top-level "name")`);
      out.metadata = meta;
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Finding the files

const decodeJson = (bytes: Uint8Array): unknown => {
  let text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return JSON.parse(text);
};

/**
 * Where the config of `<dir>/<stem>.safetensors` may be: `<stem>.config.json`, `<stem>.json`,
 * `config.json`, most specific first.
 */
export function configCandidates(main: string): string[] {
  const slash = main.lastIndexOf('/');
  const dir = main.slice(0, slash + 1), base = main.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base;
  return [...new Set([`${dir}${stem}.config.json`, `${dir}${stem}.json`, `${dir}config.json`])];
}

/**
 * The config: the first candidate (configCandidates) that exists and declares
 * `"format": "edgernn-pytorch/…"`; files that are not edgernn configs (a Hugging Face config.json,
 * a TF.js model.json) are passed over. Failing that, the one other file among the source files
 * that declares the format (a config passed under another name, as the CLI's --config does).
 */
function findConfig(src: SourceFiles): { name: string; json: unknown } {
  const passed: string[] = [];
  const candidates = configCandidates(src.main);
  const probe = (name: string): unknown => {
    let json: unknown;
    try {
      json = decodeJson(src.files[name]!);
    } catch (e) {
      passed.push(`${name} is not valid JSON (${(e as Error).message})`);
      return undefined;
    }
    const fmt = isObject(json) ? json['format'] : undefined;
    if (typeof fmt === 'string' && fmt.startsWith('edgernn-pytorch/')) return checkJsonDepth(json, name);
    passed.push(`${name} has no "format": "${SAFETENSORS_CONFIG_FORMAT}"`);
    return undefined;
  };
  for (const name of candidates) {
    if (!src.files[name]) continue;
    const json = probe(name);
    if (json !== undefined) return { name, json };
  }
  const others = Object.keys(src.files).filter((f) => f !== src.main && !candidates.includes(f) && /\.json$/i.test(f));
  const found = others.map((name) => ({ name, json: probe(name) })).filter((c) => c.json !== undefined);
  if (found.length === 1) return found[0]!;
  if (found.length > 1) {
    throw new UsageError(`${src.main}: several edgernn configs were given (${found.map((c) => c.name).join(', ')}) and none is named ${candidates.join(', ')}`, { where: found[0]!.name });
  }
  throw new UsageError(
    `${src.main}: a safetensors state_dict needs a config JSON beside it (${candidates.join(', ')}; docs/SAFETENSORS.md)`
    + (passed.length ? `; ${passed.join('; ')}` : ''),
    { where: candidates[0]! },
  );
}

// ---------------------------------------------------------------------------------------------
// Lowering

const KEY = /^(weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)_l(0|[1-9]\d*)(_reverse)?$/;

class Importer {
  readonly used = new Set<string>();
  readonly layers: Layer[] = [];
  width: number | undefined;
  collapsed = false;
  /** batch_first of the first and the latest recurrent module. */
  inputBatchFirst: boolean | undefined;
  outputBatchFirst = false;

  constructor(readonly st: SafetensorsFile, readonly cfg: Config) {}

  private usage(where: string, msg: string, expected?: unknown, actual?: unknown): never {
    throw new UsageError(`${this.cfg.file}: ${where}: ${msg}`, { where, ...(expected !== undefined ? { expected } : {}), ...(actual !== undefined ? { actual } : {}) });
  }

  private format(where: string, msg: string, expected?: unknown, actual?: unknown): never {
    throw new ModelFormatError(`${this.st.file}: ${msg}`, { where, ...(expected !== undefined ? { expected } : {}), ...(actual !== undefined ? { actual } : {}) });
  }

  private entry(key: string): SafetensorsEntry | undefined {
    return this.st.tensors.get(key);
  }

  /** Decodes a tensor the model uses, checking its shape and values. */
  private take(key: string, shape: number[], why: string): Float32Array {
    const e = this.entry(key)!;
    if (e.shape.length !== shape.length || e.shape.some((d, i) => d !== shape[i])) {
      this.format(key, `tensor '${key}' has shape ${shapeText(e.shape)}, expected ${shapeText(shape)} (${why})`, shape, e.shape);
    }
    const data = readFloat32(this.st, key);
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i]!)) this.format(key, `tensor '${key}' holds ${data[i]} at index ${i}; weights must be finite`);
    }
    this.used.add(key);
    return data;
  }

  /** Keys under a prefix that do not belong to the named sub-tensors, for messages. */
  private listPrefix(prefix: string): string {
    const keys = [...this.st.tensors.keys()].filter((k) => k.startsWith(prefix));
    if (keys.length === 0) {
      const all = [...this.st.tensors.keys()];
      return `no tensor starts with '${prefix}'; the file holds ${all.length ? all.slice(0, 12).map((k) => `'${k}'`).join(', ') + (all.length > 12 ? `, … (${all.length} in all)` : '') : 'no tensors'}`;
    }
    return `tensors under '${prefix}': ${keys.slice(0, 12).map((k) => `'${k}'`).join(', ')}${keys.length > 12 ? `, … (${keys.length} in all)` : ''}`;
  }

  private checkWidth(where: string, takes: number, tensor: string): void {
    if (this.width !== undefined && takes !== this.width) {
      this.usage(where, `takes ${takes} inputs ('${tensor}' ${shapeText(this.entry(tensor)!.shape)}), but the layers before it give ${this.width}`, this.width, takes);
    }
  }

  recurrent(c: RecurrentConfig, where: string): void {
    const p = c.prefix;
    if (this.collapsed) this.usage(where, 'a recurrent layer cannot follow a layer with "return": "last" or "final" (there is no time axis left)');
    // what the state_dict holds under this prefix
    const found = new Map<string, { kind: string; k: number; reverse: boolean }>();
    for (const key of this.st.tensors.keys()) {
      if (!key.startsWith(p)) continue;
      const m = KEY.exec(key.slice(p.length));
      if (m) found.set(key, { kind: m[1]!, k: Number(m[2]), reverse: m[3] !== undefined });
    }
    const ih0 = `${p}weight_ih_l0`, hh0 = `${p}weight_hh_l0`;
    if (found.size === 0) this.usage(`${where}.prefix`, `no tensor '${ih0}' in ${this.st.file} (${this.listPrefix(p)})`);
    const L = Math.max(...[...found.values()].map((f) => f.k)) + 1;
    const D = [...found.values()].some((f) => f.reverse) ? 2 : 1;
    const sfx = (d: number) => (d === 1 ? '_reverse' : '');
    for (let k = 0; k < L; k++) {
      for (let d = 0; d < D; d++) {
        for (const kind of ['weight_ih', 'weight_hh']) {
          const key = `${p}${kind}_l${k}${sfx(d)}`;
          if (!found.has(key)) {
            const why = d === 1 ? `other layers have '_reverse' tensors (bidirectional)` : `the state_dict has layers up to ${L - 1}`;
            this.format(key, `tensor '${key}' is missing: ${why}`);
          }
        }
      }
    }
    const hr = [...found.entries()].find(([, f]) => f.kind === 'weight_hr');
    if (hr) {
      const s = this.entry(hr[0])!.shape;
      throw new UnsupportedModelError(`${this.st.file}: tensor '${hr[0]}' ${shapeText(s)} is an LSTM projection (proj_size ${s[0] ?? '?'}); edgernn's LSTM has no output projection`, { where: hr[0] });
    }
    // G and H from weight_hh_l0 [G*H, H]
    const hhs = this.entry(hh0)!.shape;
    if (hhs.length !== 2 || hhs[1]! === 0 || hhs[0]! % hhs[1]! !== 0) {
      this.format(hh0, `tensor '${hh0}' has shape ${shapeText(hhs)}; a recurrent weight_hh is [gates * hidden, hidden]`);
    }
    const H = hhs[1]!, G = hhs[0]! / H;
    const kindOf: Record<number, string> = { 4: 'an LSTM', 3: 'a GRU', 1: 'an RNN' };
    if (!kindOf[G]) this.format(hh0, `tensor '${hh0}' ${shapeText(hhs)} has ${G} gate blocks of ${H}; nn.LSTM has 4, nn.GRU 3, nn.RNN 1`);
    if (G !== GATES[c.type]) {
      this.usage(`${where}.type`, `is "${c.type}" (${GATES[c.type]} gate block${GATES[c.type] > 1 ? 's' : ''}), but '${hh0}' ${shapeText(hhs)} has ${G} blocks of ${H}: ${kindOf[G]}`, c.type, G);
    }
    const ihs = this.entry(ih0)!.shape;
    if (ihs.length !== 2 || ihs[0] !== G * H) this.format(ih0, `tensor '${ih0}' has shape ${shapeText(ihs)}, expected [${G * H}, input_size] (${G} gates x hidden ${H}, from '${hh0}' ${shapeText(hhs)})`);
    const I = ihs[1]!;
    // bias: both tensors for every layer and direction, or none
    const biasKeys: string[] = [];
    for (let k = 0; k < L; k++) for (let d = 0; d < D; d++) biasKeys.push(`${p}bias_ih_l${k}${sfx(d)}`, `${p}bias_hh_l${k}${sfx(d)}`);
    const present = biasKeys.filter((b) => found.has(b));
    if (present.length > 0 && present.length < biasKeys.length) {
      const missing = biasKeys.find((b) => !found.has(b))!;
      this.format(missing, `tensor '${missing}' is missing, but '${present[0]}' is present (PyTorch saves both biases of every layer, or none with bias=False)`);
    }
    const hasBias = present.length > 0;
    // the config's statements against the shapes
    const st = this.st.file;
    if (c.hidden_size !== undefined && c.hidden_size !== H) this.usage(`${where}.hidden_size`, `is ${c.hidden_size}, but '${hh0}' in ${st} has shape ${shapeText(hhs)} (hidden size ${H})`, c.hidden_size, H);
    if (c.input_size !== undefined && c.input_size !== I) this.usage(`${where}.input_size`, `is ${c.input_size}, but '${ih0}' in ${st} has shape ${shapeText(ihs)} (input size ${I})`, c.input_size, I);
    if (c.num_layers !== undefined && c.num_layers !== L) this.usage(`${where}.num_layers`, `is ${c.num_layers}, but ${st} has layers ${L === 1 ? '0' : `0 to ${L - 1}`} under '${p}' ('${p}weight_ih_l${L - 1}')`, c.num_layers, L);
    if (c.bidirectional !== undefined && c.bidirectional !== (D === 2)) {
      this.usage(`${where}.bidirectional`, `is ${c.bidirectional}, but ${st} ${D === 2 ? `has '${p}weight_ih_l0_reverse'` : `has no '${p}weight_ih_l0_reverse'`}`, c.bidirectional, D === 2);
    }
    if (c.bias !== undefined && c.bias !== hasBias) this.usage(`${where}.bias`, `is ${c.bias}, but ${st} ${hasBias ? `has '${p}bias_ih_l0'` : `has no '${p}bias_ih_l0'`}`, c.bias, hasBias);
    this.checkWidth(where, I, ih0);
    // the IR layers, one per PyTorch layer
    const acts: Activation[] = c.type === 'lstm' ? [{ name: 'sigmoid' }, { name: 'tanh' }, { name: 'tanh' }]
      : c.type === 'gru' ? [{ name: 'sigmoid' }, { name: 'tanh' }] : [{ name: c.nonlinearity }];
    const order = c.type === 'gru' ? [1, 0, 2] : undefined; // PyTorch r, z, n -> z, r, n
    const gates = (a: Float32Array) => (order ? reorderGates(a, G, order) : a);
    for (let k = 0; k < L; k++) {
      const inK = k === 0 ? I : D * H;
      const weights: RecurrentWeights[] = [];
      for (let d = 0; d < D; d++) {
        const s = `l${k}${sfx(d)}`;
        const why = `${G} gates x hidden ${H} from '${hh0}'${k > 0 ? `; layer ${k} takes ${D === 2 ? 'both directions of ' : ''}layer ${k - 1}` : ''}`;
        const w: RecurrentWeights = {
          W: gates(this.take(`${p}weight_ih_${s}`, [G * H, inK], why)),
          R: gates(this.take(`${p}weight_hh_${s}`, [G * H, H], why)),
        };
        if (hasBias) {
          w.bW = gates(this.take(`${p}bias_ih_${s}`, [G * H], why));
          w.bR = gates(this.take(`${p}bias_hh_${s}`, [G * H], why));
        }
        weights.push(w);
      }
      const layer: RecurrentLayer = {
        kind: c.type, name: `${p}l${k}`, inputSize: inK, hiddenSize: H,
        direction: D === 2 ? 'bidirectional' : 'forward',
        output: k === L - 1 ? c.return : 'sequence',
        activations: weights.map(() => acts.map((a) => ({ ...a }))),
        weights,
      };
      if (c.type === 'gru') layer.resetAfter = true;
      this.layers.push(layer);
    }
    if (this.inputBatchFirst === undefined) this.inputBatchFirst = c.batch_first;
    this.outputBatchFirst = c.batch_first;
    this.collapsed = c.return !== 'sequence';
    this.width = D * H;
  }

  linear(c: LinearConfig, where: string): void {
    const wKey = `${c.prefix}weight`, bKey = `${c.prefix}bias`;
    const we = this.entry(wKey);
    if (!we) this.usage(`${where}.prefix`, `no tensor '${wKey}' in ${this.st.file} (${this.listPrefix(c.prefix)})`);
    if (we.shape.length !== 2) this.format(wKey, `tensor '${wKey}' has shape ${shapeText(we.shape)}; nn.Linear weight is [out_features, in_features]`);
    const [out, inF] = we.shape as [number, number];
    if (c.in_features !== undefined && c.in_features !== inF) this.usage(`${where}.in_features`, `is ${c.in_features}, but '${wKey}' has shape ${shapeText(we.shape)} (in_features ${inF})`, c.in_features, inF);
    if (c.out_features !== undefined && c.out_features !== out) this.usage(`${where}.out_features`, `is ${c.out_features}, but '${wKey}' has shape ${shapeText(we.shape)} (out_features ${out})`, c.out_features, out);
    const hasBias = this.entry(bKey) !== undefined;
    if (c.bias !== undefined && c.bias !== hasBias) this.usage(`${where}.bias`, `is ${c.bias}, but ${this.st.file} ${hasBias ? 'has' : 'has no'} '${bKey}'`, c.bias, hasBias);
    if (out === 0 || inF === 0) this.format(wKey, `tensor '${wKey}' has shape ${shapeText(we.shape)}; a layer needs at least one input and one output`);
    this.checkWidth(where, inF, wKey);
    if (this.width === undefined) this.width = inF;
    const layer: DenseLayer = {
      kind: 'dense', name: c.prefix.replace(/\.$/, '') || 'linear', inputSize: inF, units: out,
      W: this.take(wKey, [out, inF], 'nn.Linear weight'), activation: c.activation,
    };
    if (hasBias) layer.b = this.take(bKey, [out], `out_features ${out} from '${wKey}' ${shapeText(we.shape)}`);
    this.layers.push(layer);
    this.width = out;
  }

  activation(c: ActivationConfig, where: string): void {
    if (this.width === undefined) this.usage(where, 'an activation cannot be the first layer: its size comes from the layer before it');
    const layer: ActivationLayer = { kind: 'activation', name: c.activation.name, size: this.width, activation: c.activation };
    this.layers.push(layer);
  }

  /** Tensors neither used nor ignored: a silently dropped module would be a different model. */
  leftovers(): void {
    const ignored = (key: string) => this.cfg.ignore.some((i) => key === i || (i.endsWith('.') && key.startsWith(i)));
    for (const i of this.cfg.ignore) {
      const clash = [...this.used].find((k) => k === i || (i.endsWith('.') && k.startsWith(i)));
      if (clash) this.usage('ignore', `entry '${i}' covers '${clash}', which a layer uses`);
    }
    const left = [...this.st.tensors.values()].filter((e) => !this.used.has(e.name) && !ignored(e.name));
    if (left.length) {
      const list = left.slice(0, 20).map((e) => `'${e.name}' ${shapeText(e.shape)}`).join(', ') + (left.length > 20 ? `, … (${left.length} in all)` : '');
      this.usage('layers', `${left.length} tensor${left.length > 1 ? 's' : ''} of ${this.st.file} ${left.length > 1 ? 'are' : 'is'} not used by any layer: ${list}. Describe ${left.length > 1 ? 'them' : 'it'} in "layers", or list ${left.length > 1 ? 'them' : 'it'} (or a prefix ending in '.') in "ignore" if the model's forward() does not use ${left.length > 1 ? 'them' : 'it'}`, undefined, left.map((e) => e.name));
    }
  }
}

function checkMetadata(cfg: Config, meta: Record<string, unknown>, inputSize: number, outputSize: number): ModelMetadata {
  const r: ConfigReader = new ConfigReader(cfg.file);
  const out: ModelMetadata = {};
  for (const [k, v] of Object.entries(meta)) {
    const where = `metadata.${k}`;
    const finite = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
    if (k === 'description') {
      if (typeof v !== 'string') r.fail(where, 'must be a string');
      out.description = v;
    } else if (k === 'features') {
      if (!Array.isArray(v) || v.length !== inputSize) r.fail(where, `must be an array of ${inputSize} features (the model's input size), got ${Array.isArray(v) ? `${v.length}` : JSON.stringify(v)}`, inputSize);
      out.features = v.map((f, i): FeatureSpec => {
        if (typeof f === 'string') return { name: f };
        if (!isObject(f) || typeof f['name'] !== 'string' || (f['unit'] !== undefined && typeof f['unit'] !== 'string')) {
          return r.fail(`${where}[${i}]`, `must be a name or {"name": string, "unit"?: string}, got ${JSON.stringify(f)}`);
        }
        r.keys(f, `${where}[${i}]`, ['name', 'unit']);
        return { name: f['name'], ...(typeof f['unit'] === 'string' ? { unit: f['unit'] } : {}) };
      });
    } else if (k === 'samplePeriod') {
      if (!finite(v) || (v as number) <= 0) r.fail(where, `must be a positive number of seconds, got ${JSON.stringify(v)}`);
      out.samplePeriod = v as number;
    } else if (k === 'normalization') {
      if (!isObject(v)) r.fail(where, 'must be {"mean": [...], "std": [...]}');
      r.keys(v, where, ['mean', 'std']);
      const mean = v['mean'], std = v['std'];
      if (!Array.isArray(mean) || mean.length !== inputSize || !mean.every(finite)) r.fail(`${where}.mean`, `must be ${inputSize} finite numbers (the model's input size)`, inputSize);
      if (!Array.isArray(std) || std.length !== inputSize || !std.every((s) => finite(s) && (s as number) > 0)) r.fail(`${where}.std`, `must be ${inputSize} positive numbers (the model's input size)`, inputSize);
      out.normalization = { mean: mean as number[], std: std as number[] };
    } else if (k === 'output') {
      if (!isObject(v)) r.fail(where, 'must be {"unit"?: string, "names"?: [...]}');
      r.keys(v, where, ['unit', 'names']);
      if (v['unit'] !== undefined && typeof v['unit'] !== 'string') r.fail(`${where}.unit`, 'must be a string');
      const names = v['names'];
      if (names !== undefined && (!Array.isArray(names) || names.length !== outputSize || !names.every((n) => typeof n === 'string'))) {
        r.fail(`${where}.names`, `must be ${outputSize} strings (one per output value)`, outputSize);
      }
      out.output = { shape: [], ...(typeof v['unit'] === 'string' ? { unit: v['unit'] } : {}), ...(names ? { names: names as string[] } : {}) };
    } else {
      out[k] = v;
    }
  }
  return out;
}

/** Imports a PyTorch state_dict saved as safetensors, described by its config JSON. */
export function importSafetensors(src: SourceFiles, options: SafetensorsImportOptions = {}): ModelIR {
  const bytes = src.files[src.main];
  if (!bytes) throw new UsageError(`the source files do not include the main file '${src.main}'`, { where: src.main });
  const { name: cfgName, json } = findConfig(src);
  const cfg = new ConfigReader(cfgName).read(json);
  const st = readSafetensors(bytes, { file: src.main, ...(options.maxElements !== undefined ? { maxElements: options.maxElements } : {}) });
  const im = new Importer(st, cfg);
  cfg.layers.forEach((l, i) => {
    const where = `layers[${i}]`;
    if (l.type === 'linear') im.linear(l, where);
    else if (l.type === 'activation') im.activation(l, where);
    else if (l.type !== 'dropout') im.recurrent(l, where);
  });
  if (im.inputBatchFirst === undefined) {
    throw new UsageError(`${cfgName}: layers: the config has no "lstm", "gru" or "rnn" layer`, { where: 'layers' });
  }
  im.leftovers();
  const layers = im.layers;
  const first = layers[0]!; // a Linear or a recurrent layer: an activation cannot come first
  const inputSize = first.kind === 'activation' ? first.size : first.inputSize;
  const outputSize = im.width!;
  const shape = cfg.outputShape ?? [outputSize];
  if (shape.reduce((a, b) => a * b, 1) !== outputSize) {
    throw new UsageError(`${cfgName}: output_shape: ${shapeText(shape)} holds ${shape.reduce((a, b) => a * b, 1)} values, the last layer gives ${outputSize}`, { where: 'output_shape', expected: outputSize, actual: shape });
  }
  const time = !im.collapsed;
  const inAxes: Axis[] = im.inputBatchFirst ? ['batch', 'time', 'feature'] : ['time', 'batch', 'feature'];
  // runtime output axes: [batch, time?, ...shape]; a time-major module returns [time, batch, ...]
  const perm = [...Array(shape.length + (time ? 2 : 1)).keys()];
  if (time && !im.outputBatchFirst) [perm[0], perm[1]] = [1, 0];
  const graph: GraphBinding = {
    inputs: [{ name: 'input', role: 'sequence', axes: inAxes }],
    outputs: [{ name: 'output', role: 'output', time, factors: shape, perm }],
  };
  const extra = checkMetadata(cfg, cfg.metadata, inputSize, outputSize);
  const main = src.main.slice(src.main.lastIndexOf('/') + 1);
  const stem = main.replace(/\.[^.]*$/, '') || main;
  const name = options.name ?? cfg.name ?? stem;
  const metadata: ModelMetadata = {
    ...extra,
    name,
    source: { format: 'safetensors', framework: 'pytorch', file: main },
    graph,
    output: { ...(extra.output ?? {}), shape },
  };
  return { name, inputSize, layers, metadata };
}
