// The converter fuzzer: seeded mutations of valid source models of every format (ONNX, Keras
// .h5 / .keras / JSON + weights, TF.js Layers, safetensors) through convertSource().
//
// Invariant, per case: convertSource() either returns .ernn bytes that load in the runtime and run
// on random input, or throws a typed error (isEdgeRnnError, with a message). Anything else is a
// finding: an untyped error (TypeError, RangeError...), a converted model that does not load or
// run, a case slower than `slowMs`, a hang (no answer within `caseTimeoutMs`: the child process
// running the cases is killed and restarted after it) or a crash of that process. Memory (rss,
// heap, array buffers, h5wasm's module memory) is sampled as the cases run.
//
// Cases run in child processes (node --import tsx test/fuzz/converters-child.ts) so that a hang
// in synchronous code (HDF5's C library, a parser loop) is caught by a watchdog instead of
// freezing the run. Case i of run S is fully determined by (S, i, formats, only): a finding is
// reproduced with `npx tsx scripts/fuzz-converters.ts --seed S --case i` (same --format/--only).

import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertSource, type ConvertOptions } from '../../host/convert/convert.js';
import type { ModelSource } from '../../host/convert/source.js';
import { isEdgeRnnError } from '../../host/errors.js';
import type { Runtime } from '../../host/runtime/runtime.js';
import type { Tensor } from '../../host/io/tensor.js';
import { readTensor } from '../../host/cli/files.js';
import { ROOT, SHARED, FIXTURES, caseDirs } from '../helpers/paths.js';
import {
  mulberry32, caseSeed, pick, int, mutateBytes, mutateProtobuf, mutateJson, mutateSafetensors, mutateHdf5, mutateZip,
  ZIP_TIME, type Rng, type Mutation,
} from './mutate.js';
import { zipSync } from 'fflate';

export const FORMATS = ['onnx', 'h5', 'keras', 'keras-json', 'tfjs', 'safetensors'] as const;
export type FuzzFormat = typeof FORMATS[number];
type FileKind = 'onnx' | 'hdf5' | 'zip' | 'json' | 'safetensors' | 'bytes';

export interface FuzzSeed {
  name: string;
  format: FuzzFormat;
  main: string;
  files: Record<string, Uint8Array>;
  kinds: Record<string, FileKind>;
  options: ConvertOptions;
  /** The unmutated file is refused (its layers are not supported): a seed for the file reader only. */
  readerOnly?: true;
}

// ---------------------------------------------------------------------------------------------
// Seeds: small valid files of every format

const read = (p: string): Uint8Array => new Uint8Array(readFileSync(p));

function onnxSeeds(): FuzzSeed[] {
  const out: FuzzSeed[] = [];
  for (const dir of [...caseDirs(join(FIXTURES, 'pytorch-onnx')), ...caseDirs(join(SHARED, 'conformance', 'onnx-node'))]) {
    const file = join(dir, 'model.onnx');
    if (!existsSync(file)) continue;
    const set = join(dir, 'test_data_set_0');
    const inputs: Tensor[] = existsSync(set)
      ? readdirSync(set).filter((f) => /^input_\d+\.(pb|npy)$/.test(f)).sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0])).map((f) => readTensor(join(set, f)))
      : [];
    // the ONNX node tests take their weights as graph inputs (as `edgernn verify` passes them)
    const options: ConvertOptions = dir.includes('onnx-node') ? { weightInputs: inputs } : {};
    out.push({ name: `onnx/${basename(dir)}`, format: 'onnx', main: 'model.onnx', files: { 'model.onnx': read(file) }, kinds: { 'model.onnx': 'onnx' }, options });
  }
  return out;
}

function tfjsSeeds(): FuzzSeed[] {
  const out: FuzzSeed[] = [];
  const dirs = [...caseDirs(join(SHARED, 'conformance', 'tfjs-layers')), join(SHARED, 'conformance', 'keras-wild', 'tfjs-lstm-textgen')];
  for (const dir of dirs) {
    const main = join(dir, 'model.json');
    if (!existsSync(main)) continue;
    const doc = JSON.parse(readFileSync(main, 'utf8')) as { weightsManifest: { paths: string[] }[] };
    const files: Record<string, Uint8Array> = { 'model.json': read(main) };
    const kinds: Record<string, FileKind> = { 'model.json': 'json' };
    for (const g of doc.weightsManifest) for (const p of g.paths) { files[p] = read(join(dir, p)); kinds[p] = 'bytes'; }
    out.push({ name: `tfjs/${basename(dir)}`, format: 'tfjs', main: 'model.json', files, kinds, options: {} });
  }
  return out;
}

