// Footprint of edgernn for `npm run bench`: the size of each build/*.wasm, the time to compile the
// module (Runtime.create) and to load a model (Runtime.load), and the memory plan of each model
// (model.info.memory): arena bytes of the model, per stream and per stream set, and of run().
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { Runtime } from '../host/runtime/runtime.js';
import { stats, type Stats } from './harness.js';
import { STREAMS, SEQ } from './runtimes.js';

export interface WasmFile { file: string; role: string; bytes: number; gzipBytes: number; sha256: string; mtime: string }

export function wasmFiles(buildDir: string): WasmFile[] {
  return readdirSync(buildDir).filter((f) => f.endsWith('.wasm')).sort().map((file) => {
    const p = join(buildDir, file);
    const b = readFileSync(p);
    return {
      file: `build/${file}`,
      role: file.startsWith('kernels-') ? 'kernel test build (bench/kernels.ts)'
        : file === 'simd.wasm' || file === 'scalar.wasm' ? 'runtime (embedded in host/runtime/binaries.ts)' : 'other build (not loaded by Runtime)',
      bytes: b.length,
      gzipBytes: gzipSync(b, { level: 9 }).length,
      sha256: createHash('sha256').update(b).digest('hex').slice(0, 16),
      mtime: new Date(statSync(p).mtimeMs).toISOString(),
    };
  });
}

export interface CreateTiming { build: 'simd' | 'scalar'; ms: Stats }

export async function createTimes(builds: ('simd' | 'scalar')[], reps: number): Promise<CreateTiming[]> {
  const out: CreateTiming[] = [];
  for (const build of builds) {
    const t: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      await Runtime.create({ simd: build === 'simd' });
      t.push(performance.now() - t0);
    }
    out.push({ build, ms: stats(t) });
  }
  return out;
}

export interface ModelFootprint {
  model: string;
  config: string;
  fileBytes: number;
  weightBytes: number;
  stateBytesPerStream: number;
  streamSet1Bytes: number;
  streamSet64Bytes: number;
  /** (streamSetBytes(64) - streamSetBytes(1)) / 63: what one more stream costs in a set. */
  bytesPerExtraStream: number;
  run1x20Bytes: number;
  /** Arena bytes in use and linear memory size right after load. */
  heapBytesAfterLoad: number;
  memoryBytesAfterLoad: number;
  loadMs: Stats;
}

export function modelFootprint(rt: Runtime, model: string, config: string, bytes: Uint8Array, reps: number): ModelFootprint {
  const t: number[] = [];
  let last: ReturnType<Runtime['load']> | undefined;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    last = rt.load(bytes);
    t.push(performance.now() - t0);
  }
  const mem = last!.info.memory;
  const s1 = mem.streamSetBytes(1), s64 = mem.streamSetBytes(STREAMS);
  return {
    model, config,
    fileBytes: bytes.length,
    weightBytes: mem.weightBytes,
    stateBytesPerStream: mem.stateBytesPerStream,
    streamSet1Bytes: s1,
    streamSet64Bytes: s64,
    bytesPerExtraStream: (s64 - s1) / (STREAMS - 1),
    run1x20Bytes: mem.runBytes(1, SEQ),
    heapBytesAfterLoad: mem.heapBytes,
    memoryBytesAfterLoad: mem.memoryBytes,
    loadMs: stats(t),
  };
}
