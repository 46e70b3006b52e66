// The CI-sized run of the loader fuzzer (test/fuzz/loader.ts): 20,000 mutated .ernn files through
// the raw ABI of both builds, every fifth also through Runtime.load. The long run is
// scripts/fuzz-loader.ts; docs/RELIABILITY.md records its figures.
import { describe, it, expect } from 'vitest';
import { fuzzLoader, seeds, makeCase, AbiHarness } from './loader.js';
import { wasmBinary } from '../../host/runtime/wasm.js';
import { Status } from '../../host/runtime/abi.js';

describe('loader fuzzing', () => {
  it('the seeds cover every layer type, direction and mode, and load', () => {
    const s = seeds();
    for (const mode of ['f32', 'int8-dynamic', 'int8']) expect(s.filter((x) => x.mode === mode).length).toBeGreaterThanOrEqual(6);
    const h = new AbiHarness('simd', new WebAssembly.Module(wasmBinary('simd') as BufferSource), 256);
    const types = new Set<number>(), dirs = new Set<number>(), modes = new Set<number>();
    for (const seed of s) {
      h.instantiate();
      expect(h.load(seed.bytes), seed.name).toBe(Status.Ok);
      const dv = new DataView(seed.bytes.buffer, seed.bytes.byteOffset);
      for (let l = 0; l < dv.getUint32(24, true); l++) {
        const rec = dv.getUint32(28, true) + 128 * l;
        types.add(dv.getUint8(rec)); modes.add(dv.getUint8(rec + 1));
        dirs.add(dv.getUint8(rec + 2) === 2 ? 2 : dv.getUint32(rec + 4, true) & 1 ? -1 : 1);
      }
    }
    expect([...types].sort()).toEqual([1, 2, 3, 4, 5]);
    expect([...modes].sort()).toEqual([0, 1, 2]);
    expect([...dirs].sort()).toEqual([-1, 1, 2]);
  });

  it('the guards see a write outside the model', () => {
    const h = new AbiHarness('scalar', new WebAssembly.Module(wasmBinary('scalar') as BufferSource), 256);
    h.instantiate();
    const bytes = seeds()[0]!.bytes;
    expect(h.load(bytes)).toBe(Status.Ok);
    const before = h.stamp();
    h.u8[h.p + bytes.length + 3]! ^= 1; // one byte past the file
    expect(() => h.check(before, true, 'test', 0)).toThrow(/past the file's/);
    h.u8[h.p + bytes.length + 3]! ^= 1;
    h.u8[h.heapStart + 12]! ^= 1; // the model block's header
    expect(() => h.check(before, true, 'test', 0)).toThrow(/guard bytes of the arena block/);
    h.u8[h.heapStart + 12]! ^= 1;
    const end = h.heapStart + h.ex.ernn_heap_bytes();
    h.u8[end + 40] = 0; // past the arena end
    expect(() => h.check(before, true, 'test', end)).toThrow(/past the arena end/);
    expect(h.constants.length).toBeGreaterThan(0);
  });

  it('cases are a pure function of (seed, index)', () => {
    const a = makeCase(7, 123), b = makeCase(7, 123);
    expect(a.ops).toEqual(b.ops);
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
  });

  it('20,000 mutated files: typed errors or a clean run, guards intact, no growth beyond the plan, no hang', () => {
    const r = fuzzLoader({ cases: 20_000, seed: 20260401, runtimeEvery: 5, caseMillis: 2000 });
    const shown = r.findings.slice(0, 5).map((f) => `case ${f.case} ${f.path}/${f.build} ${f.kind} [${f.seed}: ${f.ops.join(' ')}]: ${f.message}`);
    expect(shown).toEqual([]);
    expect(r.cases).toBe(20_000);
    expect(r.runtimeCases).toBe(4_000);
    // the mutations reach every stage: successes that then run, and most kinds of refusal
    expect(r.loaded).toBeGreaterThan(2_000);
    expect(r.runtimeLoaded).toBeGreaterThan(400);
    expect(r.runs).toBeGreaterThan(1_500);
    expect(r.steps).toBeGreaterThan(2_000);
    for (const s of ['Truncated', 'BadMagic', 'ChecksumMismatch', 'BadSection', 'BadTensor', 'BadLayer', 'ShapeMismatch', 'Unsupported', 'LimitExceeded']) {
      expect(r.statuses[s] ?? 0, s).toBeGreaterThan(0);
    }
  });
});
