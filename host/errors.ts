// Typed errors of edgernn. Every failure the library reports is one of these, with a literal
// `name`, a message that says what and where (the field, the expected and the actual value), and
// context fields for tools. Use isEdgeRnnError() rather than instanceof across realms.

export interface ErrorContext {
  /** Which field, tensor, layer, node or argument the error is about. */
  readonly where?: string;
  readonly expected?: unknown;
  readonly actual?: unknown;
  /** Module status code, when the error came from the WebAssembly module. */
  readonly status?: number;
  readonly cause?: unknown;
}

export class EdgeRnnError extends Error {
  override name = 'EdgeRnnError';
  readonly where: string | undefined;
  readonly expected: unknown;
  readonly actual: unknown;
  readonly status: number | undefined;
  readonly isEdgeRnnError = true;

  constructor(message: string, context: ErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.where = context.where;
    this.expected = context.expected;
    this.actual = context.actual;
    this.status = context.status;
  }
}

/** A model file (.ernn, .onnx, ...) is malformed: truncated, corrupt, inconsistent. */
export class ModelFormatError extends EdgeRnnError {
  override name = 'ModelFormatError';
}

/** A well-formed model uses something edgernn does not support (an op, attribute, version). */
export class UnsupportedModelError extends EdgeRnnError {
  override name = 'UnsupportedModelError';
}

/** Input data has the wrong shape, size or type for the model. */
export class ShapeError extends EdgeRnnError {
  override name = 'ShapeError';
}

/** A configured limit or the memory of the module was exceeded. */
export class ResourceError extends EdgeRnnError {
  override name = 'ResourceError';
}

/** The API was used out of order or with a bad argument (disposed object, stream index). */
export class UsageError extends EdgeRnnError {
  override name = 'UsageError';
}

export type SignatureProblem = 'unsigned' | 'malformed' | 'unsupported' | 'wrong-key' | 'invalid';

/**
 * A model was loaded with a public key and its signature does not hold: the file is unsigned
 * ('unsigned'), its signature block is damaged or of an unknown kind ('malformed',
 * 'unsupported'), it was signed with another key ('wrong-key'), or its bytes changed after
 * signing ('invalid'). docs/SECURITY.md.
 */
export class SignatureError extends EdgeRnnError {
  override name = 'SignatureError';
  readonly problem: SignatureProblem;

  constructor(message: string, problem: SignatureProblem, context: ErrorContext = {}) {
    super(message, context);
    this.problem = problem;
  }
}

/** Input data (frames, calibration data, npy files) is unusable. */
export class DataError extends EdgeRnnError {
  override name = 'DataError';
}

export function isEdgeRnnError(e: unknown): e is EdgeRnnError {
  return typeof e === 'object' && e !== null && (e as { isEdgeRnnError?: unknown }).isEdgeRnnError === true;
}
