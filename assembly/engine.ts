// Execution: stream sets (step-major: every layer for one time step of many independent streams)
// and whole-sequence runs (layer-major: each layer over all time steps, needed for reverse and
// bidirectional layers). Both drive the same per-layer step kernels; a sequence is a loop of
// steps. All buffers are planned by setup calls (streams create, run prepare); the step and run
// calls only read prepared parameters.
//
// Values between layers are f32 in the f32 and int8-dynamic modes, and int8 in the int8 mode
// (int16 out of a final Dense layer); the host always exchanges f32, so an int8 model quantizes
// its input once on the way in (with the first layer's input scale and zero point) and
// dequantizes its output on the way out.

import { Status, Field, fail } from './status';
import { LayerType, OutputMode, LayerFlag, TensorSlot, Mode } from './format';
import { alloc, free } from './memory';
import {
  Layer, layerAt, tensorPtr, prepOf, loaded, layerCount, inputSize, outputSize, maxWidth,
  stateBytes, streamable, int8Model,
} from './model';
import { Scratch, scratchLayout } from './scratch';
import { lstmStepF32 } from './kernels/lstm_f32';
import { gruStepF32 } from './kernels/gru_f32';
import { rnnStepF32 } from './kernels/rnn_f32';
import { denseF32 } from './kernels/dense_f32';
import { lstmStepS8 } from './kernels/lstm_s8';
import { gruStepS8, gruStateToS8 } from './kernels/gru_s8';
import { rnnStepS8, denseS8 } from './kernels/dense_s8';
import { quantizeRowsAffineScalar } from './kernels/quantize_f32';
import { pow2 } from './kernels/fixedpoint';

// Rows stepped together; bounds scratch size independently of the number of streams.
// @ts-ignore: decorator
@inline export const STREAM_TILE: i32 = 16;
// @ts-ignore: decorator
@inline export const RUN_TILE: i32 = 64;
// @ts-ignore: decorator
@inline const MAX_SETS: i32 = 64;

export let limitStreams: i32 = 1 << 20;

// @ts-ignore: decorator
@inline function isRecurrent(L: Layer): bool { return L.type <= LayerType.RNN; }

// One step of recurrent layer L for n rows. h/c: state rows (c only for LSTM).
function layerStep(L: Layer, dir: i32, n: i32, x: usize, ldx: i32, h: usize, c: usize,
                   out: usize, ldo: i32, lens: usize, t: i32, ws: Scratch): void {
  if (L.mode == Mode.Int8) {
    if (L.type == LayerType.LSTM) lstmStepS8(L, dir, n, x, ldx, h, c, out, ldo, lens, t, ws);
    else if (L.type == LayerType.GRU) gruStepS8(L, dir, n, x, ldx, h, out, ldo, lens, t, ws);
    else rnnStepS8(L, dir, n, x, ldx, h, out, ldo, lens, t, ws);
    return;
  }
  if (L.type == LayerType.LSTM) lstmStepF32(L, dir, n, x, ldx, h, c, out, ldo, lens, t, ws);
  else if (L.type == LayerType.GRU) gruStepF32(L, dir, n, x, ldx, h, out, ldo, lens, t, ws);
  else rnnStepF32(L, dir, n, x, ldx, h, out, ldo, lens, t, ws);
}

// n rows of a Dense or Activation layer (row strides in elements).
function layerDense(L: Layer, n: i32, x: usize, ldx: i32, y: usize, ldy: i32, ws: Scratch): void {
  if (L.mode == Mode.Int8) denseS8(L, n, x, ldx, y, ldy, ws);
  else denseF32(L, n, x, ldx, y, ldy, ws);
}

// Sets `rows` state rows to the layer's learned initial state (or zeros: for an asymmetric
// int8 h that is its zero point).
function initState(L: Layer, dir: i32, h: usize, c: usize, rows: i32): void {
  let h0 = tensorPtr(L, dir, TensorSlot.H0), c0 = tensorPtr(L, dir, TensorSlot.C0);
  let hb = <usize>L.hBytes, cb = <usize>L.cBytes;
  let zero: u8 = L.mode == Mode.Int8 && L.type == LayerType.RNN ? <u8>prepOf(L, dir).outZp : 0;
  for (let r = 0; r < rows; r++) {
    if (h0) memory.copy(h + <usize>r * hb, h0, hb); else memory.fill(h + <usize>r * hb, zero, hb);
    if (cb) {
      if (c0) memory.copy(c + <usize>r * cb, c0, cb); else memory.fill(c + <usize>r * cb, 0, cb);
    }
  }
}

