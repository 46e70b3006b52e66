// PyTorch safetensors import: every case folder under test/fixtures/safetensors converts and
// matches PyTorch's outputs on both builds; malformed files and configs that contradict the
// state_dict are refused with typed errors that name the tensor, the field and both values.
//
// Fixtures: test/fixtures/make_safetensors.mjs (RTNeural's PyTorch state_dicts, 1000 steps,
// 4 stacked layers, expected outputs from RTNeural's CSVs) and make_safetensors_torch.py (small
// modules, expected outputs from PyTorch 1.13).
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Runtime } from '../../host/runtime/runtime.js';
import { lowerToErnn } from '../../host/convert/lower.js';
import { importSafetensors, configCandidates } from '../../host/convert/safetensors/import.js';
import { readSafetensors, readFloat32, looksLikeSafetensors } from '../../host/convert/safetensors/read.js';
import { halfToFloat } from '../../host/io/half.js';
import type { SourceFiles } from '../../host/convert/source.js';
import type { ModelIR, RecurrentLayer } from '../../host/convert/ir.js';
import { reorderGates } from '../../host/convert/ir.js';
import { foldLinearLayers } from '../../host/convert/fold.js';
import { readNpy } from '../../host/io/npy.js';
import { isEdgeRnnError } from '../../host/errors.js';
import { FIXTURES, caseDirs } from '../helpers/paths.js';
import { rng } from '../helpers/models.js';

const DIR = join(FIXTURES, 'safetensors');
const CASES = caseDirs(DIR);

function caseSource(dir: string): SourceFiles {
  return { main: 'model.safetensors', files: { 'model.safetensors': readFileSync(join(dir, 'model.safetensors')), 'config.json': readFileSync(join(dir, 'config.json')) } };
}
const caseConfig = (dir: string) => JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

function maxErr(ir: ModelIR, rt: Runtime, dir: string): { err: number; shape: number[] } {
  const model = rt.load(lowerToErnn(ir, { mode: 'f32' }));
  const x = readNpy(readFileSync(join(dir, 'test_data_set_0', 'input_0.npy')));
  const y = readNpy(readFileSync(join(dir, 'test_data_set_0', 'output_0.npy')));
  const [got] = model.runGraph([x]);
  expect(got!.shape).toEqual(y.shape);
  let err = 0;
  for (let i = 0; i < y.data.length; i++) err = Math.max(err, Math.abs(got!.data[i]! - Number(y.data[i])));
  return { err, shape: got!.shape };
}

/** Catches the error thrown by f and checks its class name and message. */
function refusal(f: () => unknown, name: string, message: RegExp): void {
  let caught: unknown;
  try { f(); } catch (e) { caught = e; }
  expect(caught, 'expected an error').toBeDefined();
  expect(isEdgeRnnError(caught), String(caught)).toBe(true);
  const e = caught as Error;
  expect(`${e.name}: ${e.message}`).toMatch(new RegExp(`^${name}: `));
  expect(e.message).toMatch(message);
}

// ---------------------------------------------------------------------------------------------
// A safetensors writer for synthetic files (independent of the reader)

interface RawTensor { name: string; dtype?: string; shape: number[]; data?: ArrayLike<number>; raw?: Uint8Array; offsets?: [number, number] }

function encodeData(dtype: string, data: ArrayLike<number>): Uint8Array {
  const size = { F32: 4, F64: 8, F16: 2, BF16: 2, I64: 8, I32: 4, U8: 1 }[dtype] ?? 4;
  const out = new Uint8Array(data.length * size);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (dtype === 'F32') dv.setFloat32(4 * i, v, true);
    else if (dtype === 'F64') dv.setFloat64(8 * i, v, true);
    else if (dtype === 'BF16') { const f = new DataView(new ArrayBuffer(4)); f.setFloat32(0, v); dv.setUint16(2 * i, f.getUint16(0), true); }
    else if (dtype === 'F16') dv.setUint16(2 * i, v, true); // raw bit patterns
    else if (dtype === 'I64') dv.setBigInt64(8 * i, BigInt(v), true);
    else if (dtype === 'I32') dv.setInt32(4 * i, v, true);
    else out[i] = v;
  }
  return out;
}

function writeSt(tensors: RawTensor[], opts: { pad?: boolean; metadata?: Record<string, unknown>; header?: (h: Record<string, unknown>) => unknown; trailing?: number } = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (opts.metadata) header['__metadata__'] = opts.metadata;
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const t of tensors) {
    const dtype = t.dtype ?? 'F32';
    const blob = t.raw ?? encodeData(dtype, t.data ?? new Float32Array(t.shape.reduce((a, b) => a * b, 1)));
    header[t.name] = { dtype, shape: t.shape, data_offsets: t.offsets ?? [offset, offset + blob.length] };
    blobs.push(blob);
    offset += blob.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(opts.header ? opts.header(header) : header));
  if (opts.pad !== false && json.length % 8) {
    const p = new Uint8Array(json.length + 8 - (json.length % 8)).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset + (opts.trailing ?? 0));
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const b of blobs) { out.set(b, at); at += b.length; }
  return out;
}

