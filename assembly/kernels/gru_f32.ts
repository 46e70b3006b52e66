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
// scratch: gates [n, 3H] and aux [n, H]. Also the int8-dynamic mode (see lstm_f32.ts).
// Products: z and r in one pass over the packed W and R panels of their two blocks, x·Wn apart,
// h·Rn apart (variant B) or after the reset (variant A).

import { Layer, tensorPtr, actCode, actAlpha, actBeta } from '../model';
import { LayerFlag, TensorSlot } from '../format';
import { Scratch } from '../scratch';
import { layerProductF } from './matmul_layer';
import { actGateF32 } from './activation';
import { vecMulAcc, vecClamp, vecMul, vecGruUpdate } from './vec';

export function gruStepF32(L: Layer, dir: i32, n: i32, x: usize, ldx: i32, h: usize,
                           out: usize, ldo: i32, lens: usize, t: i32, ws: Scratch): void {
  let gates = ws.gates, aux = ws.aux;
  let H = L.units, GH = L.gh;
  let rowBytes = <usize>GH << 2, hBytes = <usize>H << 2;
  let bias = tensorPtr(L, dir, TensorSlot.B);
  let resetAfter = (L.flags & LayerFlag.ResetAfter) != 0;
  let clipOn = (L.flags & LayerFlag.Clip) != 0, clip = L.clip;
  let gn0 = gates + 2 * hBytes;
  // z, r: b + x·W + h·R over their 2H columns; n: b + x·Wn
  layerProductF(L, dir, n, x, ldx, h, H, 0, 2 * H, bias, 0, gates, GH, ws);
  layerProductF(L, dir, n, x, ldx, 0, 0, 2 * H, H, bias ? bias + 2 * hBytes : 0, 0, gn0, GH, ws);
  if (resetAfter) layerProductF(L, dir, n, 0, 0, h, H, 2 * H, H, tensorPtr(L, dir, TensorSlot.Bn), 0, aux, H, ws);
  let fCode = actCode(L, dir, 0), fA = actAlpha(L, dir, 0), fB = actBeta(L, dir, 0);
  let gCode = actCode(L, dir, 1), gA = actAlpha(L, dir, 1), gB = actBeta(L, dir, 1);
  for (let r = 0; r < n; r++) {
    let gz = gates + <usize>r * rowBytes;
    if (clipOn) vecClamp(gz, clip, 2 * H);
    actGateF32(fCode, fA, fB, gz, 2 * H);
    let gr = gz + hBytes, gn = gr + hBytes;
    let a = aux + <usize>r * hBytes;
    if (resetAfter) vecMulAcc(gn, gr, a, H);                   // n += r ⊙ (h·Rn + Bn)
    else vecMul(a, gr, h + <usize>r * hBytes, H);              // aux = r ⊙ h
  }
  if (!resetAfter) layerProductF(L, dir, n, 0, 0, aux, H, 2 * H, H, gn0, GH, gn0, GH, ws);   // n += (r ⊙ h)·Rn
  for (let r = 0; r < n; r++) {
    let orow = out + <usize>r * (<usize>ldo << 2);
    if (lens != 0 && t >= load<i32>(lens + (<usize>r << 2))) {
      memory.fill(orow, 0, hBytes);
      continue;
    }
    let gz = gates + <usize>r * rowBytes;
    let gn = gz + 2 * hBytes;
    if (clipOn) vecClamp(gn, clip, H);
    actGateF32(gCode, gA, gB, gn, H);
    let hr = h + <usize>r * hBytes;
    vecGruUpdate(hr, gz, gn, H);
    memory.copy(orow, hr, hBytes);
  }
}
