// Timing for `npm run bench`: every call timed on its own (performance.now() around it, awaited for
// the async ORT API), contestants interleaved in rounds (each round gives every contestant an equal
// slice of its budget, in a rotated order) so that the load of a shared machine falls on all of
// them alike, and ratios computed from the same rounds.
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Runner } from './runtimes.js';

/** A full GC between timed slices, so one contestant's garbage is not collected in another's time. */
export const collect: () => void = (() => {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    return typeof gc === 'function' ? gc : () => {};
  } catch {
    return () => {};
  }
})();

export interface Stats {
  n: number;
  median: number;
  p10: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile of sorted values. */
export function pct(sorted: ArrayLike<number>, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function stats(values: number[] | Float64Array): Stats {
  const s = Float64Array.from(values).sort();
  return { n: s.length, median: pct(s, 0.5), p10: pct(s, 0.1), p90: pct(s, 0.9), p99: pct(s, 0.99), min: s[0]!, max: s[s.length - 1]! };
}

export interface Entry {
  id: string;
  runner: Runner;
  inputs: Float32Array[];
}

export interface TimingOptions {
  /** Total timed milliseconds per contestant (split over the rounds). */
  budgetMs: number;
  rounds: number;
  /** Warm-up per contestant before the first round: at least this long and warmCalls calls. */
  warmMs: number;
  warmCalls: number;
  /** At least this many timed calls per contestant (slices are extended for slow ones). */
  minSamples: number;
}

export interface Timing {
  id: string;
  /** µs per call, every call. */
  samples: Float64Array;
  /** The median of each round's slice, µs. */
  roundMedians: number[];
  /**
   * Process CPU time (user + system, process.cpuUsage()) per call of each round's slice, µs. Unlike
   * wall time it does not grow when other processes take the CPU away (a long call is preempted
   * more often than a short one, so on a busy machine wall-clock medians favour short calls).
   * It includes every thread of the process (GC helpers, for instance).
   */
  roundCpuPerCall: number[];
  /** CPU time / wall time of each slice: about 1 on an idle machine, lower when others take the CPU. */
  roundCpuShare: number[];
  stats: Stats;
}

class Samples {
  a = new Float64Array(1024);
  n = 0;
  push(v: number): void {
    if (this.n === this.a.length) { const b = new Float64Array(this.a.length * 2); b.set(this.a); this.a = b; }
    this.a[this.n++] = v;
  }
  view(from = 0): Float64Array { return this.a.subarray(from, this.n); }
}

/** Times one slice: calls until `ms` have passed and at least `minCalls` were made. */
async function slice(e: Entry, cursor: { k: number }, ms: number, minCalls: number, out: Samples): Promise<{ calls: number; cpuUs: number; wallUs: number }> {
  const { runner, inputs } = e;
  const n = inputs.length;
  const w0 = performance.now();
  const c0 = process.cpuUsage();
  const end = w0 + ms;
  let calls = 0;
  if (runner.async) {
    const run = runner.run;
    while (calls < minCalls || performance.now() < end) {
      const x = inputs[cursor.k++ % n]!;
      const t0 = performance.now();
      await run(x);
      out.push((performance.now() - t0) * 1000);
      calls++;
    }
  } else {
    const run = runner.run as (x: Float32Array) => Float32Array;
    while (calls < minCalls || performance.now() < end) {
      const x = inputs[cursor.k++ % n]!;
      const t0 = performance.now();
      run(x);
      out.push((performance.now() - t0) * 1000);
      calls++;
    }
  }
  const c = process.cpuUsage(c0);
  return { calls, cpuUs: c.user + c.system, wallUs: (performance.now() - w0) * 1000 };
}

export async function timeInterleaved(entries: Entry[], o: TimingOptions): Promise<Timing[]> {
  const cursors = entries.map(() => ({ k: 0 }));
  const all = entries.map(() => new Samples());
  const rounds = entries.map(() => [] as number[]);
  const cpu = entries.map(() => [] as number[]);
  const share = entries.map(() => [] as number[]);
  // warm up (also fills lazily allocated buffers and lets the JIT settle)
  for (let i = 0; i < entries.length; i++) {
    const junk = new Samples();
    await slice(entries[i]!, cursors[i]!, o.warmMs, o.warmCalls, junk);
    entries[i]!.runner.reset();
  }
  const perRound = o.budgetMs / o.rounds;
  const minPerRound = Math.ceil(o.minSamples / o.rounds);
  for (let r = 0; r < o.rounds; r++) {
    for (let j = 0; j < entries.length; j++) {
      const i = (j + r) % entries.length;
      collect();
      const from = all[i]!.n;
      const r0 = await slice(entries[i]!, cursors[i]!, perRound, minPerRound, all[i]!);
      rounds[i]!.push(stats(all[i]!.view(from)).median);
      cpu[i]!.push(r0.cpuUs / r0.calls);
      share[i]!.push(r0.cpuUs / r0.wallUs);
    }
  }
  return entries.map((e, i) => ({
    id: e.id, samples: all[i]!.view().slice(), roundMedians: rounds[i]!, roundCpuPerCall: cpu[i]!, roundCpuShare: share[i]!, stats: stats(all[i]!.view()),
  }));
}

/** performance.now() pair overhead, µs (included in every per-call time). */
export function timerOverheadUs(): number {
  const s = new Samples();
  for (let i = 0; i < 20000; i++) { const t0 = performance.now(); s.push((performance.now() - t0) * 1000); }
  return stats(s.view()).median;
}
