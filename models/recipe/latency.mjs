// Re-measures the step latency of every shipped model file (the cards' "µs per streaming step"
// column) with the same measurement as build.mjs, on this checkout's runtime, and rewrites
// models/eth-ucy/results.json and the cards. For after a runtime change: the accuracy figures
// stay as trained (evaluate-shipped.mjs checks them).
//   npm run build && node models/recipe/latency.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { Runtime } from '../../dist/host/index.js';
import { stepLatency } from './build.mjs';
import { writeCards } from './cards.mjs';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'eth-ucy');
const path = join(dir, 'results.json');
const results = JSON.parse(readFileSync(path, 'utf8'));
const rt = await Runtime.create();
for (const [key, entry] of Object.entries(results.models)) {
  for (const [mode, card] of Object.entries(entry.modes)) {
    const before = card.us_per_step;
    card.us_per_step = stepLatency(rt, readFileSync(join(dir, card.file)));
    console.log(`${key.padEnd(12)} ${mode.padEnd(13)} ${before.toFixed(1).padStart(6)} -> ${card.us_per_step.toFixed(1).padStart(6)} µs per step`);
  }
}
results.latency = { measured: new Date().toISOString().slice(0, 10), backend: rt.backend, node: process.version };
writeFileSync(path, JSON.stringify(results, null, 1) + '\n');
writeCards(results, dir);
console.log(`wrote ${path} and the cards`);
