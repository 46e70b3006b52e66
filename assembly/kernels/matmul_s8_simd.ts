// matmul_s8_simd: the SIMD128 twin of matmul_s8.ts (same signature, exact same results).
//
// Per group of four weight rows and one input row: sixteen int8 weights of each row are loaded
// at a time, sign-extended to two int16 halves, multiplied with sixteen int16 inputs and summed
// in pairs into four int32 lanes (i32x4.dot_i16x8_s); four rows in flight share each input
// load, and their accumulators are reduced together at the end. Walking pointers rather than
// indices keeps the loop body to the loads and arithmetic (measured: bench/kernels.ts).
// The input is read over kp (a multiple of 16) with zeros past k, so a weight row's last load
// may read up to 15 bytes of whatever follows it: those bytes meet zeros and add nothing, and
// the model block carries 16 bytes of slack so the read stays inside it. Baseline SIMD128 only.

// @ts-ignore: decorator
@inline function hsum4(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  // [sum a0, sum a1, sum a2, sum a3]
  let t0 = i32x4.add(i32x4.shuffle(a0, a1, 0, 4, 1, 5), i32x4.shuffle(a0, a1, 2, 6, 3, 7));
  let t1 = i32x4.add(i32x4.shuffle(a2, a3, 0, 4, 1, 5), i32x4.shuffle(a2, a3, 2, 6, 3, 7));
  return i32x4.add(i32x4.shuffle(t0, t1, 0, 1, 4, 5), i32x4.shuffle(t0, t1, 2, 3, 6, 7));
}

// @ts-ignore: decorator
@inline function dot16(acc: v128, w: v128, xl: v128, xh: v128): v128 {
  return i32x4.add(acc, i32x4.add(
    i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(w), xl),
    i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(w), xh)));
}

export function matmulS8Simd(x: usize, kp: i32, n: i32, k: i32, w: usize, m: i32, acc: usize, ldacc: i32): void {
  let wk = <usize>k;
  let xBytes = <usize>kp << 1;
  let j = 0;
  for (; j + 4 <= m; j += 4) {
    let wj = w + <usize>j * wk;
    for (let r = 0; r < n; r++) {
      let xp = x + <usize>r * xBytes, xe = xp + xBytes;
      let p = wj;
      let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
      while (xp < xe) {
        let xl = v128.load(xp), xh = v128.load(xp, 16);
        a0 = dot16(a0, v128.load(p), xl, xh);
        a1 = dot16(a1, v128.load(p + wk), xl, xh);
        a2 = dot16(a2, v128.load(p + 2 * wk), xl, xh);
        a3 = dot16(a3, v128.load(p + 3 * wk), xl, xh);
        xp += 32;
        p += 16;
      }
      v128.store(acc + <usize>r * (<usize>ldacc << 2) + (<usize>j << 2), hsum4(a0, a1, a2, a3));
    }
  }
  for (; j < m; j++) {
    let wj = w + <usize>j * wk;
    for (let r = 0; r < n; r++) {
      let xp = x + <usize>r * xBytes, xe = xp + xBytes;
      let p = wj;
      let a0 = i32x4.splat(0);
      while (xp < xe) {
        a0 = dot16(a0, v128.load(p), v128.load(xp), v128.load(xp, 16));
        xp += 32;
        p += 16;
      }
      store<i32>(acc + <usize>r * (<usize>ldacc << 2) + (<usize>j << 2),
        i32x4.extract_lane(a0, 0) + i32x4.extract_lane(a0, 1) + i32x4.extract_lane(a0, 2) + i32x4.extract_lane(a0, 3));
    }
  }
}
