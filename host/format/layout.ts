// The .ernn v1 byte layout, mirrored from assembly/format.ts (the module is the validator of
// record; this file lets the TypeScript writer and reader agree with it). docs/FORMAT.md.

export const MAGIC = 0x4e4e5245; // "ERNN" little-endian
export const FORMAT_MAJOR = 1;
export const FORMAT_MINOR = 0;
export const HEADER_BYTES = 64;
export const LAYER_RECORD_BYTES = 128;
export const TENSOR_RECORD_BYTES = 64;
export const TENSOR_ALIGN = 16;
export const NO_TENSOR = 0xffff;
export const TENSOR_NAME_BYTES = 32;
export const TENSOR_SLOTS = 16;

export const Header = {
  magic: 0, major: 4, minor: 6, headerBytes: 8, fileBytes: 12, crc32: 16, flags: 20,
  layerCount: 24, layerTable: 28, tensorCount: 32, tensorTable: 36, metaOffset: 40,
  metaBytes: 44, dataOffset: 48, dataBytes: 52, inputSize: 56, outputSize: 60,
} as const;

export const LayerField = {
  type: 0, mode: 1, directions: 2, output: 3, flags: 4, inputSize: 8, units: 12,
  outputSize: 16, clip: 20, act: 24, tensors: 96,
} as const;

export const TensorField = {
  name: 0, dtype: 32, rank: 33, layout: 34, dims: 36, offset: 52, bytes: 56, scale: 60, zeroPoint: 62,
} as const;

export enum LayerType { LSTM = 1, GRU = 2, RNN = 3, Dense = 4, Activation = 5 }
export enum Mode { F32 = 0, Int8Dynamic = 1, Int8 = 2 }
export enum OutputMode { Sequence = 0, SequenceReversed = 1, Last = 2, Final = 3 }
export enum LayerFlag {
  Reverse = 1, HasBias = 2, Peephole = 4, Clip = 8, ResetAfter = 16, InputForget = 32, HasH0 = 64, HasC0 = 128,
}
export enum TensorSlot { W = 0, R = 1, B = 2, Bn = 3, P = 4, H0 = 5, C0 = 6, Quant = 7 }
export enum Dtype { F32 = 1, I8 = 2, I16 = 3, I32 = 4, BF16 = 5 }

export const DTYPE_NAMES: Record<number, string> = { 1: 'f32', 2: 'i8', 3: 'i16', 4: 'i32', 5: 'bf16' };
export const DTYPE_BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 2, 4: 4, 5: 2 };
export const LAYER_TYPE_NAMES: Record<number, string> = { 1: 'LSTM', 2: 'GRU', 3: 'RNN', 4: 'Dense', 5: 'Activation' };
export const MODE_NAMES: Record<number, string> = { 0: 'f32', 1: 'int8-dynamic', 2: 'int8' };
export const OUTPUT_MODE_NAMES: Record<number, string> = { 0: 'sequence', 1: 'sequence-reversed', 2: 'last', 3: 'final' };
export const SLOT_NAMES = ['W', 'R', 'B', 'Bn', 'P', 'h0', 'c0', 'Q'];

// Activation codes (assembly/format.ts Act). alpha/beta follow ONNX where it defines them.
export const ACTIVATIONS = [
  'linear', 'sigmoid', 'tanh', 'relu', 'hard_sigmoid', 'leaky_relu', 'thresholded_relu',
  'scaled_tanh', 'affine', 'elu', 'softsign', 'softplus', 'selu', 'exponential', 'silu', 'gelu',
  'gelu_tanh', 'relu6', 'hard_silu', 'mish', 'softmax', 'log_softmax',
] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];
export const ACT_CODE: Record<ActivationName, number> = Object.fromEntries(
  ACTIVATIONS.map((n, i) => [n, i]),
) as Record<ActivationName, number>;
