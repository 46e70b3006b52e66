// Verifying a signed .ernn file with an Ed25519 public key (docs/SECURITY.md). Two paths over
// one block format (host/format/signature.ts):
//   - verifySignatureSync: node:crypto, reached through process.getBuiltinModule so that this
//     file has no `node:` import and the runtime stays importable in browsers; used by the
//     synchronous Runtime.load(bytes, { publicKey }).
//   - verifySignature: WebCrypto (crypto.subtle, Ed25519), in browsers, workers, Deno and Node;
//     used by Runtime.loadVerified().
// Both refuse with a SignatureError saying what is wrong, and return the bytes to hand to the
// module (the file without its block).

import { SignatureError, UsageError } from '../errors.js';
import {
  splitSignature, hexOf, ED25519_SPKI_PREFIX, KEY_ID_BYTES, SIGNATURE_VERSION, SIGNATURE_ED25519, type SignatureBlock,
} from '../format/signature.js';

/** A Node KeyObject, described structurally (no node: types in the runtime). */
export interface KeyObjectLike {
  readonly type: string;
  readonly asymmetricKeyType?: string | undefined;
  export(options: { type: 'spki'; format: 'der' }): Uint8Array;
}

/**
 * An Ed25519 public key: a PEM string (SPKI, "-----BEGIN PUBLIC KEY-----", as `edgernn keygen`
 * writes it), the SPKI DER bytes or the 32 raw key bytes, a Node KeyObject, or a WebCrypto
 * CryptoKey.
 */
export type PublicKeyInput = string | Uint8Array | KeyObjectLike | CryptoKey;

export interface Verified {
  /** The .ernn file without its signature block. */
  model: Uint8Array;
  /** Key id of the signer (hex, 16 digits). */
  keyId: string;
}

interface NodeCrypto {
  createHash(alg: string): { update(b: Uint8Array): { digest(): Uint8Array } };
  createPublicKey(key: { key: Uint8Array; format: 'der'; type: 'spki' }): unknown;
  verify(alg: null, data: Uint8Array, key: unknown, sig: Uint8Array): boolean;
  KeyObject: { from(key: CryptoKey): KeyObjectLike };
}

/** node:crypto when this is Node (20.16 and later), without importing it. */
export function nodeCrypto(): NodeCrypto | undefined {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return typeof p?.getBuiltinModule === 'function' ? (p.getBuiltinModule('node:crypto') as NodeCrypto) : undefined;
}

