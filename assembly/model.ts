// Model loader and validator. The host copies an .ernn file into a block reserved by
// ernn_model_reserve; ernn_model_load checks every field (docs/FORMAT.md, "What the loader
// checks") and builds one descriptor per layer with resolved weight pointers, so that a step
// reads prepared parameters and validates nothing. Weights stay where the host wrote them.

import { Status, Field, fail } from './status';
import {
  MAGIC, FORMAT_MAJOR, FORMAT_MINOR, HEADER_BYTES, LAYER_RECORD_BYTES, TENSOR_RECORD_BYTES,
  TENSOR_ALIGN, NO_TENSOR, H_MAGIC, H_MAJOR, H_MINOR, H_HEADER_BYTES, H_FILE_BYTES, H_CRC32,
  H_FLAGS, H_LAYER_COUNT, H_LAYER_TABLE, H_TENSOR_COUNT, H_TENSOR_TABLE, H_META_OFFSET,
  H_META_BYTES, H_DATA_OFFSET, H_DATA_BYTES, H_INPUT_SIZE, H_OUTPUT_SIZE, L_TYPE, L_MODE,
  L_DIRECTIONS, L_OUTPUT, L_FLAGS, L_INPUT_SIZE, L_UNITS, L_OUTPUT_SIZE, L_CLIP, L_ACT,
  L_ACT_BYTES, L_TENSORS, L_TENSOR_SLOTS, T_NAME_BYTES, T_DTYPE, T_RANK, T_LAYOUT, T_DIMS,
  T_OFFSET, T_BYTES, T_SCALE, T_ZERO_POINT, LayerType, Mode, OutputMode, LayerFlag,
  KNOWN_FLAGS, TensorSlot, Dtype, Act, ACT_COUNT, MAX_LAYERS_HARD, MAX_TENSORS_HARD, MAX_DIM_HARD,
} from './format';
import { crc32Update, crc32Zeros } from './crc32';
import { alloc } from './memory';

// One per layer, built at load. The tensor pointer table ([2 directions][8 slots] of absolute
// addresses, 0 when absent) follows the fields in the same block.
@unmanaged export class Layer {
  type: i32;
  mode: i32;
  dirs: i32;
  output: i32;
  flags: i32;
  inSize: i32;
  units: i32;
  outSize: i32;
  gh: i32;          // gates * units for recurrent layers, units for Dense/Activation
  clip: f32;
  record: usize;    // the layer record inside the model bytes (activation specs are read there)
  stateOff: i32;    // floats of per-stream state before this layer's state
  hasCell: i32;     // 1 for LSTM
}

// @ts-ignore: decorator
@inline export const LAYER_DESC_BYTES: usize = 64;   // >= offsetof<Layer>(), multiple of 16
// @ts-ignore: decorator
@inline const TENSOR_TABLE_BYTES: usize = 2 * 8 * 4;

// @ts-ignore: decorator
@inline export function layerAt(i: i32): Layer {
  return changetype<Layer>(layers + <usize>i * (LAYER_DESC_BYTES + TENSOR_TABLE_BYTES));
}

// @ts-ignore: decorator
@inline export function tensorPtr(L: Layer, dir: i32, slot: i32): usize {
  return <usize>load<u32>(changetype<usize>(L) + LAYER_DESC_BYTES + (<usize>(dir * 8 + slot) << 2));
}

// @ts-ignore: decorator
@inline export function actCode(L: Layer, dir: i32, slot: i32): i32 {
  return <i32>load<u32>(L.record + L_ACT + <usize>(dir * 3 + slot) * L_ACT_BYTES);
}
// @ts-ignore: decorator
@inline export function actAlpha(L: Layer, dir: i32, slot: i32): f32 {
  return load<f32>(L.record + L_ACT + <usize>(dir * 3 + slot) * L_ACT_BYTES + 4);
}
// @ts-ignore: decorator
@inline export function actBeta(L: Layer, dir: i32, slot: i32): f32 {
  return load<f32>(L.record + L_ACT + <usize>(dir * 3 + slot) * L_ACT_BYTES + 8);
}

