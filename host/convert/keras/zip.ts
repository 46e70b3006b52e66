// Keras 3 `.keras` archives -> KerasDocument. A .keras file is a zip holding metadata.json
// ({keras_version, date_saved}), config.json (the model config) and model.weights.h5 (Keras 3
// weights layout, read by h5.ts); members may be stored or deflated (Keras writes them stored,
// re-zipping deflates them). Other members (assets/) are not read.
//
// Zip bombs: sizes are taken from the central directory and checked against limits before any
// memory is allocated, and a member is inflated in slices into a buffer of its declared size,
// stopping as soon as it would outgrow it (fflate's unzipSync keeps decoding a lying member to
// its end, writing nothing, which costs time in proportion to the real size). Each member's
// length and CRC-32 are then checked, so a truncated or corrupt member is refused, not misread.

import { Inflate } from 'fflate';
import type { KerasDocument } from './document.js';
import { readKerasH5, parseConfig } from './h5.js';
import { HDF5_LIMITS } from './hdf5.js';
import { EdgeRnnError, ModelFormatError, ResourceError, UnsupportedModelError } from '../../errors.js';

export const ZIP_LIMITS = {
  /** Members listed in the central directory. */
  entries: 65536,
  /** Bytes of config.json or metadata.json. */
  jsonBytes: 64 * 1024 * 1024,
  /** Bytes of model.weights.h5 (the HDF5 reader's limit). */
  weightsBytes: HDF5_LIMITS.fileBytes,
};

/** Deflate cannot expand a byte into more than 1032 (RFC 1951: 258-byte matches from 2 bits). */
const MAX_DEFLATE_RATIO = 1032;
const INFLATE_SLICE = 16 * 1024;

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** Offset of the member's local header. */
  offset: number;
}

const u16 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
const u64 = (b: Uint8Array, o: number): number => u32(b, o) + u32(b, o + 4) * 2 ** 32;

/** Lists an archive's members from its central directory, checking every offset and size. */
export function zipEntries(bytes: Uint8Array, where: string): ZipEntry[] {
  const bad = (why: string): never => { throw new ModelFormatError(`${where} is not a valid zip archive: ${why}`, { where }); };
  if (bytes.length < 22) bad(`it has ${bytes.length} bytes, fewer than an empty archive`);
  // End of central directory record: the last signature within the 64 KiB comment window.
  let e = -1;
  for (let o = bytes.length - 22; o >= Math.max(0, bytes.length - 22 - 0xffff); o--) {
    if (u32(bytes, o) === 0x06054b50 && o + 22 + u16(bytes, o + 20) <= bytes.length) { e = o; break; }
  }
  if (e < 0) bad('no end-of-central-directory record (truncated, or not a zip file)');
  if (u16(bytes, e + 4) !== 0 || u16(bytes, e + 6) !== 0) {
    throw new UnsupportedModelError(`${where} is a multi-part zip archive, which is not supported`, { where });
  }
  let count = u16(bytes, e + 10), cdSize = u32(bytes, e + 12), cdOffset = u32(bytes, e + 16);
  let cdEnd = e;
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = e - 20;
    if (loc >= 0 && u32(bytes, loc) === 0x07064b50) {
      const z = u64(bytes, loc + 8);
      if (z + 56 > loc || u32(bytes, z) !== 0x06064b50) bad('the zip64 end-of-central-directory locator points outside the archive');
      count = u64(bytes, z + 32); cdSize = u64(bytes, z + 40); cdOffset = u64(bytes, z + 48);
      cdEnd = z;
    }
  }
  if (count > ZIP_LIMITS.entries) throw new ResourceError(`${where} lists ${count} members, more than the ${ZIP_LIMITS.entries} allowed`, { where, actual: count });
  if (cdOffset + cdSize > cdEnd || count * 46 > cdSize) bad(`the central directory (${count} members, ${cdSize} bytes at offset ${cdOffset}) does not fit in the archive`);
  const out: ZipEntry[] = [];
  const decoder = new TextDecoder();
  let o = cdOffset;
  for (let i = 0; i < count; i++) {
    if (o + 46 > cdOffset + cdSize || u32(bytes, o) !== 0x02014b50) bad(`central directory entry ${i} is corrupt`);
    const flags = u16(bytes, o + 8), method = u16(bytes, o + 10), crc = u32(bytes, o + 16);
    let compressedSize = u32(bytes, o + 20), size = u32(bytes, o + 24);
    const nameLen = u16(bytes, o + 28), extraLen = u16(bytes, o + 30), commentLen = u16(bytes, o + 32);
    let offset = u32(bytes, o + 42);
    const next = o + 46 + nameLen + extraLen + commentLen;
    if (next > cdOffset + cdSize) bad(`central directory entry ${i} runs past the directory`);
    const name = decoder.decode(bytes.subarray(o + 46, o + 46 + nameLen));
    // Zip64 extended information: the 64-bit values of the fields that read 0xffffffff, in order.
    for (let x = o + 46 + nameLen; x + 4 <= o + 46 + nameLen + extraLen;) {
      const id = u16(bytes, x), len = u16(bytes, x + 2);
      if (id === 0x0001) {
        let p = x + 4;
        const take = (): number => { if (p + 8 > x + 4 + len) bad(`member '${name}' has a short zip64 field`); const v = u64(bytes, p); p += 8; return v; };
        if (size === 0xffffffff) size = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (offset === 0xffffffff) offset = take();
      }
      x += 4 + len;
    }
    if (offset + 30 > cdOffset) bad(`member '${name}' has its header at ${offset}, outside the archive's data`);
    out.push({ name, method, flags, crc, compressedSize, size, offset });
    o = next;
  }
  return out;
}

