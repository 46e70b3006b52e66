// Caps on the arrays the converter builds itself whose size is a product of sizes read from the
// file: an identity matrix standing for a normalisation or an elementwise op (width x width), a
// gathered constant (indices x rows). A few bytes of a file can claim a width of 10^5 or 2^40, and
// squared that is no allocation a converter should attempt (fuzzing found RangeErrors there). The
// size is checked, and refused with a ResourceError, before anything is allocated. Arrays copied
// from the file's own data need no cap here: the file's size bounds them.

import { ResourceError } from '../errors.js';

/** Most values in one array the converter builds (64 Mi: 256 MiB of float32). */
export const MAX_BUILT_ELEMENTS = 1 << 26;

/** `n` when it is a count of values the converter may build, else a ResourceError naming `what` and `where`. */
export function builtSize(n: number, what: string, where: string): number {
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_BUILT_ELEMENTS) {
    throw new ResourceError(`${where}: ${what} would hold ${n} values, more than the ${MAX_BUILT_ELEMENTS} the converter builds`, { where, expected: MAX_BUILT_ELEMENTS, actual: n });
  }
  return n;
}
