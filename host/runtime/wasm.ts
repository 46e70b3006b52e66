// Where the WebAssembly binaries come from. Both builds are embedded in the package (generated
// by scripts/build-wasm.mjs into binaries.ts), so the runtime needs no file system, fetch or
// network: it works the same in Node, browsers and bundlers.

import { SIMD_WASM_BASE64, SCALAR_WASM_BASE64 } from './binaries.js';

export type Backend = 'simd' | 'scalar';

function decodeBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const cache: Partial<Record<Backend, Uint8Array>> = {};

/** The embedded binary of a build. */
export function wasmBinary(backend: Backend): Uint8Array {
  return (cache[backend] ??= decodeBase64(backend === 'simd' ? SIMD_WASM_BASE64 : SCALAR_WASM_BASE64));
}

let simdSupported: boolean | undefined;

/** Whether this host's WebAssembly engine accepts SIMD128. */
export function hasSimd(): boolean {
  if (simdSupported === undefined) {
    try {
      simdSupported = WebAssembly.validate(wasmBinary('simd') as BufferSource);
    } catch {
      simdSupported = false;
    }
  }
  return simdSupported;
}
