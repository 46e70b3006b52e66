#!/usr/bin/env node
// Runs a build of the module (build/scalar.wasm or build/simd.wasm, unchanged) in wabt's
// reference interpreter, driven through its ABI by a second WebAssembly module, with no JS host.
//
// wabt's wasm-interp takes a single module, and the module has no imports to hang a driver on.
// Its sibling spectest-interp runs the spec test format with the same interpreter (wabt's
// src/interp), and that format links modules by name. So this script writes a .wast script:
//
//   (module $ernn binary "...")          the build, byte for byte
//   (register "ernn" $ernn)              its exports become importable as "ernn"
//   (module $host ...)                   a driver in WebAssembly text: it imports the build's
//                                        memory and exports, holds the model and the input as
//                                        passive data segments and copies them to the addresses
//                                        the ABI hands out (memory.init), then steps one stream
//                                        set through the sequence
//   (assert_return (invoke "load") (i32.const 0))       ernn_model_load status Ok
//   (assert_return (invoke "step" (i32.const t)) ...)   ernn_streams_step status Ok, per step
//   (invoke "out" (i32.const k))                        output k as its float32 bits
//
// then wast2json turns it into the JSON + .wasm files spectest-interp runs, and the printed
// results of the `out` invocations are the outputs, bit for bit. The outputs are in
// [time, batch, output] order, as the C host prints them.
//
//   node device/interp.mjs [--wasm build/simd.wasm] [--model m.ernn] [--input x.npy]

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, DEFAULT_MODEL, DEFAULT_INPUT, readNpyF32, requireTool, MissingToolError } from './build.mjs';

const str = (bytes) => {
  let s = '';
  for (const b of bytes) s += `\\${b.toString(16).padStart(2, '0')}`;
  return `"${s}"`;
};

/** The .wast script: the build, the driver, and the calls. */
export function interpScript(wasmBytes, modelBytes, input, outputSize) {
  const [B, T, F] = input.shape;
  const N = modelBytes.length;
  const lines = [];
  lines.push(`(module $ernn binary ${str(wasmBytes)})`);
  lines.push('(register "ernn" $ernn)');
  lines.push(`(module $host
  (import "ernn" "memory" (memory 1))
  (import "ernn" "ernn_model_reserve" (func $reserve (param i32) (result i32)))
  (import "ernn" "ernn_model_load" (func $load (param i32) (result i32)))
  (import "ernn" "ernn_streams_create" (func $create (param i32) (result i32)))
  (import "ernn" "ernn_streams_input_ptr" (func $input_ptr (param i32) (result i32)))
  (import "ernn" "ernn_streams_output_ptr" (func $output_ptr (param i32) (result i32)))
  (import "ernn" "ernn_streams_step" (func $step (param i32 i32 i32) (result i32)))
  (global $h (mut i32) (i32.const 0))
  (data $model ${str(modelBytes)})
  (data $input ${str(input.data)})
  ;; reserve, copy the file to the reserved block, validate: the status
  (func (export "load") (result i32) (local $p i32)
    (local.set $p (call $reserve (i32.const ${N})))
    (if (i32.eqz (local.get $p)) (then (return (i32.const -1))))
    (memory.init $model (local.get $p) (i32.const 0) (i32.const ${N}))
    (data.drop $model)
    (call $load (i32.const ${N})))
  ;; one stream per batch entry: the handle (> 0) or minus a status
  (func (export "open") (result i32)
    (global.set $h (call $create (i32.const ${B})))
    (global.get $h))
  ;; step t: row b of the stream set's input is x[b, t, :]; the status
  (func (export "step") (param $t i32) (result i32) (local $b i32)
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $b) (i32.const ${B})))
      (memory.init $input
        (i32.add (call $input_ptr (global.get $h)) (i32.mul (local.get $b) (i32.const ${4 * F})))
        (i32.mul (i32.add (i32.mul (local.get $b) (i32.const ${T})) (local.get $t)) (i32.const ${4 * F}))
        (i32.const ${4 * F}))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $rows)))
    (call $step (global.get $h) (i32.const ${B}) (i32.const 0)))
  ;; output value k of the last step, as its float32 bits
  (func (export "out") (param $k i32) (result i32)
    (i32.load (i32.add (call $output_ptr (global.get $h)) (i32.shl (local.get $k) (i32.const 2))))))`);
  lines.push('(assert_return (invoke "load") (i32.const 0))');
  lines.push('(assert_return (invoke "open") (i32.const 1))');
  for (let t = 0; t < T; t++) {
    lines.push(`(assert_return (invoke "step" (i32.const ${t})) (i32.const 0))`);
    for (let k = 0; k < B * outputSize; k++) lines.push(`(invoke "out" (i32.const ${k}))`);
  }
  return lines.join('\n') + '\n';
}

