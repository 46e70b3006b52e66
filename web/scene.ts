// A recorded scene and its replay: the frames of an ETH/UCY text file, and a clock that feeds them
// to a TrajectoryPredictor as scene time passes. Seeking backward restarts the predictor and
// replays every frame up to the target (no drawing), so its recurrent states are what a straight
// run would have left.

import { readEthUcy } from '../host/stream/parsers.js';
import type { FrameResult, Prediction, TrajectoryPredictor } from '../host/stream/predictor.js';

export interface SceneObject { id: number; x: number; y: number }
export interface SceneFrame { t: number; objects: SceneObject[] }

export interface Scene {
  name: string;
  frames: SceneFrame[];
  /** Extent of every position in the recording, metres. */
  bounds: { x0: number; x1: number; y0: number; y1: number };
  /** Lines the parser rejected. */
  rejected: number;
}

/** Parses an ETH/UCY text file (`frame id x y`; 0.04 s per frame id). */
export async function parseScene(text: string, name: string): Promise<Scene> {
  const frames: SceneFrame[] = [];
  let rejected = 0;
  const b = { x0: Infinity, x1: -Infinity, y0: Infinity, y1: -Infinity };
  for await (const item of readEthUcy([text], { name })) {
    if (item.error) { rejected++; continue; }
    const objects = item.frame.objects as SceneObject[];
    for (const o of objects) {
      b.x0 = Math.min(b.x0, o.x); b.x1 = Math.max(b.x1, o.x);
      b.y0 = Math.min(b.y0, o.y); b.y1 = Math.max(b.y1, o.y);
    }
    frames.push({ t: item.frame.t as number, objects });
  }
  if (frames.length === 0) throw new Error(`${name} has no frames`);
  return { name, frames, bounds: b, rejected };
}

/** Positions of each object of frame `index` over its last `seconds`, oldest first. */
export function tailsAt(scene: Scene, index: number, seconds: number): Map<number, SceneObject[]> {
  const tails = new Map<number, SceneObject[]>();
  const now = scene.frames[index];
  if (!now) return tails;
  for (const o of now.objects) tails.set(o.id, []);
  for (let i = index; i >= 0; i--) {
    const f = scene.frames[i]!;
    if (now.t - f.t > seconds) break;
    for (const o of f.objects) tails.get(o.id)?.push(o);
  }
  for (const pts of tails.values()) pts.reverse();
  return tails;
}

export interface StepInfo {
  /** Frames pushed by this call. */
  pushed: number;
  /** Milliseconds of predictor.push() for each frame pushed. */
  latencies: number[];
}

/** Feeds a scene's frames to a predictor by scene time. */
export class Replay {
  /** Index of the last frame pushed (-1 before the first). */
  index = -1;
  /** Scene time since the first frame, seconds. */
  time = 0;
  /** Predictions of the last frame pushed. */
  predictions: Prediction[] = [];
  /** Warm predictions made since the predictor started. */
  warmTotal = 0;
  private predictor: TrajectoryPredictor;

  /** `restart` gives a fresh predictor (with fresh recurrent states) whenever the replay restarts. */
  constructor(readonly scene: Scene, private readonly restart: () => TrajectoryPredictor) {
    this.predictor = restart();
  }

  get t0(): number { return this.scene.frames[0]!.t; }
  get duration(): number { return this.scene.frames[this.scene.frames.length - 1]!.t - this.t0; }
  get tracked(): number { return this.predictor.tracked; }
  get ended(): boolean { return this.index >= this.scene.frames.length - 1; }

  private push(i: number): FrameResult {
    const r = this.predictor.push(this.scene.frames[i]!);
    this.index = i;
    this.predictions = r.predictions;
    for (const p of r.predictions) if (p.warm) this.warmTotal++;
    return r;
  }

  /** Advances scene time by `dt` seconds and pushes every frame it reaches (at most `maxFrames`). */
  advance(dt: number, maxFrames = 64): StepInfo {
    const frames = this.scene.frames;
    this.time = Math.min(this.duration, this.time + dt);
    const info: StepInfo = { pushed: 0, latencies: [] };
    while (this.index + 1 < frames.length && frames[this.index + 1]!.t - this.t0 <= this.time + 1e-9 && info.pushed < maxFrames) {
      const start = performance.now();
      this.push(this.index + 1);
      info.latencies.push(performance.now() - start);
      info.pushed++;
    }
    // a long way behind (a background tab, a huge speed): catch the clock up to the frames
    if (info.pushed === maxFrames) this.time = frames[this.index]!.t - this.t0;
    return info;
  }

  /** Makes frame `target` the last one pushed: forward by pushing, backward by restarting and replaying. */
  seek(target: number): void {
    const n = this.scene.frames.length;
    target = Math.max(0, Math.min(n - 1, Math.round(target)));
    if (target < this.index) this.reset();
    while (this.index < target) this.push(this.index + 1);
    this.time = this.scene.frames[target]!.t - this.t0;
  }

  /** Back to before the first frame, with a fresh predictor (the old one's streams are freed). */
  reset(): void {
    this.predictor.dispose();
    this.predictor = this.restart();
    this.index = -1;
    this.time = 0;
    this.predictions = [];
    this.warmTotal = 0;
  }

  /** Frees the module memory of the predictor's streams; the replay is not used after this. */
  dispose(): void {
    this.predictor.dispose();
  }
}
