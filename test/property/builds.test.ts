// Property: the SIMD build and the scalar build compute the same model. Integer paths (int8,
// int8-dynamic) give the same bits; float32 agrees within a tolerance (the SIMD kernels may sum in
// another order). Random small models: cell kinds, sizes 1..24 (every SIMD tail), one or two
// layers, a bidirectional first layer, peepholes, learned initial states, heads.
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { Runtime } from '../../host/runtime/runtime.js';
import { FC, modelSpec, build, relErr, sameBits } from './arbitraries.js';

let simd: Runtime, scalar: Runtime;
beforeAll(async () => {
  simd = await Runtime.create({ simd: true });
  scalar = await Runtime.create({ simd: false });
});

describe('SIMD build equals scalar build (property)', () => {
  it('int8 and int8-dynamic bit for bit, f32 within 1e-5 relative', () => {
    fc.assert(fc.property(modelSpec({ bidirectional: true }), (spec) => {
      const m = build(spec);
      const a = simd.load(m.bytes).run(m.x, m.shape);
      const b = scalar.load(m.bytes).run(m.x, m.shape);
      expect(a.shape).toEqual(b.shape);
      if (spec.quant === 'f32') expect(relErr(a.data, b.data)).toBeLessThanOrEqual(1e-5);
      else expect(sameBits(a.data, b.data)).toBe(true);
    }), { ...FC, numRuns: 60 });
  });
});
