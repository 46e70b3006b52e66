// A small synchronous view of an HDF5 file, over h5wasm (the HDF5 C library compiled to
// WebAssembly), for the Keras readers: walk groups, read string attributes, read float datasets as
// Float32Array. Nothing else of HDF5 is needed to read Keras files.
//
// h5wasm is loaded with a dynamic import of its browser-compatible ESM entry ('h5wasm'), so the
// runtime never loads it and a bundler can split it off. That entry also runs under Node (>= 20):
// it embeds its WebAssembly binary and detects Node itself. The bytes are written to h5wasm's
// in-memory file system under a unique name, and the file is always closed and unlinked.
//
// HDF5 failures: h5wasm's high-level API ignores most HDF5 status codes, and h5wasm's optional
// "throwing" error handler throws JavaScript errors out of HDF5's C code without unwinding it
// (and leaks a temporary file per error): in a trial, a few thousand failed opens with it
// corrupted the module's memory. So this wrapper calls h5wasm's low-level functions in an order
// that never asks for something absent, checks every status code itself, and keeps HDF5's
// default error printer, whose report (written to the module's stderr) it captures while it
// works: the innermost line becomes the reason in the ModelFormatError. (On some corrupt
// structures h5wasm's own functions still throw; those errors are caught and reported the same
// way.)

import { EdgeRnnError, ModelFormatError, ResourceError, UnsupportedModelError } from '../../errors.js';
import { halfToFloat } from '../../io/half.js';

/** Size limits, checked before anything is allocated. */
export const HDF5_LIMITS = {
  /** Bytes of one HDF5 file. */
  fileBytes: 1024 * 1024 * 1024,
  /** Bytes of one dataset once decoded (a compressed dataset can claim any shape). */
  datasetBytes: 512 * 1024 * 1024,
  /** Bytes of all datasets read from one file, decoded. */
  totalBytes: 1024 * 1024 * 1024,
  /**
   * Growth of h5wasm's memory while one file is read, beyond the buffer of the dataset being
   * read: this plus twice the file's size (HDF5's caches, decoded metadata, attributes).
   */
  workBytes: 32 * 1024 * 1024,
};

/** Deflate cannot expand a byte into more than 1032 (RFC 1951): a bound on compressed datasets. */
const MAX_DEFLATE_RATIO = 1032;

/** What h5wasm exports that this wrapper uses (its own typings pull in emscripten globals). */
interface H5Metadata {
  type: number;
  size: number;
  shape: number[] | null;
  total_size: number;
  vlen: boolean;
  cset?: number;
  strpad?: number;
  signed?: boolean;
  littleEndian?: boolean;
  /** Chunk shape of a chunked dataset, null for contiguous or compact storage. */
  chunks?: number[] | null;
}
interface H5Module {
  open(filename: string, mode: number, trackOrder: boolean, libverLow: number, libverHigh: number): bigint;
  close_file(fileId: bigint): number;
  get_type(fileId: bigint, path: string): number;
  get_names(fileId: bigint, path: string, recursive: boolean): string[];
  get_attribute_names(fileId: bigint, path: string): string[];
  get_attribute_metadata(fileId: bigint, path: string, name: string): H5Metadata;
  get_attribute_data(fileId: bigint, path: string, name: string, ptr: bigint): number;
  get_dataset_metadata(fileId: bigint, path: string): H5Metadata;
  get_dataset_data(fileId: bigint, path: string, count: null, offset: null, strides: null, ptr: bigint): number;
  reclaim_vlen_memory(fileId: bigint, path: string, attr: string, ptr: bigint): number;
  UTF8ToString(ptr: number): string;
  _malloc(n: number): number;
  _free(ptr: number): void;
  HEAPU8: Uint8Array;
  H5F_ACC_RDONLY: number;
  H5G_GROUP: number;
  H5G_DATASET: number;
  H5T_class_t: Record<'H5T_INTEGER' | 'H5T_FLOAT' | 'H5T_STRING', { value: number }>;
}
interface EmscriptenFs {
  writeFile(path: string, data: Uint8Array): void;
  unlink(path: string): void;
  streams?: ({ tty?: { ops: TtyOps; output: number[] } } | null | undefined)[];
}
interface TtyOps { put_char(tty: { output: number[] }, c: number | null): void; fsync(tty: { output: number[] }): void }
interface H5wasm { ready: Promise<unknown>; Module: H5Module; FS: EmscriptenFs | null }

