// The module's exports as a typed interface: a thin wrapper over the plain ABI (docs/ABI.md),
// no loader library. Pointers are byte offsets into `memory`.

export interface ErnnExports {
  readonly memory: WebAssembly.Memory;
  ernn_abi_version(): number;
  ernn_format_version(): number;
  ernn_simd(): number;
  ernn_error_field(): number;
  ernn_error_index(): number;
  ernn_error_expected(): number;
  ernn_error_actual(): number;
  ernn_error_aux(): number;
  ernn_set_limit(which: number, value: number): number;
  ernn_get_limit(which: number): number;
  ernn_model_reserve(bytes: number): number;
  ernn_model_load(bytes: number): number;
  ernn_model_input_size(): number;
  ernn_model_output_size(): number;
  ernn_model_layer_count(): number;
  ernn_model_streamable(): number;
  ernn_model_state_bytes(): number;
  ernn_model_int8(): number;
  ernn_state_dtype(layer: number, which: number): number;
  ernn_state_scale(layer: number, which: number): number;
  ernn_state_zero_point(layer: number, which: number): number;
  ernn_model_weight_bytes(): number;
  ernn_model_collapse_layer(): number;
  ernn_heap_bytes(): number;
  ernn_memory_pages(): number;
  ernn_streams_bytes(capacity: number): number;
  ernn_run_bytes(batch: number, time: number): number;
  ernn_streams_create(capacity: number): number;
  ernn_streams_destroy(handle: number): number;
  ernn_streams_capacity(handle: number): number;
  ernn_streams_input_ptr(handle: number): number;
  ernn_streams_output_ptr(handle: number): number;
  ernn_streams_index_ptr(handle: number): number;
  ernn_streams_state_ptr(handle: number, stream: number, layer: number, which: number): number;
  ernn_streams_reset(handle: number, stream: number): number;
  ernn_streams_step(handle: number, count: number, indexed: number): number;
  ernn_run_prepare(batch: number, time: number): number;
  ernn_run_input_ptr(): number;
  ernn_run_lens_ptr(): number;
  ernn_run_state_ptr(layer: number, dir: number, which: number): number;
  ernn_run_reset_states(): void;
  ernn_run(flags: number): number;
  ernn_run_output_ptr(): number;
  ernn_run_output_steps(): number;
}

export const ABI_VERSION = 1;

/** Status codes (assembly/status.ts). */
export enum Status {
  Ok = 0, Truncated = 1, BadMagic = 2, UnsupportedVersion = 3, ChecksumMismatch = 4,
  BadSection = 5, BadTensor = 6, BadLayer = 7, ShapeMismatch = 8, Unsupported = 9,
  OutOfMemory = 10, LimitExceeded = 11, BadState = 12, BadArgument = 13, NotStreamable = 14,
}

/** Field codes (assembly/status.ts). */
export enum Field {
  None = 0, FileBytes = 1, Magic = 2, Version = 3, HeaderBytes = 4, Checksum = 5, Flags = 6,
  LayerTable = 7, TensorTable = 8, Metadata = 9, DataSection = 10, InputSize = 11,
  OutputSize = 12, LayerCount = 13, TensorCount = 14,
  TensorName = 20, TensorDtype = 21, TensorRank = 22, TensorDims = 23, TensorOffset = 24,
  TensorBytes = 25, TensorExtent = 26, TensorOrder = 27, TensorScale = 28, TensorZeroPoint = 29,
  TensorLayout = 30,
  LayerType = 40, LayerMode = 41, LayerDirections = 42, LayerOutputMode = 43, LayerFlags = 44,
  LayerInputSize = 45, LayerUnits = 46, LayerOutputSize = 47, LayerActivation = 48,
  LayerClip = 49, LayerTensorSlot = 50, LayerOrder = 51, LayerQuant = 52,
  StreamCount = 60, BatchSize = 61, TimeSteps = 62, Handle = 63, StreamIndex = 64,
  MemoryPages = 65, ModelBytes = 66,
}

/** ernn_set_limit selectors. */
export enum Limit { Layers = 1, Tensors = 2, Dimension = 3, ModelBytes = 4, Streams = 5, MemoryPages = 6 }

export const RUN_USE_LENGTHS = 1;
export const RUN_KEEP_STATES = 2;
