// Signed models through the API (docs/SECURITY.md): Runtime.load(bytes, { publicKey }) with
// node:crypto and Runtime.loadVerified() with WebCrypto accept exactly the files the key signed,
// byte for byte; anything else is a SignatureError that says why.
import { describe, it, expect, beforeAll } from 'vitest';
import { generateKeyPairSync, sign, createPublicKey, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Runtime } from '../../host/runtime/runtime.js';
import { keyIdOf } from '../../host/runtime/signature.js';
import { appendSignature, splitSignature, SIGNATURE_BLOCK_BYTES, SignatureField } from '../../host/format/signature.js';
import { ModelFormatError, SignatureError, UsageError, isEdgeRnnError } from '../../host/errors.js';
import { ROOT } from '../helpers/paths.js';
import { rng, recurrent, dense, modelOf } from '../helpers/models.js';

let rt: Runtime;
let model: Uint8Array;
let signed: Uint8Array;
const keys = () => generateKeyPairSync('ed25519');
let key: { publicKey: KeyObject; privateKey: KeyObject };
let pem: string;

const keyIdBytes = (k: KeyObject) => Uint8Array.from(keyIdOf(k).match(/../g)!, (h) => parseInt(h, 16));
const signWith = (bytes: Uint8Array, k: { publicKey: KeyObject; privateKey: KeyObject }) =>
  appendSignature(bytes, keyIdBytes(k.publicKey), (m) => new Uint8Array(sign(null, m, k.privateKey)));

function refusal(fn: () => unknown): SignatureError {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof SignatureError)) throw e;
    return e;
  }
  throw new Error('the model loaded');
}

async function asyncRefusal(p: Promise<unknown>): Promise<SignatureError> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof SignatureError)) throw e;
    return e;
  }
  throw new Error('the model loaded');
}

beforeAll(async () => {
  rt = await Runtime.create();
  const r = rng(8);
  model = modelOf(3, [recurrent({ kind: 'gru', hidden: 6 }, 3, r), dense(6, 2, r)], { name: 'signed', description: 'metadata is signed too' });
  key = keys();
  pem = key.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  signed = signWith(model, key);
});

