// `npm run bench`: edgernn against its peers (onnxruntime-web, onnxruntime-node, TF.js wasm) on the
// same weights, in three modes (one step of one stream, one step of 64 streams, a 20-step
// sequence), after a correctness check of every runtime against edgernn f32; plus edgernn's
// footprint (wasm sizes, compile and load times, memory plan).
//
//   npm run bench -- [--quick] [--only lstm128,gru] [--modes step1,step64,seq20]
//                    [--runtimes edgernn,ort-web,ort-node,ort-node-sync,tfjs-wasm,tfjs-layers]
//                    [--configs simd-f32,simd-int8-dynamic,simd-int8,scalar-f32,scalar-int8]
//                    [--gru reset-after|reset-before] [--budget MS] [--rounds N]
//                    [--json FILE] [--update-md [FILE]] [--no-footprint] [--no-peak]
//                    [--from-json FILE]   (tables and --update-md from an earlier run's JSON)
//                    [--perturb RUNTIME]  (self-test: perturbs that runtime's weights; must fail)
//
// Exit status: 0 ok; 1 a runtime disagreed with edgernn f32 (or failed to run); 2 bad arguments.
import os from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { benchModel, macsPerStep } from './steps.js';
import { kernelPeaks, type KernelPeak } from './kernels.js';
import { exportOnnx } from './onnx-export.js';
import { Reference } from './reference.js';
import { timeInterleaved, timerOverheadUs, collect, type Entry } from './harness.js';
import {
  Runtime, MODES, STREAMS, SEQ, EDGE_CONFIGS, PEERS, DEFAULT_RUNTIMES, BASELINE_ID, edgeId, edgernnContestant, loadPeers, callShape,
  type Mode, type Contestant, type BenchModel, type EdgeConfig, type RuntimeName, type PeerName, type PeerSetup, type Runner,
} from './runtimes.js';
import { wasmFiles, createTimes, modelFootprint, type WasmFile, type CreateTiming, type ModelFootprint } from './footprint.js';
import { terminalTable, correctnessTable, markdownSection, replaceSection } from './report.js';
import { wasmBinary } from '../host/runtime/wasm.js';
import { QUANT_TOLERANCE } from '../host/cli/verify-cmd.js';
import { rng, randArray } from '../test/helpers/models.js';
import type { ModelIR, RecurrentLayer, DenseLayer } from '../host/convert/ir.js';
import type { Stats } from './harness.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ALL_MODELS = ['lstm64', 'lstm128', 'lstm256', 'gru64', 'gru128', 'gru256'];
const F32_TOL = 1e-4;
const CHECK_STEPS = { step1: 8, step64: 3 };

export interface Options {
  quick: boolean;
  only: string[];
  modes: Mode[];
  runtimes: RuntimeName[];
  configs: EdgeConfig[];
  gru: 'reset-after' | 'reset-before';
  budgetMs: number;
  rounds: number;
  json: string;
  updateMd: string | undefined;
  footprint: boolean;
  peak: boolean;
  /** Self-test of the correctness check: perturb the weights of this runtime (id or name). */
  perturb: string | undefined;
  /** Re-render the tables (and --update-md) from an earlier JSON instead of running. */
  fromJson: string | undefined;
}

export interface Row {
  model: string; cell: 'lstm' | 'gru'; H: number; mode: Mode;
  id: string; runtime: RuntimeName; build?: string; precision: string;
  n: number; usMedian: number; usP10: number; usP90: number; usP99: number; usMin: number; usMax: number;
  roundMedians: number[];
  macsPerCall: number; gmacs: number;
  peak?: { kernel: string; build: string; gmacs: number };
  peakFraction?: number;
  /** A one-row edgernn mode (step1, seq20) ran above 1.5 x this peak: the peak measurement looks wrong. */
  peakSuspect?: boolean;
  /** Process CPU µs per call: the median over rounds of (CPU time of the round's slice / calls). */
  cpuUsPerCall: number;
  cpuUsPerCallRounds: number[];
  /** Median over rounds of CPU time / wall time of the slice (contention: 1 idle, less when busy). */
  cpuShare: number;
  /**
   * Time relative to edgernn simd f32 (peers: above 1 means edgernn is faster): the median over
   * rounds of (this round median / baseline round median), and the range over rounds.
   */
  vsBaseline?: number;
  vsBaselineRounds?: { min: number; max: number };
  /** The same with CPU time per call. */
  vsBaselineCpu?: number;
  /** This median / the fastest edgernn config of the case (by median wall time). */
  vsBestEdgernn?: number;
}

