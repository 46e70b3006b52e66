// Small trajectory models for the streaming tests, built from the model description.
import type { Layer, ModelIR } from '../../host/convert/ir.js';
import { lowerToErnn } from '../../host/convert/lower.js';
import { rng, recurrent, dense } from './models.js';

export const TRAJECTORY_META = {
  samplePeriod: 0.4,
  trajectory: {
    samplePeriod: 0.4, observe: 8, horizon: 12, minStep: 0.02,
    inputs: [{ kind: 'displacement', frame: 'heading' }],
    output: { kind: 'residual', frame: 'heading' },
  },
  output: { shape: [12, 2], unit: 'm' },
};

/** A random LSTM predictor (input 2, 24 outputs) with trajectory metadata. */
export function randomTrajectoryModel(seed = 1, hidden = 16): Uint8Array {
  const r = rng(seed);
  const layers: Layer[] = [recurrent({ kind: 'lstm', hidden, output: 'last' }, 2, r), dense(hidden, 24, r)];
  const ir: ModelIR = { name: 'random-trajectory', inputSize: 2, layers, metadata: { name: 'random-trajectory', ...TRAJECTORY_META } };
  return lowerToErnn(ir);
}

/** Outputs zero residuals: its predictions are exactly constant velocity. */
export function constantVelocityModel(): Uint8Array {
  const ir: ModelIR = {
    name: 'cv', inputSize: 2,
    layers: [{ kind: 'dense', name: 'zero', inputSize: 2, units: 24, W: new Float32Array(48), activation: { name: 'linear' } }],
    metadata: { name: 'cv', ...TRAJECTORY_META },
  };
  return lowerToErnn(ir);
}
