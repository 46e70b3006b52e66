#!/usr/bin/env -S npx tsx
// Long runs of the converter fuzzer (test/fuzz/converters.ts; the CI-sized run is
// test/fuzz/converters.test.ts).
//
//   npx tsx scripts/fuzz-converters.ts --cases 20000 --seed 1 [--format onnx,h5,keras,keras-json,tfjs,safetensors]
//        [--only NAME] [--jobs 2] [--first I] [--timeout MS] [--slow MS] [--json FILE] [--log FILE]
//   npx tsx scripts/fuzz-converters.ts --seed 1 --case 1234 [--save DIR]  # reproduce one case here, with its stack
//   npx tsx scripts/fuzz-converters.ts --seeds                  # check that every seed converts unmutated
//   npx tsx scripts/fuzz-converters.ts --make-seeds             # rewrite test/fixtures/fuzz-keras/ (small Keras seeds)
//
// Prints counts per format, refusals by error class, memory (first, last, max per child process)
// and every finding with its mutations. Exit code 1 when there are findings.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Runtime } from '../host/runtime/runtime.js';
import { convertSource } from '../host/convert/convert.js';
import { FORMATS, fuzzConverters, loadSeeds, makeCase, runCase, writeSmallKerasSeeds, type FuzzFormat, type CaseResult } from '../test/fuzz/converters.js';
import { flags } from './flags.js';


const MB = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;

function show(r: CaseResult): string {
  return [`  case ${r.index} (${r.seed}, ${r.format}): ${r.finding} ${r.error ?? ''}: ${r.message ?? ''} [${r.ms.toFixed(0)} ms]`,
    ...r.mutations.map((m) => `      ${m}`), ...(r.stack ? [r.stack.split('\n').map((l) => `      | ${l}`).join('\n')] : [])].join('\n');
}

async function main(): Promise<number> {
  const a = flags(process.argv.slice(2));
  const seed = Number(a.seed ?? 1);
  const formats = (a.format ? a.format.split(',') : [...FORMATS]) as FuzzFormat[];
  for (const f of formats) if (!(FORMATS as readonly string[]).includes(f)) throw new Error(`unknown format '${f}' (${FORMATS.join(', ')})`);

  if (a['make-seeds']) {
    for (const f of await writeSmallKerasSeeds()) console.log(`wrote ${f}`);
    return 0;
  }

  if (a.seeds) {
    const seeds = await loadSeeds(formats, a.only);
    let bad = 0;
    for (const s of seeds) {
      const t0 = performance.now();
      try {
        const r = await convertSource({ main: s.main, files: s.files }, s.options);
        console.log(`ok   ${s.name}: ${r.bytes.length} bytes, ${(performance.now() - t0).toFixed(0)} ms`);
      } catch (e) {
        if (s.readerOnly) { console.log(`ok   ${s.name}: refused as expected (a seed for the reader only): ${(e as Error).message.slice(0, 80)}`); continue; }
        bad++;
        console.log(`FAIL ${s.name}: ${(e as Error).message}`);
      }
    }
    return bad > 0 ? 1 : 0;
  }

  if (a.case !== undefined) {
    const seeds = await loadSeeds(formats, a.only);
    const c = makeCase(seeds, seed, Number(a.case));
    console.log(`case ${c.index}: ${c.seed.name}${c.options.quant ? ` (${c.options.quant})` : ''}`);
    for (const m of c.mutations) console.log(`  ${m}`);
    if (a.save) {
      // the mutated files, to look at them (h5dump, protoc --decode_raw...)
      mkdirSync(a.save, { recursive: true });
      const files = c.source instanceof Uint8Array ? { [c.seed.main]: c.source } : c.source.files;
      for (const [name, bytes] of Object.entries(files)) writeFileSync(join(a.save, name), bytes);
      console.log(`  files written to ${a.save}`);
    }
    const r = await runCase(c, await Runtime.create(), Number(a.slow ?? 5000));
    console.log(`${r.outcome}${r.finding ? ` (${r.finding})` : ''}: ${r.error ?? ''} ${r.message ?? ''} [${r.ms.toFixed(0)} ms]`);
    if (r.stack) console.log(r.stack);
    return r.outcome === 'finding' ? 1 : 0;
  }

  const cases = Number(a.cases ?? 1000);
  const jobs = Number(a.jobs ?? 1);
  let done = 0;
  const t0 = performance.now();
  const log: string[] | undefined = a.log ? [] : undefined;
  const s = await fuzzConverters({
    cases, seed, formats, jobs,
    ...(a.only ? { only: a.only } : {}),
    ...(a.first ? { first: Number(a.first) } : {}),
    ...(a.timeout ? { caseTimeoutMs: Number(a.timeout) } : {}),
    ...(a.slow ? { slowMs: Number(a.slow) } : {}),
    onCase: (r) => {
      done++;
      if (log) log.push(`${r.index}\t${r.seed}\t${r.outcome}\t${r.error ?? ''}\t${(r.message ?? '').slice(0, 160)}`);
      if (r.outcome === 'finding') console.log(show(r));
      if (done % 1000 === 0) console.error(`${done}/${cases} cases, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    },
  });
  console.log(`\nconverter fuzz: seed ${seed}, ${s.cases} cases over ${s.seeds} seeds in ${(s.ms / 1000).toFixed(1)} s (${jobs} process${jobs > 1 ? 'es' : ''})`);
  console.log('format        cases  converted  over-limits  refused  findings  ms/case');
  for (const [f, c] of Object.entries(s.byFormat).sort()) {
    console.log(`${f.padEnd(12)} ${String(c.cases).padStart(6)} ${String(c.converted).padStart(10)} ${String(c.limit).padStart(12)} ${String(c.refused).padStart(8)} ${String(c.findings).padStart(9)} ${(c.ms / c.cases).toFixed(1).padStart(8)}`);
  }
  console.log(`refusals: ${Object.entries(s.errors).sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`slowest case: ${s.slowest.ms.toFixed(0)} ms (case ${s.slowest.index}, ${s.slowest.seed})`);
  s.memory.forEach((m, i) => {
    console.log(`memory, process ${i + 1}: rss ${MB(m.first.rss)} -> ${MB(m.last.rss)} (max ${MB(m.max.rss)}), heap ${MB(m.first.heapUsed)} -> ${MB(m.last.heapUsed)} (max ${MB(m.max.heapUsed)}), `
      + `array buffers ${MB(m.first.arrayBuffers)} -> ${MB(m.last.arrayBuffers)} (max ${MB(m.max.arrayBuffers)}), h5wasm memory ${MB(m.first.h5wasm)} -> ${MB(m.last.h5wasm)} (max ${MB(m.max.h5wasm)})`);
  });
  console.log(`findings: ${s.findings.length}`);
  for (const r of s.findings) console.log(show(r));
  if (a.json) writeFileSync(a.json, JSON.stringify(s, null, 1));
  if (log) writeFileSync(a.log!, `${log.sort((x, y) => parseInt(x, 10) - parseInt(y, 10)).join('\n')}\n`);
  return s.findings.length > 0 ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (e: unknown) => { console.error(e); process.exitCode = 2; });
