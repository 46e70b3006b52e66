// StreamSet: N independent recurrent states of one model, advanced one time step at a time.
// The states live in the module's memory; a step copies the new input rows in, runs one call,
// and hands back the output rows. Nothing is allocated per step: step() and stepAll() return a
// view of the module's output buffer that stays valid until the next call on this set (pass
// `out` to get a copy in your own array). Per call: a length check, a copy into a cached view,
// one wasm call, a status check.

import type { ErnnExports } from './abi.js';
import { Status } from './abi.js';
import { moduleError } from './status-errors.js';
import type { MemoryView } from './memory-view.js';
import { ShapeError, UsageError } from '../errors.js';
import { readState, writeState } from './model.js';

export type StateKind = 'h' | 'c';

export class StreamSet {
  readonly capacity: number;
  readonly inputSize: number;
  readonly outputSize: number;
  private handle: number;
  private readonly inPtr: number;
  private readonly outPtr: number;
  private readonly idxPtr: number;
  // Views of the set's rows in module memory, made once and again only after memory grew (a
  // grown memory detaches the old buffer, which leaves these views with length 0).
  private inView: Float32Array;
  private idxView: Int32Array;
  private rowView: Float32Array;
  private allView: Float32Array;

  /** @internal created by Model.streams() */
  constructor(
    private readonly ex: ErnnExports,
    private readonly mem: MemoryView,
    handle: number,
    private readonly units: (layer: number, kind: StateKind) => number,
  ) {
    this.handle = handle;
    this.capacity = ex.ernn_streams_capacity(handle);
    this.inputSize = ex.ernn_model_input_size();
    this.outputSize = ex.ernn_model_output_size();
    this.inPtr = ex.ernn_streams_input_ptr(handle) >>> 2;
    this.outPtr = ex.ernn_streams_output_ptr(handle) >>> 2;
    this.idxPtr = ex.ernn_streams_index_ptr(handle) >>> 2;
    const f32 = mem.f32;
    this.inView = f32.subarray(this.inPtr, this.inPtr + this.inputSize * this.capacity);
    this.idxView = mem.i32.subarray(this.idxPtr, this.idxPtr + this.capacity);
    this.rowView = f32.subarray(this.outPtr, this.outPtr + this.outputSize);
    this.allView = f32.subarray(this.outPtr, this.outPtr + this.outputSize * this.capacity);
  }

  private live(): void {
    if (this.handle === 0) throw new UsageError('this StreamSet was disposed', { where: 'StreamSet' });
    if (this.inView.length === 0) this.remap();
  }

  private remap(): void {
    const f32 = this.mem.f32;
    this.inView = f32.subarray(this.inPtr, this.inPtr + this.inputSize * this.capacity);
    this.idxView = this.mem.i32.subarray(this.idxPtr, this.idxPtr + this.capacity);
    this.rowView = f32.subarray(this.outPtr, this.outPtr + this.outputSize);
    this.allView = f32.subarray(this.outPtr, this.outPtr + this.outputSize * this.capacity);
  }

  private checkStream(stream: number): void {
    if (!((stream | 0) === stream && stream >= 0 && stream < this.capacity)) {
      throw new UsageError(`stream ${stream} is out of range 0..${this.capacity - 1}`, { where: 'stream', expected: `0..${this.capacity - 1}`, actual: stream });
    }
  }

  private checkFrames(frames: ArrayLike<number>, rows: number, what: string): void {
    if (frames.length !== rows * this.inputSize) {
      throw new ShapeError(`${what} has ${frames.length} values, expected ${rows} x ${this.inputSize} = ${rows * this.inputSize}`, {
        where: what, expected: rows * this.inputSize, actual: frames.length,
      });
    }
  }

  private call(count: number, indexed: number): void {
    const s = this.ex.ernn_streams_step(this.handle, count, indexed);
    if (s !== Status.Ok) throw moduleError(this.ex, s, undefined, 'step');
  }

