// A child process of the converter fuzzer (converters.ts): runs cases [from, to) in order and
// reports each result, plus a memory sample every `memoryEvery` cases, to its parent over IPC.
// Started with `node --import tsx`, so that its parent can kill it when a case hangs.

import { Runtime } from '../../host/runtime/runtime.js';
import { loadSeeds, makeCase, runCase, memorySample, h5wasmBytes, type FuzzFormat } from './converters.js';

interface RunMessage { type: 'run'; seed: number; formats: FuzzFormat[]; only?: string; from: number; to: number; slowMs: number; memoryEvery: number; memoryGrowthLimit: number }

const send = (m: unknown): Promise<void> => new Promise((resolve, reject) => { process.send!(m, undefined, undefined, (e) => (e ? reject(e) : resolve())); });

process.once('message', (m: RunMessage) => {
  void (async () => {
    const seeds = await loadSeeds(m.formats, m.only);
    if (seeds.length === 0) throw new Error(`no seeds for formats ${m.formats.join(', ')}${m.only ? ` and '${m.only}'` : ''}`);
    const rt = await Runtime.create();
    await send({ type: 'ready', seeds: seeds.length });
    await send({ type: 'memory', sample: await memorySample(m.from) });
    for (let i = m.from; i < m.to; i++) {
      const before = await h5wasmBytes();
      let result = await runCase(makeCase(seeds, m.seed, i), rt, m.slowMs);
      // memory that one case makes the process keep: h5wasm's module memory never shrinks
      const grew = await h5wasmBytes() - before;
      if (result.outcome !== 'finding' && grew > m.memoryGrowthLimit) {
        result = { ...result, outcome: 'finding', finding: 'memory', message: `h5wasm's memory grew by ${(grew / 2 ** 20).toFixed(0)} MiB (${result.outcome}: ${result.error ?? ''} ${result.message ?? ''})` };
      }
      await send({ type: 'case', result });
      if ((i - m.from + 1) % m.memoryEvery === 0 || i === m.to - 1) await send({ type: 'memory', sample: await memorySample(i) });
    }
    await send({ type: 'done' });
    process.disconnect();
  })().catch((e: unknown) => {
    console.error('fuzz child:', e);
    process.exit(70);
  });
});
