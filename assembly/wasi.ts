// Entry of the WASI command (build/wasi.wasm scalar, build/wasi-simd.wasm SIMD128): the module of
// assembly/index.ts driven by a `_start` that needs nothing but WASI preview1 (arguments, files,
// stdout/stderr, a clock). This is the form wasmtime, WAMR, wasmer or wasm-interp --wasi run:
//
//   edgernn-wasi MODEL.ernn INPUT.npy [-o OUTPUT.npy] [--stream] [--quiet]
//
// INPUT.npy is float32 [batch, time, features] (or [time, features]), little-endian, C order.
// Default: one whole-sequence run (ernn_run). --stream: a stream set of `batch` streams stepped
// through the time steps (ernn_streams_step), the output after every step. The predictions go to
// OUTPUT.npy as float32 [batch, steps, outputs] and, unless --quiet, to stdout as text, one line
// per batch entry and step: "b t: v v ...", each value with 9 significant digits (enough to give
// back the float32 exactly). A summary goes to stderr. Exit status: 0, 1 on an error, 2 on bad
// arguments.
//
// Paths are opened through the preopened directories (wasmtime --dir, node:wasi preopens): an
// absolute path through the longest preopen that is its prefix, a relative one through ".".
//
// Everything here is plain loads and stores on static buffers and on blocks of the module's own
// arena (memory.ts): no managed objects, so the stub runtime's allocator never runs.

import {
  ernn_model_reserve, ernn_model_load, ernn_model_input_size, ernn_model_output_size, ernn_model_int8,
  ernn_error_field, ernn_error_index, ernn_error_expected, ernn_error_actual, ernn_error_aux,
  ernn_streams_create, ernn_streams_input_ptr, ernn_streams_output_ptr, ernn_streams_step,
  ernn_run_prepare, ernn_run_input_ptr, ernn_run, ernn_run_output_ptr, ernn_run_output_steps, ernn_memory_pages,
  ernn_simd,
} from './index';
import { alloc } from './memory';

// ---- WASI preview1 imports ----
// @ts-ignore: decorator
@external('wasi_snapshot_preview1', 'args_sizes_get') declare function args_sizes_get(argc: usize, bufSize: usize): i32;
// @ts-ignore: decorator
@external('wasi_snapshot_preview1', 'args_get') declare function args_get(argv: usize, buf: usize): i32;
// @ts-ignore: decorator
@external('wasi_snapshot_preview1', 'fd_prestat_get') declare function fd_prestat_get(fd: i32, buf: usize): i32;
// @ts-ignore: decorator
@external('wasi_snapshot_preview1', 'fd_prestat_dir_name') declare function fd_prestat_dir_name(fd: i32, path: usize, len: i32): i32;
// @ts-ignore: decorator
@external('wasi_snapshot_preview1', 'path_open')
declare function path_open(dirfd: i32, dirflags: i32, path: usize, pathLen: i32, oflags: i32,
  rightsBase: u64, rightsInheriting: u64, fdflags: i32, fdOut: usize): i32;
// @ts-ignore: decorator
@external('wasi_snapshot_preview1', 'fd_filestat_get') declare function fd_filestat_get(fd: i32, buf: usize): i32;
// @ts-ignore: decorator
@external('wasi_snapshot_preview1', 'fd_read') declare function fd_read(fd: i32, iovs: usize, n: i32, nread: usize): i32;
// @ts-ignore: decorator
@external('wasi_snapshot_preview1', 'fd_write') declare function fd_write(fd: i32, iovs: usize, n: i32, nwritten: usize): i32;
// @ts-ignore: decorator
@external('wasi_snapshot_preview1', 'fd_close') declare function fd_close(fd: i32): i32;
// @ts-ignore: decorator
@external('wasi_snapshot_preview1', 'clock_time_get') declare function clock_time_get(id: i32, precision: u64, time: usize): i32;
// @ts-ignore: decorator
@external('wasi_snapshot_preview1', 'proc_exit') declare function proc_exit(code: i32): void;

