// Smoke test of `npm run bench` (bench/run.ts): one model, tiny budgets, edgernn and one peer
// (onnxruntime-web), no kernel peak. Checks that the correctness check passes, that it fails loudly when a runtime
// disagrees, that a missing peer is skipped, and the fields of the JSON. Asserts no timing value.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers/paths.js';
import { replaceSection, MD_BEGIN, MD_END } from '../bench/report.js';
import { longRun } from '../bench/long-run.js';

const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

function bench(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [TSX, 'bench/run.ts', ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: 180_000, env: { ...process.env, ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const isNum = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

describe('npm run bench (smoke)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgernn-bench-'));

  it('checks, times and reports one model against ort-web', () => {
    const json = join(dir, 'bench.json');
    const md = join(dir, 'BENCHMARKS.md');
    writeFileSync(md, readFileSync(join(ROOT, 'BENCHMARKS.md'), 'utf8'));
    const r = bench(['--quick', '--only', 'lstm64', '--runtimes', 'edgernn,ort-web', '--configs', 'simd-f32,simd-int8',
      '--budget', '20', '--rounds', '2', '--no-peak', '--json', json, '--update-md', md]);
    expect(r.err + r.out, r.err).toContain('correctness: ok');
    expect(r.code).toBe(0);
    const res = JSON.parse(readFileSync(json, 'utf8'));
    expect(res.version).toBe(1);
    expect(res.correctnessOk).toBe(true);
    expect(res.machine.cpu).toEqual(expect.any(String));
    expect(res.machine.cores).toBeGreaterThan(0);
    expect(res.machine.node).toBe(process.version);
    expect(res.options.gru).toBe('reset-after');
    expect(res.contestants).toEqual(['edgernn simd f32', 'edgernn simd int8', 'ort-web']);
    expect(res.peers.map((p: { name: string }) => p.name)).toEqual(['ort-web']);
    // every runtime, mode checked; the int8 one against its documented tolerance
    expect(res.correctness).toHaveLength(9);
    for (const c of res.correctness) {
      expect(c.ok).toBe(true);
      expect(c.maxErr).toBeLessThanOrEqual(c.tolerance);
    }
    expect(res.correctness.find((c: { id: string }) => c.id === 'ort-web').tolerance).toBe(1e-4);
    // one row per mode and runtime, with the fields of the tables
    expect(res.results).toHaveLength(9);
    for (const row of res.results) {
      expect(['step1', 'step64', 'seq20']).toContain(row.mode);
      for (const k of ['usMedian', 'usP10', 'usP90', 'usP99', 'cpuUsPerCall', 'gmacs', 'macsPerCall', 'vsBaseline', 'vsBaselineCpu']) expect(isNum(row[k]), k).toBe(true);
      expect(row.n).toBeGreaterThan(0);
      expect(row.roundMedians).toHaveLength(2);
      expect(row.peakFraction).toBeUndefined(); // --no-peak: bench/kernels.ts takes seconds even with --quick
    }
    expect(res.results.find((x: { id: string; mode: string }) => x.id === 'ort-web' && x.mode === 'step1').vsBestEdgernn).toEqual(expect.any(Number));
    expect(res.kernelPeak).toEqual([]);
    // footprint
    const fp = res.footprint;
    expect(fp.wasm.map((w: { file: string }) => w.file)).toEqual(expect.arrayContaining(['build/simd.wasm', 'build/scalar.wasm']));
    expect(fp.embedded.map((e: { build: string }) => e.build)).toEqual(['simd', 'scalar']);
    for (const e of fp.embedded) expect(e.bytes).toBeGreaterThan(1000);
    expect(fp.create.map((c: { build: string }) => c.build)).toEqual(['simd']);
    expect(fp.models).toHaveLength(2);
    for (const m of fp.models) {
      expect(m.stateBytesPerStream).toBeGreaterThan(0);
      expect(m.streamSet64Bytes).toBeGreaterThan(m.streamSet1Bytes);
      expect(isNum(m.loadMs.median)).toBe(true);
    }
    // the generated section, the hand-written ones kept
    const doc = readFileSync(md, 'utf8');
    expect(doc).toContain('## Kernel peak');
    expect(doc).toContain(MD_BEGIN);
    expect(doc).toContain(MD_END);
    expect(doc).toContain('### µs per call: median (p99)');
  });

  it('fails loudly when a runtime disagrees (its weights perturbed), before timing', () => {
    const json = join(dir, 'bad.json');
    const r = bench(['--quick', '--only', 'lstm64', '--modes', 'step1', '--runtimes', 'edgernn,ort-web', '--configs', 'simd-f32',
      '--no-peak', '--no-footprint', '--perturb', 'ort-web', '--json', json]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('BENCH FAILED');
    expect(r.err).toMatch(/ort-web on lstm64 step1: max \|error\| [\d.e+-]+ > tolerance/);
    const res = JSON.parse(readFileSync(json, 'utf8'));
    expect(res.correctnessOk).toBe(false);
    expect(res.results).toHaveLength(0);
  });

  it('skips a peer that cannot be imported and benches edgernn alone', () => {
    const json = join(dir, 'alone.json');
    const r = bench(['--quick', '--only', 'gru64', '--modes', 'step1', '--runtimes', 'edgernn,ort-web', '--configs', 'simd-f32',
      '--no-peak', '--no-footprint', '--budget', '10', '--json', json], { EDGERNN_BENCH_HIDE: 'ort-web' });
    expect(r.code, r.err).toBe(0);
    const res = JSON.parse(readFileSync(json, 'utf8'));
    expect(res.skippedPeers.map((s: { name: string }) => s.name)).toEqual(['ort-web']);
    expect(res.results.map((x: { id: string }) => x.id)).toEqual(['edgernn simd f32']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('rewrites the generated section in place', () => {
    const doc = '# Benchmarks\n\n## Kept\n\ntext\n';
    const once = replaceSection(doc, '## Generated A\n');
    const twice = replaceSection(`${once}\n## After\n`, '## Generated B\n');
    expect(twice.split(MD_BEGIN)).toHaveLength(2);
    expect(twice).toContain('## Kept');
    expect(twice).toContain('## Generated B');
    expect(twice).not.toContain('## Generated A');
    expect(twice).toContain('## After');
  });

  it('bench/long-run.ts: a short streaming run stays flat', async () => {
    const r = await longRun({ steps: 3000, model: 'lstm64', config: 'simd-f32', streams: 1, checkpoints: 3, json: undefined }, () => {});
    expect(r.checkpoints.map((c) => c.step)).toEqual([0, 1000, 2000, 3000]);
    expect(r.growth.wasmMemoryBytes).toBe(0);
    expect(r.growth.arenaBytes).toBe(0);
    expect(r.flat).toBe(true);
  });
});
