// gru_f32: one time step of a GRU layer (one direction) for n rows.
//
//   z = f_act(clip(x·Wz + h·Rz + bz))            gate blocks in W, R, b: z, r, n
//   r = f_act(clip(x·Wr + h·Rr + br))            (bz, br hold input + recurrent bias summed)
//   variant A, reset before (Keras reset_after=False, ONNX linear_before_reset=0):
//     n = g_act(clip(x·Wn + bn + (r ⊙ h)·Rn))    (bn = input + recurrent n bias)
//   variant B, reset after (PyTorch, Keras reset_after=True, ONNX linear_before_reset=1):
//     n = g_act(clip(x·Wn + bn + r ⊙ (h·Rn + Bn)))   (Bn = recurrent n bias, its own tensor)
//   h' = (1 - z) ⊙ n + z ⊙ h
//
// h is [n, H] contiguous and updated in place; the new h is also written to the output rows.
// Rows with t >= lens[r] (lens != 0) keep their state and output zeros.
// scratch: gates [n, 3H] then aux [n, H].

import { Layer, tensorPtr, actCode, actAlpha, actBeta } from '../model';
import { LayerFlag, TensorSlot } from '../format';
import { gemmF32 } from './gemm';
import { fillRows } from './rows';
import { fillRows } from './rows';
import { actApplyF32 } from './activation';
import { vecMulAcc, vecClamp, vecMul, vecGruUpdate } from './vec';

export function gruStepF32(L: Layer, dir: i32, n: i32, x: usize, ldx: i32, h: usize,
                           out: usize, ldo: i32, lens: usize, t: i32, gates: usize, aux: usize): void {
  let H = L.units, GH = L.gh;
  let rowBytes = <usize>GH << 2, hBytes = <usize>H << 2;
  let bias = tensorPtr(L, dir, TensorSlot.B);
  let W = tensorPtr(L, dir, TensorSlot.W), R = tensorPtr(L, dir, TensorSlot.R);
  let resetAfter = (L.flags & LayerFlag.ResetAfter) != 0;
  let clipOn = (L.flags & LayerFlag.Clip) != 0, clip = L.clip;
  fillRows(gates, rowBytes, bias, rowBytes, n);
  gemmF32(x, ldx, n, L.inSize, W, GH, GH, gates, GH);
  // z and r: recurrent part of the first two blocks
  gemmF32(h, H, n, H, R, GH, 2 * H, gates, GH);
  let rn = R + 2 * hBytes;  // columns of the n block
  if (resetAfter) {
    let bn = tensorPtr(L, dir, TensorSlot.Bn);
    fillRows(aux, hBytes, bn, hBytes, n);
    gemmF32(h, H, n, H, rn, GH, H, aux, H);
  }
  let fCode = actCode(L, dir, 0), fA = actAlpha(L, dir, 0), fB = actBeta(L, dir, 0);
  for (let r = 0; r < n; r++) {
    let gz = gates + <usize>r * rowBytes;
    if (clipOn) vecClamp(gz, clip, 2 * H);
    actApplyF32(fCode, fA, fB, gz, 2 * H);
    let gr = gz + hBytes, gn = gr + hBytes;
    let a = aux + <usize>r * hBytes;
    if (resetAfter) vecMulAcc(gn, gr, a, H);                   // n += r ⊙ (h·Rn + Bn)
    else vecMul(a, gr, h + <usize>r * hBytes, H);              // aux = r ⊙ h
  }
  if (!resetAfter) gemmF32(aux, H, n, H, rn, GH, H, gates + 2 * hBytes, GH);   // n += (r ⊙ h)·Rn
  let gCode = actCode(L, dir, 1), gA = actAlpha(L, dir, 1), gB = actBeta(L, dir, 1);
  for (let r = 0; r < n; r++) {
    let orow = out + <usize>r * (<usize>ldo << 2);
    if (lens != 0 && t >= load<i32>(lens + (<usize>r << 2))) {
      memory.fill(orow, 0, hBytes);
      continue;
    }
    let gz = gates + <usize>r * rowBytes;
    let gn = gz + 2 * hBytes;
    if (clipOn) vecClamp(gn, clip, H);
    actApplyF32(gCode, gA, gB, gn, H);
    let hr = h + <usize>r * hBytes;
    vecGruUpdate(hr, gz, gn, H);
    memory.copy(orow, hr, hBytes);
  }
}