describe('signed models', () => {
  it('a signed file is the .ernn file and a 96-byte block; it loads with its key, and runs the same', async () => {
    expect(signed.length).toBe(model.length + SIGNATURE_BLOCK_BYTES);
    expect(Buffer.from(signed.subarray(0, model.length)).equals(Buffer.from(model))).toBe(true);
    const x = Float32Array.from({ length: 2 * 4 * 3 }, (_, i) => Math.sin(i));
    const want = rt.load(model).run(x, [2, 4, 3]).data;
    for (const publicKey of [pem, key.publicKey, new Uint8Array(key.publicKey.export({ type: 'spki', format: 'der' })), rawKey(key.publicKey), createPublicKey(pem)]) {
      expect(rt.load(signed, { publicKey }).run(x, [2, 4, 3]).data).toEqual(want);
    }
    expect((await rt.loadVerified(signed, { publicKey: pem })).run(x, [2, 4, 3]).data).toEqual(want);
    const ck = await crypto.subtle.importKey('spki', key.publicKey.export({ type: 'spki', format: 'der' }), { name: 'Ed25519' }, false, ['verify']);
    expect((await rt.loadVerified(signed, { publicKey: ck })).run(x, [2, 4, 3]).data).toEqual(want);
    expect(rt.load(signed, { publicKey: ck }).run(x, [2, 4, 3]).data).toEqual(want);
  });

  it('without a public key a signed file loads (the block is stripped, not checked)', () => {
    expect(rt.load(signed).info.fileBytes).toBe(model.length);
    expect(splitSignature(signed).model.length).toBe(model.length);
  });

  it('any changed byte, in the model or the block, is refused', async () => {
    let refused = 0;
    for (let i = 0; i < signed.length; i++) {
      const b = signed.slice();
      b[i]! ^= 1 << (i % 8);
      const e = refusal(() => rt.load(b, { publicKey: pem }));
      expect(['invalid', 'unsigned', 'malformed', 'unsupported', 'wrong-key']).toContain(e.problem);
      refused++;
    }
    expect(refused).toBe(signed.length);
    // a change in the payload: the signature no longer holds (checked before the checksum)
    const b = signed.slice();
    b[model.length - 20]! ^= 4;
    const e = refusal(() => rt.load(b, { publicKey: pem }));
    expect(e.problem).toBe('invalid');
    expect(e.message).toMatch(/signature does not match its bytes: the file was changed after it was signed/);
    expect((await asyncRefusal(rt.loadVerified(b, { publicKey: pem }))).problem).toBe('invalid');
    // the same through WebCrypto for a sample of positions
    for (let i = 0; i < signed.length; i += 97) {
      const c = signed.slice();
      c[i]! ^= 0x10;
      await asyncRefusal(rt.loadVerified(c, { publicKey: pem }));
    }
  });

  it('another key is refused, also when the block claims that key', async () => {
    const other = keys();
    const otherPem = other.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const e = refusal(() => rt.load(signed, { publicKey: otherPem }));
    expect(e.problem).toBe('wrong-key');
    expect(e.message).toMatch(/the model was signed with key [0-9a-f]{16}, not with the given public key \([0-9a-f]{16}\)/);
    expect((await asyncRefusal(rt.loadVerified(signed, { publicKey: otherPem }))).problem).toBe('wrong-key');
    // an attacker who rewrites the key id: the signature fails
    const forged = signed.slice();
    forged.set(keyIdBytes(other.publicKey), model.length + SignatureField.keyId);
    expect(refusal(() => rt.load(forged, { publicKey: otherPem })).problem).toBe('invalid');
    // a file signed by the other key, checked with ours
    expect(refusal(() => rt.load(signWith(model, other), { publicKey: pem })).problem).toBe('wrong-key');
  });

  it('an unsigned file is refused when a key is given', async () => {
    const e = refusal(() => rt.load(model, { publicKey: pem }));
    expect(e.problem).toBe('unsigned');
    expect(e.message).toMatch(/the model is not signed, but a public key was given: refusing to load it/);
    expect((await asyncRefusal(rt.loadVerified(model, { publicKey: pem }))).problem).toBe('unsigned');
    expect(isEdgeRnnError(e)).toBe(true);
  });

  it('a damaged or unknown block is refused with a key, and is trailing bytes without one', () => {
    const long = new Uint8Array(signed.length + 16);
    long.set(signed);
    expect(refusal(() => rt.load(long, { publicKey: pem })).problem).toBe('malformed');
    expect(() => rt.load(long)).toThrow(ModelFormatError);
    const v2 = signed.slice();
    new DataView(v2.buffer).setUint16(model.length + SignatureField.version, 2, true);
    const e = refusal(() => rt.load(v2, { publicKey: pem }));
    expect(e.problem).toBe('unsupported');
    expect(e.message).toMatch(/signature block version 2, algorithm 1 is not supported/);
  });

  it('signing again replaces the block; keys of the wrong kind are usage errors', () => {
    const again = signWith(signed, keys());
    expect(again.length).toBe(signed.length);
    expect(() => rt.load(signed, { publicKey: key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string })).toThrow(/a private key was given where the public key is needed/);
    expect(() => rt.load(signed, { publicKey: key.privateKey })).toThrow(UsageError);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    expect(() => rt.load(signed, { publicKey: rsa })).toThrow(/not Ed25519/);
    expect(() => rt.load(signed, { publicKey: 'not a key' })).toThrow(/PEM "PUBLIC KEY" block/);
    expect(() => rt.load(signed, { publicKey: new Uint8Array(5) })).toThrow(/not an Ed25519 key/);
  });

  it('browsers: no node:crypto means load() points to loadVerified(), which works with WebCrypto alone', async () => {
    const proc = globalThis.process as { getBuiltinModule?: unknown };
    const saved = proc.getBuiltinModule;
    proc.getBuiltinModule = undefined;
    try {
      expect(() => rt.load(signed, { publicKey: pem })).toThrow(UsageError);
      expect(() => rt.load(signed, { publicKey: pem })).toThrow(/loadVerified/);
      expect((await rt.loadVerified(signed, { publicKey: pem })).info.fileBytes).toBe(model.length);
      expect((await asyncRefusal(rt.loadVerified(model, { publicKey: pem }))).problem).toBe('unsigned');
      expect(rt.load(signed).info.fileBytes).toBe(model.length);
    } finally {
      proc.getBuiltinModule = saved;
    }
  });

  it('the runtime and format code import nothing from node: (browser-safe)', () => {
    for (const dir of ['host/runtime', 'host/format']) {
      for (const f of readdirSync(join(ROOT, dir)).filter((n) => n.endsWith('.ts'))) {
        expect(readFileSync(join(ROOT, dir, f), 'utf8'), `${dir}/${f}`).not.toMatch(/from ['"]node:/);
      }
    }
  });
});

function rawKey(k: KeyObject): Uint8Array {
  return new Uint8Array(k.export({ type: 'spki', format: 'der' })).subarray(12);
}
