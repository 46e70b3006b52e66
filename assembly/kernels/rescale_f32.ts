// rescale_f32: the int8-dynamic epilogue,
//   y[r][j] += f32(acc[r][j] - zx[r] * sum[j]) * sw[j] * sx[r]
// (acc over the input's unsigned codes, its zero point zx times the weight row's sum, per-row
// weight scale as bfloat16, per-row input scale), scalar reference. rescale_f32_simd.ts is the
// SIMD twin: the same integer and IEEE operations per element, in the same order.

export function rescaleAddScalar(acc: usize, n: i32, m: i32, sw: usize, sum: usize, sx: usize, zx: usize, y: usize, ldy: i32): void {
  for (let r = 0; r < n; r++) {
    let ar = acc + <usize>r * (<usize>m << 2);
    let yr = y + <usize>r * (<usize>ldy << 2);
    let s = load<f32>(sx + (<usize>r << 2));
    let z = load<i32>(zx + (<usize>r << 2));
    for (let j = 0; j < m; j++) {
      let o = <usize>j << 2;
      let w = reinterpret<f32>(<u32>load<u16>(sw + (<usize>j << 1)) << 16);
      let a = load<i32>(ar + o) - z * load<i32>(sum + o);
      store<f32>(yr + o, load<f32>(yr + o) + <f32>a * w * s);
    }
  }
}
