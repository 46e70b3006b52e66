// A .ernn file may name one weight tensor from several slots (both directions of a layer, W and
// R of a layer whose input and hidden sizes agree, two Dense layers). The loader packs weights
// in place for its kernels, so every use after the first must get a copy of the bytes as the
// file has them, not of bytes already packed for another slot. Checked here by comparing a file
// whose slots share tensors with the same model written with a private tensor per slot.

import { describe, it, expect, beforeAll } from 'vitest';
import { Runtime } from '../../host/runtime/runtime.js';
import { lowerToErnn } from '../../host/convert/lower.js';
import type { ModelIR, RecurrentLayer, Layer } from '../../host/convert/ir.js';
import { ernnChecksum } from '../../host/format/crc32.js';
import { Header, LayerField, TensorField, LAYER_RECORD_BYTES, TENSOR_RECORD_BYTES, TensorSlot } from '../../host/format/layout.js';
import { rng, randArray, recurrent, dense } from '../helpers/models.js';

const H = 8;

/** A bidirectional LSTM or GRU whose W and R, in both directions, are one array; two equal Dense layers. */
function tiedModel(kind: 'lstm' | 'gru'): ModelIR {
  const r = rng(kind === 'lstm' ? 5 : 6);
  const cell = recurrent({ kind, hidden: H, direction: 'bidirectional' }, H, r, 'rnn') as RecurrentLayer;
  const G = kind === 'lstm' ? 4 : 3;
  const W = randArray(G * H * H, r, 0.6);
  for (const w of cell.weights) { w.W = W; w.R = W; }
  cell.weights[1] = { ...cell.weights[0] };
  const d1 = dense(2 * H, 2 * H, r, { name: 'tanh' }, 'd1');
  const d2 = { ...d1, name: 'd2' } as Layer;
  return { name: 'tied', inputSize: H, layers: [cell, d1, d2], metadata: { name: 'tied' } };
}

/** The same file with every slot that holds bytes equal to an earlier slot's pointing at that tensor. */
function shareTensors(file: Uint8Array): { bytes: Uint8Array; shared: number } {
  const b = file.slice();
  const dv = new DataView(b.buffer);
  const layerTable = dv.getUint32(Header.layerTable, true);
  const layerCount = dv.getUint32(Header.layerCount, true);
  const slotAt = (l: number, s: number) => layerTable + l * LAYER_RECORD_BYTES + LayerField.tensors + s * 2;
  const tensorTable = dv.getUint32(Header.tensorTable, true);
  const bytesOf = (t: number) => {
    const rec = tensorTable + t * TENSOR_RECORD_BYTES;
    const off = dv.getUint32(rec + TensorField.offset, true), n = dv.getUint32(rec + TensorField.bytes, true);
    return b.subarray(off, off + n);
  };
  const same = (a: Uint8Array, c: Uint8Array) => a.length === c.length && a.every((v, i) => v === c[i]);
  const firsts: number[] = [];
  let shared = 0;
  for (let l = 0; l < layerCount; l++) {
    for (const d of [0, 1]) {
      for (const slot of [TensorSlot.W, TensorSlot.R]) {
        const t = dv.getUint16(slotAt(l, d * 8 + slot), true);
        if (t === 0xffff) continue;
        const first = firsts.find((f) => same(bytesOf(f), bytesOf(t)));
        if (first === undefined) { firsts.push(t); continue; }
        dv.setUint16(slotAt(l, d * 8 + slot), first, true);
        shared++;
      }
    }
  }
  dv.setUint32(Header.crc32, ernnChecksum(b, b.length), true);
  return { bytes: b, shared };
}

describe('weight tensors shared by several slots', () => {
  let runtimes: Runtime[];
  beforeAll(async () => {
    runtimes = [await Runtime.create({ simd: true }), await Runtime.create({ simd: false })];
  });

  for (const kind of ['lstm', 'gru'] as const) {
    for (const mode of ['f32', 'int8-dynamic'] as const) {
      it(`${kind} ${mode}: a file with shared tensors runs like one with a copy per slot`, () => {
        const separate = lowerToErnn(tiedModel(kind), { mode });
        const { bytes: tied, shared } = shareTensors(separate);
        // dir 0 R, dir 1 W and R share dir 0's W; the second Dense shares the first's W
        expect(shared).toBe(4);
        const x = randArray(3 * 5 * H, rng(9), 1);
        for (const rt of runtimes) {
          const want = rt.load(separate).run(x, [3, 5, H]).data;
          const got = rt.load(tied).run(x, [3, 5, H]).data;
          expect(Array.from(got), rt.backend).toEqual(Array.from(want));
        }
      });
    }
  }
});
