#!/usr/bin/env node
// Builds and runs the C host of device/ (docs/DEVICE.md): the scalar WebAssembly build
// (build/scalar.wasm) translated to C by wasm2c, the bare-metal runtime in device/runtime/, the
// host in device/host/ with a model and an input sequence compiled in, for
//
//   x86        the system gcc, run natively
//   cortex-m3  arm-none-eabi-gcc, soft float, run on QEMU's mps2-an385 board (semihosting)
//   cortex-m4  arm-none-eabi-gcc, FPU (fpv4-sp-d16, hard float ABI), run on mps2-an386
//
// with one of three kinds of memory bounds checks:
//
//   full   wasm2c's own (the default): every access checked against the memory's current size,
//          a trap exactly where WebAssembly traps
//   block  every access checked against the static block's fixed size (a one-line change to
//          wasm2c's MEMCHECK macro): the module cannot touch anything outside its block, but an
//          access between the current size and the block's end does not trap
//   none   no checks: only for a trusted, validated module (docs/DEVICE.md has the costs)
//
// Outputs go to build/device/<target>[-block|-unchecked]-<hash>/, where the hash covers every input
// (the wasm, the model, the input, the sources, the flags, the compiler): a rebuild happens only
// when one of them changes. Never commit the generated C: it is rebuilt from the current
// build/scalar.wasm.
//
//   node device/build.mjs [--target x86|cortex-m3|cortex-m4] [--bounds-checks full|block|none]
//                         [--model file.ernn] [--input file.npy] [--pages N] [--run]
//
// With --run it runs the host and prints its output (QEMU with -icount shift=0, so the reported
// virtual-ns per step are executed instructions) and the flash and RAM of the ELF's parts.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DEVICE = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(DEVICE, '..');
export const DEFAULT_MODEL = join(ROOT, 'models', 'eth-ucy', 'lstm-hotel-int8.ernn');
export const DEFAULT_INPUT = join(ROOT, 'test', 'fixtures', 'device', 'hotel-ped315.npy');

/** The targets: compiler, flags and how to run them. */
export const TARGETS = {
  x86: { cc: 'gcc', flags: [], board: null },
  'cortex-m3': { cc: 'arm-none-eabi-gcc', flags: ['-mcpu=cortex-m3', '-mthumb', '-mfloat-abi=soft'], board: 'mps2-an385' },
  'cortex-m4': { cc: 'arm-none-eabi-gcc', flags: ['-mcpu=cortex-m4', '-mthumb', '-mfpu=fpv4-sp-d16', '-mfloat-abi=hard'], board: 'mps2-an386' },
};

// -ffp-contract=off: GCC would otherwise fuse a*b+c into one FMA where the target has one, and
// WebAssembly rounds after every operation. -fno-strict-aliasing: the host reads floats through
// the module's byte memory.
const COMMON = ['-std=gnu11', '-O2', '-ffp-contract=off', '-fno-strict-aliasing', '-DNDEBUG', '-Wall', '-Wno-unused-function', '-Wno-unused-value',
  '-Wno-unused-variable', '-Wno-unused-but-set-variable', '-Wno-unused-label'];
// "Signal handler" mode turns wasm2c's checks off (there are no guard pages here: nothing checks).
const CHECKS = {
  full: ['-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0'],
  block: ['-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0'],
  none: ['-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=1', '-DWASM_RT_SKIP_SIGNAL_RECOVERY=1'],
};
const MEMCHECK_FULL = '#define MEMCHECK(mem, a, t) RANGE_CHECK(mem, a, sizeof(t))';
const MEMCHECK_BLOCK = '#define MEMCHECK(mem, a, t) if (UNLIKELY((u32)((a) >> 32) | ((u32)(a) > (u32)(WASM_RT_STATIC_PAGES * 65536u - sizeof(t))))) TRAP(OOB);';

/** The tools each part needs, by Debian package. */
export const TOOLS = {
  wasm2c: 'wabt', 'spectest-interp': 'wabt', wast2json: 'wabt', gcc: 'gcc',
  'arm-none-eabi-gcc': 'gcc-arm-none-eabi', 'arm-none-eabi-size': 'binutils-arm-none-eabi',
  'qemu-system-arm': 'qemu-system-arm',
};

export class MissingToolError extends Error {
  constructor(tool) {
    super(`${tool} is not installed (Debian package ${TOOLS[tool] ?? '?'}). Run scripts/install-device-tools.sh ` +
      '(CI: .ci/run does) to install wabt, gcc, gcc-arm-none-eabi, libnewlib-arm-none-eabi and qemu-system-arm.');
    this.name = 'MissingToolError';
  }
}

export function which(tool) {
  for (const d of (process.env.PATH ?? '').split(':')) {
    if (d && existsSync(join(d, tool))) return join(d, tool);
  }
  return null;
}