export interface Check {
  model: string; mode: Mode; id: string;
  maxErr?: number; tolerance?: number; maxErrVsF64?: number; maxAbsRef?: number;
  ok: boolean; skipped?: string; error?: string;
}

export interface BenchResult {
  version: 1;
  command: string;
  date: string;
  elapsedMs: number;
  machine: { cpu: string; cores: number; node: string; platform: string; totalMemBytes: number; loadStart: number[]; loadEnd: number[] };
  options: Omit<Options, 'json' | 'updateMd' | 'fromJson'>;
  models: { name: string; cell: string; H: number; I: number; O: number; gru?: string; onnxBytes: number; macsPerStep: number }[];
  contestants: string[];
  peers: { name: PeerName; version: string; setup: string }[];
  skippedPeers: { name: PeerName; reason: string }[];
  edgernnSetup: string;
  tolerances: { f32: number; 'int8-dynamic': { ofMax: number; atol: number }; int8: { ofMax: number; atol: number } };
  checkSteps: { step1: number; step64: number };
  correctness: Check[];
  correctnessOk: boolean;
  worstErr: Record<string, number>;
  kernelPeak: KernelPeak[];
  timerOverheadUs: number;
  /** Median over all timed slices of CPU time / wall time (1: the process had a CPU to itself). */
  cpuShare: number;
  source: { commit: string; dirty: string[] };
  results: Row[];
  footprint?: {
    wasm: WasmFile[];
    /** The binaries the runtime compiled (host/runtime/binaries.ts as imported at the start). */
    embedded: { build: 'simd' | 'scalar'; bytes: number; gzipBytes: number; sha256: string; sameAsBuildAtStart: boolean; sameAsBuildAtEnd: boolean }[];
    create: CreateTiming[];
    models: ModelFootprint[];
    peers: { model: string; onnxBytes: number; sessions: { peer: string; ms: Stats }[] }[];
  };
  notes: string[];
}

class UsageErr extends Error {}

const USAGE = `usage: npm run bench -- [--quick] [--only lstm128,gru] [--modes ${MODES.join(',')}]
  [--runtimes ${['edgernn', ...PEERS].join(',')}] (default ${DEFAULT_RUNTIMES.join(',')})
  [--configs ${EDGE_CONFIGS.join(',')}] [--gru reset-after|reset-before]
  [--budget MS] [--rounds N] [--json FILE] [--update-md [FILE]] [--no-footprint] [--no-peak]
  [--from-json FILE] (print and --update-md from an earlier run's JSON) [--perturb RUNTIME] (self-test: must fail)`;