let loading: Promise<H5wasm> | undefined;

/** Loads h5wasm once (a dynamic import, so the runtime never pulls it in). */
function loadH5wasm(): Promise<H5wasm> {
  loading ??= import('h5wasm').then(async (m) => {
    await m.ready;
    const api = m as unknown as H5wasm;
    if (!api.Module || !api.FS) throw new Error('h5wasm did not initialise its module and file system');
    return api;
  }).catch((e: unknown) => {
    loading = undefined;
    throw new UnsupportedModelError(`reading HDF5 (.h5) files needs the h5wasm package, which could not be loaded: ${messageOf(e)}`, { where: 'h5wasm', cause: e });
  });
  return loading;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]; // \x89HDF\r\n\x1a\n

/** Offset of the HDF5 superblock signature (0, 512, 1024, 2048...: after a user block), or -1. */
export function hdf5SignatureOffset(bytes: Uint8Array): number {
  for (let off = 0; off + 8 <= bytes.length; off = off === 0 ? 512 : off * 2) {
    if (SIGNATURE.every((b, i) => bytes[off + i] === b)) return off;
  }
  return -1;
}

export function isHdf5(bytes: Uint8Array): boolean {
  return hdf5SignatureOffset(bytes) >= 0;
}

/** One float dataset, row-major, as float32. */
export interface H5Float32 {
  shape: number[];
  data: Float32Array;
  /** The stored element type: 'float16', 'bfloat16', 'float32' or 'float64'. */
  dtype: string;
}

/**
 * Captures what the module writes to its stderr (HDF5's error reports) while `fn` runs, instead of
 * letting it reach the console. If the module's internals are not as expected, output goes where
 * it always goes and the reports are simply not used in messages.
 */
function capturingStderr<T>(fs: EmscriptenFs, lines: string[], fn: () => T): T {
  const tty = fs.streams?.[2]?.tty;
  const ops = tty?.ops;
  if (!tty || !ops || typeof ops.put_char !== 'function') return fn();
  const decoder = new TextDecoder();
  const flush = (t: { output: number[] }): void => {
    if (t.output.length > 0) lines.push(decoder.decode(Uint8Array.from(t.output)));
    t.output = [];
  };
  tty.ops = {
    ...ops,
    put_char(t, c) {
      if (c === null || c === 10) flush(t);
      else if (c !== 0) t.output.push(c);
    },
    fsync: flush,
  };
  try {
    return fn();
  } finally {
    flush(tty);
    tty.ops = ops;
  }
}

/** The innermost reason of an HDF5 error report ('file signature not found', 'truncated file: ...'). */
function hdf5Reason(lines: string[]): string | undefined {
  let reason: string | undefined;
  for (const line of lines) {
    const m = /^\s*#\d+:.*? in [\w.]+\(\): (.*)$/.exec(line);
    if (m) reason = m[1]!.trim();
  }
  return reason;
}

/**
 * HDF5 decodes a global heap collection (where variable-length strings, such as h5py's string
 * attributes, live) by walking its objects: each object's header gives its size, and the walk
 * jumps by it without checking that it stays inside the collection. A free-space object of size 0
 * leaves the walk where it is, and a size past the collection's end (or one that wraps h5wasm's
 * 32-bit size_t) sends it through memory outside the collection: either hangs the library (HDF5
 * 2.0.0, as used by h5wasm 0.10; both found by fuzzing). So every collection in the file is walked
 * here first, the same way, and refused unless each object fits in it. Collections are found by
 * their signature; a candidate must also have version 1, zero reserved bytes and a size that fits
 * in the file (HDF5 cannot read one that does not, and fails cleanly).
 */
