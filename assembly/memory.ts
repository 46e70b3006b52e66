// The module's own memory manager. Linear memory starts with AssemblyScript's static data and
// then one arena of blocks managed here: the model bytes, the layer descriptors, stream sets and
// the sequence workspace. Blocks are only allocated and freed by setup calls (load, streams
// create/destroy, run prepare); a step never allocates.
//
// Blocks are laid out back to back from the heap base. Each has a 16-byte header
// [payload bytes u32, in-use u32, 8 spare] and a payload aligned to 16 bytes, so SIMD loads of
// weights and buffers are aligned. Allocation is first fit with splitting, freeing coalesces
// with the following free block and trims the end of the heap. This is deliberately simple:
// a handful of blocks live at any time.

const BLOCK_HEADER: usize = 16;
const ALIGN_MASK: usize = 15;
const PAGE: usize = 65536;

let heapStart: usize = 0;
let heapEnd: usize = 0;         // first byte after the last block
let maxPages: i32 = 65536;      // configured ceiling on linear memory (ernn_set_limit)

// @ts-ignore: decorator
@inline function alignUp(v: usize): usize {
  return (v + ALIGN_MASK) & ~ALIGN_MASK;
}

function init(): void {
  if (heapStart == 0) {
    heapStart = alignUp(__heap_base);
    heapEnd = heapStart;
  }
}

export function setMaxPages(pages: i32): void {
  maxPages = pages;
}

export function getMaxPages(): i32 {
  return maxPages;
}

// Grows linear memory so that [0, end) is addressable. False if the page limit or the host
// refuses.
function ensure(end: usize): bool {
  let have = <usize>memory.size() * PAGE;
  if (end <= have) return true;
  let needPages = <i32>((end - have + PAGE - 1) / PAGE);
  if (<i32>memory.size() + needPages > maxPages) return false;
  return memory.grow(needPages) >= 0;
}

// Returns a zeroed, 16-byte aligned block of at least `bytes` bytes, or 0.
export function alloc(bytes: usize): usize {
  init();
  if (bytes > 0x7FFF0000) return 0;
  let size = alignUp(bytes == 0 ? 16 : bytes);
  // first fit among free blocks
  let p = heapStart;
  while (p < heapEnd) {
    let bsize = <usize>load<u32>(p);
    let used = load<u32>(p, 4);
    if (!used && bsize >= size) {
      if (bsize - size >= BLOCK_HEADER + 16) {
        // split: the tail becomes a free block
        let tail = p + BLOCK_HEADER + size;
        store<u32>(tail, <u32>(bsize - size - BLOCK_HEADER));
        store<u32>(tail, 0, 4);
        store<u32>(p, <u32>size);
      }
      store<u32>(p, 1, 4);
      let payload = p + BLOCK_HEADER;
      memory.fill(payload, 0, <usize>load<u32>(p));
      return payload;
    }
    p += BLOCK_HEADER + bsize;
  }
  // append at the end of the heap
  let end = heapEnd + BLOCK_HEADER + size;
  if (end < heapEnd || !ensure(end)) return 0;
  store<u32>(heapEnd, <u32>size);
  store<u32>(heapEnd, 1, 4);
  let payload = heapEnd + BLOCK_HEADER;
  heapEnd = end;
  memory.fill(payload, 0, size);
  return payload;
}

export function free(payload: usize): void {
  if (payload == 0) return;
  let p = payload - BLOCK_HEADER;
  store<u32>(p, 0, 4);
  coalesce();
}

function coalesce(): void {
  let p = heapStart;
  let lastFree: usize = 0;
  while (p < heapEnd) {
    let bsize = <usize>load<u32>(p);
    let next = p + BLOCK_HEADER + bsize;
    if (!load<u32>(p, 4)) {
      // merge following free blocks into this one
      while (next < heapEnd && !load<u32>(next, 4)) {
        bsize += BLOCK_HEADER + <usize>load<u32>(next);
        next = p + BLOCK_HEADER + bsize;
      }
      store<u32>(p, <u32>bsize);
      lastFree = next == heapEnd ? p : 0;
    }
    p = next;
  }
  if (lastFree) heapEnd = lastFree;
}

// Bytes from the heap base to the end of the last block: what the arena plan occupies.
export function heapUsed(): usize {
  init();
  return heapEnd - heapStart;
}

export function heapBase(): usize {
  init();
  return heapStart;
}
