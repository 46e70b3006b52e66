// gemm_f32_simd: the SIMD128 twin of gemm_f32.ts, same signature, same bits.
//   C[r][j] = init[r][j] + A1[r]·B1[:, j] + A2[r]·B2[:, j]   on panel-packed B1, B2
// Each lane of an accumulator is one element of C and sees the same sequence of multiplies and
// adds as in the scalar kernel, so results are bit-identical.
//
// Register blocking, per 24-column panel: one row against the whole panel row (six
// accumulators: a single stream's step), or four rows against 8 columns (each weight vector is
// loaded once for four streams; the panel stays in L1 while every group of four rows passes
// over it). Narrower tail panels go 8, then 4 columns at a time, then one at a time.
// Measured side by side (BENCHMARKS.md, "f32 step and call path"): 32 columns per row spill an
// accumulator in V8's register allocation (it loads an iteration's weights before its
// arithmetic), as do 6 x 8 or 4 x 12 row tiles and a two-step unrolled k loop.

import { PANEL } from './gemm_f32';

// @ts-ignore: decorator
@inline const F: usize = 4;

export function gemmF32Simd(n: i32, a1: usize, lda1: i32, k1: i32, b1: usize,
                            a2: usize, lda2: i32, k2: i32, b2: usize, m: i32,
                            init: usize, ldi: i32, c: usize, ldc: i32): void {
  let aS1 = <usize>lda1 * F, aS2 = <usize>lda2 * F, iS = <usize>ldi * F, cS = <usize>ldc * F;
  for (let c0 = 0; c0 < m; c0 += PANEL) {
    let w = min(PANEL, m - c0);
    let wS = <usize>w * F;
    let p1 = b1 + <usize>c0 * <usize>k1 * F, p2 = b2 + <usize>c0 * <usize>k2 * F;
    let ic: usize = init ? init + <usize>c0 * F : 0;
    let cc = c + <usize>c0 * F;
    let r = 0;
    // four rows at a time, 8 columns at a time
    let w8 = w & ~7;
    for (; r + 4 <= n; r += 4) {
      let x1 = a1 + <usize>r * aS1, x2 = a2 + <usize>r * aS2;
      let ir: usize = ic ? ic + <usize>r * iS : 0;
      let cr = cc + <usize>r * cS;
      for (let j = 0; j < w8; j += 8) {
        let o = <usize>j * F;
        tile4x8(x1, aS1, k1, p1 + o, x2, aS2, k2, p2 + o, wS, ir ? ir + o : 0, iS, cr + o, cS);
      }
      if (w8 < w) {
        for (let q = 0; q < 4; q++) {
          rowTail(w, w8, x1 + <usize>q * aS1, k1, p1, x2 + <usize>q * aS2, k2, p2, ir ? ir + <usize>q * iS : 0, cr + <usize>q * cS);
        }
      }
    }
    for (; r < n; r++) {
      let x1 = a1 + <usize>r * aS1, x2 = a2 + <usize>r * aS2;
      let ir: usize = ic ? ic + <usize>r * iS : 0;
      let cr = cc + <usize>r * cS;
      if (w == PANEL) row24(x1, k1, p1, x2, k2, p2, ir, cr);
      else rowTail(w, 0, x1, k1, p1, x2, k2, p2, ir, cr);
    }
  }
}

// One row against a full 24-column panel: six accumulators across both sources.
function row24(x1: usize, k1: i32, p1: usize, x2: usize, k2: i32, p2: usize, ir: usize, cr: usize): void {
  let z = f32x4.splat(0);
  let c0 = z, c1 = z, c2 = z, c3 = z, c4 = z, c5 = z;
  if (ir) {
    c0 = v128.load(ir); c1 = v128.load(ir, 16); c2 = v128.load(ir, 32);
    c3 = v128.load(ir, 48); c4 = v128.load(ir, 64); c5 = v128.load(ir, 80);
  }
  for (let s = 0; s < 2; s++) {
    let ap = s ? x2 : x1;
    let ae = ap + <usize>(s ? k2 : k1) * F;
    let bp = s ? p2 : p1;
    while (ap < ae) {
      let av = v128.load32_splat(ap);
      c0 = f32x4.add(c0, f32x4.mul(av, v128.load(bp)));
      c1 = f32x4.add(c1, f32x4.mul(av, v128.load(bp, 16)));
      c2 = f32x4.add(c2, f32x4.mul(av, v128.load(bp, 32)));
      c3 = f32x4.add(c3, f32x4.mul(av, v128.load(bp, 48)));
      c4 = f32x4.add(c4, f32x4.mul(av, v128.load(bp, 64)));
      c5 = f32x4.add(c5, f32x4.mul(av, v128.load(bp, 80)));
      bp += 96;
      ap += F;
    }
  }
  v128.store(cr, c0); v128.store(cr, c1, 16); v128.store(cr, c2, 32);
  v128.store(cr, c3, 48); v128.store(cr, c4, 64); v128.store(cr, c5, 80);
}

