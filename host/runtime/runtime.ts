// Runtime: compiles the WebAssembly module once and loads models, each into its own instance.

import { ABI_VERSION, Limit, Status, type ErnnExports } from './abi.js';
import { moduleError } from './status-errors.js';
import { wasmBinary, hasSimd, type Backend } from './wasm.js';
import { Model } from './model.js';
import { readErnn, readHeader } from '../format/reader.js';
import type { ModelMetadata } from '../format/metadata.js';
import { EdgeRnnError, ResourceError, UsageError } from '../errors.js';
import { splitSignature } from '../format/signature.js';
import { verifySignature, verifySignatureSync, type PublicKeyInput } from './signature.js';

/**
 * Resource limits of a model's instance, checked at load (and by streams() and run() for
 * streams and memory). A model above one is refused with a ResourceError that names the limit,
 * the value and how to raise it. Each is an integer from 1 to its entry in HARD_LIMITS.
 */
export interface Limits {
  /** Largest model file accepted, in bytes, signature block included (default 64 MiB). */
  maxModelBytes?: number;
  /** Most layers (default 64). */
  maxLayers?: number;
  /** Most tensor records (default 1024). */
  maxTensors?: number;
  /** Largest input size, units or output size of any layer (default 65536). */
  maxDimension?: number;
  /** Most streams in one set, and largest batch of run() (default 2^20). */
  maxStreams?: number;
  /** Ceiling on the module's linear memory, in 64 KiB pages (default 16384 = 1 GiB). */
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

/** The largest value each limit can be raised to (what the module itself can address). */
export const HARD_LIMITS: Required<Limits> = {
  maxModelBytes: 0x7fff0000,
  maxLayers: 256,
  maxTensors: 4096,
  maxDimension: 1 << 20,
  maxStreams: 0x7fffffff,
  maxMemoryPages: 65536, // 4 GiB, all of wasm32
};

/** `base` overridden by `over`, every value checked. */
function resolveLimits(base: Required<Limits>, over: Limits | undefined): Required<Limits> {
  if (over === undefined) return base;
  if (typeof over !== 'object' || over === null) throw new UsageError('limits must be an object such as { maxLayers: 16 }', { where: 'limits' });
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    if (!(k in HARD_LIMITS)) throw new UsageError(`unknown limit '${k}' (known: ${Object.keys(HARD_LIMITS).join(', ')})`, { where: `limits.${k}` });
    const max = HARD_LIMITS[k as keyof Limits];
    if (!(Number.isInteger(v) && v >= 1 && v <= max)) {
      throw new UsageError(`limits.${k} must be an integer from 1 to ${max}, got ${String(v)}`, { where: `limits.${k}`, expected: `1..${max}`, actual: v });
    }
    out[k as keyof Limits] = v;
  }
  return out;
}

export interface RuntimeOptions {
  /** true: require the SIMD build; false: use the scalar build; default: SIMD where supported. */
  simd?: boolean;
  limits?: Limits;
  /**
   * Require every model this runtime loads to be signed by this Ed25519 public key: load() and
   * loadVerified() then refuse an unsigned, changed or otherwise signed file with a
   * SignatureError even when the caller passes no key (a key given to load() is used instead).
   * The switch for devices that must never run an unsigned model (docs/SECURITY.md).
   */
  publicKey?: PublicKeyInput;
}

export interface LoadOptions {
  limits?: Limits;
  /**
   * Require a signature by this Ed25519 public key (docs/SECURITY.md): an unsigned, changed or
   * otherwise signed file is refused with a SignatureError. Without it a signature block is
   * ignored (stripped, not checked). load() checks with node:crypto; in browsers use
   * loadVerified(), which uses WebCrypto.
   */
  publicKey?: PublicKeyInput;
}

export class Runtime {
  readonly backend: Backend;
  private readonly module: WebAssembly.Module;
  private readonly limits: Required<Limits>;

  private constructor(backend: Backend, module: WebAssembly.Module, limits: Required<Limits>, private readonly publicKey: PublicKeyInput | undefined) {
    this.backend = backend;
    this.module = module;
    this.limits = limits;
  }

  /** Whether this runtime loads only signed models (created with { publicKey }). */
  get requiresSignature(): boolean {
    return this.publicKey !== undefined;
  }

  /** Compiles the SIMD build where the host supports it, else the scalar build. */
  static async create(options: RuntimeOptions = {}): Promise<Runtime> {
    const backend = Runtime.pickBackend(options);
    const module = await WebAssembly.compile(wasmBinary(backend) as BufferSource);
    return new Runtime(backend, module, resolveLimits(DEFAULT_LIMITS, options.limits), options.publicKey);
  }

  /** Synchronous create(), for hosts that allow synchronous compilation (Node, workers). */
  static createSync(options: RuntimeOptions = {}): Runtime {
    const backend = Runtime.pickBackend(options);
    const module = new WebAssembly.Module(wasmBinary(backend) as BufferSource);
    return new Runtime(backend, module, resolveLimits(DEFAULT_LIMITS, options.limits), options.publicKey);
  }

  private static pickBackend(options: RuntimeOptions): Backend {
    if (options.simd === false) return 'scalar';
    const simd = hasSimd();
    if (options.simd === true && !simd) {
      throw new UsageError('this WebAssembly engine does not support SIMD128; use { simd: false }', { where: 'simd' });
    }
    return simd ? 'simd' : 'scalar';
  }

  /**
   * Instantiates the module, validates the .ernn bytes in it and returns the model. With
   * `publicKey`, first checks the file's signature (synchronously, with node:crypto).
   */
  load(bytes: Uint8Array, options: LoadOptions = {}): Model {
    const limits = this.checkLoad(bytes, options);
    const key = options.publicKey ?? this.publicKey;
    const model = key !== undefined ? verifySignatureSync(bytes, key).model : splitSignature(bytes).model;
    return this.instantiate(model, limits);
  }

  /**
   * load() for a signed model, checking the signature with WebCrypto (Ed25519): the way to load
   * signed models in browsers and workers, where load() has no synchronous verifier. Requires
   * `publicKey`.
   */
  async loadVerified(bytes: Uint8Array, options: LoadOptions = {}): Promise<Model> {
    const key = options?.publicKey ?? this.publicKey;
    if (key === undefined) throw new UsageError('loadVerified() needs { publicKey }, here or in Runtime.create()', { where: 'publicKey' });
    const limits = this.checkLoad(bytes, options);
    const { model } = await verifySignature(bytes, key);
    return this.instantiate(model, limits);
  }

  private checkLoad(bytes: Uint8Array, options: LoadOptions): Required<Limits> {
    if (!(bytes instanceof Uint8Array)) throw new UsageError('load() takes the model file as a Uint8Array', { where: 'bytes' });
    const limits = resolveLimits(this.limits, options.limits);
    if (bytes.length > limits.maxModelBytes) {
      throw new ResourceError(`the model file is ${bytes.length} bytes, above the limit maxModelBytes = ${limits.maxModelBytes}; raise it with { limits: { maxModelBytes: ${bytes.length} } } in Runtime.create() or load()`, {
        where: 'limits.maxModelBytes', expected: limits.maxModelBytes, actual: bytes.length,
      });
    }
    return limits;
  }

  private instantiate(bytes: Uint8Array, limits: Required<Limits>): Model {
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
