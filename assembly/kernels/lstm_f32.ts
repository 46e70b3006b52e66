// lstm_f32: one time step of an LSTM layer (one direction) for n rows (streams or batch entries).
//
//   gates = b + x·W + h·R                       W [I, 4H], R [H, 4H], gate blocks i, f, g, o
//   i = f_act(clip(gi + Pi ⊙ c))                 peepholes see the old cell for i and f
//   f = input_forget ? 1 - i : f_act(clip(gf + Pf ⊙ c))
//   g = g_act(clip(gg))
//   c' = f ⊙ c + i ⊙ g
//   o = f_act(clip(go + Po ⊙ c'))                ... and the new cell for o (ONNX)
//   h' = o ⊙ h_act(c')
//
// f_act, g_act, h_act are the layer's three activations (sigmoid, tanh, tanh by default; Keras
// uses its `activation` for both g and h). clip is ONNX's optional clamp of the pre-activations.
// h and c are [n, H] contiguous and updated in place; the new h is also written to the output
// rows (stride ldo). Rows with t >= lens[r] (when lens != 0) keep their state and output zeros,
// which is ONNX Runtime's sequence_lens behaviour.
// The same kernel serves the int8-dynamic mode: only the two products change (matmul_layer.ts);
// the cell arithmetic stays float.
// The gates come from one pass over the packed W and R panels (b + x·W + h·R, matmul_layer.ts).
// Not supported: projection (PyTorch proj_size), layer normalisation.

import { Layer, tensorPtr, actCode, actAlpha, actBeta } from '../model';
import { LayerFlag, TensorSlot } from '../format';
import { Scratch } from '../scratch';
import { layerProductF } from './matmul_layer';
import { actGateF32 } from './activation';
import { vecMulAcc, vecClamp, vecLstmCell, vecMul, vecOneMinus } from './vec';

export function lstmStepF32(L: Layer, dir: i32, n: i32, x: usize, ldx: i32, h: usize, c: usize,
                            out: usize, ldo: i32, lens: usize, t: i32, ws: Scratch): void {
  let gates = ws.gates;
  let H = L.units, GH = L.gh;
  let rowBytes = <usize>GH << 2, hBytes = <usize>H << 2;
  layerProductF(L, dir, n, x, ldx, h, H, 0, GH, tensorPtr(L, dir, TensorSlot.B), 0, gates, GH, ws);

  let flags = L.flags;
  let peep = tensorPtr(L, dir, TensorSlot.P);
  let clip = L.clip;
  let fCode = actCode(L, dir, 0), fA = actAlpha(L, dir, 0), fB = actBeta(L, dir, 0);
  let gCode = actCode(L, dir, 1), gA = actAlpha(L, dir, 1), gB = actBeta(L, dir, 1);
  let hCode = actCode(L, dir, 2), hA = actAlpha(L, dir, 2), hB = actBeta(L, dir, 2);
  for (let r = 0; r < n; r++) {
    let orow = out + <usize>r * (<usize>ldo << 2);
    if (lens != 0 && t >= load<i32>(lens + (<usize>r << 2))) {
      memory.fill(orow, 0, hBytes);
      continue;
    }
    let gi = gates + <usize>r * rowBytes;
    let gf = gi + hBytes, gg = gf + hBytes, go = gg + hBytes;
    let cr = c + <usize>r * hBytes, hr = h + <usize>r * hBytes;
    if (flags & LayerFlag.Peephole) {
      vecMulAcc(gi, peep, cr, H);
      vecMulAcc(gf, peep + hBytes, cr, H);
    }
    if (flags & LayerFlag.Clip) vecClamp(gi, clip, 3 * H);
    if (flags & LayerFlag.InputForget) {
      actGateF32(fCode, fA, fB, gi, H);
      vecOneMinus(gf, gi, H);
    } else {
      actGateF32(fCode, fA, fB, gi, 2 * H);
    }
    actGateF32(gCode, gA, gB, gg, H);
    vecLstmCell(cr, gf, gi, gg, H);         // c' to c and to the g block, free now
    if (flags & LayerFlag.Peephole) vecMulAcc(go, peep + 2 * hBytes, cr, H);
    if (flags & LayerFlag.Clip) vecClamp(go, clip, H);
    actGateF32(fCode, fA, fB, go, H);
    actGateF32(hCode, hA, hB, gg, H);
    vecMul(hr, go, gg, H);
    memory.copy(orow, hr, hBytes);
  }
}
