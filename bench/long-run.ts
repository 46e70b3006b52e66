// A long streaming run: a million steps (by default) of one model, checking that nothing grows:
// the JS heap (process.memoryUsage(), after a full GC), the module's linear memory and its arena.
//
//   npx tsx bench/long-run.ts [--steps 1000000] [--model lstm128] [--config simd-f32]
//                             [--streams 1] [--checkpoints 10] [--json FILE]
//
// --streams 1 steps one stream with streams(1).step(0, frame, out); --streams N > 1 steps all N
// with stepAll(frames, out). Exit status 1 when the wasm memory or the arena grew, or when the
// JS heap grew by more than 1 MiB between the first checkpoint and the last.
import v8 from 'node:v8';
import vm from 'node:vm';
import os from 'node:os';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Runtime, EDGE_CONFIGS, edgernnContestant, type EdgeConfig, type BenchModel } from './runtimes.js';
import { benchModel } from './steps.js';
import { exportOnnx } from './onnx-export.js';
import { rng, randArray } from '../test/helpers/models.js';
import type { DenseLayer } from '../host/convert/ir.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

interface Checkpoint {
  step: number;
  heapUsed: number; heapTotal: number; rss: number; external: number; arrayBuffers: number;
  wasmMemoryBytes: number; arenaBytes: number;
  stepsPerSecond: number;
}

function args(argv: string[]) {
  const o = { steps: 1_000_000, model: 'lstm128', config: 'simd-f32' as EdgeConfig, streams: 1, checkpoints: 10, json: undefined as string | undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!, v = argv[i + 1];
    const num = () => { const n = Number(v); if (!Number.isInteger(n) || n < 1) throw new Error(`${a} needs a positive integer`); i++; return n; };
    if (a === '--steps') o.steps = num();
    else if (a === '--streams') o.streams = num();
    else if (a === '--checkpoints') o.checkpoints = num();
    else if (a === '--model') { if (!v || !/^(lstm|gru)\d+$/.test(v)) throw new Error('--model is lstmH or gruH, e.g. lstm128'); o.model = v; i++; }
    else if (a === '--config') { if (!EDGE_CONFIGS.includes(v as EdgeConfig)) throw new Error(`--config is one of ${EDGE_CONFIGS.join(', ')}`); o.config = v as EdgeConfig; i++; }
    else if (a === '--json') { if (!v) throw new Error('--json needs a file'); o.json = resolve(v); i++; }
    else throw new Error(`unknown option '${a}'`);
  }
  return o;
}

export async function longRun(o: ReturnType<typeof args>, log: (s: string) => void = console.log) {
  const [, cell, h] = /^(lstm|gru)(\d+)$/.exec(o.model)!;
  const ir = benchModel(cell as 'lstm' | 'gru', Number(h));
  const m: BenchModel = { name: o.model, cell: cell as 'lstm' | 'gru', H: Number(h), I: ir.inputSize, O: (ir.layers[1] as DenseLayer).units, ir, onnx: exportOnnx(ir) };
  const rt = await Runtime.create({ simd: o.config.startsWith('simd') });
  const c = edgernnContestant(rt, o.config, m);
  const model = c.model;
  const n = o.streams;
  const set = model.streams(n);
  const r = rng(11);
  const frames = Array.from({ length: 64 }, () => randArray(n * m.I, r));
  const out = new Float32Array(n * m.O);
  const mem = model.info.memory;
  const points: Checkpoint[] = [];
  let last = performance.now(), lastStep = 0;
  const checkpoint = (step: number) => {
    const now = performance.now();
    const rate = step > lastStep ? ((step - lastStep) * n) / ((now - last) / 1000) : 0;
    gc();
    const u = process.memoryUsage();
    points.push({
      step, heapUsed: u.heapUsed, heapTotal: u.heapTotal, rss: u.rss, external: u.external, arrayBuffers: u.arrayBuffers,
      wasmMemoryBytes: mem.memoryBytes, arenaBytes: mem.heapBytes, stepsPerSecond: rate,
    });
    const p = points[points.length - 1]!;
    log(`${String(step).padStart(9)} steps  heapUsed ${(p.heapUsed / 1048576).toFixed(2)} MiB  rss ${(p.rss / 1048576).toFixed(1)} MiB  ` +
      `arrayBuffers ${(p.arrayBuffers / 1048576).toFixed(2)} MiB  wasm memory ${p.wasmMemoryBytes} B  arena ${p.arenaBytes} B` +
      (rate ? `  ${(rate / 1e6).toFixed(3)} M stream-steps/s` : ''));
    last = performance.now(); lastStep = step;
  };
  // warm up (JIT, lazily created views), then the first checkpoint
  for (let i = 0; i < 2000; i++) n === 1 ? set.step(0, frames[i & 63]!, out) : set.stepAll(frames[i & 63]!, out);
  checkpoint(0);
  const every = Math.max(1, Math.floor(o.steps / o.checkpoints));
  let sum = 0;
  for (let s = 1; s <= o.steps; s++) {
    const y = n === 1 ? set.step(0, frames[s & 63]!, out) : set.stepAll(frames[s & 63]!, out);
    sum += y[0]!;
    if (s % every === 0 || s === o.steps) checkpoint(s);
  }
  const first = points[0]!, end = points[points.length - 1]!;
  const growth = {
    heapUsed: end.heapUsed - first.heapUsed,
    rss: end.rss - first.rss,
    arrayBuffers: end.arrayBuffers - first.arrayBuffers,
    wasmMemoryBytes: end.wasmMemoryBytes - first.wasmMemoryBytes,
    arenaBytes: end.arenaBytes - first.arenaBytes,
  };
  const flat = growth.wasmMemoryBytes === 0 && growth.arenaBytes === 0 && growth.heapUsed < 1 << 20 && growth.arrayBuffers < 1 << 20 && Number.isFinite(sum);
  set.dispose();
  return {
    options: o,
    machine: { cpu: os.cpus()[0]?.model ?? '?', cores: os.cpus().length, node: process.version },
    date: new Date().toISOString(),
    checkpoints: points,
    growth,
    flat,
    checksum: sum,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  let o: ReturnType<typeof args>;
  try { o = args(process.argv.slice(2)); } catch (e) {
    console.error(`long-run: ${(e as Error).message}`);
    console.error('usage: npx tsx bench/long-run.ts [--steps 1000000] [--model lstm128] [--config simd-f32] [--streams 1] [--checkpoints 10] [--json FILE]');
    process.exit(2);
  }
  console.log(`${o.model} ${o.config}, ${o.streams === 1 ? 'streams(1).step' : `streams(${o.streams}).stepAll`}, ${o.steps} steps`);
  const res = await longRun(o);
  const g = res.growth;
  console.log(`growth from the first checkpoint to the last: heapUsed ${(g.heapUsed / 1024).toFixed(1)} KiB, rss ${(g.rss / 1024).toFixed(0)} KiB, ` +
    `arrayBuffers ${(g.arrayBuffers / 1024).toFixed(1)} KiB, wasm memory ${g.wasmMemoryBytes} B, arena ${g.arenaBytes} B`);
  console.log(res.flat ? 'flat: no growth of the wasm memory or the arena, JS heap within 1 MiB' : 'NOT FLAT: see the growth above');
  if (o.json) { mkdirSync(dirname(o.json), { recursive: true }); writeFileSync(o.json, JSON.stringify(res, null, 1)); }
  process.exit(res.flat ? 0 : 1);
}