// int8 models: f32 rows in, int8 rows out (the first layer's input quantization).
function quantizeInput(x: usize, ldx: i32, n: i32, q: usize, ldq: i32): void {
  let P = prepOf(layerAt(0), 0);
  quantizeRowsAffineScalar(x, ldx, n, inputSize, <f32>1.0 / P.inScale, P.inZp, q, ldq);
}

// int8 models: the last layer's int8/int16 rows back to f32: (q - zp) * scale.
function dequantizeOutput(q: usize, ldq: i32, n: i32, y: usize, ldy: i32): void {
  let L = layerAt(layerCount - 1);
  let P = prepOf(L, 0);
  let zp = P.outZp, s = P.outScale;
  let e = <usize>L.outElem;
  for (let r = 0; r < n; r++) {
    let qr = q + <usize>r * <usize>ldq * e;
    let yr = y + <usize>r * (<usize>ldy << 2);
    for (let k = 0; k < outputSize; k++) {
      let v = e == 2 ? <i32>load<i16>(qr + (<usize>k << 1)) : <i32>load<i8>(qr + <usize>k);
      store<f32>(yr + (<usize>k << 2), <f32>(v - zp) * s);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Stream sets

@unmanaged class StreamSet {
  cap: i32;
  tile: i32;
  block: usize;
  state: usize;    // per layer: h block [cap, hBytes] then (LSTM) c block [cap, cBytes]
  input: usize;    // [cap, inputSize] f32
  output: usize;   // [cap, outputSize] f32
  index: usize;    // [cap] i32 stream numbers for an indexed step
  mark: usize;     // [cap] u8, duplicate detection
  ws: usize;       // Scratch for `tile` rows
}

const sets = memory.data(MAX_SETS * 4);

// @ts-ignore: decorator
@inline function align16(v: u64): u64 { return (v + 15) & ~<u64>15; }

function streamsLayout(cap: i32, tile: i32, apply: usize): u64 {
  let capU = <u64>cap;
  let oState = align16(<u64>offsetof<StreamSet>());
  let oInput = oState + align16(capU * <u64>stateBytes);
  let oOutput = oInput + align16(capU * <u64>inputSize * 4);
  let oIndex = oOutput + align16(capU * <u64>outputSize * 4);
  let oMark = oIndex + align16(capU * 4);
  let oWs = oMark + align16(capU);
  let total = oWs + scratchLayout(tile, 0);
  if (apply) {
    let S = changetype<StreamSet>(apply);
    S.state = apply + <usize>oState;
    S.input = apply + <usize>oInput;
    S.output = apply + <usize>oOutput;
    S.index = apply + <usize>oIndex;
    S.mark = apply + <usize>oMark;
    S.ws = apply + <usize>oWs;
    scratchLayout(tile, S.ws);
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
  return S.state + <usize>S.cap * <usize>L.stateOff;
}

// @ts-ignore: decorator
@inline function cBlock(S: StreamSet, L: Layer): usize {
  return hBlock(S, L) + <usize>S.cap * <usize>L.hBytes;
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
    if (!isRecurrent(L)) continue;
    initState(L, 0, hBlock(S, L) + <usize>s * <usize>L.hBytes, L.hasCell ? cBlock(S, L) + <usize>s * <usize>L.cBytes : 0, 1);
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
// read state (initial states, snapshot/restore). Its format: stateDtype/stateScale below.
export function streamsStatePtr(handle: i32, s: i32, l: i32, which: i32): usize {
  let S = setAt(handle);
  if (S == null || s < 0 || s >= S.cap || l < 0 || l >= layerCount) return 0;
  let L = layerAt(l);
  if (!isRecurrent(L)) return 0;
  if (which == 0) return hBlock(S, L) + <usize>s * <usize>L.hBytes;
  if (which == 1 && L.hasCell) return cBlock(S, L) + <usize>s * <usize>L.cBytes;
  return 0;
}

// Element type of a layer's state: 1 f32, 2 int8, 3 int16 (Dtype codes); 0 if none.
export function stateDtype(l: i32, which: i32): i32 {
  if (!loaded || l < 0 || l >= layerCount) return 0;
  let L = layerAt(l);
  if (!isRecurrent(L) || (which == 1 && !L.hasCell) || which < 0 || which > 1) return 0;
  if (L.mode != Mode.Int8) return 1;
  if (which == 1) return 3;
  return L.type == LayerType.GRU ? 3 : 2;
}

// Real value of one unit of a quantized state (0 for f32 states): h int8 -> the output scale,
// GRU h int16 -> 2^-stateFrac, c int16 -> 2^-cellFrac. LSTM and GRU states are symmetric; a
// simple RNN's h has the output zero point (stateZeroPoint).
export function stateScale(l: i32, which: i32): f32 {
  let dt = stateDtype(l, which);
  if (dt <= 1) return 0;
  let L = layerAt(l);
  let P = prepOf(L, 0);
  if (which == 1 || L.type == LayerType.GRU) return <f32>pow2(-P.cellFrac);
  return P.outScale;
}

export function stateZeroPoint(l: i32, which: i32): i32 {
  let dt = stateDtype(l, which);
  if (dt != 2) return 0;
  return prepOf(layerAt(l), 0).outZp;
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
  let ws = changetype<Scratch>(S.ws);
  let last = layerCount - 1;
  for (let s0 = 0; s0 < count; s0 += S.tile) {
    let n = min(S.tile, count - s0);
    // The kernels update state rows in place: rows of consecutive stream numbers (every
    // unindexed step, any single stream) are passed where they live; other index lists are
    // gathered into scratch and scattered back.
    let first = s0;
    let direct = true;
    if (indexed) {
      first = load<i32>(S.index + (<usize>s0 << 2));
      for (let r = 1; r < n; r++) {
        if (load<i32>(S.index + (<usize>(s0 + r) << 2)) != first + r) { direct = false; break; }
      }
    }
    let x = S.input + <usize>s0 * (<usize>inputSize << 2);
    let ldx = inputSize;
    if (int8Model) {
      quantizeInput(x, inputSize, n, ws.bufB, inputSize);
      x = ws.bufB;
    }
    for (let l = 0; l <= last; l++) {
      let L = layerAt(l);
      let ldo = L.outSize;
      let out = l == last && !int8Model ? S.output + <usize>s0 * (<usize>outputSize << 2) : (l & 1) ? ws.bufB : ws.bufA;
      if (isRecurrent(L)) {
        let hb = hBlock(S, L), cb = L.hasCell ? cBlock(S, L) : 0;
        let hB = <usize>L.hBytes, cB = <usize>L.cBytes;
        if (!direct) {
          for (let r = 0; r < n; r++) {
            let s = <usize>load<i32>(S.index + (<usize>(s0 + r) << 2));
            memory.copy(ws.hbuf + <usize>r * hB, hb + s * hB, hB);
            if (cb) memory.copy(ws.cbuf + <usize>r * cB, cb + s * cB, cB);
          }
          layerStep(L, 0, n, x, ldx, ws.hbuf, ws.cbuf, out, ldo, 0, 0, ws);
          for (let r = 0; r < n; r++) {
            let s = <usize>load<i32>(S.index + (<usize>(s0 + r) << 2));
            memory.copy(hb + s * hB, ws.hbuf + <usize>r * hB, hB);
            if (cb) memory.copy(cb + s * cB, ws.cbuf + <usize>r * cB, cB);
          }
        } else {
          layerStep(L, 0, n, x, ldx, hb + <usize>first * hB, cb ? cb + <usize>first * cB : 0, out, ldo, 0, 0, ws);
        }
      } else {
        layerDense(L, n, x, ldx, out, ldo, ws);
      }
      x = out;
      ldx = ldo;
    }
    if (int8Model) dequantizeOutput(x, ldx, n, S.output + <usize>s0 * (<usize>outputSize << 2), outputSize);
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
let runStates: usize = 0;  // per layer, per direction: h [B, hBytes] then c [B, cBytes]
let runWs: usize = 0;      // Scratch for min(B, RUN_TILE) rows
let runOut: usize = 0;
let runOutSteps: i32 = 0;

function runStateBytes(): u64 {
  let f: u64 = 0;
  for (let l = 0; l < layerCount; l++) {
    let L = layerAt(l);
    if (isRecurrent(L)) f += <u64>L.dirs * <u64>(L.hBytes + L.cBytes);
  }
  return f;
}

function runLayout(B: i32, T: i32, apply: usize): u64 {
  let seq = align16(<u64>B * <u64>T * <u64>maxWidth * 4);
  let lens = align16(<u64>B * 4);
  let st = align16(<u64>B * runStateBytes());
  let ws = scratchLayout(min(B, RUN_TILE), 0);
  if (apply) {
    seqA = apply;
    seqB = seqA + <usize>seq;
    runLens = seqB + <usize>seq;
    runStates = runLens + <usize>lens;
    runWs = runStates + <usize>st;
    scratchLayout(min(B, RUN_TILE), runWs);
  }
  return 2 * seq + lens + st + ws;
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
    if (!isRecurrent(L)) continue;
    let hb = <usize>runB * <usize>L.hBytes, cb = <usize>runB * <usize>L.cBytes;
    for (let d = 0; d < L.dirs; d++) {
      if (k == l && d == dir) {
        if (which == 0) return p;
        return which == 1 && L.hasCell ? p + hb : 0;
      }
      p += hb + cb;
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
    if (!isRecurrent(L)) continue;
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
  let ws = changetype<Scratch>(runWs);
  let x = seqA, other = seqB;
  let Tin = T, Win = inputSize;
  if (int8Model) {
    quantizeInput(seqA, inputSize, B * T, seqB, inputSize);
    x = seqB;
    other = seqA;
  }
  for (let l = 0; l < layerCount; l++) {
    let L = layerAt(l);
    let out = other;
    let Wout = L.outSize;
    let Tout = Tin;
    let ie = <usize>L.inElem, oe = <usize>L.outElem;
    if (isRecurrent(L)) {
      let seqOut = L.output == OutputMode.Sequence || L.output == OutputMode.SequenceReversed;
      Tout = seqOut ? Tin : 1;
      let H = L.units;
      let hB = <usize>L.hBytes, cB = <usize>L.cBytes;
      for (let d = 0; d < L.dirs; d++) {
        let reverse = d == 1 || (L.flags & LayerFlag.Reverse) != 0;
        let hs = runStatePtrOf(l, d, 0), cs = runStatePtrOf(l, d, 1);
        let colOff = <usize>d * <usize>H * oe;
        for (let step = 0; step < Tin; step++) {
          let t = reverse ? Tin - 1 - step : step;
          for (let b0 = 0; b0 < B; b0 += RUN_TILE) {
            let n = min(RUN_TILE, B - b0);
            let xr = x + (<usize>b0 * <usize>Tin + <usize>t) * <usize>Win * ie;
            let ldx = Tin * Win;
            let o: usize, ldo: i32;
            if (L.output == OutputMode.Sequence) {
              o = out + (<usize>b0 * <usize>Tout + <usize>t) * <usize>Wout * oe + colOff;
              ldo = Tout * Wout;
            } else if (L.output == OutputMode.SequenceReversed) {
              o = out + (<usize>b0 * <usize>Tout + <usize>(Tin - 1 - t)) * <usize>Wout * oe + colOff;
              ldo = Tout * Wout;
            } else if (L.output == OutputMode.Last && t == Tin - 1) {
              o = out + <usize>b0 * <usize>Wout * oe + colOff;
              ldo = Wout;
            } else {
              o = ws.discard;
              ldo = H;
            }
            layerStep(L, d, n, xr, ldx, hs + <usize>b0 * hB, cs ? cs + <usize>b0 * cB : 0, o, ldo,
                      useLens ? runLens + (<usize>b0 << 2) : 0, t, ws);
          }
        }
        if (L.output == OutputMode.Final) {
          let ob = <usize>Wout * oe;
          if (L.mode == Mode.Int8 && L.type == LayerType.GRU) gruStateToS8(L, d, hs, B, out + colOff, Wout);
          else for (let b = 0; b < B; b++) memory.copy(out + <usize>b * ob + colOff, hs + <usize>b * hB, hB);
        }
      }
    } else {
      layerDense(L, B * Tin, x, Win, out, Wout, ws);
    }
    other = x;
    x = out;
    Tin = Tout;
    Win = Wout;
  }
  if (int8Model) {
    dequantizeOutput(x, Win, B * Tin, other, Win);
    x = other;
  }
  runOut = x;
  runOutSteps = Tin;
  return Status.Ok;
}
