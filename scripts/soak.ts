#!/usr/bin/env -S npx tsx
// Soak: a long stream of frames through TrajectoryPredictor, as a device would run for months.
//
//   node --expose-gc --import tsx scripts/soak.ts [--frames 1000000] [--objects 64] [--runs 2]
//        [--model models/eth-ucy/lstm-hotel-int8.ernn] [--samples 50] [--json FILE]
//
// Frames come every 0.4 s (jittered by up to +-40 ms) with `objects` people walking smooth curves.
// There is churn: each object lives 20 to 300 frames, then leaves; its place is taken, after 0 to 12
// frames, by a newcomer. Half the newcomers get a fresh id (n0, n1, ...: a tracker numbering its
// objects, so the predictor sees ever more ids), half an id drawn from a pool of 4 x objects ids
// (p0..), so ids are recycled: some come back while their old track is still remembered (a gap
// bridged, or a restart), most after it was forgotten (a recycled slot). The input is clean: no
// record may be rejected.
//
// Checked, and printed:
// - memory: process rss, V8 heap used, array buffers, and the model module's linear memory
//   (WebAssembly.Memory buffer size) and arena in use, sampled `samples` times; the first sample
//   is taken after a warm-up (2% of the frames), and the report gives it, the last and the max;
// - determinism: a SHA-256 of every prediction (ids, steps, warm flags, times and positions as
//   float64 bits), per tenth of the run and over all of it: `runs` runs (each with a new runtime,
//   model and predictor) must give the same hashes;
// - no error drift: rejected records per tenth (all zero for this clean input), and resets,
//   evictions, objects and predictions per tenth.
// Exit code 1 when a check fails.

import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Runtime } from '../host/runtime/runtime.js';
import { TrajectoryPredictor, type Frame } from '../host/stream/predictor.js';
import { rng } from '../test/helpers/models.js';
import { flags } from './flags.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');



interface Walker { id: string; x: number; y: number; heading: number; speed: number; turn: number; left: number; away: number }

/** The scene: `objects` places, each holding a walker or waiting for the next one. Deterministic. */
class Scene {
  private readonly r = rng(20250801);
  private readonly places: Walker[];
  private readonly frame: Frame = { t: 0, objects: [] };
  private readonly records: { id: string; x: number; y: number }[] = [];
  readonly poolSize: number;

  constructor(private readonly objects: number) {
    this.poolSize = 4 * objects;
    this.places = Array.from({ length: objects }, () => this.newcomer(0));
  }

  private fresh = 0;

  private newcomer(away: number): Walker {
    const r = this.r;
    return {
      id: r() < 0.5 ? `n${this.fresh++}` : `p${Math.floor(r() * this.poolSize)}`, x: r() * 40 - 20, y: r() * 40 - 20, heading: r() * 2 * Math.PI,
      speed: 0.6 + r() * 1.2, turn: (r() - 0.5) * 0.3, left: 20 + Math.floor(r() * 280), away,
    };
  }

  /** Frame k (reuses its arrays: the predictor copies what it keeps). */
  next(k: number): Frame {
    const r = this.r;
    const dt = 0.4;
    this.records.length = 0;
    const used = new Set<string>();
    for (let i = 0; i < this.places.length; i++) {
      const w = this.places[i]!;
      if (w.away > 0) { w.away--; continue; }
      if (w.left-- <= 0) { this.places[i] = this.newcomer(Math.floor(r() * 13)); continue; }
      if (used.has(w.id)) { w.id = `p${Math.floor(r() * this.poolSize)}`; if (used.has(w.id)) continue; } // ids unique within a frame
      used.add(w.id);
      w.heading += w.turn * dt + (r() - 0.5) * 0.05;
      w.x += Math.cos(w.heading) * w.speed * dt;
      w.y += Math.sin(w.heading) * w.speed * dt;
      this.records.push({ id: w.id, x: w.x, y: w.y });
    }
    this.frame.t = k * dt + (k > 0 ? (r() - 0.5) * 0.08 : 0);
    this.frame.objects = this.records;
    return this.frame;
  }
}

