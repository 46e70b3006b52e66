// The f32 step and call path, side by side: one stream (streams.step), 64 streams in one call
// (streams(64).stepAll) and a 20-step sequence in one call (model.run on [1, 20, 8]), for the
// LSTM/GRU bench models of bench/steps.ts (input 8, hidden 64/128/256, Dense head of 24), SIMD
// build, against onnxruntime-web (wasm EP, one thread) on the same weights in the same run.
// Other builds of the module can join the same rounds (--vs label=path/to/simd.wasm, driven by
// this host code), which is how BENCHMARKS.md, "f32 step and call path", measured each change.
//
// Timing: rounds; in each round every contestant runs every mode for an equal slice of time, in
// a rotated order, as batches of calls timed together (performance.now() around the batch);
// the figure is the median over all batches of all rounds, so that the load of a shared machine
// falls on every contestant alike. Also reports the pieces of one step (raw wasm call vs the
// JS method) for the current build.
//
// Run: npx tsx bench/f32.ts [--quick] [--models lstm128,gru128] [--no-ort] [--vs before=/tmp/simd.wasm]
//      [--rounds N] [--slice MS]; npx tsx bench/f32.ts --footprint (sizes, load times, memory plan)
import { readFileSync } from 'node:fs';
import { Runtime, DEFAULT_LIMITS } from '../host/runtime/runtime.js';
import type { Model } from '../host/runtime/model.js';
import { lowerToErnn } from '../host/convert/lower.js';
import { benchModel } from './steps.js';
import { rng, randArray } from '../test/helpers/models.js';

type Mode = 'step1' | 'step64' | 'seq20';
const MODES: Mode[] = ['step1', 'step64', 'seq20'];
const STREAMS = 64, SEQ = 20, I = 8, O = 24;

interface Call { run(): unknown; async: boolean }
interface Contestant { id: string; calls: Record<Mode, Call> }

const args = process.argv.slice(2);
const opt = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const quick = args.includes('--quick');
const models = (opt('--models') ?? 'lstm64,lstm128,lstm256,gru64,gru128,gru256').split(',').map((s) => {
  const m = /^(lstm|gru)(\d+)$/.exec(s);
  if (!m) throw new Error(`--models: ${s}`);
  return { cell: m[1] as 'lstm' | 'gru', H: Number(m[2]) };
});
const vs = args.flatMap((a, i) => (args[i - 1] === '--vs' ? [a] : [])).map((s) => {
  const [label, path] = s.split('=');
  return { label: label!, path: path! };
});

/** MACs of one call: recurrent products per step (x and h) and the head where it runs. */
function macs(cell: 'lstm' | 'gru', H: number, mode: Mode): number {
  const rec = (cell === 'lstm' ? 4 : 3) * H * (I + H), head = O * H;
  return mode === 'step1' ? rec + head : mode === 'step64' ? STREAMS * (rec + head) : SEQ * rec + head;
}

/** A Runtime over another build of the module (same host code). */
function runtimeOf(wasm: Uint8Array): Runtime {
  const rt = Object.create(Runtime.prototype) as Runtime;
  Object.assign(rt, { backend: 'simd', module: new WebAssembly.Module(wasm as BufferSource), limits: { ...DEFAULT_LIMITS } });
  return rt;
}

function edgeContestant(id: string, model: Model): Contestant {
  const s1 = model.streams(1), s64 = model.streams(STREAMS);
  const r = rng(3);
  const f1 = randArray(I, r), f64 = randArray(STREAMS * I, r), xs = randArray(SEQ * I, r);
  const o1 = new Float32Array(O), o64 = new Float32Array(STREAMS * O);
  const shape = [1, SEQ, I];
  return {
    id,
    calls: {
      step1: { async: false, run: () => s1.step(0, f1, o1) },
      step64: { async: false, run: () => s64.stepAll(f64, o64) },
      seq20: { async: false, run: () => model.run(xs, shape) },
    },
  };
}

