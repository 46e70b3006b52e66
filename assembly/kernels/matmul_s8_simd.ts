// matmul_s8_simd: the SIMD128 twin of matmul_s8.ts (same signature, exact same results).
//
// Per group of four weight rows and one input row: eight int8 weights at a time are loaded and
// sign-extended to int16 (v128.load8x8_s), multiplied with eight int16 inputs and summed in
// pairs into four int32 lanes (i32x4.dot_i16x8_s), four rows in flight; the four accumulators are
// reduced together at the end of the row. The input is read over kp (a multiple of 8) with zeros
// past k, so a weight row's last load may read up to 7 bytes of whatever follows it: those bytes
// meet zeros and add nothing, and the model block carries 16 bytes of slack so the read stays
// inside it. Baseline SIMD128 only; no relaxed SIMD.

// @ts-ignore: decorator
@inline function hsum4(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  // [sum a0, sum a1, sum a2, sum a3]
  let t0 = i32x4.add(i32x4.shuffle(a0, a1, 0, 4, 1, 5), i32x4.shuffle(a0, a1, 2, 6, 3, 7));
  let t1 = i32x4.add(i32x4.shuffle(a2, a3, 0, 4, 1, 5), i32x4.shuffle(a2, a3, 2, 6, 3, 7));
  return i32x4.add(i32x4.shuffle(t0, t1, 0, 1, 4, 5), i32x4.shuffle(t0, t1, 2, 3, 6, 7));
}

export function matmulS8Simd(x: usize, kp: i32, n: i32, k: i32, w: usize, m: i32, acc: usize, ldacc: i32): void {
  let wk = <usize>k;
  let j = 0;
  for (; j + 4 <= m; j += 4) {
    let w0 = w + <usize>j * wk, w1 = w0 + wk, w2 = w1 + wk, w3 = w2 + wk;
    for (let r = 0; r < n; r++) {
      let xr = x + <usize>r * (<usize>kp << 1);
      let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
      for (let i = 0; i < kp; i += 8) {
        let xv = v128.load(xr + (<usize>i << 1));
        let o = <usize>i;
        a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load8x8_s(w0 + o), xv));
        a1 = i32x4.add(a1, i32x4.dot_i16x8_s(v128.load8x8_s(w1 + o), xv));
        a2 = i32x4.add(a2, i32x4.dot_i16x8_s(v128.load8x8_s(w2 + o), xv));
        a3 = i32x4.add(a3, i32x4.dot_i16x8_s(v128.load8x8_s(w3 + o), xv));
      }
      v128.store(acc + <usize>r * (<usize>ldacc << 2) + (<usize>j << 2), hsum4(a0, a1, a2, a3));
    }
  }
  for (; j < m; j++) {
    let w0 = w + <usize>j * wk;
    for (let r = 0; r < n; r++) {
      let xr = x + <usize>r * (<usize>kp << 1);
      let a0 = i32x4.splat(0);
      for (let i = 0; i < kp; i += 8) {
        a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load8x8_s(w0 + <usize>i), v128.load(xr + (<usize>i << 1))));
      }
      store<i32>(acc + <usize>r * (<usize>ldacc << 2) + (<usize>j << 2),
        i32x4.extract_lane(a0, 0) + i32x4.extract_lane(a0, 1) + i32x4.extract_lane(a0, 2) + i32x4.extract_lane(a0, 3));
    }
  }
}