/** Raw bytes: a u64 header length and whatever follows. */
function rawFile(n: bigint, rest: Uint8Array | string): Uint8Array {
  const body = typeof rest === 'string' ? new TextEncoder().encode(rest) : rest;
  const out = new Uint8Array(8 + body.length);
  new DataView(out.buffer).setBigUint64(0, n, true);
  out.set(body, 8);
  return out;
}

/** A PyTorch-style state_dict of one recurrent module (random weights), as RawTensors. */
function rnnDict(prefix: string, G: number, I: number, H: number, L = 1, D = 1, bias = true, seed = 1): RawTensor[] {
  const r = rng(seed);
  const rand = (n: number) => Array.from({ length: n }, () => r() - 0.5);
  const out: RawTensor[] = [];
  for (let k = 0; k < L; k++) {
    for (let d = 0; d < D; d++) {
      const s = `_l${k}${d ? '_reverse' : ''}`;
      const inK = k === 0 ? I : D * H;
      out.push({ name: `${prefix}weight_ih${s}`, shape: [G * H, inK], data: rand(G * H * inK) });
      out.push({ name: `${prefix}weight_hh${s}`, shape: [G * H, H], data: rand(G * H * H) });
      if (bias) {
        out.push({ name: `${prefix}bias_ih${s}`, shape: [G * H], data: rand(G * H) });
        out.push({ name: `${prefix}bias_hh${s}`, shape: [G * H], data: rand(G * H) });
      }
    }
  }
  return out;
}

const lin = (prefix: string, out: number, inF: number, bias = true): RawTensor[] => [
  { name: `${prefix}weight`, shape: [out, inF], data: Array.from({ length: out * inF }, (_, i) => Math.sin(i)) },
  ...(bias ? [{ name: `${prefix}bias`, shape: [out], data: Array.from({ length: out }, (_, i) => Math.cos(i)) }] : []),
];

function src(tensors: RawTensor[] | Uint8Array, config: unknown, configName = 'config.json'): SourceFiles {
  const files: Record<string, Uint8Array> = { 'model.safetensors': tensors instanceof Uint8Array ? tensors : writeSt(tensors) };
  if (config !== undefined) files[configName] = enc(config);
  return { main: 'model.safetensors', files };
}

const cfg = (layers: unknown[], extra: Record<string, unknown> = {}) => ({ format: 'edgernn-pytorch/1', layers, ...extra });
const LSTM_ST = () => [...rnnDict('lstm.', 4, 3, 5, 2), ...lin('head.', 2, 5)];
const LSTM_CFG = [{ type: 'lstm', prefix: 'lstm.', batch_first: true }, { type: 'linear', prefix: 'head.' }];

// ---------------------------------------------------------------------------------------------

describe('safetensors fixtures against PyTorch', () => {
  let rts: Record<'simd' | 'scalar', Runtime>;
  beforeAll(async () => { rts = { simd: await Runtime.create({ simd: true }), scalar: await Runtime.create({ simd: false }) }; });

  it('has the case folders', () => {
    expect(CASES.map((c) => c.split('/').pop())).toEqual(expect.arrayContaining([
      'rtneural_gru_torch', 'rtneural_lstm_torch', 'pt_bilstm_bf_seq', 'pt_bilstm2_last', 'pt_gru2_head_last',
      'pt_bigru_final', 'pt_rnn_relu_nobias', 'pt_lstm_mlp_acts', 'pt_gru_acts', 'pt_lstm_mixed_dtypes',
    ]));
  });

  for (const backend of ['simd', 'scalar'] as const) {
    for (const dir of CASES) {
      const name = dir.split('/').pop()!;
      it(`${name} (${backend})`, () => {
        // measured: rtneural gru 7.5e-8, lstm 6.0e-8 over 1000 steps; the PyTorch cases <= 4.8e-7
        const tol = name.startsWith('rtneural') ? 1e-5 : 2e-6;
        expect(maxErr(importSafetensors(caseSource(dir)), rts[backend], dir).err).toBeLessThan(tol);
        // as convert() would pass it on: linear layers folded into the next one
        expect(maxErr(foldLinearLayers(importSafetensors(caseSource(dir))), rts[backend], dir).err).toBeLessThan(tol);
      });
    }
  }

  it('records the source, the input layout and the output shape', () => {
    const gru = importSafetensors(caseSource(join(DIR, 'rtneural_gru_torch')));
    expect(gru.name).toBe('rtneural-gru_torch');
    expect(gru.inputSize).toBe(1);
    expect(gru.layers.map((l) => `${l.kind}:${l.name}`)).toEqual(['gru:gru.l0', 'gru:gru2.l0', 'gru:gru2.l1', 'gru:gru2.l2', 'dense:dense']);
    expect((gru.layers[0] as RecurrentLayer).resetAfter).toBe(true);
    expect(gru.metadata.source).toEqual({ format: 'safetensors', framework: 'pytorch', file: 'model.safetensors' });
    expect(gru.metadata.graph!.inputs).toEqual([{ name: 'input', role: 'sequence', axes: ['batch', 'time', 'feature'] }]);
    expect(gru.metadata.graph!.outputs).toEqual([{ name: 'output', role: 'output', time: true, factors: [1], perm: [0, 1, 2] }]);
    const lstm = importSafetensors(caseSource(join(DIR, 'rtneural_lstm_torch')));
    expect(lstm.metadata.graph!.inputs[0]).toMatchObject({ axes: ['time', 'batch', 'feature'] });
    expect(lstm.metadata.graph!.outputs[0]).toMatchObject({ time: true, perm: [1, 0, 2] });
    const head = importSafetensors(caseSource(join(DIR, 'pt_gru2_head_last')));
    expect(head.metadata.output).toEqual({ shape: [3, 2] });
    expect(head.metadata.graph!.outputs[0]).toEqual({ name: 'output', role: 'output', time: false, factors: [3, 2], perm: [0, 1, 2] });
    expect(importSafetensors(caseSource(join(DIR, 'pt_bilstm_bf_seq')), { name: 'x' }).name).toBe('x');
  });

  it('the fixtures tell last from final and r,z,n from z,r,n', () => {
    // return "final" for a bidirectional layer is cat(h_n[-2], h_n[-1]), not output[:, -1]
    const dir = join(DIR, 'pt_bilstm2_last');
    const c = caseConfig(dir);
    (c['layers'] as Record<string, unknown>[])[0]!['return'] = 'final';
    const wrong = importSafetensors({ main: 'model.safetensors', files: { ...caseSource(dir).files, 'config.json': enc(c) } });
    expect(maxErr(wrong, rts.simd, dir).err).toBeGreaterThan(1e-2);
    // a GRU whose gates were not swapped
    const gdir = join(DIR, 'rtneural_gru_torch');
    const ir = importSafetensors(caseSource(gdir));
    for (const l of ir.layers) {
      if (l.kind !== 'gru') continue;
      for (const w of l.weights) {
        w.W = reorderGates(w.W, 3, [1, 0, 2]); w.R = reorderGates(w.R, 3, [1, 0, 2]);
        w.bW = reorderGates(w.bW!, 3, [1, 0, 2]); w.bR = reorderGates(w.bR!, 3, [1, 0, 2]);
      }
    }
    expect(maxErr(ir, rts.simd, gdir).err).toBeGreaterThan(1e-3); // measured 8.2e-3
  });

  it('the mixed-dtype fixture really is unaligned F16/BF16/F64', () => {
    const st = readSafetensors(readFileSync(join(DIR, 'pt_lstm_mixed_dtypes', 'model.safetensors')));
    expect(st.dataStart % 2).toBe(1);
    expect(new Set([...st.tensors.values()].map((t) => t.dtype))).toEqual(new Set(['F16', 'BF16', 'F64', 'F32']));
  });
});

