// Reads a model for the CLI: an .ernn file as is, or any source format, gathering the files a
// format keeps beside its main file (TF.js weight shards, a safetensors config, the weights of a
// Keras architecture JSON), and converting on the fly where a command needs a runnable model.
//
// A folder stands for the model file inside it (model.ernn, model.onnx, model.keras, model.h5,
// model.json, model.safetensors, in that order). Companion files are only taken from the main
// file's own folder: a model.json cannot make the CLI read '../../somewhere/else'.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { readBytes } from './files.js';
import { convertSource, detectFormat, parseJsonFile, type SourceFormat } from '../convert/convert.js';
import { isSourceFiles, type ModelSource } from '../convert/source.js';
import { ModelFormatError, UsageError } from '../errors.js';

export const MODEL_FILES = ['model.ernn', 'model.onnx', 'model.keras', 'model.h5', 'model.json', 'model.safetensors'];

export interface CompanionOptions {
  /** Weights of a Keras architecture JSON (a .h5 / .weights.h5 file). */
  weights?: string;
  /** A safetensors config, or the architecture JSON of a weights-only Keras .h5. */
  config?: string;
}

/** The model file a path names: the path itself, or the model.* file in a folder. */
export function modelFileOf(path: string): string {
  if (!existsSync(path)) throw new UsageError(`model '${path}' does not exist`, { where: path });
  if (!statSync(path).isDirectory()) return path;
  const found = MODEL_FILES.map((f) => join(path, f)).find((f) => existsSync(f));
  if (!found) throw new UsageError(`the folder '${path}' holds no model file (${MODEL_FILES.join(', ')})`, { where: path });
  return found;
}

function formatOf(bytes: Uint8Array): SourceFormat | undefined {
  try {
    return detectFormat(bytes);
  } catch {
    return undefined; // the converter reports it with its own message
  }
}

/** A relative path from a model.json, kept inside the model's folder. */
function shardPath(dir: string, ref: unknown, where: string): { name: string; path: string } {
  if (typeof ref !== 'string' || ref.length === 0) throw new ModelFormatError(`${where}: a weight path must be a non-empty string`, { where });
  const name = decodeURIComponent(ref.replace(/^\.\//, ''));
  if (name.startsWith('/') || /^[a-z]+:/i.test(name) || name.split(/[\\/]/).includes('..')) {
    throw new ModelFormatError(`${where}: weight file '${ref}' is outside the model's folder (absolute paths, URLs and '..' are refused)`, { where });
  }
  return { name, path: join(dir, name) };
}

function filesWithExt(dir: string, test: (f: string) => boolean): string[] {
  return readdirSync(dir).filter((f) => test(f) && statSync(join(dir, f)).isFile()).sort();
}

/** The model's bytes with the files beside it that its format needs. */
export function readModelSource(path: string, companions: CompanionOptions = {}): { source: ModelSource; file: string; format: SourceFormat | undefined } {
  const file = modelFileOf(path);
  const bytes = readBytes(file, 'model');
  const format = formatOf(bytes);
  const dir = dirname(file), main = basename(file), stem = basename(file, extname(file)).replace(/\.weights$/, '');
  const files: Record<string, Uint8Array> = { [main]: bytes };
  const add = (p: string, what: string, name = basename(p)): void => { files[name] = readBytes(p, what); };
  if (companions.weights) add(companions.weights, 'weights file');
  if (companions.config) add(companions.config, 'config file');
  const exists = (f: string): boolean => existsSync(join(dir, f)) && statSync(join(dir, f)).isFile();
  if (format === 'tfjs') {
    const doc = parseJsonFile(bytes, file) as { weightsManifest?: unknown };
    const manifest = Array.isArray(doc.weightsManifest) ? doc.weightsManifest : [];
    manifest.forEach((group: { paths?: unknown }, g) => {
      const paths = Array.isArray(group?.paths) ? group.paths : [];
      paths.forEach((ref, k) => {
        const { name, path: p } = shardPath(dir, ref, `${file}: weightsManifest[${g}].paths[${k}]`);
        if (existsSync(p)) add(p, 'weight file', name);
        // a missing shard is reported by the reader, which names the group and the file
      });
    });
  } else if (format === 'safetensors' && !companions.config) {
    for (const f of ['config.json', `${stem}.json`, `${stem}.config.json`]) if (exists(f)) add(join(dir, f), 'config file');
  } else if (format === 'keras-json' && !companions.weights) {
    const named = [`${stem}.weights.h5`, `${stem}.h5`, `${stem}_weights.h5`].filter(exists);
    const any = filesWithExt(dir, (f) => /\.(h5|hdf5)$/i.test(f));
    const pick = named[0] ?? (any.length === 1 ? any[0] : undefined);
    if (pick) add(join(dir, pick), 'weights file');
    else if (any.length > 1) throw new UsageError(`${file} is a Keras architecture; ${dir} has several .h5 files (${any.join(', ')}): name the weights with --weights FILE`, { where: file });
    else throw new UsageError(`${file} is a Keras architecture without weights: put the .h5 / .weights.h5 beside it or pass --weights FILE`, { where: file });
  } else if (format === 'h5' && !companions.config) {
    // a weights-only file needs its architecture; a full model ignores it
    const named = [`${stem}.json`].filter(exists);
    const any = filesWithExt(dir, (f) => /\.json$/i.test(f) && f !== 'metadata.json');
    const pick = named[0] ?? (any.length === 1 ? any[0] : undefined);
    if (pick) add(join(dir, pick), 'architecture file');
  }
  // always with its name, so that messages name the file
  return { source: { main, files }, file, format };
}

/** A runnable model: .ernn bytes as they are, anything else converted in f32. */
export async function loadModelBytes(path: string, companions: CompanionOptions = {}): Promise<Uint8Array> {
  const { source, format } = readModelSource(path, companions);
  if (format === 'ernn' && isSourceFiles(source)) return source.files[source.main]!;
  return (await convertSource(source)).bytes;
}
