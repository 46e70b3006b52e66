// The live page (web/, issue 9) end to end in headless Chromium: built into dist-web/ with Vite,
// served by a bare node:http static server on an ephemeral port, driven by playwright-core
// against Debian's chromium with background networking off. The page's test hook
// (window.__edgernn) gives facts to wait for: frames pushed, predictions drawn, the model
// running, the errors and notices it shows. Writes test-artifacts/web/browser.png. Chromium comes
// from Debian (scripts/install-browser.sh, which .ci/run runs).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
// shared with scripts/screenshot-web.mjs
import { buildWeb, serveStatic, launchChromium, CHROMIUM, ROOT } from '../../scripts/web-harness.mjs';

const SHARED = join(ROOT, '..', 'shared');
const TFJS_CASE = join(SHARED, 'conformance', 'tfjs-layers', 'tfjs_gru_traj_head');
const KERAS_WILD = join(SHARED, 'conformance', 'keras-wild', 'stock-lstm-keras3', 'model.keras');
const ARTIFACTS = join(ROOT, 'test-artifacts', 'web');

interface Hook {
  ready: boolean; backend: string; model: string; models: string[]; frames: number; frame: number; sceneFrames: number;
  playing: boolean; speed: number; predictions: number; predictionsTotal: number; tracked: number;
  latency: { lastUs: number; medianUs: number }; errors: string[]; notices: string[];
  inspected: { name: string; format: string; layers: string[]; inputSize: number; outputSize: number; notTrajectory?: string } | null;
}

let browser: Browser | undefined;
let server: { url: string; close: () => Promise<void> } | undefined;
let page: Page;
const consoleErrors: string[] = [];

const hook = (): Promise<Hook> => page.evaluate(() => (window as unknown as { __edgernn: Hook }).__edgernn);
/** Waits until `fn(hook)` holds in the page (polled every animation frame). */
async function until(fn: string, timeout = 30_000): Promise<void> {
  await page.waitForFunction(`(() => { const h = window.__edgernn; return !!h && (${fn}); })()`, null, { timeout });
}
/** Waits for the replay to move on from where it is now. */
async function advances(): Promise<void> {
  const { frames } = await hook();
  await until(`h.frames > ${frames} + 2`);
}
/** A synthetic drop of files on the drop zone, as a drag from the desktop delivers it. */
async function drop(files: { name: string; bytes: Uint8Array }[]): Promise<void> {
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name));
    return dt;
  }, files.map((f) => ({ name: f.name, b64: Buffer.from(f.bytes).toString('base64') })));
  await page.dispatchEvent('#dropzone', 'dragenter', { dataTransfer });
  await page.dispatchEvent('#dropzone', 'drop', { dataTransfer });
}

