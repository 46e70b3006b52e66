// Keras HDF5 files -> KerasDocument. Three layouts (../shared/reference/rnn-semantics.md §4):
//
// 1. Legacy full model (`model.save('x.h5')`, Keras 1/2, tf.keras, Keras 3's legacy writer): root
//    attributes keras_version, backend, model_config (JSON); group model_weights with attribute
//    layer_names, each layer group with attribute weight_names; the arrays sit at
//    model_weights/<layer>/<weight name>. The weight_names order is get_weights() order (HDF5 lists
//    members alphabetically, which is not). optimizer_weights and foreign groups (info/) are not
//    read.
// 2. Legacy weights only (`save_weights('x.h5')`): the same layer groups at the root, with the
//    root attribute layer_names and no model_config: the architecture comes from a JSON file
//    beside it (opts.config).
// 3. Keras 3 (`*.weights.h5`, and model.weights.h5 inside a .keras archive): groups
//    layers/<path>/[cell/]vars/<0,1,2...>, where <path> is the snake-cased class name plus a
//    per-model counter ('lstm', 'lstm_1', 'dense'), not the layer's name; the name is at most an
//    attribute `name` on the vars group. Mapping them onto the config's layers therefore needs
//    the config (opts.config): paths are derived from class names in config order (as Keras's
//    saving_lib does), cross-checked against the `name` attributes where present, and the array
//    shapes are checked against the layer configs. optimizer/ and the top-level vars are skipped.
//
// Legacy attribute lists that outgrow an HDF5 object header are split by Keras into
// `<name>0`, `<name>1`...; both forms are read.

import type { KerasDocument, NamedArray } from './document.js';
import { withHdf5, type Hdf5File } from './hdf5.js';
import { ModelFormatError, UnsupportedModelError } from '../../errors.js';
import { checkJsonDepth } from '../json.js';

export interface KerasH5Options {
  /**
   * The model architecture, for files that hold only weights: a parsed JSON object or its text
   * (Keras 1/2 `model.to_json()`, a Keras 3 `model.to_json()` / config.json), or a function
   * that returns it (or undefined), called only when the file needs it. A legacy full model
   * uses its own model_config.
   */
  config?: unknown;
  /** The file's name in messages (default 'the HDF5 file'). */
  name?: string;
}

/** Keras 3 writes layout 3; it records no version there, so this is all that is known. */
export const KERAS3_LAYOUT_VERSION = '3';

/** Parses JSON text (or bytes, or an already parsed value) describing a model. */
export function parseConfig(config: unknown, where: string): unknown {
  let text: string | undefined;
  if (typeof config === 'string') text = config;
  else if (config instanceof Uint8Array) text = new TextDecoder().decode(config);
  if (text === undefined) return config;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ModelFormatError(`${where} is not valid JSON: ${(e as Error).message}`, { where, cause: e });
  }
  return checkJsonDepth(value, where);
}

/** The architecture given with a weights file, parsed; undefined when there is none. */
function givenConfig(opts: KerasH5Options): unknown {
  const c = typeof opts.config === 'function' ? (opts.config as () => unknown)() : opts.config;
  return c === undefined ? undefined : parseConfig(c, 'the model config');
}

