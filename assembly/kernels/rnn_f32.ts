// rnn_f32: one time step of a simple (Elman) RNN layer for n rows.
//   h' = f_act(clip(x·W + h·R + b))      W [I, H], R [H, H]; f_act tanh by default (relu, ...)
// h is [n, H] contiguous and updated in place; the new h is also written to the output rows.
// Rows with t >= lens[r] (lens != 0) keep their state and output zeros.

import { Layer, tensorPtr, actCode, actAlpha, actBeta } from '../model';
import { LayerFlag, TensorSlot } from '../format';
import { Scratch } from '../scratch';
import { layerProductF } from './matmul_layer';
import { actGateF32 } from './activation';
import { vecClamp } from './vec';

export function rnnStepF32(L: Layer, dir: i32, n: i32, x: usize, ldx: i32, h: usize,
                           out: usize, ldo: i32, lens: usize, t: i32, ws: Scratch): void {
  let gates = ws.gates;
  let H = L.units;
  let hBytes = <usize>H << 2;
  layerProductF(L, dir, n, x, ldx, h, H, 0, H, tensorPtr(L, dir, TensorSlot.B), 0, gates, H, ws);
  let fCode = actCode(L, dir, 0), fA = actAlpha(L, dir, 0), fB = actBeta(L, dir, 0);
  let clipOn = (L.flags & LayerFlag.Clip) != 0;
  for (let r = 0; r < n; r++) {
    let orow = out + <usize>r * (<usize>ldo << 2);
    if (lens != 0 && t >= load<i32>(lens + (<usize>r << 2))) {
      memory.fill(orow, 0, hBytes);
      continue;
    }
    let g = gates + <usize>r * hBytes;
    if (clipOn) vecClamp(g, L.clip, H);
    actGateF32(fCode, fA, fB, g, H);
    memory.copy(h + <usize>r * hBytes, g, hBytes);
    memory.copy(orow, g, hBytes);
  }
}
