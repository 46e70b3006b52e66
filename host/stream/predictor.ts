// TrajectoryPredictor: frames of tracked objects in, predicted trajectories out.
//
// Every object id gets a recurrent state (a stream slot of the model) on first sight; its
// positions are resampled to the model's sample period (interpolating jittered timestamps,
// bridging short gaps, resetting after long ones); each frame advances all objects that
// completed a sample period in one batched call into the module; the outputs are decoded into
// absolute future positions with their times. Bad records are reported, never fatal, and never
// touch another object's state. Nothing here is specific to pedestrians: features and outputs
// come from the model's metadata (spec.ts).

import type { Model } from '../runtime/model.js';
import type { StreamSet } from '../runtime/streams.js';
import { trajectorySpec, type TrajectorySpec } from './spec.js';
import { Track } from './track.js';
import { UsageError } from '../errors.js';

export interface ObjectRecord {
  id: unknown;
  x?: unknown;
  y?: unknown;
  [field: string]: unknown;
}

export interface Frame {
  t: unknown;
  objects?: unknown;
  /** Where the frame came from (file:line), for error records. */
  source?: string;
}

export type RejectReason =
  | 'unparsable' | 'missing-field' | 'non-finite' | 'bad-id' | 'id-type-changed' | 'duplicate-id'
  | 'time-backwards' | 'time-repeated' | 'capacity' | 'bad-frame';

export interface Rejection {
  reason: RejectReason;
  message: string;
  source?: string;
  t?: number;
  id?: string | number;
}

export interface PredictedPoint {
  /** Seconds after the frame's time. */
  dt: number;
  /** Absolute time. */
  t: number;
  x: number;
  y: number;
}

export interface Prediction {
  id: string | number;
  /** True once the model has seen its observation window for this object. */
  warm: boolean;
  /** Model steps since the object's state was (re)started. */
  steps: number;
  /** Time of the model step the prediction starts from. */
  t0: number;
  points: PredictedPoint[];
}

export interface FrameResult {
  t: number;
  predictions: Prediction[];
  rejected: Rejection[];
  /** Objects whose state was reset (gap) or that were evicted (overflow policy). */
  resets: (string | number)[];
}

export interface PredictorOptions {
  /** Objects tracked at once (stream slots). Default 256. */
  capacity?: number;
  /** When a new object arrives and every slot is taken: evict the one unseen for longest, or refuse it. */
  overflow?: 'evict-stalest' | 'refuse';
  /** Seconds an object may be unseen before its slot is recycled. Default 5 sample periods. */
  forgetAfter?: number;
  /** Seconds of missing observations bridged by interpolation; a longer gap restarts the object. Default 3 periods. */
  maxGap?: number;
  /** Seconds a model step may lie after its observation (jitter tolerance). Default a quarter period. */
  jitter?: number;
  /** Predict for objects that are not warm yet (flagged warm: false). Default true. */
  includeCold?: boolean;
}

/** Longest gap bridged, in sample periods (each period of a gap is one model step). */
export const MAX_BRIDGED_STEPS = 1000;

export class TrajectoryPredictor {
  readonly spec: TrajectorySpec;
  readonly capacity: number;
  private readonly streams: StreamSet;
  private readonly tracks = new Map<string, Track>();
  private readonly idTypes = new Map<string, string>();
  private readonly free: number[] = [];
  private lastT = -Infinity;
  private readonly opts: Required<PredictorOptions>;
  private readonly lastOut: Float32Array[];
  /** Batch buffers of one model call: stream slots and their features (no allocation per frame). */
  private readonly batchSlots: Int32Array;
  private readonly batchFeatures: Float32Array;
  private readonly active: Track[] = [];
  readonly counters = { frames: 0, objects: 0, predictions: 0, steps: 0, resets: 0, evictions: 0 };

