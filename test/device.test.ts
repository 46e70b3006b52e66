// The same module, model and input on every host, to the bit (issue 7, docs/DEVICE.md):
//
//   V8 (Node), SIMD build and scalar build         host/runtime, the reference
//   wabt's interpreter, scalar and SIMD builds     device/interp.mjs (spectest-interp, a .wast driver)
//   WASI preview1 under node:wasi                  build/wasi.wasm and build/wasi-simd.wasm
//   C from wasm2c, x86-64 with gcc                 device/build.mjs --target x86
//   C from wasm2c, Cortex-M3 on QEMU mps2-an385    device/build.mjs --target cortex-m3 (full, block and no bounds checks)
//   C from wasm2c, Cortex-M4F on QEMU mps2-an386   device/build.mjs --target cortex-m4
//
// on the shipped int8 LSTM (models/eth-ucy/lstm-hotel-int8.ernn) and a recorded pedestrian
// (test/fixtures/device/hotel-ped315.npy, 20 steps), stepping one stream. The C is generated
// from the current build/scalar.wasm (cached under build/device/ by input hashes). The tools
// come from Debian (scripts/install-device-tools.sh, which .ci/run runs); a missing tool fails
// the test with that hint instead of skipping it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { WASI } from 'node:wasi';
import { Runtime } from '../host/runtime/runtime.js';
import { readNpy } from '../host/io/npy.js';
import { ROOT } from './helpers/paths.js';
import { buildHost, runHost, requireTool, DEFAULT_MODEL, DEFAULT_INPUT } from '../device/build.mjs';
import { runInterp } from '../device/interp.mjs';

const MODEL = DEFAULT_MODEL;
const INPUT = DEFAULT_INPUT;
const modelBytes = new Uint8Array(readFileSync(MODEL));
const x = readNpy(new Uint8Array(readFileSync(INPUT)));
const [B, T, F] = x.shape as [number, number, number];
const xs = x.data as Float32Array;

/** Float32 bits of a stream run in [time, batch, output] order (the C host's order). */
function streamOnV8(simd: boolean, bytes = modelBytes): Uint8Array {
  const model = Runtime.createSync({ simd }).load(bytes);
  const O = model.info.outputSize;
  const set = model.streams(B);
  const out = new Float32Array(T * B * O);
  const frames = new Float32Array(B * F);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) frames.set(xs.subarray((b * T + t) * F, (b * T + t + 1) * F), b * F);
    out.set(set.stepAll(frames), t * B * O);
  }
  return new Uint8Array(out.buffer);
}

