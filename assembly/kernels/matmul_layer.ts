// The matrix products of the float-state kernels (f32 and int8-dynamic modes):
//   y[n, mc] = init + x[n, kx]·W[:, m0 .. m0+mc) + h[n, kh]·R[:, m0 .. m0+mc)
// x = 0 leaves out the W term, h = 0 the R term. init: a row used for every row (ldi = 0, the
// bias), y itself (ldi = ldy: accumulate), or 0 (zeros). m0 is the start of a packed segment
// (gemm_f32.ts, packLayerF32): 0, or 2H for the GRU n gate.
// f32 mode: one pass over the panel-packed weights for both terms (gemm_f32.ts).
// int8-dynamic mode: weights are int8 output-major [outputs, k] with per-row bf16 scales; each row
// of x is quantized on the fly to 256 levels over its own range (scale and zero point per row),
// multiplied in integers, and the int32 sums, corrected by the zero point times the weight row
// sums (prepared at load), are scaled back into y after y is set to init.

import { Layer, tensorPtr, scalePtr, rowSumPtr } from '../model';
import { Mode, TensorSlot } from '../format';
import { Scratch } from '../scratch';
import { gemmF32 } from './gemm';
import { roundUp16 } from './matmul_s8';
import { matmulS8, quantizeRowsDynamic, rescaleAdd } from './dispatch_s8';

export function layerProductF(L: Layer, dir: i32, n: i32, x: usize, ldx: i32, h: usize, ldh: i32,
                              m0: i32, mc: i32, init: usize, ldi: i32, y: usize, ldy: i32, ws: Scratch): void {
  let kx = x ? L.inSize : 0, kh = h ? L.units : 0;
  if (L.mode == Mode.F32) {
    let W = tensorPtr(L, dir, TensorSlot.W) + <usize>m0 * <usize>kx * 4;
    let R = tensorPtr(L, dir, TensorSlot.R) + <usize>m0 * <usize>kh * 4;
    gemmF32(n, x, ldx, kx, W, h, ldh, kh, R, mc, init, ldi, y, ldy);
    return;
  }
  if (init != y) {
    let rowBytes = <usize>mc << 2;
    for (let r = 0; r < n; r++) {
      let d = y + <usize>r * (<usize>ldy << 2);
      if (init) memory.copy(d, init + <usize>r * (<usize>ldi << 2), rowBytes); else memory.fill(d, 0, rowBytes);
    }
  }
  if (x) matmulQ(L, dir, TensorSlot.W, x, ldx, n, kx, m0, mc, y, ldy, ws);
  if (h) matmulQ(L, dir, TensorSlot.R, h, ldh, n, kh, m0, mc, y, ldy, ws);
}

// int8-dynamic: y[n, mc] += x · (outputs m0 .. m0+mc of the int8 weight in `slot`).
function matmulQ(L: Layer, dir: i32, slot: i32, x: usize, ldx: i32, n: i32, k: i32,
                 m0: i32, mc: i32, y: usize, ldy: i32, ws: Scratch): void {
  let w = tensorPtr(L, dir, slot);
  let kp = roundUp16(k);
  quantizeRowsDynamic(x, ldx, n, k, kp, ws.q, ws.qscale, ws.qzero);
  matmulS8(ws.q, kp, n, k, w + <usize>m0 * <usize>k, mc, ws.acc, mc);
  rescaleAdd(ws.acc, n, mc, scalePtr(L, dir, slot) + (<usize>m0 << 1), rowSumPtr(L, dir, slot) + (<usize>m0 << 2), ws.qscale, ws.qzero, y, ldy);
}
