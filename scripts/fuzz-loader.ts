// Long run of the loader fuzzer (test/fuzz/loader.ts; docs/RELIABILITY.md records the results).
//
//   npx tsx scripts/fuzz-loader.ts --cases 1000000 --seed 1 [--start 0] [--runtime-every 5]
//                                  [--out DIR] [--json]
//   npx tsx scripts/fuzz-loader.ts --seed 1 --case 12345     reproduce one case (writes its bytes)
//
// Progress goes to stderr every 10,000 cases; the summary (and with --json a JSON object) to
// stdout. Each finding's file is written to DIR (default test-artifacts/fuzz-findings/, git-ignored) as
// <seed>-<case>-<path>-<kind>.ernn with the list of mutations beside it. Exit code 1 if anything
// was found.

import { parseArgs } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fuzzLoader, makeCase, type FuzzReport } from '../test/fuzz/loader.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string' }, seed: { type: 'string' }, start: { type: 'string' }, case: { type: 'string' },
    'runtime-every': { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' }, 'max-findings': { type: 'string' },
  },
});

const num = (v: string | undefined, d: number) => (v === undefined ? d : Number(v));
const seed = num(values.seed, 1);
const out = values.out ?? 'test-artifacts/fuzz-findings';

function summary(r: FuzzReport): string {
  const rate = (r.cases / (r.millis / 1000)).toFixed(0);
  const top = Object.entries(r.statuses).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
  return [
    `cases ${r.cases} (raw ABI ${r.abiCases}, Runtime.load ${r.runtimeCases}) in ${(r.millis / 1000).toFixed(1)} s, ${rate}/s`,
    `raw loads that succeeded and ran: ${r.loaded} (${r.runs} runs, ${r.steps} stream steps); Runtime.load successes: ${r.runtimeLoaded}`,
    `instances: ${r.instances}; slowest case ${r.maxCaseMillis.toFixed(1)} ms`,
    `load statuses: ${top}`,
    `findings: ${r.findings.length}`,
  ].join('\n');
}

if (values.case !== undefined) {
  const i = Number(values.case);
  const c = makeCase(seed, i);
  mkdirSync(out, { recursive: true });
  const file = join(out, `${seed}-${i}.ernn`);
  writeFileSync(file, c.bytes);
  process.stdout.write(`case ${i} of seed ${seed}: ${c.seed.name}, ${c.bytes.length} bytes, ${c.ops.join(' ')}\nwrote ${file}\n`);
  const r = fuzzLoader({ cases: 1, seed, start: i, runtimeEvery: 1 });
  for (const f of r.findings) process.stdout.write(`${f.path} ${f.build} ${f.kind}: ${f.message}\n`);
  process.exitCode = r.findings.length ? 1 : 0;
} else {
  const cases = num(values.cases, 100_000);
  const r = fuzzLoader({
    cases, seed, start: num(values.start, 0), runtimeEvery: num(values["runtime-every"], 5), maxFindings: num(values['max-findings'], 1000),
    onProgress: (done, rep) => { if (done % 10_000 === 0) process.stderr.write(`${done} cases, ${rep.loaded} loaded, ${rep.findings.length} findings, ${(rep.millis / 1000).toFixed(0)} s\n`); },
  });
  if (r.findings.length) {
    mkdirSync(out, { recursive: true });
    for (const f of r.findings) {
      const base = join(out, `${seed}-${f.case}-${f.path}-${f.kind}`);
      writeFileSync(`${base}.ernn`, f.bytes);
      writeFileSync(`${base}.txt`, `${f.seed}\n${f.ops.join('\n')}\n\n${f.build}: ${f.message}\n`);
    }
  }
  process.stdout.write(summary(r) + '\n');
  for (const f of r.findings.slice(0, 20)) process.stdout.write(`  case ${f.case} ${f.path}/${f.build} ${f.kind} (${f.seed}; ${f.ops.join(' ')}): ${f.message.split('\n')[0]}\n`);
  if (values.json) process.stdout.write(JSON.stringify({ ...r, findings: r.findings.map(({ bytes, ...f }) => ({ ...f, bytes: bytes.length })) }) + '\n');
  process.exitCode = r.findings.length ? 1 : 0;
}
