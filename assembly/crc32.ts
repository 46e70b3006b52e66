// CRC-32 as used by zip, PNG and Ethernet (reflected polynomial 0xEDB88320, init and final
// xor 0xFFFFFFFF). Table-driven, one byte at a time: the check runs once per load.

const table = memory.data(1024);
let tableReady = false;

function buildTable(): void {
  for (let n: u32 = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
    store<u32>(table + (<usize>n << 2), c);
  }
  tableReady = true;
}

// Continues a running CRC (start with 0xFFFFFFFF, finish with ^ 0xFFFFFFFF) over len bytes.
export function crc32Update(c: u32, ptr: usize, len: usize): u32 {
  if (!tableReady) buildTable();
  let end = ptr + len;
  while (ptr < end) {
    c = load<u32>(table + (<usize>((c ^ <u32>load<u8>(ptr)) & 0xFF) << 2)) ^ (c >>> 8);
    ptr++;
  }
  return c;
}

// Continues a running CRC over n zero bytes.
export function crc32Zeros(c: u32, n: i32): u32 {
  if (!tableReady) buildTable();
  for (let i = 0; i < n; i++) c = load<u32>(table + (<usize>(c & 0xFF) << 2)) ^ (c >>> 8);
  return c;
}
