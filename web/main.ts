// The live page: replays a recorded scene at real speed through a TrajectoryPredictor (as
// scripts/start.mjs does in Node) and draws objects, their observed tails and predicted paths.
// The side panel switches models, pauses, scrubs, changes speed, and takes dropped models.
//
// Test hook: window.__edgernn holds facts a test can wait for (frames pushed, predictions drawn,
// the model running, errors and notices shown) instead of sleeping.

import sceneUrl from '../models/scenes/hotel.txt?url';
import { Runtime } from '../host/runtime/runtime.js';
import { TrajectoryPredictor } from '../host/stream/predictor.js';
import { LatencyHistogram } from '../host/stream/latency.js';
import { Replay, parseScene, type Scene } from './scene.js';
import { SceneView } from './draw.js';
import { BUNDLED, describeError, fetchBytes, loadDropped, summarize, type LoadedModel, type ModelSummary } from './models.js';

/** Objects tracked at once (stream slots), as in npm start. */
const CAPACITY = 64;
/** Seconds of observed path drawn behind each object (the model's 8 observed steps). */
const TAIL = 3.2;
/** Seconds the last frame stays on screen before the replay starts over. */
const END_HOLD = 2;

interface Hook {
  ready: boolean;
  backend: string;
  /** Id of the model running ('lstm-int8', 'dropped-1', ...). */
  model: string;
  models: string[];
  /** Frames pushed while playing (not counting fast replays after a seek or model switch). */
  frames: number;
  /** Index of the frame on screen. */
  frame: number;
  sceneFrames: number;
  playing: boolean;
  speed: number;
  /** Warm predictions of the frame on screen, and since the replay (re)started. */
  predictions: number;
  predictionsTotal: number;
  tracked: number;
  latency: { lastUs: number; medianUs: number };
  /** Messages shown in the page, as shown. */
  errors: string[];
  notices: string[];
  /** The last dropped model that cannot drive the view, as described in the page. */
  inspected: ModelSummary | null;
}

const hook: Hook = {
  ready: false, backend: '', model: '', models: [], frames: 0, frame: -1, sceneFrames: 0, playing: true, speed: 1,
  predictions: 0, predictionsTotal: 0, tracked: 0, latency: { lastUs: 0, medianUs: 0 }, errors: [], notices: [], inspected: null,
};
(window as unknown as { __edgernn: Hook }).__edgernn = hook;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const ui = {
  canvas: $<HTMLCanvasElement>('scene'),
  backend: $('backend'),
  model: $<HTMLSelectElement>('model'),
  layers: $<HTMLUListElement>('model-layers'),
  facts: $('model-facts'),
  play: $<HTMLButtonElement>('play'),
  speed: $<HTMLSelectElement>('speed'),
  scrub: $<HTMLInputElement>('scrub'),
  clock: $('clock'),
  latLast: $('lat-last'),
  latMedian: $('lat-median'),
  tracked: $('tracked'),
  inFrame: $('in-frame'),
  predicted: $('predicted'),
  pick: $<HTMLButtonElement>('pick'),
  file: $<HTMLInputElement>('file'),
  inspected: $('inspected'),
  messages: $('messages'),
};

// ---------------------------------------------------------------------------------------------
// Messages: errors (a dropped file the converter refused, a failed load) and notices

function message(kind: 'error' | 'notice', text: string): void {
  (kind === 'error' ? hook.errors : hook.notices).push(text);
  const div = document.createElement('div');
  div.className = `message ${kind}`;
  div.textContent = text;
  const close = document.createElement('button');
  close.type = 'button'; close.textContent = '×'; close.setAttribute('aria-label', 'Dismiss');
  close.addEventListener('click', () => div.remove());
  div.append(close);
  ui.messages.prepend(div);
  while (ui.messages.children.length > 5) ui.messages.lastElementChild!.remove();
}

window.addEventListener('error', (e) => message('error', describeError(e.error ?? e.message)));
window.addEventListener('unhandledrejection', (e) => message('error', describeError(e.reason)));

// ---------------------------------------------------------------------------------------------
// State

interface Entry { id: string; label: string; url?: string; loaded?: LoadedModel }

let rt: Runtime;
let scene: Scene;
let view: SceneView;
let replay: Replay | undefined;
const entries = new Map<string, Entry>();
let current: Entry | undefined;
let latency = new LatencyHistogram();
let lastLatencyMs = 0;
let playing = true;
let speed = 1;
let endHold = 0;
let dirty = true;
let scrubbing = false;
let pendingSeek: number | undefined;
let dropped = 0;