/** Where a member's data starts (after its local header), checked against the archive. */
function dataStart(bytes: Uint8Array, e: ZipEntry, limit: number, where: string): number {
  if (u32(bytes, e.offset) !== 0x04034b50) throw new ModelFormatError(`${where}: member '${e.name}' has no local header at offset ${e.offset}`, { where });
  const start = e.offset + 30 + u16(bytes, e.offset + 26) + u16(bytes, e.offset + 28);
  if (start + e.compressedSize > limit) {
    throw new ModelFormatError(`${where}: member '${e.name}' (${e.compressedSize} bytes at ${start}) runs past the archive's data: the file is truncated or corrupt`, { where });
  }
  return start;
}

let crcTable: Uint32Array | undefined;
export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Extracts one member, refusing it before allocation if it claims more than `cap` bytes. */
export function extractMember(bytes: Uint8Array, e: ZipEntry, cap: number, where: string): Uint8Array {
  const what = `${where}: member '${e.name}'`;
  if (e.flags & 1) throw new UnsupportedModelError(`${what} is encrypted`, { where });
  if (e.method !== 0 && e.method !== 8) throw new UnsupportedModelError(`${what} uses compression method ${e.method}; only stored (0) and deflated (8) members are supported`, { where, actual: e.method });
  if (e.size > cap) throw new ResourceError(`${what} claims ${e.size} bytes, more than the ${cap} allowed`, { where, expected: cap, actual: e.size });
  const start = dataStart(bytes, e, bytes.length, where);
  const comp = bytes.subarray(start, start + e.compressedSize);
  let out: Uint8Array;
  if (e.method === 0) {
    if (e.compressedSize !== e.size) throw new ModelFormatError(`${what} is stored with ${e.compressedSize} bytes but claims ${e.size}`, { where });
    out = comp.slice();
  } else {
    if (e.size > e.compressedSize * MAX_DEFLATE_RATIO + 1024) {
      throw new ModelFormatError(`${what} claims ${e.size} bytes from ${e.compressedSize} compressed bytes, more than deflate can produce`, { where });
    }
    out = new Uint8Array(e.size);
    let n = 0;
    const inflate = new Inflate((chunk) => {
      if (n + chunk.length > out.length) throw new ModelFormatError(`${what} inflates to more than the ${e.size} bytes it claims`, { where });
      out.set(chunk, n);
      n += chunk.length;
    });
    try {
      if (comp.length === 0) inflate.push(comp, true);
      for (let o = 0; o < comp.length; o += INFLATE_SLICE) inflate.push(comp.subarray(o, o + INFLATE_SLICE), o + INFLATE_SLICE >= comp.length);
    } catch (err) {
      if (err instanceof EdgeRnnError) throw err;
      throw new ModelFormatError(`${what} is corrupt: ${(err as Error).message}`, { where, cause: err });
    }
    if (n !== e.size) throw new ModelFormatError(`${what} inflates to ${n} bytes, not the ${e.size} it claims: the data is truncated or corrupt`, { where });
  }
  const crc = crc32(out);
  if (crc !== e.crc) throw new ModelFormatError(`${what} fails its CRC-32 check (${crc.toString(16)}, expected ${e.crc.toString(16)}): the data is corrupt`, { where });
  return out;
}

export interface KerasZipOptions {
  /** The archive's name in messages (default 'the .keras archive'). */
  name?: string;
}

export async function readKerasZip(bytes: Uint8Array, opts: KerasZipOptions = {}): Promise<KerasDocument> {
  const where = opts.name ?? 'the .keras archive';
  if (!(bytes instanceof Uint8Array)) throw new ModelFormatError(`${where} is not a byte array`, { where });
  const entries = zipEntries(bytes, where);
  const find = (name: string) => entries.find((e) => e.name === name);
  const listing = entries.map((e) => e.name).join(', ') || 'none';
  const configEntry = find('config.json');
  if (!configEntry) throw new ModelFormatError(`${where} has no config.json, so it is not a Keras 3 .keras model (members: ${listing})`, { where });
  const weightsEntry = find('model.weights.h5');
  if (!weightsEntry) {
    if (find('model.weights.npz')) {
      throw new UnsupportedModelError(`${where} stores its weights as model.weights.npz (weights_format='npz', pickled per-layer dicts); only model.weights.h5 is supported`, { where });
    }
    throw new ModelFormatError(`${where} has no model.weights.h5 (members: ${listing})`, { where });
  }
  const text = (e: ZipEntry): string => new TextDecoder().decode(extractMember(bytes, e, ZIP_LIMITS.jsonBytes, where));
  const config = parseConfig(text(configEntry), `${where}: config.json`);
  const metaEntry = find('metadata.json');
  let kerasVersion: string | undefined;
  if (metaEntry) {
    const meta = parseConfig(text(metaEntry), `${where}: metadata.json`) as { keras_version?: unknown } | null;
    if (typeof meta?.keras_version === 'string') kerasVersion = meta.keras_version;
  }
  const weights = extractMember(bytes, weightsEntry, ZIP_LIMITS.weightsBytes, where);
  const doc = await readKerasH5(weights, { config, name: `${where}: model.weights.h5` });
  doc.format = 'keras';
  if (kerasVersion !== undefined) doc.kerasVersion = kerasVersion;
  return doc;
}
