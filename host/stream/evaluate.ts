// Evaluation of a trajectory model on ETH/UCY-style files with the standard protocol, through
// the same TrajectoryPredictor that `edgernn run` uses, next to the constant-velocity baseline on
// the same windows.

import type { Model } from '../runtime/model.js';
import { TrajectoryPredictor } from './predictor.js';
import { protocolWindows, displacementErrors, constantVelocity, type Row, type Window } from './ethucy.js';
import { DataError, UnsupportedModelError, UsageError } from '../errors.js';

export interface EvalOptions {
  observe?: number;
  predict?: number;
  /** Keep windows with at least this many pedestrians (Social GAN's loader: 2). Default 1. */
  minPeds?: number;
  /** Windows run at once. Default 512. */
  batch?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface WindowResult {
  window: Window;
  pred: Float64Array;
  cv: Float64Array;
  ade: number;
  fde: number;
  cvAde: number;
  cvFde: number;
}

export interface EvalResult {
  ade: number;
  fde: number;
  cv_ade: number;
  cv_fde: number;
  windows: number;
  files: { file: string; windows: number; ade: number; fde: number; cv_ade: number; cv_fde: number }[];
  results: WindowResult[];
}

export function evaluateModel(model: Model, files: { name: string; rows: Row[] }[], options: EvalOptions = {}): EvalResult {
  const observe = options.observe ?? 8, predict = options.predict ?? 12;
  const batch = options.batch ?? 512;
  if (!Number.isInteger(observe) || observe < 2 || !Number.isInteger(predict) || predict < 1) {
    throw new UsageError(`observe (>= 2) and predict (>= 1) must be integers, got ${observe} and ${predict}`, { where: 'observe' });
  }
  if (!Number.isInteger(batch) || batch < 1) throw new UsageError(`batch must be a positive integer, got ${batch}`, { where: 'batch' });
  const windows = files.flatMap((f) => protocolWindows(f.rows, f.name, observe, predict, options.minPeds ?? 1));
  if (windows.length === 0) throw new DataError(`no evaluation windows: no pedestrian is present in ${observe + predict} consecutive frames`, { where: 'data' });
  const results: WindowResult[] = [];
  let spec: TrajectoryPredictor['spec'] | undefined;
  for (let b0 = 0; b0 < windows.length; b0 += batch) {
    const ws = windows.slice(b0, b0 + batch);
    const p = new TrajectoryPredictor(model, { capacity: ws.length, includeCold: false });
    spec = p.spec;
    if (spec.horizon < predict) throw new UnsupportedModelError(`the model predicts ${spec.horizon} steps, the protocol needs ${predict}`, { where: 'horizon' });
    const P = spec.samplePeriod;
    let last;
    for (let k = 0; k < observe; k++) {
      last = p.push({ t: k * P, objects: ws.map((w, i) => ({ id: i, x: w.points[2 * k], y: w.points[2 * k + 1] })) });
    }
    const byId = new Map(last!.predictions.map((pr) => [pr.id as number, pr]));
    ws.forEach((w, i) => {
      const pr = byId.get(i);
      if (!pr) throw new UnsupportedModelError(`the model is not warm after ${observe} positions (it declares observe = ${spec!.observe})`, { where: 'observe' });
      const pred = new Float64Array(2 * predict);
      for (let k = 0; k < predict; k++) { pred[2 * k] = pr.points[k]!.x; pred[2 * k + 1] = pr.points[k]!.y; }
      const cv = constantVelocity(w, observe, predict);
      const e = displacementErrors(w, observe, pred), c = displacementErrors(w, observe, cv);
      results.push({ window: w, pred, cv, ade: e.ade, fde: e.fde, cvAde: c.ade, cvFde: c.fde });
    });
    p.dispose();
    options.onProgress?.(Math.min(b0 + batch, windows.length), windows.length);
  }
  const mean = (rs: WindowResult[], k: 'ade' | 'fde' | 'cvAde' | 'cvFde') => rs.reduce((a, r) => a + r[k], 0) / rs.length;
  const perFile = files.map((f) => {
    const rs = results.filter((r) => r.window.file === f.name);
    return { file: f.name, windows: rs.length, ade: rs.length ? mean(rs, 'ade') : NaN, fde: rs.length ? mean(rs, 'fde') : NaN, cv_ade: rs.length ? mean(rs, 'cvAde') : NaN, cv_fde: rs.length ? mean(rs, 'cvFde') : NaN };
  });
  return { ade: mean(results, 'ade'), fde: mean(results, 'fde'), cv_ade: mean(results, 'cvAde'), cv_fde: mean(results, 'cvFde'), windows: results.length, files: perFile, results };
}
