// `edgernn convert` and `edgernn verify` on every source format, through the built CLI: the format
// comes from the bytes, companion files from the model's folder, and refusals name the layer.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, cpSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SHARED, FIXTURES } from '../helpers/paths.js';
import { readErnn } from '../../host/format/reader.js';

const BIN = join(ROOT, 'dist', 'host', 'cli', 'bin.js');
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT });
const WILD = join(SHARED, 'conformance', 'keras-wild');
let tmp = '';
beforeAll(() => { tmp = mkdtempSync(join(tmpdir(), 'edgernn-formats-')); });

const cases: [string, string, string, string[]][] = [
  ['Keras 3 .keras', join(WILD, 'stock-lstm-keras3', 'model.keras'), 'keras', ['lstm', 'lstm', 'dense', 'dense']],
  ['tf.keras .h5 full model', join(WILD, 'tfclass-imdb-tfkeras224', 'imdb_lstm.h5'), 'h5', ['dense', 'lstm', 'dense']],
  ['Keras 1 architecture JSON + weights .h5', join(WILD, 'ecg-lstm-keras1', 'model.json'), 'keras-json', ['lstm', 'lstm', 'lstm', 'dense']],
  ['Keras 3 config + .weights.h5', join(WILD, 'finance-lstm-keras3-split'), 'keras-json', ['lstm', 'lstm', 'dense']],
  ['TF.js Layers, two weight groups', join(WILD, 'tfjs-lstm-textgen', 'model.json'), 'tfjs', ['lstm', 'dense', 'activation']],
  ['PyTorch safetensors + config', join(FIXTURES, 'safetensors', 'rtneural_gru_torch'), 'safetensors', ['gru', 'gru', 'gru', 'gru', 'dense']],
];

describe('edgernn convert: every format', () => {
  for (const [what, input, format, kinds] of cases) {
    it(what, () => {
      const out = join(tmp, `${format}.ernn`);
      const r = run('convert', input, '-o', out, '--json');
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.format).toBe(format);
      expect(report.layers.map((l: { kind: string }) => l.kind)).toEqual(kinds);
      expect(report.parameters).toBeGreaterThan(0);
      const info = readErnn(readFileSync(out));
      expect(info.metadata.source?.format).toBe(format);
    });
  }

  it('prints what it read: format, framework and version', () => {
    const r = run('convert', join(WILD, 'stock-lstm-keras3', 'model.keras'), '-o', join(tmp, 'k.ernn'));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/read .*model\.keras: keras, keras 3\.15\.0/);
    expect(r.stdout).toMatch(/lstm +22 -> 64 +lstm_12 forward, sequence output/);
    expect(r.stdout).toMatch(/wrote .*k\.ernn: \d+ bytes/);
  });

  it('refuses a model with an unsupported layer, naming it (exit 1)', () => {
    const r = run('convert', join(WILD, 'guitarlstm-ts9', 'ts9_model.h5'), '-o', join(tmp, 'g.ernn'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/UnsupportedModelError: layer 'conv1d' \(Conv1D\) is not supported/);
  });

  it('a TF.js model.json without its shards says which file is missing', () => {
    const dir = join(tmp, 'noshards');
    cpSync(join(SHARED, 'conformance', 'tfjs-layers', 'tfjs_lstm_dense'), dir, { recursive: true });
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(0));
    const r = run('convert', join(dir, 'model.json'), '-o', join(tmp, 'n.ernn'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/ModelFormatError: .*weights\.bin/);
  });

  it('a model.json whose weight paths leave its folder is refused', () => {
    const dir = join(tmp, 'escape');
    cpSync(join(SHARED, 'conformance', 'tfjs-layers', 'tfjs_lstm_dense'), dir, { recursive: true });
    const doc = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    doc.weightsManifest[0].paths = ['../../etc/passwd'];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(doc));
    const r = run('convert', join(dir, 'model.json'), '-o', join(tmp, 'e.ernn'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/outside the model's folder/);
  });

  it('unrecognised bytes are refused with the list of formats', () => {
    const f = join(tmp, 'junk.bin');
    writeFileSync(f, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    const r = run('convert', f, '-o', join(tmp, 'j.ernn'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unrecognised model format: expected ONNX.*Keras.*TF\.js.*safetensors/);
  });
});

describe('edgernn verify: non-ONNX case folders', () => {
  it('passes every TF.js Layers case in shared and the safetensors fixtures', () => {
    const r = run('verify', join(SHARED, 'conformance', 'tfjs-layers', 'tfjs_lstm_dense'), join(SHARED, 'conformance', 'tfjs-layers', 'tfjs_gru_traj_head'),
      join(FIXTURES, 'safetensors', 'rtneural_lstm_torch'));
    expect(r.stdout).toMatch(/PASS tfjs_lstm_dense/);
    expect(r.stdout).toMatch(/PASS tfjs_gru_traj_head/);
    expect(r.stdout).toMatch(/PASS rtneural_lstm_torch/);
    expect(r.stdout).toMatch(/3 passed, 0 failed/);
    expect(r.status).toBe(0);
  });
});
