// gemm_f32: the float32 matrix product of the recurrent and dense layers, on weights packed in
// panels at load. The scalar reference; gemm_f32_simd.ts is its SIMD twin (same signature, same
// bits).
//
//   C[r][j] = init[r][j] + sum_{i<k1} A1[r][i] * B1[i][j] + sum_{i<k2} A2[r][i] * B2[i][j]
//
// for r < n, j < m. Two sources so that one pass over the weights computes x·W + h·R of a
// recurrent step (gates = b + x·W + h·R) without storing the gates between the two products.
// init: a row of m values used for every row when ldi = 0 (the bias), rows with stride ldi
// (ldi = ldc and init = C accumulates into C), or 0 for zeros. A2 may be absent (k2 = 0).
//
// Every element of C is accumulated in the same order in both kernels: its initial value, then
// + A1[r][i] * B1[i][j] for i = 0 .. k1-1, then + A2[r][i] * B2[i][j] for i = 0 .. k2-1, one IEEE
// multiply and one IEEE add each (wasm has no fused multiply-add in its baseline). The two builds
// therefore give identical bits, and the result equals a bias fill followed by two plain products.
//
// Packed layout (packF32): a [k, m] input-major matrix is cut into panels of PANEL = 24 columns
// (the last one narrower when m % 24 != 0); the panel that starts at column c0 and is w wide
// holds its k rows one after another: element (i, c0 + j) is at float offset k*c0 + i*w + j.
// A single-stream step then reads the weights front to back (the hardware prefetcher's best
// case, and no 2-4 KiB strides that alias in L1 as input-major rows of 4H floats do), and a
// panel row is six SIMD registers: enough independent additions to hide their latency, few
// enough that V8 (which loads all of an iteration's weights before its arithmetic) does not
// spill on x86-64 (BENCHMARKS.md, "f32 step and call path", has the variants measured). A
// column range starting at a panel boundary c0 of a matrix packed per segment is itself a
// packed matrix at float offset k*c0, which is how a GRU addresses its z/r and n gates
// (packLayerF32). The loader packs in place (packTensor), so the weights cost no extra memory.
// Not supported: transposed operands, alpha/beta scaling.

import { layerAt, tensorPtr, LAYER_DESC_BYTES } from '../model';
import { LayerType, TensorSlot } from '../format';
import { alloc, free } from '../memory';
import { Status, Field, fail } from '../status';

// @ts-ignore: decorator
@inline export const PANEL: i32 = 24;
// @ts-ignore: decorator
@inline const F: usize = 4; // sizeof<f32>()

export function gemmF32Scalar(n: i32, a1: usize, lda1: i32, k1: i32, b1: usize,
                              a2: usize, lda2: i32, k2: i32, b2: usize, m: i32,
                              init: usize, ldi: i32, c: usize, ldc: i32): void {
  for (let c0 = 0; c0 < m; c0 += PANEL) {
    let w = min(PANEL, m - c0);
    let p1 = b1 + <usize>c0 * <usize>k1 * F, p2 = b2 + <usize>c0 * <usize>k2 * F;
    let wS = <usize>w * F;
    for (let r = 0; r < n; r++) {
      let x1 = a1 + <usize>r * <usize>lda1 * F, x2 = a2 + <usize>r * <usize>lda2 * F;
      let ir = init + <usize>r * <usize>ldi * F + <usize>c0 * F;
      let cr = c + <usize>r * <usize>ldc * F + <usize>c0 * F;
      let j = 0;
      // four outputs at a time, kept in locals across both sources
      for (; j + 4 <= w; j += 4) {
        let o = <usize>j * F;
        let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
        if (init) { s0 = load<f32>(ir + o); s1 = load<f32>(ir + o, 4); s2 = load<f32>(ir + o, 8); s3 = load<f32>(ir + o, 12); }
        let bp = p1 + o;
        for (let i = 0; i < k1; i++) {
          let av = load<f32>(x1 + <usize>i * F);
          s0 += av * load<f32>(bp); s1 += av * load<f32>(bp, 4); s2 += av * load<f32>(bp, 8); s3 += av * load<f32>(bp, 12);
          bp += wS;
        }
        bp = p2 + o;
        for (let i = 0; i < k2; i++) {
          let av = load<f32>(x2 + <usize>i * F);
          s0 += av * load<f32>(bp); s1 += av * load<f32>(bp, 4); s2 += av * load<f32>(bp, 8); s3 += av * load<f32>(bp, 12);
          bp += wS;
        }
        store<f32>(cr + o, s0); store<f32>(cr + o, s1, 4); store<f32>(cr + o, s2, 8); store<f32>(cr + o, s3, 12);
      }
      for (; j < w; j++) {
        let o = <usize>j * F;
        let s: f32 = init ? load<f32>(ir + o) : 0;
        let bp = p1 + o;
        for (let i = 0; i < k1; i++) { s += load<f32>(x1 + <usize>i * F) * load<f32>(bp); bp += wS; }
        bp = p2 + o;
        for (let i = 0; i < k2; i++) { s += load<f32>(x2 + <usize>i * F) * load<f32>(bp); bp += wS; }
        store<f32>(cr + o, s);
      }
    }
  }
}

