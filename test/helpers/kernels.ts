// Loads the kernel test builds (assembly/testing.ts) and moves arrays in and out of them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths.js';

export interface Kernels {
  memory: WebAssembly.Memory;
  t_alloc(bytes: number): number;
  t_reset(): void;
  t_matmul_s8(x: number, kp: number, n: number, k: number, w: number, m: number, acc: number, ldacc: number): void;
  t_quantize_dynamic(x: number, ldx: number, n: number, k: number, kp: number, q: number, scales: number, zps: number): void;
  t_quantize_affine(x: number, ldx: number, n: number, k: number, inv: number, zp: number, q: number, ldq: number): void;
  t_rescale(acc: number, n: number, m: number, sw: number, sum: number, sx: number, zx: number, y: number, ldy: number): void;
  t_widen(x: number, ldx: number, n: number, k: number, kp: number, q: number): void;
  t_gemm_f32(a: number, lda: number, n: number, k: number, b: number, ldb: number, m: number, c: number, ldc: number): void;
  t_act(code: number, alpha: number, beta: number, p: number, n: number): void;
  t_gate_act(code: number, p: number, n: number): void;
  t_pack_f32(b: number, ldb: number, k: number, m: number, dst: number): void;
  t_gemm_packed_f32(n: number, a1: number, lda1: number, k1: number, b1: number, a2: number, lda2: number, k2: number, b2: number, m: number, init: number, ldi: number, c: number, ldc: number): void;
  t_mbqm(x: number, m: number, shift: number): number;
  t_mbqm_simd(x: number, m: number, shift: number): number;
  t_lut16_simd(table: number, x: number): number;
  t_pack_s8(w: number, m: number, k: number, dst: number): void;
  t_matmul_s8_packed(x: number, kp: number, n: number, k: number, w: number, m: number, acc: number, ldacc: number): void;
  t_quantize_multiplier(real: number, shiftOut: number): number;
  t_lut16(table: number, x: number): number;
  t_rshift_round(x: number, s: number): number;
}

export function loadKernels(build: 'simd' | 'scalar'): Kernels {
  const bytes = readFileSync(join(ROOT, 'build', `kernels-${build}.wasm`));
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as Kernels;
}

type Typed = Int8Array | Int16Array | Int32Array | Float32Array | Uint16Array | Uint8Array;

/** Copies an array into the module (plus `slack` spare bytes) and returns its address. */
export function put(k: Kernels, a: Typed, slack = 0, fill = 0): number {
  const p = k.t_alloc(a.byteLength + slack);
  const u8 = new Uint8Array(k.memory.buffer);
  u8.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), p);
  u8.fill(fill, p + a.byteLength, p + a.byteLength + slack);
  return p;
}

export function get<T extends Typed>(k: Kernels, Ctor: { new (b: ArrayBuffer, o: number, n: number): T }, p: number, n: number): T {
  const view = new Ctor(k.memory.buffer as ArrayBuffer, p, n);
  return (view as unknown as { slice(): T }).slice();
}
