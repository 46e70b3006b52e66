// The module's ABI promise: no imports at all, only the memory and functions of i32/f32 exported.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths.js';
import { wasmBinary } from '../../host/runtime/wasm.js';

for (const build of ['simd', 'scalar'] as const) {
  describe(`${build}.wasm`, () => {
    const module = new WebAssembly.Module(wasmBinary(build) as BufferSource);
    it('has no imports', () => {
      expect(WebAssembly.Module.imports(module)).toEqual([]);
    });
    it('exports memory and ernn_* functions only, with i32/f32 parameters and results', () => {
      const exports = WebAssembly.Module.exports(module);
      expect(exports.find((e) => e.name === 'memory')?.kind).toBe('memory');
      const fns = exports.filter((e) => e.kind === 'function');
      expect(fns.length).toBeGreaterThan(30);
      for (const f of fns) expect(f.name).toMatch(/^ernn_/);
      // signatures, from the text format the compiler wrote next to the binary
      const wat = readFileSync(join(ROOT, 'build', `${build}.wat`), 'utf8');
      for (const f of fns) {
        const internal = new RegExp(`\\(export "${f.name}" \\(func (\\$[^)\\s]+)\\)\\)`).exec(wat)?.[1];
        expect(internal, f.name).toBeDefined();
        const header = new RegExp(`\\(func ${internal!.replace(/[$|/\\.]/g, '\\$&')}( \\(param[^)]*\\))?( \\(result[^)]*\\))?`).exec(wat);
        expect(header, f.name).not.toBeNull();
        expect(header![0]).not.toMatch(/i64|f64|v128|externref|funcref/);
      }
    });
    it(`is at most 32 KB`, () => {
      expect(wasmBinary(build).length).toBeLessThanOrEqual(32 * 1024);
    });
  });
}
