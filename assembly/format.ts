// Byte layout of the .ernn v1 model file. docs/FORMAT.md is the prose version of this file;
// host/format/layout.ts mirrors the same numbers for the TypeScript writer and reader.
// Everything is little-endian. Offsets are from the first byte of the file.

export const MAGIC: u32 = 0x4E4E5245;       // "ERNN"
export const FORMAT_MAJOR: u32 = 1;
export const FORMAT_MINOR: u32 = 0;
export const HEADER_BYTES: u32 = 64;
export const LAYER_RECORD_BYTES: u32 = 128;
export const TENSOR_RECORD_BYTES: u32 = 64;
export const TENSOR_ALIGN: u32 = 16;
export const NO_TENSOR: u32 = 0xFFFF;

// Header fields (byte offsets).
export const H_MAGIC = 0;
export const H_MAJOR = 4;          // u16
export const H_MINOR = 6;          // u16
export const H_HEADER_BYTES = 8;
export const H_FILE_BYTES = 12;
export const H_CRC32 = 16;         // CRC-32 (IEEE 802.3) of the whole file, this field read as zero
export const H_FLAGS = 20;
export const H_LAYER_COUNT = 24;
export const H_LAYER_TABLE = 28;
export const H_TENSOR_COUNT = 32;
export const H_TENSOR_TABLE = 36;
export const H_META_OFFSET = 40;
export const H_META_BYTES = 44;
export const H_DATA_OFFSET = 48;
export const H_DATA_BYTES = 52;
export const H_INPUT_SIZE = 56;
export const H_OUTPUT_SIZE = 60;

// Layer record fields.
export const L_TYPE = 0;           // u8 LayerType
export const L_MODE = 1;           // u8 Mode
export const L_DIRECTIONS = 2;     // u8 1 or 2
export const L_OUTPUT = 3;         // u8 OutputMode
export const L_FLAGS = 4;          // u32 LayerFlag bits
export const L_INPUT_SIZE = 8;
export const L_UNITS = 12;
export const L_OUTPUT_SIZE = 16;
export const L_CLIP = 20;          // f32
export const L_ACT = 24;           // [2 directions][3 slots] x {u32 code, f32 alpha, f32 beta}
export const L_ACT_BYTES = 12;
export const L_TENSORS = 96;       // u16[16]: slot = direction * 8 + TensorSlot
export const L_TENSOR_SLOTS = 16;
export const L_QUANT = 128;        // (reserved for v1.x; records are 128 bytes)

export const enum LayerType {
  LSTM = 1,
  GRU = 2,
  RNN = 3,
  Dense = 4,
  Activation = 5,
}

export const enum Mode {
  F32 = 0,
  Int8Dynamic = 1,
  Int8 = 2,
}

export const enum OutputMode {
  Sequence = 0,          // every step, aligned with input time
  SequenceReversed = 1,  // every step in processing order (Keras go_backwards)
  Last = 2,              // the output row of the last input step (aligned time)
  Final = 3,             // the final state of each direction (ONNX Y_h, Keras return_sequences=False)
}

export const enum LayerFlag {
  Reverse = 1,           // one direction, processed from the last step to the first
  HasBias = 2,
  Peephole = 4,          // LSTM peepholes P = [Pi, Pf, Po]
  Clip = 8,              // clamp gate pre-activations to [-clip, clip]
  ResetAfter = 16,       // GRU variant B (PyTorch, ONNX linear_before_reset=1, Keras reset_after=True)
  InputForget = 32,      // LSTM coupled input-forget gate: f = 1 - i
  HasH0 = 64,            // learned initial hidden state tensor
  HasC0 = 128,           // learned initial cell state tensor
}
export const KNOWN_FLAGS: u32 = 255;

