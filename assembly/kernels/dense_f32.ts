// dense_f32: y = act(x·W + b) for n rows, W [I, O] input-major; also the weightless Activation
// layer, y = act(x); also the int8-dynamic mode (matmul_layer.ts). Softmax and log-softmax act on each row's O features; every other
// activation is element-wise. Rows of x and y have explicit strides (ldx, ldy).

import { Layer, tensorPtr, actCode, actAlpha, actBeta } from '../model';
import { Act, LayerType, Mode, TensorSlot } from '../format';
import { Scratch } from '../scratch';
import { layerProductF } from './matmul_layer';
import { actApplyF32 } from './activation';

export function denseF32(L: Layer, n: i32, x: usize, ldx: i32, y: usize, ldy: i32, ws: Scratch): void {
  let O = L.units;
  let oBytes = <usize>O << 2;
  let yStride = <usize>ldy << 2;
  if (L.type == LayerType.Dense) {
    let bias = tensorPtr(L, 0, TensorSlot.B);
    // the int8-dynamic mode quantizes at most ws.rows rows at a time
    let step = L.mode == Mode.F32 ? n : ws.rows;
    for (let r0 = 0; r0 < n; r0 += step) {
      let nr = min(step, n - r0);
      layerProductF(L, 0, nr, x + <usize>r0 * (<usize>ldx << 2), ldx, 0, 0, 0, O, bias, 0, y + <usize>r0 * yStride, ldy, ws);
    }
  } else {
    let xStride = <usize>ldx << 2;
    for (let r = 0; r < n; r++) memory.copy(y + <usize>r * yStride, x + <usize>r * xStride, oBytes);
  }
  let code = actCode(L, 0, 0), a = actAlpha(L, 0, 0), b = actBeta(L, 0, 0);
  if (code == 0) return;
  if (ldy == O) {
    if (code != Act.Softmax && code != Act.LogSoftmax) { actApplyF32(code, a, b, y, n * O); return; }
  }
  for (let r = 0; r < n; r++) actApplyF32(code, a, b, y + <usize>r * yStride, O);
}
