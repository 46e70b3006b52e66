// Every case folder (the ONNX node tests, PyTorch exports in shared, the project's own PyTorch
// exports and RTNeural fixtures, TF.js Layers models, PyTorch safetensors) converts through the
// same path as `edgernn verify` and matches the framework's outputs on both builds.
import { describe, it, expect, beforeAll } from 'vitest';
import { join } from 'node:path';
import { Runtime } from '../host/runtime/runtime.js';
import { verifyCase } from '../host/cli/verify-cmd.js';
import { SHARED, FIXTURES, caseDirs } from './helpers/paths.js';

const sets = {
  'onnx-node': caseDirs(join(SHARED, 'conformance', 'onnx-node')),
  'pytorch-onnx (shared)': caseDirs(join(SHARED, 'conformance', 'pytorch-onnx')),
  'pytorch-onnx (project fixtures)': caseDirs(join(FIXTURES, 'pytorch-onnx')),
  'rtneural (PyTorch, 1000 steps, 4 layers)': caseDirs(join(FIXTURES, 'rtneural-onnx')),
  'tfjs-layers (TF.js model.json)': caseDirs(join(SHARED, 'conformance', 'tfjs-layers')),
  'safetensors (PyTorch state_dicts)': caseDirs(join(FIXTURES, 'safetensors')),
};

for (const backend of ['simd', 'scalar'] as const) {
  describe(`conformance, ${backend} build`, () => {
    let rt: Runtime;
    beforeAll(async () => { rt = await Runtime.create({ simd: backend === 'simd' }); });
    for (const [set, dirs] of Object.entries(sets)) {
      it(`has cases: ${set}`, () => expect(dirs.length).toBeGreaterThan(1));
      for (const dir of dirs) {
        it(`${set}: ${dir.split('/').pop()}`, async () => {
          const r = await verifyCase(dir, rt, { atol: 1e-4, rtol: 1e-3 });
          expect(r.reason).toBeUndefined();
          expect(r.ok).toBe(true);
          expect(r.maxAbsErr).toBeLessThan(1e-5);
        });
      }
    }
  });
}
