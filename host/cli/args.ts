// Argument parsing for the CLI on top of node:util parseArgs, with usage errors as UsageError.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { readFileSync } from 'node:fs';

type Options = NonNullable<ParseArgsConfig['options']>;
import { UsageError } from '../errors.js';

type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

export function parse<const O extends Options>(args: string[], options: O, command: string): Parsed<O> {
  try {
    return parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${command}: ${(e as Error).message}`, { where: command });
  }
}

export function numberOption(value: string | undefined, name: string, dflt: number): number {
  if (value === undefined) return dflt;
  const v = Number(value);
  if (!Number.isFinite(v)) throw new UsageError(`--${name} must be a number, got '${value}'`, { where: name });
  return v;
}

export function backendOption(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value !== 'simd' && value !== 'scalar') throw new UsageError(`--backend must be simd or scalar, got '${value}'`, { where: 'backend' });
  return value === 'simd';
}

/** The environment variable that makes every command that loads a model require a signature. */
export const PUBLIC_KEY_ENV = 'EDGERNN_PUBLIC_KEY';

/**
 * --public-key FILE: the load options that require a signature by that key (a PEM file).
 * Without the option, EDGERNN_PUBLIC_KEY=FILE in the environment does the same, so a device
 * or a CI job can require signed models of every command without changing each command line.
 */
export function publicKeyOption(option: string | undefined): { publicKey?: string } {
  const env = process.env[PUBLIC_KEY_ENV];
  const path = option ?? (env ? env : undefined);
  if (path === undefined) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`public key '${path}'${option === undefined ? ` (from ${PUBLIC_KEY_ENV})` : ''} cannot be read`, { where: 'public-key' });
  }
  return { publicKey: text };
}