const STDOUT = 1;
const STDERR = 2;
const RIGHTS_READ: u64 = (1 << 1) | (1 << 2) | (1 << 5) | (1 << 21);   // fd_read, fd_seek, fd_tell, fd_filestat_get
const RIGHTS_WRITE: u64 = (1 << 6) | (1 << 2) | (1 << 5) | (1 << 22);  // fd_write, fd_seek, fd_tell, fd_filestat_set_size
const O_CREAT = 1;
const O_TRUNC = 8;
const CLOCK_MONOTONIC = 1;
const ERRNO_BADF = 8;
const MAX_PREOPENS = 16;

const ARGS_BYTES: i32 = 8192;
const ARGS = memory.data(ARGS_BYTES, 8);
const SCRATCH = memory.data(64, 8);       // iovecs, counts, prestat, time
const FILESTAT = memory.data(64, 8);
const HEADER_BYTES: i32 = 4096;
const HEADER = memory.data(HEADER_BYTES, 8);
const PREOPEN_NAMES = memory.data(MAX_PREOPENS * 256);
const OUT_BYTES: i32 = 4096;
const OUT = memory.data(OUT_BYTES, 8);    // text staging buffer

let outPos = 0;
let outFd = STDOUT;

// ---- text output ----
function flush(): void {
  let p: usize = 0;
  while (p < <usize>outPos) {
    store<u32>(SCRATCH, <u32>(OUT + p));
    store<u32>(SCRATCH, <u32>(<usize>outPos - p), 4);
    if (fd_write(outFd, SCRATCH, 1, SCRATCH + 8) != 0) break;
    let n = <usize>load<u32>(SCRATCH, 8);
    if (n == 0) break;
    p += n;
  }
  outPos = 0;
}

function to(fd: i32): void {
  if (fd != outFd) { flush(); outFd = fd; }
}

function putByte(c: i32): void {
  if (outPos == OUT_BYTES) flush();
  store<u8>(OUT + <usize>outPos, <u8>c);
  outPos++;
}

function putStr(s: string): void {
  for (let i = 0; i < s.length; i++) putByte(s.charCodeAt(i));
}

function putBytes(p: usize, n: i32): void {
  for (let i = 0; i < n; i++) putByte(load<u8>(p + <usize>i));
}

function putCStr(p: usize): void {
  while (load<u8>(p) != 0) putByte(load<u8>(p++));
}

function putInt(v: i64): void {
  if (v < 0) { putByte(45); v = -v; }
  let digits = memory.data(24);
  let n = 0;
  do { store<u8>(digits + <usize>n, <u8>(48 + <i32>(v % 10))); n++; v /= 10; } while (v != 0);
  while (n > 0) { n--; putByte(load<u8>(digits + <usize>n)); }
}

// A float32 with 9 significant digits, %g style: always enough to read back the same float32
// (the printed value is within 1.5e-8 relative of it, half a float32 ulp is at least 2.9e-8).
function putF32(v: f32): void {
  let x = <f64>v;
  if (isNaN(x)) { putStr('nan'); return; }
  if (x < 0 || (x == 0 && 1 / x < 0)) { putByte(45); x = -x; }
  if (!isFinite(x)) { putStr('inf'); return; }
  if (x == 0) { putByte(48); return; }
  let e = <i32>Math.floor(Math.log10(x));
  let m = scaled(x, 8 - e);
  if (m >= 1e9) { e++; m = scaled(x, 8 - e); }
  else if (m < 1e8) { e--; m = scaled(x, 8 - e); }
  let digits = memory.data(16);
  let d = <u64>m;
  for (let i = 8; i >= 0; i--) { store<u8>(digits + <usize>i, <u8>(48 + <i32>(d % 10))); d /= 10; }
  let nd = 9;
  while (nd > 1 && load<u8>(digits + <usize>(nd - 1)) == 48) nd--;
  if (e < -5 || e >= 9) {
    putByte(load<u8>(digits));
    if (nd > 1) { putByte(46); putBytes(digits + 1, nd - 1); }
    putByte(101); putByte(e < 0 ? 45 : 43);
    if (e < 0) e = -e;
    if (e < 10) putByte(48);
    putInt(e);
  } else if (e >= 0) {
    for (let i = 0; i <= e; i++) putByte(i < nd ? load<u8>(digits + <usize>i) : 48);
    if (nd > e + 1) { putByte(46); putBytes(digits + <usize>(e + 1), nd - e - 1); }
  } else {
    putByte(48); putByte(46);
    for (let i = 0; i < -e - 1; i++) putByte(48);
    putBytes(digits, nd);
  }
}