async function ortContestant(ir: ReturnType<typeof benchModel>, cell: 'lstm' | 'gru', H: number): Promise<Contestant> {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  const { exportOnnx } = await import('./onnx-export.js');
  const ex = exportOnnx(ir);
  const s = await ort.InferenceSession.create(ex.bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const r = rng(3);
  const zeros = (B: number) => new ort.Tensor('float32', new Float32Array(B * H), [1, B, H]);
  const stepper = (B: number) => {
    const x = new ort.Tensor('float32', randArray(B * I, r), [1, B, I]);
    let h: unknown = zeros(B), c: unknown = zeros(B);
    return {
      async: true,
      run: async () => {
        const feeds: Record<string, unknown> = { [ex.inputs.x]: x, [ex.inputs.h]: h };
        if (cell === 'lstm') feeds[ex.inputs.c!] = c;
        const out = await s.run(feeds as never);
        h = out[ex.outputs.h];
        if (cell === 'lstm') c = out[ex.outputs.c!];
        return out[ex.outputs.y];
      },
    };
  };
  const xs = new ort.Tensor('float32', randArray(SEQ * I, r), [SEQ, 1, I]);
  const seqFeeds: Record<string, unknown> = { [ex.inputs.x]: xs, [ex.inputs.h]: zeros(1) };
  if (cell === 'lstm') seqFeeds[ex.inputs.c!] = zeros(1);
  return {
    id: 'ort-web',
    calls: {
      step1: stepper(1),
      step64: stepper(STREAMS),
      seq20: { async: true, run: () => s.run(seqFeeds as never) },
    },
  };
}

async function timeBatch(c: Call, reps: number): Promise<number> {
  const t0 = performance.now();
  if (c.async) for (let i = 0; i < reps; i++) await c.run();
  else for (let i = 0; i < reps; i++) c.run();
  return ((performance.now() - t0) * 1000) / reps;
}

const median = (a: number[]) => { const s = [...a].sort((p, q) => p - q); return s[s.length >> 1]!; };

async function compare(contestants: Contestant[], rounds: number, sliceMs: number): Promise<Map<string, Record<Mode, number>>> {
  const samples = new Map<string, Record<Mode, number[]>>();
  const reps = new Map<string, number>();
  for (const c of contestants) {
    samples.set(c.id, { step1: [], step64: [], seq20: [] });
    for (const m of MODES) {
      for (let i = 0; i < 20; i++) await timeBatch(c.calls[m], 1);   // warm-up
      const us = await timeBatch(c.calls[m], 5);
      reps.set(`${c.id}/${m}`, Math.max(1, Math.round(200 / us)));   // batches of about 0.2 ms
    }
  }
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < contestants.length; k++) {
      const c = contestants[(k + round) % contestants.length]!;
      for (const m of MODES) {
        const end = performance.now() + sliceMs;
        const n = reps.get(`${c.id}/${m}`)!;
        do samples.get(c.id)![m].push(await timeBatch(c.calls[m], n)); while (performance.now() < end);
      }
    }
  }
  const out = new Map<string, Record<Mode, number>>();
  for (const [id, s] of samples) out.set(id, { step1: median(s.step1), step64: median(s.step64), seq20: median(s.seq20) });
  return out;
}

/** The pieces of one single-stream step of the current build: wasm call alone vs the JS method. */
function pieces(model: Model): { js: number; wasm: number } {
  const s = model.streams(1);
  const ex = (model as unknown as { ex: { ernn_streams_step(h: number, k: number, i: number): number } }).ex;
  const h = (s as unknown as { handle: number }).handle;
  const f = randArray(I, rng(5)), o = new Float32Array(O);
  const js: number[] = [], wasm: number[] = [];
  for (let round = 0; round < (quick ? 20 : 200); round++) {
    let t0 = performance.now();
    for (let i = 0; i < 50; i++) s.step(0, f, o);
    js.push(((performance.now() - t0) * 1000) / 50);
    t0 = performance.now();
    for (let i = 0; i < 50; i++) ex.ernn_streams_step(h, 1, 1);
    wasm.push(((performance.now() - t0) * 1000) / 50);
  }
  s.dispose();
  return { js: median(js), wasm: median(wasm) };
}

