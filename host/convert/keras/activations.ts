// Keras activations and version-dependent defaults.
//
// Keras changed what some names mean and which defaults apply when a config key is absent, so
// both are decided from the *saving* version (rnn-semantics.md §1, §4):
//   hard_sigmoid   clip(0.2x + 0.5, 0, 1) in Keras 1/2, tf.keras and TF.js; clip(x/6 + 0.5, 0, 1)
//                  from Keras 3
//   recurrent_activation (absent)   hard_sigmoid before Keras 2.3 (and in TF.js), sigmoid after
//   GRU reset_after (absent)        False in Keras 1, multi-backend Keras 2.x and TF.js; True in
//                                   TF2 tf.keras (2.3.0-tf and later, 2.4+) and Keras 3
// Where the version leaves a choice open ('2.2.4-tf' was written by TF 1.13-1.15 and by TF 2.0-2.1,
// whose layers differ) and the file does not say, the importer refuses rather than guesses.

import type { Activation } from '../ir.js';
import { UnsupportedModelError } from '../../errors.js';

export type KerasFamily = 'keras1' | 'keras2' | 'keras3' | 'tfjs' | 'unknown';

export interface Dialect {
  family: KerasFamily;
  /** The version string as recorded, for messages. */
  version: string | undefined;
  /** What 'hard_sigmoid' computes; undefined when the version cannot tell. */
  hardSigmoid: Activation | undefined;
  /** Default recurrent_activation when the key is absent; undefined when the version cannot tell. */
  recurrentActivation: string | undefined;
  /** Default GRU reset_after when the key is absent; undefined when the version cannot tell. */
  resetAfter: boolean | undefined;
}

const HARD_SIGMOID_K2: Activation = { name: 'hard_sigmoid', alpha: 0.2, beta: 0.5 };
const HARD_SIGMOID_K3: Activation = { name: 'hard_sigmoid', alpha: 1 / 6, beta: 0.5 };

/**
 * The dialect of a saving version. `format` is the container ('tfjs' files of unknown version are
 * TF.js's own); `keras3Markers` tells whether the config uses Keras 3 serialization (module /
 * registered_name keys), which identifies Keras 3 when no version is recorded.
 */
export function dialectOf(version: string | undefined, format: string, keras3Markers: boolean): Dialect {
  const v = version?.trim();
  const make = (family: KerasFamily, hs: Activation | undefined, rec: string | undefined, ra: boolean | undefined): Dialect => ({
    family, version: v, hardSigmoid: hs, recurrentActivation: rec, resetAfter: ra,
  });
  if ((v && /^tfjs/i.test(v)) || (!v && format === 'tfjs')) return make('tfjs', HARD_SIGMOID_K2, 'hard_sigmoid', false);
  // a bare major ('3') is what a reader records when only the layout tells the version
  const m = v ? /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(.*)$/.exec(v) : null;
  if (m) {
    const major = Number(m[1]), minor = Number(m[2] ?? 0);
    if (m[2] === undefined && major === 2) return make('unknown', undefined, undefined, undefined);
    const tf = /-tf\b/.test(m[4] ?? '');
    if (major <= 1) return make('keras1', HARD_SIGMOID_K2, 'hard_sigmoid', false);
    if (major === 2) {
      if (minor <= 1) return make('keras2', HARD_SIGMOID_K2, 'hard_sigmoid', false);
      if (minor === 2) return tf ? make('keras2', HARD_SIGMOID_K2, undefined, undefined) : make('keras2', HARD_SIGMOID_K2, 'hard_sigmoid', false);
      if (minor === 3) return make('keras2', HARD_SIGMOID_K2, 'sigmoid', tf);
      return make('keras2', HARD_SIGMOID_K2, 'sigmoid', true);
    }
    return make('keras3', HARD_SIGMOID_K3, 'sigmoid', true);
  }
  if (keras3Markers) return make('keras3', HARD_SIGMOID_K3, 'sigmoid', true);
  return make('unknown', undefined, undefined, undefined);
}

/** camelCase (TF.js) to snake_case (Keras): hardSigmoid -> hard_sigmoid. */
function snake(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

const PLAIN: Record<string, Activation> = {
  linear: { name: 'linear' },
  tanh: { name: 'tanh' },
  sigmoid: { name: 'sigmoid' },
  relu: { name: 'relu' },
  elu: { name: 'elu', alpha: 1 },
  selu: { name: 'selu' },
  softsign: { name: 'softsign' },
  softplus: { name: 'softplus' },
  exponential: { name: 'exponential' },
  swish: { name: 'silu' },
  silu: { name: 'silu' },
  gelu: { name: 'gelu' }, // Keras, tf.keras and TF.js 'gelu' are the exact (erf) form
  gelu_new: { name: 'gelu_tanh' }, // TF.js's tanh approximation
  relu6: { name: 'relu6' },
  hard_silu: { name: 'hard_silu' },
  hard_swish: { name: 'hard_silu' },
  mish: { name: 'mish' },
  leaky_relu: { name: 'leaky_relu', alpha: 0.2 }, // Keras 3 activations.leaky_relu: negative_slope 0.2
  softmax: { name: 'softmax' },
  log_softmax: { name: 'log_softmax' },
};

/**
 * A Keras activation (a name, null for linear, or a Keras 3 serialized function) as the IR's.
 * `where` names the layer and the option for messages.
 */
export function kerasActivation(spec: unknown, dialect: Dialect, where: string): Activation {
  let name: string;
  if (spec === null || spec === undefined) return { name: 'linear' };
  if (typeof spec === 'string') name = spec;
  else if (typeof spec === 'object' && typeof (spec as { config?: unknown }).config === 'string') {
    // Keras 3 may serialize a built-in as {module: 'keras.activations', class_name: 'function', config: 'tanh'}
    name = (spec as { config: string }).config;
  } else {
    const cls = typeof spec === 'object' ? (spec as { class_name?: unknown }).class_name : undefined;
    throw new UnsupportedModelError(`${where}: activation ${typeof cls === 'string' ? `'${cls}'` : JSON.stringify(spec)} is not a built-in Keras activation`, { where });
  }
  const key = snake(name);
  if (key === 'hard_sigmoid') {
    if (!dialect.hardSigmoid) {
      throw new UnsupportedModelError(`${where}: 'hard_sigmoid' means clip(0.2x + 0.5, 0, 1) before Keras 3 and clip(x/6 + 0.5, 0, 1) from Keras 3, and the file does not record the Keras version that saved it`, { where });
    }
    return { ...dialect.hardSigmoid };
  }
  const a = PLAIN[key];
  if (!a) throw new UnsupportedModelError(`${where}: '${name}' is not a supported activation`, { where });
  return { ...a };
}

/** recurrent_activation of a recurrent layer config (Keras 1: inner_activation), with the version's default. */
export function recurrentActivationOf(cfg: Record<string, unknown>, dialect: Dialect, where: string): Activation {
  const spec = 'recurrent_activation' in cfg ? cfg.recurrent_activation : 'inner_activation' in cfg ? cfg.inner_activation : undefined;
  if (spec !== undefined) return kerasActivation(spec, dialect, `${where} recurrent_activation`);
  if (!dialect.recurrentActivation) {
    throw new UnsupportedModelError(`${where}: recurrent_activation is not in the config and its default depends on the Keras version (hard_sigmoid before 2.3, sigmoid after), which the file does not pin down (version ${dialect.version ?? 'unknown'})`, { where });
  }
  return kerasActivation(dialect.recurrentActivation, dialect, `${where} recurrent_activation`);
}