// ---- model-wide state, valid after a successful load ----
export let modelPtr: usize = 0;      // reserved block the host writes the file into
export let modelCap: usize = 0;
export let loaded = false;
export let layers: usize = 0;
export let layerCount: i32 = 0;
export let inputSize: i32 = 0;
export let outputSize: i32 = 0;
export let maxWidth: i32 = 0;        // widest per-step vector (input or any layer output)
export let maxGates: i32 = 0;        // widest gate vector (G*H)
export let maxUnits: i32 = 0;        // largest H
export let stateFloats: i32 = 0;     // per-stream state, all layers (streamable models)
export let streamable = false;
export let collapseAt: i32 = -1;     // first layer whose output is one vector per sequence
export let weightBytes: usize = 0;

// Limits (ernn_set_limit): refuse a model above them.
export let limitLayers: i32 = 64;
export let limitTensors: i32 = 1024;
export let limitDim: i32 = 65536;
export let limitModelBytes: i32 = 0x7FFF0000;

export function setLimit(which: i32, value: i32): Status {
  if (value <= 0) return fail(Status.BadArgument, Field.None, which, 1, value);
  if (which == 1) limitLayers = min(value, MAX_LAYERS_HARD);
  else if (which == 2) limitTensors = min(value, MAX_TENSORS_HARD);
  else if (which == 3) limitDim = min(value, MAX_DIM_HARD);
  else if (which == 4) limitModelBytes = value;
  else return fail(Status.BadArgument, Field.None, which, 0, which);
  return Status.Ok;
}

export function reserve(bytes: i32): usize {
  if (modelPtr != 0) { fail(Status.BadState, Field.ModelBytes, -1, 0, bytes); return 0; }
  if (bytes < 0 || bytes > limitModelBytes) {
    fail(Status.LimitExceeded, Field.ModelBytes, -1, limitModelBytes, bytes);
    return 0;
  }
  let p = alloc(<usize>bytes);
  if (p == 0) { fail(Status.OutOfMemory, Field.ModelBytes, -1, bytes, 0); return 0; }
  modelPtr = p;
  modelCap = <usize>bytes;
  return p;
}

// @ts-ignore: decorator
@inline function u8at(off: usize): u32 { return <u32>load<u8>(modelPtr + off); }
// @ts-ignore: decorator
@inline function u16at(off: usize): u32 { return <u32>load<u16>(modelPtr + off); }
// @ts-ignore: decorator
@inline function u32at(off: usize): u32 { return load<u32>(modelPtr + off); }

// @ts-ignore: decorator
@inline function finite(x: f32): bool { return x - x == 0; }

function gatesOf(type: i32): i32 {
  return type == LayerType.LSTM ? 4 : type == LayerType.GRU ? 3 : 1;
}

// Checks that section [off, off+len) lies in the payload and does not overlap earlier sections.
let secStart = memory.data(4 * 4);
let secEnd = memory.data(4 * 4);
let secCount = 0;

function checkSection(field: Field, off: u32, len: u64, fileBytes: u32, align: u32): Status {
  let end = <u64>off + len;
  if (<u64>off < <u64>HEADER_BYTES || end > <u64>fileBytes) {
    return fail(Status.BadSection, field, -1, fileBytes, end > <u64>fileBytes ? end : <u64>off, off);
  }
  if (align > 1 && (off & (align - 1)) != 0) return fail(Status.BadSection, field, -1, align, off, off);
  for (let i = 0; i < secCount; i++) {
    let s = load<u32>(secStart + (<usize>i << 2)), e = load<u32>(secEnd + (<usize>i << 2));
    if (len > 0 && <u64>off < <u64>e && end > <u64>s) return fail(Status.BadSection, field, i, s, off, off);
  }
  store<u32>(secStart + (<usize>secCount << 2), off);
  store<u32>(secEnd + (<usize>secCount << 2), <u32>end);
  secCount++;
  return Status.Ok;
}

function dtypeSize(d: u32): u32 {
  return d == Dtype.F32 ? 4 : d == Dtype.I8 ? 1 : d == Dtype.I16 ? 2 : d == Dtype.I32 ? 4 : 0;
}

let tensorTable: u32 = 0;
let tensorCount: u32 = 0;