  constructor(private readonly model: Model, options: PredictorOptions = {}) {
    this.spec = trajectorySpec(model.metadata, model.info.inputSize, model.info.outputSize);
    const P = this.spec.samplePeriod;
    this.opts = {
      capacity: options.capacity ?? 256,
      overflow: options.overflow ?? 'evict-stalest',
      forgetAfter: options.forgetAfter ?? 5 * P,
      maxGap: options.maxGap ?? 3 * P,
      jitter: options.jitter ?? P / 4,
      includeCold: options.includeCold ?? true,
    };
    if (!Number.isInteger(this.opts.capacity) || this.opts.capacity < 1) throw new UsageError(`capacity must be a positive integer, got ${this.opts.capacity}`, { where: 'capacity' });
    const o = this.opts;
    const inRange = (v: number, lo: number, hi: number) => typeof v === 'number' && v >= lo && v <= hi;
    // a gap is bridged with one model step per period: bound it so that no frame can ask for millions
    if (!inRange(o.maxGap, 0, MAX_BRIDGED_STEPS * P)) throw new UsageError(`maxGap must be between 0 and ${MAX_BRIDGED_STEPS} sample periods (${MAX_BRIDGED_STEPS * P} s), got ${o.maxGap}`, { where: 'maxGap' });
    if (!inRange(o.forgetAfter, 0, Number.MAX_VALUE)) throw new UsageError(`forgetAfter must be a finite number of seconds >= 0, got ${o.forgetAfter}`, { where: 'forgetAfter' });
    if (!inRange(o.jitter, 0, P / 2)) throw new UsageError(`jitter must be between 0 and half a sample period (${P / 2} s), got ${o.jitter}`, { where: 'jitter' });
    if (o.overflow !== 'evict-stalest' && o.overflow !== 'refuse') throw new UsageError(`overflow must be 'evict-stalest' or 'refuse', got '${String(o.overflow)}'`, { where: 'overflow' });
    this.capacity = this.opts.capacity;
    this.streams = model.streams(this.capacity);
    for (let i = this.capacity - 1; i >= 0; i--) this.free.push(i);
    this.lastOut = Array.from({ length: this.capacity }, () => new Float32Array(this.spec.horizon * 2));
    this.batchSlots = new Int32Array(this.capacity);
    this.batchFeatures = new Float32Array(this.capacity * this.spec.featureSize);
  }

  /** Objects tracked now. */
  get tracked(): number { return this.tracks.size; }

  private release(tr: Track): void {
    this.tracks.delete(tr.key);
    // the id's type is remembered while the object is tracked only: kept for every id ever seen,
    // the map grew without bound under a tracker that numbers its objects (found by the soak)
    this.idTypes.delete(String(tr.id));
    this.streams.reset(tr.slot);
    this.free.push(tr.slot);
  }