export function parseArgs(argv: string[]): Options {
  const o: Options = {
    quick: false, only: [], modes: [...MODES], runtimes: [...DEFAULT_RUNTIMES], configs: [...EDGE_CONFIGS], gru: 'reset-after',
    budgetMs: 0, rounds: 0, json: join(ROOT, 'build', 'bench.json'), updateMd: undefined, footprint: true, peak: true, perturb: undefined, fromJson: undefined,
  };
  let budget: number | undefined, rounds: number | undefined;
  const list = <T extends string>(v: string | undefined, allowed: readonly string[], what: string): T[] => {
    if (!v) throw new UsageErr(`${what} needs a value`);
    const items = v.split(',').map((s) => s.trim()).filter(Boolean);
    for (const it of items) if (!allowed.includes(it)) throw new UsageErr(`unknown ${what.replace(/^--/, '')} '${it}' (one of ${allowed.join(', ')})`);
    return items as T[];
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => argv[++i];
    switch (a) {
      case '--quick': o.quick = true; break;
      case '--only': {
        const v = next();
        if (!v) throw new UsageErr('--only needs a value');
        o.only = v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
        break;
      }
      case '--modes': o.modes = list<Mode>(next(), MODES, '--modes'); break;
      case '--runtimes': o.runtimes = list<RuntimeName>(next(), ['edgernn', ...PEERS], '--runtimes'); break;
      case '--configs': o.configs = list<EdgeConfig>(next(), EDGE_CONFIGS, '--configs'); break;
      case '--gru': {
        const v = next();
        if (v !== 'reset-after' && v !== 'reset-before') throw new UsageErr('--gru is reset-after or reset-before');
        o.gru = v; break;
      }
      case '--budget': budget = Number(next()); if (!(budget > 0)) throw new UsageErr('--budget needs milliseconds > 0'); break;
      case '--rounds': rounds = Number(next()); if (!Number.isInteger(rounds) || rounds < 1) throw new UsageErr('--rounds needs an integer >= 1'); break;
      case '--json': { const v = next(); if (!v) throw new UsageErr('--json needs a file'); o.json = resolve(v); break; }
      case '--update-md': {
        const v = argv[i + 1];
        if (v && !v.startsWith('--')) { o.updateMd = resolve(v); i++; } else o.updateMd = join(ROOT, 'BENCHMARKS.md');
        break;
      }
      case '--no-footprint': o.footprint = false; break;
      case '--no-peak': o.peak = false; break;
      case '--perturb': o.perturb = next(); break;
      case '--from-json': { const v = next(); if (!v) throw new UsageErr('--from-json needs a file'); o.fromJson = resolve(v); break; }
      case '-h': case '--help': throw new UsageErr('');
      default: throw new UsageErr(`unknown option '${a}'`);
    }
  }
  o.budgetMs = budget ?? (o.quick ? 40 : 1200);
  o.rounds = rounds ?? (o.quick ? 2 : 6);
  return o;
}

export function selectModels(only: string[]): string[] {
  if (only.length === 0) return [...ALL_MODELS];
  const sel = ALL_MODELS.filter((m) => only.some((t) => m === t || m.startsWith(t)));
  if (sel.length === 0) throw new UsageErr(`--only ${only.join(',')} matches no model (${ALL_MODELS.join(', ')})`);
  return sel;
}

function makeModel(name: string, gru: Options['gru']): BenchModel {
  const m = /^(lstm|gru)(\d+)$/.exec(name)!;
  const cell = m[1] as 'lstm' | 'gru', H = Number(m[2]);
  const ir = benchModel(cell, H);
  if (cell === 'gru') (ir.layers[0] as RecurrentLayer).resetAfter = gru === 'reset-after';
  const head = ir.layers[1] as DenseLayer;
  return { name, cell, H, I: ir.inputSize, O: head.units, ir, onnx: exportOnnx(ir) };
}

/** A copy of the model with the head's bias moved by 1 (the self-test of the correctness check). */
function perturbed(ir: ModelIR): ModelIR {
  const head = ir.layers[1] as DenseLayer;
  const b = Float32Array.from(head.b ?? new Float32Array(head.units));
  b[0]! += 1;
  return { ...ir, layers: [ir.layers[0]!, { ...head, b }] };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(Number(a[i]) - Number(b[i]));
    m = Number.isNaN(e) ? Infinity : Math.max(m, e);
  }
  return m;
}

interface Inputs { pool: Record<Mode, Float32Array[]> }

function inputsFor(m: BenchModel, seed: number): Inputs {
  const r = rng(seed);
  const n = (k: number, len: number) => Array.from({ length: k }, () => randArray(len, r));
  return { pool: { step1: n(64, m.I), step64: n(8, STREAMS * m.I), seq20: n(8, SEQ * m.I) } };
}

/** float64 reference outputs of the check sequence of a mode (concatenated per call). */
function referenceOutputs(ref: Reference, m: BenchModel, mode: Mode, inp: Inputs): Float64Array[] {
  const pool = inp.pool[mode];
  if (mode === 'seq20') return [ref.sequence(pool[0]!, SEQ), ref.sequence(pool[1]!, SEQ)];
  const B = mode === 'step1' ? 1 : STREAMS;
  const states = Array.from({ length: B }, () => ref.zero());
  const out: Float64Array[] = [];
  for (let t = 0; t < CHECK_STEPS[mode]; t++) {
    const y = new Float64Array(B * m.O);
    for (let b = 0; b < B; b++) y.set(ref.step(states[b]!, pool[t]!.subarray(b * m.I, (b + 1) * m.I)), b * m.O);
    out.push(y);
  }
  return out;
}

