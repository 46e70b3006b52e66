// The scene on a canvas: a metre grid, each object's observed tail, its position, and its
// predicted path, whose dots fade with the horizon. World metres map to pixels with one scale on
// both axes; a scene taller than wide on a wide canvas is turned a quarter turn to fill it.

import type { Prediction } from '../host/stream/predictor.js';
import { tailsAt, type Scene } from './scene.js';

const BG = '#0d1117';
const GRID = 'rgba(139, 148, 158, 0.09)';
const GRID_5 = 'rgba(139, 148, 158, 0.2)';
const TEXT = '#8b949e';

/** A stable colour per object id. */
export function colourOf(id: number | string, alpha = 1): string {
  const n = typeof id === 'number' ? id : [...id].reduce((a, c) => a * 31 + c.charCodeAt(0), 7);
  return `hsla(${Math.round((n * 137.508) % 360)}, 75%, 62%, ${alpha})`;
}

export interface DrawState {
  scene: Scene;
  /** Index of the frame on screen (-1: none yet). */
  index: number;
  predictions: Prediction[];
  /** Seconds of observed tail drawn behind each object. */
  tail: number;
}

export class SceneView {
  private readonly ctx: CanvasRenderingContext2D;
  private width = 0;
  private height = 0;
  private dpr = 1;

  constructor(readonly canvas: HTMLCanvasElement) {
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('this browser has no 2D canvas');
    this.ctx = ctx;
    this.resize();
  }

  /** Matches the canvas' pixels to its size on screen; true if it changed. */
  resize(): boolean {
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    const w = Math.max(1, Math.round(this.canvas.clientWidth * dpr));
    const h = Math.max(1, Math.round(this.canvas.clientHeight * dpr));
    if (w === this.canvas.width && h === this.canvas.height && dpr === this.dpr) return false;
    this.canvas.width = w; this.canvas.height = h;
    this.width = w / dpr; this.height = h / dpr; this.dpr = dpr;
    return true;
  }

  /** World (metres) to canvas (CSS pixels). */
  private transform(scene: Scene): { map: (x: number, y: number) => [number, number]; scale: number } {
    const m = 0.8;
    const b = { x0: scene.bounds.x0 - m, x1: scene.bounds.x1 + m, y0: scene.bounds.y0 - m, y1: scene.bounds.y1 + m };
    const wx = b.x1 - b.x0, wy = b.y1 - b.y0;
    const pad = 24, W = this.width - 2 * pad, H = this.height - 2 * pad - 20;
    const turned = wy > wx && W > H;
    const [across, down] = turned ? [wy, wx] : [wx, wy];
    const s = Math.max(1e-6, Math.min(W / across, H / down));
    const ox = pad + (W - across * s) / 2, oy = pad + 20 + (H - down * s) / 2;
    // turned: world y to the right, world x downwards (a quarter turn, handedness kept)
    const map = turned
      ? (x: number, y: number): [number, number] => [ox + (y - b.y0) * s, oy + (x - b.x0) * s]
      : (x: number, y: number): [number, number] => [ox + (x - b.x0) * s, oy + (b.y1 - y) * s];
    return { map, scale: s };
  }

  draw(st: DrawState): void {
    const { ctx } = this;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = BG;
    ctx.fillRect(0, 0, this.width, this.height);
    const { scene } = st;
    const { map, scale } = this.transform(scene);
    this.grid(scene, map);

    const frame = scene.frames[st.index];
    if (frame) {
      // observed tails
      ctx.lineWidth = 2;
      ctx.lineCap = 'round'; ctx.lineJoin = 'round';
      for (const [id, pts] of tailsAt(scene, st.index, st.tail)) {
        if (pts.length < 2) continue;
        ctx.strokeStyle = colourOf(id, 0.55);
        ctx.beginPath();
        pts.forEach((p, k) => { const [u, v] = map(p.x, p.y); if (k) ctx.lineTo(u, v); else ctx.moveTo(u, v); });
        ctx.stroke();
      }
      // predicted paths: a line from the object through its future positions, fading with the horizon
      const warm = new Set<number | string>();
      const at = new Map(frame.objects.map((o) => [o.id, o]));
      for (const p of st.predictions) {
        if (!p.warm) continue;
        warm.add(p.id);
        const o = at.get(p.id as number);
        let [pu, pv] = o ? map(o.x, o.y) : map(p.points[0]!.x, p.points[0]!.y);
        const n = p.points.length;
        ctx.lineWidth = 1.5;
        p.points.forEach((q, k) => {
          const a = 0.95 - 0.8 * (k / n);
          const [u, v] = map(q.x, q.y);
          ctx.strokeStyle = colourOf(p.id, a * 0.6);
          ctx.beginPath(); ctx.moveTo(pu, pv); ctx.lineTo(u, v); ctx.stroke();
          ctx.fillStyle = colourOf(p.id, a);
          ctx.beginPath(); ctx.arc(u, v, 2.6 - 1.2 * (k / n), 0, 2 * Math.PI); ctx.fill();
          pu = u; pv = v;
        });
      }
      // objects: filled once predicted, a ring while the model is still observing them
      for (const o of frame.objects) {
        const [u, v] = map(o.x, o.y);
        ctx.beginPath(); ctx.arc(u, v, 5, 0, 2 * Math.PI);
        if (warm.has(o.id)) { ctx.fillStyle = colourOf(o.id); ctx.fill(); ctx.strokeStyle = BG; ctx.lineWidth = 1.5; ctx.stroke(); }
        else { ctx.strokeStyle = colourOf(o.id, 0.9); ctx.lineWidth = 2; ctx.stroke(); }
      }
    }
    this.overlay(st, scale);
  }

  private grid(scene: Scene, map: (x: number, y: number) => [number, number]): void {
    const { ctx } = this;
    const m = 0.8;
    const b = { x0: scene.bounds.x0 - m, x1: scene.bounds.x1 + m, y0: scene.bounds.y0 - m, y1: scene.bounds.y1 + m };
    const line = (x0: number, y0: number, x1: number, y1: number) => {
      const [a, c] = [map(x0, y0), map(x1, y1)];
      ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.lineTo(c[0], c[1]); ctx.stroke();
    };
    ctx.lineWidth = 1;
    for (let x = Math.ceil(b.x0); x <= b.x1; x++) { ctx.strokeStyle = x % 5 === 0 ? GRID_5 : GRID; line(x, b.y0, x, b.y1); }
    for (let y = Math.ceil(b.y0); y <= b.y1; y++) { ctx.strokeStyle = y % 5 === 0 ? GRID_5 : GRID; line(b.x0, y, b.x1, y); }
  }

  private overlay(st: DrawState, scale: number): void {
    const { ctx } = this;
    const frame = st.scene.frames[st.index];
    const t = frame ? frame.t - st.scene.frames[0]!.t : 0;
    ctx.fillStyle = TEXT;
    ctx.font = '13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
    ctx.textBaseline = 'top';
    ctx.fillText(`${st.scene.name} · t = ${t.toFixed(1)} s · frame ${st.index + 1} of ${st.scene.frames.length}`, 16, 14);
    // scale bar: 1 m
    const y = this.height - 18;
    ctx.strokeStyle = TEXT; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.moveTo(16, y); ctx.lineTo(16 + scale, y); ctx.stroke();
    ctx.textBaseline = 'middle';
    ctx.fillText('1 m', 22 + scale, y);
  }
}