// @ts-ignore: decorator
@inline function trec(i: u32): usize { return <usize>tensorTable + <usize>i * TENSOR_RECORD_BYTES; }

function validateTensors(fileBytes: u32, dataOff: u32, dataEnd: u32): Status {
  let prevEnd: u64 = <u64>dataOff;
  for (let i: u32 = 0; i < tensorCount; i++) {
    let rec = trec(i);
    // name: NUL-padded, at least one NUL, no bytes after the first NUL
    let nul = -1;
    for (let k = 0; k < <i32>T_NAME_BYTES; k++) {
      let ch = u8at(rec + k);
      if (nul < 0 && ch == 0) nul = k;
      else if (nul >= 0 && ch != 0) return fail(Status.BadTensor, Field.TensorName, i, 0, ch, k);
    }
    if (nul <= 0) return fail(Status.BadTensor, Field.TensorName, i, 1, nul < 0 ? 32 : 0);
    let dtype = u8at(rec + T_DTYPE);
    let esize = dtypeSize(dtype);
    if (esize == 0) return fail(Status.BadTensor, Field.TensorDtype, i, 1, dtype);
    let rank = u8at(rec + T_RANK);
    if (rank > 4) return fail(Status.BadTensor, Field.TensorRank, i, 4, rank);
    let layout = u16at(rec + T_LAYOUT);
    if (layout != 0) return fail(Status.Unsupported, Field.TensorLayout, i, 0, layout);
    let count: u64 = 1;
    for (let k: u32 = 0; k < 4; k++) {
      let d = u32at(rec + T_DIMS + (<usize>k << 2));
      if (k < rank) {
        if (d == 0 || d > <u32>limitDim * 4) return fail(Status.BadTensor, Field.TensorDims, i, limitDim, d, k);
        count *= <u64>d;
        if (count > 0x7FFFFFFF) return fail(Status.BadTensor, Field.TensorDims, i, 0x7FFFFFFF, <i64>count, k);
      } else if (d != 0) {
        return fail(Status.BadTensor, Field.TensorDims, i, 0, d, k);
      }
    }
    let bytes = u32at(rec + T_BYTES);
    let need = count * <u64>esize;
    if (<u64>bytes != need) return fail(Status.BadTensor, Field.TensorBytes, i, <i64>need, bytes);
    let off = u32at(rec + T_OFFSET);
    if ((off & (TENSOR_ALIGN - 1)) != 0) return fail(Status.BadTensor, Field.TensorOffset, i, TENSOR_ALIGN, off);
    let end = <u64>off + <u64>bytes;
    if (<u64>off < <u64>dataOff || end > <u64>dataEnd) {
      return fail(Status.BadTensor, Field.TensorExtent, i, <i64>end, <i64>(end > <u64>fileBytes ? fileBytes : dataEnd), off);
    }
    if (<u64>off < prevEnd) return fail(Status.BadTensor, Field.TensorOrder, i, <i64>prevEnd, off);
    prevEnd = end;
    let sc = u16at(rec + T_SCALE);
    if (sc != NO_TENSOR) {
      if (sc >= tensorCount || sc == i) return fail(Status.BadTensor, Field.TensorScale, i, tensorCount, sc);
      if (u8at(trec(sc) + T_DTYPE) != Dtype.F32) return fail(Status.BadTensor, Field.TensorScale, i, Dtype.F32, u8at(trec(sc) + T_DTYPE));
    }
    let zp = u16at(rec + T_ZERO_POINT);
    if (zp != NO_TENSOR) {
      if (zp >= tensorCount || zp == i) return fail(Status.BadTensor, Field.TensorZeroPoint, i, tensorCount, zp);
    }
  }
  return Status.Ok;
}