// Tensor slots per direction (slot index = direction * 8 + TensorSlot).
export const enum TensorSlot {
  W = 0,                 // input weights, [I, G*H] (input-major: row j holds the weights of input j)
  R = 1,                 // recurrent weights, [H, G*H]
  B = 2,                 // bias [G*H] (for GRU variant B the n block holds only the input bias)
  Bn = 3,                // GRU variant B recurrent bias of the n gate, [H]
  P = 4,                 // LSTM peepholes [3H], order i, f, o
  H0 = 5,                // learned initial h [H]
  C0 = 6,                // learned initial c [H]
  Quant = 7,             // int8 mode: i32 [16] quantization parameters (QuantParam)
}

// int8 mode: entries of the i32 [16] quantization parameter tensor (slot Quant).
export const enum QuantParam {
  InputZeroPoint = 0,
  OutputZeroPoint = 1,
  OutputBits = 2,        // 8, or 16 for a final Dense layer
  StateFrac = 3,         // LSTM: fraction bits of the int16 cell state; GRU: of the int16 h state
  TableF = 4,            // 1: activation f through a 513-entry table built at load; 0: direct
  TableG = 5,            //    (direct: linear, relu or relu6, requantized and clamped)
  TableH = 6,
  Reserved7 = 7,
  InputScale = 8,        // f32 bits
  OutputScale = 9,       // f32 bits
  Clip = 10,             // gate clamp in Q3.12 units, 0 = none
  PeepholeScale = 11,    // f32 bits: scale of the int16 peepholes (LSTM with peepholes)
  Count = 16,
}
export const LUT_ENTRIES = 513;
export const MAX_K_INT8 = 32768;

export const enum Dtype {
  F32 = 1,
  I8 = 2,
  I16 = 3,
  I32 = 4,
  BF16 = 5,              // bfloat16: the upper half of an f32 (per-row scales of int8 weights)
}

// Tensor record fields.
export const T_NAME = 0;           // 32 bytes UTF-8, NUL padded (at most 31 bytes of name)
export const T_NAME_BYTES = 32;
export const T_DTYPE = 32;         // u8
export const T_RANK = 33;          // u8
export const T_LAYOUT = 34;        // u16, 0 = dense row-major
export const T_DIMS = 36;          // u32[4]
export const T_OFFSET = 52;
export const T_BYTES = 56;
export const T_SCALE = 60;         // u16 tensor index of per-row f32 scales, or NO_TENSOR
export const T_ZERO_POINT = 62;    // u16 tensor index of per-row zero points, or NO_TENSOR

// Activation codes. Parameters alpha/beta as in ONNX where it defines them.
export const enum Act {
  Linear = 0,
  Sigmoid = 1,
  Tanh = 2,
  Relu = 3,
  HardSigmoid = 4,       // clip(alpha*x + beta, 0, 1): Keras 2/ONNX 0.2,0.5; Keras 3 1/6,0.5
  LeakyRelu = 5,         // x >= 0 ? x : alpha*x
  ThresholdedRelu = 6,   // x > alpha ? x : 0
  ScaledTanh = 7,        // alpha * tanh(beta * x)
  Affine = 8,            // alpha * x + beta
  Elu = 9,               // x >= 0 ? x : alpha * (exp(x) - 1)
  Softsign = 10,         // x / (1 + |x|)
  Softplus = 11,         // log(1 + exp(x))
  Selu = 12,             // beta * (x > 0 ? x : alpha * (exp(x) - 1))
  Exponential = 13,      // exp(x)
  Silu = 14,             // x * sigmoid(x)
  Gelu = 15,             // x * 0.5 * (1 + erf(x / sqrt 2))
  GeluTanh = 16,         // tanh approximation of gelu
  Relu6 = 17,            // min(max(x, 0), 6)
  HardSilu = 18,         // x * relu6(x + 3) / 6
  Mish = 19,             // x * tanh(softplus(x))
  Softmax = 20,          // over the features of one row (Dense and Activation layers only)
  LogSoftmax = 21,       // log of softmax (Dense and Activation layers only)
}
export const ACT_COUNT = 22;

// Limits compiled in; the host may lower them (ernn_set_limit).
export const MAX_LAYERS_HARD = 256;
export const MAX_TENSORS_HARD = 4096;
export const MAX_DIM_HARD = 1 << 20;
