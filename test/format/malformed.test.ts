// A malformed .ernn file never traps the module: every corruption gets its specific typed error
// that says what and where.
import { describe, it, expect, beforeAll } from 'vitest';
import { Runtime } from '../../host/runtime/runtime.js';
import { ModelFormatError, UnsupportedModelError, isEdgeRnnError } from '../../host/errors.js';
import { ernnChecksum } from '../../host/format/crc32.js';
import { readErnn } from '../../host/format/reader.js';
import { writeErnn, type ErnnSpec } from '../../host/format/writer.js';
import { Header, TENSOR_RECORD_BYTES, LAYER_RECORD_BYTES, TensorField, LayerField, Dtype, LayerType, Mode, OutputMode } from '../../host/format/layout.js';
import { rng, recurrent, dense, modelOf } from '../helpers/models.js';

let rt: Runtime;
let good: Uint8Array;
beforeAll(async () => {
  rt = await Runtime.create();
  const r = rng(1);
  good = modelOf(4, [recurrent({ kind: 'lstm', hidden: 8 }, 4, r, 'lstm'), dense(8, 3, r, { name: 'linear' }, 'head')], { name: 'malformed-base' });
});

const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const u32 = (b: Uint8Array, o: number) => dv(b).getUint32(o, true);

/** A copy of the good file, changed by `fn`, with the checksum fixed so deeper checks run. */
function patch(fn: (b: Uint8Array, d: DataView) => void, fixCrc = true): Uint8Array {
  const b = good.slice();
  fn(b, dv(b));
  if (fixCrc) dv(b).setUint32(Header.crc32, ernnChecksum(b, Math.min(b.length, u32(b, Header.fileBytes))), true);
  return b;
}

function loadError(bytes: Uint8Array): Error {
  try {
    rt.load(bytes);
  } catch (e) {
    if (!isEdgeRnnError(e)) throw e; // a WebAssembly trap or a plain Error fails the test
    return e;
  }
  throw new Error('the file loaded');
}

const tensorRec = (b: Uint8Array, i: number) => u32(b, Header.tensorTable) + i * TENSOR_RECORD_BYTES;
const layerRec = (b: Uint8Array, i: number) => u32(b, Header.layerTable) + i * LAYER_RECORD_BYTES;

