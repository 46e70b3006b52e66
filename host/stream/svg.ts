// SVG drawings of evaluated windows: observed (grey), true future (green) and predicted (blue)
// paths, with the constant-velocity prediction dashed; one panel per window, metres to scale.

import type { WindowResult } from './evaluate.js';

export function plotWindows(results: WindowResult[], observe: number, title: string): string {
  const cols = Math.min(3, results.length), rows = Math.ceil(results.length / cols);
  const W = 320, H = 260, pad = 24;
  const panels = results.map((r, i) => {
    const pts: [number, number][] = [];
    const n = r.window.points.length / 2;
    for (let k = 0; k < n; k++) pts.push([r.window.points[2 * k]!, r.window.points[2 * k + 1]!]);
    const pred: [number, number][] = [], cv: [number, number][] = [];
    for (let k = 0; k < r.pred.length / 2; k++) { pred.push([r.pred[2 * k]!, r.pred[2 * k + 1]!]); cv.push([r.cv[2 * k]!, r.cv[2 * k + 1]!]); }
    const all = [...pts, ...pred, ...cv];
    const xs = all.map((p) => p[0]), ys = all.map((p) => p[1]);
    const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
    const s = Math.min((W - 2 * pad) / Math.max(x1 - x0, 1), (H - 2 * pad - 16) / Math.max(y1 - y0, 1));
    const ox = (i % cols) * W, oy = Math.floor(i / cols) * H + 30;
    const map = ([x, y]: [number, number]) => `${(ox + pad + (x - x0) * s).toFixed(1)},${(oy + H - pad - (y - y0) * s).toFixed(1)}`;
    const line = (p: [number, number][], color: string, extra = '') => `<polyline fill="none" stroke="${color}" stroke-width="2" ${extra} points="${p.map(map).join(' ')}"/>`;
    const last = pts[observe - 1]!;
    return [
      `<rect x="${ox + 4}" y="${oy + 4}" width="${W - 8}" height="${H - 8}" fill="#fafafa" stroke="#ddd"/>`,
      `<text x="${ox + 12}" y="${oy + 20}" font-size="11" fill="#333">${r.window.file} ped ${r.window.id}: ADE ${r.ade.toFixed(2)} m (CV ${r.cvAde.toFixed(2)}), FDE ${r.fde.toFixed(2)} m</text>`,
      line(pts.slice(0, observe), '#777'),
      line([last, ...pts.slice(observe)], '#2a9d4b'),
      line([last, ...cv], '#e07a1f', 'stroke-dasharray="4 3" stroke-width="1.5"'),
      line([last, ...pred], '#1f5fbf'),
      ...pts.slice(0, observe).map((p) => `<circle r="2" fill="#777" cx="${map(p).split(',')[0]}" cy="${map(p).split(',')[1]}"/>`),
    ].join('\n');
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${cols * W}" height="${rows * H + 30}" font-family="sans-serif">
<text x="10" y="20" font-size="14">${title} — observed (grey), true (green), predicted (blue), constant velocity (dashed)</text>
${panels.join('\n')}
</svg>
`;
}