function safetensorsSeeds(): FuzzSeed[] {
  return caseDirs(join(FIXTURES, 'safetensors')).filter((d) => existsSync(join(d, 'model.safetensors'))).map((dir) => ({
    name: `safetensors/${basename(dir)}`, format: 'safetensors' as const, main: 'model.safetensors',
    files: { 'model.safetensors': read(join(dir, 'model.safetensors')), 'config.json': read(join(dir, 'config.json')) },
    kinds: { 'model.safetensors': 'safetensors' as const, 'config.json': 'json' as const },
    options: {},
  }));
}

/** Real Keras files, the small ones (up to ~0.6 MB). */
function kerasWildSeeds(): FuzzSeed[] {
  const wild = join(SHARED, 'conformance', 'keras-wild');
  const h5 = (name: string, rel: string): FuzzSeed => ({ name, format: 'h5', main: basename(rel), files: { [basename(rel)]: read(join(wild, rel)) }, kinds: { [basename(rel)]: 'hdf5' }, options: {} });
  return [
    { ...h5('h5/guitarlstm-ts9', 'guitarlstm-ts9/ts9_model.h5'), readerOnly: true }, // Conv1D layers
    h5('h5/imdb-keras224-rnn', 'tfclass-imdb-keras224/imdb_rnn.h5'),
    h5('h5/imdb-tfkeras224-lstm', 'tfclass-imdb-tfkeras224/imdb_lstm.h5'),
    { name: 'keras/stock-lstm-keras3', format: 'keras', main: 'model.keras', files: { 'model.keras': read(join(wild, 'stock-lstm-keras3/model.keras')) }, kinds: { 'model.keras': 'zip' }, options: {} },
    {
      name: 'keras-json/finance-lstm-keras3-split', format: 'keras-json', main: 'model.json',
      files: { 'model.json': read(join(wild, 'finance-lstm-keras3-split/model.json')), 'model_weights.weights.h5': read(join(wild, 'finance-lstm-keras3-split/model_weights.weights.h5')) },
      kinds: { 'model.json': 'json', 'model_weights.weights.h5': 'hdf5' }, options: {},
    },
  ];
}

type H5Group = {
  create_group(name: string): H5Group;
  create_attribute(name: string, data: unknown, shape?: number[] | null, dtype?: string | null): void;
  create_dataset(args: { name: string; data: unknown; shape?: number[]; dtype?: string }): void;
};

async function writeH5(build: (root: H5Group) => void): Promise<Uint8Array> {
  const h5 = await import('h5wasm');
  await h5.ready;
  const fs = h5.FS as unknown as { readFile(p: string): Uint8Array; unlink(p: string): void };
  const name = `/fuzz-seed-${Math.random().toString(36).slice(2)}.h5`;
  const f = new h5.File(name, 'w');
  try { build(f as unknown as H5Group); } finally { f.close(); }
  const bytes = fs.readFile(name).slice();
  fs.unlink(name);
  return bytes;
}

const wave = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => 0.4 * Math.sin(seed * 100 + i * 0.37));
const SMALL = { I: 3, T: 4, lstm: 5, gru: 4, dense: 2 };

/** Where the small Keras seeds are kept (HDF5 files record times: written once, then fixed bytes). */
export const SMALL_KERAS_DIR = join(FIXTURES, 'fuzz-keras');

/**
 * Writes the small Keras seeds (a legacy .h5 full model, a Keras 3 .keras archive, a Keras 3
 * model.json + model.weights.h5 pair: LSTM 5 -> GRU 4 -> Dense 2 on [4, 3] inputs) to
 * test/fixtures/fuzz-keras/. They are small, so mutations hit structure more often than weights.
 * Run by `npx tsx scripts/fuzz-converters.ts --make-seeds`.
 */