export async function readKerasH5(bytes: Uint8Array, opts: KerasH5Options = {}): Promise<KerasDocument> {
  const where = opts.name ?? 'the HDF5 file';
  return withHdf5(bytes, where, (f) => {
    const top = f.children('/');
    if (top.includes('model_weights') && f.isGroup('/model_weights')) return readLegacyFull(f, opts);
    if (f.hasAttr('/', 'layer_names') || f.hasAttr('/', 'layer_names0')) return readLegacyWeights(f, opts);
    if ((top.includes('layers') && f.isGroup('/layers')) || (top.includes('_layer_checkpoint_dependencies') && f.isGroup('/_layer_checkpoint_dependencies'))) {
      return readKeras3Weights(f, givenConfig(opts));
    }
    throw new ModelFormatError(
      `${where} is an HDF5 file but not a Keras model or weights file: it has no model_weights group, no layer_names attribute and no layers group (top-level members: ${top.length ? top.join(', ') : 'none'})`,
      { where },
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Legacy layouts (1, 2)

/** A string-list attribute, also in Keras's chunked form `<name>0`, `<name>1`... */
function chunkedStrings(f: Hdf5File, path: string, name: string): string[] | undefined {
  const whole = f.stringsAttr(path, name);
  if (whole !== undefined) return whole;
  if (!f.hasAttr(path, `${name}0`)) return undefined;
  const out: string[] = [];
  for (let k = 0; f.hasAttr(path, `${name}${k}`); k++) out.push(...f.stringsAttr(path, `${name}${k}`)!);
  return out;
}

function join(base: string, name: string): string {
  return base === '/' ? `/${name}` : `${base}/${name}`;
}

/** Per-layer arrays of a legacy weights group (model_weights, or the root of save_weights). */
function legacyWeights(f: Hdf5File, base: string): Map<string, NamedArray[]> {
  const layerNames = chunkedStrings(f, base, 'layer_names');
  if (layerNames === undefined) {
    throw new ModelFormatError(`${f.where}: the weights group ${base} has no layer_names attribute`, { where: `${f.where}:${base}` });
  }
  const weights = new Map<string, NamedArray[]>();
  for (const layer of layerNames) {
    const gpath = join(base, layer);
    if (weights.has(layer)) throw new ModelFormatError(`${f.where}: layer '${layer}' is listed twice in layer_names of ${base}`, { where: `${f.where}:${base}` });
    if (!f.isGroup(gpath)) {
      throw new ModelFormatError(`${f.where}: layer '${layer}' is listed in layer_names of ${base}, but there is no group ${gpath}`, { where: `${f.where}:${gpath}` });
    }
    const names = chunkedStrings(f, gpath, 'weight_names');
    if (names === undefined) throw new ModelFormatError(`${f.where}: layer group ${gpath} has no weight_names attribute`, { where: `${f.where}:${gpath}` });
    weights.set(layer, names.map((w) => {
      const p = join(gpath, w);
      if (f.kind(p) !== 'dataset') {
        throw new ModelFormatError(`${f.where}: layer '${layer}' lists weight '${w}' in weight_names, but there is no dataset ${p}`, { where: `${f.where}:${p}` });
      }
      const d = f.float32(p);
      return { name: w, shape: d.shape, data: d.data };
    }));
  }
  return weights;
}

function readLegacyFull(f: Hdf5File, opts: KerasH5Options): KerasDocument {
  const attr = (name: string): string | undefined => f.stringAttr('/', name) ?? f.stringAttr('/model_weights', name);
  const text = f.stringAttr('/', 'model_config');
  const config = text === undefined ? givenConfig(opts) : parseConfig(text, `${f.where}: attribute model_config`);
  if (config === undefined) {
    throw new UnsupportedModelError(`${f.where} holds a model's weights (model_weights) but no model_config attribute: the architecture is needed, as the JSON of model.to_json() saved beside it`, { where: `${f.where}:/` });
  }
  const doc: KerasDocument = { format: 'h5', config, weights: legacyWeights(f, '/model_weights') };
  const version = attr('keras_version'), backend = attr('backend');
  if (version !== undefined) doc.kerasVersion = version;
  if (backend !== undefined) doc.backend = backend;
  return doc;
}

function readLegacyWeights(f: Hdf5File, opts: KerasH5Options): KerasDocument {
  const config = givenConfig(opts);
  if (config === undefined) {
    throw new UnsupportedModelError(
      `${f.where} holds only weights (Keras save_weights: a layer_names attribute, no model_config); the architecture is needed: the JSON file of model.to_json() saved beside it`,
      { where: `${f.where}:/` },
    );
  }
  const doc: KerasDocument = { format: 'h5', config, weights: legacyWeights(f, '/') };
  // Keras 2 records the versions on the weights file; Keras 1 only in the JSON (to_json()).
  const fromJson = (k: string): string | undefined => {
    const v = typeof config === 'object' && config !== null ? (config as Record<string, unknown>)[k] : undefined;
    return typeof v === 'string' ? v : undefined;
  };
  const version = f.stringAttr('/', 'keras_version') ?? fromJson('keras_version');
  const backend = f.stringAttr('/', 'backend') ?? fromJson('backend');
  if (version !== undefined) doc.kerasVersion = version;
  if (backend !== undefined) doc.backend = backend;
  return doc;
}

// ---------------------------------------------------------------------------------------------
// Keras 3 layout (3)

interface LayerConfig {
  class_name: string;
  config: Record<string, unknown>;
}

function asLayer(v: unknown, where: string): LayerConfig {
  const o = v as Partial<LayerConfig> | null;
  if (typeof o !== 'object' || o === null || typeof o.class_name !== 'string' || typeof o.config !== 'object' || o.config === null) {
    throw new ModelFormatError(`${where}: expected a layer config {class_name, config}`, { where });
  }
  return o as LayerConfig;
}

/** The layer list of a model config (Sequential, Functional, Model), or undefined for a single layer. */
function modelLayers(cfg: LayerConfig, where: string): LayerConfig[] | undefined {
  const layers = cfg.config.layers;
  if (layers === undefined) return undefined;
  if (!Array.isArray(layers)) throw new ModelFormatError(`${where}: config.layers of ${cfg.class_name} is not a list`, { where });
  return layers.map((l, i) => asLayer(l, `${where}: config.layers[${i}]`));
}

/** keras.src.utils.naming.to_snake_case, which names the groups of Keras 3 weights files. */
export function toSnakeCase(name: string): string {
  return name.replace(/\W+/g, '').replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

function layerName(l: LayerConfig): string {
  return typeof l.config.name === 'string' ? l.config.name : '';
}

function describe(l: LayerConfig): string {
  return `layer '${layerName(l)}' (${l.class_name})`;
}

/** Sub-groups a layer's weights group may have, in the order get_weights() lists their arrays. */
const NESTED = ['cell', 'forward_layer', 'backward_layer', 'layer'] as const;

function readKeras3Weights(f: Hdf5File, config: unknown): KerasDocument {
  if (config === undefined) {
    throw new UnsupportedModelError(
      `${f.where} holds Keras 3 weights (layers/<layer>/vars/<i>), which name layers by class and position only; the architecture is needed: read the .keras archive, or give the JSON of model.to_json() saved beside it`,
      { where: `${f.where}:/layers` },
    );
  }
  if (typeof config === 'object' && config !== null && 'modelTopology' in config) {
    throw new UnsupportedModelError('the model config is a TF.js Layers model.json (it has modelTopology), not a Keras config; read it with the TF.js reader', { where: 'config' });
  }
  const model = asLayer(config, 'the model config');
  const layers = modelLayers(model, 'the model config');
  if (!layers) {
    throw new UnsupportedModelError(`the model config describes a single ${model.class_name} layer, not a model (Sequential, Functional or Model with config.layers)`, { where: 'config' });
  }
  const prefix = f.isGroup('/layers') ? '/layers' : '/_layer_checkpoint_dependencies';
  const weights = new Map<string, NamedArray[]>();
  for (const [l, arrays] of keras3Container(f, prefix, layers)) {
    const name = layerName(l);
    if (weights.has(name)) throw new ModelFormatError(`the model config has two layers named '${name}'`, { where: 'config' });
    weights.set(name, arrays);
  }
  return { format: 'h5', kerasVersion: KERAS3_LAYOUT_VERSION, config, weights };
}

/**
 * Arrays of each layer of a model whose layers are saved under `prefix` (saving_lib's
 * _save_container_state): group '<snake_case class>[_<k>]', k counting earlier layers of the same
 * class. Sequential's `layers` leave out its InputLayer; an InputLayer has no weights anyway.
 */
function keras3Container(f: Hdf5File, prefix: string, layers: LayerConfig[]): [LayerConfig, NamedArray[], string][] {
  const members = f.isGroup(prefix) ? f.children(prefix) : [];
  // Groups by their recorded layer name, where Keras wrote one (unique names only).
  const byName = new Map<string, string | null>();
  for (const m of members) {
    const recorded = f.isGroup(`${prefix}/${m}/vars`) ? f.stringsAttr(`${prefix}/${m}/vars`, 'name') : undefined;
    if (recorded?.length === 1) byName.set(recorded[0]!, byName.has(recorded[0]!) ? null : m);
  }
  const counters = new Map<string, number>();
  const out: [LayerConfig, NamedArray[], string][] = [];
  for (const l of layers) {
    if (l.class_name === 'InputLayer') continue; // no weights, and its counter is its own
    const snake = toSnakeCase(l.class_name);
    const k = (counters.get(snake) ?? -1) + 1;
    counters.set(snake, k);
    const derived = k === 0 ? snake : `${snake}_${k}`;
    const name = layerName(l);
    let group = derived;
    const recorded = f.isGroup(`${prefix}/${derived}/vars`) ? f.stringsAttr(`${prefix}/${derived}/vars`, 'name') : undefined;
    if (!f.isGroup(`${prefix}/${derived}`) || (recorded?.length === 1 && recorded[0] !== name)) {
      const found = byName.get(name);
      if (typeof found !== 'string') {
        const why = f.isGroup(`${prefix}/${derived}`) ? `holds layer '${recorded![0]}'` : 'does not exist';
        throw new ModelFormatError(
          `${f.where}: no weights group for ${describe(l)}: ${prefix}/${derived} (its class and position) ${why}, and no group records the name '${name}'`,
          { where: `${f.where}:${prefix}/${derived}` },
        );
      }
      group = found;
    }
    const arrays = keras3Layer(f, `${prefix}/${group}`, l, l, '');
    checkKeras3Shapes(f, `${prefix}/${group}`, l, arrays);
    out.push([l, arrays, group]);
  }
  return out;
}

/** The arrays of a vars group in variable order (0, 1, 2...); `top` is the layer in messages. */
function varsOf(f: Hdf5File, path: string, top: LayerConfig, rel: string): NamedArray[] {
  if (!f.isGroup(path)) return [];
  const names = f.children(path);
  const sorted = names.map(Number).sort((a, b) => a - b);
  if (names.some((n) => String(Number(n)) !== n) || sorted.some((v, i) => v !== i)) {
    throw new ModelFormatError(`${f.where}: the variables of ${describe(top)} at ${path} are named ${names.join(', ')}, expected 0, 1, 2...`, { where: `${f.where}:${path}` });
  }
  return sorted.map((i) => {
    const d = f.float32(`${path}/${i}`);
    return { name: `${rel}vars/${i}`, shape: d.shape, data: d.data };
  });
}

/** Whether a group holds datasets at any depth (HDF5 groups may link in cycles: depth is capped). */
function hasDatasets(f: Hdf5File, path: string, depth = 0): boolean {
  const kind = f.kind(path);
  if (kind === 'dataset') return true;
  if (kind !== 'group') return false;
  if (depth > 16) throw new ModelFormatError(`${f.where}: groups nest more than 16 deep at ${path} (a cycle of links?)`, { where: `${f.where}:${path}` });
  return f.children(path).some((c) => hasDatasets(f, `${path}/${c}`, depth + 1));
}

/**
 * A layer's arrays in get_weights() order: its own variables, then those of its sub-layers
 * (`l` is the config of the layer or sub-layer at `path`, when known; `top` the model's layer).
 */
function keras3Layer(f: Hdf5File, path: string, l: LayerConfig | undefined, top: LayerConfig, rel: string): NamedArray[] {
  const arrays = varsOf(f, `${path}/vars`, top, rel);
  const nested = l ? modelLayers(l, describe(l)) : undefined;
  const children = f.children(path).filter((c) => c !== 'vars');
  for (const c of children) {
    if ((NESTED as readonly string[]).includes(c) || (c === 'layers' && nested)) continue;
    if (hasDatasets(f, `${path}/${c}`)) {
      throw new UnsupportedModelError(
        `${f.where}: ${describe(top)} keeps weights in a sub-group '${rel}${c}' (${path}/${c}), whose place in get_weights() order is not known`,
        { where: `${f.where}:${path}/${c}` },
      );
    }
  }
  for (const c of NESTED) {
    if (!children.includes(c)) continue;
    const key = c === 'backward_layer' && l?.config.backward_layer !== undefined ? 'backward_layer' : c === 'cell' ? undefined : 'layer';
    const inner = key && l ? l.config[key] : undefined;
    const innerLayer = inner === undefined ? undefined : asLayer(inner, `${describe(top)}: config.${key}`);
    arrays.push(...keras3Layer(f, `${path}/${c}`, innerLayer, top, `${rel}${c}/`));
  }
  if (nested && children.includes('layers')) {
    for (const [, a, group] of keras3Container(f, `${path}/layers`, nested)) {
      arrays.push(...a.map((x) => ({ ...x, name: `${rel}layers/${group}/${x.name}` })));
    }
  }
  return arrays;
}

// Shape checks: they confirm that the class/position mapping picked the right group.

const GATE_BLOCKS: Record<string, number> = { LSTM: 4, GRU: 3, SimpleRNN: 1 };

function positiveInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}

/** Expected shapes of a layer's arrays (-1: any size), or undefined for classes not checked. */
function expectedShapes(l: LayerConfig): number[][] | undefined {
  const c = l.config;
  const bias = c.use_bias !== false;
  if (l.class_name === 'Dense') {
    const u = positiveInt(c.units);
    return u === undefined ? undefined : [[-1, u], ...(bias ? [[u]] : [])];
  }
  const G = GATE_BLOCKS[l.class_name];
  if (G !== undefined) {
    const u = positiveInt(c.units);
    if (u === undefined) return undefined;
    const b = l.class_name === 'GRU' && c.reset_after !== false ? [2, G * u] : [G * u];
    return [[-1, G * u], [u, G * u], ...(bias ? [b] : [])];
  }
  if (l.class_name === 'Bidirectional' && c.layer !== undefined) {
    const fwd = expectedShapes(asLayer(c.layer, `${describe(l)}: config.layer`));
    const bwd = expectedShapes(asLayer(c.backward_layer ?? c.layer, `${describe(l)}: config.backward_layer`));
    return fwd && bwd ? [...fwd, ...bwd] : undefined;
  }
  if (l.class_name === 'TimeDistributed' && c.layer !== undefined) return expectedShapes(asLayer(c.layer, `${describe(l)}: config.layer`));
  return undefined;
}

function checkKeras3Shapes(f: Hdf5File, path: string, l: LayerConfig, arrays: NamedArray[]): void {
  const want = expectedShapes(l);
  if (!want) return;
  const fmt = (s: number[]): string => `[${s.map((d) => (d < 0 ? '?' : d)).join(', ')}]`;
  const ok = arrays.length === want.length && arrays.every((a, i) => a.shape.length === want[i]!.length && a.shape.every((d, j) => want[i]![j]! < 0 || d === want[i]![j]));
  if (!ok) {
    throw new ModelFormatError(
      `${f.where}: the weights group ${path} does not fit ${describe(l)}: it holds ${arrays.map((a) => `${a.name} ${fmt(a.shape)}`).join(', ') || 'no arrays'}, the config needs ${want.map(fmt).join(', ')}`,
      { where: `${f.where}:${path}`, expected: want, actual: arrays.map((a) => a.shape) },
    );
  }
}