async function checkOutputs(runner: Runner, mode: Mode, inp: Inputs): Promise<Float32Array[]> {
  const pool = inp.pool[mode];
  runner.reset();
  const calls = mode === 'seq20' ? [pool[0]!, pool[1]!] : pool.slice(0, CHECK_STEPS[mode]);
  const out: Float32Array[] = [];
  for (const x of calls) out.push(Float32Array.from(await runner.run(x)));
  runner.reset();
  return out;
}

const T0 = performance.now();
const log = (s: string) => process.stderr.write(`[${((performance.now() - T0) / 1000).toFixed(1).padStart(6)} s] ${s}\n`);

export async function runBench(o: Options): Promise<BenchResult> {
  const t0 = performance.now();
  const loadStart = os.loadavg();
  const buildAtStart = { simd: fileSha(join(ROOT, 'build', 'simd.wasm')), scalar: fileSha(join(ROOT, 'build', 'scalar.wasm')) };
  const modelNames = selectModels(o.only);
  const notes: string[] = [];
  const wantEdge = o.runtimes.includes('edgernn');
  const configs = wantEdge ? o.configs : [];
  const builds = [...new Set(configs.map((c) => c.split('-')[0] as 'simd' | 'scalar'))];
  const rts: Partial<Record<'simd' | 'scalar', Runtime>> = {};
  for (const b of builds) rts[b] = await Runtime.create({ simd: b === 'simd' });

  const { peers, skipped } = await loadPeers(o.runtimes.filter((r): r is PeerName => r !== 'edgernn'));
  for (const s of skipped) log(`note: ${s.name} skipped: ${s.reason}`);
  const models = modelNames.map((n) => makeModel(n, o.gru));

  // contestants, model by model
  const perModel = new Map<string, Contestant[]>();
  const failures: Check[] = [];
  let perturbedAny = false;
  const checkInputs = new Map(models.map((m) => [m.name, inputsFor(m, 1000 + m.H + (m.cell === 'gru' ? 1 : 0))]));
  for (const m of models) {
    const list: Contestant[] = [];
    const hit = (c: { id: string; runtime: string }) => {
      const h = o.perturb !== undefined && (c.id === o.perturb || c.runtime === o.perturb);
      if (h) perturbedAny = true;
      return h;
    };
    for (const cfg of configs) {
      const id = edgeId(cfg);
      const ir = hit({ id, runtime: 'edgernn' }) ? perturbed(m.ir) : m.ir;
      list.push(edgernnContestant(rts[cfg.split('-')[0] as 'simd' | 'scalar']!, cfg, m, ir));
    }
    for (const p of peers) {
      try {
        list.push(await p.create(m, hit({ id: p.name, runtime: p.name }) ? perturbed(m.ir) : undefined));
      } catch (e) {
        failures.push({ model: m.name, mode: o.modes[0]!, id: p.name, ok: false, error: `could not load the model: ${(e as Error).message.split('\n')[0]}` });
      }
    }
    perModel.set(m.name, list);
  }

  if (o.perturb !== undefined && !perturbedAny) throw new UsageErr(`--perturb ${o.perturb} matches no runtime of this run`);

  // ---- correctness, before any timing
  log(`correctness: ${models.length} models x ${o.modes.length} modes x ${perModel.get(models[0]!.name)!.length} runtimes`);
  const checks: Check[] = [...failures];
  const runners = new Map<string, Runner>();
  const key = (m: string, mode: Mode, id: string) => `${m}|${mode}|${id}`;
  for (const m of models) {
    const ref = new Reference(m.ir);
    const inp = checkInputs.get(m.name)!;
    for (const mode of o.modes) {
      const want64 = referenceOutputs(ref, m, mode, inp);
      const outs = new Map<string, Float32Array[]>();
      const list = perModel.get(m.name)!;
      for (const c of list) {
        if (c.unsupported) { checks.push({ model: m.name, mode, id: c.id, ok: true, skipped: c.unsupported }); continue; }
        try {
          const r = await c.runner(mode);
          runners.set(key(m.name, mode, c.id), r);
          outs.set(c.id, await checkOutputs(r, mode, inp));
        } catch (e) {
          checks.push({ model: m.name, mode, id: c.id, ok: false, error: (e as Error).message.split('\n')[0] ?? String(e) });
        }
      }
      const base = outs.get(BASELINE_ID);
      const flat = (a: ArrayLike<number>[]) => Float64Array.from(a.flatMap((x) => Array.from(x)));
      const wantF64 = flat(want64);
      const baseFlat = base ? flat(base) : wantF64;
      let maxAbsRef = 0;
      for (const v of baseFlat) maxAbsRef = Math.max(maxAbsRef, Math.abs(v));
      for (const c of list) {
        const got = outs.get(c.id);
        if (!got) continue;
        const g = flat(got);
        const vsF64 = maxAbsDiff(g, wantF64);
        const q = c.precision === 'f32' ? undefined : QUANT_TOLERANCE[c.precision]!;
        const tol = q ? q.ofMax * maxAbsRef + q.atol : F32_TOL;
        // the baseline itself answers to the float64 reference; everyone else to the baseline
        const err = c.id === BASELINE_ID || !base ? vsF64 : maxAbsDiff(g, baseFlat);
        const ok = err <= tol && (c.id !== BASELINE_ID || vsF64 <= F32_TOL);
        checks.push({ model: m.name, mode, id: c.id, maxErr: err, tolerance: tol, maxErrVsF64: vsF64, maxAbsRef, ok });
      }
    }
  }
  const order = (c: Check) => [modelNames.indexOf(c.model), o.modes.indexOf(c.mode), perModel.get(c.model)!.findIndex((x) => x.id === c.id)];
  checks.sort((a, b) => { const x = order(a), y = order(b); return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!; });
  const correctnessOk = checks.every((c) => c.ok);
  const worstErr: Record<string, number> = {};
  for (const c of checks) if (c.maxErr !== undefined) worstErr[c.id] = Math.max(worstErr[c.id] ?? 0, c.maxErr);

  const contestantIds = [...new Set([...perModel.values()].flat().map((c) => c.id))];
  const result: BenchResult = {
    version: 1,
    command: commandLine(),
    date: new Date().toISOString(),
    elapsedMs: 0,
    machine: { cpu: os.cpus()[0]?.model ?? '?', cores: os.cpus().length, node: process.version, platform: `${process.platform} ${process.arch}`, totalMemBytes: os.totalmem(), loadStart, loadEnd: [] },
    options: { quick: o.quick, only: o.only, modes: o.modes, runtimes: o.runtimes, configs: o.configs, gru: o.gru, budgetMs: o.budgetMs, rounds: o.rounds, footprint: o.footprint, peak: o.peak, perturb: o.perturb },
    models: models.map((m) => ({ name: m.name, cell: m.cell, H: m.H, I: m.I, O: m.O, ...(m.cell === 'gru' ? { gru: o.gru } : {}), onnxBytes: m.onnx.bytes.length, macsPerStep: macsPerStep(m.cell, m.H) })),
    contestants: contestantIds,
    peers: peers.map((p) => ({ name: p.name, version: p.version, setup: p.setup })),
    skippedPeers: skipped,
    edgernnSetup: `this checkout (host/ + the embedded wasm builds), Runtime.create({ simd }) per build, models lowered with lowerToErnn (int8 calibrated on 32 random sequences of 100 steps with the head measured at every step, see benchPlan in bench/runtimes.ts); ` +
      `step1 \`streams(1).step(0, frame, out)\`, step64 \`streams(64).stepAll(frames, out)\`, seq20 \`model.run(x, [1, 20, 8]).data\`; synchronous calls, state kept in the module`,
    tolerances: { f32: F32_TOL, 'int8-dynamic': QUANT_TOLERANCE['int8-dynamic']!, int8: QUANT_TOLERANCE.int8! },
    checkSteps: CHECK_STEPS,
    correctness: checks,
    correctnessOk,
    worstErr,
    kernelPeak: [],
    timerOverheadUs: 0,
    cpuShare: 0,
    source: sourceState(),
    results: [],
    notes,
  };
  for (const s of skipped) notes.push(`${s.name} skipped: ${s.reason}`);
  for (const c of checks) if (c.skipped && !notes.some((n) => n.includes(c.skipped!))) notes.push(`${c.id}: ${c.skipped}`);
  if (!correctnessOk) {
    result.elapsedMs = performance.now() - t0;
    result.machine.loadEnd = os.loadavg();
    return result;
  }

  // ---- kernel peak, in this process
  if (o.peak) {
    log('kernel peak (bench/kernels.ts)');
    try {
      result.kernelPeak = kernelPeaks(o.quick);
    } catch (e) {
      notes.push(`the kernel peak measurement (bench/kernels.ts) failed: ${(e as Error).message.split('\n')[0]}; no fractions of the peak`);
    }
  }
  result.timerOverheadUs = timerOverheadUs();

  // ---- timing
  const t = o.quick ? { warmMs: 10, warmCalls: 5, minSamples: 10 } : { warmMs: 150, warmCalls: 30, minSamples: 40 };
  for (const m of models) {
    const inp = inputsFor(m, 2000 + m.H + (m.cell === 'gru' ? 1 : 0));
    for (const mode of o.modes) {
      const entries: Entry[] = [];
      for (const c of perModel.get(m.name)!) {
        const r = runners.get(key(m.name, mode, c.id));
        if (r) entries.push({ id: c.id, runner: r, inputs: inp.pool[mode] });
      }
      log(`timing ${m.name} ${mode}: ${entries.map((e) => e.id).join(', ')}`);
      const timings = await timeInterleaved(entries, { budgetMs: o.budgetMs, rounds: o.rounds, ...t });
      const { steps, heads } = callShape(mode);
      const macs = steps * (macsPerStep(m.cell, m.H) - 24 * m.H) + heads * 24 * m.H;
      const base = timings.find((x) => x.id === BASELINE_ID);
      const edgeBest = Math.min(...timings.filter((x) => x.id.startsWith('edgernn')).map((x) => x.stats.median));
      for (const tm of timings) {
        const c = perModel.get(m.name)!.find((x) => x.id === tm.id)!;
        const s = tm.stats;
        const peakKernel = c.precision === 'f32' ? 'gemm_f32' : 'matmul_s8';
        const peakBuild = c.build ?? 'simd';
        const pk = result.kernelPeak.find((p) => p.kernel === peakKernel && p.build === peakBuild && p.H === m.H);
        const gmacs = macs / s.median / 1000;
        const row: Row = {
          model: m.name, cell: m.cell, H: m.H, mode, id: tm.id, runtime: c.runtime, ...(c.build ? { build: c.build } : {}), precision: c.precision,
          n: s.n, usMedian: s.median, usP10: s.p10, usP90: s.p90, usP99: s.p99, usMin: s.min, usMax: s.max, roundMedians: tm.roundMedians,
          cpuUsPerCall: median(tm.roundCpuPerCall), cpuUsPerCallRounds: tm.roundCpuPerCall, cpuShare: median(tm.roundCpuShare),
          macsPerCall: macs, gmacs,
          ...(pk ? { peak: { kernel: pk.kernel, build: pk.build, gmacs: pk.gmacs }, peakFraction: gmacs / pk.gmacs } : {}),
        };
        if (base) {
          const rr = tm.roundMedians.map((v, i) => v / base.roundMedians[i]!);
          row.vsBaseline = median(rr);
          row.vsBaselineRounds = { min: Math.min(...rr), max: Math.max(...rr) };
          row.vsBaselineCpu = median(tm.roundCpuPerCall.map((v, i) => v / base.roundCpuPerCall[i]!));
        }
        if (c.runtime !== 'edgernn' && Number.isFinite(edgeBest)) row.vsBestEdgernn = s.median / edgeBest;
        result.results.push(row);
      }
      collect();
    }
  }

  result.cpuShare = median(result.results.flatMap((r) => r.cpuShare));
  // a kernel peak below what a whole one-row step achieves is a broken measurement
  for (const r of result.results) {
    if (!r.peak) continue;
    const k = r.peak;
    const over = result.results.some((x) => x.runtime === 'edgernn' && x.mode !== 'step64' && x.H === r.H && x.build === k.build &&
      (x.precision === 'f32' ? 'gemm_f32' : 'matmul_s8') === k.kernel && x.gmacs > 1.5 * k.gmacs);
    if (over) r.peakSuspect = true;
  }
  const suspect = [...new Set(result.results.filter((r) => r.peakSuspect).map((r) => `${r.peak!.kernel} ${r.peak!.build} H=${r.H}`))];
  if (suspect.length) notes.push(`kernel peak looks wrong (edgernn's own one-row step ran faster than 1.5 x the measured peak) for ${suspect.join(', ')}: bench/kernels.ts may not match the kernel test build`);

  // ---- footprint
  if (o.footprint && wantEdge) {
    log('footprint');
    const reps = o.quick ? 3 : 9;
    const wasm = wasmFiles(join(ROOT, 'build'));
    const byFile = (f: string) => wasm.find((w) => w.file === f)?.sha256;
    const embedded = (['simd', 'scalar'] as const).map((b) => {
      const bin = wasmBinary(b);
      const sha256 = sha16(bin);
      return { build: b, bytes: bin.length, gzipBytes: gzipSync(bin, { level: 9 }).length, sha256,
        sameAsBuildAtStart: buildAtStart[b] === sha256, sameAsBuildAtEnd: byFile(`build/${b}.wasm`) === sha256 };
    });
    const fp: NonNullable<BenchResult['footprint']> = { wasm, embedded, create: await createTimes(builds, reps), models: [], peers: [] };
    log('footprint: models');
    for (const m of models) {
      for (const c of perModel.get(m.name)!) {
        if (c.runtime !== 'edgernn') continue;
        const e = c as ReturnType<typeof edgernnContestant>;
        fp.models.push(modelFootprint(rts[c.build!]!, m.name, c.id.replace(/^edgernn /, ''), e.bytes, reps));
      }
      const sessions: { peer: string; ms: Stats }[] = [];
      for (const p of peers.filter((x) => x.name === 'ort-web' || x.name === 'ort-node')) sessions.push({ peer: p.name, ms: await sessionTimes(p, m, reps) });
      fp.peers.push({ model: m.name, onnxBytes: m.onnx.bytes.length, sessions });
    }
    if (embedded.some((e) => !e.sameAsBuildAtStart)) {
      notes.push('at the start, host/runtime/binaries.ts (what the runtime compiles) did not hold the bytes of build/simd.wasm and build/scalar.wasm (run `npm run build:wasm`); the figures are of the embedded binaries');
    } else if (embedded.some((e) => !e.sameAsBuildAtEnd)) {
      notes.push('build/*.wasm was rebuilt while this ran: the figures are of the binaries embedded at the start (sizes in the table below), the file sizes are of the files at the end');
    }
    result.footprint = fp;
  }

  log('done');
  for (const list of perModel.values()) for (const c of list) c.dispose();
  result.machine.loadEnd = os.loadavg();
  result.elapsedMs = performance.now() - t0;
  return result;
}