export function requireTool(tool) {
  const p = which(tool);
  if (!p) throw new MissingToolError(tool);
  return p;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  }
  return r.stdout;
}

/** Reads a little-endian float32 .npy of shape [batch, time, features] or [time, features]. */
export function readNpyF32(bytes) {
  const b = Buffer.from(bytes);
  if (b.readUInt32BE(0) !== 0x934e554d) throw new Error('not a .npy file');
  const major = b[6];
  const hlen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = b.subarray(start, start + hlen).toString('latin1');
  if (!/'descr'\s*:\s*'<f4'/.test(header) || /'fortran_order'\s*:\s*True/.test(header)) {
    throw new Error(`only C-ordered little-endian float32 .npy files are supported, header ${header.trim()}`);
  }
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)[1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const dims = shape.length === 2 ? [1, ...shape] : shape;
  if (dims.length !== 3) throw new Error(`input shape must be [batch, time, features] or [time, features], got (${shape})`);
  const n = dims[0] * dims[1] * dims[2];
  const data = new Uint8Array(b.subarray(start + hlen, start + hlen + 4 * n));
  if (data.length !== 4 * n) throw new Error('.npy file is truncated');
  return { shape: dims, data };
}

/**
 * The 64 KiB pages of linear memory the module needs for a model and a stream set of `streams`
 * streams: the same calls as the C host, on this engine (the module's allocator is deterministic).
 */
export function pagesNeeded(wasmBytes, modelBytes, streams = 1) {
  const ex = new WebAssembly.Instance(new WebAssembly.Module(wasmBytes), {}).exports;
  const p = ex.ernn_model_reserve(modelBytes.length);
  if (!p) throw new Error('ernn_model_reserve failed');
  new Uint8Array(ex.memory.buffer, p, modelBytes.length).set(modelBytes);
  const s = ex.ernn_model_load(modelBytes.length);
  if (s !== 0) throw new Error(`the model does not load (status ${s}, field ${ex.ernn_error_field()})`);
  const h = ex.ernn_streams_create(streams);
  if (h <= 0) throw new Error(`ernn_streams_create(${streams}) failed (status ${-h})`);
  return ex.ernn_memory_pages();
}

/** model_data.c: the model bytes and the input's float32 bit patterns. */
export function modelDataSource(modelPath, model, input) {
  const hex = (arr, per) => {
    const lines = [];
    for (let i = 0; i < arr.length; i += per) lines.push('  ' + Array.from(arr.subarray(i, i + per), (v) => `0x${v.toString(16).padStart(per === 16 ? 2 : 8, '0')},`).join(' '));
    return lines.join('\n');
  };
  const bits = new Uint32Array(input.data.buffer, input.data.byteOffset, input.data.length / 4);
  const [B, T, F] = input.shape;
  return `/* Generated by device/build.mjs (do not edit, not committed). */
#include "model_data.h"

const char ernn_model_name[] = ${JSON.stringify(basename(modelPath))};
const uint32_t ernn_model_bytes = ${model.length}u;
__attribute__((aligned(16))) const uint8_t ernn_model[${model.length}] = {
${hex(model, 16)}
};

const uint32_t ernn_input_batch = ${B}u, ernn_input_steps = ${T}u, ernn_input_features = ${F}u;
const uint32_t ernn_input_bits[${B * T * F}] = {
${hex(bits, 8)}
};
`;
}

function wasmRtHeader() {
  const w2c = requireTool('wasm2c');
  for (const p of [join(dirname(w2c), '..', 'include', 'wasm-rt.h'), '/usr/include/wasm-rt.h', '/usr/local/include/wasm-rt.h']) {
    if (existsSync(p)) return p;
  }
  throw new Error('wasm-rt.h (installed with wasm2c) was not found');
}

function sources(dir) {
  return readdirSync(dir, { recursive: true }).filter((f) => /\.(c|h|ld)$/.test(f)).sort().map((f) => join(dir, f));
}

/**
 * Builds the C host for a target (cached). boundsChecks: 'full' (or true), 'block', 'none' (or
 * false). Returns { dir, exe, target, boundsChecks, board, staticPages, sizes }.
 * sizes (ARM targets): text/data/bss per part and for the ELF, from arm-none-eabi-size.
 */
