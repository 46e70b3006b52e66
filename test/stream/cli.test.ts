// `edgernn run` and `edgernn eval` as users run them (node dist/host/cli/bin.js): output lines,
// rejected records with their source, the summary, stdin, and ADE/FDE on a hand-checked scene.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths.js';
import { randomTrajectoryModel, constantVelocityModel } from '../helpers/trajectory.js';
import { rng, modelOf, dense } from '../helpers/models.js';
import { Runtime } from '../../host/runtime/runtime.js';
import { TrajectoryPredictor } from '../../host/stream/predictor.js';
import { readFrames } from '../../host/stream/parsers.js';

const BIN = join(ROOT, 'dist', 'host', 'cli', 'bin.js');
const cli = (args: string[], input?: string) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT, ...(input !== undefined ? { input } : {}) });
let tmp: string, modelPath: string, cvPath: string, scenePath: string;

/** Three pedestrians over 30 frames (ETH/UCY text), with one broken line at line 7. */
function scene(): string {
  const lines: string[] = [];
  for (let f = 0; f < 30; f++) {
    for (let k = 0; k < 3; k++) {
      if (k === 2 && f < 10) continue;                   // the third arrives late
      lines.push(`${f * 10}\t${k + 1}\t${(0.4 * f + k).toFixed(3)}\t${(0.1 * k * f + Math.sin(f / 4)).toFixed(3)}`);
    }
    if (f === 2) lines.push('this is not a row');
  }
  return lines.join('\n') + '\n';
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'edgernn-stream-cli-'));
  modelPath = join(tmp, 'traj.ernn');
  cvPath = join(tmp, 'cv.ernn');
  scenePath = join(tmp, 'scene.txt');
  writeFileSync(modelPath, randomTrajectoryModel(5));
  writeFileSync(cvPath, constantVelocityModel());
  writeFileSync(scenePath, scene());
});