// Four rows (A strides aS1, aS2 bytes) against 8 columns of a panel with rows of wS bytes.
function tile4x8(x1: usize, aS1: usize, k1: i32, p1: usize, x2: usize, aS2: usize, k2: i32, p2: usize,
                 wS: usize, ir: usize, iS: usize, cr: usize, cS: usize): void {
  let z = f32x4.splat(0);
  let c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
  if (ir) {
    c00 = v128.load(ir); c01 = v128.load(ir, 16); ir += iS;
    c10 = v128.load(ir); c11 = v128.load(ir, 16); ir += iS;
    c20 = v128.load(ir); c21 = v128.load(ir, 16); ir += iS;
    c30 = v128.load(ir); c31 = v128.load(ir, 16);
  }
  for (let s = 0; s < 2; s++) {
    let aS = s ? aS2 : aS1;
    let ap = s ? x2 : x1;
    let ae = ap + <usize>(s ? k2 : k1) * F;
    let bp = s ? p2 : p1;
    while (ap < ae) {
      let w0 = v128.load(bp), w1 = v128.load(bp, 16);
      let av = v128.load32_splat(ap);
      c00 = f32x4.add(c00, f32x4.mul(av, w0)); c01 = f32x4.add(c01, f32x4.mul(av, w1));
      av = v128.load32_splat(ap + aS);
      c10 = f32x4.add(c10, f32x4.mul(av, w0)); c11 = f32x4.add(c11, f32x4.mul(av, w1));
      av = v128.load32_splat(ap + 2 * aS);
      c20 = f32x4.add(c20, f32x4.mul(av, w0)); c21 = f32x4.add(c21, f32x4.mul(av, w1));
      av = v128.load32_splat(ap + 3 * aS);
      c30 = f32x4.add(c30, f32x4.mul(av, w0)); c31 = f32x4.add(c31, f32x4.mul(av, w1));
      bp += wS;
      ap += F;
    }
  }
  v128.store(cr, c00); v128.store(cr, c01, 16); cr += cS;
  v128.store(cr, c10); v128.store(cr, c11, 16); cr += cS;
  v128.store(cr, c20); v128.store(cr, c21, 16); cr += cS;
  v128.store(cr, c30); v128.store(cr, c31, 16);
}

// One row, columns j0 .. w-1 of a panel w wide: 8, then 4 columns at a time (the second
// accumulator then repeats the first group and is not stored), then one at a time.
function rowTail(w: i32, j0: i32, x1: usize, k1: i32, p1: usize, x2: usize, k2: i32, p2: usize, ir: usize, cr: usize): void {
  let wS = <usize>w * F;
  let j = j0;
  for (; j + 4 <= w; ) {
    let o = <usize>j * F;
    let two = j + 8 <= w;
    let o2: usize = two ? 16 : 0;
    let z = f32x4.splat(0);
    let c0 = z, c1 = z;
    if (ir) { c0 = v128.load(ir + o); c1 = v128.load(ir + o + o2); }
    for (let s = 0; s < 2; s++) {
      let ap = s ? x2 : x1;
      let ae = ap + <usize>(s ? k2 : k1) * F;
      let bp = (s ? p2 : p1) + o;
      while (ap < ae) {
        let av = v128.load32_splat(ap);
        c0 = f32x4.add(c0, f32x4.mul(av, v128.load(bp)));
        c1 = f32x4.add(c1, f32x4.mul(av, v128.load(bp + o2)));
        bp += wS;
        ap += F;
      }
    }
    v128.store(cr + o, c0);
    if (two) { v128.store(cr + o, c1, 16); j += 8; } else j += 4;
  }
  for (; j < w; j++) {
    let o = <usize>j * F;
    let acc: f32 = ir ? load<f32>(ir + o) : 0;
    for (let s = 0; s < 2; s++) {
      let ap = s ? x2 : x1;
      let ae = ap + <usize>(s ? k2 : k1) * F;
      let bp = (s ? p2 : p1) + o;
      while (ap < ae) {
        acc += load<f32>(ap) * load<f32>(bp);
        bp += wS;
        ap += F;
      }
    }
    store<f32>(cr + o, acc);
  }
}
