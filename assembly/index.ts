// The module's ABI: every export takes and returns i32/f32 only (pointers are byte offsets into
// the exported memory). No imports. docs/ABI.md documents each export, the call sequence, who
// owns which memory and every status code, so that any WebAssembly host (or C after wasm2c)
// can drive it.

import { Status, errField, errIndex, errExpected, errActual, errAux, clearError, fail, Field } from './status';
import { heapUsed, setMaxPages, getMaxPages } from './memory';
import * as M from './model';
import * as E from './engine';
import { FORMAT_MAJOR, FORMAT_MINOR } from './format';

export const ERNN_ABI_VERSION: i32 = 1;

export function ernn_abi_version(): i32 { return ERNN_ABI_VERSION; }
export function ernn_format_version(): i32 { return <i32>((FORMAT_MAJOR << 16) | FORMAT_MINOR); }
export function ernn_simd(): i32 { return ASC_FEATURE_SIMD ? 1 : 0; }

// ---- errors ----
export function ernn_error_field(): i32 { return errField; }
export function ernn_error_index(): i32 { return errIndex; }
export function ernn_error_expected(): i32 { return errExpected; }
export function ernn_error_actual(): i32 { return errActual; }
export function ernn_error_aux(): i32 { return errAux; }

// ---- limits (before reserve/load) ----
// which: 1 layers, 2 tensors, 3 dimension, 4 model bytes, 5 streams, 6 memory pages
export function ernn_set_limit(which: i32, value: i32): i32 {
  clearError();
  if (which == 5) {
    if (value <= 0) return fail(Status.BadArgument, Field.StreamCount, -1, 1, value);
    E.limitStreams = value;
    return Status.Ok;
  }
  if (which == 6) {
    if (value <= 0 || value > 65536) return fail(Status.BadArgument, Field.MemoryPages, -1, 65536, value);
    if (value < <i32>memory.size()) return fail(Status.LimitExceeded, Field.MemoryPages, -1, <i32>memory.size(), value);
    setMaxPages(value);
    return Status.Ok;
  }
  return M.setLimit(which, value);
}

export function ernn_get_limit(which: i32): i32 {
  if (which == 1) return M.limitLayers;
  if (which == 2) return M.limitTensors;
  if (which == 3) return M.limitDim;
  if (which == 4) return M.limitModelBytes;
  if (which == 5) return E.limitStreams;
  if (which == 6) return getMaxPages();
  return 0;
}

// ---- model ----
// Reserves `bytes` for the model file and returns where the host must write it (0 on failure).
export function ernn_model_reserve(bytes: i32): i32 {
  clearError();
  return <i32>M.reserve(bytes);
}

// Validates the `bytes` written at the reserved address and plans the model. Status.
export function ernn_model_load(bytes: i32): i32 {
  clearError();
  return M.loadModel(bytes);
}

export function ernn_model_input_size(): i32 { return M.loaded ? M.inputSize : 0; }
export function ernn_model_output_size(): i32 { return M.loaded ? M.outputSize : 0; }
export function ernn_model_layer_count(): i32 { return M.loaded ? M.layerCount : 0; }
export function ernn_model_streamable(): i32 { return M.loaded && M.streamable ? 1 : 0; }
export function ernn_model_state_bytes(): i32 { return M.loaded ? M.stateBytes : 0; }
export function ernn_model_int8(): i32 { return M.loaded && M.int8Model ? 1 : 0; }
export function ernn_state_dtype(layer: i32, which: i32): i32 { return E.stateDtype(layer, which); }
export function ernn_state_scale(layer: i32, which: i32): f32 { return E.stateScale(layer, which); }
export function ernn_state_zero_point(layer: i32, which: i32): i32 { return E.stateZeroPoint(layer, which); }
export function ernn_model_weight_bytes(): i32 { return M.loaded ? <i32>M.weightBytes : 0; }
export function ernn_model_collapse_layer(): i32 { return M.loaded ? M.collapseAt : -1; }

// ---- memory plan ----
export function ernn_heap_bytes(): i32 { return <i32>heapUsed(); }
export function ernn_memory_pages(): i32 { return <i32>memory.size(); }
export function ernn_streams_bytes(capacity: i32): i32 { return E.streamsBytes(capacity); }
export function ernn_run_bytes(batch: i32, time: i32): i32 { return E.runBytes(batch, time); }

// ---- streams ----
export function ernn_streams_create(capacity: i32): i32 { clearError(); return E.streamsCreate(capacity); }
export function ernn_streams_destroy(handle: i32): i32 { clearError(); return E.streamsDestroy(handle); }
export function ernn_streams_capacity(handle: i32): i32 { return E.streamsCapacity(handle); }
export function ernn_streams_input_ptr(handle: i32): i32 { return <i32>E.streamsBuffer(handle, 0); }
export function ernn_streams_output_ptr(handle: i32): i32 { return <i32>E.streamsBuffer(handle, 1); }
export function ernn_streams_index_ptr(handle: i32): i32 { return <i32>E.streamsBuffer(handle, 2); }
export function ernn_streams_state_ptr(handle: i32, stream: i32, layer: i32, which: i32): i32 {
  return <i32>E.streamsStatePtr(handle, stream, layer, which);
}
export function ernn_streams_reset(handle: i32, stream: i32): i32 { clearError(); return E.streamsReset(handle, stream); }
export function ernn_streams_step(handle: i32, count: i32, indexed: i32): i32 {
  return E.streamsStep(handle, count, indexed);
}

// ---- whole sequences ----
export function ernn_run_prepare(batch: i32, time: i32): i32 { clearError(); return E.runPrepare(batch, time); }
export function ernn_run_input_ptr(): i32 { return <i32>E.runInputPtr(); }
export function ernn_run_lens_ptr(): i32 { return <i32>E.runLensPtr(); }
export function ernn_run_state_ptr(layer: i32, dir: i32, which: i32): i32 { return <i32>E.runStatePtr(layer, dir, which); }
export function ernn_run_reset_states(): void { E.runResetStates(); }
export function ernn_run(flags: i32): i32 { clearError(); return E.run(flags); }
export function ernn_run_output_ptr(): i32 { return <i32>E.runOutputPtr(); }
export function ernn_run_output_steps(): i32 { return E.runOutputSteps(); }
