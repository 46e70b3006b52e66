// Re-evaluates every shipped model file with `edgernn eval` (the CLI, as a user runs it) on its
// held-out test scene and compares with models/eth-ucy/results.json, the source of the model
// cards. Prints one line per file and the averages per family and precision; exits 1 if any
// number differs from the card by more than 5e-4 m (the cards print three decimals).
//
//   npm run build && node models/recipe/evaluate-shipped.mjs [--only int8] [--backend scalar]
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const data = join(root, '..', 'shared', 'data', 'eth-ucy');
const dir = join(root, 'models', 'eth-ucy');
const bin = join(root, 'dist', 'host', 'cli', 'bin.js');
const { values } = parseArgs({ options: { only: { type: 'string' }, backend: { type: 'string' } } });
const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
const TOL = 5e-4;

let failed = 0;
const sums = new Map();
for (const [key, entry] of Object.entries(results.models)) {
  for (const [mode, card] of Object.entries(entry.modes)) {
    if (values.only && values.only !== mode && values.only !== key) continue;
    const file = join(dir, card.file);
    if (!existsSync(file)) { console.log(`MISSING ${card.file}`); failed++; continue; }
    const args = [bin, 'eval', file, '--data', join(data, entry.scene, 'test'), '--json', ...(values.backend ? ['--backend', values.backend] : [])];
    const got = JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' }));
    const ok = Math.abs(got.ade - card.ade) <= TOL && Math.abs(got.fde - card.fde) <= TOL && got.windows === card.windows;
    if (!ok) failed++;
    console.log(`${ok ? 'OK  ' : 'DIFF'} ${card.file.padEnd(28)} ADE ${got.ade.toFixed(3)} FDE ${got.fde.toFixed(3)} (card ${card.ade.toFixed(3)} ${card.fde.toFixed(3)}; CV ${got.cv_ade.toFixed(3)} ${got.cv_fde.toFixed(3)}; ${got.windows} windows)`);
    const k = `${entry.family} ${mode}`;
    const s = sums.get(k) ?? { ade: 0, fde: 0, cv_ade: 0, cv_fde: 0, n: 0 };
    s.ade += got.ade; s.fde += got.fde; s.cv_ade += got.cv_ade; s.cv_fde += got.cv_fde; s.n++;
    sums.set(k, s);
  }
}
for (const [k, s] of sums) {
  console.log(`average ${k.padEnd(18)} over ${s.n} scenes: ADE ${(s.ade / s.n).toFixed(3)} FDE ${(s.fde / s.n).toFixed(3)} (constant velocity ${(s.cv_ade / s.n).toFixed(3)} ${(s.cv_fde / s.n).toFixed(3)})`);
}
if (failed) console.log(`${failed} file(s) differ from the cards`);
process.exit(failed ? 1 : 0);