/** The model's output size, from the same build in this engine. */
function outputSizeOf(wasmBytes, modelBytes) {
  const ex = new WebAssembly.Instance(new WebAssembly.Module(wasmBytes), {}).exports;
  const p = ex.ernn_model_reserve(modelBytes.length);
  new Uint8Array(ex.memory.buffer, p, modelBytes.length).set(modelBytes);
  if (ex.ernn_model_load(modelBytes.length) !== 0) throw new Error('the model does not load');
  return ex.ernn_model_output_size();
}

/**
 * Runs the build in spectest-interp. Returns { outputs: Uint8Array of float32 bits
 * ([time, batch, output]), stdout, ms }.
 */
export function runInterp({ wasm = join(ROOT, 'build', 'scalar.wasm'), model = DEFAULT_MODEL, input = DEFAULT_INPUT, dir } = {}) {
  requireTool('wast2json');
  requireTool('spectest-interp');
  const wasmBytes = readFileSync(wasm);
  const modelBytes = readFileSync(model);
  const x = readNpyF32(readFileSync(input));
  const O = outputSizeOf(wasmBytes, modelBytes);
  const work = dir ?? join(ROOT, 'build', 'device', `interp-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'run.wast'), interpScript(wasmBytes, modelBytes, x, O));
  let r = spawnSync('wast2json', [join(work, 'run.wast'), '-o', join(work, 'run.json')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wast2json failed:\n${r.stderr}`);
  const t0 = performance.now();
  r = spawnSync('spectest-interp', [join(work, 'run.json')], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 300_000 });
  const ms = performance.now() - t0;
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`spectest-interp failed (${r.status ?? r.signal}):\n${r.stdout.slice(-4000)}${r.stderr}`);
  const words = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^out\(i32:\d+\) => i32:(-?\d+)$/.exec(line);
    if (m) words.push(Number(m[1]) >>> 0);
  }
  const [B, T] = x.shape;
  if (words.length !== B * T * O) throw new Error(`expected ${B * T * O} outputs from spectest-interp, got ${words.length}:\n${r.stdout.slice(-2000)}`);
  if (!dir) rmSync(work, { recursive: true, force: true });
  return { outputs: new Uint8Array(new Uint32Array(words).buffer), stdout: r.stdout, ms };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const opt = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--wasm') opt.wasm = args[++i];
    else if (a === '--model') opt.model = args[++i];
    else if (a === '--input') opt.input = args[++i];
    else { console.error(`unknown argument ${a}\nusage: node device/interp.mjs [--wasm build/scalar.wasm] [--model m.ernn] [--input x.npy]`); process.exit(2); }
  }
  try {
    const r = runInterp(opt);
    const w = new Uint32Array(r.outputs.buffer);
    console.log(`spectest-interp: ${w.length} outputs in ${r.ms.toFixed(0)} ms`);
    console.log(Array.from(w, (v) => v.toString(16).padStart(8, '0')).join(' '));
  } catch (e) {
    console.error(e instanceof MissingToolError ? `error: ${e.message}` : e);
    process.exit(1);
  }
}