// The tensor in `slot` of layer `li` must be present iff `want`; if present it must be f32 with
// the given shape (rank = number of dims > 0 passed).
function checkSlot(li: i32, rec: usize, slot: i32, want: bool, d0: i32, d1: i32): Status {
  let t = u16at(rec + L_TENSORS + (<usize>slot << 1));
  if (!want) {
    if (t != NO_TENSOR) return fail(Status.BadLayer, Field.LayerTensorSlot, li, NO_TENSOR, t, slot);
    return Status.Ok;
  }
  if (t == NO_TENSOR) return fail(Status.BadLayer, Field.LayerTensorSlot, li, 0, NO_TENSOR, slot);
  if (t >= tensorCount) return fail(Status.BadLayer, Field.LayerTensorSlot, li, tensorCount, t, slot);
  let tr = trec(t);
  if (u8at(tr + T_DTYPE) != Dtype.F32) return fail(Status.ShapeMismatch, Field.TensorDtype, <i32>t, Dtype.F32, u8at(tr + T_DTYPE), li);
  let rank: u32 = d1 > 0 ? 2 : 1;
  if (u8at(tr + T_RANK) != rank) return fail(Status.ShapeMismatch, Field.TensorRank, <i32>t, rank, u8at(tr + T_RANK), li);
  if (u32at(tr + T_DIMS) != <u32>d0) return fail(Status.ShapeMismatch, Field.TensorDims, <i32>t, d0, u32at(tr + T_DIMS), li);
  if (rank == 2 && u32at(tr + T_DIMS + 4) != <u32>d1) return fail(Status.ShapeMismatch, Field.TensorDims, <i32>t, d1, u32at(tr + T_DIMS + 4), li);
  return Status.Ok;
}

function checkAct(li: i32, rec: usize, index: i32, used: bool, allowRow: bool): Status {
  let p = rec + L_ACT + <usize>index * L_ACT_BYTES;
  let code = u32at(p);
  let alpha = load<f32>(modelPtr + p + 4), beta = load<f32>(modelPtr + p + 8);
  if (!used) {
    if (code != 0 || u32at(p + 4) != 0 || u32at(p + 8) != 0) return fail(Status.BadLayer, Field.LayerActivation, li, 0, code, index);
    return Status.Ok;
  }
  if (code >= <u32>ACT_COUNT) return fail(Status.Unsupported, Field.LayerActivation, li, ACT_COUNT - 1, code, index);
  if (!allowRow && (code == Act.Softmax || code == Act.LogSoftmax)) return fail(Status.Unsupported, Field.LayerActivation, li, 0, code, index);
  if (!finite(alpha) || !finite(beta)) return fail(Status.BadLayer, Field.LayerActivation, li, 0, code, index);
  return Status.Ok;
}

