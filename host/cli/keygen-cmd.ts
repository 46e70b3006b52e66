// edgernn keygen --out NAME [--force]: an Ed25519 key pair for signing models (docs/SECURITY.md).

import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { parse } from './args.js';
import { keyIdOf } from '../runtime/signature.js';
import { UsageError } from '../errors.js';

export const keygenUsage = `edgernn keygen --out NAME [options]
  Writes an Ed25519 key pair for signing models: NAME.key (the private key, PKCS#8 PEM, readable
  only by you: keep it secret, off the devices) and NAME.pub (the public key, SPKI PEM, which
  devices and hosts use to verify: edgernn run/inspect --public-key NAME.pub).
  --out NAME           path and name of the two files (.key and .pub are added)
  --force              overwrite existing files`;

export function keygenCommand(argv: string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, { out: { type: 'string', short: 'o' }, force: { type: 'boolean' } }, 'keygen');
  if (!values.out || positionals.length) throw new UsageError(`keygen needs --out NAME\n${keygenUsage}`);
  const keyFile = `${values.out}.key`, pubFile = `${values.out}.pub`;
  for (const f of [keyFile, pubFile]) {
    if (existsSync(f) && !values.force) throw new UsageError(`${f} exists; pass --force to overwrite it`, { where: f });
  }
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });
  writeFileSync(pubFile, pub, { mode: 0o644 });
  out(`wrote ${keyFile} (private key: keep it secret) and ${pubFile} (public key)`);
  out(`key id ${keyIdOf(pub)}`);
  return 0;
}
