// Execution: stream sets (step-major: every layer for one time step of many independent streams)
// and whole-sequence runs (layer-major: each layer over all time steps, needed for reverse and
// bidirectional layers). Both drive the same per-layer step kernels; a sequence is a loop of
// steps. All buffers are planned by setup calls (streams create, run prepare); the step and run
// calls only read prepared parameters.

import { Status, Field, fail } from './status';
import { LayerType, OutputMode, LayerFlag, TensorSlot } from './format';
import { alloc, free } from './memory';
import {
  Layer, layerAt, tensorPtr, loaded, layerCount, inputSize, outputSize, maxWidth, maxGates,
  maxUnits, stateFloats, streamable,
} from './model';
import { lstmStepF32 } from './kernels/lstm_f32';
import { gruStepF32 } from './kernels/gru_f32';
import { rnnStepF32 } from './kernels/rnn_f32';
import { denseF32 } from './kernels/dense_f32';

// Rows stepped together; bounds scratch size independently of the number of streams.
// @ts-ignore: decorator
@inline export const STREAM_TILE: i32 = 16;
// @ts-ignore: decorator
@inline export const RUN_TILE: i32 = 64;
// @ts-ignore: decorator
@inline const MAX_SETS: i32 = 64;

export let limitStreams: i32 = 1 << 20;

// One step of layer L for n rows. h/c: [n, H] contiguous state rows (c only for LSTM).
function layerStep(L: Layer, dir: i32, n: i32, x: usize, ldx: i32, h: usize, c: usize,
                   out: usize, ldo: i32, lens: usize, t: i32, gates: usize, aux: usize): void {
  if (L.type == LayerType.LSTM) lstmStepF32(L, dir, n, x, ldx, h, c, out, ldo, lens, t, gates);
  else if (L.type == LayerType.GRU) gruStepF32(L, dir, n, x, ldx, h, out, ldo, lens, t, gates, aux);
  else rnnStepF32(L, dir, n, x, ldx, h, out, ldo, lens, t, gates);
}

