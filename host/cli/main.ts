// The edgernn command line: dispatch to the commands. bin.ts is the executable entry.

import { convertCommand, convertUsage } from './convert-cmd.js';
import { inspectCommand, inspectUsage } from './inspect-cmd.js';
import { inferCommand, inferUsage } from './infer-cmd.js';
import { verifyCommand, verifyUsage } from './verify-cmd.js';
import { runCommand, runUsage } from './run-cmd.js';
import { evalCommand, evalUsage } from './eval-cmd.js';
import { keygenCommand, keygenUsage } from './keygen-cmd.js';
import { signCommand, signUsage } from './sign-cmd.js';
import { isEdgeRnnError } from '../errors.js';
import { CONVERTER_VERSION } from '../convert/convert.js';

const USAGE = `edgernn ${CONVERTER_VERSION}: recurrent neural networks on edge devices

usage: edgernn <command> [options]

commands:
  convert IN -o OUT.ernn       convert an ONNX model to .ernn
  inspect MODEL                layers, tensors, metadata and memory plan of a model
  infer MODEL --input X.npy --output Y.npy
                               run whole sequences [batch, time, features]
  verify CASE_DIR...           check conversions against reference outputs
  run MODEL --frames FILE|-    stream frames of tracked objects, write predicted trajectories
  eval MODEL --data DIR        ADE/FDE on ETH/UCY-style files against constant velocity
  keygen --out NAME            an Ed25519 key pair for signing models: NAME.key, NAME.pub
  sign MODEL --key NAME.key -o SIGNED.ernn
                               append a signature; run/infer/eval/inspect --public-key
                               NAME.pub (or EDGERNN_PUBLIC_KEY=NAME.pub) require it

Run 'edgernn <command> --help' for a command's options.`;

type Command = (argv: string[], out: (s: string) => void) => number | Promise<number>;

const COMMANDS: Record<string, [Command, string]> = {
  convert: [convertCommand, convertUsage],
  inspect: [inspectCommand, inspectUsage],
  infer: [inferCommand, inferUsage],
  verify: [verifyCommand, verifyUsage],
  run: [runCommand, runUsage],
  eval: [evalCommand, evalUsage],
  keygen: [keygenCommand, keygenUsage],
  sign: [signCommand, signUsage],
};

export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s + '\n'),
                           err: (s: string) => void = (s) => process.stderr.write(s + '\n')): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') { out(USAGE); return name ? 0 : 2; }
  if (name === '--version' || name === '-v') { out(CONVERTER_VERSION); return 0; }
  const entry = COMMANDS[name];
  if (!entry) { err(`edgernn: unknown command '${name}'\n\n${USAGE}`); return 2; }
  if (rest.includes('--help') || rest.includes('-h')) { out(entry[1]); return 0; }
  try {
    return await entry[0](rest, out);
  } catch (e) {
    if (isEdgeRnnError(e)) {
      err(`${e.name}: ${e.message}`);
      return e.name === 'UsageError' ? 2 : 1;
    }
    throw e;
  }
}
