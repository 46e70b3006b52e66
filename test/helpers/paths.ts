import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { readdirSync, statSync } from 'node:fs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED = join(ROOT, '..', 'shared');
export const FIXTURES = join(ROOT, 'test', 'fixtures');

/** Sub-folders of a directory (case folders of a conformance set). */
export function caseDirs(dir: string): string[] {
  return readdirSync(dir).map((f) => join(dir, f)).filter((p) => statSync(p).isDirectory()).sort();
}
