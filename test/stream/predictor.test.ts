// The streaming predictor: resampling and gap rules, slot recycling under churn, bad records
// that leave every other object bit-identical, equality with running the model on the same
// features directly, and evaluation on a hand-checked scene.
import { describe, it, expect, beforeAll } from 'vitest';
import { Runtime } from '../../host/runtime/runtime.js';
import type { Model } from '../../host/runtime/model.js';
import { TrajectoryPredictor, type Frame, type FrameResult } from '../../host/stream/predictor.js';
import { evaluateModel } from '../../host/stream/evaluate.js';
import { parseEthUcy } from '../../host/stream/ethucy.js';
import { UnsupportedModelError } from '../../host/errors.js';
import { randomTrajectoryModel, constantVelocityModel } from '../helpers/trajectory.js';
import { rng } from '../helpers/models.js';
import { modelOf, dense } from '../helpers/models.js';

let rt: Runtime;
let model: Model;
beforeAll(async () => {
  rt = await Runtime.create();
  model = rt.load(randomTrajectoryModel(3));
});

/** A smooth curved walk for object k, position at time t. */
const walk = (k: number, t: number): [number, number] => [k + 1.3 * t + 0.2 * Math.sin(0.7 * t + k), -k + 0.4 * t * Math.cos(0.2 * t + k)];

function frames(ids: number[], times: number[], pos = walk): Frame[] {
  return times.map((t) => ({ t, objects: ids.map((k) => ({ id: `obj-${k}`, x: pos(k, t)[0], y: pos(k, t)[1] })) }));
}

const byId = (r: FrameResult) => new Map(r.predictions.map((p) => [p.id, p]));