/** [batch, time, output] -> [time, batch, output], as bytes of float32. */
function timeMajor(y: Float32Array, b: number, t: number, o: number): Uint8Array {
  const out = new Float32Array(y.length);
  for (let i = 0; i < b; i++) for (let j = 0; j < t; j++) out.set(y.subarray((i * t + j) * o, (i * t + j + 1) * o), (j * b + i) * o);
  return new Uint8Array(out.buffer);
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

let reference: Uint8Array;
const report: string[] = [];

beforeAll(() => {
  // every tool up front, so a missing one fails with the install hint (MissingToolError)
  for (const tool of ['wasm2c', 'wast2json', 'spectest-interp', 'gcc', 'arm-none-eabi-gcc', 'arm-none-eabi-size', 'qemu-system-arm']) requireTool(tool);
  reference = streamOnV8(true);
});

describe('V8 (Node)', () => {
  it('SIMD and scalar builds give the same bits', () => {
    expect(reference.length).toBe(T * B * 24 * 4);
    expect(same(streamOnV8(false), reference)).toBe(true);
  });
});

describe("wabt's interpreter (spectest-interp)", () => {
  for (const build of ['scalar', 'simd']) {
    it(`${build} build equals V8`, () => {
      const r = runInterp({ wasm: join(ROOT, 'build', `${build}.wasm`), model: MODEL, input: INPUT });
      report.push(`interp ${build}: ${r.ms.toFixed(0)} ms (load + ${T} steps + ${r.outputs.length / 4} invokes)`);
      expect(same(r.outputs, reference)).toBe(true);
    });
  }
});

describe('WASI preview1 command under node:wasi', () => {
  const dir = join(ROOT, 'build', 'device', `wasi-${process.pid}`);

  function wasiRun(wasm: string, args: string[]): { code: number; stdout: string; stderr: string } {
    if (!existsSync(wasm)) throw new Error(`${wasm} is missing: run npm run build:wasm`);
    mkdirSync(dir, { recursive: true });
    const so = join(dir, 'stdout.txt'), se = join(dir, 'stderr.txt');
    const fo = openSync(so, 'w'), fe = openSync(se, 'w');
    try {
      const wasi = new WASI({
        version: 'preview1',
        args: ['edgernn-wasi', ...args],
        env: {},
        // three preopens: the model and input folders read-only in spirit, the output folder
        preopens: { '/model': dirname(MODEL), '/input': dirname(INPUT), '/out': dir },
        stdout: fo,
        stderr: fe,
        returnOnExit: true,
      });
      const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasm)), wasi.getImportObject() as WebAssembly.Imports);
      const code = wasi.start(instance);
      return { code, stdout: readFileSync(so, 'utf8'), stderr: readFileSync(se, 'utf8') };
    } finally {
      closeSync(fo);
      closeSync(fe);
    }
  }

  for (const build of ['wasi', 'wasi-simd']) {
    it(`${build}.wasm --stream: .npy and text equal V8`, () => {
      const r = wasiRun(join(ROOT, 'build', `${build}.wasm`), [`/model/${basename(MODEL)}`, `/input/${basename(INPUT)}`, '--stream', '-o', '/out/y.npy']);
      expect(r.code, r.stderr).toBe(0);
      const y = readNpy(new Uint8Array(readFileSync(join(dir, 'y.npy'))));
      const O = y.shape[2]!;
      expect(y.shape).toEqual([B, T, O]);
      expect(same(timeMajor(y.data as Float32Array, B, T, O), reference)).toBe(true);
      // the text has 9 significant digits: each value reads back as the same float32
      const rows = r.stdout.trim().split('\n');
      expect(rows.length).toBe(B * T);
      const text = new Float32Array(rows.flatMap((l) => l.split(':')[1]!.trim().split(' ').map((v) => Math.fround(Number(v)))));
      expect(Buffer.from(text.buffer).equals(Buffer.from(y.data.buffer))).toBe(true);
      expect(r.stderr).toMatch(/streamed/);
    });

    it(`${build}.wasm whole-sequence run equals V8's run()`, () => {
      const r = wasiRun(join(ROOT, 'build', `${build}.wasm`), [`/model/${basename(MODEL)}`, `/input/${basename(INPUT)}`, '--quiet', '-o', '/out/run.npy']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('');
      const y = readNpy(new Uint8Array(readFileSync(join(dir, 'run.npy'))));
      const want = Runtime.createSync({ simd: build === 'wasi-simd' }).load(modelBytes).run(xs, [B, T, F]);
      expect(y.data.length).toBe(want.data.length);
      expect(Buffer.from(y.data.buffer).equals(Buffer.from(want.data.buffer))).toBe(true);
    });
  }

  it('reports errors with the ABI status and exit code 1, usage with 2', () => {
    let r = wasiRun(join(ROOT, 'build', 'wasi.wasm'), [`/input/${basename(INPUT)}`, `/input/${basename(INPUT)}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ernn_model_load: status 2 \(BadMagic\)/);
    r = wasiRun(join(ROOT, 'build', 'wasi.wasm'), [`/model/${basename(MODEL)}`, '/nowhere/x.npy']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot open \/nowhere\/x.npy/);
    r = wasiRun(join(ROOT, 'build', 'wasi.wasm'), ['--bogus']);
    expect(r.code).toBe(2);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('C from wasm2c', () => {
  const cases = [
    { target: 'x86', boundsChecks: 'full', label: 'x86-64, gcc' },
    { target: 'cortex-m3', boundsChecks: 'full', label: 'Cortex-M3, QEMU mps2-an385' },
    { target: 'cortex-m3', boundsChecks: 'block', label: 'Cortex-M3, checks against the static block' },
    { target: 'cortex-m3', boundsChecks: 'none', label: 'Cortex-M3 without bounds checks' },
    { target: 'cortex-m4', boundsChecks: 'full', label: 'Cortex-M4F (FPU), QEMU mps2-an386' },
  ];
  for (const c of cases) {
    it(`${c.label} equals V8`, () => {
      const build = buildHost({ target: c.target, boundsChecks: c.boundsChecks, model: MODEL, input: INPUT });
      const r = runHost(build);
      expect(same(r.outputs, reference), r.stdout).toBe(true);
      // as few pages as the model needs, all of them in use
      expect(r.report.memory).toMatch(new RegExp(`^pages ${build.staticPages} of ${build.staticPages} static`));
      if (!build.sizes) report.push(`${c.label}: step ${r.report.step} (wall clock)`);
      else {
        const s = build.sizes;
        const flash = (k: string) => s[k].text + s[k].data;
        report.push(`${c.label}: step ${r.report.step}; load ${r.report.load}; flash: module ${flash('edgernn')} + runtime ${flash('runtime')} + model ${flash('model')} + host ${flash('host') + flash('platform') + flash('startup')} objects, ELF ${flash('elf')} B; RAM: .data+.bss ${s.elf.data + s.elf.bss} B (linear memory ${build.staticPages} x 64 KiB), ${r.report.c}`);
      }
    });
  }
});

// Not guaranteed (docs/DEVICE.md: the float modes are exact only where the C compiler keeps
// WebAssembly's float semantics), but it holds with -ffp-contract=off, also on a core with an FPU
// where GCC would otherwise fuse multiply-adds.
describe('float32 model (lstm-hotel-f32)', () => {
  const F32 = join(ROOT, 'models', 'eth-ucy', 'lstm-hotel-f32.ernn');
  let ref: Uint8Array;
  beforeAll(() => { ref = streamOnV8(false, new Uint8Array(readFileSync(F32))); });
  it("wabt's interpreter equals V8", () => {
    expect(same(runInterp({ model: F32, input: INPUT }).outputs, ref)).toBe(true);
  });
  for (const target of ['x86', 'cortex-m4']) {
    it(`C on ${target} equals V8`, () => {
      const build = buildHost({ target, boundsChecks: 'none', model: F32, input: INPUT });
      const r = runHost(build);
      expect(same(r.outputs, ref), r.stdout).toBe(true);
      if (build.sizes) report.push(`f32 model, Cortex-M4F without bounds checks: step ${r.report.step}; linear memory ${build.staticPages} x 64 KiB`);
    });
  }
});

afterAll(() => {
  // under -icount shift=0, "virtual-ns" are executed instructions (not cycles)
  if (report.length) console.log(`device hosts, ${basename(MODEL)}, ${T} steps:\n  ${report.join('\n  ')}`);
});
