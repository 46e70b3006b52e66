// npm start: converts the bundled example ONNX model and streams a few synthetic tracks through
// it, printing the predictions and the step latency. (Runs from dist/, built by `npm ci`.)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { Runtime, convert } from '../dist/host/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const onnx = readFileSync(join(root, 'models', 'examples', 'lstm-example.onnx'));
const rt = await Runtime.create();
const model = rt.load(await convert(onnx, { name: 'lstm-example' }));
const { info } = model;
console.log(`edgernn ${rt.backend} build: ${info.metadata.name}, ${info.layers.map((l) => l.type).join(' -> ')}, ${info.fileBytes} bytes`);

const N = 4, T = 8;
const streams = model.streams(N);
const frames = new Float32Array(N * info.inputSize);
const times = [];
let out;
for (let t = 0; t < T; t++) {
  for (let i = 0; i < N; i++) for (let f = 0; f < info.inputSize; f++) frames[i * info.inputSize + f] = Math.sin(0.3 * t + i + f);
  const t0 = performance.now();
  out = streams.stepAll(frames);
  times.push(performance.now() - t0);
}
for (let i = 0; i < N; i++) {
  const y = out.subarray(i * info.outputSize, (i + 1) * info.outputSize);
  console.log(`stream ${i}: first predicted points ${Array.from(y.subarray(0, 6), (v) => v.toFixed(3)).join(' ')} ...`);
}
times.sort((a, b) => a - b);
console.log(`${N} streams x ${T} steps, median ${(times[T >> 1] * 1000).toFixed(1)} µs per batched step`);
