// widen_s8: int8 rows -> int16 rows zero-padded to kp (the input form of matmul_s8), scalar
// reference; the SIMD twin sign-extends eight at a time. Exact, so both agree.

export function widenRowsS8Scalar(x: usize, ldx: i32, n: i32, k: i32, kp: i32, q: usize): void {
  for (let r = 0; r < n; r++) {
    let xr = x + <usize>r * <usize>ldx;
    let qr = q + <usize>r * (<usize>kp << 1);
    for (let i = 0; i < k; i++) store<i16>(qr + (<usize>i << 1), <i16>load<i8>(xr + <usize>i));
    for (let i = k; i < kp; i++) store<i16>(qr + (<usize>i << 1), 0);
  }
}

export function widenRowsS8Simd(x: usize, ldx: i32, n: i32, k: i32, kp: i32, q: usize): void {
  for (let r = 0; r < n; r++) {
    let xr = x + <usize>r * <usize>ldx;
    let qr = q + <usize>r * (<usize>kp << 1);
    let i = 0;
    for (; i + 8 <= k; i += 8) v128.store(qr + (<usize>i << 1), v128.load8x8_s(xr + <usize>i));
    for (; i < k; i++) store<i16>(qr + (<usize>i << 1), <i16>load<i8>(xr + <usize>i));
    for (; i < kp; i++) store<i16>(qr + (<usize>i << 1), 0);
  }
}
