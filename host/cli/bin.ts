#!/usr/bin/env node
// Executable entry of the edgernn CLI (package.json "bin").
import { main } from './main.js';

// `edgernn inspect model.ernn | head`: a closed pipe ends the output, not the program with a trace
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    process.stderr.write(`edgernn: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 3;
  },
);