export async function writeSmallKerasSeeds(dir = SMALL_KERAS_DIR): Promise<string[]> {
  const { I, T, lstm, gru, dense } = SMALL;
  const arrays: Record<string, [string, number[]][]> = {
    lstm: [['kernel', [I, 4 * lstm]], ['recurrent_kernel', [lstm, 4 * lstm]], ['bias', [4 * lstm]]],
    gru: [['kernel', [lstm, 3 * gru]], ['recurrent_kernel', [gru, 3 * gru]], ['bias', [2, 3 * gru]]],
    dense: [['kernel', [gru, dense]], ['bias', [dense]]],
  };
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  // Keras 2 legacy full model: vlen string attributes (a global heap), model_weights/<layer>/<layer>/<name>:0
  const legacyConfig = {
    class_name: 'Sequential',
    config: {
      name: 'seq', layers: [
        { class_name: 'LSTM', config: { name: 'lstm', units: lstm, return_sequences: true, batch_input_shape: [null, T, I], activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true } },
        { class_name: 'GRU', config: { name: 'gru', units: gru, reset_after: true, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true } },
        { class_name: 'Dense', config: { name: 'dense', units: dense, activation: 'linear', use_bias: true } },
      ],
    },
  };
  let seed = 0;
  const legacy = await writeH5((root) => {
    root.create_attribute('keras_version', '2.4.0');
    root.create_attribute('backend', 'tensorflow');
    root.create_attribute('model_config', JSON.stringify(legacyConfig));
    const mw = root.create_group('model_weights');
    mw.create_attribute('layer_names', Object.keys(arrays));
    for (const [layer, list] of Object.entries(arrays)) {
      const g = mw.create_group(layer);
      g.create_attribute('weight_names', list.map(([n]) => `${layer}/${n}:0`));
      const inner = g.create_group(layer);
      for (const [n, s] of list) inner.create_dataset({ name: `${n}:0`, data: wave(size(s), ++seed), shape: s });
    }
  });
  // Keras 3: layers/<class path>/[cell/]vars/<i>, config and metadata beside it
  const k3Layer = (class_name: string, config: Record<string, unknown>) => ({ module: 'keras.layers', class_name, config, registered_name: null });
  const k3Config = {
    module: 'keras', class_name: 'Sequential',
    config: {
      name: 'sequential', layers: [
        k3Layer('InputLayer', { batch_shape: [null, T, I], name: 'input_layer' }),
        k3Layer('LSTM', { name: 'lstm', units: lstm, return_sequences: true }),
        k3Layer('GRU', { name: 'gru', units: gru }),
        k3Layer('Dense', { name: 'dense', units: dense }),
      ],
    },
  };
  const weights3 = await writeH5((root) => {
    const layers = root.create_group('layers');
    for (const [layer, list] of Object.entries(arrays)) {
      const g = layers.create_group(layer);
      const v = (layer === 'dense' ? g : g.create_group('cell')).create_group('vars');
      list.forEach(([, s], i) => v.create_dataset({ name: String(i), data: wave(size(s), ++seed), shape: s }));
    }
    root.create_group('vars');
  });
  const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  const keras = zipSync({
    'metadata.json': [enc({ keras_version: '3.3.3', date_saved: '2024-01-01@00:00:00' }), { level: 0, mtime: ZIP_TIME }],
    'config.json': [enc(k3Config), { level: 0, mtime: ZIP_TIME }],
    'model.weights.h5': [weights3, { level: 0, mtime: ZIP_TIME }],
  });
  const files: Record<string, Uint8Array> = { 'legacy.h5': legacy, 'model.keras': keras, 'model.json': enc(k3Config), 'model.weights.h5': weights3 };
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  return Object.keys(files).map((f) => join(dir, f));
}

function kerasSmallSeeds(): FuzzSeed[] {
  const f = (name: string) => read(join(SMALL_KERAS_DIR, name));
  return [
    { name: 'h5/small-legacy', format: 'h5', main: 'model.h5', files: { 'model.h5': f('legacy.h5') }, kinds: { 'model.h5': 'hdf5' }, options: {} },
    { name: 'keras/small', format: 'keras', main: 'model.keras', files: { 'model.keras': f('model.keras') }, kinds: { 'model.keras': 'zip' }, options: {} },
    {
      name: 'keras-json/small', format: 'keras-json', main: 'model.json', files: { 'model.json': f('model.json'), 'model.weights.h5': f('model.weights.h5') },
      kinds: { 'model.json': 'json', 'model.weights.h5': 'hdf5' }, options: {},
    },
  ];
}

/** Every seed of the given formats (whose name contains `only`, when given), in a fixed order. */
export async function loadSeeds(formats: readonly FuzzFormat[] = FORMATS, only?: string): Promise<FuzzSeed[]> {
  const all: FuzzSeed[] = [];
  if (formats.includes('onnx')) all.push(...onnxSeeds());
  if (formats.some((f) => f === 'h5' || f === 'keras' || f === 'keras-json')) all.push(...kerasSmallSeeds(), ...kerasWildSeeds());
  if (formats.includes('tfjs')) all.push(...tfjsSeeds());
  if (formats.includes('safetensors')) all.push(...safetensorsSeeds());
  return all.filter((s) => formats.includes(s.format) && (!only || s.name.includes(only)));
}

