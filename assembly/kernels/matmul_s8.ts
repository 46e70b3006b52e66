// matmul_s8: acc[r][m] = sum_k x[r][k] * w[m][k] in int32 over weights packed at load, the
// scalar reference kernel. matmul_s8_simd.ts is its SIMD twin, with the same signature and the
// same (exact) results.
//
//   x    int16 [n, kp]: input rows, already widened from int8 or quantized (and zero-padded from
//        k to kp = k rounded up to 16)
//   w    int8: the [m, k] weights of outputs m, packed (below)
//   acc  int32 [n, ldacc]: results, overwritten
// Integer sums are exact, so any summation order gives the same bits. With int8 weights and
// inputs up to 255 a row of k <= 32768 terms stays below 2^31 (the loader enforces the bound).
//
// Packed layout of [m, k], the same size as the original: panels of 16 output rows (the last
// one has the rest), and in a panel of pw rows
//   for each pair of columns (2j, 2j + 1): for each row i < pw: w[i][2j], w[i][2j + 1]
//   then, when k is odd, the last column: w[i][k - 1] for each i < pw.
// Eight consecutive bytes thus hold four rows times two columns, which one i32x4.dot_i16x8_s
// against the splat column pair of x turns into those four rows' partial sums: the SIMD
// kernel's lanes are output rows and it needs no horizontal sums.
// packModelS8 packs the W and R tensors of every quantized layer in place at load: as one
// matrix, except a GRU's, packed as rows [0, 2H) (z, r) and [2H, 3H) (n), which its kernels
// multiply separately. So a product must start at the first row of one of these parts.
// A panel's bytes stay where its rows were, so packing in place needs one panel of scratch.

import { Layer, layerAt, tensorPtr, LAYER_DESC_BYTES } from '../model';
import { LayerType, TensorSlot, Mode } from '../format';
import { alloc, free } from '../memory';

// The padded row length of matmul inputs.
// @ts-ignore: decorator
@inline export function roundUp16(k: i32): i32 { return (k + 15) & ~15; }

// @ts-ignore: decorator
@inline export const PANEL_ROWS: i32 = 16;

export function matmulS8Scalar(x: usize, kp: i32, n: i32, k: i32, w: usize, m: i32, acc: usize, ldacc: i32): void {
  let kk = k & ~1;
  for (let r0 = 0; r0 < m; r0 += PANEL_ROWS) {
    let pw = min(PANEL_ROWS, m - r0);
    let p = w + <usize>r0 * <usize>k;
    for (let r = 0; r < n; r++) {
      let xr = x + <usize>r * (<usize>kp << 1);
      for (let i = 0; i < pw; i++) {
        let s = 0;
        let q = p + (<usize>i << 1);
        for (let j = 0; j < kk; j += 2) {
          s += <i32>load<i16>(xr + (<usize>j << 1)) * <i32>load<i8>(q) + <i32>load<i16>(xr + (<usize>j << 1), 2) * <i32>load<i8>(q, 1);
          q += <usize>pw << 1;
        }
        if (k & 1) s += <i32>load<i16>(xr + (<usize>kk << 1)) * <i32>load<i8>(p + <usize>pw * <usize>kk + <usize>i);
        store<i32>(acc + <usize>r * (<usize>ldacc << 2) + (<usize>(r0 + i) << 2), s);
      }
    }
  }
}

// Packs the pw <= 16 rows [pw, k] at src into dst (another place): one panel.
function packPanel(src: usize, pw: i32, k: i32, dst: usize): void {
  let kk = k & ~1;
  for (let i = 0; i < pw; i++) {
    let s = src + <usize>i * <usize>k;
    let q = dst + (<usize>i << 1);
    for (let j = 0; j < kk; j += 2) {
      store<u16>(q, load<u16>(s + <usize>j));
      q += <usize>pw << 1;
    }
    if (k & 1) store<i8>(dst + <usize>pw * <usize>kk + <usize>i, load<i8>(s + <usize>kk));
  }
}

// Packs [m, k] at src into dst: a panel of rows r0 .. r0 + pw - 1 keeps their bytes' place, so
// src may be dst when tmp (16·k bytes) is given to hold each panel on the way.
export function packS8(src: usize, m: i32, k: i32, dst: usize, tmp: usize = 0): void {
  for (let r0 = 0; r0 < m; r0 += PANEL_ROWS) {
    let pw = min(PANEL_ROWS, m - r0);
    let o = <usize>r0 * <usize>k;
    let from = src + o;
    if (tmp) { memory.copy(tmp, from, <usize>pw * <usize>k); from = tmp; }
    packPanel(from, pw, k, dst + o);
  }
}

// @ts-ignore: decorator
@inline function slotAddr(L: Layer, d: i32, slot: i32): usize {
  return changetype<usize>(L) + LAYER_DESC_BYTES + (<usize>(d * 8 + slot) << 2);
}

// At load, once every layer is planned (after the int8-dynamic row sums): packs W and R of
// every quantized layer in place, a panel at a time (through 16·k bytes of scratch). A tensor
// named by two slots is copied for the later one first (slots are visited last to first, so
// the copy is made from the unpacked bytes). Returns false without memory.
export function packModelS8(count: i32): bool {
  for (let l = count - 1; l >= 0; l--) {
    let L = layerAt(l);
    if (L.mode == Mode.F32) continue;
    for (let d = L.dirs - 1; d >= 0; d--) {
      for (let slot: i32 = TensorSlot.R; slot >= TensorSlot.W; slot--) {
        let p = tensorPtr(L, d, slot);
        if (p == 0) continue;
        let k = slot == TensorSlot.W ? L.inSize : L.units;
        let bytes = <usize>L.gh * <usize>k;
        if (seenBefore(p, l, d, slot)) {
          let q = alloc(bytes + 32);   // as much read slack as the model block has
          if (q == 0) return false;
          memory.copy(q, p, bytes);
          p = q;
          store<u32>(slotAddr(L, d, slot), <u32>p);
        }
        let tmp = alloc(<usize>PANEL_ROWS * <usize>k);
        if (tmp == 0) return false;
        let part = L.type == LayerType.GRU ? 2 * L.units : L.gh;
        packS8(p, part, k, p, tmp);
        packS8(p + <usize>part * <usize>k, L.gh - part, k, p + <usize>part * <usize>k, tmp);
        free(tmp);
      }
    }
  }
  return true;
}

// Whether weight pointer p is in a W or R slot of an earlier layer, or earlier in this one.
function seenBefore(p: usize, index: i32, dir: i32, slot: i32): bool {
  for (let l = 0; l <= index; l++) {
    let E = layerAt(l);
    if (E.mode == Mode.F32) continue;
    for (let d = 0; d < E.dirs; d++) {
      for (let s: i32 = TensorSlot.W; s <= TensorSlot.R; s++) {
        if (l == index && (d > dir || (d == dir && s >= slot))) return false;
        if (tensorPtr(E, d, s) == p) return true;
      }
    }
  }
  return false;
}
