// What a trajectory model declares in its metadata (`trajectory` block), and its validation.
// The host computes the model's input features from tracked positions and decodes its outputs
// into future positions entirely from this description, so that models with other features
// (vehicles with speed and heading, say) need no code of their own.
//
//   "trajectory": {
//     "samplePeriod": 0.4,            seconds per model step (frames are resampled to it)
//     "observe": 8,                   positions before predictions count as warm
//     "horizon": 12,                  future steps per prediction
//     "minStep": 0.02,                metres per step below which the heading is kept
//     "inputs": [ { "kind": "displacement", "frame": "heading" } ],
//     "output": { "kind": "residual", "frame": "heading" }
//   }
//
// Input kinds, per step (one step per sample period, from the resampled track):
//   displacement  2 values: the step's displacement, in the world frame or in the frame of the
//                 heading before it (x along the heading, y to its left)
//   velocity      2 values: displacement / samplePeriod, same frames
//   position      2 values: the world position
//   speed         1 value: |displacement| / samplePeriod
//   field         1 value: a numeric field of the objects' records (`name`), interpolated
//   onehot        one value per entry of `values`: 1 where the record's field `name` equals it
// Output kinds, `horizon` rows of 2 values in the world frame or the current heading frame:
//   residual      per-step displacements minus constant velocity (the last displacement)
//   displacement  per-step displacements
//   offset        positions relative to the current position
// The heading is the direction of the latest displacement longer than minStep; until there is
// one it is the world x axis, and the first displacement is expressed in its own heading.

import type { ModelMetadata } from '../format/metadata.js';
import { UnsupportedModelError } from '../errors.js';

export type Frame2 = 'heading' | 'world';

export type InputSpec =
  | { kind: 'displacement' | 'velocity'; frame: Frame2 }
  | { kind: 'position' }
  | { kind: 'speed' }
  | { kind: 'field'; name: string }
  | { kind: 'onehot'; name: string; values: (string | number)[] };

export interface OutputSpec { kind: 'residual' | 'displacement' | 'offset'; frame: Frame2 }

export interface TrajectorySpec {
  samplePeriod: number;
  observe: number;
  horizon: number;
  minStep: number;
  inputs: InputSpec[];
  output: OutputSpec;
  /** Values per step the inputs produce (must equal the model's input size). */
  featureSize: number;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function bad(what: string): never {
  throw new UnsupportedModelError(`the model's trajectory metadata is not usable: ${what}`, { where: 'metadata.trajectory' });
}

export function inputWidth(i: InputSpec): number {
  switch (i.kind) {
    case 'displacement': case 'velocity': case 'position': return 2;
    case 'speed': case 'field': return 1;
    case 'onehot': return i.values.length;
  }
}

/** Reads and checks the `trajectory` block against the model's input and output sizes. */
export function trajectorySpec(md: ModelMetadata, inputSize: number, outputSize: number): TrajectorySpec {
  const t = md.trajectory;
  if (!isObj(t)) throw new UnsupportedModelError('the model has no trajectory metadata: it is not a trajectory predictor (convert it with --metadata naming its inputs and outputs, docs/STREAMING.md)', { where: 'metadata.trajectory' });
  const num = (k: string, dflt?: number): number => {
    const v = t[k] ?? dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) bad(`'${k}' must be a positive number`);
    return v;
  };
  const samplePeriod = num('samplePeriod', typeof md.samplePeriod === 'number' ? md.samplePeriod : undefined);
  const observe = num('observe');
  const horizon = num('horizon');
  const minStep = typeof t.minStep === 'number' && t.minStep >= 0 ? t.minStep : 0;
  if (!Number.isInteger(observe) || observe < 2 || !Number.isInteger(horizon)) bad('observe (>= 2) and horizon must be integers');
  if (!Array.isArray(t.inputs) || t.inputs.length === 0) bad("'inputs' must be a non-empty list");
  const inputs = t.inputs.map((i, k): InputSpec => {
    if (!isObj(i)) bad(`inputs[${k}] is not an object`);
    const frame = i.frame === 'world' ? 'world' : i.frame === 'heading' || i.frame === undefined ? 'heading' : bad(`inputs[${k}].frame must be heading or world`);
    switch (i.kind) {
      case 'displacement': case 'velocity': return { kind: i.kind, frame };
      case 'position': return { kind: 'position' };
      case 'speed': return { kind: 'speed' };
      case 'field':
        if (typeof i.name !== 'string' || !i.name) bad(`inputs[${k}] needs a field name`);
        return { kind: 'field', name: i.name };
      case 'onehot':
        if (typeof i.name !== 'string' || !Array.isArray(i.values) || i.values.length === 0) bad(`inputs[${k}] needs a field name and values`);
        return { kind: 'onehot', name: i.name, values: i.values as (string | number)[] };
      default: bad(`inputs[${k}].kind '${String(i.kind)}' is not one of displacement, velocity, position, speed, field, onehot`);
    }
  });
  const o = t.output;
  if (!isObj(o) || !['residual', 'displacement', 'offset'].includes(o.kind as string)) bad("'output.kind' must be residual, displacement or offset");
  const output: OutputSpec = { kind: o.kind as OutputSpec['kind'], frame: o.frame === 'world' ? 'world' : 'heading' };
  const featureSize = inputs.reduce((a, i) => a + inputWidth(i), 0);
  if (featureSize !== inputSize) bad(`the inputs make ${featureSize} values per step, the model takes ${inputSize}`);
  if (outputSize !== 2 * horizon) bad(`the model outputs ${outputSize} values, a horizon of ${horizon} needs ${2 * horizon}`);
  return { samplePeriod, observe, horizon, minStep, inputs, output, featureSize };
}