describe('TrajectoryPredictor', () => {
  it('refuses a model without trajectory metadata', () => {
    const m = rt.load(modelOf(2, [dense(2, 24, rng(1))]));
    expect(() => new TrajectoryPredictor(m)).toThrow(UnsupportedModelError);
    expect(() => new TrajectoryPredictor(m)).toThrow(/no trajectory metadata/);
  });

  it('refuses options that are out of range, naming them (a huge maxGap could ask for millions of steps)', () => {
    expect(() => new TrajectoryPredictor(model, { capacity: 0 })).toThrow(/capacity must be a positive integer/);
    expect(() => new TrajectoryPredictor(model, { maxGap: 1e9 })).toThrow(/maxGap must be between 0 and 1000 sample periods/);
    expect(() => new TrajectoryPredictor(model, { maxGap: Number.NaN })).toThrow(/maxGap/);
    expect(() => new TrajectoryPredictor(model, { forgetAfter: -1 })).toThrow(/forgetAfter/);
    expect(() => new TrajectoryPredictor(model, { jitter: 0.3 })).toThrow(/jitter must be between 0 and half a sample period/);
    expect(() => new TrajectoryPredictor(model, { overflow: 'sometimes' as 'refuse' })).toThrow(/overflow/);
  });

  it('gives the model output for the features a plain implementation computes', () => {
    const p = new TrajectoryPredictor(model, { capacity: 4 });
    const T = 10, P = 0.4;
    const pts = Array.from({ length: T }, (_, k) => walk(2, k * P));
    let last: FrameResult | undefined;
    for (let k = 0; k < T; k++) last = p.push({ t: k * P, objects: [{ id: 7, x: pts[k]![0], y: pts[k]![1] }] });
    // the documented features: each displacement in the frame of the heading before it
    const feats = new Float32Array((T - 1) * 2);
    let ux = 1, uy = 0, has = false;
    for (let k = 1; k < T; k++) {
      const dx = pts[k]![0] - pts[k - 1]![0], dy = pts[k]![1] - pts[k - 1]![1], n = Math.hypot(dx, dy);
      const [fx, fy] = has ? [ux, uy] : n > 0.02 ? [dx / n, dy / n] : [1, 0];
      feats[2 * (k - 1)] = fx * dx + fy * dy;
      feats[2 * (k - 1) + 1] = fx * dy - fy * dx;
      if (n > 0.02) { ux = dx / n; uy = dy / n; has = true; }
    }
    const y = model.run(feats, [1, T - 1, 2]).data;
    const dx = pts[T - 1]![0] - pts[T - 2]![0], dy = pts[T - 1]![1] - pts[T - 2]![1];
    const cvx = ux * dx + uy * dy, cvy = ux * dy - uy * dx;
    let ax = 0, ay = 0;
    const pred = last!.predictions[0]!;
    expect(pred.warm).toBe(true);
    for (let k = 0; k < 12; k++) {
      ax += y[2 * k]! + cvx; ay += y[2 * k + 1]! + cvy;
      expect(pred.points[k]!.x).toBeCloseTo(pts[T - 1]![0] + ux * ax - uy * ay, 9);
      expect(pred.points[k]!.y).toBeCloseTo(pts[T - 1]![1] + uy * ax + ux * ay, 9);
      expect(pred.points[k]!.dt).toBeCloseTo((k + 1) * P, 9);
    }
  });

  it('resamples jittered timestamps: straight-line motion gives the same predictions as exact timing', () => {
    const line = (k: number, t: number): [number, number] => [k + 1.1 * t, 2 * k - 0.5 * t];
    const exact = new TrajectoryPredictor(model, { capacity: 4 });
    const jittered = new TrajectoryPredictor(model, { capacity: 4 });
    const r = rng(5);
    let a: FrameResult | undefined, b: FrameResult | undefined;
    for (let k = 0; k < 12; k++) {
      a = exact.push(frames([0, 1], [k * 0.4], line)[0]!);
      b = jittered.push(frames([0, 1], [k * 0.4 + (k ? (r() - 0.5) * 0.16 : 0)], line)[0]!);
    }
    for (const [id, pa] of byId(a!)) {
      const pb = byId(b!).get(id)!;
      expect(pb.steps).toBe(pa.steps);
      pa.points.forEach((q, i) => { expect(pb.points[i]!.x).toBeCloseTo(q.x, 5); expect(pb.points[i]!.y).toBeCloseTo(q.y, 5); });
    }
  });

  it('bridges a short gap with interpolated steps and restarts an object after a long one', () => {
    const line = (k: number, t: number): [number, number] => [k + 0.9 * t, 0.3 * t];
    const full = new TrajectoryPredictor(model, { capacity: 2 });
    const gappy = new TrajectoryPredictor(model, { capacity: 2, maxGap: 1.2 });
    let a: FrameResult | undefined, b: FrameResult | undefined;
    for (let k = 0; k < 10; k++) {
      a = full.push(frames([0], [k * 0.4], line)[0]!);
      if (k !== 5 && k !== 6) b = gappy.push(frames([0], [k * 0.4], line)[0]!);
    }
    // 0.8 s missing: two steps bridged at frame 7, then the same state as without the gap
    expect(b!.predictions[0]!.steps).toBe(a!.predictions[0]!.steps);
    a!.predictions[0]!.points.forEach((q, i) => expect(b!.predictions[0]!.points[i]!.x).toBeCloseTo(q.x, 6));
    // a 1.6 s gap (longer than maxGap, shorter than forgetAfter): the object restarts cold
    const r = gappy.push(frames([0], [9 * 0.4 + 1.6], line)[0]!);
    expect(r.resets).toEqual(['obj-0']);
    expect(r.predictions.length).toBe(0);
    const r2 = gappy.push(frames([0], [9 * 0.4 + 2.0], line)[0]!);
    expect(r2.predictions[0]!.steps).toBe(1);
    expect(r2.predictions[0]!.warm).toBe(false);
  });

  it('recycles slots under churn: thousands of ids through 32 slots', () => {
    const p = new TrajectoryPredictor(model, { capacity: 32, forgetAfter: 1.0 });
    let maxTracked = 0, rejected = 0;
    for (let k = 0; k < 600; k++) {
      // each id lives for 6 frames; ~5 new ids per frame
      const ids = Array.from({ length: 30 }, (_, j) => Math.floor(k / 6) * 30 + j).filter((id) => (id * 7919) % 6 !== k % 6 || true);
      const r = p.push({ t: k * 0.4, objects: ids.map((id) => ({ id, x: id + 0.1 * k, y: 0.05 * k })) });
      rejected += r.rejected.length;
      maxTracked = Math.max(maxTracked, p.tracked);
    }
    expect(rejected).toBe(0);
    expect(maxTracked).toBeLessThanOrEqual(32);
    expect(p.counters.objects).toBe(3000);
  });

  it('overflow policies: evict the stalest object, or refuse with a record', () => {
    const evict = new TrajectoryPredictor(model, { capacity: 2, overflow: 'evict-stalest' });
    const refuse = new TrajectoryPredictor(model, { capacity: 2, overflow: 'refuse' });
    for (const p of [evict, refuse]) {
      p.push({ t: 0, objects: [{ id: 'a', x: 0, y: 0 }, { id: 'b', x: 1, y: 0 }] });
      p.push({ t: 0.4, objects: [{ id: 'b', x: 1.2, y: 0 }] });
    }
    const e = evict.push({ t: 0.8, objects: [{ id: 'c', x: 5, y: 5 }, { id: 'b', x: 1.4, y: 0 }] });
    expect(e.resets).toEqual(['a']);
    expect(e.rejected).toEqual([]);
    const f = refuse.push({ t: 0.8, objects: [{ id: 'c', x: 5, y: 5 }, { id: 'b', x: 1.4, y: 0 }] });
    expect(f.rejected.map((x) => [x.reason, x.id])).toEqual([['capacity', 'c']]);
  });

  it('a bad record for one object leaves every other object bit-identical to a clean run', () => {
    const ids = [0, 1, 2, 3];
    // forgetAfter 4 s: object 2, without a good record for 2.8 s, stays tracked (its id's type too)
    const clean = new TrajectoryPredictor(model, { capacity: 8, forgetAfter: 4 });
    const dirty = new TrajectoryPredictor(model, { capacity: 8, forgetAfter: 4 });
    const fs: Frame[] = Array.from({ length: 14 }, (_, k) => ({ t: k * 0.4, objects: ids.map((id) => ({ id, x: walk(id, k * 0.4)[0], y: walk(id, k * 0.4)[1] })) }));
    const reasons: string[] = [];
    fs.forEach((f, k) => {
      const a = clean.push(f);
      const objs = [...(f.objects as Record<string, unknown>[])];
      // object 2 misbehaves in many ways; the others are untouched
      const bad = [
        { id: 2, x: Number.NaN, y: 1 }, { id: 2, y: 1 }, { id: '2', x: 0, y: 0 }, { x: 1, y: 1 },
        { id: 2, x: Infinity, y: 0 }, { id: 2, x: 'abc', y: 0 }, { id: null, x: 1, y: 1 },
      ][k % 7]!;
      if (k >= 3 && k < 10) objs[2] = bad;
      if (k === 11) objs.push({ ...objs[0]! });
      const b = dirty.push({ t: f.t, objects: objs });
      reasons.push(...b.rejected.map((x) => x.reason));
      for (const [id, pa] of byId(a)) {
        if (id === 2) continue;
        const pb = byId(b).get(id)!;
        expect(pb.points.map((q) => [q.x, q.y])).toEqual(pa.points.map((q) => [q.x, q.y]));
      }
    });
    expect(reasons).toEqual(['missing-field', 'non-finite', 'non-finite', 'bad-id', 'non-finite', 'missing-field', 'id-type-changed', 'duplicate-id']);
  });

  it('skips frames whose time goes backwards or repeats, with a record, and keeps going', () => {
    const p = new TrajectoryPredictor(model, { capacity: 2 });
    p.push({ t: 1, objects: [{ id: 1, x: 0, y: 0 }] });
    const back = p.push({ t: 0.5, objects: [{ id: 1, x: 9, y: 9 }] });
    const same = p.push({ t: 1, objects: [{ id: 1, x: 9, y: 9 }] });
    expect(back.rejected[0]!.reason).toBe('time-backwards');
    expect(same.rejected[0]!.reason).toBe('time-repeated');
    expect(p.push({ t: 'x' as never, objects: [] }).rejected[0]!.reason).toBe('bad-frame');
    const ok = p.push({ t: 1.4, objects: [{ id: 1, x: 0.5, y: 0 }] });
    expect(ok.predictions[0]!.steps).toBe(1);
  });
});

