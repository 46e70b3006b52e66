// npm start: a recorded scene (models/scenes/hotel.txt, 389 pedestrians) streamed frame by frame
// through the bundled int8 trajectory model, with a compact live view, a summary that scores the
// streamed predictions against what the pedestrians really did, and an SVG of the scene.
// Runs from dist/ (built by npm ci); needs no argument and no network.
import { readFileSync, writeFileSync, mkdirSync, createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { Runtime, TrajectoryPredictor, readFrames } from '../dist/host/index.js';
import { LatencyHistogram } from '../dist/host/stream/latency.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modelPath = join(root, 'models', 'eth-ucy', 'lstm-hotel-int8.ernn');
const scenePath = join(root, 'models', 'scenes', 'hotel.txt');
const rt = await Runtime.create();
const model = rt.load(readFileSync(modelPath));
const predictor = new TrajectoryPredictor(model, { capacity: 64 });
const tty = process.stdout.isTTY;
console.log(`edgernn ${rt.backend} build, ${model.metadata.name}: ${model.info.layers.map((l) => `${l.type} ${l.mode}`).join(' -> ')}, ${model.info.fileBytes} bytes`);
console.log(`streaming ${scenePath.slice(root.length + 1)} (ETH/UCY text, 2.5 Hz) ...`);

// everything needed to score the predictions afterwards: true positions by id and time
const truth = new Map();
const stored = [];   // [t0, id, points] of warm predictions
const latency = new LatencyHistogram();
let frames = 0, lastLine = 0;
let busiest = { t: 0, predictions: [] };
for await (const item of readFrames(createReadStream(scenePath), 'ethucy', { name: 'hotel.txt' })) {
  if (item.error) continue;
  const f = item.frame;
  for (const o of f.objects) truth.set(`${o.id}@${Math.round(f.t * 100)}`, [o.x, o.y]);
  const t0 = performance.now();
  const r = predictor.push(f);
  latency.add(performance.now() - t0);
  frames++;
  for (const p of r.predictions) if (p.warm) stored.push([p.t0, p.id, p.points]);
  const warm = r.predictions.filter((p) => p.warm);
  const line = `t ${f.t.toFixed(1).padStart(6)} s  objects ${String(f.objects.length).padStart(3)}  predictions ${String(r.predictions.length).padStart(3)} (${String(warm.length).padStart(3)} warm)  ${((performance.now() - t0) * 1000).toFixed(0).padStart(5)} µs/frame`;
  if (tty) { if (performance.now() - lastLine > 40) { process.stdout.write(`\r${line}`); lastLine = performance.now(); } }
  else if (frames % 100 === 0) console.log(line);
  // the busiest moment of the scene is drawn afterwards: observed tails and predicted paths
  if (warm.length > busiest.predictions.length) busiest = { t: f.t, predictions: warm };
}
if (tty) process.stdout.write('\r\x1b[K');

// score: every warm prediction whose future frames are in the recording
// next to constant velocity from the same two positions the model's last step saw
const at = (id, t) => truth.get(`${id}@${Math.round(t * 100)}`);
let n = 0, ade = 0, fde = 0, cvAde = 0, cvFde = 0;
for (const [t0, id, points] of stored) {
  const p0 = at(id, t0), pm = at(id, t0 - 0.4);
  if (!p0 || !pm) continue;
  let sum = 0, last = 0, cvSum = 0, cvLast = 0, ok = true;
  points.forEach((q, k) => {
    const p = at(id, q.t);
    if (!p) { ok = false; return; }
    last = Math.hypot(p[0] - q.x, p[1] - q.y);
    cvLast = Math.hypot(p[0] - (p0[0] + (k + 1) * (p0[0] - pm[0])), p[1] - (p0[1] + (k + 1) * (p0[1] - pm[1])));
    sum += last; cvSum += cvLast;
  });
  if (!ok) continue;
  n++; ade += sum / points.length; fde += last; cvAde += cvSum / points.length; cvFde += cvLast;
}
const c = predictor.counters;
console.log(`${c.frames} frames, ${c.objects} pedestrians, ${c.predictions} predictions (${c.steps} model steps in batched calls)`);
console.log(`latency per frame: median ${latency.quantile(0.5).toFixed(0)} µs, p99 ${latency.quantile(0.99).toFixed(0)} µs (features, one batched model step, decoding)`);
console.log(`warm predictions with a full recorded future: ${n}; ADE ${(ade / n).toFixed(3)} m, FDE ${(fde / n).toFixed(3)} m (constant velocity ${(cvAde / n).toFixed(3)}, ${(cvFde / n).toFixed(3)})`);
writeSvg(busiest.t, busiest.predictions);
console.log(`wrote ${svgPath.slice(root.length + 1)}`);

var svgPath;
function writeSvg(t, predictions) {
  const W = 900, H = 560;
  const tracks = new Map();
  for (const [key, p] of truth) {
    const [id, tt] = key.split('@');
    const time = Number(tt) / 100;
    if (time <= t && time > t - 3.2) (tracks.get(id) ?? tracks.set(id, []).get(id)).push([time, p]);
  }
  const xs = [], ys = [];
  for (const pts of tracks.values()) for (const [, p] of pts) { xs.push(p[0]); ys.push(p[1]); }
  for (const p of predictions) for (const q of p.points) { xs.push(q.x); ys.push(q.y); }
  const x0 = Math.min(...xs) - 0.5, x1 = Math.max(...xs) + 0.5, y0 = Math.min(...ys) - 0.5, y1 = Math.max(...ys) + 0.5;
  const s = Math.min((W - 40) / (x1 - x0), (H - 60) / (y1 - y0));
  const ox = (W - (x1 - x0) * s) / 2, oy = (H + 30 - (y1 - y0) * s) / 2;   // centred, equal scales
  const m = (x, y) => `${(ox + (x - x0) * s).toFixed(1)},${(H - oy - (y - y0) * s).toFixed(1)}`;
  const parts = [];
  for (const pts of tracks.values()) {
    pts.sort((a, b) => a[0] - b[0]);
    parts.push(`<polyline fill="none" stroke="#888" stroke-width="2" points="${pts.map(([, p]) => m(p[0], p[1])).join(' ')}"/>`);
    const [, p] = pts[pts.length - 1];
    parts.push(`<circle r="4" fill="#333" cx="${m(p[0], p[1]).split(',')[0]}" cy="${m(p[0], p[1]).split(',')[1]}"/>`);
  }
  for (const p of predictions) {
    // what the pedestrian really did next, where the recording has it
    const future = p.points.map((q) => at(p.id, q.t)).filter(Boolean);
    if (future.length > 1) parts.push(`<polyline fill="none" stroke="#2a9d4b" stroke-width="2.5" stroke-dasharray="5 3" points="${future.map((f) => m(f[0], f[1])).join(' ')}"/>`);
    const pts = p.points;
    for (let k = 0; k < pts.length; k++) {
      const q = pts[k];
      parts.push(`<circle r="2.5" fill="#1f5fbf" fill-opacity="${(1 - k / pts.length).toFixed(2)}" cx="${m(q.x, q.y).split(',')[0]}" cy="${m(q.x, q.y).split(',')[1]}"/>`);
    }
  }
  mkdirSync(join(root, 'build'), { recursive: true });
  svgPath = join(root, 'build', 'demo.svg');
  writeFileSync(svgPath, `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif"><rect width="100%" height="100%" fill="#fff"/>
<text x="12" y="22" font-size="14">hotel at t = ${t.toFixed(1)} s: last 3.2 s of each pedestrian (grey), predicted next 4.8 s (blue, fading), what happened (green, dashed)</text>
${parts.join('\n')}
<line x1="20" y1="${H - 16}" x2="${(20 + s).toFixed(1)}" y2="${H - 16}" stroke="#333" stroke-width="2"/><text x="${(26 + s).toFixed(1)}" y="${H - 12}" font-size="12">1 m</text>
</svg>
`);
}
