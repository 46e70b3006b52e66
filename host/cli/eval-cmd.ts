// edgernn eval MODEL --data DIR [--json] [--plot out.svg]

import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse, backendOption, publicKeyOption, numberOption } from './args.js';
import { loadModelBytes } from './model-source.js';
import { Runtime } from '../runtime/runtime.js';
import { parseEthUcy } from '../stream/ethucy.js';
import { evaluateModel } from '../stream/evaluate.js';
import { plotWindows } from '../stream/svg.js';
import { UsageError } from '../errors.js';

export const evalUsage = `edgernn eval MODEL --data DIR|FILE [options]
  ADE and FDE (metres) of a trajectory model on ETH/UCY-style files (frame id x y) with the
  standard protocol: 8 observed and 12 predicted steps, sliding 20-frame windows of
  pedestrians present in all 20, next to constant velocity on the same windows.
  --data DIR|FILE      a test file or a folder of them (*.txt)
  --json               print {"ade", "fde", "cv_ade", "cv_fde", "windows"} on one line
  --plot FILE.svg      draw sample windows: observed, true and predicted paths
  --min-peds N         keep windows with at least N pedestrians (Social GAN: 2; default 1)
  --observe N          positions streamed before the prediction (default 8, the protocol's;
                       more checks that the recurrent state stays good on longer streams)
  --public-key FILE    require the model to be signed with this Ed25519 key (edgernn sign);
                       an unsigned or changed model exits with code 1. Default: the file
                       named by EDGERNN_PUBLIC_KEY, if set
  --backend simd|scalar`;

export async function evalCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, {
    data: { type: 'string' }, json: { type: 'boolean' }, plot: { type: 'string' },
    'min-peds': { type: 'string' }, observe: { type: 'string' }, backend: { type: 'string' }, 'public-key': { type: 'string' },
  }, 'eval');
  if (positionals.length !== 1 || !values.data) throw new UsageError(`eval needs MODEL and --data\n${evalUsage}`);
  let paths: string[];
  try {
    paths = statSync(values.data).isDirectory()
      ? readdirSync(values.data).filter((f) => f.endsWith('.txt')).sort().map((f) => join(values.data!, f))
      : [values.data];
  } catch {
    throw new UsageError(`--data '${values.data}' does not exist`, { where: values.data });
  }
  if (paths.length === 0) throw new UsageError(`no .txt files in ${values.data}`, { where: values.data });
  const files = paths.map((p) => ({ name: basename(p), rows: parseEthUcy(readFileSync(p, 'utf8'), p) }));
  const simd = backendOption(values.backend);
  const rt = await Runtime.create(simd === undefined ? {} : { simd });
  const model = rt.load(await loadModelBytes(positionals[0]!), publicKeyOption(values['public-key']));
  const tty = process.stderr.isTTY;
  const r = evaluateModel(model, files, {
    minPeds: numberOption(values['min-peds'], 'min-peds', 1),
    observe: numberOption(values.observe, 'observe', 8),
    ...(tty ? { onProgress: (d: number, n: number) => { process.stderr.write(`\reval: ${d}/${n} windows`); } } : {}),
  });
  if (tty) process.stderr.write('\r\x1b[K');
  if (values.plot) {
    // a spread of windows: evenly through the data set
    const step = Math.max(1, Math.floor(r.results.length / 6));
    const sample = r.results.filter((_, i) => i % step === 0).slice(0, 6);
    writeFileSync(values.plot, plotWindows(sample, 8, `${model.metadata.name ?? 'model'} on ${values.data}`));
  }
  if (values.json) {
    out(JSON.stringify({ ade: r.ade, fde: r.fde, cv_ade: r.cv_ade, cv_fde: r.cv_fde, windows: r.windows }));
  } else {
    for (const f of r.files) out(`${f.file}: ${f.windows} windows, ADE ${f.ade.toFixed(3)} FDE ${f.fde.toFixed(3)} (constant velocity ${f.cv_ade.toFixed(3)} ${f.cv_fde.toFixed(3)})`);
    out(`ADE ${r.ade.toFixed(3)} m, FDE ${r.fde.toFixed(3)} m over ${r.windows} windows; constant velocity ADE ${r.cv_ade.toFixed(3)}, FDE ${r.cv_fde.toFixed(3)}`);
    if (values.plot) out(`wrote ${values.plot}`);
  }
  return 0;
}
