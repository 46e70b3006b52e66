// quantize_f32_simd: the SIMD128 twin of quantize_f32.ts for the dynamic row quantization
// (the same operations per element; min and max are exact, so the range is the same too).
import { quantizeRowsDynamicScalar } from './quantize_f32';

export function quantizeRowsDynamicSimd(x: usize, ldx: i32, n: i32, k: i32, kp: i32, q: usize, scales: usize, zps: usize): void {
  if (k < 8) { quantizeRowsDynamicScalar(x, ldx, n, k, kp, q, scales, zps); return; }
  for (let r = 0; r < n; r++) {
    let xr = x + <usize>r * (<usize>ldx << 2);
    let qr = q + <usize>r * (<usize>kp << 1);
    let lov = f32x4.splat(0), hiv = f32x4.splat(0);
    let i = 0;
    for (; i + 4 <= k; i += 4) {
      let v = v128.load(xr + (<usize>i << 2));
      lov = f32x4.min(lov, v);
      hiv = f32x4.max(hiv, v);
    }
    let lo = min<f32>(min<f32>(f32x4.extract_lane(lov, 0), f32x4.extract_lane(lov, 1)), min<f32>(f32x4.extract_lane(lov, 2), f32x4.extract_lane(lov, 3)));
    let hi = max<f32>(max<f32>(f32x4.extract_lane(hiv, 0), f32x4.extract_lane(hiv, 1)), max<f32>(f32x4.extract_lane(hiv, 2), f32x4.extract_lane(hiv, 3)));
    for (; i < k; i++) {
      let v = load<f32>(xr + (<usize>i << 2));
      lo = min<f32>(lo, v);
      hi = max<f32>(hi, v);
    }
    let range = hi - lo;
    let inv: f32 = range > 0 ? <f32>255.0 / range : 0;
    let zp = nearest<f32>(-lo * inv);
    store<f32>(scales + (<usize>r << 2), range / <f32>255.0);
    store<i32>(zps + (<usize>r << 2), <i32>zp);
    let iv = f32x4.splat(inv), zv = f32x4.splat(zp), lim0 = f32x4.splat(0), lim1 = f32x4.splat(255);
    i = 0;
    for (; i + 8 <= k; i += 8) {
      let a = i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.max(f32x4.add(f32x4.nearest(f32x4.mul(v128.load(xr + (<usize>i << 2)), iv)), zv), lim0), lim1));
      let b = i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.max(f32x4.add(f32x4.nearest(f32x4.mul(v128.load(xr + (<usize>i << 2), 16), iv)), zv), lim0), lim1));
      v128.store(qr + (<usize>i << 1), i16x8.narrow_i32x4_s(a, b));
    }
    for (; i < k; i++) {
      let v = nearest<f32>(load<f32>(xr + (<usize>i << 2)) * inv) + zp;
      store<i16>(qr + (<usize>i << 1), <i16><i32>(min<f32>(max<f32>(v, 0), 255)));
    }
    for (; i < kp; i++) store<i16>(qr + (<usize>i << 1), 0);
  }
}