describe('edgernn run', () => {
  it('writes one NDJSON line per frame, reports the broken line with its source, and summarises', () => {
    const r = cli(['run', modelPath, '--frames', scenePath]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const frames = lines.filter((l) => 't' in l);
    expect(frames).toHaveLength(30);
    const bad = lines.filter((l) => !('t' in l));
    expect(bad).toHaveLength(1);
    expect(bad[0].rejected[0]).toMatchObject({ reason: 'unparsable', source: `${scenePath}:7` });
    // ped 1 is warm from its 8th position (frame 7) on; points are [dt, x, y] over 12 steps
    const p1 = (f: { predictions: { id: number; warm: boolean }[] }) => f.predictions.find((p) => p.id === 1);
    expect(p1(frames[6])!.warm).toBe(false);
    expect(p1(frames[7])!.warm).toBe(true);
    const pts = (p1(frames[7]) as unknown as { points: number[][] }).points;
    expect(pts).toHaveLength(12);
    expect(pts[0]![0]).toBeCloseTo(0.4, 6);
    expect(pts[11]![0]).toBeCloseTo(4.8, 6);
    expect(r.stderr).toMatch(/run: 30 frames, 3 objects, \d+ predictions/);
    expect(r.stderr).toMatch(/rejected records: 1 \(unparsable 1\)/);
    expect(r.stderr).toMatch(/latency per frame: median [\d.]+ µs, p99 [\d.]+ µs/);
  });

  it('prints what the TrajectoryPredictor API computes (rounded to 0.1 mm)', async () => {
    const r = cli(['run', modelPath, '--frames', scenePath, '--warm-only']);
    const got = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => 't' in l);
    const rt = await Runtime.create();
    const p = new TrajectoryPredictor(rt.load(readFileSync(modelPath)), { includeCold: false });
    let i = 0, compared = 0;
    for await (const item of readFrames([readFileSync(scenePath, 'utf8')], 'ethucy')) {
      if (!item.frame) continue;
      const want = p.push(item.frame);
      const line = got[i++];
      expect(line.predictions.map((q: { id: number }) => q.id)).toEqual(want.predictions.map((q) => q.id));
      want.predictions.forEach((q, k) => q.points.forEach((pt, j) => {
        expect(line.predictions[k].points[j][1]).toBeCloseTo(pt.x, 3);
        expect(line.predictions[k].points[j][2]).toBeCloseTo(pt.y, 3);
        compared++;
      }));
    }
    expect(i).toBe(30);
    expect(compared).toBeGreaterThan(12 * 40);
  });

  it('reads NDJSON from stdin, writes a file, and counts bad records by reason', () => {
    const frames = [
      { t: 0, objects: [{ id: 'a', x: 0, y: 0 }, { id: 'b', x: 5, y: 5 }] },
      { t: 0.4, objects: [{ id: 'a', x: 0.4, y: 0 }, { id: 'b', x: 'NaN', y: 5 }] },
      { t: 0.4, objects: [{ id: 'a', x: 0.8, y: 0 }] },
      { t: 0.8, objects: [{ id: 'a', x: 0.8, y: 0 }, { id: 'a', x: 9, y: 9 }, { id: 'b' }] },
    ];
    const input = frames.map((f) => JSON.stringify(f)).join('\n') + '\n{"t": 1.2, "objects": [\n';
    const outPath = join(tmp, 'pred.ndjson');
    const r = cli(['run', modelPath, '--frames', '-', '--output', outPath], input);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const lines = readFileSync(outPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(5);
    expect(lines[1].rejected[0]).toMatchObject({ reason: 'non-finite', id: 'b', source: 'stdin:2' });
    expect(lines[2].rejected[0]).toMatchObject({ reason: 'time-repeated', source: 'stdin:3' });
    expect(r.stderr).toMatch(/rejected records: 5 \(/);
    for (const reason of ['non-finite 1', 'time-repeated 1', 'duplicate-id 1', 'missing-field 1', 'unparsable 1']) expect(r.stderr).toContain(reason);
  });

  it('refuses a model that is not a trajectory predictor, with the reason', () => {
    const plain = join(tmp, 'plain.ernn');
    writeFileSync(plain, modelOf(2, [dense(2, 24, rng(1))]));
    const r = cli(['run', plain, '--frames', scenePath]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/UnsupportedModelError.*no trajectory metadata/);
    expect(cli(['run', modelPath]).status).toBe(2);
    expect(cli(['run', modelPath, '--frames', scenePath, '--overflow', 'sometimes']).stderr).toMatch(/--overflow must be evict or refuse/);
  });
});

describe('edgernn eval', () => {
  it('gives hand-computed ADE/FDE on a tiny scene, as one JSON line, and draws the plot', () => {
    const rows: string[] = [];
    for (let f = 0; f < 20; f++) {
      rows.push(`${f * 10}\t1\t${0.5 * f}\t0`);                                        // straight: CV is exact
      rows.push(`${f * 10}\t2\t${0.4 * Math.min(f, 7)}\t${f > 7 ? 0.4 * (f - 7) : 0}`);   // turns 90° after frame 7
    }
    const data = join(tmp, 'tiny.txt');
    writeFileSync(data, rows.join('\n'));
    const plot = join(tmp, 'tiny.svg');
    const r = cli(['eval', cvPath, '--data', data, '--json', '--plot', plot]);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    // ped 2: predicted (x7 + 0.4k, 0), true (x7, 0.4k): error 0.4·√2·k for k = 1..12; ped 1: 0
    expect(j.windows).toBe(2);
    expect(j.ade).toBeCloseTo((0.4 * Math.SQRT2 * 6.5) / 2, 9);
    expect(j.fde).toBeCloseTo((0.4 * Math.SQRT2 * 12) / 2, 9);
    expect(j.cv_ade).toBeCloseTo(j.ade, 12);
    expect(Object.keys(j).sort()).toEqual(['ade', 'cv_ade', 'cv_fde', 'fde', 'windows']);
    const svg = readFileSync(plot, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('polyline');
  });

  it('reports per file in text mode; refuses a corrupt test file and a missing folder, saying where', () => {
    const dir = mkdtempSync(join(tmp, 'data-'));
    writeFileSync(join(dir, 'a.txt'), readFileSync(join(tmp, 'tiny.txt')));
    writeFileSync(join(dir, 'b.txt'), readFileSync(scenePath, 'utf8').replace('this is not a row\n', ''));
    const r = cli(['eval', cvPath, '--data', dir]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/a\.txt: 2 windows, ADE [\d.]+ FDE [\d.]+ \(constant velocity/);
    expect(r.stdout).toMatch(/b\.txt: \d+ windows/);
    expect(r.stdout).toMatch(/over \d+ windows; constant velocity ADE/);
    // an evaluation does not skip data silently: a broken line is an error with its place
    const corrupt = cli(['eval', cvPath, '--data', scenePath]);
    expect(corrupt.status).toBe(1);
    expect(corrupt.stderr).toContain(`DataError: ${scenePath}:7: expected 'frame id x y'`);
    const bad = cli(['eval', cvPath, '--data', join(tmp, 'nope')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/does not exist/);
  });
});