// Packs the [k, m] matrix at src (row stride ld elements) into dst in the panel layout.
export function packF32(src: usize, ld: i32, k: i32, m: i32, dst: usize): void {
  for (let c0 = 0; c0 < m; c0 += PANEL) {
    let w = min(PANEL, m - c0);
    let d = dst + <usize>c0 * <usize>k * F;
    for (let i = 0; i < k; i++) {
      memory.copy(d + <usize>i * <usize>w * F, src + (<usize>i * <usize>ld + <usize>c0) * F, <usize>w * F);
    }
  }
}

// Rewrites one [k, gh] weight tensor in place as packed segments: [0, seg), then [seg, gh) when
// seg < gh (the GRU). The full 24-column panels of the first segment are a transpose of a
// k x P matrix of 96-byte blocks (row i, panel j), done in place by following the cycles of the
// permutation (block i*P + j goes to j*k + i, that is index * k modulo kP - 1, with a bitmap of
// the blocks moved); the second segment and the narrow last panel are taken out of the rows
// first (split) and written back in their packed order. Extra memory: k * (gh - seg) and
// k * (seg % 24) floats and kP bits, not a copy of the tensor. False if memory runs out (the
// load fails; the tensor is then garbage).
const blocks = memory.data(PANEL * 4 * 2);
function packTensor(p: usize, k: i32, gh: i32, seg: i32): bool {
  let K = <usize>k;
  let P = <usize>(seg / PANEL), c0 = <i32>P * PANEL, t = seg - c0;
  let N = K * P;
  let s2 = split(p, K, gh, seg), st = split(p, K, seg, c0);
  let seen = P > 1 && K > 1 ? alloc((N + 7) >> 3) : 1;
  if (s2 == 0 || st == 0 || seen == 0) return false;
  if (seen > 1) {
    let E = <usize>PANEL * F;
    let a = blocks, b = blocks + E;
    for (let s: usize = 1; s < N - 1; s++) {
      if (load<u8>(seen + (s >> 3)) & (1 << <u8>(s & 7))) continue;
      memory.copy(a, p + s * E, E);
      let cur = s;
      do {
        cur = <usize>((<u64>cur * <u64>K) % <u64>(N - 1));
        memory.copy(b, p + cur * E, E);
        memory.copy(p + cur * E, a, E);
        let x = a; a = b; b = x;
        store<u8>(seen + (cur >> 3), load<u8>(seen + (cur >> 3)) | (1 << <u8>(cur & 7)));
      } while (cur != s);
    }
    free(seen);
  }
  if (st > 1) { memory.copy(p + K * <usize>c0 * F, st, K * <usize>t * F); free(st); }
  if (s2 > 1) { packF32(s2, gh - seg, k, gh - seg, p + K * <usize>seg * F); free(s2); }
  return true;
}

// Takes columns [c, S) of the k rows of S floats at p into a new [k, S - c] block and closes
// the rows up to c floats. Returns the block, 1 when there is nothing to take, 0 when memory
// runs out.
function split(p: usize, K: usize, S: i32, c: i32): usize {
  let w = <usize>(S - c) * F, cB = <usize>c * F, sB = <usize>S * F;
  if (w == 0) return 1;
  let q = alloc(K * w);
  if (q == 0) return 0;
  for (let i: usize = 0; i < K; i++) {
    memory.copy(q + i * w, p + i * sB + cB, w);
    memory.copy(p + i * cB, p + i * sB, cB);
  }
  return q;
}

// At load, for float32 layer number `index`: packs W and R of each direction in place. Recurrent
// layers are packed per segment of columns that a step reads together: the four LSTM gates as
// one segment, GRU z and r (one product with h) and n (apart, it meets r) as two, the RNN and
// Dense outputs as one. A weight tensor used by an earlier slot too (the format allows a tensor
// to be shared) gets a private copy first, so that each is packed once for its own use. The
// loader calls this once every layer is planned, for the last layer first, and the slots here
// are visited last to first: so the copy is always made from bytes nobody has packed yet.
export function packLayerF32(index: i32): Status {
  let L = layerAt(index);
  let seg = L.type == LayerType.GRU ? 2 * L.units : L.gh;
  for (let d = L.dirs - 1; d >= 0; d--) {
    for (let slot: i32 = TensorSlot.R; slot >= TensorSlot.W; slot--) {
      let p = tensorPtr(L, d, slot);
      if (p == 0) continue;
      let k = slot == TensorSlot.W ? L.inSize : L.units;
      let bytes = <usize>k * <usize>L.gh * F;
      if (usedBefore(p, index, d, slot)) {
        let q = alloc(bytes);
        if (q) memory.copy(q, p, bytes);
        p = q;
        store<u32>(changetype<usize>(L) + LAYER_DESC_BYTES + (<usize>(d * 8 + slot) << 2), <u32>p);
      }
      if (p == 0 || !packTensor(p, k, L.gh, seg)) return fail(Status.OutOfMemory, Field.LayerTensorSlot, index, <i64>bytes, 0, slot);
    }
  }
  return Status.Ok;
}

// Whether weight pointer p is in a W or R slot of an earlier layer, or earlier in this one.
function usedBefore(p: usize, index: i32, dir: i32, slot: i32): bool {
  for (let l = 0; l <= index; l++) {
    let E = layerAt(l);
    for (let d = 0; d < 2; d++) {
      for (let s: i32 = TensorSlot.W; s <= TensorSlot.R; s++) {
        if (l == index && (d > dir || (d == dir && s >= slot))) return false;
        if (tensorPtr(E, d, s) == p) return true;
      }
    }
  }
  return false;
}