// ---------------------------------------------------------------------------------------------
// Cases

export interface FuzzCase {
  index: number;
  seed: FuzzSeed;
  mutations: string[];
  source: ModelSource;
  options: ConvertOptions;
}

function mutateFile(r: Rng, kind: FileKind, bytes: Uint8Array): Mutation {
  if (r() < 0.1) return mutateBytes(r, bytes);
  switch (kind) {
    case 'onnx': return mutateProtobuf(r, bytes);
    case 'hdf5': return mutateHdf5(r, bytes);
    case 'zip': return mutateZip(r, bytes);
    case 'json': return mutateJson(r, bytes);
    case 'safetensors': return mutateSafetensors(r, bytes);
    default: return mutateBytes(r, bytes);
  }
}

/**
 * Case `index` of run `runSeed`: the seeds are taken format by format in turn (case i has format
 * i mod F), a seed of that format at random, then one to four stacked mutations of its files.
 */
export function makeCase(seeds: FuzzSeed[], runSeed: number, index: number): FuzzCase {
  const r = mulberry32(caseSeed(runSeed, index));
  const formats = FORMATS.filter((f) => seeds.some((s) => s.format === f));
  const format = formats[index % formats.length]!;
  const seed = pick(r, seeds.filter((s) => s.format === format));
  const files = { ...seed.files };
  const names = Object.keys(files);
  const mutations: string[] = [];
  const count = r() < 0.7 ? 1 : r() < 0.7 ? 2 : 3 + int(r, 2);
  for (let k = 0; k < count; k++) {
    const name = names.length === 1 || r() < 0.65 ? seed.main : pick(r, names.filter((n) => n !== seed.main));
    if (name !== seed.main && r() < 0.04) {
      delete files[name];
      mutations.push(`${name}: removed`);
      continue;
    }
    if (!files[name]) continue;
    const m = mutateFile(r, seed.kinds[name]!, files[name]);
    files[name] = m.bytes;
    mutations.push(`${name}: ${m.what}`);
  }
  // 12% int8-dynamic, 6% int8 (calibrated on random input in runCase), the rest float32
  const q = r();
  const options: ConvertOptions = { ...seed.options, ...(q < 0.12 ? { quant: 'int8-dynamic' as const } : q < 0.18 ? { quant: 'int8' as const } : {}) };
  const source: ModelSource = names.length === 1 && r() < 0.5 ? files[seed.main]! : { main: seed.main, files };
  return { index, seed, mutations, source, options };
}

// ---------------------------------------------------------------------------------------------
// Running a case

/**
 * converted: loads and runs; limit: converted, and the runtime refuses it under its default limits
 * (a ResourceError: more layers, dimensions or bytes than Runtime's DEFAULT_LIMITS allow);
 * refused: a typed error from the converter; finding: anything else.
 */
export type Outcome = 'converted' | 'limit' | 'refused' | 'finding';
export type FindingKind = 'untyped' | 'no-message' | 'load' | 'slow' | 'memory' | 'hang' | 'crash';

export interface CaseResult {
  index: number;
  seed: string;
  format: FuzzFormat;
  mutations: string[];
  outcome: Outcome;
  /** The error's name (refused cases and findings). */
  error?: string;
  message?: string;
  finding?: FindingKind;
  stack?: string;
  ms: number;
}

function describeError(e: unknown): { name: string; message: string; stack?: string } {
  if (e instanceof Error) return { name: e.name, message: e.message.slice(0, 400), ...(e.stack ? { stack: e.stack.split('\n').slice(0, 8).join('\n') } : {}) };
  return { name: typeof e, message: String(e).slice(0, 400) };
}

