// A Keras architecture JSON and a weights HDF5 file side by side -> KerasDocument:
//   - Keras 1 / Keras 2: `model.to_json()` + `model.save_weights('x.h5')` (legacy weights layout,
//     root attribute layer_names);
//   - Keras 3: `model.to_json()` (a config with module/registered_name, often named model.json) +
//     `model.save_weights('x.weights.h5')` (Keras 3 layout, layers/<path>/vars/<i>).
// Either file may be the main one; the other is found among the files beside it: the only
// candidate, or the one with the same stem (model.json <-> model.h5). JSON files that are not a
// Keras model config (metadata, a TF.js model.json) are not candidates.

import type { SourceFiles } from '../source.js';
import type { KerasDocument } from './document.js';
import { readKerasH5 } from './h5.js';
import { isHdf5 } from './hdf5.js';
import { ModelFormatError, UnsupportedModelError, UsageError } from '../../errors.js';
import { jsonDepth, MAX_JSON_DEPTH } from '../json.js';

const MAX_JSON_BYTES = 64 * 1024 * 1024;

function firstChar(bytes: Uint8Array): string {
  for (const b of bytes.subarray(0, 4096)) if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0xef && b !== 0xbb && b !== 0xbf) return String.fromCharCode(b);
  return '';
}

type JsonKind = { kind: 'keras'; value: unknown } | { kind: 'tfjs' } | { kind: 'invalid'; error: string } | { kind: 'other' };

/** Whether a file is a Keras model config (to_json()), a TF.js model.json, or something else. */
function jsonKind(bytes: Uint8Array): JsonKind {
  const c = firstChar(bytes);
  if ((c !== '{' && c !== '[') || bytes.length > MAX_JSON_BYTES) return { kind: 'other' };
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    return { kind: 'invalid', error: (e as Error).message };
  }
  if (jsonDepth(value) > MAX_JSON_DEPTH) return { kind: 'invalid', error: `it nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep` };
  if (Array.isArray(value)) return value.length > 0 && value.every((l) => typeof l === 'object' && l !== null && 'class_name' in l) ? { kind: 'keras', value } : { kind: 'other' };
  if (typeof value !== 'object' || value === null) return { kind: 'other' };
  if ('modelTopology' in value) return { kind: 'tfjs' };
  return 'class_name' in value && 'config' in value ? { kind: 'keras', value } : { kind: 'other' };
}

function stem(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.indexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** The one partner file among `names`: the only one, else the only one with the main file's stem. */
function pick(names: string[], main: string, what: string): string | undefined {
  if (names.length <= 1) return names[0];
  const same = names.filter((n) => stem(n) === stem(main));
  if (same.length === 1) return same[0];
  throw new UsageError(`${main} has ${names.length} possible ${what} beside it (${names.join(', ')}); keep only the one that belongs to it`, { where: main, actual: names });
}

export async function readKerasPair(src: SourceFiles): Promise<KerasDocument> {
  const mainBytes = src.files[src.main];
  if (!(mainBytes instanceof Uint8Array)) throw new UsageError(`the main file '${src.main}' is not among the files given`, { where: src.main });
  const others = Object.keys(src.files).filter((n) => n !== src.main);
  let h5Name: string;
  let config: () => unknown;
  let used: unknown;
  if (isHdf5(mainBytes)) {
    // The JSON is looked for only if the HDF5 file needs it (a full model carries its own).
    h5Name = src.main;
    config = () => {
      const jsons = others.map((n) => [n, jsonKind(src.files[n]!)] as const).filter(([, k]) => k.kind === 'keras');
      const name = pick(jsons.map(([n]) => n), src.main, 'architecture JSON files');
      used = name === undefined ? undefined : (jsons.find(([n]) => n === name)![1] as { value: unknown }).value;
      return used;
    };
  } else {
    const k = jsonKind(mainBytes);
    if (k.kind === 'tfjs') throw new UnsupportedModelError(`${src.main} is a TF.js Layers model.json (it has modelTopology), not a Keras architecture file; read it with the TF.js reader`, { where: src.main });
    if (k.kind === 'invalid') throw new ModelFormatError(`${src.main} is not valid JSON: ${k.error}`, { where: src.main });
    if (k.kind !== 'keras') throw new ModelFormatError(`${src.main} is neither an HDF5 file nor a Keras model config (JSON with class_name and config)`, { where: src.main });
    const found = pick(others.filter((n) => isHdf5(src.files[n]!)), src.main, 'HDF5 weights files');
    if (found === undefined) {
      throw new UnsupportedModelError(`${src.main} is a Keras model config without weights: put the weights file (.h5 / .weights.h5 of save_weights) beside it`, { where: src.main });
    }
    h5Name = found;
    config = () => (used = k.value);
  }
  const doc = await readKerasH5(src.files[h5Name]!, { config, name: h5Name });
  if (used !== undefined && doc.config === used) doc.format = 'keras-json';
  return doc;
}