function scaled(x: f64, k: i32): f64 {
  return Math.round(k >= 0 ? x * Math.pow(10, <f64>k) : x / Math.pow(10, <f64>-k));
}

function fatal(code: i32): void {
  flush();
  proc_exit(code);
  unreachable();
}

function error(msg: string): void {
  to(STDERR);
  putStr('edgernn-wasi: error: ');
  putStr(msg);
}

function usage(): void {
  to(STDERR);
  putStr('usage: edgernn-wasi MODEL.ernn INPUT.npy [-o OUTPUT.npy] [--stream] [--quiet]\n');
  putStr('  INPUT.npy: float32 [batch, time, features] or [time, features]\n');
  putStr('  --stream: step a stream set through the time steps (default: one whole-sequence run)\n');
  putStr('  --quiet: no text on stdout\n');
}

// (a switch, not an array: an array literal would be allocated at start-up)
function statusName(status: i32): string {
  switch (status) {
    case 0: return 'Ok';
    case 1: return 'Truncated';
    case 2: return 'BadMagic';
    case 3: return 'UnsupportedVersion';
    case 4: return 'ChecksumMismatch';
    case 5: return 'BadSection';
    case 6: return 'BadTensor';
    case 7: return 'BadLayer';
    case 8: return 'ShapeMismatch';
    case 9: return 'Unsupported';
    case 10: return 'OutOfMemory';
    case 11: return 'LimitExceeded';
    case 12: return 'BadState';
    case 13: return 'BadArgument';
    case 14: return 'NotStreamable';
  }
  return '?';
}

function statusError(call: string, status: i32): void {
  error(call);
  putStr(': status ');
  putInt(status);
  putStr(' ('); putStr(statusName(status)); putStr(')');
  putStr(', field '); putInt(ernn_error_field());
  putStr(', index '); putInt(ernn_error_index());
  putStr(', expected '); putInt(ernn_error_expected());
  putStr(', actual '); putInt(ernn_error_actual());
  putStr(', aux '); putInt(ernn_error_aux());
  putStr(' (docs/ABI.md)\n');
  fatal(1);
}

// ---- files ----
let preopenCount = 0;
const preopenFd = memory.data(MAX_PREOPENS * 4);
const preopenLen = memory.data(MAX_PREOPENS * 4);

function findPreopens(): void {
  for (let fd = 3; preopenCount < MAX_PREOPENS; fd++) {
    let r = fd_prestat_get(fd, SCRATCH);
    if (r == ERRNO_BADF) break;
    if (r != 0 || load<u8>(SCRATCH) != 0) continue; // not a directory preopen
    let len = <i32>load<u32>(SCRATCH, 4);
    if (len > 255) continue;
    let name = PREOPEN_NAMES + <usize>(preopenCount * 256);
    if (fd_prestat_dir_name(fd, name, len) != 0) continue;
    // drop trailing slashes (but keep "/"), and a leading "./"
    while (len > 1 && load<u8>(name + <usize>(len - 1)) == 47) len--;
    store<i32>(preopenFd + <usize>(preopenCount * 4), fd);
    store<i32>(preopenLen + <usize>(preopenCount * 4), len);
    preopenCount++;
  }
}