/** Runs one case in this process. */
export async function runCase(c: FuzzCase, rt: Runtime, slowMs = 5000): Promise<CaseResult> {
  const base = { index: c.index, seed: c.seed.name, format: c.seed.format, mutations: c.mutations };
  const t0 = performance.now();
  let res: CaseResult;
  let bytes: Uint8Array | undefined;
  try {
    let options = c.options;
    if (options.quant === 'int8') {
      // calibration data needs the input size: from a float32 conversion first
      const { ir } = await convertSource(c.source, { ...options, quant: 'f32' });
      const I = Math.min(ir.inputSize, 4096);
      const r = mulberry32(c.index ^ 0x5bd1e995);
      options = { ...options, calibration: { shape: [2, 4, I], data: Float32Array.from({ length: 8 * I }, () => r() * 4 - 2) } };
    }
    bytes = (await convertSource(c.source, options)).bytes;
  } catch (e) {
    const d = describeError(e);
    const ms = performance.now() - t0;
    if (!isEdgeRnnError(e)) res = { ...base, outcome: 'finding', finding: 'untyped', error: d.name, message: d.message, ...(d.stack ? { stack: d.stack } : {}), ms };
    else if (!e.message) res = { ...base, outcome: 'finding', finding: 'no-message', error: d.name, message: '', ms };
    else res = { ...base, outcome: 'refused', error: d.name, message: d.message, ms };
  }
  if (bytes) {
    // what the converter returns must load and run
    try {
      const model = rt.load(bytes);
      const I = model.info.inputSize, T = 3;
      const x = new Float32Array(T * I);
      const r = mulberry32(c.index);
      for (let i = 0; i < x.length; i++) x[i] = r() * 2 - 1;
      model.run(x, [1, T, I]);
      if (model.info.streamable) {
        const s = model.streams(2);
        s.step(1, x.subarray(0, I));
        s.dispose();
      }
      res = { ...base, outcome: 'converted', ms: performance.now() - t0 };
    } catch (e) {
      const d = describeError(e);
      if (isEdgeRnnError(e) && e.name === 'ResourceError') res = { ...base, outcome: 'limit', error: d.name, message: d.message, ms: performance.now() - t0 };
      else res = { ...base, outcome: 'finding', finding: 'load', error: d.name, message: d.message, ...(d.stack ? { stack: d.stack } : {}), ms: performance.now() - t0 };
    }
  }
  if (res!.outcome !== 'finding' && res!.ms > slowMs) res = { ...res!, outcome: 'finding', finding: 'slow' };
  return res!;
}

// ---------------------------------------------------------------------------------------------
// The driver: cases in child processes, with a watchdog

export interface MemorySample { case: number; rss: number; heapUsed: number; arrayBuffers: number; external: number; h5wasm: number }

export interface FuzzOptions {
  cases: number;
  seed: number;
  formats?: readonly FuzzFormat[];
  /** Only seeds whose name contains this. */
  only?: string;
  /** First case index (default 0): cases [first, first + cases). */
  first?: number;
  /** Child processes (default 1). */
  jobs?: number;
  /** A case is a hang when it has not finished after this long (default 20 s). */
  caseTimeoutMs?: number;
  /** A case is slow (a finding) after this long (default 5 s). */
  slowMs?: number;
  /** Memory sample every n cases (default 100). */
  memoryEvery?: number;
  /** A case after which h5wasm's module memory is larger by more than this is a finding (default 64 MiB). */
  memoryGrowthLimit?: number;
  onCase?: (r: CaseResult) => void;
}

export interface FormatCounts { cases: number; converted: number; limit: number; refused: number; findings: number; ms: number }

export interface FuzzSummary {
  cases: number;
  seeds: number;
  byFormat: Record<string, FormatCounts>;
  /** Refusals by error class. */
  errors: Record<string, number>;
  findings: CaseResult[];
  /** Per child process: its first and last samples, the largest values seen, and every sample. */
  memory: { first: MemorySample; last: MemorySample; max: MemorySample; samples: MemorySample[] }[];
  slowest: { ms: number; index: number; seed: string };
  ms: number;
}

const CHILD = fileURLToPath(new URL('./converters-child.ts', import.meta.url));

interface ChildRun { from: number; to: number }

