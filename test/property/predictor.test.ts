// Properties of the frame pipeline (host/stream): bad records for some objects leave every other
// object's predictions bit-identical; the objects tracked never exceed the capacity, under any
// churn and either overflow policy; frames whose time is not after the last accepted one are
// rejected and change nothing. On a random float32 LSTM and on the shipped int8 LSTM.
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Runtime } from '../../host/runtime/runtime.js';
import type { Model } from '../../host/runtime/model.js';
import { TrajectoryPredictor, type Frame, type FrameResult, type Prediction } from '../../host/stream/predictor.js';
import { randomTrajectoryModel } from '../helpers/trajectory.js';
import { rng } from '../helpers/models.js';
import { ROOT } from '../helpers/paths.js';
import { FC } from './arbitraries.js';

const models: Record<string, Model> = {};
beforeAll(async () => {
  const rt = await Runtime.create();
  models['random f32 LSTM'] = rt.load(randomTrajectoryModel(3));
  models['shipped int8 LSTM (hotel)'] = rt.load(new Uint8Array(readFileSync(join(ROOT, 'models', 'eth-ucy', 'lstm-hotel-int8.ernn'))));
});

const P = 0.4;

/** Smooth random walks of `n` objects over `frames` frames, times jittered by up to +-0.06 s. */
function scene(n: number, frames: number, seed: number, jitter: boolean): Frame[] {
  const r = rng(seed);
  const obj = Array.from({ length: n }, () => ({ x: r() * 10, y: r() * 10, vx: r() * 2 - 1, vy: r() * 2 - 1, turn: (r() - 0.5) * 0.4 }));
  return Array.from({ length: frames }, (_, k) => {
    const t = k * P + (jitter && k > 0 ? (r() - 0.5) * 0.12 : 0);
    return {
      t,
      objects: obj.map((o, i) => {
        const a = o.turn * t;
        return { id: `o${i}`, x: o.x + t * (o.vx * Math.cos(a) - o.vy * Math.sin(a)), y: o.y + t * (o.vx * Math.sin(a) + o.vy * Math.cos(a)) };
      }),
    };
  });
}

function samePrediction(a: Prediction | undefined, b: Prediction | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.warm !== b.warm || a.steps !== b.steps || !Object.is(a.t0, b.t0) || a.points.length !== b.points.length) return false;
  return a.points.every((p, i) => Object.is(p.x, b.points[i]!.x) && Object.is(p.y, b.points[i]!.y) && Object.is(p.t, b.points[i]!.t));
}

const byId = (r: FrameResult) => new Map(r.predictions.map((p) => [p.id, p]));

const REPLACING = ['nan-x', 'missing-y', 'string-x', 'infinite-y'] as const;
const EXTRA = ['object-id', 'null-record', 'infinite-id', 'ghost-nan', 'array-record', 'dup'] as const;
type Kind = typeof REPLACING[number] | typeof EXTRA[number];

