// The edgernn command line, run as users run it (node dist/host/cli/bin.js).
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SHARED } from './helpers/paths.js';
import { readNpy, writeNpy } from '../host/io/npy.js';
import { Runtime } from '../host/runtime/runtime.js';

const BIN = join(ROOT, 'dist', 'host', 'cli', 'bin.js');
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT });
const CASE = join(SHARED, 'conformance', 'pytorch-onnx', 'pt_traj_embed_reshape');
let tmp: string;

beforeAll(() => { tmp = mkdtempSync(join(tmpdir(), 'edgernn-cli-')); });

describe('edgernn CLI', () => {
  it('convert writes an .ernn file and reports what it read and wrote', () => {
    const out = join(tmp, 'traj.ernn');
    const r = run('convert', join(CASE, 'model.onnx'), '-o', out);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/read .*model\.onnx: onnx, exported by pytorch 1\.13\.0, opset 14/);
    expect(r.stdout).toMatch(/lstm +32 -> 128 /);
    expect(r.stdout).toMatch(/wrote .*traj\.ernn: \d+ bytes/);
    const j = JSON.parse(run('convert', join(CASE, 'model.onnx'), '-o', out, '--json').stdout);
    expect(j.layers.map((l: { kind: string }) => l.kind)).toEqual(['dense', 'lstm', 'dense']);
    expect(j.parameters).toBe(2 * 32 + 32 + 4 * 128 * (32 + 128) + 8 * 128 + 128 * 24 + 24);
  });

  it('inspect shows layers, tensors, metadata and the memory plan', () => {
    const out = join(tmp, 'traj.ernn');
    run('convert', join(CASE, 'model.onnx'), '-o', out);
    const r = run('inspect', out, '--streams', '64');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\.ernn 1\.0, [\d,]+ bytes, crc32 0x[0-9a-f]{8}/);
    expect(r.stdout).toMatch(/output: \[12, 2\] per sequence/);
    expect(r.stdout).toMatch(/LSTM +f32 +1 +last +32 -> 128/);
    expect(r.stdout).toMatch(/state per stream 1,024 B/);
    expect(r.stdout).toMatch(/64 streams +[\d,]+ B/);
    const j = JSON.parse(run('inspect', out, '--json').stdout);
    expect(j.tensors.length).toBeGreaterThan(4);
    expect(j.memory.stateBytesPerStream).toBe(1024);
  });

  it('infer runs [batch, time, features] .npy files', async () => {
    const x = new Float32Array(3 * 8 * 2).map((_, i) => Math.sin(i));
    writeFileSync(join(tmp, 'x.npy'), writeNpy({ shape: [3, 8, 2], data: x }));
    for (const backend of ['simd', 'scalar']) {
      const r = run('infer', join(CASE, 'model.onnx'), '--input', join(tmp, 'x.npy'), '--output', join(tmp, `y-${backend}.npy`), '--backend', backend);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/\[3, 12, 2\] float32/);
    }
    const y = readNpy(readFileSync(join(tmp, 'y-simd.npy')));
    expect(y.shape).toEqual([3, 12, 2]);
    const rt = await Runtime.create();
    const { convert } = await import('../host/convert/convert.js');
    const want = rt.load(await convert(readFileSync(join(CASE, 'model.onnx')))).run(x, [3, 8, 2]);
    expect(Array.from(y.data)).toEqual(Array.from(want.data));
    expect(readFileSync(join(tmp, 'y-scalar.npy'))).toEqual(readFileSync(join(tmp, 'y-simd.npy')));
  });

  it('verify prints one line per case and a summary, exit 0', () => {
    const r = run('verify', CASE, join(SHARED, 'conformance', 'onnx-node', 'test_gru_seq_length'), '--backend', 'scalar');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^PASS pt_traj_embed_reshape max_abs_err=\d\.\d\de-\d+$/m);
    expect(r.stdout).toMatch(/^PASS test_gru_seq_length max_abs_err=/m);
    expect(r.stdout.trim().split('\n').pop()).toBe('2 passed, 0 failed');
  });

  it('verify fails a case whose outputs disagree, exit 1', () => {
    const bad = join(tmp, 'bad_case');
    mkdirSync(join(bad, 'test_data_set_0'), { recursive: true });
    cpSync(join(CASE, 'model.onnx'), join(bad, 'model.onnx'));
    const x = new Float32Array(1 * 8 * 2).fill(0.5);
    writeFileSync(join(bad, 'test_data_set_0', 'input_0.npy'), writeNpy({ shape: [1, 8, 2], data: x }));
    writeFileSync(join(bad, 'test_data_set_0', 'output_0.npy'), writeNpy({ shape: [1, 12, 2], data: new Float32Array(24).fill(7) }));
    const r = run('verify', bad, CASE);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL bad_case: test_data_set_0\/output_0: value \d+ is .*, expected 7 \(\|error\| .* > 0\.0001 \+ 0\.001 \* \|expected\|\)$/m);
    expect(r.stdout.trim().split('\n').pop()).toBe('1 passed, 1 failed');
  });

  it('reports typed errors with exit codes', () => {
    const missing = run('convert', join(tmp, 'nope.onnx'), '-o', join(tmp, 'o.ernn'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/UsageError: model '.*nope\.onnx' does not exist/);
    writeFileSync(join(tmp, 'junk.onnx'), 'not a model at all');
    const junk = run('convert', join(tmp, 'junk.onnx'), '-o', join(tmp, 'o.ernn'));
    expect(junk.status).toBe(1);
    expect(junk.stderr).toMatch(/^UnsupportedModelError: unrecognised model format/);
    const trunc = join(tmp, 'trunc.ernn');
    writeFileSync(trunc, readFileSync(join(tmp, 'traj.ernn')).subarray(0, 300));
    const t = run('inspect', trunc);
    expect(t.status).toBe(1);
    expect(t.stderr).toMatch(/ModelFormatError: load: file is truncated: it declares \d+ bytes, only 300 were given/);
    expect(run('frobnicate').status).toBe(2);
  });
});