function checkGlobalHeaps(bytes: Uint8Array, at: number, where: string): void {
  // size of lengths, from the superblock (versions 0/1: byte 14; versions 2/3: byte 10)
  const L = bytes[at + 8]! <= 1 ? bytes[at + 14]! : bytes[at + 10]!;
  if (L !== 2 && L !== 4 && L !== 8) return; // HDF5 will refuse the superblock itself
  const len = (o: number): number => {
    let v = 0;
    for (let k = L - 1; k >= 0; k--) v = v * 256 + bytes[o + k]!;
    return v;
  };
  const header = 8 + L, objHeader = 8 + L;
  const corrupt = (i: number, why: string): never => {
    throw new ModelFormatError(`${where} is not a valid HDF5 file: the global heap collection at byte ${i} is corrupt (${why})`, { where });
  };
  for (let i = bytes.indexOf(0x47); i >= 0 && i + header <= bytes.length; i = bytes.indexOf(0x47, i + 1)) {
    if (bytes[i + 1] !== 0x43 || bytes[i + 2] !== 0x4f || bytes[i + 3] !== 0x4c) continue; // 'GCOL'
    if (bytes[i + 4] !== 1 || bytes[i + 5] !== 0 || bytes[i + 6] !== 0 || bytes[i + 7] !== 0) continue;
    const size = len(i + 8);
    if (size >= 2 ** 32) corrupt(i, `its size ${size} does not fit in 32 bits`);
    if (i + size > bytes.length) continue;
    const end = i + size;
    for (let p = i + header; p + objHeader <= end;) {
      const index = bytes[p]! | (bytes[p + 1]! << 8);
      const objSize = len(p + 8);
      const need = index > 0 ? objHeader + Math.ceil(objSize / 8) * 8 : objSize;
      if (need === 0) corrupt(i, `a free-space entry of size 0 at byte ${p}`);
      if (p + need > end) corrupt(i, `object ${index} at byte ${p} has ${objSize} bytes, past the collection's end at byte ${end}`);
      p += need;
    }
  }
}

/**
 * A ceiling on h5wasm's memory while a file is read. HDF5 allocates from sizes written in the file
 * before it can check them: a variable-length string's length, for one, is allocated in full and
 * only then compared with the heap object that holds it, so a flipped bit in a 10 KB file made it
 * allocate 1 GB (found by fuzzing). The module's memory never shrinks, so such a file would cost
 * the process that memory for good. HDF5 has no allocation limit, but its module grows its memory
 * through WebAssembly.Memory.prototype.grow (Emscripten's growMemory), which fails cleanly when
 * that throws: malloc returns NULL and HDF5 reports an allocation failure. So while HDF5 runs
 * (synchronously, nothing else runs meanwhile), grow() refuses to take that one memory past the
 * ceiling; other memories are not affected, and grow() is restored afterwards.
 */
class MemoryCap {
  private limit = 0;
  /** Set when a growth was refused: the error becomes a ResourceError. */
  refused = 0;

  constructor(private readonly heap: () => Uint8Array, private readonly allowance: number) {}

  run<T>(fn: () => T): T {
    const proto = WebAssembly.Memory.prototype as { grow(delta: number): number };
    const grow = proto.grow;
    const cap = this;
    cap.limit = cap.heap().length + cap.allowance;
    proto.grow = function (this: WebAssembly.Memory, delta: number): number {
      if (this.buffer === cap.heap().buffer && this.buffer.byteLength + delta * 65536 > cap.limit) {
        cap.refused = this.buffer.byteLength + delta * 65536;
        throw new RangeError('edgernn: HDF5 memory ceiling');
      }
      return grow.call(this, delta);
    };
    try {
      return fn();
    } finally {
      proto.grow = grow;
    }
  }

