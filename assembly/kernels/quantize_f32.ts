// quantize_f32: rows of floats -> int16 rows holding int8 values, for the int8-dynamic mode and
// the model input of the int8 mode. Scalar reference; quantize_f32_simd.ts is the SIMD twin with
// the same operations per element (max and abs are exact, the rest is one multiply and a
// round-to-nearest-even), so both give the same bits.
//
// quantizeRowsDynamic: per row, the range [lo, hi] of its values widened to include 0, scale
// s = (hi - lo) / 255, zero point z = nearest(-lo * inv) with inv = 255 / (hi - lo), and
// q = clamp(nearest(x * inv) + z, 0, 255): 256 levels over the row's own range, as ONNX Runtime's
// DynamicQuantizeLinear does (uint8). q and z go to int16 rows, scales and zero points per row.
// A row of zeros gets s = 0, z = 0, q = 0. Rows are zero-padded from k to kp.
// quantizeRowsAffine: q = clamp(nearest(x * inv) + zp, -128, 127) with a fixed scale (int8 mode).
// Both write integers ready for matmul_s8.

export function quantizeRowsDynamicScalar(x: usize, ldx: i32, n: i32, k: i32, kp: i32, q: usize, scales: usize, zps: usize): void {
  for (let r = 0; r < n; r++) {
    let xr = x + <usize>r * (<usize>ldx << 2);
    let qr = q + <usize>r * (<usize>kp << 1);
    let lo: f32 = 0, hi: f32 = 0;
    for (let i = 0; i < k; i++) {
      let v = load<f32>(xr + (<usize>i << 2));
      lo = min<f32>(lo, v);
      hi = max<f32>(hi, v);
    }
    let range = hi - lo;
    let inv: f32 = range > 0 ? <f32>255.0 / range : 0;
    let zp = nearest<f32>(-lo * inv);
    store<f32>(scales + (<usize>r << 2), range / <f32>255.0);
    store<i32>(zps + (<usize>r << 2), <i32>zp);
    for (let i = 0; i < k; i++) {
      let v = nearest<f32>(load<f32>(xr + (<usize>i << 2)) * inv) + zp;
      store<i16>(qr + (<usize>i << 1), <i16><i32>(min<f32>(max<f32>(v, 0), 255)));
    }
    for (let i = k; i < kp; i++) store<i16>(qr + (<usize>i << 1), 0);
  }
}

export function quantizeRowsAffineScalar(x: usize, ldx: i32, n: i32, k: i32, inv: f32, zp: i32, q: usize, ldq: i32): void {
  let fzp = <f32>zp;
  for (let r = 0; r < n; r++) {
    let xr = x + <usize>r * (<usize>ldx << 2);
    let qr = q + <usize>r * <usize>ldq;
    for (let i = 0; i < k; i++) {
      let v = nearest<f32>(load<f32>(xr + (<usize>i << 2)) * inv) + fzp;
      store<i8>(qr + <usize>i, <i8><i32>(min<f32>(max<f32>(v, -128), 127)));
    }
  }
}
