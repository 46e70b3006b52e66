// edgernn per-step latency of LSTM and GRU models (input 8, hidden 64/128/256, a dense head of 24)
// in every mode and build, with GMAC/s next to the kernel peak of bench/kernels.ts.
// Run: npx tsx bench/steps.ts [--quick]
import { Runtime } from '../host/runtime/runtime.js';
import { lowerToErnn, type QuantPlan } from '../host/convert/lower.js';
import { calibrate } from '../host/convert/quantize/reference.js';
import type { ModelIR } from '../host/convert/ir.js';
import { rng, randArray, recurrent, dense } from '../test/helpers/models.js';

export interface StepResult { cell: string; H: number; build: string; mode: string; usMedian: number; usP99: number; macs: number; gmacs: number }

export function benchModel(cell: 'lstm' | 'gru', H: number): ModelIR {
  const r = rng(H + (cell === 'gru' ? 1 : 0));
  return { name: `${cell}${H}`, inputSize: 8, layers: [recurrent({ kind: cell, hidden: H, output: 'last' }, 8, r), dense(H, 24, r)], metadata: { name: `${cell}${H}` } };
}

export function macsPerStep(cell: 'lstm' | 'gru', H: number): number {
  return (cell === 'lstm' ? 4 : 3) * H * (8 + H) + 24 * H;
}

export function timeIt(fn: () => void, budgetMs: number, batch = 20): number[] {
  for (let i = 0; i < 200; i++) fn();
  const s: number[] = [];
  const end = performance.now() + budgetMs;
  while (performance.now() < end || s.length < 30) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) fn();
    s.push(((performance.now() - t0) * 1000) / batch);
  }
  return s.sort((a, b) => a - b);
}

export function planFor(mode: string, ir: ModelIR): QuantPlan {
  if (mode === 'int8') {
    const r = rng(7);
    return { mode: 'int8', stats: calibrate(ir, [{ x: randArray(16 * 20 * 8, r), shape: [16, 20, 8] }]) };
  }
  return { mode: mode as QuantPlan['mode'] };
}

export async function benchSteps(quick = false): Promise<StepResult[]> {
  const out: StepResult[] = [];
  const runtimes = { simd: await Runtime.create({ simd: true }), scalar: await Runtime.create({ simd: false }) };
  const combos: [keyof typeof runtimes, string][] = [['simd', 'f32'], ['simd', 'int8-dynamic'], ['simd', 'int8'], ['scalar', 'f32'], ['scalar', 'int8']];
  for (const cell of ['lstm', 'gru'] as const) {
    for (const H of quick ? [64] : [64, 128, 256]) {
      const ir = benchModel(cell, H);
      for (const [build, mode] of combos) {
        const model = runtimes[build].load(lowerToErnn(ir, planFor(mode, ir)));
        const s = model.streams(1);
        const frame = randArray(8, rng(3));
        const out1 = new Float32Array(24);
        const t = timeIt(() => s.step(0, frame, out1), quick ? 30 : build === 'scalar' ? 300 : 600);
        const med = t[t.length >> 1]!, p99 = t[Math.floor(t.length * 0.99)]!;
        out.push({ cell, H, build, mode, usMedian: med, usP99: p99, macs: macsPerStep(cell, H), gmacs: macsPerStep(cell, H) / med / 1000 });
      }
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await benchSteps(process.argv.includes('--quick'));
  console.log('cell  H    build   mode          µs median   µs p99   GMAC/s');
  for (const r of rows) console.log(`${r.cell.padEnd(5)} ${String(r.H).padStart(3)}  ${r.build.padEnd(6)}  ${r.mode.padEnd(12)} ${r.usMedian.toFixed(2).padStart(9)} ${r.usP99.toFixed(2).padStart(8)} ${r.gmacs.toFixed(2).padStart(8)}`);
}