  /** One time step of one stream. Returns its output (a view valid until the next call, or `out`). */
  step(stream: number, frame: ArrayLike<number>, out?: Float32Array): Float32Array {
    this.live();
    this.checkStream(stream);
    this.checkFrames(frame, 1, 'frame');
    put(this.inView, frame);
    this.idxView[0] = stream;
    this.call(1, 1);
    return out ? take(out, this.rowView) : this.rowView;
  }

  /** One time step of every stream: frames is capacity x inputSize, the result capacity x outputSize. */
  stepAll(frames: ArrayLike<number>, out?: Float32Array): Float32Array {
    this.live();
    this.checkFrames(frames, this.capacity, 'frames');
    put(this.inView, frames);
    this.call(this.capacity, 0);
    return out ? take(out, this.allView) : this.allView;
  }

  /**
   * One time step of the listed streams (each at most once) in one call: frames row k belongs to
   * streams[k]; output row k likewise. Returns a view of the first streams.length rows.
   */
  stepMany(streams: ArrayLike<number>, frames: ArrayLike<number>, out?: Float32Array): Float32Array {
    this.live();
    const n = streams.length;
    if (n > this.capacity) throw new UsageError(`${n} streams listed, the set has ${this.capacity}`, { where: 'streams', expected: this.capacity, actual: n });
    this.checkFrames(frames, n, 'frames');
    put(this.inView, frames);
    put(this.idxView, streams);
    this.call(n, 1);
    const rows = this.allView.subarray(0, n * this.outputSize);
    return out ? take(out, rows) : rows;
  }

  /** Sets a stream back to the model's initial state. */
  reset(stream: number): void {
    this.live();
    this.checkStream(stream);
    const s = this.ex.ernn_streams_reset(this.handle, stream);
    if (s !== Status.Ok) throw moduleError(this.ex, s, undefined, 'reset');
  }

  resetAll(): void {
    for (let i = 0; i < this.capacity; i++) this.reset(i);
  }

  private statePtr(stream: number, layer: number, kind: StateKind): number {
    this.live();
    this.checkStream(stream);
    const p = this.ex.ernn_streams_state_ptr(this.handle, stream, layer, kind === 'h' ? 0 : 1);
    if (p === 0) throw new UsageError(`layer ${layer} has no ${kind} state`, { where: 'layer', actual: layer });
    return p;
  }

  /** A copy of one stream's hidden (h) or cell (c) state of a recurrent layer, as floats. */
  getState(stream: number, layer: number, kind: StateKind = 'h'): Float32Array {
    const p = this.statePtr(stream, layer, kind);
    return readState(this.ex, this.mem, p, layer, kind, this.units(layer, kind));
  }

  /** Overwrites one stream's state (for example an initial state, or a snapshot taken earlier). */
  setState(stream: number, layer: number, kind: StateKind, data: ArrayLike<number>): void {
    const p = this.statePtr(stream, layer, kind);
    const n = this.units(layer, kind);
    if (data.length !== n) throw new ShapeError(`state of layer ${layer} has ${n} values, got ${data.length}`, { where: 'state', expected: n, actual: data.length });
    writeState(this.ex, this.mem, p, layer, kind, data);
  }

  /** Frees the set's memory in the module. */
  dispose(): void {
    if (this.handle !== 0) {
      this.ex.ernn_streams_destroy(this.handle);
      this.handle = 0;
    }
  }
}

// Copies src into the start of dst: a plain loop for the few values of a frame (cheaper than
// TypedArray.prototype.set's call), set() for whole batches.
function put(dst: Float32Array | Int32Array, src: ArrayLike<number>): void {
  const n = src.length;
  if (n > 64) { dst.set(src); return; }
  for (let i = 0; i < n; i++) dst[i] = src[i]!;
}

function take(out: Float32Array, src: Float32Array): Float32Array {
  const n = src.length;
  if (n > 64 || out.length < n) out.set(src);   // set() throws a RangeError on a short `out`
  else for (let i = 0; i < n; i++) out[i] = src[i]!;
  return out;
}