interface Sample { frame: number; rss: number; heapUsed: number; arrayBuffers: number; moduleMemory: number; moduleHeap: number }
interface Tenth { frames: number; predictions: number; rejected: number; resets: number; evictions: number; objects: number; hash: string }
interface RunResult { hash: string; tenths: Tenth[]; samples: Sample[]; ms: number; capacity: number; maxTracked: number }

const gc = (globalThis as { gc?: () => void }).gc;

async function soak(modelPath: string, frames: number, objects: number, sampleCount: number, log: (s: string) => void): Promise<RunResult> {
  const t0 = performance.now();
  const rt = await Runtime.create();
  const model = rt.load(new Uint8Array(readFileSync(modelPath)));
  const capacity = 2 * objects;
  const predictor = new TrajectoryPredictor(model, { capacity });
  const scene = new Scene(objects);
  const all = createHash('sha256');
  let part = createHash('sha256');
  const tenth = Math.max(1, Math.floor(frames / 10));
  const tenths: Tenth[] = [];
  let cur = { frames: 0, predictions: 0, rejected: 0, resets: 0, evictions: 0, objects: 0 };
  let lastCounters = { ...predictor.counters };
  const samples: Sample[] = [];
  const warmup = Math.max(1, Math.floor(frames * 0.02));
  const every = Math.max(1, Math.floor((frames - warmup) / Math.max(1, sampleCount - 1)));
  const buf = new Float64Array(1 + 2 * 64 + 1 + 3 * 64);
  const bytes = new Uint8Array(buf.buffer);
  let maxTracked = 0;
  const sample = (k: number) => {
    gc?.();
    const m = process.memoryUsage();
    samples.push({ frame: k, rss: m.rss, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, moduleMemory: model.info.memory.memoryBytes, moduleHeap: model.info.memory.heapBytes });
  };
  for (let k = 0; k < frames; k++) {
    const res = predictor.push(scene.next(k));
    maxTracked = Math.max(maxTracked, predictor.tracked);
    cur.frames++;
    cur.predictions += res.predictions.length;
    cur.rejected += res.rejected.length;
    for (const p of res.predictions) {
      // id, steps, warm, t0, then the points (t, x, y) as float64 bits
      const n = p.points.length;
      const need = 4 + 3 * n;
      const b = need <= buf.length ? buf : new Float64Array(need);
      const id = String(p.id);
      b[0] = id[0] === 'p' ? Number(id.slice(1)) : -1 - Number(id.slice(1)); b[1] = p.steps; b[2] = p.warm ? 1 : 0; b[3] = p.t0;
      for (let i = 0; i < n; i++) { const q = p.points[i]!; b[4 + 3 * i] = q.t; b[5 + 3 * i] = q.x; b[6 + 3 * i] = q.y; }
      const view = b === buf ? bytes.subarray(0, need * 8) : new Uint8Array(b.buffer, 0, need * 8);
      all.update(view);
      part.update(view);
    }
    if (k + 1 === warmup || (k + 1 > warmup && (k + 1 - warmup) % every === 0)) sample(k + 1);
    if ((k + 1) % tenth === 0 || k + 1 === frames) {
      const c = predictor.counters;
      tenths.push({
        ...cur, resets: c.resets - lastCounters.resets, evictions: c.evictions - lastCounters.evictions, objects: c.objects - lastCounters.objects,
        hash: part.digest('hex').slice(0, 16),
      });
      lastCounters = { ...c };
      cur = { frames: 0, predictions: 0, rejected: 0, resets: 0, evictions: 0, objects: 0 };
      part = createHash('sha256');
      log(`  ${k + 1} frames, ${((performance.now() - t0) / 1000).toFixed(0)} s, rss ${MB(process.memoryUsage().rss)}`);
    }
  }
  if (samples[samples.length - 1]?.frame !== frames) sample(frames);
  predictor.dispose();
  return { hash: all.digest('hex'), tenths, samples, ms: performance.now() - t0, capacity, maxTracked };
}

const MB = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;