// Opens `path` (NUL-terminated) through the preopen that gives access to it. The fd, or -1.
function openPath(path: usize, write: bool): i32 {
  let plen = 0;
  while (load<u8>(path + <usize>plen) != 0) plen++;
  let best = -1, bestLen = -1;
  let rel = path, relLen = plen;
  for (let i = 0; i < preopenCount; i++) {
    let name = PREOPEN_NAMES + <usize>(i * 256);
    let len = load<i32>(preopenLen + <usize>(i * 4));
    let skip = -1; // bytes of `path` the preopen covers
    if (len == 1 && load<u8>(name) == 47) {
      if (load<u8>(path) == 47) skip = 1;
    } else if (len == 1 && load<u8>(name) == 46) {
      if (load<u8>(path) != 47) skip = (plen >= 2 && load<u8>(path) == 46 && load<u8>(path + 1) == 47) ? 2 : 0;
    } else if (len <= plen && memory.compare(name, path, len) == 0 &&
               (len == plen || load<u8>(path + <usize>len) == 47)) {
      skip = len == plen ? len : len + 1;
    }
    if (skip >= 0 && len > bestLen) {
      best = i; bestLen = len;
      rel = path + <usize>skip; relLen = plen - skip;
    }
  }
  if (best < 0) return -1;
  if (relLen == 0) { rel = memory.data<u8>([46]); relLen = 1; }
  let dirfd = load<i32>(preopenFd + <usize>(best * 4));
  let r = path_open(dirfd, 1 /* follow symlinks */, rel, relLen, write ? O_CREAT | O_TRUNC : 0,
    write ? RIGHTS_WRITE : RIGHTS_READ, 0, 0, SCRATCH + 32);
  return r == 0 ? load<i32>(SCRATCH, 32) : -1;
}

function openOrDie(path: usize, write: bool): i32 {
  let fd = openPath(path, write);
  if (fd < 0) {
    error(write ? 'cannot create ' : 'cannot open ');
    putCStr(path);
    putStr(preopenCount == 0 ? ' (no preopened directory: give the runtime one, e.g. wasmtime --dir .)\n' : '\n');
    fatal(1);
  }
  return fd;
}

function fileSize(fd: i32): u64 {
  if (fd_filestat_get(fd, FILESTAT) != 0) return <u64>-1;
  return load<u64>(FILESTAT, 32);
}

// Reads exactly n bytes to p. False on an error or a short file.
function readFully(fd: i32, p: usize, n: usize): bool {
  let got: usize = 0;
  while (got < n) {
    store<u32>(SCRATCH, <u32>(p + got));
    store<u32>(SCRATCH, <u32>(n - got), 4);
    if (fd_read(fd, SCRATCH, 1, SCRATCH + 8) != 0) return false;
    let k = <usize>load<u32>(SCRATCH, 8);
    if (k == 0) return false;
    got += k;
  }
  return true;
}

function writeFully(fd: i32, p: usize, n: usize): bool {
  let put: usize = 0;
  while (put < n) {
    store<u32>(SCRATCH, <u32>(p + put));
    store<u32>(SCRATCH, <u32>(n - put), 4);
    if (fd_write(fd, SCRATCH, 1, SCRATCH + 8) != 0) return false;
    let k = <usize>load<u32>(SCRATCH, 8);
    if (k == 0) return false;
    put += k;
  }
  return true;
}

function now(): u64 {
  if (clock_time_get(CLOCK_MONOTONIC, 1000, SCRATCH + 48) != 0) return 0;
  return load<u64>(SCRATCH, 48);
}

// ---- .npy ----
let npyB = 0, npyT = 0, npyF = 0;

// Does the header text at HEADER (n bytes) contain `s`? Returns the index after it, or -1.
function find(n: i32, s: string): i32 {
  let m = s.length;
  for (let i = 0; i + m <= n; i++) {
    let j = 0;
    while (j < m && <i32>load<u8>(HEADER + <usize>(i + j)) == s.charCodeAt(j)) j++;
    if (j == m) return i + m;
  }
  return -1;
}

