// The converter fuzzer, CI-sized (test/fuzz/converters.ts; long runs: scripts/fuzz-converters.ts),
// and one crafted input for each finding it (or the review of the code it led to) made, so that
// none comes back unnoticed: each must be a typed error, quickly, without a large allocation.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertSource } from '../../host/convert/convert.js';
import { readKerasH5 } from '../../host/convert/keras/h5.js';
import { MAX_JSON_DEPTH } from '../../host/convert/json.js';
import { MAX_BUILT_ELEMENTS } from '../../host/convert/limits.js';
import { isEdgeRnnError, ModelFormatError, ResourceError } from '../../host/errors.js';
import { SHARED, FIXTURES } from '../helpers/paths.js';
import { model, node, valueInfo, tensor, attr, lstmGraph } from '../helpers/onnx-builder.js';
import { FORMATS, fuzzConverters, loadSeeds, h5wasmBytes, SMALL_KERAS_DIR } from './converters.js';

const CASES = 900; // 150 per format: about 20 s on one core
const SEED = 20250801;

async function refusal(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    expect(isEdgeRnnError(e), `not a typed error: ${(e as Error).stack}`).toBe(true);
    return e as Error;
  }
  throw new Error('expected a typed error');
}

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

describe('converter fuzzing', () => {
  it('every seed converts unmutated (but the reader-only one)', async () => {
    const seeds = await loadSeeds();
    expect(new Set(seeds.map((s) => s.format))).toEqual(new Set(FORMATS));
    for (const s of seeds) {
      const p = convertSource({ main: s.main, files: s.files }, s.options);
      if (s.readerOnly) await refusal(p);
      else expect((await p).bytes.length, s.name).toBeGreaterThan(0);
    }
  });

  it(`${CASES} mutated sources: a model that loads and runs, or a typed error; no hang, no memory growth`, { timeout: 180_000 }, async () => {
    const s = await fuzzConverters({ cases: CASES, seed: SEED, jobs: 1, caseTimeoutMs: 30_000, slowMs: 10_000 });
    const findings = s.findings.map((f) => `case ${f.index} (${f.seed}): ${f.finding} ${f.error ?? ''}: ${f.message ?? ''}\n  ${f.mutations.join('\n  ')}`);
    expect(findings, `reproduce with: npx tsx scripts/fuzz-converters.ts --seed ${SEED} --case N`).toEqual([]);
    expect(s.cases).toBe(CASES);
    for (const f of FORMATS) {
      // the mutations must leave some sources convertible and break others, in every format
      expect(s.byFormat[f]!.converted, f).toBeGreaterThan(0);
      expect(s.byFormat[f]!.refused, f).toBeGreaterThan(0);
    }
    const m = s.memory[0]!;
    expect(m.max.h5wasm - m.first.h5wasm).toBeLessThan(64 * 2 ** 20);
    expect(m.max.rss).toBeLessThan(1024 * 2 ** 20);
    expect(m.max.arrayBuffers).toBeLessThan(256 * 2 ** 20);
  });
});

