// The shipped ETH/UCY models: every file loads, is small and declares its trajectory metadata;
// the int8 models reproduce the numbers of the model cards (models/eth-ucy/results.json) on
// their held-out test scenes, through the same evaluation `edgernn eval` runs; and the cards'
// claims hold: int8 within 2 % of float, better than constant velocity on average.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, SHARED } from '../helpers/paths.js';
import { Runtime } from '../../host/runtime/runtime.js';
import { evaluateModel } from '../../host/stream/evaluate.js';
import { parseEthUcy } from '../../host/stream/ethucy.js';
import { trajectorySpec } from '../../host/stream/spec.js';

interface ModeResult { file: string; bytes: number; ade: number; fde: number; windows: number }
interface Entry { family: string; scene: string; cv: { ade: number; fde: number }; modes: Record<string, ModeResult> }

const DIR = join(ROOT, 'models', 'eth-ucy');
const results = JSON.parse(readFileSync(join(DIR, 'results.json'), 'utf8')) as { models: Record<string, Entry> };
const entries = Object.values(results.models);
const DATA = join(SHARED, 'data', 'eth-ucy');
let rt: Runtime;
beforeAll(async () => { rt = await Runtime.create(); });

const testFiles = (scene: string) => readdirSync(join(DATA, scene, 'test')).sort()
  .map((f) => ({ name: f, rows: parseEthUcy(readFileSync(join(DATA, scene, 'test', f), 'utf8')) }));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('shipped trajectory models', () => {
  it('ships every family, scene and precision, each file well under 1 MB, with usable metadata', () => {
    expect(entries).toHaveLength(10);
    for (const e of entries) {
      for (const mode of ['f32', 'int8-dynamic', 'int8']) {
        const m = e.modes[mode]!;
        const bytes = readFileSync(join(DIR, m.file));
        expect(bytes.length).toBe(m.bytes);
        expect(bytes.length).toBeLessThan(700 * 1024);
        const model = rt.load(bytes);
        const spec = trajectorySpec(model.metadata, model.info.inputSize, model.info.outputSize);
        expect(spec.horizon).toBe(12);
        expect(spec.observe).toBe(8);
      }
    }
  });

  it.skipIf(!existsSync(DATA))('int8 files reproduce the cards on their held-out scenes', () => {
    for (const e of entries) {
      const m = e.modes.int8!;
      const r = evaluateModel(rt.load(readFileSync(join(DIR, m.file))), testFiles(e.scene));
      expect(r.windows, m.file).toBe(m.windows);
      expect(Math.abs(r.ade - m.ade), m.file).toBeLessThan(5e-4);
      expect(Math.abs(r.fde - m.fde), m.file).toBeLessThan(5e-4);
      expect(Math.abs(r.cv_ade - e.cv.ade)).toBeLessThan(1e-9);
    }
  });

  it('the cards\' claims: int8 within 2 % of float and better than constant velocity, per family on average', () => {
    for (const family of ['lstm', 'gru']) {
      const es = entries.filter((e) => e.family === family);
      const avg = (mode: string, k: 'ade' | 'fde') => mean(es.map((e) => e.modes[mode]![k]));
      for (const k of ['ade', 'fde'] as const) {
        expect(avg('int8', k) / avg('f32', k), `${family} ${k}`).toBeLessThan(1.02);
        expect(avg('int8', k), `${family} ${k}`).toBeLessThan(mean(es.map((e) => e.cv[k])));
      }
    }
  });
});