function base64Decode(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const isCryptoKey = (k: unknown): k is CryptoKey =>
  typeof k === 'object' && k !== null && typeof (k as CryptoKey).algorithm === 'object' && typeof (k as CryptoKey).usages === 'object' && 'extractable' in k;
const isKeyObject = (k: unknown): k is KeyObjectLike =>
  typeof k === 'object' && k !== null && typeof (k as KeyObjectLike).export === 'function' && typeof (k as KeyObjectLike).type === 'string';

/** The SPKI DER of an Ed25519 public key given as PEM, DER, raw bytes or a KeyObject. */
function spkiOf(key: string | Uint8Array | KeyObjectLike): Uint8Array {
  let der: Uint8Array;
  if (typeof key === 'string') {
    if (/-----BEGIN (ENCRYPTED |RSA |EC )?PRIVATE KEY-----/.test(key)) {
      throw new UsageError('a private key was given where the public key is needed (use the .pub file)', { where: 'publicKey' });
    }
    const m = /-----BEGIN PUBLIC KEY-----([\s\S]*?)-----END PUBLIC KEY-----/.exec(key);
    if (!m) throw new UsageError('the public key must be a PEM "PUBLIC KEY" block (as `edgernn keygen` writes it)', { where: 'publicKey' });
    try {
      der = base64Decode(m[1]!.replace(/\s+/g, ''));
    } catch {
      throw new UsageError('the public key PEM block is not valid base64', { where: 'publicKey' });
    }
  } else if (key instanceof Uint8Array) {
    der = key.length === 32 ? concat(ED25519_SPKI_PREFIX, key) : key;
  } else if (isKeyObject(key)) {
    if (key.type !== 'public') throw new UsageError(`a ${key.type} KeyObject was given where the public key is needed`, { where: 'publicKey' });
    if (key.asymmetricKeyType !== 'ed25519') throw new UsageError(`the public key is ${key.asymmetricKeyType ?? 'not asymmetric'}, not Ed25519`, { where: 'publicKey' });
    der = new Uint8Array(key.export({ type: 'spki', format: 'der' }));
  } else {
    throw new UsageError('publicKey must be a PEM string, SPKI or raw key bytes, a KeyObject or a CryptoKey', { where: 'publicKey' });
  }
  if (der.length !== ED25519_SPKI_PREFIX.length + 32 || !ED25519_SPKI_PREFIX.every((b, i) => der[i] === b)) {
    throw new UsageError('the public key is not an Ed25519 key (SubjectPublicKeyInfo with OID 1.3.101.112)', { where: 'publicKey' });
  }
  return der;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The block after the file, or the SignatureError for a file that has none or a bad one. */
function blockOf(bytes: Uint8Array): { model: Uint8Array; block: SignatureBlock } {
  if (!(bytes instanceof Uint8Array)) throw new UsageError('the model must be a Uint8Array', { where: 'bytes' });
  const { model, block, problem } = splitSignature(bytes);
  if (problem) throw new SignatureError(`the model's signature block is malformed: ${problem}`, 'malformed', { where: 'signature' });
  if (!block) {
    throw new SignatureError('the model is not signed, but a public key was given: refusing to load it (sign it with `edgernn sign MODEL --key NAME.key`)', 'unsigned', { where: 'signature' });
  }
  if (block.version !== SIGNATURE_VERSION || block.algorithm !== SIGNATURE_ED25519) {
    throw new SignatureError(`signature block version ${block.version}, algorithm ${block.algorithm} is not supported (this edgernn verifies version ${SIGNATURE_VERSION}, Ed25519)`, 'unsupported', {
      where: 'signature', expected: `${SIGNATURE_VERSION}/${SIGNATURE_ED25519}`, actual: `${block.version}/${block.algorithm}`,
    });
  }
  return { model, block };
}

function checkKeyId(block: SignatureBlock, keyId: Uint8Array | undefined): void {
  if (!keyId) return;
  const want = hexOf(keyId.subarray(0, KEY_ID_BYTES)), got = hexOf(block.keyId);
  if (want !== got) {
    throw new SignatureError(`the model was signed with key ${got}, not with the given public key (${want}): refusing to load it`, 'wrong-key', {
      where: 'signature.key_id', expected: want, actual: got,
    });
  }
}

const invalid = () => new SignatureError("the model's signature does not match its bytes: the file was changed after it was signed (or the signature is corrupt): refusing to load it", 'invalid', { where: 'signature' });

/**
 * Verifies a signed file with node:crypto, synchronously. Throws SignatureError if it is not
 * signed by `publicKey` or was changed, UsageError if this host has no node:crypto (use
 * verifySignature) or the key is not an Ed25519 public key.
 */
export function verifySignatureSync(bytes: Uint8Array, publicKey: PublicKeyInput): Verified {
  const nc = nodeCrypto();
  if (!nc) {
    throw new UsageError('synchronous signature checks need node:crypto, which this host lacks: use `await runtime.loadVerified(bytes, { publicKey })` (WebCrypto)', { where: 'publicKey' });
  }
  const spki = spkiOf(isCryptoKey(publicKey) ? nc.KeyObject.from(publicKey) : publicKey);
  const { model, block } = blockOf(bytes);
  const keyId = nc.createHash('sha256').update(spki).digest().subarray(0, KEY_ID_BYTES);
  checkKeyId(block, keyId);
  const key = nc.createPublicKey({ key: spki, format: 'der', type: 'spki' });
  if (!nc.verify(null, block.message, key, block.signature)) throw invalid();
  return { model, keyId: hexOf(block.keyId) };
}

/**
 * Verifies a signed file with WebCrypto (Ed25519 in crypto.subtle): browsers, workers and Node.
 * Same refusals as verifySignatureSync.
 */
export async function verifySignature(bytes: Uint8Array, publicKey: PublicKeyInput): Promise<Verified> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    // no WebCrypto (an old or insecure context): node:crypto if there is one
    return verifySignatureSync(bytes, publicKey);
  }
  try {
    return await verifyWebCrypto(subtle, bytes, publicKey);
  } catch (e) {
    // an engine whose WebCrypto lacks Ed25519 (older browsers): node:crypto if there is one
    if ((e as { name?: string })?.name !== 'NotSupportedError') throw e;
    if (nodeCrypto()) return verifySignatureSync(bytes, publicKey);
    throw new UsageError("this host's WebCrypto does not support Ed25519, so signed models cannot be verified here", { where: 'publicKey', cause: e });
  }
}

async function verifyWebCrypto(subtle: SubtleCrypto, bytes: Uint8Array, publicKey: PublicKeyInput): Promise<Verified> {
  let key: CryptoKey;
  let spki: Uint8Array | undefined;
  if (isCryptoKey(publicKey)) {
    if (publicKey.type !== 'public' || publicKey.algorithm.name !== 'Ed25519') {
      throw new UsageError(`the CryptoKey is a ${publicKey.type} ${publicKey.algorithm.name} key, not an Ed25519 public key`, { where: 'publicKey' });
    }
    key = publicKey;
    // a key id needs the key's bytes; a non-extractable key is still checked by the signature
    if (publicKey.extractable) spki = new Uint8Array(await subtle.exportKey('spki', publicKey));
  } else {
    spki = spkiOf(publicKey);
    key = await subtle.importKey('spki', spki as BufferSource, { name: 'Ed25519' }, false, ['verify']);
  }
  const { model, block } = blockOf(bytes);
  checkKeyId(block, spki ? new Uint8Array(await subtle.digest('SHA-256', spki as BufferSource)) : undefined);
  if (!(await subtle.verify({ name: 'Ed25519' }, key, block.signature as BufferSource, block.message as BufferSource))) throw invalid();
  return { model, keyId: hexOf(block.keyId) };
}

/** Key id (hex) of a public key: the first 8 bytes of the SHA-256 of its SPKI DER. Node only. */
export function keyIdOf(publicKey: string | Uint8Array | KeyObjectLike): string {
  const nc = nodeCrypto();
  if (!nc) throw new UsageError('keyIdOf() needs node:crypto', { where: 'publicKey' });
  return hexOf(nc.createHash('sha256').update(spkiOf(publicKey)).digest().subarray(0, KEY_ID_BYTES));
}