describe('findings, as crafted inputs', () => {
  it('ONNX: a Transpose perm that names an axis the input lacks', async () => {
    const g = lstmGraph(3, 4);
    const e = await refusal(convertSource(model({
      nodes: [node('Transpose', ['x0', ''], ['x'], [attr('perm', [0, 127, 2])], 'tr'), ...g.nodes],
      inputs: [valueInfo('x0', [5, 1, 3])], outputs: [valueInfo('Y')], inits: g.inits,
    })));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toBe("Transpose node 'tr': perm [0, 127, 2] is not a permutation of the 3 axes of the input");
  });

  it('ONNX: an elementwise op over a huge feature axis (an identity layer of F x F)', async () => {
    for (const F of [100_000, 2 ** 40]) {
      const g = lstmGraph(3, 4);
      const e = await refusal(convertSource(model({
        nodes: [node('Add', ['x0', 'c'], ['x'], [], 'add'), ...g.nodes],
        inputs: [valueInfo('x0', [5, 1, F])], outputs: [valueInfo('Y')], inits: [...g.inits, tensor({ name: 'c', dims: [], data: [1] })],
      })));
      expect(e).toBeInstanceOf(ResourceError);
      expect(e.message).toMatch(new RegExp(`^Add node 'add': .* would hold \\d+ values, more than the ${MAX_BUILT_ELEMENTS} the converter builds$`));
    }
  });

  it('ONNX: dims that claim far more than the data holds are refused before allocation', async () => {
    const g = lstmGraph(3, 4);
    const W = { ...tensor({ name: 'W', dims: [1, 16, 3], data: [] }), dims: [1, 16, 2 ** 24 - 1], rawData: new Uint8Array(16 * 3 * 4) };
    const before = process.memoryUsage().arrayBuffers;
    const t0 = performance.now();
    const e = await refusal(convertSource(model({ nodes: g.nodes, inputs: [valueInfo('x', [5, 1, 3])], outputs: [valueInfo('Y')], inits: [W, ...g.inits.slice(1)] })));
    expect(e.message).toMatch(/raw_data has 192 bytes, shape \[1, 16, 16777215\] of float32 needs 1073741760$/);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
  });

  it('ONNX: 20 000 nodes in reverse order sort in linear time, not quadratic', async () => {
    const N = 20_000;
    const nodes = [];
    for (let i = N - 1; i >= 0; i--) nodes.push(node('Identity', [i === 0 ? 'x0' : `t${i - 1}`], [`t${i}`], [], `n${i}`));
    const g = lstmGraph(3, 4);
    const t0 = performance.now();
    await convertSource(model({ nodes: [...nodes, node('Identity', [`t${N - 1}`], ['x']), ...g.nodes], inputs: [valueInfo('x0', [5, 1, 3])], outputs: [valueInfo('Y')], inits: g.inits }));
    expect(performance.now() - t0).toBeLessThan(5000); // 50 s before
  });

  it('JSON nested deeper than any model config: TF.js model.json, Keras config, safetensors header', async () => {
    const deep = (d: number) => `${'['.repeat(d)}1${']'.repeat(d)}`;
    const tfjs = new TextEncoder().encode(`{"format":"layers-model","modelTopology":${deep(100_000)},"weightsManifest":[]}`);
    let e = await refusal(convertSource({ main: 'model.json', files: { 'model.json': tfjs } }));
    expect(e.message).toBe(`the model JSON nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`);
    const keras = new TextEncoder().encode(`{"class_name":"Sequential","config":{"layers":${deep(20_000)}}}`);
    e = await refusal(convertSource({ main: 'model.json', files: { 'model.json': keras, 'model.weights.h5': readFileSync(join(SMALL_KERAS_DIR, 'model.weights.h5')) } }));
    expect(e.message).toMatch(/nests arrays and objects more than 256 levels deep/);
    const header = new TextEncoder().encode(`{"w":{"dtype":"F32","shape":${deep(50_000)},"data_offsets":[0,4]}}`);
    const st = new Uint8Array(8 + header.length + 4);
    new DataView(st.buffer).setBigUint64(0, BigInt(header.length), true);
    st.set(header, 8);
    const config = readFileSync(join(FIXTURES, 'safetensors', 'pt_gru_acts', 'config.json'));
    e = await refusal(convertSource({ main: 'model.safetensors', files: { 'model.safetensors': st, 'config.json': config } }));
    expect(e.message).toBe('model.safetensors: header nests arrays and objects more than 256 levels deep');
  });

  it('Keras: a normalisation over 100 000 features (an identity layer of F x F)', async () => {
    const F = 100_000;
    const layers = [{ class_name: 'BatchNormalization', config: { name: 'bn', batch_input_shape: [null, 4, F] } }, { class_name: 'Dense', config: { name: 'd', units: 1 } }];
    const names = ['gamma', 'beta', 'moving_mean', 'moving_variance'];
    const json = {
      format: 'layers-model', modelTopology: { class_name: 'Sequential', config: { name: 's', layers } },
      weightsManifest: [{ paths: ['w.bin'], weights: [...names.map((n) => ({ name: `bn/${n}`, shape: [F], dtype: 'float32' })), { name: 'd/kernel', shape: [F, 1], dtype: 'float32' }, { name: 'd/bias', shape: [1], dtype: 'float32' }] }],
    };
    const e = await refusal(convertSource({ main: 'model.json', files: { 'model.json': enc(json), 'w.bin': new Uint8Array((5 * F + 1) * 4) } }));
    expect(e).toBeInstanceOf(ResourceError);
    expect(e.message).toMatch(/the 100000 x 100000 layer of the normalisation would hold 10000000000 values/);
  });

  it('HDF5: a global heap object larger than its collection (HDF5 walked out of it and hung)', async () => {
    const b = new Uint8Array(readFileSync(join(SMALL_KERAS_DIR, 'legacy.h5')));
    const at = Buffer.from(b.buffer).indexOf('GCOL');
    expect(at).toBeGreaterThan(0);
    // the first object's size (at +16 +8), as an 8-byte length
    new DataView(b.buffer).setBigUint64(at + 16 + 8, 1n << 53n, true);
    const e = await refusal(readKerasH5(b, { name: 'legacy.h5' }));
    expect(e.message).toMatch(/^legacy\.h5 is not a valid HDF5 file: the global heap collection at byte \d+ is corrupt \(object 1 at byte \d+ has 9007199254740992 bytes, past the collection's end at byte \d+\)$/);
  });

  it('HDF5: a string length that makes HDF5 allocate 1 GB is stopped at the memory ceiling', async () => {
    const b = new Uint8Array(readFileSync(join(SHARED, 'conformance', 'keras-wild', 'tfclass-imdb-keras224', 'imdb_rnn.h5')));
    b[943] = b[943]! ^ (1 << 5); // a variable-length string's length, in the root group's attributes
    const before = await h5wasmBytes();
    const e = await refusal(readKerasH5(b, { name: 'imdb_rnn.h5' }));
    expect(e).toBeInstanceOf(ResourceError);
    expect(e.message).toMatch(/^imdb_rnn\.h5: cannot read attribute '\w+' of \/: HDF5 asked for \d+ bytes of memory, more than reading this file may take/);
    expect(await h5wasmBytes() - before).toBeLessThan(64 * 2 ** 20);
    // and the module still reads good files afterwards
    const ok = await readKerasH5(new Uint8Array(readFileSync(join(SMALL_KERAS_DIR, 'legacy.h5'))));
    expect([...ok.weights.keys()]).toEqual(['lstm', 'gru', 'dense']);
  });
});