function validateLayer(li: i32, rec: usize, expectIn: i32, collapsed: bool): Status {
  let type = u8at(rec + L_TYPE);
  let mode = u8at(rec + L_MODE);
  let dirs = u8at(rec + L_DIRECTIONS);
  let output = u8at(rec + L_OUTPUT);
  let flags = u32at(rec + L_FLAGS);
  let inSize = u32at(rec + L_INPUT_SIZE);
  let units = u32at(rec + L_UNITS);
  let outSize = u32at(rec + L_OUTPUT_SIZE);
  let clip = load<f32>(modelPtr + rec + L_CLIP);
  let recurrent = type == LayerType.LSTM || type == LayerType.GRU || type == LayerType.RNN;
  if (!recurrent && type != LayerType.Dense && type != LayerType.Activation) return fail(Status.BadLayer, Field.LayerType, li, 0, type);
  if (mode > <u32>Mode.Int8) return fail(Status.BadLayer, Field.LayerMode, li, 0, mode);
  if (mode != Mode.F32) return fail(Status.Unsupported, Field.LayerMode, li, Mode.F32, mode);
  if (flags & ~KNOWN_FLAGS) return fail(Status.BadLayer, Field.LayerFlags, li, KNOWN_FLAGS, flags);
  if (inSize == 0 || inSize > <u32>limitDim) return fail(Status.LimitExceeded, Field.LayerInputSize, li, limitDim, inSize);
  if (units == 0 || units > <u32>limitDim) return fail(Status.LimitExceeded, Field.LayerUnits, li, limitDim, units);
  if (<i32>inSize != expectIn) return fail(Status.ShapeMismatch, Field.LayerInputSize, li, expectIn, inSize);
  let H = <i32>units, I = <i32>inSize;
  if (recurrent) {
    if (collapsed) return fail(Status.Unsupported, Field.LayerOrder, li, 0, type);
    if (dirs != 1 && dirs != 2) return fail(Status.BadLayer, Field.LayerDirections, li, 1, dirs);
    if (output > <u32>OutputMode.Final) return fail(Status.BadLayer, Field.LayerOutputMode, li, 0, output);
    let reverse = (flags & LayerFlag.Reverse) != 0;
    if (reverse && dirs != 1) return fail(Status.BadLayer, Field.LayerFlags, li, 0, flags);
    if (output == OutputMode.SequenceReversed && !reverse) return fail(Status.BadLayer, Field.LayerOutputMode, li, OutputMode.Sequence, output);
    if (outSize != dirs * units) return fail(Status.ShapeMismatch, Field.LayerOutputSize, li, dirs * units, outSize);
    let G = gatesOf(type);
    if (<u64>G * <u64>units > <u64>limitDim * 4) return fail(Status.LimitExceeded, Field.LayerUnits, li, limitDim, units);
    let isLstm = type == LayerType.LSTM, isGru = type == LayerType.GRU;
    if (!isLstm && (flags & (LayerFlag.Peephole | LayerFlag.InputForget | LayerFlag.HasC0))) return fail(Status.BadLayer, Field.LayerFlags, li, 0, flags);
    if (!isGru && (flags & LayerFlag.ResetAfter)) return fail(Status.BadLayer, Field.LayerFlags, li, 0, flags);
    if (flags & LayerFlag.Clip) {
      if (!finite(clip) || !(clip > 0)) return fail(Status.BadLayer, Field.LayerClip, li, 0, <i64>clip);
    } else if (u32at(rec + L_CLIP) != 0) return fail(Status.BadLayer, Field.LayerClip, li, 0, 1);
    let hasBias = (flags & LayerFlag.HasBias) != 0;
    for (let d: u32 = 0; d < 2; d++) {
      let on = d < dirs;
      let base = <i32>d * 8;
      let s = checkSlot(li, rec, base + TensorSlot.W, on, I, G * H); if (s) return s;
      s = checkSlot(li, rec, base + TensorSlot.R, on, H, G * H); if (s) return s;
      s = checkSlot(li, rec, base + TensorSlot.B, on && hasBias, G * H, 0); if (s) return s;
      s = checkSlot(li, rec, base + TensorSlot.Bn, on && hasBias && isGru && (flags & LayerFlag.ResetAfter) != 0, H, 0); if (s) return s;
      s = checkSlot(li, rec, base + TensorSlot.P, on && (flags & LayerFlag.Peephole) != 0, 3 * H, 0); if (s) return s;
      s = checkSlot(li, rec, base + TensorSlot.H0, on && (flags & LayerFlag.HasH0) != 0, H, 0); if (s) return s;
      s = checkSlot(li, rec, base + TensorSlot.C0, on && (flags & LayerFlag.HasC0) != 0, H, 0); if (s) return s;
      s = checkSlot(li, rec, base + TensorSlot.Spare, false, 0, 0); if (s) return s;
      let nAct = type == LayerType.RNN ? 1 : isGru ? 2 : 3;
      for (let k = 0; k < 3; k++) {
        s = checkAct(li, rec, <i32>d * 3 + k, on && k < nAct, false); if (s) return s;
      }
    }
  } else {
    if (dirs != 1) return fail(Status.BadLayer, Field.LayerDirections, li, 1, dirs);
    if (output != OutputMode.Sequence) return fail(Status.BadLayer, Field.LayerOutputMode, li, OutputMode.Sequence, output);
    if (u32at(rec + L_CLIP) != 0) return fail(Status.BadLayer, Field.LayerClip, li, 0, 1);
    if (outSize != units) return fail(Status.ShapeMismatch, Field.LayerOutputSize, li, units, outSize);
    let dense = type == LayerType.Dense;
    if (flags & ~(dense ? <u32>LayerFlag.HasBias : 0)) return fail(Status.BadLayer, Field.LayerFlags, li, 0, flags);
    if (!dense && units != inSize) return fail(Status.ShapeMismatch, Field.LayerUnits, li, inSize, units);
    let s = checkSlot(li, rec, TensorSlot.W, dense, I, H); if (s) return s;
    s = checkSlot(li, rec, TensorSlot.B, dense && (flags & LayerFlag.HasBias) != 0, H, 0); if (s) return s;
    for (let k = 0; k < L_TENSOR_SLOTS; k++) {
      if (k == TensorSlot.W || k == TensorSlot.B) continue;
      s = checkSlot(li, rec, k, false, 0, 0); if (s) return s;
    }
    for (let k = 0; k < 6; k++) {
      s = checkAct(li, rec, k, k == 0, true); if (s) return s;
    }
  }
  return Status.Ok;
}