// Reads the header of a float32 .npy; leaves the file at the data. False if not supported.
function readNpyHeader(fd: i32): bool {
  if (!readFully(fd, HEADER, 10)) return false;
  if (load<u8>(HEADER) != 0x93 || load<u8>(HEADER, 1) != 78 || load<u8>(HEADER, 2) != 85) return false;
  let major = load<u8>(HEADER, 6);
  let hlen: i32;
  if (major == 1) hlen = <i32>load<u16>(HEADER, 8);
  else {
    if (!readFully(fd, HEADER + 10, 2)) return false;
    hlen = <i32>load<u32>(HEADER, 8);
  }
  if (hlen <= 0 || hlen > HEADER_BYTES) return false;
  if (!readFully(fd, HEADER, <usize>hlen)) return false;
  if (find(hlen, "'<f4'") < 0 || find(hlen, 'True') >= 0) return false;
  let i = find(hlen, "'shape':");
  if (i < 0) return false;
  while (i < hlen && load<u8>(HEADER + <usize>i) != 40) i++;
  let dims = memory.data(16);
  let nd = 0;
  let v: i64 = -1;
  for (i++; i < hlen; i++) {
    let c = <i32>load<u8>(HEADER + <usize>i);
    if (c >= 48 && c <= 57) {
      v = (v < 0 ? 0 : v) * 10 + (c - 48);
      if (v > 0x7FFFFFFF) return false;
    } else if (c == 44 || c == 41) {
      if (v >= 0) { if (nd == 4) return false; store<i32>(dims + <usize>(nd * 4), <i32>v); nd++; v = -1; }
      if (c == 41) break;
    } else if (c != 32 && c != 76) return false; // spaces, and Python 2's "L" suffix
  }
  if (nd == 3) { npyB = load<i32>(dims); npyT = load<i32>(dims, 4); npyF = load<i32>(dims, 8); }
  else if (nd == 2) { npyB = 1; npyT = load<i32>(dims); npyF = load<i32>(dims, 4); }
  else return false;
  return npyB > 0 && npyT > 0 && npyF > 0;
}

function writeNpy(fd: i32, data: usize, b: i32, t: i32, o: i32): bool {
  to(fd);
  // magic, version 1.0, header length (filled in below)
  putByte(0x93); putStr('NUMPY'); putByte(1); putByte(0); putByte(0); putByte(0);
  let start = outPos;
  putStr("{'descr': '<f4', 'fortran_order': False, 'shape': (");
  putInt(b); putStr(', '); putInt(t); putStr(', '); putInt(o); putStr('), }');
  while ((outPos + 1) % 64 != 0) putByte(32);
  putByte(10);
  let hlen = outPos - start;
  store<u8>(OUT + 8, <u8>(hlen & 255));
  store<u8>(OUT + 9, <u8>(hlen >> 8));
  flush();
  return writeFully(fd, data, <usize>b * <usize>t * <usize>o * 4);
}