export async function fuzzConverters(opts: FuzzOptions): Promise<FuzzSummary> {
  const t0 = performance.now();
  const formats = opts.formats ?? FORMATS;
  const first = opts.first ?? 0;
  const jobs = Math.max(1, Math.min(opts.jobs ?? 1, opts.cases));
  const timeout = opts.caseTimeoutMs ?? 20_000;
  const summary: FuzzSummary = {
    cases: 0, seeds: 0, byFormat: {}, errors: {}, findings: [], memory: [], slowest: { ms: 0, index: -1, seed: '' }, ms: 0,
  };
  const count = (r: CaseResult) => {
    summary.cases++;
    const f = (summary.byFormat[r.format] ??= { cases: 0, converted: 0, limit: 0, refused: 0, findings: 0, ms: 0 });
    f.cases++;
    f.ms += r.ms;
    if (r.outcome === 'converted') f.converted++;
    else if (r.outcome === 'limit') f.limit++;
    else if (r.outcome === 'refused') { f.refused++; summary.errors[r.error!] = (summary.errors[r.error!] ?? 0) + 1; }
    else { f.findings++; summary.findings.push(r); }
    if (r.ms > summary.slowest.ms) summary.slowest = { ms: r.ms, index: r.index, seed: r.seed };
    opts.onCase?.(r);
  };

  const runChild = (range: ChildRun): Promise<void> => new Promise((resolve, reject) => {
    let next = range.from;
    let samples: MemorySample[] = [];
    let timer: NodeJS.Timeout | undefined;
    let ready = false;
    let finished = false;
    const child: ChildProcess = fork(CHILD, [], { execArgv: ['--import', 'tsx'], cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const keepMemory = () => {
      if (samples.length === 0) return;
      const max = { ...samples[0]! };
      for (const s of samples) for (const k of ['rss', 'heapUsed', 'arrayBuffers', 'external', 'h5wasm'] as const) if (s[k] > max[k]) { max[k] = s[k]; }
      summary.memory.push({ first: samples[0]!, last: samples[samples.length - 1]!, max, samples });
      samples = [];
    };
    const arm = (ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        // a hang: the case after the last one answered
        finished = true;
        child.kill('SIGKILL');
        keepMemory();
        count({ index: next, seed: '?', format: '?' as FuzzFormat, mutations: [], outcome: 'finding', finding: 'hang', message: `no answer after ${ms} ms`, ms });
        const rest = { from: next + 1, to: range.to };
        if (rest.from < rest.to) runChild(rest).then(resolve, reject); else resolve();
      }, ms);
    };
    arm(120_000); // start-up: seeds, h5wasm, runtime
    child.on('message', (m: { type: string; result?: CaseResult; sample?: MemorySample; seeds?: number }) => {
      if (m.type === 'ready') { ready = true; summary.seeds = m.seeds!; arm(timeout); }
      else if (m.type === 'case') { count(m.result!); next = m.result!.index + 1; arm(timeout); }
      else if (m.type === 'memory') samples.push(m.sample!);
      else if (m.type === 'done') { finished = true; clearTimeout(timer); keepMemory(); child.disconnect(); resolve(); }
    });
    child.on('exit', (code, signal) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      keepMemory();
      if (!ready) { reject(new Error(`the fuzz child process exited before it was ready (code ${code}, signal ${signal})`)); return; }
      count({ index: next, seed: '?', format: '?' as FuzzFormat, mutations: [], outcome: 'finding', finding: 'crash', message: `child exited with code ${code}, signal ${signal}`, ms: 0 });
      const rest = { from: next + 1, to: range.to };
      if (rest.from < rest.to) runChild(rest).then(resolve, reject); else resolve();
    });
    child.send({ type: 'run', seed: opts.seed, formats, only: opts.only, from: range.from, to: range.to, slowMs: opts.slowMs ?? 5000, memoryEvery: opts.memoryEvery ?? 100, memoryGrowthLimit: opts.memoryGrowthLimit ?? 64 * 2 ** 20 });
  });

  const per = Math.ceil(opts.cases / jobs);
  const ranges: ChildRun[] = [];
  for (let j = 0; j < jobs; j++) ranges.push({ from: first + j * per, to: first + Math.min(opts.cases, (j + 1) * per) });
  await Promise.all(ranges.filter((r) => r.from < r.to).map(runChild));
  summary.findings.sort((a, b) => a.index - b.index);
  summary.ms = performance.now() - t0;
  return summary;
}

let h5module: { HEAPU8?: Uint8Array } | undefined;

/** Bytes of h5wasm's module memory (0 before the HDF5 reader first loads it). */
export async function h5wasmBytes(): Promise<number> {
  if (!h5module) {
    const h5 = await import('h5wasm') as unknown as { Module?: { HEAPU8?: Uint8Array } };
    h5module = h5.Module;
  }
  return h5module?.HEAPU8?.length ?? 0;
}

export async function memorySample(index: number): Promise<MemorySample> {
  const m = process.memoryUsage();
  return { case: index, rss: m.rss, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, external: m.external, h5wasm: await h5wasmBytes() };
}