const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
const us = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;

function showModel(s: ModelSummary): void {
  ui.layers.replaceChildren(...s.layers.map((l) => Object.assign(document.createElement('li'), { textContent: l })));
  ui.facts.textContent = `${s.parameters.toLocaleString('en')} parameters · ${kb(s.fileBytes)} .ernn · ${s.format === 'ernn' ? 'loaded as is' : `converted from ${s.format}`}`;
}

function addOption(e: Entry): void {
  entries.set(e.id, e);
  const o = document.createElement('option');
  o.value = e.id; o.textContent = e.label;
  ui.model.append(o);
  hook.models = [...entries.keys()];
}

/** Loads a model entry (fetching a bundled one the first time) and makes it drive the replay. */
async function activate(id: string): Promise<void> {
  const e = entries.get(id);
  if (!e) return;
  ui.model.disabled = true;
  try {
    if (!e.loaded) {
      const bytes = await fetchBytes(e.url!);
      const model = rt.load(bytes);
      e.loaded = { model, summary: summarize(model, e.label, 'ernn') };
    }
    const { model } = e.loaded;
    // a restart makes a new predictor (fresh stream states) on the same loaded model; the
    // replay frees the old one's streams first, so the module's fixed memory does not fill up
    const next = new Replay(scene, () => new TrajectoryPredictor(model, { capacity: CAPACITY }));
    // carry on where the previous model was: replay the frames so far through the new one
    if (replay && replay.index >= 0) { next.seek(replay.index); next.time = replay.time; }
    replay?.dispose();
    replay = next;
    current = e;
    latency = new LatencyHistogram();
    lastLatencyMs = 0;
    hook.model = e.id;
    showModel(e.loaded.summary);
    dirty = true;
  } catch (err) {
    message('error', `${e.label}: ${describeError(err)}`);
  } finally {
    ui.model.value = current?.id ?? '';
    ui.model.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Dropped and picked models

async function takeFiles(files: File[]): Promise<void> {
  if (files.length === 0) return;
  const names = files.map((f) => f.name).join(', ');
  try {
    const loaded = await loadDropped(rt, files);
    const s = loaded.summary;
    if (s.notTrajectory) {
      showInspected(s);
      hook.inspected = s;
      message('notice', `${s.name} converted (${s.format} → .ernn): ${s.layers.length} layers, ${s.parameters.toLocaleString('en')} parameters. It can't drive the trajectory view: ${s.notTrajectory}. ${current?.label ?? 'The current model'} keeps running.`);
      return;
    }
    ui.inspected.hidden = true;
    const id = `dropped-${++dropped}`;
    addOption({ id, label: `${s.name} (dropped)`, loaded });
    await activate(id);
    message('notice', `${s.name}: ${s.format === 'ernn' ? 'loaded' : `converted from ${s.format}`}, now predicting.`);
  } catch (err) {
    message('error', `${names}: ${describeError(err)}`);
  }
}

function showInspected(s: ModelSummary): void {
  const h = Object.assign(document.createElement('h2'), { textContent: s.name });
  const ul = Object.assign(document.createElement('ul'), { className: 'layers' });
  ul.append(...s.layers.map((l) => Object.assign(document.createElement('li'), { textContent: l })));
  const facts = Object.assign(document.createElement('p'), {
    textContent: `${s.format} → .ernn, ${kb(s.fileBytes)}; input ${s.inputSize} features per step, output ${s.outputSize}; ${s.parameters.toLocaleString('en')} parameters (${s.quantization}). Not a trajectory predictor: shown here, not run.`,
  });
  ui.inspected.replaceChildren(h, ul, facts);
  ui.inspected.hidden = false;
}

ui.pick.addEventListener('click', () => ui.file.click());
ui.file.addEventListener('change', () => {
  const files = [...(ui.file.files ?? [])];
  ui.file.value = '';
  void takeFiles(files);
});

let dragDepth = 0;
document.addEventListener('dragenter', (e) => { e.preventDefault(); dragDepth++; document.body.classList.add('dragging'); });
document.addEventListener('dragleave', () => { if (--dragDepth <= 0) { dragDepth = 0; document.body.classList.remove('dragging'); } });
document.addEventListener('dragover', (e) => { e.preventDefault(); if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy'; });
document.addEventListener('drop', (e) => {
  e.preventDefault();
  dragDepth = 0;
  document.body.classList.remove('dragging');
  void takeFiles([...(e.dataTransfer?.files ?? [])]);
});

// ---------------------------------------------------------------------------------------------
// Replay controls

function setPlaying(p: boolean): void {
  playing = p;
  hook.playing = p;
  ui.play.textContent = p ? 'Pause' : 'Play';
  ui.play.setAttribute('aria-label', ui.play.textContent);
}

ui.play.addEventListener('click', () => setPlaying(!playing));
document.addEventListener('keydown', (e) => {
  if (e.code === 'Space' && !(e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement || e.target instanceof HTMLButtonElement)) {
    e.preventDefault();
    setPlaying(!playing);
  }
});
ui.speed.addEventListener('change', () => { speed = Number(ui.speed.value) || 1; hook.speed = speed; });
ui.model.addEventListener('change', () => void activate(ui.model.value));
ui.scrub.addEventListener('pointerdown', () => { scrubbing = true; });
window.addEventListener('pointerup', () => { scrubbing = false; });
// seeks wait for the next animation frame, so a fast drag costs one replay per frame drawn
ui.scrub.addEventListener('input', () => { pendingSeek = Number(ui.scrub.value); });
ui.scrub.addEventListener('change', () => { scrubbing = false; });

// ---------------------------------------------------------------------------------------------
// The loop: scene time advances with the wall clock times the speed; every frame reached is pushed

let lastNow: number | undefined;

function tick(now: number): void {
  const dt = lastNow === undefined ? 0 : Math.min(0.25, (now - lastNow) / 1000);
  lastNow = now;
  try {
    if (replay && pendingSeek !== undefined) {
      replay.seek(pendingSeek);
      pendingSeek = undefined;
      endHold = 0;
      dirty = true;
    }
    if (replay && playing && !scrubbing) {
      if (replay.ended) {
        endHold += dt;
        if (endHold > END_HOLD) { replay.reset(); endHold = 0; dirty = true; }
      } else {
        const step = replay.advance(dt * speed);
        for (const ms of step.latencies) { latency.add(ms); lastLatencyMs = ms; }
        hook.frames += step.pushed;
        if (step.pushed) dirty = true;
      }
    }
    if (view.resize()) dirty = true;
    if (replay && dirty) {
      view.draw({ scene, index: replay.index, predictions: replay.predictions, tail: TAIL });
      updatePanel();
      dirty = false;
    }
  } catch (err) {
    // never expected; stop rather than repeat the failure 60 times a second
    setPlaying(false);
    message('error', describeError(err));
  }
  requestAnimationFrame(tick);
}

function updatePanel(): void {
  if (!replay) return;
  const frame = scene.frames[replay.index];
  const warm = replay.predictions.filter((p) => p.warm).length;
  if (!scrubbing) ui.scrub.value = String(Math.max(0, replay.index));
  ui.clock.textContent = `${replay.time.toFixed(1)} s / ${replay.duration.toFixed(1)} s · frame ${replay.index + 1} of ${scene.frames.length}`;
  const median = latency.quantile(0.5) / 1000;
  ui.latLast.textContent = lastLatencyMs ? us(lastLatencyMs) : '–';
  ui.latMedian.textContent = latency.count ? us(median) : '–';
  ui.tracked.textContent = String(replay.tracked);
  ui.inFrame.textContent = String(frame?.objects.length ?? 0);
  ui.predicted.textContent = String(warm);
  Object.assign(hook, {
    frame: replay.index, predictions: warm, predictionsTotal: replay.warmTotal, tracked: replay.tracked,
    latency: { lastUs: lastLatencyMs * 1000, medianUs: latency.count ? median * 1000 : 0 },
  });
}

// ---------------------------------------------------------------------------------------------
// Start: the module (SIMD where supported, else scalar), the scene, the default model

async function start(): Promise<void> {
  view = new SceneView(ui.canvas);
  rt = await Runtime.create();
  hook.backend = rt.backend;
  ui.backend.textContent = rt.backend === 'simd' ? 'WebAssembly SIMD' : 'WebAssembly (scalar)';
  const text = new TextDecoder().decode(await fetchBytes(sceneUrl));
  scene = await parseScene(text, 'hotel');
  hook.sceneFrames = scene.frames.length;
  ui.scrub.max = String(scene.frames.length - 1);
  for (const b of BUNDLED) addOption({ id: b.id, label: b.label, url: b.url });
  await activate(BUNDLED[0]!.id);
  if (!current) throw new Error('the bundled model did not load');
  ui.play.disabled = false;
  ui.scrub.disabled = false;
  hook.ready = true;
  requestAnimationFrame(tick);
}

start().catch((err) => message('error', `The page could not start: ${describeError(err)}`));
