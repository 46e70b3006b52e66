// End to end on the real Keras files of ../shared/conformance/keras-wild: container reader ->
// importKeras -> .ernn (f32) -> runtime (SIMD and scalar builds) -> runGraph, compared with
// outputs that no edgernn code computed (test/fixtures/keras-wild/<case>/, made by
// test/fixtures/make_keras_wild.mjs: TensorFlow.js with weights read by h5py, and for the
// reset-after GRU, which TF.js cannot run, Keras's GRU equations in torch float64 checked against
// torch.nn.GRU and RTNeural's Keras outputs). Files the importer cannot take must be refused
// with the layer's name and class.
//
// "-tail" cases run a model's recurrent part alone on float inputs (the layers from the first
// recurrent one, with the config's input shape set there), so the real LSTM weights of the
// Conv1D model are checked too, and the IMDB models' recurrent layers on denser inputs than
// embedding rows.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readKerasH5 } from '../../host/convert/keras/h5.js';
import { readKerasZip } from '../../host/convert/keras/zip.js';
import { readKerasPair } from '../../host/convert/keras/legacy.js';
import { importKeras } from '../../host/convert/keras/import.js';
import type { KerasDocument } from '../../host/convert/keras/document.js';
import { lowerToErnn } from '../../host/convert/lower.js';
import { Runtime } from '../../host/runtime/runtime.js';
import { readNpy } from '../../host/io/npy.js';
import { UnsupportedModelError } from '../../host/errors.js';
import { SHARED, FIXTURES } from '../helpers/paths.js';

const WILD = join(SHARED, 'conformance', 'keras-wild');
const wild = (rel: string): Uint8Array => new Uint8Array(readFileSync(join(WILD, rel)));
const fixture = (name: string, file: string) => readNpy(new Uint8Array(readFileSync(join(FIXTURES, 'keras-wild', name, file))), `${name}/${file}`);

interface Case {
  name: string;
  read: () => Promise<KerasDocument>;
  /** Run only the layers from this one, fed [batch, ...inputShape]. */
  tail?: { from: string; inputShape: number[] };
  /** The importer must refuse the model with this message. */
  refused?: RegExp;
}

type LayerCfg = { class_name: string; config: Record<string, unknown> };

/** The model from layer `from` on, with the input shape declared on that layer (Keras 2 configs). */
function tail(doc: KerasDocument, from: string, inputShape: number[]): KerasDocument {
  const cfg = doc.config as { class_name: string; config: { layers: LayerCfg[] } };
  const layers = cfg.config.layers;
  const k = layers.findIndex((l) => l.config.name === from);
  expect(k, `layer ${from}`).toBeGreaterThan(0);
  const kept = layers.slice(k).map((l, i) => (i === 0 ? { ...l, config: { ...l.config, batch_input_shape: [null, ...inputShape] } } : l));
  const names = new Set(kept.map((l) => l.config.name as string));
  return {
    ...doc,
    config: { ...cfg, config: { ...cfg.config, layers: kept } },
    weights: new Map([...doc.weights].filter(([n]) => names.has(n))),
  };
}

const imdb = (folder: 'keras224' | 'tfkeras224', kind: 'rnn' | 'lstm' | 'gru', rnnLayer: string): Case[] => {
  const read = () => readKerasH5(wild(`tfclass-imdb-${folder}/imdb_${kind}.h5`), { name: `imdb_${kind}.h5` });
  return [
    { name: `imdb-${folder}-${kind}`, read },
    { name: `imdb-${folder}-${kind}-tail`, read, tail: { from: rnnLayer, inputShape: [10, 32] } },
  ];
};

const CASES: Case[] = [
  {
    name: 'guitarlstm-ts9',
    read: () => readKerasH5(wild('guitarlstm-ts9/ts9_model.h5'), { name: 'ts9_model.h5' }),
    refused: /^layer 'conv1d' \(Conv1D\) is not supported: /,
  },
  { name: 'guitarlstm-ts9-tail', read: () => readKerasH5(wild('guitarlstm-ts9/ts9_model.h5')), tail: { from: 'lstm', inputShape: [2, 16] } },
  ...imdb('keras224', 'rnn', 'simple_rnn_1'),
  ...imdb('keras224', 'lstm', 'lstm_1'),
  ...imdb('keras224', 'gru', 'gru_1'),
  ...imdb('tfkeras224', 'rnn', 'simple_rnn_1'),
  ...imdb('tfkeras224', 'lstm', 'lstm_1'),
  ...imdb('tfkeras224', 'gru', 'gru_3'),
  { name: 'stock-lstm-keras3', read: () => readKerasZip(wild('stock-lstm-keras3/model.keras'), { name: 'model.keras' }) },
  {
    name: 'finance-lstm-keras3-split',
    read: () => readKerasPair({ main: 'model.json', files: { 'model.json': wild('finance-lstm-keras3-split/model.json'), 'model_weights.weights.h5': wild('finance-lstm-keras3-split/model_weights.weights.h5') } }),
  },
  {
    name: 'ecg-lstm-keras1',
    read: () => readKerasPair({ main: 'model.h5', files: { 'model.json': wild('ecg-lstm-keras1/model.json'), 'model.h5': wild('ecg-lstm-keras1/model.h5') } }),
  },
];

let runtimes: [string, Runtime][];
beforeAll(async () => {
  runtimes = [['simd', await Runtime.create({ simd: true })], ['scalar', await Runtime.create({ simd: false })]];
});

const measured: string[] = [];
afterAll(() => {
  if (measured.length) console.log(`keras-wild vs oracle (max |ours - oracle|, largest |oracle|):\n  ${measured.join('\n  ')}`);
});

describe('real Keras files: read, import, run, compare with the oracle', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      let doc = await c.read();
      if (c.refused) {
        let err: unknown;
        try { importKeras(doc); } catch (e) { err = e; }
        expect(err).toBeInstanceOf(UnsupportedModelError);
        expect((err as Error).message).toMatch(c.refused);
        measured.push(`${c.name}: refused: ${(err as Error).message}`);
        return;
      }
      if (c.tail) doc = tail(doc, c.tail.from, c.tail.inputShape);
      const bytes = lowerToErnn(importKeras(doc), { mode: 'f32' });
      const x = fixture(c.name, 'input_0.npy');
      const want = fixture(c.name, 'output_0.npy');
      const scale = Math.max(...Array.from(want.data, (v) => Math.abs(Number(v))));
      for (const [build, rt] of runtimes) {
        const model = rt.load(bytes);
        const [y] = model.runGraph([x]);
        expect(y!.shape, build).toEqual(want.shape);
        let err = 0;
        y!.data.forEach((v, i) => { err = Math.max(err, Math.abs(v - Number(want.data[i]))); });
        expect(err, `${c.name} (${build})`).toBeLessThanOrEqual(1e-5 * Math.max(1, scale));
        measured.push(`${c.name} (${build}): ${err.toExponential(2)}, |y| <= ${scale.toFixed(3)}, output [${want.shape.join(', ')}]`);
      }
    });
  }
});
