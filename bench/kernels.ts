// Kernel peak: the int8 and f32 matrix products alone, on the shapes of one LSTM step
// (4H outputs x (I + H) inputs, I = 8), one row, in the kernel test builds. Reports GMAC/s.
// Run: npx tsx bench/kernels.ts [--quick]
import { loadKernels, put } from '../test/helpers/kernels.js';

export interface KernelPeak { kernel: string; build: string; H: number; macs: number; usPerCall: number; gmacs: number }

function time(fn: () => void, minMs: number): number[] {
  const samples: number[] = [];
  const end = performance.now() + minMs;
  while (performance.now() < end || samples.length < 5) {
    const reps = 50;
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    samples.push(((performance.now() - t0) * 1000) / reps);
  }
  return samples.sort((a, b) => a - b);
}

export function kernelPeaks(quick = false): KernelPeak[] {
  const out: KernelPeak[] = [];
  for (const build of ['simd', 'scalar'] as const) {
    const K = loadKernels(build);
    for (const H of [64, 128, 256]) {
      K.t_reset();
      const I = 8, M = 4 * H, k = I + H, kp = (k + 15) & ~15;
      const w0 = put(K, Int8Array.from({ length: M * k }, (_, i) => (i * 31) % 255 - 127), 32);
      const w = K.t_alloc(M * k + 32);
      K.t_pack_s8(w0, M, k, w);   // the layout the loader gives int8 weights
      const x = put(K, Int16Array.from({ length: kp }, (_, i) => (i < k ? (i * 7) % 255 - 127 : 0)));
      const acc = K.t_alloc(M * 4);
      const wf = put(K, Float32Array.from({ length: M * k }, (_, i) => Math.sin(i)));
      const xf = put(K, Float32Array.from({ length: k }, (_, i) => Math.cos(i)));
      const yf = K.t_alloc(M * 4);
      const macs = M * k;
      const ms = quick ? 20 : 300;
      time(() => K.t_matmul_s8_packed(x, kp, 1, k, w, M, acc, M), ms / 3); // warm up
      const s8 = time(() => K.t_matmul_s8_packed(x, kp, 1, k, w, M, acc, M), ms);
      out.push({ kernel: 'matmul_s8', build, H, macs, usPerCall: s8[s8.length >> 1]!, gmacs: macs / s8[s8.length >> 1]! / 1000 });
      const pf = K.t_alloc(M * k * 4);
      K.t_pack_f32(wf, M, k, M, pf); // the panel layout the loader gives f32 weights
      time(() => K.t_gemm_packed_f32(1, xf, k, k, pf, 0, 0, 0, 0, M, yf, M, yf, M), ms / 3);
      const f = time(() => K.t_gemm_packed_f32(1, xf, k, k, pf, 0, 0, 0, 0, M, yf, M, yf, M), ms);
      out.push({ kernel: 'gemm_f32', build, H, macs, usPerCall: f[f.length >> 1]!, gmacs: macs / f[f.length >> 1]! / 1000 });
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = kernelPeaks(process.argv.includes('--quick'));
  console.log('kernel      build   H    MACs     µs/call  GMAC/s');
  for (const r of rows) console.log(`${r.kernel.padEnd(11)} ${r.build.padEnd(6)} ${String(r.H).padStart(3)} ${String(r.macs).padStart(7)} ${r.usPerCall.toFixed(2).padStart(8)} ${r.gmacs.toFixed(2).padStart(7)}`);
}
