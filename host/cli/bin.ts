#!/usr/bin/env node
// Executable entry of the edgernn CLI (package.json "bin").
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    process.stderr.write(`edgernn: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 3;
  },
);
