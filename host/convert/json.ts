// JSON read from model files (TF.js model.json, Keras configs, safetensors headers and configs).
// JSON.parse takes any depth, but what then walks or prints the value recurses (the importers,
// JSON.stringify in error messages): a value nested a few thousand levels deep overflowed the
// stack with a RangeError (found by fuzzing). Every parsed document is therefore checked here, without
// recursion, and refused when it nests deeper than any model config does.

import { ModelFormatError } from '../errors.js';

/** Deepest nesting of arrays and objects accepted in a JSON document read from a model file. */
export const MAX_JSON_DEPTH = 256;

/** Nesting depth of a parsed JSON value (a scalar is 0), counted up to just past `limit`. */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d + 1 > max) {
      max = d + 1;
      if (max > limit) return max;
    }
    for (const c of Array.isArray(v) ? v : Object.values(v)) if (typeof c === 'object' && c !== null) stack.push([c, d + 1]);
  }
  return max;
}

/** Throws ModelFormatError when `value` (parsed from `what`) nests deeper than MAX_JSON_DEPTH. */
export function checkJsonDepth<T>(value: T, what: string): T {
  if (jsonDepth(value) > MAX_JSON_DEPTH) {
    throw new ModelFormatError(`${what} nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`, { where: what, expected: MAX_JSON_DEPTH });
  }
  return value;
}

/** Parses a JSON file (UTF-8, depth-checked), or throws ModelFormatError naming it. */
export function parseJsonFile(bytes: Uint8Array, what: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new ModelFormatError(`${what} is not valid UTF-8 JSON: ${(e as Error).message}`, { where: what });
  }
  return checkJsonDepth(value, what);
}