export function loadModel(bytes: i32): Status {
  if (modelPtr == 0) return fail(Status.BadState, Field.ModelBytes, -1, 0, 0);
  if (loaded) return fail(Status.BadState, Field.ModelBytes, -1, 0, 1);
  if (bytes < 0 || <usize>bytes > modelCap) return fail(Status.BadArgument, Field.ModelBytes, -1, <i64>modelCap, bytes);
  let len = <u32>bytes;
  secCount = 0;
  if (len < HEADER_BYTES) return fail(Status.Truncated, Field.FileBytes, -1, HEADER_BYTES, len);
  if (u32at(H_MAGIC) != MAGIC) return fail(Status.BadMagic, Field.Magic, -1, MAGIC, u32at(H_MAGIC));
  let major = u16at(H_MAJOR), minor = u16at(H_MINOR);
  if (major != FORMAT_MAJOR || minor > FORMAT_MINOR) {
    return fail(Status.UnsupportedVersion, Field.Version, -1, (FORMAT_MAJOR << 16) | FORMAT_MINOR, (major << 16) | minor);
  }
  if (u32at(H_HEADER_BYTES) != HEADER_BYTES) return fail(Status.BadSection, Field.HeaderBytes, -1, HEADER_BYTES, u32at(H_HEADER_BYTES));
  let fileBytes = u32at(H_FILE_BYTES);
  if (fileBytes > len) return fail(Status.Truncated, Field.FileBytes, -1, fileBytes, len);
  if (fileBytes < len) return fail(Status.BadSection, Field.FileBytes, -1, fileBytes, len);
  let want = u32at(H_CRC32);
  // the whole file, with the 4 bytes of the CRC field itself counted as zeros
  let c = crc32Update(0xFFFFFFFF, modelPtr, H_CRC32);
  c = crc32Zeros(c, 4);
  let got = crc32Update(c, modelPtr + H_CRC32 + 4, fileBytes - H_CRC32 - 4) ^ 0xFFFFFFFF;
  if (want != got) return fail(Status.ChecksumMismatch, Field.Checksum, -1, want, got);
  let flags = u32at(H_FLAGS);
  if (flags != 0) return fail(Status.Unsupported, Field.Flags, -1, 0, flags);

  // section bounds first (a corrupt count is a format error), then the configured limits
  let nLayers = u32at(H_LAYER_COUNT);
  if (nLayers == 0) return fail(Status.BadSection, Field.LayerCount, -1, 1, 0);
  let layerTable = u32at(H_LAYER_TABLE);
  let s = checkSection(Field.LayerTable, layerTable, <u64>nLayers * LAYER_RECORD_BYTES, fileBytes, 16); if (s) return s;
  if (nLayers > <u32>limitLayers) return fail(Status.LimitExceeded, Field.LayerCount, -1, limitLayers, nLayers);
  tensorCount = u32at(H_TENSOR_COUNT);
  tensorTable = u32at(H_TENSOR_TABLE);
  s = checkSection(Field.TensorTable, tensorTable, <u64>tensorCount * TENSOR_RECORD_BYTES, fileBytes, 16); if (s) return s;
  if (tensorCount > <u32>limitTensors) return fail(Status.LimitExceeded, Field.TensorCount, -1, limitTensors, tensorCount);
  s = checkSection(Field.Metadata, u32at(H_META_OFFSET), <u64>u32at(H_META_BYTES), fileBytes, 1); if (s) return s;
  let dataOff = u32at(H_DATA_OFFSET), dataBytes = u32at(H_DATA_BYTES);
  s = checkSection(Field.DataSection, dataOff, <u64>dataBytes, fileBytes, TENSOR_ALIGN); if (s) return s;
  s = validateTensors(fileBytes, dataOff, dataOff + dataBytes); if (s) return s;

  let inSize = <i32>u32at(H_INPUT_SIZE);
  if (inSize <= 0 || inSize > limitDim) return fail(Status.LimitExceeded, Field.InputSize, -1, limitDim, inSize);
  let expectIn = inSize;
  let collapsed = false;
  for (let i: u32 = 0; i < nLayers; i++) {
    let rec = <usize>layerTable + <usize>i * LAYER_RECORD_BYTES;
    s = validateLayer(<i32>i, rec, expectIn, collapsed); if (s) return s;
    expectIn = <i32>u32at(rec + L_OUTPUT_SIZE);
    let out = u8at(rec + L_OUTPUT);
    let ty = u8at(rec + L_TYPE);
    if ((ty == LayerType.LSTM || ty == LayerType.GRU || ty == LayerType.RNN) && (out == OutputMode.Last || out == OutputMode.Final)) collapsed = true;
  }
  let outSize = <i32>u32at(H_OUTPUT_SIZE);
  if (outSize != expectIn) return fail(Status.ShapeMismatch, Field.OutputSize, -1, expectIn, outSize);

  // ---- plan: descriptors with resolved pointers ----
  let descBytes = LAYER_DESC_BYTES + TENSOR_TABLE_BYTES;
  layers = alloc(<usize>nLayers * descBytes);
  if (layers == 0) return fail(Status.OutOfMemory, Field.LayerCount, -1, <i64>(<usize>nLayers * descBytes), 0);
  layerCount = <i32>nLayers;
  inputSize = inSize;
  outputSize = outSize;
  maxWidth = inSize;
  maxGates = 1;
  maxUnits = 1;
  stateFloats = 0;
  streamable = true;
  collapseAt = -1;
  weightBytes = <usize>dataBytes;
  for (let i = 0; i < layerCount; i++) {
    let rec = <usize>layerTable + <usize>i * LAYER_RECORD_BYTES;
    let L = layerAt(i);
    L.type = <i32>u8at(rec + L_TYPE);
    L.mode = <i32>u8at(rec + L_MODE);
    L.dirs = <i32>u8at(rec + L_DIRECTIONS);
    L.output = <i32>u8at(rec + L_OUTPUT);
    L.flags = <i32>u32at(rec + L_FLAGS);
    L.inSize = <i32>u32at(rec + L_INPUT_SIZE);
    L.units = <i32>u32at(rec + L_UNITS);
    L.outSize = <i32>u32at(rec + L_OUTPUT_SIZE);
    L.clip = load<f32>(modelPtr + rec + L_CLIP);
    L.record = modelPtr + rec;
    let recurrent = L.type <= LayerType.RNN;
    L.gh = recurrent ? gatesOf(L.type) * L.units : L.units;
    L.hasCell = L.type == LayerType.LSTM ? 1 : 0;
    L.stateOff = stateFloats;
    if (recurrent) {
      stateFloats += L.units * (1 + L.hasCell);
      if (L.dirs != 1 || (L.flags & LayerFlag.Reverse)) streamable = false;
      if (collapseAt < 0 && (L.output == OutputMode.Last || L.output == OutputMode.Final)) collapseAt = i;
      maxGates = max(maxGates, L.gh);
      maxUnits = max(maxUnits, L.units);
    }
    maxWidth = max(maxWidth, L.outSize);
    for (let slot = 0; slot < L_TENSOR_SLOTS; slot++) {
      let t = u16at(rec + L_TENSORS + (<usize>slot << 1));
      let p: usize = t == NO_TENSOR ? 0 : modelPtr + <usize>u32at(trec(t) + T_OFFSET);
      store<u32>(changetype<usize>(L) + LAYER_DESC_BYTES + (<usize>slot << 2), <u32>p);
    }
  }
  loaded = true;
  return Status.Ok;
}
