// edgernn run MODEL --frames FILE|- [--format ndjson|csv|ethucy] [--output FILE|-]

import { createReadStream, createWriteStream } from 'node:fs';
import { parse, backendOption, numberOption, publicKeyOption } from './args.js';
import { loadModelBytes } from './model-source.js';
import { Runtime } from '../runtime/runtime.js';
import { TrajectoryPredictor, type RejectReason } from '../stream/predictor.js';
import { readFrames, formatOf, type FrameFormat } from '../stream/parsers.js';
import { UsageError } from '../errors.js';
import { LatencyHistogram } from '../stream/latency.js';

export const runUsage = `edgernn run MODEL --frames FILE|- [options]
  Streams frames of tracked objects through a trajectory model and writes one NDJSON line of
  predictions per frame; a summary goes to stderr.
  --frames FILE|-        input (- for stdin)
  --format F             ndjson (default for stdin), csv (t,id,x,y,... with a header) or ethucy
                         (frame id x y); from the file extension when not given
  --frame-period S       ethucy: seconds per unit of frame id (default 0.04)
  --output FILE|-        where predictions go (default -: stdout)
  --capacity N           objects tracked at once (default 256)
  --overflow POLICY      evict (the object unseen longest, default) or refuse, when full
  --max-gap S            seconds of missing observations bridged (default 3 sample periods)
  --forget-after S       seconds unseen before a slot is recycled (default 5 sample periods)
  --warm-only            only predictions of objects seen for the model's observation window
  --public-key FILE      require the model to be signed with this Ed25519 key (edgernn sign);
                         an unsigned or changed model is refused (exit code 1). Default:
                         the file named by EDGERNN_PUBLIC_KEY, if set
  --backend simd|scalar`;

const r4 = (v: number) => Math.round(v * 1e4) / 1e4;

export async function runCommand(argv: string[], out: (s: string) => void, err: (s: string) => void = (s) => process.stderr.write(s + '\n')): Promise<number> {
  const { values, positionals } = parse(argv, {
    frames: { type: 'string' }, format: { type: 'string' }, output: { type: 'string', short: 'o' },
    'frame-period': { type: 'string' }, capacity: { type: 'string' }, overflow: { type: 'string' },
    'max-gap': { type: 'string' }, 'forget-after': { type: 'string' }, 'warm-only': { type: 'boolean' },
    backend: { type: 'string' }, 'public-key': { type: 'string' },
  }, 'run');
  if (positionals.length !== 1 || !values.frames) throw new UsageError(`run needs MODEL and --frames\n${runUsage}`);
  const format = (values.format ?? (values.frames === '-' ? 'ndjson' : formatOf(values.frames))) as FrameFormat | undefined;
  if (!format || !['ndjson', 'csv', 'ethucy'].includes(format)) throw new UsageError(`--format must be ndjson, csv or ethucy (cannot tell from '${values.frames}')`);
  const overflow = values.overflow === undefined || values.overflow === 'evict' ? 'evict-stalest' : values.overflow === 'refuse' ? 'refuse' : undefined;
  if (!overflow) throw new UsageError(`--overflow must be evict or refuse, got '${values.overflow}'`);
  const simd = backendOption(values.backend);
  const rt = await Runtime.create(simd === undefined ? {} : { simd });
  const model = rt.load(await loadModelBytes(positionals[0]!), publicKeyOption(values['public-key']));
  const predictor = new TrajectoryPredictor(model, {
    capacity: numberOption(values.capacity, 'capacity', 256),
    overflow,
    ...(values['max-gap'] ? { maxGap: numberOption(values['max-gap'], 'max-gap', 0) } : {}),
    ...(values['forget-after'] ? { forgetAfter: numberOption(values['forget-after'], 'forget-after', 0) } : {}),
    includeCold: !values['warm-only'],
  });
  const input = values.frames === '-' ? process.stdin : createReadStream(values.frames);
  const name = values.frames === '-' ? 'stdin' : values.frames;
  const toFile = values.output && values.output !== '-' ? createWriteStream(values.output) : undefined;
  const write = (s: string) => (toFile ? toFile.write(s + '\n') : out(s));
  const rejected = new Map<RejectReason, number>();
  const latency = new LatencyHistogram();
  const tty = process.stderr.isTTY;
  let lastProgress = 0;
  for await (const item of readFrames(input, format, { name, ...(values['frame-period'] ? { framePeriod: numberOption(values['frame-period'], 'frame-period', 0.04) } : {}) })) {
    if (item.error) {
      rejected.set(item.error.reason, (rejected.get(item.error.reason) ?? 0) + 1);
      write(JSON.stringify({ rejected: [item.error] }));
      continue;
    }
    const t0 = performance.now();
    const r = predictor.push(item.frame);
    latency.add(performance.now() - t0);
    for (const rj of r.rejected) rejected.set(rj.reason, (rejected.get(rj.reason) ?? 0) + 1);
    write(JSON.stringify({
      t: r4(r.t),
      predictions: r.predictions.map((p) => ({ id: p.id, warm: p.warm, t0: r4(p.t0), points: p.points.map((q) => [r4(q.dt), r4(q.x), r4(q.y)]) })),
      ...(r.rejected.length ? { rejected: r.rejected } : {}),
      ...(r.resets.length ? { resets: r.resets } : {}),
    }));
    if (tty && performance.now() - lastProgress > 500) {
      lastProgress = performance.now();
      process.stderr.write(`\rrun: ${predictor.counters.frames} frames, ${predictor.tracked} objects tracked`);
    }
  }
  if (tty) process.stderr.write('\r\x1b[K');
  if (toFile) await new Promise<void>((res) => toFile.end(res));
  const c = predictor.counters;
  const total = [...rejected.values()].reduce((a, b) => a + b, 0);
  err(`run: ${c.frames} frames, ${c.objects} objects, ${c.predictions} predictions (${c.steps} model steps), ${c.resets} gap resets, ${c.evictions} evictions`);
  err(`rejected records: ${total}${total ? ` (${[...rejected].map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`);
  err(`latency per frame: median ${latency.quantile(0.5).toFixed(1)} µs, p99 ${latency.quantile(0.99).toFixed(1)} µs (${model.backend} build)`);
  return 0;
}
