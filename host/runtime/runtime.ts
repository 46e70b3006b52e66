// Runtime: compiles the WebAssembly module once and loads models, each into its own instance.

import { ABI_VERSION, Limit, Status, type ErnnExports } from './abi.js';
import { moduleError } from './status-errors.js';
import { wasmBinary, hasSimd, type Backend } from './wasm.js';
import { Model } from './model.js';
import { readErnn, readHeader } from '../format/reader.js';
import type { ModelMetadata } from '../format/metadata.js';
import { EdgeRnnError, ModelFormatError, UsageError } from '../errors.js';

export interface Limits {
  /** Largest model file accepted, in bytes (default 64 MiB). */
  maxModelBytes?: number;
  maxLayers?: number;
  maxTensors?: number;
  /** Largest size of any dimension (input, units, outputs). */
  maxDimension?: number;
  /** Most streams in one set, and largest batch of run(). */
  maxStreams?: number;
  /** Ceiling on the module's linear memory, in 64 KiB pages. */
  maxMemoryPages?: number;
}

export const DEFAULT_LIMITS: Required<Limits> = {
  maxModelBytes: 64 * 1024 * 1024,
  maxLayers: 64,
  maxTensors: 1024,
  maxDimension: 65536,
  maxStreams: 1 << 20,
  maxMemoryPages: 16384, // 1 GiB
};

export interface RuntimeOptions {
  /** true: require the SIMD build; false: use the scalar build; default: SIMD where supported. */
  simd?: boolean;
  limits?: Limits;
}

export interface LoadOptions {
  limits?: Limits;
}

export class Runtime {
  readonly backend: Backend;
  private readonly module: WebAssembly.Module;
  private readonly limits: Required<Limits>;

  private constructor(backend: Backend, module: WebAssembly.Module, limits: Required<Limits>) {
    this.backend = backend;
    this.module = module;
    this.limits = limits;
  }

  /** Compiles the SIMD build where the host supports it, else the scalar build. */
  static async create(options: RuntimeOptions = {}): Promise<Runtime> {
    const backend = Runtime.pickBackend(options);
    const module = await WebAssembly.compile(wasmBinary(backend) as BufferSource);
    return new Runtime(backend, module, { ...DEFAULT_LIMITS, ...options.limits });
  }

  /** Synchronous create(), for hosts that allow synchronous compilation (Node, workers). */
  static createSync(options: RuntimeOptions = {}): Runtime {
    const backend = Runtime.pickBackend(options);
    const module = new WebAssembly.Module(wasmBinary(backend) as BufferSource);
    return new Runtime(backend, module, { ...DEFAULT_LIMITS, ...options.limits });
  }

  private static pickBackend(options: RuntimeOptions): Backend {
    if (options.simd === false) return 'scalar';
    const simd = hasSimd();
    if (options.simd === true && !simd) {
      throw new UsageError('this WebAssembly engine does not support SIMD128; use { simd: false }', { where: 'simd' });
    }
    return simd ? 'simd' : 'scalar';
  }

  /** Instantiates the module, validates the .ernn bytes in it and returns the model. */
  load(bytes: Uint8Array, options: LoadOptions = {}): Model {
    if (!(bytes instanceof Uint8Array)) throw new UsageError('load() takes the model file as a Uint8Array', { where: 'bytes' });
    const limits = { ...this.limits, ...options.limits };
    if (bytes.length > limits.maxModelBytes) {
      throw new ModelFormatError(`model file is ${bytes.length} bytes, above the limit of ${limits.maxModelBytes}`, {
        where: 'bytes', expected: limits.maxModelBytes, actual: bytes.length,
      });
    }
    const instance = new WebAssembly.Instance(this.module, {});
    const ex = instance.exports as unknown as ErnnExports;
    if (ex.ernn_abi_version() !== ABI_VERSION) {
      throw new EdgeRnnError(`module ABI ${ex.ernn_abi_version()} does not match host ABI ${ABI_VERSION}`);
    }
    const set = (which: Limit, v: number) => {
      const s = ex.ernn_set_limit(which, v);
      if (s !== Status.Ok) throw moduleError(ex, s, undefined, `limit ${Limit[which]}`);
    };
    set(Limit.MemoryPages, limits.maxMemoryPages);
    set(Limit.ModelBytes, limits.maxModelBytes);
    set(Limit.Layers, limits.maxLayers);
    set(Limit.Tensors, limits.maxTensors);
    set(Limit.Dimension, limits.maxDimension);
    set(Limit.Streams, limits.maxStreams);
    const ptr = ex.ernn_model_reserve(bytes.length);
    if (ptr === 0) throw moduleError(ex, Status.OutOfMemory, bytes, 'load');
    new Uint8Array(ex.memory.buffer, ptr, bytes.length).set(bytes);
    const status = ex.ernn_model_load(bytes.length);
    if (status !== Status.Ok) {
      // A clearer message for the commonest failures, from the host-side reader, when it has one.
      if (bytes.length >= 8) readHeader(bytes);
      throw moduleError(ex, status, bytes, 'load');
    }
    const info = readErnn(bytes);
    return new Model(ex, this.backend, info, info.metadata as ModelMetadata);
  }
}