/** Sizes, compile and load times, and the memory plan of each bench model (model.info.memory). */
async function footprint(): Promise<void> {
  const { wasmBinary } = await import('../host/runtime/wasm.js');
  for (const b of ['simd', 'scalar'] as const) {
    const bin = wasmBinary(b);
    const comp: number[] = [], inst: number[] = [];
    for (let i = 0; i < 30; i++) {
      let t0 = performance.now();
      const m = await WebAssembly.compile(bin as BufferSource);
      comp.push(performance.now() - t0);
      t0 = performance.now();
      new WebAssembly.Instance(m, {});
      inst.push(performance.now() - t0);
    }
    console.log(`${b}.wasm ${bin.length} B; compile ${median(comp).toFixed(2)} ms, instantiate ${median(inst).toFixed(3)} ms (medians of 30)`);
  }
  const rtS = await Runtime.create({ simd: true });
  console.log('model     file B   load ms  arena after load  memory after load  state/stream  set(1)  set(64)  per extra stream  run [1,20]');
  for (const { cell, H } of models) {
    const bytes = lowerToErnn(benchModel(cell, H), { mode: 'f32' });
    const t: number[] = [];
    let m: Model | undefined;
    for (let i = 0; i < 15; i++) { const t0 = performance.now(); m = rtS.load(bytes); t.push(performance.now() - t0); }
    const mem = m!.info.memory;
    const s1 = mem.streamSetBytes(1), s64 = mem.streamSetBytes(STREAMS);
    console.log(`${(cell + H).padEnd(8)} ${String(bytes.length).padStart(8)} ${median(t).toFixed(2).padStart(8)} ${String(mem.heapBytes).padStart(17)} ${String(mem.memoryBytes).padStart(18)} ${String(mem.stateBytesPerStream).padStart(13)} ${String(s1).padStart(7)} ${String(s64).padStart(8)} ${String(Math.round((s64 - s1) / (STREAMS - 1))).padStart(17)} ${String(mem.runBytes(1, SEQ)).padStart(11)}`);
  }
}

if (args.includes('--footprint')) { await footprint(); process.exit(0); }

const rt = await Runtime.create({ simd: true });
const others = vs.map((v) => ({ label: v.label, rt: runtimeOf(readFileSync(v.path)) }));
const rounds = quick ? 3 : Number(opt('--rounds') ?? 12), slice = quick ? 30 : Number(opt('--slice') ?? 60);
console.log(`f32 path: ${rounds} rounds, ${slice} ms slices per contestant and mode; µs per call (median of batches), GMAC/s, ratio to ort-web`);
for (const { cell, H } of models) {
  const ir = benchModel(cell, H);
  const bytes = lowerToErnn(ir, { mode: 'f32' });
  const cur = rt.load(bytes);
  const cs: Contestant[] = [edgeContestant('edgernn', cur), ...others.map((o) => edgeContestant(o.label, o.rt.load(bytes)))];
  if (!args.includes('--no-ort')) cs.push(await ortContestant(ir, cell, H));
  const res = await compare(cs, rounds, slice);
  const ort = res.get('ort-web');
  const p = pieces(cur);
  console.log(`\n${cell.toUpperCase()} ${H}   (one stream: JS step ${p.js.toFixed(2)} µs, of which the wasm call ${p.wasm.toFixed(2)} µs)`);
  console.log('  contestant        one stream  GMAC/s  x ort |  64 streams  GMAC/s  x ort |  20-step seq  GMAC/s  x ort');
  for (const [id, r] of res) {
    const cells = MODES.map((m) => {
      const g = macs(cell, H, m) / r[m] / 1000;
      const x = ort ? ort[m] / r[m] : NaN;
      return `${r[m].toFixed(2).padStart(10)} ${g.toFixed(2).padStart(7)} ${x.toFixed(2).padStart(6)}`;
    });
    console.log(`  ${id.padEnd(16)} ${cells.join(' | ')}`);
  }
}