describe('web page in headless Chromium', () => {
  beforeAll(async () => {
    // like the device tests: a missing browser fails with the hint rather than skipping quietly
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/install-browser.sh (as root; .ci/run does)`);
    await buildWeb();
    expect(existsSync(join(ROOT, 'dist-web', 'index.html'))).toBe(true);
    server = await serveStatic(join(ROOT, 'dist-web'));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    // nothing but the page's own assets
    page.on('request', (r) => { if (!r.url().startsWith(server!.url) && !r.url().startsWith('data:')) consoleErrors.push(`request to ${r.url()}`); });
    await page.goto(server.url);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads without console errors and predicts the bundled scene', async () => {
    await until('h.ready');
    const h = await hook();
    expect(h.backend).toBe('simd');
    expect(h.model).toBe('lstm-int8');
    expect(h.models).toEqual(['lstm-int8', 'lstm-f32', 'gru-int8', 'gru-f32']);
    expect(h.sceneFrames).toBe(1168);
    await page.selectOption('#speed', '8');
    await until('h.predictions > 0 && h.latency.medianUs > 0');
    expect(Number(await page.textContent('#predicted'))).toBeGreaterThan(0);
    expect(await page.textContent('#lat-median')).toMatch(/\d+ µs/);
    expect(Number(await page.textContent('#tracked'))).toBeGreaterThan(0);
    // the canvas shows more than its background
    const lit = await page.$eval('#scene', (c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i]! + d[i + 1]! + d[i + 2]! > 200) n++;
      return n;
    });
    expect(lit).toBeGreaterThan(100);
    expect(consoleErrors).toEqual([]);
  });

  it('switches between the float and int8 models, LSTM and GRU', async () => {
    for (const [id, layer] of [['lstm-f32', 'LSTM'], ['gru-int8', 'GRU'], ['gru-f32', 'GRU'], ['lstm-int8', 'LSTM']] as const) {
      const before = await hook();
      await page.selectOption('#model', id);
      await until(`h.model === '${id}'`);
      await until(`h.frames > ${before.frames} + 2 && h.predictions > 0`);
      const layers = await page.textContent('#model-layers');
      expect(layers).toContain(layer);
      expect(layers).toContain(id.endsWith('f32') ? 'f32' : 'int8');
      // the new model took over where the old one was, not from the start
      expect((await hook()).frame).toBeGreaterThanOrEqual(before.frame);
    }
    expect(consoleErrors).toEqual([]);
  });

  it('pauses, scrubs backward with fresh state, and plays on', async () => {
    await page.click('#play');
    await until('!h.playing');
    const paused = (await hook()).frame;
    await page.waitForTimeout(300);
    expect((await hook()).frame).toBe(paused);
    // backward: the predictor restarts and replays frames 0..24, so warm predictions are there at
    // once (frame 24 has 9 warm pedestrians, as the same model sees it in Node)
    await page.$eval('#scrub', (el: HTMLInputElement) => { el.value = '24'; el.dispatchEvent(new Event('input', { bubbles: true })); });
    await until('h.frame === 24');
    const at24 = await hook();
    expect(at24.predictions).toBe(9);
    // the same frame reached again from further back gives the same predictions (state is clean)
    await page.$eval('#scrub', (el: HTMLInputElement) => { el.value = '5'; el.dispatchEvent(new Event('input', { bubbles: true })); });
    await until('h.frame === 5');
    await page.$eval('#scrub', (el: HTMLInputElement) => { el.value = '24'; el.dispatchEvent(new Event('input', { bubbles: true })); });
    await until('h.frame === 24');
    expect((await hook()).predictionsTotal).toBe(at24.predictionsTotal);
    await page.click('#play');
    await until('h.playing && h.frame > 24');
    await page.selectOption('#speed', '4');
    await until('h.speed === 4');
  });

  it('shows the converter\'s error for a malformed file, and the replay goes on', async () => {
    const onnx = readFileSync(join(ROOT, 'models', 'examples', 'lstm-example.onnx'));
    // through the file picker's hidden input
    await page.setInputFiles('#file', { name: 'broken.onnx', mimeType: 'application/octet-stream', buffer: onnx.subarray(0, 300) });
    await until('h.errors.length === 1');
    expect((await hook()).errors[0]).toBe('broken.onnx: ModelFormatError: not a valid ONNX model: index out of range');
    expect(await page.textContent('#messages .message.error')).toContain('ModelFormatError: not a valid ONNX model');
    await advances();
    // through a drop: a truncated .ernn
    const ernn = readFileSync(join(ROOT, 'models', 'eth-ucy', 'lstm-hotel-int8.ernn'));
    await drop([{ name: 'cut.ernn', bytes: ernn.subarray(0, 1000) }]);
    await until('h.errors.length === 2');
    expect((await hook()).errors[1]).toMatch(/^cut\.ernn: ModelFormatError: .*truncated/);
    await drop([{ name: 'notes.txt', bytes: new TextEncoder().encode('not a model') }]);
    await until('h.errors.length === 3');
    expect((await hook()).errors[2]).toMatch(/^notes\.txt: UnsupportedModelError: unrecognised model format/);
    await advances();
    const h = await hook();
    expect(h.model).toBe('lstm-int8');
    expect(h.playing).toBe(true);
    expect(consoleErrors).toEqual([]);
  });

  it('describes a dropped non-trajectory ONNX model and keeps the current one running', async () => {
    await drop([{ name: 'lstm-example.onnx', bytes: readFileSync(join(ROOT, 'models', 'examples', 'lstm-example.onnx')) }]);
    await until(`h.inspected && h.inspected.name === 'lstm-example.onnx'`);
    const h = await hook();
    expect(h.inspected).toMatchObject({ format: 'onnx', inputSize: 4, outputSize: 24, layers: ['LSTM 4 → 32 (32 units), f32', 'Dense 32 → 16, f32', 'Dense 16 → 24, f32'] });
    expect(h.inspected!.notTrajectory).toMatch(/no trajectory metadata/);
    expect(h.notices.at(-1)).toMatch(/lstm-example\.onnx converted .*can't drive the trajectory view.*keeps running/);
    expect(await page.isVisible('#inspected')).toBe(true);
    expect(await page.textContent('#inspected')).toContain('LSTM 4 → 32');
    expect(h.model).toBe('lstm-int8');
    await advances();
  });

  it('converts a dropped .keras file in the browser (h5wasm)', async () => {
    await drop([{ name: 'model.keras', bytes: readFileSync(join(ROOT, 'test', 'fixtures', 'fuzz-keras', 'model.keras')) }]);
    await until(`h.inspected && h.inspected.name === 'model.keras'`, 30_000);
    const h = await hook();
    expect(h.inspected).toMatchObject({ format: 'keras', layers: ['LSTM 3 → 5 (5 units), f32', 'GRU 5 → 4 (4 units), f32', 'Dense 4 → 2, f32'] });
    expect(h.errors).toHaveLength(3);
  });

  it.skipIf(!existsSync(KERAS_WILD))('converts a real Keras 3 file from the wild, picked', async () => {
    await page.setInputFiles('#file', KERAS_WILD);
    await until(`h.inspected && h.inspected.format === 'keras' && h.inspected.inputSize === 22`);
    expect((await hook()).inspected!.layers).toEqual(['LSTM 22 → 64 (64 units), f32', 'LSTM 64 → 32 (32 units), f32', 'Dense 32 → 32, f32', 'Dense 32 → 30, f32']);
  });

  it.skipIf(!existsSync(TFJS_CASE))('converts a TF.js model.json with its weight shard, picked as two files', async () => {
    await page.setInputFiles('#file', ['model.json', 'weights.bin'].map((f) => join(TFJS_CASE, f)));
    await until(`h.inspected && h.inspected.name.startsWith('model.json')`);
    const h = await hook();
    expect(h.inspected!.format).toBe('tfjs');
    expect(h.inspected!.name).toBe('model.json + 1 file');
    expect(h.inspected!.layers.some((l) => l.startsWith('GRU'))).toBe(true);
    expect(h.errors).toHaveLength(3);
  });

  it('runs a dropped trajectory .ernn and offers it in the model list', async () => {
    await drop([{ name: 'lstm-eth-int8.ernn', bytes: readFileSync(join(ROOT, 'models', 'eth-ucy', 'lstm-eth-int8.ernn')) }]);
    await until(`h.model === 'dropped-1'`);
    expect(await page.$eval('#model', (s: HTMLSelectElement) => s.value)).toBe('dropped-1');
    expect(await page.textContent('#model option[value="dropped-1"]')).toBe('lstm-eth-int8.ernn (dropped)');
    await advances();
    await until('h.predictions > 0');
    await page.selectOption('#model', 'lstm-int8');
    await until(`h.model === 'lstm-int8'`);
  });

  it('saves a screenshot and logged no console errors', async () => {
    await until('h.predictions >= 3', 30_000);
    mkdirSync(ARTIFACTS, { recursive: true });
    const png = await page.screenshot({ path: join(ARTIFACTS, 'browser.png') });
    expect(png.length).toBeGreaterThan(10_000);
    expect((await hook()).errors).toHaveLength(3);
    expect(consoleErrors).toEqual([]);
  });
});
