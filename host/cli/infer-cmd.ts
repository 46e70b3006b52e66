// edgernn infer MODEL --input X.npy --output Y.npy [--backend simd|scalar]

import { writeFileSync } from 'node:fs';
import { parse, backendOption, publicKeyOption } from './args.js';
import { loadModelBytes } from './model-source.js';
import { readTensor } from './files.js';
import { Runtime } from '../runtime/runtime.js';
import { writeNpy } from '../io/npy.js';
import { toFloat32 } from '../io/tensor.js';
import { ShapeError, UsageError } from '../errors.js';

export const inferUsage = `edgernn infer MODEL --input X.npy --output Y.npy [options]
  Runs whole sequences. X is float32 [batch, time, features]; Y is written as float32
  [batch, time, ...output] (or [batch, ...output] for sequence-to-vector models).
  --public-key FILE    require the model to be signed with this Ed25519 key (edgernn sign);
                       an unsigned or changed model exits with code 1. Default: the file
                       named by EDGERNN_PUBLIC_KEY, if set
  --backend simd|scalar`;

export async function inferCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, {
    input: { type: 'string', short: 'i' },
    output: { type: 'string', short: 'o' },
    backend: { type: 'string' }, 'public-key': { type: 'string' },
  }, 'infer');
  if (positionals.length !== 1 || !values.input || !values.output) throw new UsageError(`infer needs MODEL, --input and --output\n${inferUsage}`);
  const simd = backendOption(values.backend);
  const rt = await Runtime.create(simd === undefined ? {} : { simd });
  const model = rt.load(await loadModelBytes(positionals[0]!), publicKeyOption(values['public-key']));
  const x = readTensor(values.input);
  if (x.shape.length !== 3) throw new ShapeError(`${values.input} has shape [${x.shape.join(', ')}]; infer takes [batch, time, features]`, { where: values.input });
  const t0 = performance.now();
  const y = model.run(toFloat32(x.data), x.shape);
  const ms = performance.now() - t0;
  writeFileSync(values.output, writeNpy({ shape: y.shape, data: y.data }));
  out(`wrote ${values.output}: [${y.shape.join(', ')}] float32 (${ms.toFixed(2)} ms, ${model.backend} build)`);
  return 0;
}
