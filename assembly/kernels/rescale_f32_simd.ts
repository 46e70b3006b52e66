// rescale_f32_simd: SIMD128 twin of rescale_f32.ts (same operations per element).
import { rescaleAddScalar } from './rescale_f32';

export function rescaleAddSimd(acc: usize, n: i32, m: i32, sw: usize, sum: usize, sx: usize, zx: usize, y: usize, ldy: i32): void {
  for (let r = 0; r < n; r++) {
    let ar = acc + <usize>r * (<usize>m << 2);
    let yr = y + <usize>r * (<usize>ldy << 2);
    let s = load<f32>(sx + (<usize>r << 2));
    let sv = f32x4.splat(s);
    let zv = i32x4.splat(load<i32>(zx + (<usize>r << 2)));
    let j = 0;
    for (; j + 4 <= m; j += 4) {
      let o = <usize>j << 2;
      let w = i32x4.shl(i32x4.extend_low_i16x8_u(v128.load64_zero(sw + (<usize>j << 1))), 16);
      let a = i32x4.sub(v128.load(ar + o), i32x4.mul(zv, v128.load(sum + o)));
      v128.store(yr + o, f32x4.add(v128.load(yr + o), f32x4.mul(f32x4.mul(f32x4.convert_i32x4_s(a), w), sv)));
    }
    if (j < m) {
      let o = <usize>j << 2;
      // the tail as a one-row call of the reference (sx, zx + r*4 point at this row's values)
      rescaleAddScalar(ar + o, 1, m - j, sw + (<usize>j << 1), sum + o, sx + (<usize>r << 2), zx + (<usize>r << 2), yr + o, ldy);
    }
  }
}