export function buildHost({ target = 'x86', boundsChecks: checks = 'full', model = DEFAULT_MODEL, input = DEFAULT_INPUT, wasm = join(ROOT, 'build', 'scalar.wasm'), pages } = {}) {
  const t = TARGETS[target];
  if (!t) throw new Error(`unknown target ${target} (${Object.keys(TARGETS).join(', ')})`);
  const boundsChecks = checks === true ? 'full' : checks === false ? 'none' : checks;
  if (!CHECKS[boundsChecks]) throw new Error(`bounds checks must be full, block or none, not ${checks}`);
  requireTool('wasm2c');
  const cc = requireTool(t.cc);
  if (t.board) { requireTool('arm-none-eabi-size'); }
  const wasmBytes = readFileSync(wasm);
  const modelBytes = readFileSync(model);
  const inputArr = readNpyF32(readFileSync(input));
  // Linear memory: as few pages as the model and one stream per batch entry need.
  const staticPages = pages ?? pagesNeeded(wasmBytes, modelBytes, inputArr.shape[0]);
  const flags = [...COMMON, ...t.flags, ...CHECKS[boundsChecks], `-DWASM_RT_STATIC_PAGES=${staticPages}`,
    ...(t.board ? [`-DMPS2_BOARD="${t.board}"`, '-ffunction-sections', '-fdata-sections'] : [])];
  const srcs = [...sources(join(DEVICE, 'host')), ...sources(join(DEVICE, 'runtime')), ...(t.board ? sources(join(DEVICE, 'mps2')) : [])];
  const h = createHash('sha256');
  for (const part of [wasmBytes, modelBytes, readFileSync(input), JSON.stringify(flags), run(cc, ['--version']), run(requireTool('wasm2c'), ['--version'])]) h.update(part).update('\0');
  for (const s of [...srcs, fileURLToPath(import.meta.url)]) h.update(s).update(readFileSync(s)).update('\0');
  h.update(boundsChecks);
  const hash = h.digest('hex').slice(0, 12);
  const name = `${target}${{ full: '', block: '-block', none: '-unchecked' }[boundsChecks]}`;
  const dir = join(ROOT, 'build', 'device', `${name}-${hash}`);
  const exe = join(dir, t.board ? 'edgernn.elf' : 'edgernn');
  const result = { dir, exe, target, boundsChecks, board: t.board, staticPages, flags };
  if (existsSync(join(dir, 'ok'))) return { ...result, sizes: t.board ? sizesOf(dir) : null };

  // build in a temporary folder, then rename: a half-built folder is never taken for a cached one
  const tmp = `${dir}.tmp${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  run('wasm2c', [wasm, '-n', 'edgernn', '-o', join(tmp, 'edgernn.c')]);
  if (!readFileSync(join(tmp, 'edgernn.h'), 'utf8').includes('Z_edgernn_instance_t')) {
    throw new Error('device/host/main.c and device/runtime/ are written for the output of wabt 1.0.32\'s wasm2c (Z_edgernnZ_* names); this wasm2c names things differently (docs/DEVICE.md)');
  }
  if (boundsChecks === 'block') {
    const c = readFileSync(join(tmp, 'edgernn.c'), 'utf8');
    if (!c.includes(MEMCHECK_FULL)) throw new Error(`block bounds checks: this wasm2c's output has no '${MEMCHECK_FULL}' to replace (written for wabt 1.0.32)`);
    writeFileSync(join(tmp, 'edgernn.c'), c.replace(MEMCHECK_FULL, MEMCHECK_BLOCK));
  }
  writeFileSync(join(tmp, 'wasm-rt.h'), readFileSync(wasmRtHeader()));
  writeFileSync(join(tmp, 'model_data.c'), modelDataSource(model, modelBytes, inputArr));
  const inc = ['-I', tmp, '-I', join(DEVICE, 'host'), '-I', join(DEVICE, 'runtime')];
  const units = {
    edgernn: join(tmp, 'edgernn.c'),
    runtime: join(DEVICE, 'runtime', 'wasm-rt-static.c'),
    model: join(tmp, 'model_data.c'),
    host: join(DEVICE, 'host', 'main.c'),
    platform: t.board ? join(DEVICE, 'mps2', 'platform_mps2.c') : join(DEVICE, 'host', 'platform_hosted.c'),
    ...(t.board ? { startup: join(DEVICE, 'mps2', 'startup.c') } : {}),
  };
  const objs = Object.entries(units).map(([k, src]) => {
    const o = join(tmp, `${k}.o`);
    run(cc, [...flags, ...inc, '-c', src, '-o', o]);
    return o;
  });
  const out = join(tmp, basename(exe));
  if (t.board) {
    run(cc, [...flags, '--specs=nano.specs', '--specs=rdimon.specs', '-nostartfiles', '-T', join(DEVICE, 'mps2', 'mps2.ld'),
      '-Wl,--gc-sections', `-Wl,-Map=${join(tmp, 'edgernn.map')}`, ...objs, '-lm', '-o', out]);
  } else {
    run(cc, [...flags, ...objs, '-lm', '-o', out]);
  }
  writeFileSync(join(tmp, 'flags.txt'), `${cc} ${flags.join(' ')}\n`);
  writeFileSync(join(tmp, 'ok'), '');
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  // drop older builds of the same kind (other hashes)
  const same = new RegExp(`^${name}-[0-9a-f]{12}$`);
  for (const d of readdirSync(dirname(dir))) if (same.test(d) && d !== basename(dir)) rmSync(join(dirname(dir), d), { recursive: true, force: true });
  return { ...result, sizes: t.board ? sizesOf(dir) : null };
}