  /** Raises the ceiling by `bytes` while `fn` runs (a dataset buffer this reader allocates). */
  allow<T>(bytes: number, fn: () => T): T {
    this.limit += bytes;
    try {
      return fn();
    } finally {
      this.limit -= bytes;
    }
  }
}

let serial = 0;

/**
 * Opens `bytes` as an HDF5 file and runs `fn` on it; `where` names the file in messages. HDF5 and
 * h5wasm failures (opening, or in Hdf5File's methods) become ModelFormatError("<where> is not a
 * valid HDF5 file: <reason>"); whatever else `fn` throws passes through unchanged.
 */
export async function withHdf5<T>(bytes: Uint8Array, where: string, fn: (file: Hdf5File) => T): Promise<T> {
  if (!(bytes instanceof Uint8Array)) throw new ModelFormatError(`${where} is not a byte array`, { where });
  if (bytes.length > HDF5_LIMITS.fileBytes) {
    throw new ResourceError(`${where} has ${bytes.length} bytes, more than the ${HDF5_LIMITS.fileBytes} bytes an HDF5 file may have here`, { where, expected: HDF5_LIMITS.fileBytes, actual: bytes.length });
  }
  const at = hdf5SignatureOffset(bytes);
  if (at < 0) {
    const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new ModelFormatError(`${where} is not a valid HDF5 file: no HDF5 signature (the file starts with ${head || 'nothing'})`, { where });
  }
  checkGlobalHeaps(bytes, at, where);
  const h5 = await loadH5wasm();
  const fs = h5.FS!;
  const m = h5.Module;
  const name = `/edgernn-${++serial}-${Math.random().toString(36).slice(2)}.h5`;
  const diag: string[] = [];
  const cap = new MemoryCap(() => m.HEAPU8, HDF5_LIMITS.workBytes + 2 * bytes.length);
  let written = false;
  let fileId = -1n;
  try {
    return cap.run(() => capturingStderr(fs, diag, () => {
      try {
        written = true;
        fs.writeFile(name, bytes);
        fileId = m.open(name, m.H5F_ACC_RDONLY, false, -1, -1);
      } catch (e) {
        if (e instanceof RangeError || cap.refused > 0 || /memory|alloc/i.test(messageOf(e))) {
          throw new ResourceError(`${where}: out of memory while opening it: ${messageOf(e)}`, { where, cause: e });
        }
        throw new ModelFormatError(`${where} is not a valid HDF5 file: ${hdf5Reason(diag) ?? messageOf(e)}`, { where, cause: e });
      }
      if (fileId < 0n) {
        throw new ModelFormatError(`${where} is not a valid HDF5 file: ${hdf5Reason(diag) ?? 'HDF5 could not open it'}`, { where });
      }
      return fn(new Hdf5File(m, fileId, where, diag, cap, bytes.length));
    }));
  } finally {
    // Cleanup must not mask the error being thrown, if any: its own failures are dropped.
    capturingStderr(fs, [], () => {
      try { if (fileId >= 0n) m.close_file(fileId); } catch { /* already closed or module broken */ }
      try { if (written) fs.unlink(name); } catch { /* never created */ }
    });
  }
}

/** Read access to an open file. Paths are absolute ('/model_weights/lstm/lstm/kernel:0'). */
export class Hdf5File {
  private readBytes = 0;

  constructor(
    private readonly m: H5Module,
    private readonly fileId: bigint,
    /** The file's name in messages. */
    readonly where: string,
    private readonly diag: string[],
    private readonly cap: MemoryCap,
    /** Bytes of the file: contiguous data and attributes cannot be larger. */
    private readonly fileBytes: number,
  ) {}

  /** Something the reader looked for is not in the file. */
  private absent(what: string, path: string): never {
    throw new ModelFormatError(`${this.where}: ${what} ${path}`, { where: `${this.where}:${path}` });
  }

