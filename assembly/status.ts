// Status codes returned by every export of the module, and the "field" codes that say which
// check failed. AssemblyScript has no try/catch and a trap leaves the instance suspect, so the
// module never throws: it returns one of these and records details that the host turns into a
// typed error (host/runtime/errors.ts). The numbers are part of the ABI (docs/ABI.md).

export const enum Status {
  Ok = 0,
  Truncated = 1,           // fewer bytes than the header or a section needs
  BadMagic = 2,
  UnsupportedVersion = 3,  // format version newer (or older) than this module reads
  ChecksumMismatch = 4,
  BadSection = 5,          // a table or section out of range, misaligned or overlapping
  BadTensor = 6,           // a tensor record is invalid
  BadLayer = 7,            // a layer record is invalid
  ShapeMismatch = 8,       // shapes do not chain or a tensor's shape does not fit its layer
  Unsupported = 9,         // well-formed but not supported by this build
  OutOfMemory = 10,        // linear memory could not grow, or the configured page limit was hit
  LimitExceeded = 11,      // a configured limit (layers, tensors, dims, streams) was exceeded
  BadState = 12,           // exports called out of order (load before reserve, step before load)
  BadArgument = 13,        // a handle, index or count out of range
  NotStreamable = 14,      // the model has reverse or bidirectional layers
}

// Which field a failed check was about. Reported by ernn_error_field().
export const enum Field {
  None = 0,
  FileBytes = 1,
  Magic = 2,
  Version = 3,
  HeaderBytes = 4,
  Checksum = 5,
  Flags = 6,
  LayerTable = 7,
  TensorTable = 8,
  Metadata = 9,
  DataSection = 10,
  InputSize = 11,
  OutputSize = 12,
  LayerCount = 13,
  TensorCount = 14,
  TensorName = 20,
  TensorDtype = 21,
  TensorRank = 22,
  TensorDims = 23,
  TensorOffset = 24,
  TensorBytes = 25,
  TensorExtent = 26,       // offset + bytes beyond the data section or the file
  TensorOrder = 27,        // overlaps the previous tensor
  TensorScale = 28,
  TensorZeroPoint = 29,
  TensorLayout = 30,
  LayerType = 40,
  LayerMode = 41,
  LayerDirections = 42,
  LayerOutputMode = 43,
  LayerFlags = 44,
  LayerInputSize = 45,
  LayerUnits = 46,
  LayerOutputSize = 47,
  LayerActivation = 48,
  LayerClip = 49,
  LayerTensorSlot = 50,    // aux = slot number
  LayerOrder = 51,         // a recurrent layer after a sequence-to-vector layer
  LayerQuant = 52,         // quantization parameters of the layer
  StreamCount = 60,
  BatchSize = 61,
  TimeSteps = 62,
  Handle = 63,
  StreamIndex = 64,
  MemoryPages = 65,
  ModelBytes = 66,
}

// Details of the last failure. Plain globals: the module is single-threaded and the host reads
// them right after a call returned a non-zero status.
export let errField: i32 = 0;
export let errIndex: i32 = -1;
export let errExpected: i32 = 0;
export let errActual: i32 = 0;
export let errAux: i32 = 0;

export function fail(status: Status, field: Field, index: i32, expected: i64, actual: i64, aux: i32 = 0): Status {
  errField = field;
  errIndex = index;
  errExpected = clampI32(expected);
  errActual = clampI32(actual);
  errAux = aux;
  return status;
}

export function clearError(): void {
  errField = 0;
  errIndex = -1;
  errExpected = 0;
  errActual = 0;
  errAux = 0;
}

// @ts-ignore: decorator
@inline function clampI32(v: i64): i32 {
  return v > <i64>i32.MAX_VALUE ? i32.MAX_VALUE : v < <i64>i32.MIN_VALUE ? i32.MIN_VALUE : <i32>v;
}