// Sets a state block of `rows` rows to the layer's learned initial state (or zeros).
function initState(L: Layer, dir: i32, h: usize, c: usize, rows: i32): void {
  let hBytes = <usize>L.units << 2;
  let h0 = tensorPtr(L, dir, TensorSlot.H0), c0 = tensorPtr(L, dir, TensorSlot.C0);
  for (let r = 0; r < rows; r++) {
    let off = <usize>r * hBytes;
    if (h0) memory.copy(h + off, h0, hBytes); else memory.fill(h + off, 0, hBytes);
    if (L.hasCell) {
      if (c0) memory.copy(c + off, c0, hBytes); else memory.fill(c + off, 0, hBytes);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Stream sets

@unmanaged class StreamSet {
  cap: i32;
  tile: i32;
  block: usize;
  state: usize;    // per layer: h block [cap, H] then (LSTM) c block [cap, H]
  input: usize;    // [cap, inputSize]
  output: usize;   // [cap, outputSize]
  index: usize;    // [cap] i32 stream numbers for an indexed step
  mark: usize;     // [cap] u8, duplicate detection
  gates: usize;    // [tile, maxGates]
  aux: usize;      // [tile, maxUnits]
  hbuf: usize;     // [tile, maxUnits] gathered h rows
  cbuf: usize;     // [tile, maxUnits] gathered c rows
  bufA: usize;     // [tile, maxWidth] activations between layers
  bufB: usize;
}

const sets = memory.data(MAX_SETS * 4);

// @ts-ignore: decorator
@inline function align16(v: u64): u64 { return (v + 15) & ~<u64>15; }

function streamsLayout(cap: i32, tile: i32, apply: usize): u64 {
  // offsets of each part, all 16-byte aligned
  let capU = <u64>cap, tileU = <u64>tile;
  let oState = align16(<u64>offsetof<StreamSet>());
  let oInput = oState + align16(capU * <u64>stateFloats * 4);
  let oOutput = oInput + align16(capU * <u64>inputSize * 4);
  let oIndex = oOutput + align16(capU * <u64>outputSize * 4);
  let oMark = oIndex + align16(capU * 4);
  let oGates = oMark + align16(capU);
  let oAux = oGates + align16(tileU * <u64>maxGates * 4);
  let oH = oAux + align16(tileU * <u64>maxUnits * 4);
  let oC = oH + align16(tileU * <u64>maxUnits * 4);
  let oA = oC + align16(tileU * <u64>maxUnits * 4);
  let oB = oA + align16(tileU * <u64>maxWidth * 4);
  let total = oB + align16(tileU * <u64>maxWidth * 4);
  if (apply) {
    let S = changetype<StreamSet>(apply);
    S.state = apply + <usize>oState;
    S.input = apply + <usize>oInput;
    S.output = apply + <usize>oOutput;
    S.index = apply + <usize>oIndex;
    S.mark = apply + <usize>oMark;
    S.gates = apply + <usize>oGates;
    S.aux = apply + <usize>oAux;
    S.hbuf = apply + <usize>oH;
    S.cbuf = apply + <usize>oC;
    S.bufA = apply + <usize>oA;
    S.bufB = apply + <usize>oB;
  }
  return total;
}

export function streamsBytes(cap: i32): i32 {
  if (!loaded || cap <= 0) return 0;
  let b = streamsLayout(cap, min(cap, STREAM_TILE), 0);
  return b > 0x7FFFFFFF ? -1 : <i32>b;
}

function setAt(handle: i32): StreamSet | null {
  if (handle <= 0 || handle > MAX_SETS) return null;
  let p = <usize>load<u32>(sets + (<usize>(handle - 1) << 2));
  return p ? changetype<StreamSet>(p) : null;
}

// @ts-ignore: decorator
@inline function hBlock(S: StreamSet, L: Layer): usize {
  return S.state + <usize>S.cap * (<usize>L.stateOff << 2);
}

// @ts-ignore: decorator
@inline function cBlock(S: StreamSet, L: Layer): usize {
  return hBlock(S, L) + <usize>S.cap * (<usize>L.units << 2);
}

// Returns a handle (> 0) or minus a Status.
export function streamsCreate(cap: i32): i32 {
  if (!loaded) return -fail(Status.BadState, Field.StreamCount, -1, 0, 0);
  if (!streamable) return -fail(Status.NotStreamable, Field.LayerDirections, -1, 1, 2);
  if (cap <= 0 || cap > limitStreams) return -fail(cap <= 0 ? Status.BadArgument : Status.LimitExceeded, Field.StreamCount, -1, limitStreams, cap);
  let slot = -1;
  for (let i = 0; i < MAX_SETS; i++) {
    if (load<u32>(sets + (<usize>i << 2)) == 0) { slot = i; break; }
  }
  if (slot < 0) return -fail(Status.LimitExceeded, Field.Handle, -1, MAX_SETS, MAX_SETS + 1);
  let tile = min(cap, STREAM_TILE);
  let bytes = streamsLayout(cap, tile, 0);
  if (bytes > 0x7FFF0000) return -fail(Status.OutOfMemory, Field.StreamCount, -1, 0x7FFF0000, <i64>bytes);
  let p = alloc(<usize>bytes);
  if (p == 0) return -fail(Status.OutOfMemory, Field.StreamCount, -1, <i64>bytes, 0);
  let S = changetype<StreamSet>(p);
  S.cap = cap;
  S.tile = tile;
  S.block = p;
  streamsLayout(cap, tile, p);
  for (let s = 0; s < cap; s++) resetStream(S, s);
  store<u32>(sets + (<usize>slot << 2), <u32>p);
  return slot + 1;
}

export function streamsDestroy(handle: i32): Status {
  let S = setAt(handle);
  if (S == null) return fail(Status.BadArgument, Field.Handle, -1, 1, handle);
  store<u32>(sets + (<usize>(handle - 1) << 2), 0);
  free(S.block);
  return Status.Ok;
}

function resetStream(S: StreamSet, s: i32): void {
  for (let l = 0; l < layerCount; l++) {
    let L = layerAt(l);
    if (L.type > LayerType.RNN) continue;
    let off = <usize>s * (<usize>L.units << 2);
    initState(L, 0, hBlock(S, L) + off, L.hasCell ? cBlock(S, L) + off : 0, 1);
  }
}

export function streamsReset(handle: i32, s: i32): Status {
  let S = setAt(handle);
  if (S == null) return fail(Status.BadArgument, Field.Handle, -1, 1, handle);
  if (s < 0 || s >= S.cap) return fail(Status.BadArgument, Field.StreamIndex, s, S.cap, s);
  resetStream(S, s);
  return Status.Ok;
}

// which: 0 = input rows, 1 = output rows, 2 = index list
export function streamsBuffer(handle: i32, which: i32): usize {
  let S = setAt(handle);
  if (S == null) return 0;
  return which == 0 ? S.input : which == 1 ? S.output : which == 2 ? S.index : 0;
}

export function streamsCapacity(handle: i32): i32 {
  let S = setAt(handle);
  return S == null ? 0 : S.cap;
}

// Address of stream s's h (which = 0) or c (which = 1) row of layer l, for the host to set or
// read state (initial states, snapshot/restore). 0 if there is no such row.
export function streamsStatePtr(handle: i32, s: i32, l: i32, which: i32): usize {
  let S = setAt(handle);
  if (S == null || s < 0 || s >= S.cap || l < 0 || l >= layerCount) return 0;
  let L = layerAt(l);
  if (L.type > LayerType.RNN) return 0;
  let off = <usize>s * (<usize>L.units << 2);
  if (which == 0) return hBlock(S, L) + off;
  if (which == 1 && L.hasCell) return cBlock(S, L) + off;
  return 0;
}

// Advances `count` streams by one step. indexed = 0: streams 0..count-1, input row k is stream k.
// indexed = 1: the first `count` entries of the index list name the streams, input row k is for
// stream index[k]; each stream at most once. Output row k belongs to input row k.
export function streamsStep(handle: i32, count: i32, indexed: i32): Status {
  let S = setAt(handle);
  if (S == null) return fail(Status.BadArgument, Field.Handle, -1, 1, handle);
  if (count < 0 || count > S.cap) return fail(Status.BadArgument, Field.StreamCount, -1, S.cap, count);
  if (indexed) {
    // The only per-call check: a stream number out of range or repeated would touch another
    // stream's state. O(count), nothing is modified until it passes.
    let bad = -1;
    for (let k = 0; k < count; k++) {
      let s = load<i32>(S.index + (<usize>k << 2));
      if (<u32>s >= <u32>S.cap || load<u8>(S.mark + <usize>s)) { bad = k; break; }
      store<u8>(S.mark + <usize>s, 1);
    }
    for (let k = 0; k < count; k++) {
      let s = load<i32>(S.index + (<usize>k << 2));
      if (<u32>s < <u32>S.cap) store<u8>(S.mark + <usize>s, 0);
    }
    if (bad >= 0) return fail(Status.BadArgument, Field.StreamIndex, bad, S.cap, load<i32>(S.index + (<usize>bad << 2)));
  }
  let last = layerCount - 1;
  for (let s0 = 0; s0 < count; s0 += S.tile) {
    let n = min(S.tile, count - s0);
    let x = S.input + <usize>s0 * (<usize>inputSize << 2);
    let ldx = inputSize;
    for (let l = 0; l <= last; l++) {
      let L = layerAt(l);
      let ldo = L.outSize;
      let out = l == last ? S.output + <usize>s0 * (<usize>outputSize << 2) : (l & 1) ? S.bufB : S.bufA;
      if (L.type <= LayerType.RNN) {
        let hBytes = <usize>L.units << 2;
        let hb = hBlock(S, L), cb = L.hasCell ? cBlock(S, L) : 0;
        if (indexed) {
          for (let r = 0; r < n; r++) {
            let off = <usize>load<i32>(S.index + (<usize>(s0 + r) << 2)) * hBytes;
            memory.copy(S.hbuf + <usize>r * hBytes, hb + off, hBytes);
            if (cb) memory.copy(S.cbuf + <usize>r * hBytes, cb + off, hBytes);
          }
          layerStep(L, 0, n, x, ldx, S.hbuf, S.cbuf, out, ldo, 0, 0, S.gates, S.aux);
          for (let r = 0; r < n; r++) {
            let off = <usize>load<i32>(S.index + (<usize>(s0 + r) << 2)) * hBytes;
            memory.copy(hb + off, S.hbuf + <usize>r * hBytes, hBytes);
            if (cb) memory.copy(cb + off, S.cbuf + <usize>r * hBytes, hBytes);
          }
        } else {
          let off = <usize>s0 * hBytes;
          layerStep(L, 0, n, x, ldx, hb + off, cb ? cb + off : 0, out, ldo, 0, 0, S.gates, S.aux);
        }
      } else {
        denseF32(L, n, x, ldx, out, ldo);
      }
      x = out;
      ldx = ldo;
    }
  }
  return Status.Ok;
}

// ---------------------------------------------------------------------------------------------
// Whole-sequence runs

let runB: i32 = 0;
let runT: i32 = 0;
let runBlock: usize = 0;
let runBlockBytes: u64 = 0;
let seqA: usize = 0;       // [B, T, maxWidth] input, then ping-pong between layers
let seqB: usize = 0;
let runLens: usize = 0;    // [B] i32
let runStates: usize = 0;  // per layer, per direction: h [B, H] then c [B, H]
let runGates: usize = 0;   // [tile, maxGates]
let runAux: usize = 0;     // [tile, maxUnits]
let runDiscard: usize = 0; // [tile, maxUnits] outputs nobody reads (Last/Final modes)
let runOut: usize = 0;
let runOutSteps: i32 = 0;

function runStateFloats(): u64 {
  let f: u64 = 0;
  for (let l = 0; l < layerCount; l++) {
    let L = layerAt(l);
    if (L.type <= LayerType.RNN) f += <u64>L.dirs * <u64>L.units * <u64>(1 + L.hasCell);
  }
  return f;
}

function runLayout(B: i32, T: i32, apply: usize): u64 {
  let tile = <u64>min(B, RUN_TILE);
  let seq = align16(<u64>B * <u64>T * <u64>maxWidth * 4);
  let lens = align16(<u64>B * 4);
  let st = align16(<u64>B * runStateFloats() * 4);
  let g = align16(tile * <u64>maxGates * 4);
  let a = align16(tile * <u64>maxUnits * 4);
  if (apply) {
    seqA = apply;
    seqB = seqA + <usize>seq;
    runLens = seqB + <usize>seq;
    runStates = runLens + <usize>lens;
    runGates = runStates + <usize>st;
    runAux = runGates + <usize>g;
    runDiscard = runAux + <usize>a;
  }
  return 2 * seq + lens + st + g + 2 * a;
}

export function runBytes(B: i32, T: i32): i32 {
  if (!loaded || B <= 0 || T <= 0) return 0;
  let b = runLayout(B, T, 0);
  return b > 0x7FFFFFFF ? -1 : <i32>b;
}

export function runPrepare(B: i32, T: i32): Status {
  if (!loaded) return fail(Status.BadState, Field.BatchSize, -1, 0, 0);
  if (B <= 0 || B > limitStreams) return fail(B <= 0 ? Status.BadArgument : Status.LimitExceeded, Field.BatchSize, -1, limitStreams, B);
  if (T <= 0) return fail(Status.BadArgument, Field.TimeSteps, -1, 1, T);
  let bytes = runLayout(B, T, 0);
  if (bytes > 0x7FFF0000) return fail(Status.OutOfMemory, Field.TimeSteps, -1, 0x7FFF0000, <i64>bytes);
  if (runBlock == 0 || bytes > runBlockBytes) {
    if (runBlock) free(runBlock);
    runBlock = alloc(<usize>bytes);
    if (runBlock == 0) {
      runBlockBytes = 0;
      runB = 0;
      return fail(Status.OutOfMemory, Field.TimeSteps, -1, <i64>bytes, 0);
    }
    runBlockBytes = bytes;
  }
  runB = B;
  runT = T;
  runLayout(B, T, runBlock);
  runOut = 0;
  runOutSteps = 0;
  runResetStates();
  return Status.Ok;
}

function runStatePtrOf(l: i32, dir: i32, which: i32): usize {
  let p = runStates;
  for (let k = 0; k < layerCount; k++) {
    let L = layerAt(k);
    if (L.type > LayerType.RNN) continue;
    let block = <usize>runB * (<usize>L.units << 2);
    for (let d = 0; d < L.dirs; d++) {
      if (k == l && d == dir) {
        if (which == 0) return p;
        return which == 1 && L.hasCell ? p + block : 0;
      }
      p += block * <usize>(1 + L.hasCell);
    }
  }
  return 0;
}

export function runStatePtr(l: i32, dir: i32, which: i32): usize {
  if (runBlock == 0 || l < 0 || l >= layerCount || dir < 0 || dir > 1) return 0;
  return runStatePtrOf(l, dir, which);
}

export function runResetStates(): void {
  if (runBlock == 0) return;
  for (let l = 0; l < layerCount; l++) {
    let L = layerAt(l);
    if (L.type > LayerType.RNN) continue;
    for (let d = 0; d < L.dirs; d++) initState(L, d, runStatePtrOf(l, d, 0), runStatePtrOf(l, d, 1), runB);
  }
}

export function runInputPtr(): usize { return runBlock ? seqA : 0; }
export function runLensPtr(): usize { return runBlock ? runLens : 0; }
export function runOutputPtr(): usize { return runOut; }
export function runOutputSteps(): i32 { return runOutSteps; }

// flags: 1 = use the lengths at runLensPtr (ONNX sequence_lens), 2 = keep the states at
// runStatePtr as initial states (otherwise they are reset from the model's initial states).
export function run(flags: i32): Status {
  if (runBlock == 0) return fail(Status.BadState, Field.BatchSize, -1, 1, 0);
  let B = runB, T = runT;
  let useLens = (flags & 1) != 0;
  if (useLens) {
    for (let b = 0; b < B; b++) {
      let len = load<i32>(runLens + (<usize>b << 2));
      if (len < 0 || len > T) return fail(Status.BadArgument, Field.TimeSteps, b, T, len);
    }
  }
  if (!(flags & 2)) runResetStates();
  let x = seqA, other = seqB;
  let Tin = T, Win = inputSize;
  for (let l = 0; l < layerCount; l++) {
    let L = layerAt(l);
    let out = other;
    let Wout = L.outSize;
    let Tout = Tin;
    if (L.type <= LayerType.RNN) {
      let seqOut = L.output == OutputMode.Sequence || L.output == OutputMode.SequenceReversed;
      Tout = seqOut ? Tin : 1;
      let H = L.units;
      let hBytes = <usize>H << 2;
      for (let d = 0; d < L.dirs; d++) {
        let reverse = d == 1 || (L.flags & LayerFlag.Reverse) != 0;
        let hs = runStatePtrOf(l, d, 0), cs = runStatePtrOf(l, d, 1);
        let colOff = <usize>d * hBytes;
        for (let step = 0; step < Tin; step++) {
          let t = reverse ? Tin - 1 - step : step;
          for (let b0 = 0; b0 < B; b0 += RUN_TILE) {
            let n = min(RUN_TILE, B - b0);
            let xr = x + (<usize>b0 * <usize>Tin + <usize>t) * (<usize>Win << 2);
            let ldx = Tin * Win;
            let o: usize, ldo: i32;
            if (L.output == OutputMode.Sequence) {
              o = out + (<usize>b0 * <usize>Tout + <usize>t) * (<usize>Wout << 2) + colOff;
              ldo = Tout * Wout;
            } else if (L.output == OutputMode.SequenceReversed) {
              o = out + (<usize>b0 * <usize>Tout + <usize>(Tin - 1 - t)) * (<usize>Wout << 2) + colOff;
              ldo = Tout * Wout;
            } else if (L.output == OutputMode.Last && t == Tin - 1) {
              o = out + <usize>b0 * (<usize>Wout << 2) + colOff;
              ldo = Wout;
            } else {
              o = runDiscard;
              ldo = H;
            }
            let hOff = <usize>b0 * hBytes;
            layerStep(L, d, n, xr, ldx, hs + hOff, cs ? cs + hOff : 0, o, ldo,
                      useLens ? runLens + (<usize>b0 << 2) : 0, t, runGates, runAux);
          }
        }
        if (L.output == OutputMode.Final) {
          for (let b = 0; b < B; b++) memory.copy(out + <usize>b * (<usize>Wout << 2) + colOff, hs + <usize>b * hBytes, hBytes);
        }
      }
    } else {
      denseF32(L, B * Tin, x, Win, out, Wout);
    }
    other = x;
    x = out;
    Tin = Tout;
    Win = Wout;
  }
  runOut = x;
  runOutSteps = Tin;
  return Status.Ok;
}