/** text/data/bss (Berkeley) of each object and of the linked ELF (key `elf`). */
function sizesOf(dir) {
  const parts = ['edgernn', 'runtime', 'model', 'host', 'platform', 'startup'];
  const files = [...parts.map((k) => join(dir, `${k}.o`)), join(dir, 'edgernn.elf')];
  const rows = run('arm-none-eabi-size', ['-B', ...files]).trim().split('\n').slice(1);
  const sizes = {};
  rows.forEach((line, i) => {
    const [text, data, bss] = line.trim().split(/\s+/).map(Number);
    sizes[i < parts.length ? parts[i] : 'elf'] = { text, data, bss };
  });
  return sizes;
}

/**
 * Runs a built host. Returns { stdout, outputs: Uint8Array (float32 bits of every output,
 * [time, batch, output] order), report: { key: text } }. Throws if the run fails.
 */
export function runHost(build, { timeoutMs = 300_000 } = {}) {
  let stdout;
  if (build.board) {
    requireTool('qemu-system-arm');
    // -icount shift=0: the virtual clock advances 1 ns per instruction (the host's per-step
    // figures are then instruction counts). QEMU 7.2 prints the semihosting console on its
    // stderr, so stdout and stderr are read together and QEMU's own warnings dropped.
    const r = spawnSync('qemu-system-arm', qemuArgs(build), { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
    if (r.error) throw r.error;
    stdout = (r.stdout + r.stderr).split('\n').filter((l) => !l.startsWith('qemu-system-arm:')).join('\n');
    if (r.status !== 0 || !/^done$/m.test(stdout)) throw new Error(`QEMU run of ${build.exe} failed (${r.status ?? r.signal}):\n${stdout}`);
  } else {
    const r = spawnSync(build.exe, [], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
    if (r.error) throw r.error;
    stdout = r.stdout;
    if (r.status !== 0 || !/^done$/m.test(stdout)) throw new Error(`${build.exe} failed (${r.status ?? r.signal}):\n${stdout}${r.stderr}`);
  }
  return parseHostOutput(stdout);
}

/** The QEMU command line for a built ARM host. */
export function qemuArgs(build) {
  return ['-M', build.board, '-nodefaults', '-display', 'none', '-icount', 'shift=0',
    '-semihosting-config', 'enable=on,target=native', '-kernel', build.exe];
}

export function parseHostOutput(stdout) {
  const words = [];
  const report = {};
  for (const line of stdout.split('\n')) {
    let m = /^y \d+ \d+:((?: [0-9a-f]{8})*)$/.exec(line);
    if (m) { for (const w of m[1].trim().split(' ')) if (w) words.push(parseInt(w, 16)); continue; }
    m = /^report (\S+) (.*)$/.exec(line);
    if (m) report[m[1]] = m[2];
  }
  return { stdout, outputs: new Uint8Array(new Uint32Array(words).buffer), report };
}

// ---- command line ----
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const opt = { target: 'x86', boundsChecks: 'full' };
  let doRun = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--target') opt.target = args[++i];
    else if (a === '--bounds-checks') opt.boundsChecks = args[++i];
    else if (a === '--no-bounds-checks') opt.boundsChecks = 'none';
    else if (a === '--model') opt.model = args[++i];
    else if (a === '--input') opt.input = args[++i];
    else if (a === '--pages') opt.pages = Number(args[++i]);
    else if (a === '--run') doRun = true;
    else { console.error(`unknown argument ${a}\nusage: node device/build.mjs [--target ${Object.keys(TARGETS).join('|')}] [--bounds-checks full|block|none] [--model m.ernn] [--input x.npy] [--pages N] [--run]`); process.exit(2); }
  }
  try {
    const b = buildHost(opt);
    console.log(`built ${b.exe}`);
    if (b.sizes) {
      for (const [k, s] of Object.entries(b.sizes)) console.log(`  ${k.padEnd(9)} flash ${String(s.text + s.data).padStart(7)}  ram ${String(s.data + s.bss).padStart(7)}  (text ${s.text}, data ${s.data}, bss ${s.bss})`);
    }
    if (doRun) process.stdout.write(runHost(b).stdout);
  } catch (e) {
    console.error(e instanceof MissingToolError ? `error: ${e.message}` : e);
    process.exit(1);
  }
}
