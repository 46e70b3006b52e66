// vec_f32_simd: SIMD128 twin of vec_f32.ts, same signatures, same bits; tails go to the scalar code.
// The clamp (ONNX clip) and 1 - x (input_forget) of rare configurations have no twin: both
// builds run the scalar code (vec.ts).

import {
  vecMulAccScalar, vecLstmCellScalar, vecMulScalar, vecGruUpdateScalar,
} from './vec_f32';

export function vecMulAccSimd(dst: usize, a: usize, b: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), f32x4.mul(v128.load(a + o), v128.load(b + o))));
  }
  if (i < n) { let o = <usize>i << 2; vecMulAccScalar(dst + o, a + o, b + o, n - i); }
}

export function vecLstmCellSimd(c: usize, f: usize, ig: usize, g: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let o = <usize>i << 2;
    let v = f32x4.add(f32x4.mul(v128.load(f + o), v128.load(c + o)), f32x4.mul(v128.load(ig + o), v128.load(g + o)));
    v128.store(c + o, v);
    v128.store(g + o, v);
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
