// Model loader and validator. The host copies an .ernn file into a block reserved by
// ernn_model_reserve; ernn_model_load checks every field (docs/FORMAT.md, "What the loader
// checks") and builds one descriptor per layer with resolved weight pointers and, for the int8
// mode, the per-row fixed-point multipliers, so that a step reads prepared parameters and
// validates nothing. Weights stay where the host wrote them.

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
  QuantParam, LUT_ENTRIES, MAX_K_INT8,
} from './format';
import { crc32Update, crc32Zeros } from './crc32';
import { alloc } from './memory';
import { quantizeMultiplier, sat16, pow2 } from './kernels/fixedpoint';
import { actScalarF32 } from './kernels/activation_f32';
import { rqBytes, rqLayout } from './kernels/fixedpoint_s8_simd';
import { packModelS8 } from './kernels/matmul_s8';
import { packLayerF32 } from './kernels/gemm_f32';

// One per layer, built at load. Behind the fields: the tensor pointer table and the scale
// pointer table ([2 directions][8 slots] of absolute addresses each, 0 when absent).
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
  stateOff: i32;    // bytes of per-stream state before this layer's state
  hasCell: i32;     // 1 for LSTM
  hBytes: i32;      // bytes of h per stream (f32: 4H; int8 LSTM/RNN: H; int8 GRU: 2H, Q0.15)
  cBytes: i32;      // bytes of c per stream (f32: 4H; int8: 2H; 0 without a cell)
  inElem: i32;      // bytes per input value (4 float, 1 int8)
  outElem: i32;     // bytes per output value (4 float, 1 int8, 2 int16)
  prep0: usize;     // int8 mode: prepared fixed-point parameters per direction (Prep)
  prep1: usize;
}

// int8 mode: what the loader derives from a layer's scales, per direction.
@unmanaged export class Prep {
  mx: usize;        // i32 [gh] Q31 multipliers of the input accumulator
  sx: usize;        // i32 [gh] shifts
  mh: usize;        // i32 [gh] of the recurrent accumulator
  sh: usize;
  mOut: i32;        // LUT output (Q0.15) or o*tanh(c) (Q0.30) -> output scale
  sOut: i32;
  lutF: usize;      // activation tables (0 = none)
  lutG: usize;
  lutH: usize;
  inZp: i32;
  outZp: i32;
  outBits: i32;
  cellFrac: i32;
  direct: i32;      // activation without a table: 0 linear, 1 relu, 2 relu6
  clip: i32;        // Q3.12, 0 = none
  inScale: f32;
  outScale: f32;
  actHi: i32;       // relu6: 6 in output units (clamp), else i32.MAX_VALUE
  mPeep: i32;       // P (int16) * c (int16, Q cellFrac) -> Q3.12
  sPeep: i32;
  h0: usize;        // learned initial state (int8 h, Q0.15 GRU h, int16 c) or 0
  c0: usize;
  units: i32;       // the layer's units and gates per unit
  gates: i32;
  rq: usize;        // SIMD build: the multipliers in SIMD form (fixedpoint_s8_simd.ts, rqLayout)
  rqLeft: i32;      // which of them shift left (bits: 0 input, 1 recurrent, 2 output, 3 peephole)
}

// @ts-ignore: decorator
@inline export const LAYER_DESC_BYTES: usize = 96;   // >= offsetof<Layer>(), multiple of 16
// @ts-ignore: decorator
@inline const TABLE_BYTES: usize = 2 * 8 * 4;
// @ts-ignore: decorator
@inline const DESC_STRIDE: usize = LAYER_DESC_BYTES + 2 * TABLE_BYTES;

// @ts-ignore: decorator
@inline export function layerAt(i: i32): Layer {
  return changetype<Layer>(layers + <usize>i * DESC_STRIDE);
}

// @ts-ignore: decorator
@inline export function tensorPtr(L: Layer, dir: i32, slot: i32): usize {
  return <usize>load<u32>(changetype<usize>(L) + LAYER_DESC_BYTES + (<usize>(dir * 8 + slot) << 2));
}

