// Models of the page: the bundled trajectory predictors (assets fetched from the page's own
// origin), and models the user drops or picks (.ernn loaded as is; .onnx, .keras, .h5, TF.js
// model.json + shards and safetensors + config converted in the browser by the host's converter).

import lstmInt8Url from '../models/eth-ucy/lstm-hotel-int8.ernn?url';
import lstmF32Url from '../models/eth-ucy/lstm-hotel-f32.ernn?url';
import gruInt8Url from '../models/eth-ucy/gru-hotel-int8.ernn?url';
import gruF32Url from '../models/eth-ucy/gru-hotel-f32.ernn?url';
import type { Runtime } from '../host/runtime/runtime.js';
import type { Model } from '../host/runtime/model.js';
import { convertSource } from '../host/convert/convert.js';
import type { ModelSource } from '../host/convert/source.js';
import { trajectorySpec } from '../host/stream/spec.js';
import { MAGIC } from '../host/format/layout.js';

export interface BundledModel { id: string; label: string; url: string }

/** The hotel scene's held-out predictors (trained without hotel): LSTM and GRU, int8 and float32. */
export const BUNDLED: BundledModel[] = [
  { id: 'lstm-int8', label: 'LSTM 128 · int8', url: lstmInt8Url },
  { id: 'lstm-f32', label: 'LSTM 128 · float32', url: lstmF32Url },
  { id: 'gru-int8', label: 'GRU 128 · int8', url: gruInt8Url },
  { id: 'gru-f32', label: 'GRU 128 · float32', url: gruF32Url },
];

export async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not fetch ${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** What a model is, for the side panel: one line per layer and a few facts. */
export interface ModelSummary {
  name: string;
  /** Where it came from: 'ernn', or the converted format ('onnx', 'keras', 'tfjs', ...). */
  format: string;
  layers: string[];
  inputSize: number;
  outputSize: number;
  parameters: number;
  fileBytes: number;
  quantization: string;
  /** Why it cannot drive the trajectory view; undefined when it can. */
  notTrajectory?: string;
}

export function summarize(model: Model, name: string, format: string): ModelSummary {
  const info = model.info;
  const layers = info.layers.map((l) => `${l.type}${l.directions > 1 ? ' ×2' : ''} ${l.inputSize} → ${l.outputSize}${l.type === 'Dense' ? '' : ` (${l.units} units)`}, ${l.mode}`);
  let notTrajectory: string | undefined;
  try {
    trajectorySpec(model.metadata, info.inputSize, info.outputSize);
    if (!info.streamable) notTrajectory = 'it has reverse or bidirectional layers, so it cannot stream frame by frame';
  } catch (e) {
    notTrajectory = (e as Error).message;
  }
  return {
    name,
    format,
    layers,
    inputSize: info.inputSize,
    outputSize: info.outputSize,
    parameters: info.layers.reduce((a, l) => a + l.parameters, 0),
    fileBytes: info.fileBytes,
    quantization: info.layers.map((l) => l.mode).filter((m, i, all) => all.indexOf(m) === i).join(', '),
    ...(notTrajectory ? { notTrajectory } : {}),
  };
}

export interface LoadedModel {
  /** The model, loaded once: every restart of the replay makes a new predictor (new streams) on it. */
  model: Model;
  summary: ModelSummary;
}

function isErnn(b: Uint8Array): boolean {
  return b.length >= 4 && new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true) === MAGIC;
}

/** The main file among several: safetensors weights, else a JSON (TF.js model.json, Keras architecture), else the first. */
function mainFile(names: string[]): string {
  const by = (re: RegExp) => names.find((n) => re.test(n.toLowerCase()));
  return by(/\.safetensors$/) ?? names.find((n) => n.toLowerCase() === 'model.json') ?? by(/\.json$/) ?? names[0]!;
}

/**
 * Reads dropped or picked files into a model: an .ernn is loaded as is, anything else converted
 * (several files: the main one with its shards or config beside it). Throws the converter's or
 * loader's typed error.
 */
export async function loadDropped(rt: Runtime, files: File[]): Promise<LoadedModel> {
  if (files.length === 0) throw new Error('no file');
  const contents: Record<string, Uint8Array> = {};
  for (const f of files) contents[f.name] = new Uint8Array(await f.arrayBuffer());
  const main = mainFile(Object.keys(contents));
  const mainBytes = contents[main]!;
  let bytes: Uint8Array;
  let format = 'ernn';
  if (isErnn(mainBytes)) {
    bytes = mainBytes;
  } else {
    // a lone binary file goes in as bytes; JSON or several files as { main, files }
    const source: ModelSource = files.length > 1 || /\.json$/i.test(main) ? { main, files: contents } : mainBytes;
    const r = await convertSource(source);
    bytes = r.bytes;
    format = r.format;
  }
  const model = rt.load(bytes);
  const name = files.length > 1 ? `${main} + ${files.length - 1} file${files.length > 2 ? 's' : ''}` : main;
  return { model, summary: summarize(model, name, format) };
}

/** "ModelFormatError: not a valid ONNX model: ..." for typed errors, the message otherwise. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : e.message;
  return String(e);
}