  /** HDF5 (or h5wasm) failed while reading the file's structure or data. */
  private broken(what: string, path: string, cause?: unknown): never {
    const reason = hdf5Reason(this.diag.splice(0)) ?? (cause === undefined ? 'HDF5 reported an error' : messageOf(cause));
    if (this.cap.refused > 0) {
      const wanted = this.cap.refused;
      this.cap.refused = 0;
      throw new ResourceError(`${this.where}: ${what} ${path}: HDF5 asked for ${wanted} bytes of memory, more than reading this file may take (the file is corrupt, or claims sizes it does not hold): ${reason}`, { where: `${this.where}:${path}`, actual: wanted, cause });
    }
    if (/filter/i.test(reason)) {
      throw new UnsupportedModelError(`${this.where}: ${what} ${path}: it uses an HDF5 filter that is not available: ${reason}`, { where: `${this.where}:${path}`, cause });
    }
    throw new ModelFormatError(`${this.where} is not a valid HDF5 file: ${what} ${path}: ${reason}`, { where: `${this.where}:${path}`, cause });
  }

  /**
   * Runs h5wasm calls. A JavaScript error from h5wasm, a negative status, or an HDF5 error report
   * printed meanwhile (h5wasm ignores the status of group and attribute iteration, which stops
   * early on a corrupt file) fails them with the report's reason.
   */
  private call<T>(what: string, path: string, fn: () => T, status?: (v: T) => boolean): T {
    const before = this.diag.length;
    let value: T;
    try {
      value = fn();
    } catch (e) {
      if (e instanceof EdgeRnnError) throw e;
      this.broken(what, path, e);
    }
    if ((status && !status(value)) || (this.diag.length > before && hdf5Reason(this.diag.slice(before)) !== undefined)) this.broken(what, path);
    return value;
  }

  /** 'group', 'dataset', 'other' (named datatype, soft link...) or undefined when absent. */
  kind(path: string): 'group' | 'dataset' | 'other' | undefined {
    const t = this.call('cannot look up', path, () => this.m.get_type(this.fileId, path));
    if (t < 0) return undefined;
    return t === this.m.H5G_GROUP ? 'group' : t === this.m.H5G_DATASET ? 'dataset' : 'other';
  }

  isGroup(path: string): boolean { return this.kind(path) === 'group'; }

  /** Names of a group's members, in the file's link order (by name unless creation order is tracked). */
  children(path: string): string[] {
    if (!this.isGroup(path)) this.absent('there is no group', path);
    return this.call('cannot list group', path, () => [...this.m.get_names(this.fileId, path, false)]);
  }

  attrNames(path: string): string[] {
    if (this.kind(path) === undefined) this.absent('there is no object', path);
    return this.call('cannot list the attributes of', path, () => [...this.m.get_attribute_names(this.fileId, path)]);
  }

  hasAttr(path: string, name: string): boolean {
    return this.kind(path) !== undefined && this.attrNames(path).includes(name);
  }

