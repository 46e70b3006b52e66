// Scratch buffers for stepping up to `rows` rows at once: one block per stream set and one for
// whole-sequence runs, planned at setup. Every kernel takes its temporaries from here.

import { maxGates, maxUnits, maxWidth, maxK, layerAt, layerCount } from './model';
import { Mode } from './format';
import { roundUp16 } from './kernels/matmul_s8';

@unmanaged export class Scratch {
  rows: i32;
  gates: usize;    // [rows, maxGates] f32 or i32 (gate pre-activations)
  aux: usize;      // [rows, maxGates] f32 or i32
  acc: usize;      // [rows, maxGates] i32 (integer accumulators)
  acc2: usize;     // [rows, maxGates] i32
  q: usize;        // [rows, kp] i16 widened / quantized input rows
  q2: usize;       // [rows, kp] i16
  qscale: usize;   // [rows] f32 per-row scales (int8-dynamic)
  qzero: usize;    // [rows] i32 per-row zero points (int8-dynamic)
  hbuf: usize;     // [rows, maxUnits * 4 bytes] gathered h rows
  cbuf: usize;     // [rows, maxUnits * 4 bytes] gathered c rows
  bufA: usize;     // [rows, maxWidth * 4 bytes] activations between layers
  bufB: usize;
  discard: usize;  // [rows, maxUnits * 4 bytes] outputs nobody reads
}

// @ts-ignore: decorator
@inline function a16(v: u64): u64 { return (v + 15) & ~<u64>15; }

// Bytes for `rows` rows; with apply != 0, lays the buffers out from `apply`.
export function scratchLayout(rows: i32, apply: usize): u64 {
  let R = <u64>rows;
  // the integer buffers only for models with an int8 or int8-dynamic layer
  let Q: u64 = 0;
  for (let i = 0; i < layerCount; i++) if (layerAt(i).mode != Mode.F32) Q = R;
  let kp = <u64>roundUp16(maxK);
  let o = a16(<u64>offsetof<Scratch>());
  let gates = o; o += a16(R * <u64>maxGates * 4);
  let aux = o; o += a16(R * <u64>maxGates * 4);
  let acc = o; o += a16(Q * <u64>maxGates * 4);
  let acc2 = o; o += a16(Q * <u64>maxGates * 4);
  let q = o; o += a16(Q * kp * 2);
  let q2 = o; o += a16(Q * kp * 2);
  let qs = o; o += a16(Q * 4);
  let qz = o; o += a16(Q * 4);
  let hb = o; o += a16(R * <u64>maxUnits * 4);
  let cb = o; o += a16(R * <u64>maxUnits * 4);
  let ba = o; o += a16(R * <u64>maxWidth * 4);
  let bb = o; o += a16(R * <u64>maxWidth * 4);
  let dc = o; o += a16(R * <u64>maxUnits * 4);
  if (apply) {
    let S = changetype<Scratch>(apply);
    S.rows = rows;
    S.gates = apply + <usize>gates;
    S.aux = apply + <usize>aux;
    S.acc = apply + <usize>acc;
    S.acc2 = apply + <usize>acc2;
    S.q = apply + <usize>q;
    S.q2 = apply + <usize>q2;
    S.qscale = apply + <usize>qs;
    S.qzero = apply + <usize>qz;
    S.hbuf = apply + <usize>hb;
    S.cbuf = apply + <usize>cb;
    S.bufA = apply + <usize>ba;
    S.bufB = apply + <usize>bb;
    S.discard = apply + <usize>dc;
  }
  return o;
}
