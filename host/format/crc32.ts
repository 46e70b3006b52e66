// CRC-32 (IEEE 802.3, as zip/PNG), the same function as assembly/crc32.ts.

let table: Uint32Array | undefined;

function makeTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const t = (table ??= makeTable());
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The .ernn checksum: CRC-32 of the file's first `fileBytes` bytes with bytes 16..19 (the field itself) as zero. */
export function ernnChecksum(bytes: Uint8Array, fileBytes: number): number {
  const copy = bytes.slice(0, fileBytes);
  copy.fill(0, 16, 20);
  return crc32(copy, 0, fileBytes);
}