// The per-row f32 scales of a quantized weight tensor (its record's scale field), or 0.
// @ts-ignore: decorator
@inline export function scalePtr(L: Layer, dir: i32, slot: i32): usize {
  return <usize>load<u32>(changetype<usize>(L) + LAYER_DESC_BYTES + TABLE_BYTES + (<usize>(dir * 8 + slot) << 2));
}

// int8-dynamic: the row sums of quantized weight `slot` (W or R), prepared at load.
// @ts-ignore: decorator
@inline export function rowSumPtr(L: Layer, dir: i32, slot: i32): usize {
  return <usize>load<u32>((dir == 0 ? L.prep0 : L.prep1) + (<usize>slot << 2));
}

// @ts-ignore: decorator
@inline export function prepOf(L: Layer, dir: i32): Prep {
  return changetype<Prep>(dir == 0 ? L.prep0 : L.prep1);
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
export let maxK: i32 = 0;            // widest matmul input (for the widened int16 rows)
export let stateBytes: i32 = 0;      // per-stream state, all layers (streamable models)
export let streamable = false;
export let collapseAt: i32 = -1;     // first layer whose output is one vector per sequence
export let weightBytes: usize = 0;
export let int8Model = false;        // every layer runs the integer path

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

// The block has 32 bytes of slack after the file: the int8 SIMD kernels may read up to 30 bytes
// past the end of a weight tensor (they meet zeros in the input, or fill lanes never stored).
export function reserve(bytes: i32): usize {
  if (modelPtr != 0) { fail(Status.BadState, Field.ModelBytes, -1, 0, bytes); return 0; }
  if (bytes < 0 || bytes > limitModelBytes) {
    fail(Status.LimitExceeded, Field.ModelBytes, -1, limitModelBytes, bytes);
    return 0;
  }
  let p = alloc(<usize>bytes + 32);
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
  return d == Dtype.F32 ? 4 : d == Dtype.I8 ? 1 : d == Dtype.I16 ? 2 : d == Dtype.I32 ? 4 : d == Dtype.BF16 ? 2 : 0;
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
        // a structural bound only: the layers hold the tensors they use to the configured
        // limitDim, so that a model above it is refused as LimitExceeded (naming the layer)
        if (d == 0 || d > <u32>MAX_DIM_HARD * 4) return fail(Status.BadTensor, Field.TensorDims, i, MAX_DIM_HARD * 4, d, k);
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
      if (u8at(trec(sc) + T_DTYPE) != Dtype.BF16) return fail(Status.BadTensor, Field.TensorScale, i, Dtype.BF16, u8at(trec(sc) + T_DTYPE));
    }
    let zp = u16at(rec + T_ZERO_POINT);
    if (zp != NO_TENSOR) {
      if (zp >= tensorCount || zp == i) return fail(Status.BadTensor, Field.TensorZeroPoint, i, tensorCount, zp);
    }
  }
  return Status.Ok;
}

