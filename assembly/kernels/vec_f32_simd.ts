// vec_f32_simd: SIMD128 twin of vec_f32.ts, same signatures, same bits; tails go to the scalar code.

import {
  vecMulAccScalar, vecClampScalar, vecLstmCellScalar, vecMulScalar, vecOneMinusScalar, vecGruUpdateScalar,
} from './vec_f32';

export function vecMulAccSimd(dst: usize, a: usize, b: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), f32x4.mul(v128.load(a + o), v128.load(b + o))));
  }
  if (i < n) { let o = <usize>i << 2; vecMulAccScalar(dst + o, a + o, b + o, n - i); }
}

export function vecClampSimd(p: usize, lim: f32, n: i32): void {
  let hi = f32x4.splat(lim), lo = f32x4.splat(-lim);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let o = <usize>i << 2;
    v128.store(p + o, f32x4.min(f32x4.max(v128.load(p + o), lo), hi));
  }
  if (i < n) vecClampScalar(p + (<usize>i << 2), lim, n - i);
}

export function vecLstmCellSimd(c: usize, f: usize, ig: usize, g: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let o = <usize>i << 2;
    v128.store(c + o, f32x4.add(f32x4.mul(v128.load(f + o), v128.load(c + o)), f32x4.mul(v128.load(ig + o), v128.load(g + o))));
  }
  if (i < n) { let o = <usize>i << 2; vecLstmCellScalar(c + o, f + o, ig + o, g + o, n - i); }
}

export function vecMulSimd(dst: usize, a: usize, b: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let o = <usize>i << 2;
    v128.store(dst + o, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  if (i < n) { let o = <usize>i << 2; vecMulScalar(dst + o, a + o, b + o, n - i); }
}

export function vecOneMinusSimd(dst: usize, src: usize, n: i32): void {
  let one = f32x4.splat(1.0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let o = <usize>i << 2;
    v128.store(dst + o, f32x4.sub(one, v128.load(src + o)));
  }
  if (i < n) { let o = <usize>i << 2; vecOneMinusScalar(dst + o, src + o, n - i); }
}

export function vecGruUpdateSimd(h: usize, z: usize, nn: usize, n: i32): void {
  let one = f32x4.splat(1.0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let o = <usize>i << 2;
    let zi = v128.load(z + o);
    v128.store(h + o, f32x4.add(f32x4.mul(f32x4.sub(one, zi), v128.load(nn + o)), f32x4.mul(zi, v128.load(h + o))));
  }
  if (i < n) { let o = <usize>i << 2; vecGruUpdateScalar(h + o, z + o, nn + o, n - i); }
}