  /**
   * A string attribute as a list: fixed- or variable-length strings (h5py writes Python `str` as
   * variable-length UTF-8 and numpy bytes as fixed-length), scalar or 1-D. An empty numeric array
   * (h5py's form of an empty list, e.g. `weight_names` of a layer without weights) is []. Returns
   * undefined when the attribute is absent.
   */
  stringsAttr(path: string, name: string): string[] | undefined {
    if (!this.hasAttr(path, name)) return undefined;
    const where = `attribute '${name}' of`;
    const meta = this.call(`cannot read ${where}`, path, () => this.m.get_attribute_metadata(this.fileId, path, name));
    const cls = this.m.H5T_class_t;
    if (meta.type !== cls.H5T_STRING.value) {
      if (meta.total_size === 0) return [];
      throw new ModelFormatError(`${this.where}: ${where} ${path} holds ${meta.total_size} non-string values, expected text`, { where: `${this.where}:${path}@${name}` });
    }
    if (meta.shape && meta.shape.length > 1) {
      throw new ModelFormatError(`${this.where}: ${where} ${path} is a [${meta.shape.join(', ')}] array of strings, expected a string or a list`, { where: `${this.where}:${path}@${name}` });
    }
    const count = meta.total_size;
    const width = meta.vlen ? 4 : meta.size;
    const nbytes = count * width;
    // an attribute's values (fixed-length strings, or variable-length references of 16 bytes or
    // more each) are stored in its object header: they cannot take more than the file
    if (nbytes > HDF5_LIMITS.datasetBytes || nbytes > this.fileBytes) {
      throw new ModelFormatError(`${this.where}: ${where} ${path} claims ${count} values of ${width} bytes, more than the ${this.fileBytes}-byte file holds`, { where: `${this.where}:${path}@${name}`, expected: this.fileBytes, actual: nbytes });
    }
    if (nbytes === 0) return [];
    const ptr = this.m._malloc(nbytes);
    if (ptr === 0) throw new ResourceError(`${this.where}: out of memory reading ${where} ${path}`, { where: `${this.where}:${path}@${name}` });
    const decoder = new TextDecoder();
    try {
      this.call(`cannot read ${where}`, path, () => this.m.get_attribute_data(this.fileId, path, name, BigInt(ptr)), (st) => st >= 0);
      const out: string[] = [];
      if (meta.vlen) {
        const ptrs = new Uint32Array(this.m.HEAPU8.buffer, ptr, count).slice();
        try {
          for (const p of ptrs) out.push(p === 0 ? '' : this.m.UTF8ToString(p));
        } finally {
          this.call(`cannot release ${where}`, path, () => this.m.reclaim_vlen_memory(this.fileId, path, name, BigInt(ptr)));
        }
      } else {
        for (let i = 0; i < count; i++) {
          let s = this.m.HEAPU8.slice(ptr + i * width, ptr + (i + 1) * width);
          const nul = s.indexOf(0);
          if (nul >= 0) s = s.subarray(0, nul);
          let text = decoder.decode(s);
          if (meta.strpad === 2) text = text.replace(/ +$/, ''); // space-padded (Fortran style)
          out.push(text);
        }
      }
      return out;
    } finally {
      this.m._free(ptr);
    }
  }

  /** A scalar string attribute (or a one-element list), or undefined when absent. */
  stringAttr(path: string, name: string): string | undefined {
    const v = this.stringsAttr(path, name);
    if (v === undefined) return undefined;
    if (v.length !== 1) {
      throw new ModelFormatError(`${this.where}: attribute '${name}' of ${path} holds ${v.length} strings, expected one`, { where: `${this.where}:${path}@${name}` });
    }
    return v[0];
  }