// ---------------------------------------------------------------------------------------------

describe('safetensors reader', () => {
  it('decodes F32, F16, BF16 and F64 at unaligned offsets', () => {
    const f16 = [0x3c00, 0xc000, 0x0001, 0x7bff, 0x0000, 0x8000, 0x3555]; // 7 values: 14 bytes
    const bytes = writeSt([
      { name: 'a', dtype: 'F16', shape: [7], data: f16 },
      { name: 'b', dtype: 'F32', shape: [3], data: [1.5, -2.25, 3.1415927] },
      { name: 'c', dtype: 'BF16', shape: [3], data: [1, -0.5, 3.140625] },
      { name: 'd', dtype: 'F64', shape: [2], data: [0.1, -1e-300] },
      { name: 'z', dtype: 'F32', shape: [0, 4] },
    ], { pad: false, metadata: { format: 'pt', note: 'x' } });
    const st = readSafetensors(bytes);
    expect(st.metadata).toEqual({ format: 'pt', note: 'x' });
    expect(Array.from(readFloat32(st, 'a'))).toEqual([1, -2, 2 ** -24, 65504, 0, -0, Math.fround(halfToFloat(0x3555))]);
    expect(Array.from(readFloat32(st, 'b'))).toEqual([1.5, -2.25, Math.fround(3.1415927)]);
    expect(Array.from(readFloat32(st, 'c'))).toEqual([1, -0.5, 3.140625]);
    expect(Array.from(readFloat32(st, 'd'))).toEqual([Math.fround(0.1), -0]);
    expect(readFloat32(st, 'z').length).toBe(0);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(halfToFloat(0xfc00)).toBe(-Infinity);
    expect(halfToFloat(0x7e00)).toBeNaN();
    expect(halfToFloat(0x3555)).toBeCloseTo(1 / 3, 3);
  });

  it('recognises safetensors bytes', () => {
    for (const dir of CASES) expect(looksLikeSafetensors(readFileSync(join(dir, 'model.safetensors')))).toBe(true);
    expect(looksLikeSafetensors(readFileSync(join(FIXTURES, 'rtneural-onnx', 'gru_torch', 'model.onnx')))).toBe(false);
    expect(looksLikeSafetensors(rawFile(264n, '{' + ' '.repeat(263)))).toBe(true); // first byte 0x08, as an ONNX file
    expect(looksLikeSafetensors(rawFile(1000n, '{}'))).toBe(false);
    expect(looksLikeSafetensors(new Uint8Array(4))).toBe(false);
  });

  it('accepts a header padded with spaces and a file with only metadata', () => {
    expect(readSafetensors(writeSt([{ name: 'w', shape: [2] }])).tensors.get('w')).toMatchObject({ dtype: 'F32', shape: [2], begin: 0, end: 8 });
    expect(readSafetensors(rawFile(2n, '{}')).tensors.size).toBe(0);
  });

  const cases: [string, () => Uint8Array, string, RegExp][] = [
    ['a file shorter than 8 bytes', () => new Uint8Array(5), 'ModelFormatError', /file has 5 bytes; a safetensors file starts with an 8-byte header length/],
    ['a header length beyond the file', () => rawFile(1000n, '{"a":1}'), 'ModelFormatError', /header needs 1000 bytes at offset 8, file has 15/],
    ['a header length over 100 MB', () => rawFile(2n ** 40n, '{}'), 'ModelFormatError', /header length 1099511627776 exceeds the 100 MB limit/],
    ['a header that is not an object', () => rawFile(5n, '[1,2]'), 'ModelFormatError', /header must be a JSON object starting with '\{' \(byte 8 is 0x5b\)/],
    ['a header that is not JSON', () => rawFile(8n, '{"a": 1 '), 'ModelFormatError', /header is not valid JSON/],
    ['a header that is not UTF-8', () => rawFile(4n, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), 'ModelFormatError', /header is not valid UTF-8/],
    ['an unknown dtype', () => writeSt([{ name: 'w', dtype: 'Q4K', shape: [2], raw: new Uint8Array(2) }]), 'UnsupportedModelError', /tensor 'w' has dtype 'Q4K', which this reader does not know/],
    ['a negative dimension', () => writeSt([{ name: 'w', shape: [-1, 2], raw: new Uint8Array(0) }]), 'ModelFormatError', /tensor 'w': shape must be an array of non-negative integers up to 2\^53, got \[-1,2\]/],
    ['a fractional dimension', () => writeSt([{ name: 'w', shape: [2.5], raw: new Uint8Array(10) }]), 'ModelFormatError', /tensor 'w': shape must be an array of non-negative integers/],
    ['a dimension beyond 2^53', () => writeSt([{ name: 'w', shape: [2 ** 60], raw: new Uint8Array(0) }]), 'ModelFormatError', /tensor 'w': shape must be an array of non-negative integers/],
    ['a shape with more than 2^53 elements', () => writeSt([{ name: 'w', shape: [2 ** 30, 2 ** 30, 2 ** 30], raw: new Uint8Array(0) }]), 'ModelFormatError', /tensor 'w': shape \[1073741824, 1073741824, 1073741824\] has more than 2\^53 elements/],
    ['a huge shape with matching offsets', () => writeSt([{ name: 'w', shape: [1e6, 1e6], raw: new Uint8Array(0), offsets: [0, 4e12] }]), 'ModelFormatError', /tensor 'w' needs 4000000000000 bytes at offset \d+ \(data_offsets \[0, 4000000000000\] after the \d+-byte header\), file has \d+/],
    ['offsets that disagree with the shape', () => writeSt([{ name: 'lstm.weight_ih_l0', shape: [2, 3], raw: new Uint8Array(20) }]), 'ModelFormatError', /tensor 'lstm.weight_ih_l0': shape \[2, 3\] of F32 needs 24 bytes, data_offsets \[0, 20\] hold 20/],
    ['offsets past the end of the file', () => writeSt([{ name: 'w', shape: [4], raw: new Uint8Array(8), offsets: [0, 16] }]), 'ModelFormatError', /tensor 'w' needs 16 bytes at offset 64 \(data_offsets \[0, 16\] after the 64-byte header\), file has 72/],
    ['begin after end', () => writeSt([{ name: 'w', shape: [0], raw: new Uint8Array(8), offsets: [8, 0] }]), 'ModelFormatError', /tensor 'w': data_offsets must be \[begin, end\] with 0 <= begin <= end, got \[8,0\]/],
    ['overlapping tensors', () => writeSt([{ name: 'a', shape: [4], raw: new Uint8Array(16) }, { name: 'b', shape: [2], raw: new Uint8Array(0), offsets: [8, 16] }]), 'ModelFormatError', /tensors 'a' \[0, 16\) and 'b' \[8, 16\) overlap in the data section/],
    ['a hole between tensors', () => writeSt([{ name: 'a', shape: [2], raw: new Uint8Array(12), offsets: [0, 8] }, { name: 'b', shape: [1], raw: new Uint8Array(4), offsets: [12, 16] }]), 'ModelFormatError', /bytes \[8, 12\) of the data section \(before tensor 'b'\) belong to no tensor/],
    ['trailing bytes', () => writeSt([{ name: 'a', shape: [2] }], { trailing: 3 }), 'ModelFormatError', /the data section has 11 bytes but the tensors end at 8 \(trailing bytes\)/],
    ['a non-string metadata value', () => writeSt([], { metadata: { epochs: 3 } }), 'ModelFormatError', /__metadata__ entry 'epochs' is 3; entries must be strings/],
    ['an entry without data_offsets', () => writeSt([{ name: 'w', shape: [1] }], { header: (h) => ({ ...h, w: { dtype: 'F32', shape: [1] } }) }), 'ModelFormatError', /tensor 'w': data_offsets must be \[begin, end\]/],
  ];
  for (const [what, bytes, name, message] of cases) {
    it(`refuses ${what}`, () => refusal(() => readSafetensors(bytes()), name, message));
  }

  it('caps the total number of elements before decoding', () => {
    const bytes = writeSt([{ name: 'a', shape: [3, 4] }, { name: 'b', shape: [10] }]);
    expect(readSafetensors(bytes, { maxElements: 22 }).tensors.size).toBe(2);
    refusal(() => readSafetensors(bytes, { maxElements: 21 }), 'ResourceError', /the tensors hold more than 21 elements \(limit maxElements\) at tensor 'b'/);
  });

  it('refuses integer and 8-bit float tensors as weights, and F64 beyond the float32 range', () => {
    const st = readSafetensors(writeSt([
      { name: 'i', dtype: 'I64', shape: [2], data: [1, 2] },
      { name: 'f8', dtype: 'F8_E4M3', shape: [2], raw: new Uint8Array(2) },
      { name: 'big', dtype: 'F64', shape: [2], data: [1, 1e300] },
    ]));
    refusal(() => readFloat32(st, 'i'), 'UnsupportedModelError', /tensor 'i' is I64; weights must be F32, F16, BF16 or F64/);
    refusal(() => readFloat32(st, 'f8'), 'UnsupportedModelError', /tensor 'f8' is F8_E4M3/);
    refusal(() => readFloat32(st, 'big'), 'UnsupportedModelError', /tensor 'big' value 1e\+300 at index 1 is out of the float32 range/);
  });
});