function memoryReport(samples: Sample[]): { line: string; flat: boolean } {
  const first = samples[0]!, last = samples[samples.length - 1]!;
  const keys = ['rss', 'heapUsed', 'arrayBuffers', 'moduleMemory', 'moduleHeap'] as const;
  const max = Object.fromEntries(keys.map((k) => [k, Math.max(...samples.map((s) => s[k]))])) as Record<typeof keys[number], number>;
  const line = keys.map((k) => `${k} ${MB(first[k])} -> ${MB(last[k])} (max ${MB(max[k])})`).join(', ');
  // flat: the module's memory and arena exactly, the process within a margin for the GC and JIT
  const flat = last.moduleMemory === first.moduleMemory && max.moduleMemory === first.moduleMemory && last.moduleHeap === first.moduleHeap
    && max.rss - first.rss < 64 * 2 ** 20 && max.heapUsed - first.heapUsed < 32 * 2 ** 20 && max.arrayBuffers - first.arrayBuffers < 16 * 2 ** 20;
  return { line, flat };
}

async function main(): Promise<number> {
  const a = flags(process.argv.slice(2));
  const frames = Number(a.frames ?? 1_000_000), objects = Number(a.objects ?? 64), runs = Number(a.runs ?? 2);
  const modelPath = a.model ?? join(ROOT, 'models', 'eth-ucy', 'lstm-hotel-int8.ernn');
  const samples = Number(a.samples ?? 50);
  if (!(frames > 0) || !(objects > 0) || !(runs > 0)) throw new Error('--frames, --objects and --runs must be positive');
  console.log(`soak: ${frames} frames of ${objects} objects (fresh ids, and ids recycled from a pool of ${4 * objects}), ${runs} run${runs > 1 ? 's' : ''}, model ${modelPath}${gc ? '' : ' (no --expose-gc: heap samples include garbage)'}`);
  const results: RunResult[] = [];
  let ok = true;
  for (let i = 0; i < runs; i++) {
    console.log(`run ${i + 1}:`);
    const r = await soak(modelPath, frames, objects, samples, (s) => console.log(s));
    results.push(r);
    const mem = memoryReport(r.samples);
    const steps = r.tenths.reduce((n, t) => n + t.predictions, 0);
    console.log(`run ${i + 1}: ${(r.ms / 1000).toFixed(0)} s (${(r.ms * 1000 / frames).toFixed(0)} us per frame), ${steps} predictions, at most ${r.maxTracked} of ${r.capacity} slots in use`);
    console.log(`  memory (after ${Math.floor(frames * 0.02)} frames of warm-up -> end): ${mem.line}: ${mem.flat ? 'flat' : 'NOT FLAT'}`);
    console.log('  tenth  frames  predictions  rejected  resets  evictions  new objects  hash');
    r.tenths.forEach((t, k) => console.log(`  ${String(k + 1).padStart(5)} ${String(t.frames).padStart(7)} ${String(t.predictions).padStart(12)} ${String(t.rejected).padStart(9)} ${String(t.resets).padStart(7)} ${String(t.evictions).padStart(10)} ${String(t.objects).padStart(12)}  ${t.hash}`));
    console.log(`  hash of all predictions: ${r.hash}`);
    const rejected = r.tenths.reduce((n, t) => n + t.rejected, 0);
    if (rejected > 0) { console.log(`  FAIL: ${rejected} records rejected from clean input`); ok = false; }
    if (!mem.flat) ok = false;
  }
  if (runs > 1) {
    const same = results.every((r) => r.hash === results[0]!.hash && r.tenths.every((t, k) => t.hash === results[0]!.tenths[k]!.hash));
    console.log(same ? `bit-identical: all ${runs} runs give hash ${results[0]!.hash}` : 'FAIL: the runs differ');
    if (!same) ok = false;
  }
  if (a.json) writeFileSync(a.json, JSON.stringify({ frames, objects, runs: results }, null, 1));
  return ok ? 0 : 1;
}

main().then((code) => { process.exitCode = code; }, (e: unknown) => { console.error(e); process.exitCode = 2; });
