// edgernn sign MODEL --key NAME.key -o SIGNED.ernn: appends an Ed25519 signature block
// (docs/FORMAT.md, "Signature block"; docs/SECURITY.md).

import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parse, backendOption } from './args.js';
import { readBytes } from './files.js';
import { Runtime } from '../runtime/runtime.js';
import { keyIdOf } from '../runtime/signature.js';
import { appendSignature, splitSignature } from '../format/signature.js';
import { MAGIC } from '../format/layout.js';
import { UsageError } from '../errors.js';

export const signUsage = `edgernn sign MODEL.ernn --key NAME.key -o SIGNED.ernn [options]
  Signs a model with an Ed25519 private key (from edgernn keygen): the output is the same .ernn
  file followed by a 96-byte signature block over all of it, metadata included. A model that
  does not load is refused; a signed model is signed again (its old block is replaced).
  --key FILE           the private key (PKCS#8 PEM)
  -o, --output FILE    where the signed model goes
  --backend simd|scalar  build used to check that the model loads`;

function privateKeyOf(path: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(new TextDecoder().decode(readBytes(path, 'key file')));
  } catch (e) {
    if ((e as { name?: string }).name === 'UsageError') throw e;
    throw new UsageError(`${path} is not a private key in PEM form (${(e as Error).message})`, { where: path });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new UsageError(`${path} is an ${key.asymmetricKeyType} key; edgernn signs with Ed25519 (edgernn keygen)`, { where: path });
  return key;
}

export async function signCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, {
    key: { type: 'string' }, output: { type: 'string', short: 'o' }, backend: { type: 'string' },
  }, 'sign');
  if (positionals.length !== 1 || !values.key || !values.output) throw new UsageError(`sign needs MODEL, --key and -o\n${signUsage}`);
  const path = positionals[0]!;
  const bytes = readBytes(path, 'model');
  if (bytes.length < 4 || new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true) !== MAGIC) {
    throw new UsageError(`${path} is not an .ernn file: convert it first (edgernn convert), then sign the .ernn`, { where: path });
  }
  const key = privateKeyOf(values.key);
  const model = splitSignature(bytes).model;
  // refuse to sign what would not load: a signature vouches for a model, not for garbage
  const simd = backendOption(values.backend);
  const rt = await Runtime.create(simd === undefined ? {} : { simd });
  rt.load(model);
  const pub = createPublicKey(key);
  const keyId = keyIdOf(pub);
  const signed = appendSignature(model, Uint8Array.from(keyId.match(/../g)!, (h) => parseInt(h, 16)), (m) => new Uint8Array(sign(null, m, key)));
  writeFileSync(values.output, signed);
  out(`signed ${path} (${model.length} bytes) with key ${keyId}: wrote ${values.output} (${signed.length} bytes)`);
  return 0;
}
