// One tracked object: its resampling to the model's sample period, its heading, the features of
// each model step and the decoding of the model's output into future positions. The arithmetic
// is the one the training recipe uses (models/recipe/trajectory.py), in float64.

import type { TrajectorySpec, InputSpec } from './spec.js';

export interface Observation {
  t: number;
  x: number;
  y: number;
  /** The record's other fields (for field and onehot inputs). */
  record: Record<string, unknown>;
}

export class Track {
  slot = -1;
  lastSeen = -Infinity;
  /** Model steps since the last reset. */
  steps = 0;
  private anchored = false;
  private obs: Observation | undefined;
  tickT = 0;
  tickX = 0;
  tickY = 0;
  private ux = 1;
  private uy = 0;
  private hasHeading = false;
  private dx = 0;
  private dy = 0;
  /** Features of the steps the latest observation completed, one row each (reused). */
  pending: Float32Array;
  /** Number of rows in `pending`. */
  pendingSteps = 0;

  constructor(readonly key: string, readonly id: string | number, private readonly spec: TrajectorySpec) {
    this.pending = new Float32Array(spec.featureSize * 4);
  }

  /** Forget everything: the next observation starts the track again. */
  reset(): void {
    this.anchored = false;
    this.obs = undefined;
    this.steps = 0;
    this.ux = 1; this.uy = 0; this.hasHeading = false;
    this.dx = 0; this.dy = 0;
  }

  get anchoredAt(): number | undefined { return this.anchored ? this.obs?.t : undefined; }
  get lastObservationTime(): number { return this.obs?.t ?? -Infinity; }

  /**
   * Takes an observation and computes the model steps it completes: one per sample period since
   * the last step, at times up to `jitter` after the observation, positions interpolated between
   * the last two observations. Their features are the rows of `pending`; returns how many. The
   * first observation only anchors the track.
   */
  observe(o: Observation, jitter: number): number {
    this.pendingSteps = 0;
    if (!this.anchored || !this.obs) {
      this.anchored = true;
      this.obs = o;
      this.tickT = o.t;
      this.tickX = o.x;
      this.tickY = o.y;
      return 0;
    }
    const P = this.spec.samplePeriod;
    const F = this.spec.featureSize;
    const prev = this.obs;
    const span = o.t - prev.t;
    while (this.tickT + P <= o.t + jitter) {
      const tt = this.tickT + P;
      const a = (tt - prev.t) / span;
      const x = prev.x + a * (o.x - prev.x);
      const y = prev.y + a * (o.y - prev.y);
      if ((this.pendingSteps + 1) * F > this.pending.length) {
        const grown = new Float32Array(this.pending.length * 2);
        grown.set(this.pending);
        this.pending = grown;
      }
      this.step(x, y, prev, o, a, this.pending.subarray(this.pendingSteps * F, (this.pendingSteps + 1) * F));
      this.pendingSteps++;
      this.tickT = tt;
    }
    this.obs = o;
    return this.pendingSteps;
  }

  /** The features of one model step to position (x, y) into f, and the state it leaves. */
  private step(x: number, y: number, prev: Observation, cur: Observation, a: number, f: Float32Array): void {
    const s = this.spec;
    const dx = x - this.tickX, dy = y - this.tickY;
    const n = Math.hypot(dx, dy);
    const big = n > s.minStep;
    const nux = big ? dx / n : this.ux, nuy = big ? dy / n : this.uy;
    // the frame of the heading before this step (the first step: its own)
    let px = this.ux, py = this.uy;
    if (!this.hasHeading) { px = big ? nux : 1; py = big ? nuy : 0; }
    let k = 0;
    for (const inp of s.inputs) k = this.feature(inp, f, k, dx, dy, n, px, py, x, y, prev, cur, a);
    if (big) { this.ux = nux; this.uy = nuy; this.hasHeading = true; }
    this.dx = dx; this.dy = dy;
    this.tickX = x; this.tickY = y;
    this.steps++;
  }

  private feature(inp: InputSpec, f: Float32Array, k: number, dx: number, dy: number, n: number, px: number, py: number,
                  x: number, y: number, prev: Observation, cur: Observation, a: number): number {
    const P = this.spec.samplePeriod;
    switch (inp.kind) {
      case 'displacement': case 'velocity': {
        const s = inp.kind === 'velocity' ? 1 / P : 1;
        if (inp.frame === 'heading') { f[k] = (px * dx + py * dy) * s; f[k + 1] = (px * dy - py * dx) * s; }
        else { f[k] = dx * s; f[k + 1] = dy * s; }
        return k + 2;
      }
      case 'position': f[k] = x; f[k + 1] = y; return k + 2;
      case 'speed': f[k] = n / P; return k + 1;
      case 'field': {
        const v0 = Number(prev.record[inp.name]), v1 = Number(cur.record[inp.name]);
        f[k] = Number.isFinite(v0) && Number.isFinite(v1) ? v0 + a * (v1 - v0) : Number.isFinite(v1) ? v1 : 0;
        return k + 1;
      }
      case 'onehot': {
        const v = cur.record[inp.name];
        inp.values.forEach((c, j) => { f[k + j] = v === c ? 1 : 0; });
        return k + inp.values.length;
      }
    }
  }

  /**
   * Future positions [horizon, 2] (world, metres) from the model's output after the latest step:
   * its rows are displacements (or residuals over constant velocity, or offsets) in the world
   * frame or the current heading frame.
   */
  decode(out: ArrayLike<number>, dst: Float64Array): Float64Array {
    const s = this.spec;
    const ux = this.hasHeading ? this.ux : 1, uy = this.hasHeading ? this.uy : 0;
    const heading = s.output.frame === 'heading';
    // constant velocity in the output frame
    const cvx = heading ? ux * this.dx + uy * this.dy : this.dx;
    const cvy = heading ? ux * this.dy - uy * this.dx : this.dy;
    let ax = 0, ay = 0;
    for (let k = 0; k < s.horizon; k++) {
      let vx = out[2 * k]!, vy = out[2 * k + 1]!;
      if (s.output.kind === 'offset') { ax = vx; ay = vy; }
      else {
        if (s.output.kind === 'residual') { vx += cvx; vy += cvy; }
        ax += vx; ay += vy;
      }
      const wx = heading ? ux * ax - uy * ay : ax;
      const wy = heading ? uy * ax + ux * ay : ay;
      dst[2 * k] = this.tickX + wx;
      dst[2 * k + 1] = this.tickY + wy;
    }
    return dst;
  }
}
