// The matrix product of the float-state kernels (f32 and int8-dynamic modes):
//   y[n, mc] += x[n, k] · (outputs m0 .. m0+mc of the layer's weight in `slot`)
// f32 mode: weights are input-major [k, ld] float, one gemm.
// int8-dynamic mode: weights are int8 output-major [outputs, k] with per-row bf16 scales; each row
// of x is quantized on the fly to 256 levels over its own range (scale and zero point per row),
// multiplied in integers, and the int32 sums, corrected by the zero point times the weight row
// sums (prepared at load), are scaled back into y.

import { Layer, tensorPtr, scalePtr, rowSumPtr } from '../model';
import { Mode } from '../format';
import { Scratch } from '../scratch';
import { gemmF32 } from './gemm';
import { roundUp16 } from './matmul_s8';
import { matmulS8, quantizeRowsDynamic, rescaleAdd } from './dispatch_s8';

export function layerMatmulF(L: Layer, dir: i32, slot: i32, x: usize, ldx: i32, n: i32, k: i32,
                             m0: i32, mc: i32, y: usize, ldy: i32, ws: Scratch): void {
  let w = tensorPtr(L, dir, slot);
  if (L.mode == Mode.F32) {
    gemmF32(x, ldx, n, k, w + (<usize>m0 << 2), L.gh, mc, y, ldy);
    return;
  }
  let kp = roundUp16(k);
  quantizeRowsDynamic(x, ldx, n, k, kp, ws.q, ws.qscale, ws.qzero);
  matmulS8(ws.q, kp, n, k, w + <usize>m0 * <usize>k, mc, ws.acc, mc);
  rescaleAdd(ws.acc, n, mc, scalePtr(L, dir, slot) + (<usize>m0 << 1), rowSumPtr(L, dir, slot) + (<usize>m0 << 2), ws.qscale, ws.qzero, y, ldy);
}