  /** Processes one frame. Never throws for bad data: problems come back as rejections. */
  push(frame: Frame): FrameResult {
    const rejected: Rejection[] = [];
    const resets: (string | number)[] = [];
    const src = frame.source;
    const t = typeof frame.t === 'number' ? frame.t : Number.NaN;
    const reject = (reason: RejectReason, message: string, id?: string | number) => {
      rejected.push({ reason, message, ...(src ? { source: src } : {}), ...(Number.isFinite(t) ? { t } : {}), ...(id !== undefined ? { id } : {}) });
    };
    if (!Number.isFinite(t)) {
      reject('bad-frame', `frame time ${JSON.stringify(frame.t)} is not a finite number`);
      return { t, predictions: [], rejected, resets };
    }
    if (t <= this.lastT) {
      reject(t === this.lastT ? 'time-repeated' : 'time-backwards', `frame time ${t} ${t === this.lastT ? 'repeats' : 'is before'} the previous frame's ${this.lastT}; frame skipped`);
      return { t, predictions: [], rejected, resets };
    }
    if (!Array.isArray(frame.objects)) {
      reject('bad-frame', 'frame has no objects list');
      return { t, predictions: [], rejected, resets };
    }
    this.lastT = t;
    this.counters.frames++;
    // recycle slots of objects unseen for too long
    for (const tr of this.tracks.values()) {
      if (t - tr.lastSeen > this.opts.forgetAfter) this.release(tr);
    }
    const seen = new Set<string>();
    const active = this.active;
    active.length = 0;
    for (const raw of frame.objects as unknown[]) {
      if (typeof raw !== 'object' || raw === null) { reject('bad-frame', 'an object record is not an object'); continue; }
      const o = raw as ObjectRecord;
      const id = o.id;
      if (typeof id !== 'string' && typeof id !== 'number') { reject(id === undefined ? 'missing-field' : 'bad-id', `object id ${JSON.stringify(id) ?? 'missing'} must be a string or a number`); continue; }
      if (typeof id === 'number' && !Number.isFinite(id)) { reject('bad-id', `object id ${id} is not finite`); continue; }
      const text = String(id);
      const had = this.idTypes.get(text);
      if (had !== undefined && had !== typeof id) { reject('id-type-changed', `object id ${JSON.stringify(id)} was a ${had} before; record skipped`, id); continue; }
      if (o.x === undefined || o.y === undefined) { reject('missing-field', `object ${JSON.stringify(id)} has no ${o.x === undefined ? 'x' : 'y'}`, id); continue; }
      const x = typeof o.x === 'number' ? o.x : Number.NaN, y = typeof o.y === 'number' ? o.y : Number.NaN;
      if (!Number.isFinite(x) || !Number.isFinite(y)) { reject('non-finite', `object ${JSON.stringify(id)} has position (${String(o.x)}, ${String(o.y)})`, id); continue; }
      const key = `${typeof id}:${text}`;
      if (seen.has(key)) { reject('duplicate-id', `object ${JSON.stringify(id)} appears twice in the frame; the second record is skipped`, id); continue; }
      seen.add(key);
      let tr = this.tracks.get(key);
      if (!tr) {
        let slot = this.free.pop();
        if (slot === undefined) {
          if (this.opts.overflow === 'refuse') { reject('capacity', `all ${this.capacity} slots are taken; object ${JSON.stringify(id)} refused`, id); continue; }
          let stalest: Track | undefined;
          for (const c of this.tracks.values()) if (!seen.has(c.key) && (!stalest || c.lastSeen < stalest.lastSeen)) stalest = c;
          if (!stalest) { reject('capacity', `all ${this.capacity} slots are taken by objects of this frame; object ${JSON.stringify(id)} refused`, id); continue; }
          resets.push(stalest.id);
          this.counters.evictions++;
          this.release(stalest);
          slot = this.free.pop()!;
        }
        tr = new Track(key, id, this.spec);
        tr.slot = slot;
        this.tracks.set(key, tr);
        this.idTypes.set(text, typeof id); // until release()
        this.counters.objects++;
      } else if (t - tr.lastObservationTime > this.opts.maxGap * (1 + 1e-9)) {
        tr.reset();
        this.streams.reset(tr.slot);
        resets.push(id);
        this.counters.resets++;
      }
      tr.lastSeen = t;
      const { id: _id, x: _x, y: _y, ...record } = o;
      tr.observe({ t, x, y, record }, this.opts.jitter);
      active.push(tr);
    }
    // batched model calls: round k advances every object with a k-th pending step
    const F = this.spec.featureSize;
    const O = this.spec.horizon * 2;
    for (let round = 0; ; round++) {
      let n = 0;
      for (const tr of active) {
        if (tr.pendingSteps <= round) continue;
        this.batchSlots[n] = tr.slot;
        this.batchFeatures.set(tr.pending.subarray(round * F, (round + 1) * F), n * F);
        n++;
      }
      if (n === 0) break;
      const out = this.streams.stepMany(this.batchSlots.subarray(0, n), this.batchFeatures.subarray(0, n * F));
      n = 0;
      for (const tr of active) {
        if (tr.pendingSteps <= round) continue;
        this.lastOut[tr.slot]!.set(out.subarray(n * O, (n + 1) * O));
        n++;
      }
      this.counters.steps += n;
    }
    const predictions: Prediction[] = [];
    const pos = new Float64Array(this.spec.horizon * 2);
    const P = this.spec.samplePeriod;
    for (const tr of active) {
      if (tr.steps === 0) continue;
      const warm = tr.steps >= this.spec.observe - 1;
      if (!warm && !this.opts.includeCold) continue;
      tr.decode(this.lastOut[tr.slot]!, pos);
      const points: PredictedPoint[] = [];
      for (let k = 0; k < this.spec.horizon; k++) {
        const tk = tr.tickT + (k + 1) * P;
        points.push({ dt: tk - t, t: tk, x: pos[2 * k]!, y: pos[2 * k + 1]! });
      }
      predictions.push({ id: tr.id, warm, steps: tr.steps, t0: tr.tickT, points });
    }
    this.counters.predictions += predictions.length;
    return { t, predictions, rejected, resets };
  }

  /** Frees the module memory of the predictor's streams. */
  dispose(): void {
    this.streams.dispose();
  }
}
