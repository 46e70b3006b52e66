// The ETH/UCY pedestrian benchmark: its text format (`frame id x y`, tab or space separated,
// frame ids as integers or floats, positions in metres) and the standard evaluation protocol
// (Social GAN's leave-one-scene-out windows): per file, the sorted distinct frame ids; windows of
// `observe + predict` consecutive listed frames, sliding by one; a pedestrian counts in a window
// when it has a row in every frame of it.

import { DataError } from '../errors.js';

export interface Row { frame: number; id: number; x: number; y: number }

/** Parses a whole ETH/UCY text file (for the protocol; streaming parsers are in parsers.ts). */
export function parseEthUcy(text: string, where = 'eth-ucy'): Row[] {
  const rows: Row[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const s = line.trim();
    if (!s || s.startsWith('#')) return;
    const parts = s.split(/[\s,]+/);
    const nums = parts.map(Number);
    if (parts.length < 4 || nums.slice(0, 4).some((v) => !Number.isFinite(v))) {
      throw new DataError(`${where}:${i + 1}: expected 'frame id x y', got '${s.slice(0, 60)}'`, { where: `${where}:${i + 1}` });
    }
    rows.push({ frame: nums[0]!, id: nums[1]!, x: nums[2]!, y: nums[3]! });
  });
  return rows;
}

export interface Window {
  /** The file the window came from. */
  file: string;
  /** Index of the window's first frame in the file's sorted frame list. */
  start: number;
  id: number;
  /** observe + predict positions, [x, y] per frame. */
  points: Float64Array;
}

/** Windows of the standard protocol, optionally keeping only windows with at least `minPeds` pedestrians. */
export function protocolWindows(rows: Row[], file: string, observe = 8, predict = 12, minPeds = 1): Window[] {
  const len = observe + predict;
  const frames = [...new Set(rows.map((r) => r.frame))].sort((a, b) => a - b);
  const index = new Map(frames.map((f, i) => [f, i]));
  // per frame: id -> position
  const byFrame: Map<number, [number, number]>[] = frames.map(() => new Map());
  for (const r of rows) byFrame[index.get(r.frame)!]!.set(r.id, [r.x, r.y]);
  const out: Window[] = [];
  for (let s = 0; s + len <= frames.length; s++) {
    const ids = [...byFrame[s]!.keys()].filter((id) => {
      for (let k = 1; k < len; k++) if (!byFrame[s + k]!.has(id)) return false;
      return true;
    });
    if (ids.length < minPeds) continue;
    for (const id of ids.sort((a, b) => a - b)) {
      const points = new Float64Array(2 * len);
      for (let k = 0; k < len; k++) {
        const p = byFrame[s + k]!.get(id)!;
        points[2 * k] = p[0];
        points[2 * k + 1] = p[1];
      }
      out.push({ file, start: s, id, points });
    }
  }
  return out;
}

/** ADE and FDE of predicted positions [predict, 2] against a window's future. */
export function displacementErrors(w: Window, observe: number, pred: ArrayLike<number>): { ade: number; fde: number } {
  const n = pred.length / 2;
  let sum = 0, last = 0;
  for (let k = 0; k < n; k++) {
    const dx = pred[2 * k]! - w.points[2 * (observe + k)]!;
    const dy = pred[2 * k + 1]! - w.points[2 * (observe + k) + 1]!;
    last = Math.hypot(dx, dy);
    sum += last;
  }
  return { ade: sum / n, fde: last };
}

/** The constant-velocity baseline: the last observed displacement, repeated. */
export function constantVelocity(w: Window, observe: number, predict: number): Float64Array {
  const px = w.points[2 * (observe - 1)]!, py = w.points[2 * (observe - 1) + 1]!;
  const vx = px - w.points[2 * (observe - 2)]!, vy = py - w.points[2 * (observe - 2) + 1]!;
  const out = new Float64Array(2 * predict);
  for (let k = 0; k < predict; k++) {
    out[2 * k] = px + (k + 1) * vx;
    out[2 * k + 1] = py + (k + 1) * vy;
  }
  return out;
}