  /**
   * A float dataset (float16, float32, float64, or Keras 3's bfloat16 with attr dtype='bfloat16')
   * as float32, row-major, with its shape. Other element types are refused.
   */
  float32(path: string): H5Float32 {
    if (this.kind(path) !== 'dataset') this.absent('there is no dataset', path);
    const where = `${this.where}:${path}`;
    const meta = this.call('cannot read the type and shape of dataset', path, () => this.m.get_dataset_metadata(this.fileId, path));
    if (!meta.shape) throw new ModelFormatError(`${this.where}: dataset ${path} has no data space (an empty dataset)`, { where });
    const shape = [...meta.shape];
    const count = shape.reduce((a, b) => a * b, 1);
    if (shape.some((d) => !Number.isSafeInteger(d) || d < 0) || count !== meta.total_size) {
      throw new ModelFormatError(`${this.where}: dataset ${path} has an invalid shape [${shape.join(', ')}]`, { where });
    }
    const cls = this.m.H5T_class_t;
    const bf16 = meta.size === 2 && this.stringAttrOrUndefined(path, 'dtype') === 'bfloat16';
    let dtype: string;
    if (bf16) dtype = 'bfloat16';
    else if (meta.type === cls.H5T_FLOAT.value && (meta.size === 2 || meta.size === 4 || meta.size === 8)) dtype = `float${meta.size * 8}`;
    else {
      const kind = meta.type === cls.H5T_INTEGER.value ? `${meta.signed ? '' : 'u'}int${meta.size * 8}`
        : meta.type === cls.H5T_STRING.value ? 'string' : `HDF5 type class ${meta.type} (${meta.size} bytes)`;
      throw new UnsupportedModelError(`${this.where}: dataset ${path} holds ${kind} values; only float16, bfloat16, float32 and float64 weights are supported`, { where, actual: kind });
    }
    const nbytes = count * meta.size;
    if (nbytes > HDF5_LIMITS.datasetBytes) {
      throw new ResourceError(`${this.where}: dataset ${path} [${shape.join(', ')}] needs ${nbytes} bytes, more than the ${HDF5_LIMITS.datasetBytes} allowed`, { where, expected: HDF5_LIMITS.datasetBytes, actual: nbytes });
    }
    // contiguous (or compact) data is stored as it is read; compressed chunks expand at most as deflate can
    const stored = meta.chunks ? MAX_DEFLATE_RATIO * this.fileBytes : this.fileBytes;
    if (nbytes > stored) {
      throw new ModelFormatError(`${this.where}: dataset ${path} [${shape.join(', ')}] claims ${nbytes} bytes, more than the ${this.fileBytes}-byte file can hold${meta.chunks ? ' even compressed' : ''}`, { where, expected: stored, actual: nbytes });
    }
    if (this.readBytes + nbytes > HDF5_LIMITS.totalBytes) {
      throw new ResourceError(`${this.where}: reading dataset ${path} (${nbytes} bytes) would take the data read from the file past the ${HDF5_LIMITS.totalBytes} bytes allowed`, { where, expected: HDF5_LIMITS.totalBytes, actual: this.readBytes + nbytes });
    }
    this.readBytes += nbytes;
    if (count === 0) return { shape, data: new Float32Array(0), dtype };
    return this.cap.allow(nbytes, () => this.readFloat32(path, where, shape, count, nbytes, dtype));
  }

  private readFloat32(path: string, where: string, shape: number[], count: number, nbytes: number, dtype: string): H5Float32 {
    const data = new Float32Array(count);
    const ptr = this.m._malloc(nbytes);
    if (ptr === 0) throw new ResourceError(`${this.where}: out of memory reading dataset ${path} (${nbytes} bytes)`, { where });
    try {
      this.call('cannot read dataset', path, () => this.m.get_dataset_data(this.fileId, path, null, null, null, BigInt(ptr)), (st) => st >= 0);
      // h5wasm reads in the file's type with little-endian byte order.
      const raw = this.m.HEAPU8.slice(ptr, ptr + nbytes);
      const dv = new DataView(raw.buffer);
      if (dtype === 'float32') data.set(new Float32Array(raw.buffer));
      else if (dtype === 'float64') for (let i = 0; i < count; i++) data[i] = dv.getFloat64(i * 8, true);
      else if (dtype === 'float16') for (let i = 0; i < count; i++) data[i] = halfToFloat(dv.getUint16(i * 2, true));
      else {
        const u = new Uint32Array(1), f = new Float32Array(u.buffer);
        for (let i = 0; i < count; i++) { u[0] = dv.getUint16(i * 2, true) << 16; data[i] = f[0]!; }
      }
      return { shape, data, dtype };
    } finally {
      this.m._free(ptr);
    }
  }

  /** A one-string attribute, or undefined when absent or of another kind. */
  private stringAttrOrUndefined(path: string, name: string): string | undefined {
    try {
      const v = this.stringsAttr(path, name);
      return v?.length === 1 ? v[0] : undefined;
    } catch (e) {
      if (e instanceof ModelFormatError) return undefined;
      throw e;
    }
  }
}

