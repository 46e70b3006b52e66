// edgernn: the public API. Everything a user imports comes from here.

export { Runtime, DEFAULT_LIMITS, HARD_LIMITS } from './runtime/runtime.js';
export type { RuntimeOptions, LoadOptions, Limits } from './runtime/runtime.js';
export { Model } from './runtime/model.js';
export type { ModelInfo, MemoryPlan, RunOptions, RunResult, StateTensor } from './runtime/model.js';
export { StreamSet } from './runtime/streams.js';
export type { StateKind } from './runtime/streams.js';
export type { Backend } from './runtime/wasm.js';
export { verifySignature, verifySignatureSync } from './runtime/signature.js';
export type { PublicKeyInput, Verified, KeyObjectLike } from './runtime/signature.js';
export { splitSignature, appendSignature } from './format/signature.js';
export type { SignatureBlock, SplitFile } from './format/signature.js';
export { readErnn } from './format/reader.js';
export type { ErnnInfo, LayerInfo, TensorInfo } from './format/reader.js';
export type { ModelMetadata, GraphBinding } from './format/metadata.js';
export type { Tensor, TensorArray } from './io/tensor.js';
export {
  EdgeRnnError, ModelFormatError, UnsupportedModelError, ShapeError, ResourceError, UsageError,
  DataError, SignatureError, isEdgeRnnError,
} from './errors.js';
export type { SignatureProblem } from './errors.js';
export { TrajectoryPredictor } from './stream/predictor.js';
export type {
  PredictorOptions, Frame, ObjectRecord, FrameResult, Prediction, PredictedPoint, Rejection, RejectReason,
} from './stream/predictor.js';
export { readFrames, readNdjson, readCsv, readEthUcy, formatOf } from './stream/parsers.js';
export type { FrameFormat, FrameItem, ReadOptions, Chunks } from './stream/parsers.js';
export { trajectorySpec } from './stream/spec.js';
export type { TrajectorySpec, InputSpec, OutputSpec } from './stream/spec.js';
export { evaluateModel } from './stream/evaluate.js';
export type { EvalOptions, EvalResult } from './stream/evaluate.js';
export { convert, convertSource } from './convert/convert.js';
export type { ModelSource, SourceFiles } from './convert/source.js';
export type { ConvertOptions, ConvertResult } from './convert/convert.js';
