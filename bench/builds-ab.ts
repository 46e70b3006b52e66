// Side-by-side step latency of several builds of the module (say, a kernel change against the
// build before it) on the models of bench/steps.ts, in one process: the builds are timed in
// interleaved batches, so load that comes and goes on a shared machine hits them alike. Before
// timing, every build's outputs over 30 steps are compared with the first build's (bit for bit:
// a kernel change must not move a single bit of the int8 mode).
// Run: npx tsx bench/builds-ab.ts A.wasm B.wasm ... [--mode int8|int8-dynamic|f32]
//        [--streams N] [--models lstm64,gru128,...] [--quick]
// A file whose name contains "scalar" is loaded as a scalar build.
import { readFileSync } from 'node:fs';
import { Runtime, DEFAULT_LIMITS } from '../host/runtime/runtime.js';
import { lowerToErnn } from '../host/convert/lower.js';
import { benchModel, planFor, macsPerStep } from './steps.js';
import { rng, randArray } from '../test/helpers/models.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1]! : dflt; };
const files = args.filter((a) => a.endsWith('.wasm'));
const quick = args.includes('--quick');
const streams = Number(opt('--streams', '1'));
const mode = opt('--mode', 'int8');
const models = opt('--models', 'lstm64,lstm128,lstm256,gru64,gru128,gru256').split(',');

// Runtime has no public way to take a module from a file: its private constructor does.
type RuntimeCtor = new (backend: string, module: WebAssembly.Module, limits: typeof DEFAULT_LIMITS) => Runtime;
const runtimes = files.map((f) => new (Runtime as unknown as RuntimeCtor)(f.includes('scalar') ? 'scalar' : 'simd', new WebAssembly.Module(readFileSync(f)), DEFAULT_LIMITS));

console.log(`${mode}, ${streams} stream(s) per call; per build: µs median (p10) and GMAC/s`);
console.log(`builds: ${files.join(', ')}`);
for (const name of models) {
  const cell = name.startsWith('lstm') ? 'lstm' : 'gru';
  const H = Number(name.replace(/\D/g, ''));
  const ir = benchModel(cell, H);
  const bytes = lowerToErnn(ir, planFor(mode, ir));
  const sets = runtimes.map((rt) => rt.load(bytes).streams(streams));
  const r = rng(5);
  const outs = sets.map(() => [] as number[]);
  for (let t = 0; t < 30; t++) {
    const frames = randArray(streams * 8, r, 2);
    sets.forEach((s, i) => outs[i]!.push(...s.stepAll(frames)));
  }
  const same = outs.map((o) => o.every((v, k) => Object.is(v, outs[0]![k])));
  sets.forEach((s) => s.resetAll());
  const frames = randArray(streams * 8, rng(3));
  const out = new Float32Array(streams * 24);
  const fns = sets.map((s) => (streams === 1 ? () => s.step(0, frames, out) : () => s.stepAll(frames, out)));
  const batch = streams === 1 ? 20 : 2;
  const samples = fns.map(() => [] as number[]);
  for (const f of fns) for (let i = 0; i < 300; i++) f();
  const end = performance.now() + (quick ? 300 : 2000) * fns.length;
  while (performance.now() < end) {
    fns.forEach((f, i) => {
      const t0 = performance.now();
      for (let k = 0; k < batch; k++) f();
      samples[i]!.push(((performance.now() - t0) * 1000) / batch);
    });
  }
  const macs = macsPerStep(cell, H) * streams;
  const cells = samples.map((s, i) => {
    s.sort((a, b) => a - b);
    const med = s[s.length >> 1]!, p10 = s[Math.floor(s.length * 0.1)]!;
    return `${med.toFixed(2).padStart(8)} (${p10.toFixed(2)}) ${(macs / med / 1000).toFixed(2).padStart(5)}G${same[i] ? '' : ' OUTPUTS DIFFER'}`;
  });
  console.log(`${name.padEnd(8)} ${cells.join(' |')}`);
}