describe('frame pipeline invariants (property)', () => {
  for (const label of ['random f32 LSTM', 'shipped int8 LSTM (hotel)']) {
    it(`${label}: bad records of some objects leave every other object bit-identical`, () => {
      const corruption = fc.record({ frame: fc.nat(), victim: fc.nat(), kind: fc.constantFrom<Kind>(...REPLACING, ...EXTRA) });
      fc.assert(fc.property(
        fc.integer({ min: 1, max: 6 }), fc.integer({ min: 3, max: 24 }), fc.integer(), fc.boolean(), fc.array(corruption, { maxLength: 8 }),
        (n, count, seed, jitter, corruptions) => {
          const model = models[label]!;
          const clean = scene(n, count, seed, jitter);
          const dirty: Frame[] = clean.map((f) => ({ t: f.t, objects: [...(f.objects as object[])] }));
          const victims = new Set<string>();
          const expectRejected = new Array<number>(count).fill(0);
          const replaced = new Set<string>();
          // records replaced first, then the extra ones (a duplicate must follow a good original)
          const ordered = [...corruptions].sort((x, y) => Number(EXTRA.includes(x.kind as never)) - Number(EXTRA.includes(y.kind as never)));
          for (const c of ordered) {
            const k = c.frame % count, v = c.victim % n, id = `o${v}`;
            const list = dirty[k]!.objects as unknown[];
            const at = list.findIndex((o) => (o as { id?: unknown } | null)?.id === id);
            if ((REPLACING as readonly string[]).includes(c.kind)) {
              const o = { ...(list[at] as Record<string, unknown>) };
              if (c.kind === 'nan-x') o.x = Number.NaN;
              else if (c.kind === 'missing-y') delete o.y;
              else if (c.kind === 'string-x') o.x = String(o.x);
              else o.y = Number.POSITIVE_INFINITY;
              list[at] = o;
              victims.add(id);
              if (!replaced.has(`${k}/${id}`)) expectRejected[k]!++;
              replaced.add(`${k}/${id}`);
            } else if (c.kind === 'dup') {
              if (replaced.has(`${k}/${id}`)) continue; // the duplicate would stand in for it
              list.push({ id, x: 1e3, y: -1e3 });
              expectRejected[k]!++;
            } else {
              list.splice(c.victim % (list.length + 1), 0, c.kind === 'object-id' ? { id: { a: 1 }, x: 0, y: 0 } : c.kind === 'null-record' ? null
                : c.kind === 'infinite-id' ? { id: Number.POSITIVE_INFINITY, x: 0, y: 0 } : c.kind === 'array-record' ? [1, 2] : { id: 'ghost', x: Number.NaN, y: 0 });
              expectRejected[k]!++;
            }
          }
          const a = new TrajectoryPredictor(model, { capacity: 8 });
          const b = new TrajectoryPredictor(model, { capacity: 8 });
          try {
            for (let k = 0; k < count; k++) {
              const ra = a.push(clean[k]!), rb = b.push(dirty[k]!);
              expect(ra.rejected).toEqual([]);
              expect(rb.rejected.length, `frame ${k}: ${rb.rejected.map((x) => x.reason).join(', ')}`).toBe(expectRejected[k]);
              const pa = byId(ra), pb = byId(rb);
              for (let i = 0; i < n; i++) {
                const id = `o${i}`;
                if (victims.has(id)) continue;
                expect(samePrediction(pa.get(id), pb.get(id)), `frame ${k}, ${id}`).toBe(true);
              }
              expect(pb.has('ghost')).toBe(false);
            }
          } finally {
            a.dispose();
            b.dispose();
          }
        },
      ), { ...FC, numRuns: 30 });
    });
  }

  it('the objects tracked never exceed the capacity, under churn, with either overflow policy', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 6 }), fc.constantFrom('evict-stalest' as const, 'refuse' as const), fc.integer({ min: 1, max: 20 }),
      fc.integer({ min: 2, max: 40 }), fc.double({ min: 0.1, max: 1, noNaN: true }), fc.integer(),
      (capacity, overflow, pool, count, presence, seed) => {
        const r = rng(seed);
        const p = new TrajectoryPredictor(models['random f32 LSTM']!, { capacity, overflow, forgetAfter: 1.2 });
        try {
          for (let k = 0; k < count; k++) {
            // ids from a pool (recycled), shifted every 10 frames (fresh ones keep coming)
            const ids = [...Array(pool).keys()].filter(() => r() < presence).map((i) => i + 5 * Math.floor(k / 10));
            const res = p.push({ t: k * P, objects: ids.map((i) => ({ id: i % 3 === 0 ? i : `id${i}`, x: i + 0.3 * k, y: -0.2 * k })) });
            expect(p.tracked).toBeLessThanOrEqual(capacity);
            expect(res.predictions.length).toBeLessThanOrEqual(capacity);
            expect(new Set(res.predictions.map((q) => q.id)).size).toBe(res.predictions.length);
            for (const x of res.rejected) expect(x.reason).toBe('capacity');
            if (res.rejected.length > 0) expect(p.tracked).toBe(capacity);
            if (overflow === 'evict-stalest') expect(res.rejected.length).toBe(Math.max(0, ids.length - capacity));
          }
          // nothing is kept of objects whose slots were given back (their ids' types were, for every id ever seen)
          expect((p as unknown as { idTypes: Map<string, string> }).idTypes.size).toBeLessThanOrEqual(capacity);
        } finally {
          p.dispose();
        }
      },
    ), FC);
  });

  it('nothing is kept of a forgotten object: its id may come back with another type', () => {
    const p = new TrajectoryPredictor(models['random f32 LSTM']!, { capacity: 2, forgetAfter: 1 });
    try {
      expect(p.push({ t: 0, objects: [{ id: 7, x: 0, y: 0 }] }).rejected).toEqual([]);
      // while 7 is tracked, '7' is refused
      expect(p.push({ t: 0.4, objects: [{ id: '7', x: 0, y: 0 }] }).rejected.map((x) => x.reason)).toEqual(['id-type-changed']);
      // once 7 is forgotten (unseen for more than 1 s), '7' is a new object
      const r = p.push({ t: 2, objects: [{ id: '7', x: 1, y: 1 }] });
      expect(r.rejected).toEqual([]);
      expect(p.tracked).toBe(1);
    } finally {
      p.dispose();
    }
  });

  it('frames at or before the last accepted time are rejected and change nothing', () => {
    fc.assert(fc.property(
      fc.array(fc.double({ min: -2, max: 1.2, noNaN: true }), { minLength: 2, maxLength: 30 }), fc.integer({ min: 1, max: 4 }), fc.integer(),
      (steps, n, seed) => {
        const model = models['random f32 LSTM']!;
        const base = scene(n, 1, seed, false)[0]!.objects as { id: string; x: number; y: number }[];
        const at = (t: number): Frame => ({ t, objects: base.map((o, i) => ({ id: o.id, x: o.x + 0.9 * t + 0.1 * i * Math.sin(t), y: o.y - 0.4 * t })) });
        const all = new TrajectoryPredictor(model, { capacity: 4, maxGap: 1000 * P, forgetAfter: 1e9 });
        const inOrder = new TrajectoryPredictor(model, { capacity: 4, maxGap: 1000 * P, forgetAfter: 1e9 });
        try {
          let t = 0, last = -Infinity;
          for (const s of steps) {
            t = Math.round((t + s) * 1000) / 1000; // repeated times happen too
            const ra = all.push(at(t));
            if (t <= last) {
              expect(ra.predictions).toEqual([]);
              expect(ra.rejected.map((x) => x.reason)).toEqual([t === last ? 'time-repeated' : 'time-backwards']);
              continue;
            }
            last = t;
            const rb = inOrder.push(at(t));
            expect(ra.rejected).toEqual([]);
            const pa = byId(ra), pb = byId(rb);
            expect([...pa.keys()]).toEqual([...pb.keys()]);
            for (const [id, q] of pa) expect(samePrediction(q, pb.get(id)), `t=${t} ${String(id)}`).toBe(true);
          }
        } finally {
          all.dispose();
          inOrder.dispose();
        }
      },
    ), FC);
  });
});
