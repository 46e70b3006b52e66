// vec_f32: the element-wise float32 helpers of the recurrent cells, scalar reference.
// vec_f32_simd.ts is the SIMD twin; each lane performs the same operations in the same order.
// All pointers address n contiguous floats; dst may alias an input where noted.

// dst[i] += a[i] * b[i]            (peepholes)
export function vecMulAccScalar(dst: usize, a: usize, b: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    let o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(a + o) * load<f32>(b + o));
  }
}

// p[i] = min(max(p[i], -lim), lim)  (ONNX clip of gate pre-activations)
export function vecClampScalar(p: usize, lim: f32, n: i32): void {
  for (let i = 0; i < n; i++) {
    let o = <usize>i << 2;
    store<f32>(p + o, min<f32>(max<f32>(load<f32>(p + o), -lim), lim));
  }
}

// c[i] = g[i] = f[i] * c[i] + i[i] * g[i]  (LSTM cell update, in place on c; the new cell also
// replaces g, where the step applies h_act to it)
export function vecLstmCellScalar(c: usize, f: usize, ig: usize, g: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    let o = <usize>i << 2;
    let v = load<f32>(f + o) * load<f32>(c + o) + load<f32>(ig + o) * load<f32>(g + o);
    store<f32>(c + o, v);
    store<f32>(g + o, v);
  }
}

// dst[i] = a[i] * b[i]   (dst may alias a or b)
export function vecMulScalar(dst: usize, a: usize, b: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    let o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(a + o) * load<f32>(b + o));
  }
}

// dst[i] = 1 - src[i]
export function vecOneMinusScalar(dst: usize, src: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    let o = <usize>i << 2;
    store<f32>(dst + o, <f32>1.0 - load<f32>(src + o));
  }
}

// h[i] = (1 - z[i]) * nn[i] + z[i] * h[i]   (GRU state update, in place on h)
export function vecGruUpdateScalar(h: usize, z: usize, nn: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    let o = <usize>i << 2;
    let zi = load<f32>(z + o);
    store<f32>(h + o, (<f32>1.0 - zi) * load<f32>(nn + o) + zi * load<f32>(h + o));
  }
}