// The tensor in `slot` must be present iff `want`; if present it must have the dtype and shape
// (rank 1 when d1 == 0), and, when `scaled`, per-row bf16 scales [d0].
function checkSlot(li: i32, rec: usize, slot: i32, want: bool, dtype: u32, d0: i32, d1: i32, scaled: bool = false): Status {
  let t = u16at(rec + L_TENSORS + (<usize>slot << 1));
  if (!want) {
    if (t != NO_TENSOR) return fail(Status.BadLayer, Field.LayerTensorSlot, li, NO_TENSOR, t, slot);
    return Status.Ok;
  }
  if (t == NO_TENSOR) return fail(Status.BadLayer, Field.LayerTensorSlot, li, 0, NO_TENSOR, slot);
  if (t >= tensorCount) return fail(Status.BadLayer, Field.LayerTensorSlot, li, tensorCount, t, slot);
  let tr = trec(t);
  if (u8at(tr + T_DTYPE) != dtype) return fail(Status.ShapeMismatch, Field.TensorDtype, <i32>t, dtype, u8at(tr + T_DTYPE), li);
  let rank: u32 = d1 > 0 ? 2 : 1;
  if (u8at(tr + T_RANK) != rank) return fail(Status.ShapeMismatch, Field.TensorRank, <i32>t, rank, u8at(tr + T_RANK), li);
  if (u32at(tr + T_DIMS) != <u32>d0) return fail(Status.ShapeMismatch, Field.TensorDims, <i32>t, d0, u32at(tr + T_DIMS), li);
  if (rank == 2 && u32at(tr + T_DIMS + 4) != <u32>d1) return fail(Status.ShapeMismatch, Field.TensorDims, <i32>t, d1, u32at(tr + T_DIMS + 4), li);
  let sc = u16at(tr + T_SCALE);
  if (scaled) {
    if (sc == NO_TENSOR) return fail(Status.ShapeMismatch, Field.TensorScale, <i32>t, 0, NO_TENSOR, li);
    let sr = trec(sc);
    if (u8at(sr + T_RANK) != 1 || u32at(sr + T_DIMS) != <u32>d0) return fail(Status.ShapeMismatch, Field.TensorScale, <i32>t, d0, u32at(sr + T_DIMS), li);
  } else if (sc != NO_TENSOR) {
    return fail(Status.BadTensor, Field.TensorScale, <i32>t, NO_TENSOR, sc);
  }
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

// int8 mode: the quantization parameter tensor of one direction, and the tables it names.
function qp(rec: usize, dir: i32, k: i32): i32 {
  let t = u16at(rec + L_TENSORS + (<usize>(dir * 8 + TensorSlot.Quant) << 1));
  return <i32>load<u32>(modelPtr + <usize>u32at(trec(t) + T_OFFSET) + (<usize>k << 2));
}

function checkQuant(li: i32, rec: usize, dir: i32, type: u32, last: bool): Status {
  let inZp = qp(rec, dir, QuantParam.InputZeroPoint), outZp = qp(rec, dir, QuantParam.OutputZeroPoint);
  let bits = qp(rec, dir, QuantParam.OutputBits);
  if (inZp < -128 || inZp > 127) return fail(Status.BadLayer, Field.LayerQuant, li, 127, inZp, QuantParam.InputZeroPoint);
  if (bits != 8 && !(bits == 16 && last && type == LayerType.Dense)) return fail(Status.BadLayer, Field.LayerQuant, li, 8, bits, QuantParam.OutputBits);
  if (bits == 8 ? (outZp < -128 || outZp > 127) : outZp != 0) return fail(Status.BadLayer, Field.LayerQuant, li, 0, outZp, QuantParam.OutputZeroPoint);
  // LSTM and GRU outputs (their h) are symmetric, so their recurrent product needs no zero-point
  // term; a simple RNN may be asymmetric (relu) and carries that term in its Bn tensor
  if ((type == LayerType.LSTM || type == LayerType.GRU) && outZp != 0) return fail(Status.BadLayer, Field.LayerQuant, li, 0, outZp, QuantParam.OutputZeroPoint);
  let inScale = reinterpret<f32>(qp(rec, dir, QuantParam.InputScale)), outScale = reinterpret<f32>(qp(rec, dir, QuantParam.OutputScale));
  if (!finite(inScale) || !(inScale > 0)) return fail(Status.BadLayer, Field.LayerQuant, li, 0, 0, QuantParam.InputScale);
  if (!finite(outScale) || !(outScale > 0)) return fail(Status.BadLayer, Field.LayerQuant, li, 0, 0, QuantParam.OutputScale);
  if (type == LayerType.LSTM || type == LayerType.GRU) {
    let cf = qp(rec, dir, QuantParam.StateFrac);
    if (cf < 0 || cf > 15) return fail(Status.BadLayer, Field.LayerQuant, li, 15, cf, QuantParam.StateFrac);
  }
  let ps = reinterpret<f32>(qp(rec, dir, QuantParam.PeepholeScale));
  let peep = (u32at(rec + L_FLAGS) & LayerFlag.Peephole) != 0;
  if (peep ? !(finite(ps) && ps > 0) : qp(rec, dir, QuantParam.PeepholeScale) != 0) return fail(Status.BadLayer, Field.LayerQuant, li, 0, 0, QuantParam.PeepholeScale);
  let clip = qp(rec, dir, QuantParam.Clip);
  if (clip < 0 || clip > 32767) return fail(Status.BadLayer, Field.LayerQuant, li, 32767, clip, QuantParam.Clip);
  // which activations go through a table: all of LSTM's, GRU's f and g; RNN/Dense f optionally,
  // and then only linear, relu or relu6 may go without one
  let gated = type == LayerType.LSTM || type == LayerType.GRU;
  let tf = qp(rec, dir, QuantParam.TableF), tg = qp(rec, dir, QuantParam.TableG), th = qp(rec, dir, QuantParam.TableH);
  if (tf != 0 && tf != 1 || (gated && tf != 1)) return fail(Status.BadLayer, Field.LayerQuant, li, 1, tf, QuantParam.TableF);
  if (tg != (gated ? 1 : 0)) return fail(Status.BadLayer, Field.LayerQuant, li, gated ? 1 : 0, tg, QuantParam.TableG);
  if (th != (type == LayerType.LSTM ? 1 : 0)) return fail(Status.BadLayer, Field.LayerQuant, li, type == LayerType.LSTM ? 1 : 0, th, QuantParam.TableH);
  if (tf == 0) {
    let code = u32at(rec + L_ACT + <usize>(dir * 3) * L_ACT_BYTES);
    if (code != Act.Linear && code != Act.Relu && code != Act.Relu6) return fail(Status.Unsupported, Field.LayerActivation, li, Act.Linear, code, dir * 3);
  }
  for (let k = 7; k < QuantParam.Count; k++) {
    if (k >= QuantParam.InputScale && k <= QuantParam.PeepholeScale) continue;
    if (qp(rec, dir, k) != 0) return fail(Status.BadLayer, Field.LayerQuant, li, 0, qp(rec, dir, k), k);
  }
  return Status.Ok;
}

function validateLayer(li: i32, rec: usize, expectIn: i32, collapsed: bool, last: bool): Status {
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
  if (flags & ~KNOWN_FLAGS) return fail(Status.BadLayer, Field.LayerFlags, li, KNOWN_FLAGS, flags);
  if (inSize == 0 || inSize > <u32>limitDim) return fail(Status.LimitExceeded, Field.LayerInputSize, li, limitDim, inSize);
  if (units == 0 || units > <u32>limitDim) return fail(Status.LimitExceeded, Field.LayerUnits, li, limitDim, units);
  if (<i32>inSize != expectIn) return fail(Status.ShapeMismatch, Field.LayerInputSize, li, expectIn, inSize);
  let H = <i32>units, I = <i32>inSize;
  let quant = mode != Mode.F32;
  let int8 = mode == Mode.Int8;
  // quantized weights: int8, output-major [outputs, inputs], per-row scales
  let wType: u32 = quant ? Dtype.I8 : Dtype.F32;
  let bType: u32 = int8 ? Dtype.I32 : Dtype.F32;
  if (int8 && (I > MAX_K_INT8 || H > MAX_K_INT8)) return fail(Status.LimitExceeded, Field.LayerUnits, li, MAX_K_INT8, max(I, H));
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
    let bnWanted = isGru && (flags & LayerFlag.ResetAfter) != 0 && (int8 || hasBias) || (int8 && type == LayerType.RNN);
    let h0Type: u32 = int8 ? (isGru ? Dtype.I16 : Dtype.I8) : Dtype.F32;
    for (let d: u32 = 0; d < 2; d++) {
      let on = d < dirs;
      let base = <i32>d * 8;
      let s = checkSlot(li, rec, base + TensorSlot.W, on, wType, quant ? G * H : I, quant ? I : G * H, quant); if (s) return s;
      s = checkSlot(li, rec, base + TensorSlot.R, on, wType, quant ? G * H : H, quant ? H : G * H, quant); if (s) return s;
      s = checkSlot(li, rec, base + TensorSlot.B, on && (hasBias || int8), bType, G * H, 0); if (s) return s;
      s = checkSlot(li, rec, base + TensorSlot.Bn, on && bnWanted, bType, H, 0); if (s) return s;
      s = checkSlot(li, rec, base + TensorSlot.P, on && (flags & LayerFlag.Peephole) != 0, int8 ? Dtype.I16 : Dtype.F32, 3 * H, 0); if (s) return s;
      s = checkSlot(li, rec, base + TensorSlot.H0, on && (flags & LayerFlag.HasH0) != 0, h0Type, H, 0); if (s) return s;
      s = checkSlot(li, rec, base + TensorSlot.C0, on && (flags & LayerFlag.HasC0) != 0, int8 ? Dtype.I16 : Dtype.F32, H, 0); if (s) return s;
      s = checkSlot(li, rec, base + TensorSlot.Quant, on && int8, Dtype.I32, QuantParam.Count, 0); if (s) return s;
      if (on && int8) { s = checkQuant(li, rec, <i32>d, type, last); if (s) return s; }
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
    if (!dense && mode != Mode.F32) return fail(Status.Unsupported, Field.LayerMode, li, Mode.F32, mode);
    if (flags & ~(dense ? <u32>LayerFlag.HasBias : 0)) return fail(Status.BadLayer, Field.LayerFlags, li, 0, flags);
    if (!dense && units != inSize) return fail(Status.ShapeMismatch, Field.LayerUnits, li, inSize, units);
    let s = checkSlot(li, rec, TensorSlot.W, dense, wType, quant ? H : I, quant ? I : H, quant); if (s) return s;
    s = checkSlot(li, rec, TensorSlot.B, dense && ((flags & LayerFlag.HasBias) != 0 || int8), bType, H, 0); if (s) return s;
    s = checkSlot(li, rec, TensorSlot.Quant, dense && int8, Dtype.I32, QuantParam.Count, 0); if (s) return s;
    if (dense && int8) { s = checkQuant(li, rec, 0, type, last); if (s) return s; }
    for (let k = 0; k < L_TENSOR_SLOTS; k++) {
      if (k == TensorSlot.W || k == TensorSlot.B || k == TensorSlot.Quant) continue;
      s = checkSlot(li, rec, k, false, 0, 0, 0); if (s) return s;
    }
    for (let k = 0; k < 6; k++) {
      s = checkAct(li, rec, k, k == 0, !int8); if (s) return s;
    }
  }
  return Status.Ok;
}

// int8 mode: every layer integer, each layer's input quantization equal to the previous
// layer's output quantization, tables for every activation that needs one.
function checkInt8Chain(layerTable: u32, nLayers: u32): Status {
  let prevZp = 0, prevScale = 0;
  for (let i: u32 = 0; i < nLayers; i++) {
    let rec = <usize>layerTable + <usize>i * LAYER_RECORD_BYTES;
    if (u8at(rec + L_MODE) != Mode.Int8) return fail(Status.Unsupported, Field.LayerMode, <i32>i, Mode.Int8, u8at(rec + L_MODE));
    let dirs = <i32>u8at(rec + L_DIRECTIONS);
    for (let d = 0; d < dirs; d++) {
      let zp = qp(rec, d, QuantParam.InputZeroPoint), sc = qp(rec, d, QuantParam.InputScale);
      if (i > 0 && (zp != prevZp || sc != prevScale)) return fail(Status.ShapeMismatch, Field.LayerQuant, <i32>i, prevZp, zp, QuantParam.InputZeroPoint);
      if (d == 1 && (qp(rec, 1, QuantParam.OutputZeroPoint) != qp(rec, 0, QuantParam.OutputZeroPoint) || qp(rec, 1, QuantParam.OutputScale) != qp(rec, 0, QuantParam.OutputScale))) {
        return fail(Status.ShapeMismatch, Field.LayerQuant, <i32>i, 0, 1, QuantParam.OutputScale);
      }
    }
    prevZp = qp(rec, 0, QuantParam.OutputZeroPoint);
    prevScale = qp(rec, 0, QuantParam.OutputScale);
  }
  return Status.Ok;
}

const shiftWord = memory.data(4);

// int8-dynamic, at load: the sum of each row of the quantized W and R (the zero-point term of
// an asymmetric input). Block: [ptr W sums, ptr R sums] then the sums.
function prepareRowSums(L: Layer, dir: i32): Status {
  let rows = L.gh;
  let wk = L.inSize, rk = L.units;
  let P = alloc(16 + (<usize>rows << 3));
  if (P == 0) return fail(Status.OutOfMemory, Field.LayerQuant, -1, rows * 8, 0);
  let sw = P + 16, sr = sw + (<usize>rows << 2);
  store<u32>(P, <u32>sw);
  store<u32>(P, <u32>sr, 4);
  let W = tensorPtr(L, dir, TensorSlot.W), R = tensorPtr(L, dir, TensorSlot.R);
  for (let m = 0; m < rows; m++) {
    let a = 0;
    for (let k = 0; k < wk; k++) a += <i32>load<i8>(W + <usize>m * <usize>wk + <usize>k);
    store<i32>(sw + (<usize>m << 2), a);
    if (R) {
      let b = 0;
      for (let k = 0; k < rk; k++) b += <i32>load<i8>(R + <usize>m * <usize>rk + <usize>k);
      store<i32>(sr + (<usize>m << 2), b);
    }
  }
  if (dir == 0) L.prep0 = P; else L.prep1 = P;
  return Status.Ok;
}

// @ts-ignore: decorator
@inline export function bf16(p: usize, i: i32): f32 {
  return reinterpret<f32>(<u32>load<u16>(p + (<usize>i << 1)) << 16);
}

// int8 mode: 513-entry int16 tables of activations over Q3.12 inputs [-8, 8], Q0.15 outputs,
// computed at load with the module's own f32 activation functions (the same on every host) and
// shared between layers with the same activation. A table needs |f| <= 1 on the whole range.
const TABLE_CACHE = 32;
const tableKeys = memory.data(TABLE_CACHE * 12);
const tablePtrs = memory.data(TABLE_CACHE * 4);
let tableCount = 0;
let lastTable: usize = 0;

function table(L: Layer, dir: i32, slot: i32): Status {
  let code = actCode(L, dir, slot), a = actAlpha(L, dir, slot), b = actBeta(L, dir, slot);
  for (let i = 0; i < tableCount; i++) {
    let k = tableKeys + <usize>i * 12;
    if (load<i32>(k) == code && load<f32>(k, 4) == a && load<f32>(k, 8) == b) {
      lastTable = <usize>load<u32>(tablePtrs + (<usize>i << 2));
      return Status.Ok;
    }
  }
  let t = alloc(<usize>LUT_ENTRIES * 2);
  if (t == 0) return fail(Status.OutOfMemory, Field.LayerQuant, -1, LUT_ENTRIES * 2, 0);
  for (let j = 0; j < LUT_ENTRIES; j++) {
    let x = <f32>(j * 128 - 32768) / <f32>4096.0;
    let y = actScalarF32(code, a, b, x);
    if (!(abs<f32>(y) <= <f32>1.0)) return fail(Status.Unsupported, Field.LayerActivation, -1, 1, code, dir * 3 + slot);
    store<i16>(t + (<usize>j << 1), <i16>sat16(<i32>nearest<f32>(y * <f32>32768.0)));
  }
  if (tableCount < TABLE_CACHE) {
    let k = tableKeys + <usize>tableCount * 12;
    store<i32>(k, code); store<f32>(k, a, 4); store<f32>(k, b, 8);
    store<u32>(tablePtrs + (<usize>tableCount << 2), <u32>t);
    tableCount++;
  }
  lastTable = t;
  return Status.Ok;
}

// int8 mode, at load: per-row Q31 multipliers from the f32 scales (in f64, deterministic).
//   gate pre-activations are int16 Q3.12 (scale 2^-12) when the activation uses a table,
//   else they are requantized straight to the output scale.
function prepare(L: Layer, dir: i32, rec: usize): Status {
  let P = alloc(<usize>offsetof<Prep>() + <usize>L.gh * 16 + 16);
  if (P == 0) return fail(Status.OutOfMemory, Field.LayerQuant, -1, L.gh * 16, 0);
  let p = changetype<Prep>(P);
  p.mx = P + ((<usize>offsetof<Prep>() + 15) & ~15);
  p.sx = p.mx + (<usize>L.gh << 2);
  p.mh = p.sx + (<usize>L.gh << 2);
  p.sh = p.mh + (<usize>L.gh << 2);
  p.inZp = qp(rec, dir, QuantParam.InputZeroPoint);
  p.outZp = qp(rec, dir, QuantParam.OutputZeroPoint);
  p.outBits = qp(rec, dir, QuantParam.OutputBits);
  p.cellFrac = qp(rec, dir, QuantParam.StateFrac);
  let ps = reinterpret<f32>(qp(rec, dir, QuantParam.PeepholeScale));
  p.clip = qp(rec, dir, QuantParam.Clip);
  p.inScale = reinterpret<f32>(qp(rec, dir, QuantParam.InputScale));
  p.outScale = reinterpret<f32>(qp(rec, dir, QuantParam.OutputScale));
  p.lutF = 0; p.lutG = 0; p.lutH = 0;
  let s = Status.Ok;
  if (qp(rec, dir, QuantParam.TableF)) { s = table(L, dir, 0); if (s) return s; p.lutF = lastTable; }
  if (qp(rec, dir, QuantParam.TableG)) { s = table(L, dir, 1); if (s) return s; p.lutG = lastTable; }
  if (qp(rec, dir, QuantParam.TableH)) { s = table(L, dir, 2); if (s) return s; p.lutH = lastTable; }
  let code = actCode(L, dir, 0);
  p.direct = code == Act.Relu ? 1 : code == Act.Relu6 ? 2 : 0;
  p.h0 = tensorPtr(L, dir, TensorSlot.H0);
  p.c0 = tensorPtr(L, dir, TensorSlot.C0);
  let tabled = p.lutF != 0;
  let pre: f64 = tabled ? 1.0 / 4096.0 : <f64>p.outScale;
  let sw = scalePtr(L, dir, TensorSlot.W), sr = scalePtr(L, dir, TensorSlot.R);
  let shiftOut = shiftWord;
  for (let m = 0; m < L.gh; m++) {
    let o = <usize>m << 2;
    store<i32>(p.mx + o, quantizeMultiplier(<f64>bf16(sw, m) * <f64>p.inScale / pre, shiftOut));
    store<i32>(p.sx + o, load<i32>(shiftOut));
    if (sr) {
      store<i32>(p.mh + o, quantizeMultiplier(<f64>bf16(sr, m) * <f64>p.outScale / pre, shiftOut));
      store<i32>(p.sh + o, load<i32>(shiftOut));
    }
  }
  // LSTM: o * tanh(c) is Q0.30; GRU: its state has cellFrac fraction bits; tables give Q0.15;
  // each goes to the output scale
  let outReal: f64 = L.type == LayerType.LSTM ? 1.0 / 1073741824.0 / <f64>p.outScale
    : L.type == LayerType.GRU ? pow2(-p.cellFrac) / <f64>p.outScale : 1.0 / 32768.0 / <f64>p.outScale;
  p.mPeep = ps > 0 ? quantizeMultiplier(<f64>ps * pow2(12 - p.cellFrac), shiftOut) : 0;
  p.sPeep = load<i32>(shiftOut);
  p.actHi = p.direct == 2 ? p.outZp + <i32>nearest<f64>(6.0 / <f64>p.outScale) : i32.MAX_VALUE;
  p.mOut = quantizeMultiplier(outReal, shiftOut);
  p.sOut = load<i32>(shiftOut);
  p.units = L.units;
  p.gates = L.gh / L.units;
  if (ASC_FEATURE_SIMD) {
    p.rq = alloc(rqBytes(p.gates, L.units));
    if (p.rq == 0) return fail(Status.OutOfMemory, Field.LayerQuant, -1, <i64>rqBytes(p.gates, L.units), 0);
    p.rqLeft = rqLayout(p.gates, L.units, p.mx, p.sx, p.mh, p.sh, p.mOut, p.sOut, p.mPeep, p.sPeep, p.rq);
  }
  if (dir == 0) L.prep0 = P; else L.prep1 = P;
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
  let anyInt8 = false;
  for (let i: u32 = 0; i < nLayers; i++) {
    let rec = <usize>layerTable + <usize>i * LAYER_RECORD_BYTES;
    s = validateLayer(<i32>i, rec, expectIn, collapsed, i == nLayers - 1); if (s) return s;
    expectIn = <i32>u32at(rec + L_OUTPUT_SIZE);
    let out = u8at(rec + L_OUTPUT);
    let ty = u8at(rec + L_TYPE);
    if ((ty == LayerType.LSTM || ty == LayerType.GRU || ty == LayerType.RNN) && (out == OutputMode.Last || out == OutputMode.Final)) collapsed = true;
    if (u8at(rec + L_MODE) == Mode.Int8) anyInt8 = true;
  }
  let outSize = <i32>u32at(H_OUTPUT_SIZE);
  if (outSize != expectIn) return fail(Status.ShapeMismatch, Field.OutputSize, -1, expectIn, outSize);
  if (anyInt8) { s = checkInt8Chain(layerTable, nLayers); if (s) return s; }

  // ---- plan: descriptors with resolved pointers ----
  layers = alloc(<usize>nLayers * DESC_STRIDE);
  if (layers == 0) return fail(Status.OutOfMemory, Field.LayerCount, -1, <i64>(<usize>nLayers * DESC_STRIDE), 0);
  layerCount = <i32>nLayers;
  inputSize = inSize;
  outputSize = outSize;
  int8Model = anyInt8;
  maxWidth = inSize;
  maxGates = 1;
  maxUnits = 1;
  maxK = inSize;
  stateBytes = 0;
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
    let int8 = L.mode == Mode.Int8;
    L.gh = recurrent ? gatesOf(L.type) * L.units : L.units;
    L.hasCell = L.type == LayerType.LSTM ? 1 : 0;
    L.inElem = int8 ? 1 : 4;
    L.outElem = int8 ? (qp(rec, 0, QuantParam.OutputBits) == 16 ? 2 : 1) : 4;
    L.hBytes = recurrent ? (int8 ? (L.type == LayerType.GRU ? 2 : 1) : 4) * L.units : 0;
    L.cBytes = L.hasCell ? (int8 ? 2 : 4) * L.units : 0;
    L.stateOff = stateBytes;
    L.prep0 = 0;
    L.prep1 = 0;
    if (recurrent) {
      stateBytes += L.hBytes + L.cBytes;
      if (L.dirs != 1 || (L.flags & LayerFlag.Reverse)) streamable = false;
      if (collapseAt < 0 && (L.output == OutputMode.Last || L.output == OutputMode.Final)) collapseAt = i;
      maxGates = max(maxGates, L.gh);
      maxUnits = max(maxUnits, L.units);
      maxK = max(maxK, L.units);
    } else {
      maxGates = max(maxGates, L.units);
    }
    maxK = max(maxK, L.inSize);
    maxWidth = max(maxWidth, L.outSize);
    for (let slot = 0; slot < L_TENSOR_SLOTS; slot++) {
      let t = u16at(rec + L_TENSORS + (<usize>slot << 1));
      let p: usize = t == NO_TENSOR ? 0 : modelPtr + <usize>u32at(trec(t) + T_OFFSET);
      store<u32>(changetype<usize>(L) + LAYER_DESC_BYTES + (<usize>slot << 2), <u32>p);
      let sc = t == NO_TENSOR ? NO_TENSOR : u16at(trec(t) + T_SCALE);
      let sp: usize = sc == NO_TENSOR ? 0 : modelPtr + <usize>u32at(trec(sc) + T_OFFSET);
      store<u32>(changetype<usize>(L) + LAYER_DESC_BYTES + TABLE_BYTES + (<usize>slot << 2), <u32>sp);
    }
    if (int8) {
      for (let d = 0; d < L.dirs; d++) { s = prepare(L, d, rec); if (s) return s; }
    } else if (L.mode == Mode.Int8Dynamic) {
      for (let d = 0; d < L.dirs; d++) { s = prepareRowSums(L, d); if (s) return s; }
    }
  }
  // f32 W and R to the gemm's panel layout, in place; last layer first (see packLayerF32)
  for (let i = layerCount - 1; i >= 0; i--) {
    if (layerAt(i).mode == Mode.F32) { s = packLayerF32(i); if (s) return s; }
  }
  // int8 and int8-dynamic W and R to the integer kernel's packed layout, in place
  if (!packModelS8(layerCount)) return fail(Status.OutOfMemory, Field.LayerQuant, -1, <i64>weightBytes, 0);
  loaded = true;
  return Status.Ok;
}