describe('evaluation', () => {
  it('matches hand-computed ADE/FDE on a tiny scene (a zero-residual model is constant velocity)', () => {
    const rows: string[] = [];
    for (let f = 0; f < 20; f++) {
      rows.push(`${f * 10}\t1\t${0.5 * f}\t0`);                                  // straight: CV exact
      rows.push(`${f * 10}\t2\t${0.4 * Math.min(f, 7)}\t${f > 7 ? 0.4 * (f - 7) : 0}`); // turns 90° after the 8th frame
    }
    const cv = rt.load(constantVelocityModel());
    const r = evaluateModel(cv, [{ name: 'tiny.txt', rows: parseEthUcy(rows.join('\n')) }]);
    expect(r.windows).toBe(2);
    // ped 2: predicted (x8 + 0.4k, 0), true (x8, 0.4k): error 0.4·√2·k, k = 1..12
    const ade2 = 0.4 * Math.SQRT2 * 6.5, fde2 = 0.4 * Math.SQRT2 * 12;
    expect(r.ade).toBeCloseTo(ade2 / 2, 9);
    expect(r.fde).toBeCloseTo(fde2 / 2, 9);
    expect(r.cv_ade).toBeCloseTo(ade2 / 2, 9);
    expect(r.cv_fde).toBeCloseTo(fde2 / 2, 9);
  });
});
