// StreamSet: N independent recurrent states of one model, advanced one time step at a time.
// The states live in the module's memory; a step copies the new input rows in, runs one call,
// and hands back the output rows. Nothing is allocated per step: step() and stepAll() return a
// view of the module's output buffer that stays valid until the next call on this set (pass
// `out` to get a copy in your own array).

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
  private rowView: Float32Array | undefined;
  private allView: Float32Array | undefined;
  private viewBuffer: ArrayBufferLike | undefined;

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
  }

  private live(): void {
    if (this.handle === 0) throw new UsageError('this StreamSet was disposed', { where: 'StreamSet' });
  }

  private views(): void {
    const f32 = this.mem.f32;
    if (this.viewBuffer !== f32.buffer) {
      this.viewBuffer = f32.buffer;
      this.rowView = f32.subarray(this.outPtr, this.outPtr + this.outputSize);
      this.allView = f32.subarray(this.outPtr, this.outPtr + this.outputSize * this.capacity);
    }
  }

  private checkStream(stream: number): void {
    if (!Number.isInteger(stream) || stream < 0 || stream >= this.capacity) {
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
    const f32 = this.mem.f32;
    f32.set(frame, this.inPtr);
    this.mem.i32[this.idxPtr] = stream;
    this.call(1, 1);
    this.views();
    if (out) { out.set(this.rowView!); return out; }
    return this.rowView!;
  }

  /** One time step of every stream: frames is capacity x inputSize, the result capacity x outputSize. */
  stepAll(frames: ArrayLike<number>, out?: Float32Array): Float32Array {
    this.live();
    this.checkFrames(frames, this.capacity, 'frames');
    this.mem.f32.set(frames, this.inPtr);
    this.call(this.capacity, 0);
    this.views();
    if (out) { out.set(this.allView!); return out; }
    return this.allView!;
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
    this.mem.f32.set(frames, this.inPtr);
    this.mem.i32.set(streams, this.idxPtr);
    this.call(n, 1);
    this.views();
    const rows = this.allView!.subarray(0, n * this.outputSize);
    if (out) { out.set(rows); return out; }
    return rows;
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