async function sessionTimes(p: PeerSetup, m: BenchModel, reps: number): Promise<Stats> {
  const { stats } = await import('./harness.js');
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const c = await p.create(m);
    ms.push(performance.now() - t0);
    c.dispose();
  }
  return stats(ms);
}

const sha16 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex').slice(0, 16);
const fileSha = (p: string) => (existsSync(p) ? sha16(readFileSync(p)) : undefined);

/** The commit and the uncommitted changes to what is benchmarked (read-only git). */
function sourceState(): { commit: string; dirty: string[] } {
  try {
    const git = (...a: string[]) => execFileSync('git', a, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const commit = git('rev-parse', 'HEAD').trim();
    // what is benchmarked: the module sources, the host and the wasm build script (not bench/)
    const dirty = git('status', '--porcelain', '--', 'assembly', 'host', 'scripts/build-wasm.mjs')
      .split('\n').filter(Boolean).map((l) => l.slice(3).trim());
    const dirs = [...new Set(dirty.map((p) => (p.includes('/') ? `${p.split('/')[0]}/` : p)))];
    return { commit, dirty: dirs };
  } catch {
    return { commit: 'unknown', dirty: [] };
  }
}

function commandLine(): string {
  const args = process.argv.slice(2).map((a) => (/[\s'"]/.test(a) ? JSON.stringify(a) : a)).join(' ');
  if (process.env.npm_lifecycle_event === 'bench') return `npm run bench${args ? ` -- ${args}` : ''}`;
  return `npx tsx bench/run.ts${args ? ` ${args}` : ''}`;
}

async function main(): Promise<number> {
  let o: Options;
  try {
    o = parseArgs(process.argv.slice(2));
    selectModels(o.only);
  } catch (e) {
    if (e instanceof UsageErr) {
      if (e.message) console.error(`bench: ${e.message}`);
      console.error(USAGE);
      return e.message ? 2 : 0;
    }
    throw e;
  }
  let res: BenchResult;
  if (o.fromJson) {
    res = JSON.parse(readFileSync(o.fromJson, 'utf8')) as BenchResult;
    if (res.version !== 1) throw new Error(`${o.fromJson}: not a bench JSON of version 1`);
  } else {
    try {
      res = await runBench(o);
    } catch (e) {
      if (e instanceof UsageErr) { console.error(`bench: ${e.message}`); return 2; }
      throw e;
    }
    mkdirSync(dirname(o.json), { recursive: true });
    writeFileSync(o.json, JSON.stringify(res, null, 1));
  }
  if (!res.correctnessOk) {
    console.log(correctnessTable(res));
    console.error('\nBENCH FAILED: outputs disagree with edgernn f32 (nothing was timed):');
    for (const c of res.correctness.filter((x) => !x.ok)) {
      console.error(`  ${c.id} on ${c.model} ${c.mode}: ${c.error ?? `max |error| ${c.maxErr?.toExponential(3)} > tolerance ${c.tolerance?.toExponential(3)}` +
        (c.id === BASELINE_ID ? ` (against the float64 reference: ${c.maxErrVsF64?.toExponential(3)})` : '')}`);
    }
    console.error(`JSON: ${o.json}`);
    return 1;
  }
  console.log(`correctness: ok (${res.correctness.filter((c) => !c.skipped).length} checks; worst: ${Object.entries(res.worstErr).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')})`);
  for (const n of res.notes) console.log(`note: ${n}`);
  console.log('');
  console.log(terminalTable(res));
  if (res.footprint) {
    console.log('');
    console.log('footprint:');
    for (const e of res.footprint.embedded) console.log(`  ${`${e.build} (embedded, benchmarked)`.padEnd(26)} ${String(e.bytes).padStart(7)} B  gzip ${String(e.gzipBytes).padStart(6)} B  sha256 ${e.sha256.slice(0, 12)}`);
    for (const w of res.footprint.wasm) console.log(`  ${w.file.padEnd(26)} ${String(w.bytes).padStart(7)} B  gzip ${String(w.gzipBytes).padStart(6)} B  ${w.role}`);
    for (const c of res.footprint.create) console.log(`  Runtime.create ${c.build}: ${c.ms.median.toFixed(2)} ms median [${c.ms.min.toFixed(2)}–${c.ms.max.toFixed(2)}]`);
    for (const m of res.footprint.models) {
      console.log(`  ${m.model.padEnd(8)} ${m.config.padEnd(18)} file ${String(m.fileBytes).padStart(7)} B  weights ${String(m.weightBytes).padStart(7)} B  state/stream ${String(m.stateBytesPerStream).padStart(5)} B  ` +
        `set(1) ${m.streamSet1Bytes} B  set(64) ${m.streamSet64Bytes} B  run(1x20) ${m.run1x20Bytes} B  memory ${m.memoryBytesAfterLoad} B  load ${m.loadMs.median.toFixed(3)} ms`);
    }
    for (const p of res.footprint.peers) console.log(`  ${p.model.padEnd(8)} onnx ${p.onnxBytes} B  ${p.sessions.map((s) => `${s.peer} session ${s.ms.median.toFixed(1)} ms`).join(', ')}`);
  }
  console.log(`\nJSON: ${o.fromJson ?? o.json}  (${(res.elapsedMs / 1000).toFixed(1)} s, load average ${res.machine.loadStart.map((v) => v.toFixed(1)).join('/')} -> ${res.machine.loadEnd.map((v) => v.toFixed(1)).join('/')})`);
  if (o.updateMd) {
    const doc = existsSync(o.updateMd) ? readFileSync(o.updateMd, 'utf8') : '';
    writeFileSync(o.updateMd, replaceSection(doc, markdownSection(res)));
    console.log(`updated ${o.updateMd}`);
  }
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then((code) => process.exit(code), (e) => { console.error(e); process.exit(1); });
}
