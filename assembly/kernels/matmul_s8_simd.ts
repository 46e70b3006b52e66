// matmul_s8_simd: the SIMD twin of matmul_s8.ts (same signature, exact same results).
//
// A panel is up to sixteen rows = four groups of four. Per pair of columns, the pair of x (two
// int16, splat to all lanes) meets eight packed weight bytes per group, sign-extended as they
// are loaded (v128.load8x8_s): one i32x4.dot_i16x8_s gives four rows' partial sums, so the four
// accumulators hold the panel's rows and are stored as they are (no horizontal sums). Panels
// are the outer loop and input rows (streams) the inner one, so that with n > 1 a panel's
// 16·k weight bytes come from memory once and from L1 for the other rows (an explicit
// two-row register block measured 5 to 10 percent faster at 64 streams, for 470 bytes of a
// size-bound module: not kept). A last panel of fewer than sixteen
// rows runs the same code: its missing groups read the bytes that follow (at most 30 past the
// packed tensor: the model block's slack) and only its rows are stored. The odd last column
// of an odd k is added as the panel is stored. Baseline SIMD128 only.

import { PANEL_ROWS } from './matmul_s8';

const rowsOut = memory.data(64, 16);

// The pw rows of a panel's four accumulators at o, plus, when k is odd, the products of the
// last column (pw bytes at po) with x.
function storePanel(o: usize, a0: v128, a1: v128, a2: v128, a3: v128, pw: i32, po: usize, odd: bool, x: usize): void {
  let t = pw < PANEL_ROWS ? rowsOut : o;
  v128.store(t, a0); v128.store(t, a1, 16); v128.store(t, a2, 32); v128.store(t, a3, 48);
  if (t != o) memory.copy(o, t, <usize>pw << 2);
  if (odd) {
    let xv = <i32>load<i16>(x);
    for (let i = 0; i < pw; i++) store<i32>(o + (<usize>i << 2), load<i32>(o + (<usize>i << 2)) + xv * <i32>load<i8>(po + <usize>i));
  }
}

export function matmulS8Simd(x: usize, kp: i32, n: i32, k: i32, w: usize, m: i32, acc: usize, ldacc: i32): void {
  let xb = <usize>kp << 1, ab = <usize>ldacc << 2;
  let kk = <usize>(k & ~1);
  let odd = (k & 1) != 0;
  for (let r0 = 0; r0 < m; r0 += PANEL_ROWS) {
    let pw = min(PANEL_ROWS, m - r0);
    let stride = <usize>pw << 1;
    let p = w + <usize>r0 * <usize>k;
    let po = p + <usize>pw * kk;              // the odd column
    let out = acc + (<usize>r0 << 2);
    for (let r = 0; r < n; r++) {
      let x0 = x + <usize>r * xb, xe = x0 + (kk << 1);
      let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      let q = p;
      while (x0 < xe) {
        let s = v128.load32_splat(x0);
        a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load8x8_s(q), s));
        a1 = i32x4.add(a1, i32x4.dot_i16x8_s(v128.load8x8_s(q, 8), s));
        a2 = i32x4.add(a2, i32x4.dot_i16x8_s(v128.load8x8_s(q, 16), s));
        a3 = i32x4.add(a3, i32x4.dot_i16x8_s(v128.load8x8_s(q, 24), s));
        x0 += 4; q += stride;
      }
      storePanel(out + <usize>r * ab, a0, a1, a2, a3, pw, po, odd, x0);
    }
  }
}
