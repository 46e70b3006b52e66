// Resource limits (Limits, DEFAULT_LIMITS, HARD_LIMITS): every limit refuses with a
// ResourceError that names the limit, the value and how to raise it; raising it lets the model in.
import { describe, it, expect, beforeAll } from 'vitest';
import { Runtime, DEFAULT_LIMITS, HARD_LIMITS, type Limits } from '../../host/runtime/runtime.js';
import { ResourceError, UsageError } from '../../host/errors.js';
import { rng, recurrent, dense, modelOf } from '../helpers/models.js';

let rt: Runtime;
let small: Uint8Array;   // 3 layers, 7 tensors, LSTM with 32 units
beforeAll(async () => {
  rt = await Runtime.create();
  const r = rng(3);
  small = modelOf(4, [recurrent({ kind: 'lstm', hidden: 32 }, 4, r), dense(32, 8, r, { name: 'tanh' }, 'd0'), dense(8, 2, r, { name: 'linear' }, 'd1')]);
});

function refusal(fn: () => unknown): ResourceError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ResourceError);
    return e as ResourceError;
  }
  throw new Error('not refused');
}

describe('limits', () => {
  it('defaults are set and documented, and every limit has a hard ceiling above its default', () => {
    expect(DEFAULT_LIMITS).toEqual({
      maxModelBytes: 64 * 1024 * 1024, maxLayers: 64, maxTensors: 1024, maxDimension: 65536, maxStreams: 1 << 20, maxMemoryPages: 16384,
    });
    for (const k of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) expect(HARD_LIMITS[k]).toBeGreaterThanOrEqual(DEFAULT_LIMITS[k]);
    expect(rt.load(small).info.layers.length).toBe(3);
  });

  const cases: [keyof Limits, number, RegExp][] = [
    ['maxModelBytes', 1000, /the model file is \d+ bytes, above the limit maxModelBytes = 1000; raise it with \{ limits: \{ maxModelBytes: \d+ \} \}/],
    ['maxLayers', 2, /the model has 3 layers, above the limit maxLayers = 2; raise it with \{ limits: \{ maxLayers: N \} \}/],
    ['maxTensors', 4, /the model has \d+ tensors, above the limit maxTensors = 4; raise it/],
    ['maxDimension', 16, /layer 0 \(LSTM\) has 32 units, above the limit maxDimension = 16; raise it with \{ limits: \{ maxDimension: N \} \}/],
    ['maxDimension', 3, /the model input has 4 features, above the limit maxDimension = 3/],
  ];
  for (const [name, value, message] of cases) {
    it(`${name} = ${value}: refused at load, naming the limit; accepted when raised`, () => {
      const e = refusal(() => rt.load(small, { limits: { [name]: value } }));
      expect(e.message).toMatch(message);
      expect(e.where).toBe(`limits.${name}`);
      // the same limit set on the runtime
      const strict = Runtime.createSync({ limits: { [name]: value } });
      expect(() => strict.load(small)).toThrow(message);
      expect(strict.load(small, { limits: { [name]: DEFAULT_LIMITS[name] } }).info.layers.length).toBe(3);
    });
  }

  it('maxStreams bounds stream sets and the batch of run()', () => {
    const m = rt.load(small, { limits: { maxStreams: 4 } });
    expect(m.streams(4).capacity).toBe(4);
    expect(refusal(() => m.streams(5)).message).toMatch(/5 streams were asked for, above the limit maxStreams = 4; raise it/);
    expect(refusal(() => m.run(new Float32Array(5 * 2 * 4), [5, 2, 4])).message).toMatch(/the batch has 5 sequences, above the limit maxStreams = 4/);
    expect(m.run(new Float32Array(4 * 2 * 4), [4, 2, 4]).shape).toEqual([4, 2, 2]);
  });

  it('maxMemoryPages bounds the module memory: a plan above it is refused, the model stays usable', () => {
    const m = rt.load(small, { limits: { maxMemoryPages: 4 } });
    const e = refusal(() => m.streams(100_000));
    expect(e.message).toMatch(/out of memory: .* cannot grow beyond the limit maxMemoryPages = 4 \(256 KiB\).*raise it with \{ limits: \{ maxMemoryPages: N \} \}/);
    expect(e.where).toBe('limits.maxMemoryPages');
    expect(refusal(() => m.run(new Float32Array(64 * 2000 * 4), [64, 2000, 4])).message).toMatch(/maxMemoryPages = 4/);
    expect(m.info.memory.memoryBytes).toBeLessThanOrEqual(4 * 65536);
    expect(m.streams(2).stepAll(new Float32Array(8)).length).toBe(4);
    // a model that does not fit at all (70 KB of weights in one 64 KiB page)
    const big = modelOf(4, [recurrent({ kind: 'lstm', hidden: 64 }, 4, rng(5))]);
    expect(big.length).toBeGreaterThan(65536);
    expect(refusal(() => rt.load(big, { limits: { maxMemoryPages: 1 } })).message).toMatch(/maxMemoryPages = 1/);
  });

  it('limit values are checked: integers from 1 to the hard ceiling, known names', () => {
    expect(() => rt.load(small, { limits: { maxLayers: 0 } })).toThrow(UsageError);
    expect(() => rt.load(small, { limits: { maxLayers: 0 } })).toThrow(/limits\.maxLayers must be an integer from 1 to 256, got 0/);
    expect(() => rt.load(small, { limits: { maxMemoryPages: 65537 } })).toThrow(/maxMemoryPages must be an integer from 1 to 65536/);
    expect(() => rt.load(small, { limits: { maxStreams: 1.5 } })).toThrow(/maxStreams must be an integer/);
    expect(() => Runtime.createSync({ limits: { maxDimension: -1 } })).toThrow(UsageError);
    expect(() => rt.load(small, { limits: { maxLayer: 3 } as Limits })).toThrow(/unknown limit 'maxLayer'/);
  });
});
