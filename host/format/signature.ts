// The optional signature block of a signed .ernn file (docs/FORMAT.md, "Signature block";
// docs/SECURITY.md). Pure byte layout, no cryptography: host/runtime/signature.ts verifies,
// host/cli/sign-cmd.ts signs.
//
//   [ .ernn file: header.file_bytes bytes ][ signature block: 96 bytes ]
//
// The block follows the file, outside `file_bytes`, so the file itself is unchanged and its
// checksum still holds. The host verifies the block and hands the module only the first
// `file_bytes` bytes (the module refuses trailing bytes, so an unverified block never reaches it
// either). The Ed25519 signature covers every byte before it: the whole file (header, tables,
// metadata, weights) and the first 32 bytes of the block (its kind, length, the signed length and
// the key id).

import { Header, HEADER_BYTES, MAGIC } from './layout.js';

export const SIGNATURE_MAGIC = 0x47495345; // "ESIG" little-endian
export const SIGNATURE_VERSION = 1;
export const SIGNATURE_ED25519 = 1;
export const SIGNATURE_BLOCK_BYTES = 96;
/** Bytes of the block that the signature covers (everything before the signature). */
export const SIGNATURE_SIGNED_PREFIX = 32;
export const KEY_ID_BYTES = 8;
export const ED25519_SIGNATURE_BYTES = 64;

export const SignatureField = {
  magic: 0, version: 4, algorithm: 6, blockBytes: 8, signedBytes: 12, keyId: 16, reserved: 24, signature: 32,
} as const;

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 key bytes follow (44 bytes in all). */
export const ED25519_SPKI_PREFIX = Uint8Array.of(0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00);

export interface SignatureBlock {
  version: number;
  algorithm: number;
  /** First 8 bytes of the SHA-256 of the signer's public key (SPKI DER). */
  keyId: Uint8Array;
  signature: Uint8Array;
  /** The signed bytes: the file and the block's first 32 bytes. */
  message: Uint8Array;
}

export interface SplitFile {
  /** The .ernn file without any signature block: what the module loads. */
  model: Uint8Array;
  /** The block, when one follows the file. */
  block?: SignatureBlock;
  /** Why bytes after the file that start like a block are not a usable one. */
  problem?: string;
}

const u32 = (b: Uint8Array, o: number) => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(o, true);

/**
 * Splits a file into the .ernn bytes and the signature block after them. Anything that is not a
 * well-formed block (no block, other trailing bytes) stays with the model, for the module to
 * refuse as it would without signatures.
 */
export function splitSignature(bytes: Uint8Array): SplitFile {
  if (bytes.length < HEADER_BYTES || u32(bytes, Header.magic) !== MAGIC) return { model: bytes };
  const fileBytes = u32(bytes, Header.fileBytes);
  if (fileBytes < HEADER_BYTES || bytes.length <= fileBytes || bytes.length - fileBytes < 16) return { model: bytes };
  if (u32(bytes, fileBytes + SignatureField.magic) !== SIGNATURE_MAGIC) return { model: bytes };
  const dv = new DataView(bytes.buffer, bytes.byteOffset + fileBytes, bytes.length - fileBytes);
  const trailing = bytes.length - fileBytes;
  const blockBytes = dv.getUint32(SignatureField.blockBytes, true);
  if (blockBytes !== trailing) {
    return { model: bytes, problem: `the signature block declares ${blockBytes} bytes, but ${trailing} follow the model's ${fileBytes}` };
  }
  const model = bytes.subarray(0, fileBytes);
  if (trailing !== SIGNATURE_BLOCK_BYTES) return { model, problem: `the signature block has ${trailing} bytes, expected ${SIGNATURE_BLOCK_BYTES}` };
  const signedBytes = dv.getUint32(SignatureField.signedBytes, true);
  if (signedBytes !== fileBytes) return { model, problem: `the signature block covers ${signedBytes} bytes, but the model has ${fileBytes}` };
  const at = (o: number, n: number) => bytes.subarray(fileBytes + o, fileBytes + o + n);
  return {
    model,
    block: {
      version: dv.getUint16(SignatureField.version, true),
      algorithm: dv.getUint16(SignatureField.algorithm, true),
      keyId: at(SignatureField.keyId, KEY_ID_BYTES),
      signature: at(SignatureField.signature, ED25519_SIGNATURE_BYTES),
      message: bytes.subarray(0, fileBytes + SIGNATURE_SIGNED_PREFIX),
    },
  };
}

/** The first 32 bytes of a block for `fileBytes` bytes of model signed by key `keyId`. */
export function signatureBlockHeader(fileBytes: number, keyId: Uint8Array): Uint8Array {
  const b = new Uint8Array(SIGNATURE_SIGNED_PREFIX);
  const dv = new DataView(b.buffer);
  dv.setUint32(SignatureField.magic, SIGNATURE_MAGIC, true);
  dv.setUint16(SignatureField.version, SIGNATURE_VERSION, true);
  dv.setUint16(SignatureField.algorithm, SIGNATURE_ED25519, true);
  dv.setUint32(SignatureField.blockBytes, SIGNATURE_BLOCK_BYTES, true);
  dv.setUint32(SignatureField.signedBytes, fileBytes, true);
  b.set(keyId.subarray(0, KEY_ID_BYTES), SignatureField.keyId);
  return b;
}

/**
 * A signed file: `model` (a bare .ernn file, or a signed one whose old block is replaced) and a
 * block whose signature `sign` computes over the bytes it is given.
 */
export function appendSignature(model: Uint8Array, keyId: Uint8Array, sign: (message: Uint8Array) => Uint8Array): Uint8Array {
  const bare = splitSignature(model).model;
  const out = new Uint8Array(bare.length + SIGNATURE_BLOCK_BYTES);
  out.set(bare);
  out.set(signatureBlockHeader(bare.length, keyId), bare.length);
  const sig = sign(out.subarray(0, bare.length + SIGNATURE_SIGNED_PREFIX));
  if (sig.length !== ED25519_SIGNATURE_BYTES) throw new Error(`an Ed25519 signature has ${ED25519_SIGNATURE_BYTES} bytes, got ${sig.length}`);
  out.set(sig, bare.length + SignatureField.signature);
  return out;
}

export const hexOf = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