// ---------------------------------------------------------------------------------------------

describe('safetensors import: configs and state_dicts', () => {
  let rt: Runtime;
  beforeAll(async () => { rt = await Runtime.create({ simd: true }); });

  it('finds the config beside the file: <stem>.config.json, <stem>.json, config.json, skipping foreign JSON', () => {
    expect(configCandidates('model.safetensors')).toEqual(['model.config.json', 'model.json', 'config.json']);
    expect(configCandidates('sub/net.v2.safetensors')).toEqual(['sub/net.v2.config.json', 'sub/net.v2.json', 'sub/config.json']);
    const st = writeSt(LSTM_ST());
    const hf = enc({ architectures: ['Foo'], hidden_size: 768 });
    // a Hugging Face config.json is passed over for model.json
    const ir = importSafetensors({ main: 'model.safetensors', files: { 'model.safetensors': st, 'config.json': hf, 'model.json': enc(cfg(LSTM_CFG, { name: 'from-model-json' })) } });
    expect(ir.name).toBe('from-model-json');
    // the most specific name wins
    const ir2 = importSafetensors({ main: 'model.safetensors', files: { 'model.safetensors': st, 'config.json': enc(cfg(LSTM_CFG, { name: 'generic' })), 'model.config.json': enc(cfg(LSTM_CFG, { name: 'specific' })) } });
    expect(ir2.name).toBe('specific');
    // a config under another name is taken when it is the only edgernn config given
    expect(importSafetensors({ main: 'model.safetensors', files: { 'model.safetensors': st, 'config.json': hf, 'arch/lstm-v2.json': enc(cfg(LSTM_CFG, { name: 'other-name' })) } }).name).toBe('other-name');
    refusal(() => importSafetensors({ main: 'model.safetensors', files: { 'model.safetensors': st, 'a.json': enc(cfg(LSTM_CFG)), 'b.json': enc(cfg(LSTM_CFG)) } }), 'UsageError',
      /model.safetensors: several edgernn configs were given \(a.json, b.json\) and none is named model.config.json, model.json, config.json/);
    // no name anywhere: the file's stem
    expect(importSafetensors(src(LSTM_ST(), cfg(LSTM_CFG))).name).toBe('model');
    refusal(() => importSafetensors({ main: 'model.safetensors', files: { 'model.safetensors': st } }), 'UsageError',
      /model.safetensors: a safetensors state_dict needs a config JSON beside it \(model.config.json, model.json, config.json; docs\/SAFETENSORS.md\)/);
    refusal(() => importSafetensors({ main: 'model.safetensors', files: { 'model.safetensors': st, 'config.json': hf, 'model.json': new TextEncoder().encode('{"format": ') } }), 'UsageError',
      /model.json is not valid JSON .*; config.json has no "format": "edgernn-pytorch\/1"/);
    refusal(() => importSafetensors({ main: 'x.safetensors', files: {} }), 'UsageError', /the source files do not include the main file 'x.safetensors'/);
    refusal(() => importSafetensors(src(LSTM_ST(), { format: 'edgernn-pytorch/2', layers: [] })), 'UnsupportedModelError', /config format 'edgernn-pytorch\/2' is newer than this converter reads/);
  });

  it('runs a model built from synthetic weights like the same model lowered by hand', () => {
    // sanity of the binding: batch_first false means [time, batch, feature] in and out
    const ir = importSafetensors(src(LSTM_ST(), cfg([{ ...LSTM_CFG[0], batch_first: false }, LSTM_CFG[1]])));
    const m = rt.load(lowerToErnn(ir, { mode: 'f32' }));
    const x = Float32Array.from({ length: 4 * 2 * 3 }, (_, i) => Math.sin(i));
    const [y] = m.runGraph([{ shape: [4, 2, 3], data: x }]);
    expect(y!.shape).toEqual([4, 2, 2]);
    // the same input batch-major through run()
    const xb = new Float32Array(x.length);
    for (let t = 0; t < 4; t++) for (let b = 0; b < 2; b++) for (let f = 0; f < 3; f++) xb[(b * 4 + t) * 3 + f] = x[(t * 2 + b) * 3 + f]!;
    const r = m.run(xb, [2, 4, 3]);
    for (let t = 0; t < 4; t++) for (let b = 0; b < 2; b++) for (let o = 0; o < 2; o++) expect(y!.data[(t * 2 + b) * 2 + o]).toBe(r.data[(b * 4 + t) * 2 + o]);
  });

  const mismatch: [string, () => SourceFiles, string, RegExp][] = [
    ['a cell type the weights contradict', () => src(LSTM_ST(), cfg([{ type: 'gru', prefix: 'lstm.' }, LSTM_CFG[1]])), 'UsageError',
      /config.json: layers\[0\].type: is "gru" \(3 gate blocks\), but 'lstm.weight_hh_l0' \[20, 5\] has 4 blocks of 5: an LSTM/],
    ['hidden_size', () => src(LSTM_ST(), cfg([{ ...LSTM_CFG[0], hidden_size: 64 }, LSTM_CFG[1]])), 'UsageError',
      /config.json: layers\[0\].hidden_size: is 64, but 'lstm.weight_hh_l0' in model.safetensors has shape \[20, 5\] \(hidden size 5\)/],
    ['input_size', () => src(LSTM_ST(), cfg([{ ...LSTM_CFG[0], input_size: 4 }, LSTM_CFG[1]])), 'UsageError',
      /layers\[0\].input_size: is 4, but 'lstm.weight_ih_l0' in model.safetensors has shape \[20, 3\] \(input size 3\)/],
    ['num_layers', () => src(LSTM_ST(), cfg([{ ...LSTM_CFG[0], num_layers: 3 }, LSTM_CFG[1]])), 'UsageError',
      /layers\[0\].num_layers: is 3, but model.safetensors has layers 0 to 1 under 'lstm.' \('lstm.weight_ih_l1'\)/],
    ['bidirectional', () => src(LSTM_ST(), cfg([{ ...LSTM_CFG[0], bidirectional: true }, LSTM_CFG[1]])), 'UsageError',
      /layers\[0\].bidirectional: is true, but model.safetensors has no 'lstm.weight_ih_l0_reverse'/],
    ['bias', () => src(LSTM_ST(), cfg([{ ...LSTM_CFG[0], bias: false }, LSTM_CFG[1]])), 'UsageError',
      /layers\[0\].bias: is false, but model.safetensors has 'lstm.bias_ih_l0'/],
    ['a wrong prefix', () => src(LSTM_ST(), cfg([{ type: 'lstm', prefix: 'rnn.' }, LSTM_CFG[1]])), 'UsageError',
      /layers\[0\].prefix: no tensor 'rnn.weight_ih_l0' in model.safetensors \(no tensor starts with 'rnn.'; the file holds 'lstm.weight_ih_l0', /],
    ['Linear sizes', () => src(LSTM_ST(), cfg([LSTM_CFG[0], { type: 'linear', prefix: 'head.', out_features: 3 }])), 'UsageError',
      /layers\[1\].out_features: is 3, but 'head.weight' has shape \[2, 5\] \(out_features 2\)/],
    ['a Linear that does not fit the layer before', () => src([...rnnDict('lstm.', 4, 3, 5), ...lin('head.', 2, 6)], cfg(LSTM_CFG)), 'UsageError',
      /layers\[1\]: takes 6 inputs \('head.weight' \[2, 6\]\), but the layers before it give 5/],
    ['stacked modules in the wrong order', () => src([...rnnDict('gru.', 3, 1, 8), ...rnnDict('gru2.', 3, 8, 8, 2)], cfg([{ type: 'gru', prefix: 'gru2.' }, { type: 'gru', prefix: 'gru.' }])), 'UsageError',
      /layers\[1\]: takes 1 inputs \('gru.weight_ih_l0' \[24, 1\]\), but the layers before it give 8/],
    ['a tensor no layer uses', () => src([...LSTM_ST(), ...lin('aux.', 2, 2)], cfg(LSTM_CFG)), 'UsageError',
      /layers: 2 tensors of model.safetensors are not used by any layer: 'aux.weight' \[2, 2\], 'aux.bias' \[2\]. Describe them in "layers", or list them \(or a prefix ending in '.'\) in "ignore"/],
    ['a head left out of the config', () => src(LSTM_ST(), cfg([LSTM_CFG[0]])), 'UsageError',
      /2 tensors of model.safetensors are not used by any layer: 'head.weight' \[2, 5\], 'head.bias' \[2\]/],
    ['an ignore entry covering a used tensor', () => src(LSTM_ST(), cfg(LSTM_CFG, { ignore: ['lstm.'] })), 'UsageError',
      /ignore: entry 'lstm.' covers 'lstm.weight_ih_l0', which a layer uses/],
    ['a recurrent layer after return "last"', () => src([...rnnDict('a.', 3, 2, 4), ...rnnDict('b.', 3, 4, 4)], cfg([{ type: 'gru', prefix: 'a.', return: 'last' }, { type: 'gru', prefix: 'b.' }])), 'UsageError',
      /layers\[1\]: a recurrent layer cannot follow a layer with "return": "last" or "final"/],
    ['an output_shape of the wrong size', () => src(LSTM_ST(), cfg(LSTM_CFG, { output_shape: [3, 2] })), 'UsageError',
      /output_shape: \[3, 2\] holds 6 values, the last layer gives 2/],
    ['a misspelt field', () => src(LSTM_ST(), cfg([{ type: 'lstm', prefix: 'lstm.', bidirectonal: true }, LSTM_CFG[1]])), 'UsageError',
      /layers\[0\]: unknown field 'bidirectonal' \(known: type, prefix, input_size, hidden_size, num_layers, bidirectional, batch_first, nonlinearity, bias, proj_size, dropout, return\)/],
    ['a nonlinearity on an LSTM', () => src(LSTM_ST(), cfg([{ ...LSTM_CFG[0], nonlinearity: 'relu' }, LSTM_CFG[1]])), 'UsageError',
      /layers\[0\].nonlinearity: applies to "rnn" layers only \(nn.RNN\)/],
    ['a prefix without its dot', () => src(LSTM_ST(), cfg([{ type: 'lstm', prefix: 'lstm' }, LSTM_CFG[1]])), 'UsageError',
      /layers\[0\].prefix: must end with '.' \("lstm." for the tensors 'lstm.weight_ih_l0', ...\), got "lstm"/],
    ['a bad return value', () => src(LSTM_ST(), cfg([{ ...LSTM_CFG[0], return: 'first' }, LSTM_CFG[1]])), 'UsageError',
      /layers\[0\].return: must be one of "sequence", "last", "final", got "first"/],
    ['an unknown activation', () => src(LSTM_ST(), cfg([LSTM_CFG[0], { type: 'linear', prefix: 'head.', activation: 'swish' }])), 'UsageError',
      /layers\[1\].activation: unknown activation "swish" \(known: "none", "relu", "tanh", "sigmoid", /],
    ['a config without a recurrent layer', () => src(lin('head.', 2, 5), cfg([{ type: 'linear', prefix: 'head.' }])), 'UsageError',
      /layers: the config has no "lstm", "gru" or "rnn" layer/],
    ['an unknown config format version', () => src(LSTM_ST(), { format: 'edgernn-pytorch/1x', layers: LSTM_CFG }), 'UnsupportedModelError', /config format 'edgernn-pytorch\/1x'/],
    ['metadata features of the wrong count', () => src(LSTM_ST(), cfg(LSTM_CFG, { metadata: { features: ['a', 'b'] } })), 'UsageError',
      /metadata.features: must be an array of 3 features \(the model's input size\), got 2/],
    ['metadata the converter writes', () => src(LSTM_ST(), cfg(LSTM_CFG, { metadata: { graph: {} } })), 'UsageError',
      /metadata: 'graph' is written by the converter/],
    ['a proj_size in the config', () => src(LSTM_ST(), cfg([{ ...LSTM_CFG[0], proj_size: 4 }, LSTM_CFG[1]])), 'UnsupportedModelError',
      /layers\[0\].proj_size: LSTM proj_size 4 is not supported/],
    ['an LSTM with a projection', () => src([...rnnDict('lstm.', 4, 3, 5), { name: 'lstm.weight_hr_l0', shape: [2, 5] }, ...lin('head.', 2, 5)].map((t) => (t.name === 'lstm.weight_hh_l0' ? { ...t, shape: [20, 2], data: new Float32Array(40) } : t)), cfg(LSTM_CFG)), 'UnsupportedModelError',
      /tensor 'lstm.weight_hr_l0' \[2, 5\] is an LSTM projection \(proj_size 2\); edgernn's LSTM has no output projection/],
    ['a missing bias of one layer', () => src(LSTM_ST().filter((t) => t.name !== 'lstm.bias_hh_l1'), cfg(LSTM_CFG)), 'ModelFormatError',
      /model.safetensors: tensor 'lstm.bias_hh_l1' is missing, but 'lstm.bias_ih_l0' is present/],
    ['a gap in the layers', () => src([...rnnDict('g.', 3, 2, 4, 3)].filter((t) => !t.name.includes('_l1')), cfg([{ type: 'gru', prefix: 'g.' }])), 'ModelFormatError',
      /tensor 'g.weight_ih_l1' is missing: the state_dict has layers up to 2/],
    ['a missing reverse direction', () => src(rnnDict('g.', 3, 2, 4, 2, 2).filter((t) => !t.name.endsWith('l1_reverse')), cfg([{ type: 'gru', prefix: 'g.' }])), 'ModelFormatError',
      /tensor 'g.weight_ih_l1_reverse' is missing: other layers have '_reverse' tensors \(bidirectional\)/],
    ['a weight of the wrong shape', () => src(LSTM_ST().map((t) => (t.name === 'lstm.weight_ih_l1' ? { ...t, shape: [20, 4], data: new Float32Array(80) } : t)), cfg(LSTM_CFG)), 'ModelFormatError',
      /tensor 'lstm.weight_ih_l1' has shape \[20, 4\], expected \[20, 5\] \(4 gates x hidden 5 from 'lstm.weight_hh_l0'; layer 1 takes layer 0\)/],
    ['a weight_hh that is not [G*H, H]', () => src(LSTM_ST().map((t) => (t.name === 'lstm.weight_hh_l0' ? { ...t, shape: [10, 5], data: new Float32Array(50) } : t)), cfg(LSTM_CFG)), 'ModelFormatError',
      /tensor 'lstm.weight_hh_l0' \[10, 5\] has 2 gate blocks of 5; nn.LSTM has 4, nn.GRU 3, nn.RNN 1/],
    ['a NaN weight', () => src(LSTM_ST().map((t) => (t.name === 'head.bias' ? { ...t, data: [0, NaN] } : t)), cfg(LSTM_CFG)), 'ModelFormatError',
      /tensor 'head.bias' holds NaN at index 1; weights must be finite/],
    ['an integer weight', () => src(LSTM_ST().map((t) => (t.name === 'head.bias' ? { ...t, dtype: 'I32', data: [1, 2] } : t)), cfg(LSTM_CFG)), 'UnsupportedModelError',
      /tensor 'head.bias' is I32; weights must be F32, F16, BF16 or F64/],
  ];
  for (const [what, source, name, message] of mismatch) {
    it(`refuses ${what}`, () => refusal(() => importSafetensors(source()), name, message));
  }

  it('ignores what the config lists under "ignore", and integer buffers there', () => {
    const tensors = [...LSTM_ST(), { name: 'bn.num_batches_tracked', dtype: 'I64', shape: [], data: [7] }, ...lin('bn.', 1, 1)];
    const ir = importSafetensors(src(tensors, cfg(LSTM_CFG, { ignore: ['bn.'] })));
    expect(ir.layers.length).toBe(3);
    const ir2 = importSafetensors(src(tensors, cfg(LSTM_CFG, { ignore: ['bn.num_batches_tracked', 'bn.weight', 'bn.bias'] })));
    expect(ir2.layers.length).toBe(3);
  });

  it('maps config fields onto the model description', () => {
    const tensors = [...rnnDict('', 1, 2, 4, 1, 1, false), ...lin('head.', 3, 4)];
    const ir = importSafetensors(src(tensors, cfg([
      { type: 'rnn', prefix: '', nonlinearity: 'relu', return: 'final', dropout: 0.5, comment: 'nn.RNN saved on its own' },
      { type: 'dropout' },
      { type: 'linear', prefix: 'head.', activation: { name: 'elu', alpha: 0.5 } },
      { type: 'activation', activation: 'hardsigmoid' },
    ], {
      metadata: { features: ['x', { name: 'y', unit: 'm' }], samplePeriod: 0.4, normalization: { mean: [0, 1], std: [1, 2] }, output: { unit: 'm', names: ['a', 'b', 'c'] }, license: 'MIT' },
    })));
    const r = ir.layers[0] as RecurrentLayer;
    expect(r).toMatchObject({ kind: 'rnn', name: 'l0', inputSize: 2, hiddenSize: 4, direction: 'forward', output: 'final', activations: [[{ name: 'relu' }]] });
    expect(r.weights[0]!.bW).toBeUndefined();
    expect(ir.layers[1]).toMatchObject({ kind: 'dense', name: 'head', activation: { name: 'elu', alpha: 0.5 } });
    expect(ir.layers[2]).toMatchObject({ kind: 'activation', size: 3, activation: { name: 'hard_sigmoid', alpha: 1 / 6, beta: 0.5 } });
    expect(ir.metadata).toMatchObject({
      features: [{ name: 'x' }, { name: 'y', unit: 'm' }], samplePeriod: 0.4, normalization: { mean: [0, 1], std: [1, 2] },
      output: { unit: 'm', names: ['a', 'b', 'c'], shape: [3] }, license: 'MIT',
    });
    expect(ir.metadata.graph!.outputs[0]).toMatchObject({ time: false, factors: [3], perm: [0, 1] });
    // and it runs: batch_first defaults to false, so the input is [time 5, batch 2, features 2]
    const m = rt.load(lowerToErnn(ir, { mode: 'f32' }));
    expect(m.runGraph([{ shape: [5, 2, 2], data: new Float32Array(20).fill(0.3) }])[0]!.shape).toEqual([2, 3]);
  });

  it('reorders GRU gates r,z,n to z,r,n and keeps both biases', () => {
    const tensors = rnnDict('gru.', 3, 2, 2, 1, 1, true, 9);
    const ir = importSafetensors(src(tensors, cfg([{ type: 'gru', prefix: 'gru.' }])));
    const g = ir.layers[0] as RecurrentLayer;
    const W = Float32Array.from(tensors[0]!.data!);
    // PyTorch block 0 (r) is canonical block 1; block 1 (z) is canonical block 0; n stays
    expect(Array.from(g.weights[0]!.W.subarray(0, 4))).toEqual(Array.from(W.subarray(4, 8)));
    expect(Array.from(g.weights[0]!.W.subarray(4, 8))).toEqual(Array.from(W.subarray(0, 4)));
    expect(Array.from(g.weights[0]!.W.subarray(8, 12))).toEqual(Array.from(W.subarray(8, 12)));
    expect(Array.from(g.weights[0]!.bR!)).toEqual(Array.from(reorderGates(Float32Array.from(tensors[3]!.data!), 3, [1, 0, 2])));
    expect(g.resetAfter).toBe(true);
  });
});