describe('malformed .ernn files', () => {
  it('the base file loads', () => {
    expect(rt.load(good).info.layers.length).toBe(2);
  });

  it('truncated anywhere: a ModelFormatError saying so', () => {
    const info = readErnn(good);
    const cuts = new Set([0, 1, 4, 8, 63, 64, 65, u32(good, Header.tensorTable), u32(good, Header.metaOffset), u32(good, Header.dataOffset), good.length - 1]);
    for (let i = 0; i < good.length; i += 7) cuts.add(i);
    void info;
    for (const n of cuts) {
      const e = loadError(good.slice(0, n));
      expect(e).toBeInstanceOf(ModelFormatError);
      expect(e.message).toMatch(n < 64 ? /header needs 64 bytes|truncated/ : /truncated: it declares \d+ bytes, only \d+ were given|needs/);
    }
  });

  it('any single flipped byte: a typed error, never a trap or a silent load', () => {
    for (let i = 0; i < good.length; i++) {
      const b = good.slice();
      b[i] = b[i]! ^ 0x5a;
      const e = loadError(b);
      expect(e).toSatisfy((x: unknown) => x instanceof ModelFormatError || x instanceof UnsupportedModelError);
    }
  });

  it('a payload byte flipped: checksum mismatch', () => {
    const b = good.slice();
    b[u32(b, Header.dataOffset) + 5]! ^= 1;
    expect(loadError(b).message).toMatch(/checksum mismatch: header says CRC-32 0x[0-9a-f]{8}, payload has 0x[0-9a-f]{8}/);
  });

  it('wrong checksum field', () => {
    expect(loadError(patch((_, d) => d.setUint32(Header.crc32, (u32(good, Header.crc32) + 1) >>> 0, true), false)).message).toMatch(/checksum mismatch/);
  });

  it('bad magic', () => {
    const e = loadError(patch((b) => { b[0] = 0x7f; }, false));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/not an \.ernn file/);
  });

  it('a newer format version: unsupported version', () => {
    for (const [major, minor] of [[2, 0], [1, 1], [0, 9]]) {
      const e = loadError(patch((_, d) => { d.setUint16(Header.major, major!, true); d.setUint16(Header.minor, minor!, true); }, false));
      expect(e).toBeInstanceOf(UnsupportedModelError);
      expect(e.message).toMatch(new RegExp(`unsupported \\.ernn format version ${major}\\.${minor}`));
    }
  });

  it('trailing bytes after the declared size', () => {
    const b = new Uint8Array(good.length + 16);
    b.set(good);
    expect(loadError(b).message).toMatch(/16 trailing bytes/);
  });

  it('tensor offset out of range: says which tensor, how many bytes, where', () => {
    const e = loadError(patch((b, d) => d.setUint32(tensorRec(b, 0) + TensorField.offset, good.length + 4096 - (good.length % 16), true)));
    expect(e.message).toMatch(/tensor 'lstm\.W' \(#0\) needs 512 bytes at offset \d+, file has \d+/);
  });

  it('tensor byte count disagrees with its shape', () => {
    const e = loadError(patch((b, d) => d.setUint32(tensorRec(b, 1) + TensorField.bytes, 100, true)));
    expect(e.message).toMatch(/tensor 'lstm\.R' \(#1\) declares 100 bytes but its shape and dtype need 1024/);
  });

  it('misaligned tensor offset', () => {
    const e = loadError(patch((b, d) => d.setUint32(tensorRec(b, 0) + TensorField.offset, u32(b, tensorRec(b, 0) + TensorField.offset) + 4, true)));
    expect(e.message).toMatch(/offset \d+ is not aligned to 16 bytes/);
  });

  it('overlapping tensors', () => {
    const e = loadError(patch((b, d) => d.setUint32(tensorRec(b, 1) + TensorField.offset, u32(b, tensorRec(b, 0) + TensorField.offset), true)));
    expect(e.message).toMatch(/overlaps the previous tensor/);
  });

  it('unknown dtype', () => {
    const e = loadError(patch((b) => { b[tensorRec(b, 2) + TensorField.dtype] = 9; }));
    expect(e.message).toMatch(/tensor 'lstm\.B' \(#2\) has unknown dtype code 9/);
  });

  it('sections out of range or overlapping', () => {
    expect(loadError(patch((_, d) => d.setUint32(Header.tensorTable, good.length - 8, true))).message).toMatch(/tensor table at offset \d+ ends at \d+, outside the payload/);
    expect(loadError(patch((_, d) => d.setUint32(Header.tensorTable, u32(good, Header.layerTable), true))).message).toMatch(/tensor table at offset \d+ overlaps another section/);
    expect(loadError(patch((_, d) => d.setUint32(Header.metaBytes, good.length, true))).message).toMatch(/metadata block .*outside the payload/);
    expect(loadError(patch((_, d) => d.setUint32(Header.layerCount, 0, true))).message).toMatch(/no layers/);
  });

  it('shapes that do not chain from layer to layer', () => {
    const e = loadError(patch((b, d) => d.setUint32(layerRec(b, 1) + LayerField.inputSize, 9, true)));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/layer 1 \(Dense\) takes 9 inputs, but the previous layer outputs 8/);
    const e2 = loadError(patch((_, d) => d.setUint32(Header.inputSize, 5, true)));
    expect(e2.message).toMatch(/layer 0 \(LSTM\) takes 4 inputs, but the model input has 5/);
    const e3 = loadError(patch((_, d) => d.setUint32(Header.outputSize, 4, true)));
    expect(e3.message).toMatch(/header output size is 4, the last layer outputs 3/);
  });

  it('a weight whose shape does not fit its layer', () => {
    const r = rng(2);
    const spec: ErnnSpec = {
      inputSize: 2, outputSize: 3, metadata: {},
      layers: [{ type: LayerType.Dense, mode: Mode.F32, directions: 1, output: OutputMode.Sequence, flags: 0, inputSize: 2, units: 3, outputSize: 3, clip: 0, activations: [[{ code: 0, alpha: 0, beta: 0 }]], tensors: [0] }],
      tensors: [{ name: 'head.W', dtype: Dtype.F32, shape: [3, 2], data: new Float32Array(6).map(() => r()) }],
    };
    const e = loadError(writeErnn(spec));
    expect(e.message).toMatch(/tensor 'head\.W' \(#0\) used by layer 0 \(Dense\) has a dimension of 3, expected 2/);
  });

  it('a missing tensor slot, an unknown layer type, an unknown activation', () => {
    expect(loadError(patch((b, d) => d.setUint16(layerRec(b, 0) + LayerField.tensors + 2, 0xffff, true))).message).toMatch(/layer 0 \(LSTM\) is missing its R tensor/);
    expect(loadError(patch((b) => { b[layerRec(b, 1) + LayerField.type] = 42; })).message).toMatch(/layer 1 has unknown layer type code 42/);
    const e = loadError(patch((b, d) => d.setUint32(layerRec(b, 1) + LayerField.act, 77, true)));
    expect(e).toBeInstanceOf(UnsupportedModelError);
    expect(e.message).toMatch(/activation '#77' is not supported/);
  });

  it('metadata that is not JSON', () => {
    const e = loadError(patch((b) => { b[u32(b, Header.metaOffset)] = 0x7b ^ 0xff; }));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/metadata block at offset \d+ .* is not a JSON object/);
  });

  it('random bytes of many lengths', () => {
    const r = rng(77);
    for (let n = 0; n < 400; n += 3) {
      const b = new Uint8Array(n).map(() => Math.floor(r() * 256));
      if (n >= 8 && r() < 0.5) b.set([0x45, 0x52, 0x4e, 0x4e, 1, 0, 0, 0]);
      loadError(b);
    }
  });
});