// ---- the command ----
export function _start(): void {
  // arguments
  if (args_sizes_get(SCRATCH, SCRATCH + 4) != 0) { error('cannot read the arguments\n'); fatal(2); }
  let argc = <i32>load<u32>(SCRATCH);
  let bufSize = <usize>load<u32>(SCRATCH, 4);
  if (<usize>argc * 4 + bufSize > <usize>ARGS_BYTES) { error('arguments too long\n'); fatal(2); }
  args_get(ARGS, ARGS + <usize>argc * 4);
  let modelPath: usize = 0, inputPath: usize = 0, outputPath: usize = 0;
  let stream = false, quiet = false;
  for (let i = 1; i < argc; i++) {
    let a = <usize>load<u32>(ARGS + <usize>i * 4);
    if (streq(a, '-o') || streq(a, '--output')) {
      if (i + 1 >= argc) { usage(); fatal(2); }
      outputPath = <usize>load<u32>(ARGS + <usize>(++i) * 4);
    } else if (streq(a, '--stream')) stream = true;
    else if (streq(a, '--quiet')) quiet = true;
    else if (streq(a, '-h') || streq(a, '--help')) { usage(); fatal(0); }
    else if (load<u8>(a) == 45 && load<u8>(a, 1) != 0) { error('unknown option '); putCStr(a); putByte(10); usage(); fatal(2); }
    else if (modelPath == 0) modelPath = a;
    else if (inputPath == 0) inputPath = a;
    else { usage(); fatal(2); }
  }
  if (modelPath == 0 || inputPath == 0) { usage(); fatal(2); }
  findPreopens();

  // the model: reserve, read in place, validate
  let t0 = now();
  let fd = openOrDie(modelPath, false);
  let size = fileSize(fd);
  if (size > 0x7FFF0000) { error('cannot read the size of '); putCStr(modelPath); putByte(10); fatal(1); }
  let p = <usize>ernn_model_reserve(<i32>size);
  if (p == 0) statusError('ernn_model_reserve', 10);
  if (!readFully(fd, p, <usize>size)) { error('cannot read '); putCStr(modelPath); putByte(10); fatal(1); }
  fd_close(fd);
  let s = ernn_model_load(<i32>size);
  if (s != 0) statusError('ernn_model_load', s);
  let t1 = now();
  let I = ernn_model_input_size(), O = ernn_model_output_size();

  // the input
  fd = openOrDie(inputPath, false);
  if (!readNpyHeader(fd)) { error(''); putCStr(inputPath); putStr(' is not a float32 .npy file of shape [batch, time, features] or [time, features]\n'); fatal(1); }
  let B = npyB, T = npyT, F = npyF;
  if (F != I) { error('the model takes '); putInt(I); putStr(' features per step, '); putCStr(inputPath); putStr(' has '); putInt(F); putByte(10); fatal(1); }
  let xBytes = <usize>B * <usize>T * <usize>F * 4;
  let x = alloc(xBytes);
  if (x == 0) statusError('input buffer', 10);
  if (!readFully(fd, x, xBytes)) { error(''); putCStr(inputPath); putStr(' is truncated\n'); fatal(1); }
  fd_close(fd);

  // run
  let t2 = now();
  let y: usize = 0;
  let steps = T;
  if (stream) {
    let h = ernn_streams_create(B);
    if (h <= 0) statusError('ernn_streams_create', -h);
    y = alloc(<usize>B * <usize>T * <usize>O * 4);
    if (y == 0) statusError('output buffer', 10);
    let inp = <usize>ernn_streams_input_ptr(h), outp = <usize>ernn_streams_output_ptr(h);
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) memory.copy(inp + <usize>(b * F) * 4, x + (<usize>(b * T + t) * <usize>F) * 4, <usize>F * 4);
      s = ernn_streams_step(h, B, 0);
      if (s != 0) statusError('ernn_streams_step', s);
      for (let b = 0; b < B; b++) memory.copy(y + (<usize>(b * T + t) * <usize>O) * 4, outp + <usize>(b * O) * 4, <usize>O * 4);
    }
  } else {
    s = ernn_run_prepare(B, T);
    if (s != 0) statusError('ernn_run_prepare', s);
    memory.copy(<usize>ernn_run_input_ptr(), x, xBytes);
    s = ernn_run(0);
    if (s != 0) statusError('ernn_run', s);
    y = <usize>ernn_run_output_ptr();
    steps = ernn_run_output_steps();
  }
  let t3 = now();

  // outputs
  if (!quiet) {
    to(STDOUT);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < steps; t++) {
        putInt(b); putByte(32); putInt(t); putByte(58);
        let row = y + (<usize>(b * steps + t) * <usize>O) * 4;
        for (let k = 0; k < O; k++) { putByte(32); putF32(load<f32>(row + <usize>k * 4)); }
        putByte(10);
      }
    }
    flush();
  }
  if (outputPath != 0) {
    fd = openOrDie(outputPath, true);
    if (!writeNpy(fd, y, B, steps, O)) { error('cannot write '); putCStr(outputPath); putByte(10); fatal(1); }
    fd_close(fd);
  }
  to(STDERR);
  putStr('edgernn-wasi: '); putCStr(modelPath);
  putStr(ernn_model_int8() ? ' (int8)' : ''); putStr(ernn_simd() ? ', simd' : ', scalar');
  putStr(', input ['); putInt(B); putStr(', '); putInt(T); putStr(', '); putInt(F);
  putStr('], output ['); putInt(B); putStr(', '); putInt(steps); putStr(', '); putInt(O);
  putStr(stream ? '] streamed' : '] run');
  putStr('; load '); putInt(<i64>((t1 - t0) / 1000)); putStr(' us, ');
  putStr(stream ? 'steps ' : 'run '); putInt(<i64>((t3 - t2) / 1000)); putStr(' us; memory ');
  putInt(ernn_memory_pages()); putStr(' pages\n');
  flush();
}

function streq(p: usize, s: string): bool {
  let n = s.length;
  for (let i = 0; i < n; i++) if (<i32>load<u8>(p + <usize>i) != s.charCodeAt(i)) return false;
  return load<u8>(p + <usize>n) == 0;
}
