// The contestants of `npm run bench`: edgernn in each build and quantization mode, and the peers
// (onnxruntime-web, onnxruntime-node, TF.js with the wasm backend), all built from the same model
// description, each behind the same small interface: per mode, run(input) -> output, with the
// recurrent state carried between calls in the streaming modes.
//
// Modes (input -> output):
//   step1   one step of one stream per call:      frame [8]        -> y [24]
//   step64  one step of 64 streams per call:      frames [64 x 8]  -> y [64 x 24]
//   seq20   a 20-step sequence from the zero state: x [20 x 8]     -> y [24] (the head sees the last h)
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Runtime } from '../host/runtime/runtime.js';
import type { Model } from '../host/runtime/model.js';
import { lowerToErnn, type QuantMode, type QuantPlan } from '../host/convert/lower.js';
import type { ModelIR, RecurrentLayer, DenseLayer } from '../host/convert/ir.js';
import { calibrate } from '../host/convert/quantize/reference.js';
import { rng, randArray } from '../test/helpers/models.js';
import type { OnnxExport } from './onnx-export.js';

export type Mode = 'step1' | 'step64' | 'seq20';
export const MODES: Mode[] = ['step1', 'step64', 'seq20'];
export const STREAMS = 64;
export const SEQ = 20;

/** Calls (streams x steps) of the recurrent layer per call, and rows through the head. */
export function callShape(mode: Mode): { steps: number; heads: number } {
  return mode === 'step1' ? { steps: 1, heads: 1 } : mode === 'step64' ? { steps: STREAMS, heads: STREAMS } : { steps: SEQ, heads: 1 };
}

export interface Runner {
  /** run() returns a Promise (the ORT session API); awaited per call when timing. */
  async: boolean;
  /** Back to the zero state (streaming modes; no-op for seq20). */
  reset(): void;
  run(input: Float32Array): Float32Array | Promise<Float32Array>;
}

export type PeerName = 'ort-web' | 'ort-node' | 'ort-node-sync' | 'tfjs-wasm' | 'tfjs-layers';
export type RuntimeName = 'edgernn' | PeerName;
export const PEERS: PeerName[] = ['ort-web', 'ort-node', 'ort-node-sync', 'tfjs-wasm', 'tfjs-layers'];
export const DEFAULT_RUNTIMES: RuntimeName[] = ['edgernn', 'ort-web', 'ort-node', 'ort-node-sync', 'tfjs-wasm'];

export interface Contestant {
  id: string;
  runtime: RuntimeName;
  /** f32 for every peer. */
  precision: QuantMode;
  build?: 'simd' | 'scalar';
  /** Modes it cannot run (with the reason), e.g. tfjs-layers with a reset-after GRU. */
  unsupported?: string;
  runner(mode: Mode): Promise<Runner>;
  dispose(): void;
}

export interface BenchModel {
  name: string;
  cell: 'lstm' | 'gru';
  H: number;
  I: number;
  O: number;
  ir: ModelIR;
  onnx: OnnxExport;
}

// ---------------------------------------------------------------------------------------------
// edgernn

export type EdgeConfig = 'simd-f32' | 'simd-int8-dynamic' | 'simd-int8' | 'scalar-f32' | 'scalar-int8';
export const EDGE_CONFIGS: EdgeConfig[] = ['simd-f32', 'simd-int8-dynamic', 'simd-int8', 'scalar-f32', 'scalar-int8'];
export const BASELINE_ID = 'edgernn simd f32';

export type Calibration = { x: Float32Array; shape: [number, number, number] }[];

const plans = new WeakMap<ModelIR, QuantPlan>();

/**
 * The quantization plan of a config. int8 is calibrated on random data like bench/steps.ts (uniform
 * in [-1, 1], the distribution of every benchmark input), here 32 sequences of 100 steps, and with
 * the recurrent layer's output switched to 'sequence' for the calibration only. Why: the models are
 * sequence-to-vector (output 'last'), so calibrate() sees the head's output only at the last step
 * of each sequence, while a stream applies the head at every step; the int8 mode saturates the
 * head's 16-bit output at the calibrated range, and streams then clipped outputs beyond it (LSTM
 * 64 with bench/steps.ts's 16 x 20 calibration: head range 0.20, streamed outputs up to 0.27, an
 * error of 25 % of max|y|). `extra`: more calibration sequences (none by default).
 */
export function benchPlan(quant: QuantMode, ir: ModelIR, extra: Calibration = []): QuantPlan {
  if (quant !== 'int8') return { mode: quant };
  let p = plans.get(ir);
  if (!p) {
    const B = 32, T = 100;
    const [rec, ...rest] = ir.layers as [RecurrentLayer, ...ModelIR['layers']];
    const everyStep: ModelIR = { ...ir, layers: [{ ...rec, output: 'sequence' }, ...rest] };
    p = { mode: 'int8', stats: calibrate(everyStep, [{ x: randArray(B * T * ir.inputSize, rng(7)), shape: [B, T, ir.inputSize] }, ...extra]) };
    plans.set(ir, p);
  }
  return p;
}

export function edgeId(c: EdgeConfig): string {
  return `edgernn ${c.replace('-', ' ')}`;
}

export function edgernnContestant(rt: Runtime, cfg: EdgeConfig, m: BenchModel, ir = m.ir, calibration: Calibration = []): Contestant & { model: Model; bytes: Uint8Array } {
  const [build, ...q] = cfg.split('-');
  const quant = q.join('-') as QuantMode;
  const bytes = lowerToErnn(ir, benchPlan(quant, ir, calibration));
  const model = rt.load(bytes);
  const sets: { dispose(): void }[] = [];
  return {
    id: edgeId(cfg), runtime: 'edgernn', precision: quant, build: build as 'simd' | 'scalar', model, bytes,
    async runner(mode: Mode): Promise<Runner> {
      if (mode === 'seq20') {
        const shape = [1, SEQ, m.I];
        return { async: false, reset: () => {}, run: (x) => model.run(x, shape).data };
      }
      const n = mode === 'step1' ? 1 : STREAMS;
      const s = model.streams(n);
      sets.push(s);
      const out = new Float32Array(n * m.O);
      return n === 1
        ? { async: false, reset: () => s.reset(0), run: (f) => s.step(0, f, out) }
        : { async: false, reset: () => s.resetAll(), run: (f) => s.stepAll(f, out) };
    },
    dispose() { for (const s of sets) s.dispose(); },
  };
}

// ---------------------------------------------------------------------------------------------
// Peers: imported on demand; a peer that cannot be imported is skipped with a note.

export interface PeerSetup {
  name: PeerName;
  version: string;
  /** How it is set up, for the report. */
  setup: string;
  create(m: BenchModel, ir?: ModelIR): Promise<Contestant>;
}

const require = createRequire(import.meta.url);

type OrtModule = typeof import('onnxruntime-web');
interface OrtTensorLike { data: unknown; dims?: readonly number[] }

/** The ORT session API, shared by onnxruntime-web and onnxruntime-node. */
function ortContestant(
  name: PeerName, m: BenchModel, Tensor: OrtModule['Tensor'],
  runFn: (feeds: Record<string, unknown>) => Promise<Record<string, OrtTensorLike>> | Record<string, OrtTensorLike>,
  async: boolean, dispose: () => void,
): Contestant {
  const { H, I } = m;
  const lstm = m.cell === 'lstm';
  const io = m.onnx;
  const zeros = (B: number) => new Tensor('float32', new Float32Array(B * H), [1, B, H]);
  return {
    id: name, runtime: name, precision: 'f32',
    async runner(mode: Mode): Promise<Runner> {
      if (mode === 'seq20') {
        const h0 = zeros(1), c0 = zeros(1);
        const feeds: Record<string, unknown> = { [io.inputs.h]: h0 };
        if (lstm) feeds[io.inputs.c!] = c0;
        const call = (x: Float32Array) => {
          feeds[io.inputs.x] = new Tensor('float32', x, [SEQ, 1, I]);
          return runFn(feeds);
        };
        return async
          ? { async, reset: () => {}, run: async (x) => (await call(x))[io.outputs.y]!.data as Float32Array }
          : { async, reset: () => {}, run: (x) => (call(x) as Record<string, OrtTensorLike>)[io.outputs.y]!.data as Float32Array };
      }
      const B = mode === 'step1' ? 1 : STREAMS;
      let h: unknown = zeros(B), c: unknown = zeros(B);
      const feeds: Record<string, unknown> = {};
      const take = (r: Record<string, OrtTensorLike>) => {
        h = r[io.outputs.h];
        if (lstm) c = r[io.outputs.c!];
        return r[io.outputs.y]!.data as Float32Array;
      };
      const call = (f: Float32Array) => {
        feeds[io.inputs.x] = new Tensor('float32', f, [1, B, I]);
        feeds[io.inputs.h] = h;
        if (lstm) feeds[io.inputs.c!] = c;
        return runFn(feeds);
      };
      const reset = () => { h = zeros(B); c = zeros(B); };
      return async
        ? { async, reset, run: async (f) => take(await call(f)) }
        : { async, reset, run: (f) => take(call(f) as Record<string, OrtTensorLike>) };
    },
    dispose,
  };
}

async function ortWeb(): Promise<PeerSetup> {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.simd = true;
  ort.env.wasm.proxy = false;
  const opts = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' as const };
  return {
    name: 'ort-web', version: ort.env.versions.web ?? '?',
    setup: 'onnxruntime-web, wasm EP, env.wasm.numThreads = 1, simd = true, proxy = false (its ort-wasm-simd-threaded.wasm from node_modules), graphOptimizationLevel all; session.run per call (async API: inputs copied into its heap, outputs copied out as new arrays, states fed back as the previous outputs)',
    async create(m, ir) {
      const bytes = ir ? (await import('./onnx-export.js')).exportOnnx(ir).bytes : m.onnx.bytes;
      const s = await ort.InferenceSession.create(bytes, opts);
      return ortContestant('ort-web', m, ort.Tensor, (f) => s.run(f as never) as never, true, () => void s.release());
    },
  };
}

const ORT_NODE_OPTS = {
  executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1,
  executionMode: 'sequential' as const, graphOptimizationLevel: 'all' as const,
};

async function ortNode(): Promise<PeerSetup> {
  const ort = await import('onnxruntime-node');
  return {
    name: 'ort-node', version: ort.env.versions.node ?? '?',
    setup: 'onnxruntime-node, CPU EP, intraOpNumThreads 1, interOpNumThreads 1, sequential, graphOptimizationLevel all; the public async session.run, which defers the native run to a setImmediate (one event-loop turn per call)',
    async create(m, ir) {
      const bytes = ir ? (await import('./onnx-export.js')).exportOnnx(ir).bytes : m.onnx.bytes;
      const s = await ort.InferenceSession.create(bytes, ORT_NODE_OPTS);
      return ortContestant('ort-node', m, ort.Tensor as never, (f) => s.run(f as never) as never, true, () => void s.release());
    },
  };
}

/**
 * onnxruntime-node's native binding called synchronously (the same session options): what
 * ort-node costs without the event-loop turn of its async API. Internal API (dist/binding.js), so
 * it may break with another ORT version; then it is skipped.
 */
async function ortNodeSync(): Promise<PeerSetup> {
  const ort = await import('onnxruntime-node');
  const { binding, initOrt } = require('onnxruntime-node/dist/binding.js') as {
    binding: { InferenceSession: new () => { loadModel(b: ArrayBufferLike, o: number, n: number, opts: unknown): void; run(f: unknown, fetches: unknown, opts: unknown): Record<string, OrtTensorLike>; dispose(): void } };
    initOrt(): void;
  };
  initOrt();
  return {
    name: 'ort-node-sync', version: ort.env.versions.node ?? '?',
    setup: 'onnxruntime-node\'s native binding (dist/binding.js InferenceSession, internal API) with the same options, run() called synchronously: ort-node minus the setImmediate turn of its public API',
    async create(m, ir) {
      const bytes = ir ? (await import('./onnx-export.js')).exportOnnx(ir).bytes : m.onnx.bytes;
      const s = new binding.InferenceSession();
      s.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, ORT_NODE_OPTS);
      const fetches: Record<string, null> = { [m.onnx.outputs.y]: null, [m.onnx.outputs.h]: null };
      if (m.onnx.outputs.c) fetches[m.onnx.outputs.c] = null;
      return ortContestant('ort-node-sync', m, ort.Tensor as never, (f) => s.run(f, fetches, {}), false, () => s.dispose());
    },
  };
}

// ---------------------------------------------------------------------------------------------
// TF.js, wasm backend

type Tf = typeof import('@tensorflow/tfjs');
type T2 = import('@tensorflow/tfjs').Tensor2D;
type TT = import('@tensorflow/tfjs').Tensor;

let tfReady: Promise<{ tf: Tf; version: string; flags: string }> | undefined;

function initTf(): Promise<{ tf: Tf; version: string; flags: string }> {
  tfReady ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
    wasm.setWasmPaths(dist);
    wasm.setThreadsCount?.(1);
    if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") failed');
    await tf.ready();
    tf.enableProdMode();
    const env = tf.env();
    const flags = `SIMD ${env.getBool('WASM_HAS_SIMD_SUPPORT')}, multithread ${env.getBool('WASM_HAS_MULTITHREAD_SUPPORT')}, threads ${wasm.getThreadsCount?.() ?? '?'}`;
    return { tf, version: tf.version.tfjs, flags };
  })();
  return tfReady;
}

function layersOf(m: BenchModel, ir: ModelIR) {
  const [rec, head] = ir.layers as [RecurrentLayer, DenseLayer];
  return { rec, head, w: rec.weights[0]!, G: m.cell === 'lstm' ? 4 : 3 };
}

/** [rows, cols] row-major -> [cols, rows] (the [out, in] IR orientation to TF.js [in, out]). */
function tr(a: Float32Array, rows: number, cols: number): Float32Array {
  const o = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) o[c * rows + r] = a[r * cols + c]!;
  return o;
}

async function tfjsOps(): Promise<PeerSetup> {
  const { tf, version, flags } = await initTf();
  return {
    name: 'tfjs-wasm', version,
    setup: `TF.js ${version} + @tensorflow/tfjs-backend-wasm (${flags}), tf.enableProdMode(); the cell written with tf ops, the fastest faithful way found ` +
      '(about 2x faster than tf.layers for seq20, see tfjs-layers): the input projection of all rows of the call in one fused matMul+bias (all 20 steps at once for seq20), ' +
      'per step one matMul of h, the gate blocks taken apart with reshape + unstack (split and slice cost more on this backend), sigmoid/tanh/mul/add; ' +
      'inside tf.tidy, states kept as tensors between calls (never read back), input uploaded with tf.tensor2d and the output read with dataSync() per call',
    async create(m, irIn) {
      const ir = irIn ?? m.ir;
      const { rec, head, w, G } = layersOf(m, ir);
      const { H, I, O } = m;
      const vars: TT[] = [];
      const keep = <X extends TT>(t: X) => { vars.push(t); return t; };
      const bsum = Float32Array.from({ length: G * H }, (_, k) => (w.bW?.[k] ?? 0) + (w.bR?.[k] ?? 0));
      const Wd = keep(tf.tensor2d(tr(head.W, O, H), [H, O]));
      const bd = keep(tf.tensor1d(head.b ?? new Float32Array(O)));
      const Wx = keep(tf.tensor2d(tr(w.W, G * H, I), [I, G * H]));
      const resetAfter = m.cell === 'gru' && rec.resetAfter === true;
      // input bias: both biases, except the recurrent n bias of a reset-after GRU (it goes inside r * (.))
      const bx = keep(tf.tensor1d(resetAfter ? (w.bW ?? new Float32Array(G * H)) : bsum));
      /** x rows [B, I] -> [B, G, H], bias included. */
      const project = (x: T2): TT => tf.reshape(tf.fused.matMul({ a: x, b: Wx, bias: bx }), [x.shape[0], G, H]);
      let cell: (xp: TT, h: T2, c: T2) => [T2, T2];
      if (m.cell === 'lstm') {
        const Wh = keep(tf.tensor2d(tr(w.R, G * H, H), [H, G * H]));
        cell = (xp, h, c) => {
          const B = h.shape[0];
          const [i, f, g, o] = tf.unstack(tf.add(xp, tf.reshape(tf.matMul(h, Wh), [B, G, H])), 1);
          const c2 = tf.add(tf.mul(tf.sigmoid(f!), c), tf.mul(tf.sigmoid(i!), tf.tanh(g!))) as T2;
          return [tf.mul(tf.sigmoid(o!), tf.tanh(c2)) as T2, c2];
        };
      } else if (resetAfter) {
        const Wh = keep(tf.tensor2d(tr(w.R, G * H, H), [H, G * H]));
        const bh = keep(tf.tensor1d(w.bR ?? new Float32Array(G * H)));
        cell = (xp, h, c) => {
          const B = h.shape[0];
          const [xz, xr, xn] = tf.unstack(xp, 1);
          const [hz, hr, hn] = tf.unstack(tf.reshape(tf.fused.matMul({ a: h, b: Wh, bias: bh }), [B, G, H]), 1);
          const z = tf.sigmoid(tf.add(xz!, hz!)), r = tf.sigmoid(tf.add(xr!, hr!));
          const n = tf.tanh(tf.add(xn!, tf.mul(r, hn!)));
          return [tf.add(n, tf.mul(z, tf.sub(h, n))) as T2, c];
        };
      } else {
        // reset before: n = tanh(x W_n^T + bW_n + bR_n + (r * h) R_n^T)
        const Rzr = keep(tf.tensor2d(tr(w.R.subarray(0, 2 * H * H), 2 * H, H), [H, 2 * H]));
        const Rn = keep(tf.tensor2d(tr(w.R.subarray(2 * H * H), H, H), [H, H]));
        cell = (xp, h, c) => {
          const B = h.shape[0];
          const [xz, xr, xn] = tf.unstack(xp, 1);
          const [hz, hr] = tf.unstack(tf.reshape(tf.matMul(h, Rzr), [B, 2, H]), 1);
          const z = tf.sigmoid(tf.add(xz!, hz!)), r = tf.sigmoid(tf.add(xr!, hr!));
          const n = tf.tanh(tf.add(xn!, tf.matMul(tf.mul(r, h) as T2, Rn)));
          return [tf.add(n, tf.mul(z, tf.sub(h, n))) as T2, c];
        };
      }
      const headOf = (h: T2) => tf.fused.matMul({ a: h, b: Wd as T2, bias: bd });
      const live: TT[] = [];
      return {
        id: 'tfjs-wasm', runtime: 'tfjs-wasm', precision: 'f32',
        async runner(mode: Mode): Promise<Runner> {
          if (mode === 'seq20') {
            const h0 = keep(tf.zeros([1, H]) as T2), c0 = keep(tf.zeros([1, H]) as T2);
            return {
              async: false, reset: () => {},
              run: (xs) => {
                const y = tf.tidy(() => {
                  // [T, I] -> [T, G, H] -> T x [1, G, H]
                  const steps = tf.unstack(tf.reshape(project(tf.tensor2d(xs, [SEQ, I])), [SEQ, 1, G, H]));
                  let h = h0, c = c0;
                  for (const xp of steps) [h, c] = cell(xp, h, c);
                  return headOf(h);
                });
                const out = y.dataSync() as Float32Array;
                y.dispose();
                return out;
              },
            };
          }
          const B = mode === 'step1' ? 1 : STREAMS;
          let h = tf.zeros([B, H]) as T2, c = tf.zeros([B, H]) as T2;
          const slot = live.length;
          live.push(h, c);
          const reset = () => {
            h.dispose(); if (c !== h) c.dispose();
            h = tf.zeros([B, H]) as T2; c = tf.zeros([B, H]) as T2;
            live[slot] = h; live[slot + 1] = c;
          };
          return {
            async: false, reset,
            run: (f) => {
              const [y, h2, c2] = tf.tidy(() => {
                const [h2, c2] = cell(project(tf.tensor2d(f, [B, I])), h, c);
                return [headOf(h2), h2, c2];
              });
              if (h2 !== h) h.dispose();
              if (c2 !== c) c.dispose();
              h = h2 as T2; c = c2 as T2;
              live[slot] = h; live[slot + 1] = c;
              const out = y!.dataSync() as Float32Array;
              y!.dispose();
              return out;
            },
          };
        },
        dispose() { for (const t of [...vars, ...live]) if (!t.isDisposed) t.dispose(); },
      };
    },
  };
}

/** TF.js's own layers (tf.layers.lstm/gru, stateful for the streaming modes), for comparison. */
async function tfjsLayers(): Promise<PeerSetup> {
  const { tf, version, flags } = await initTf();
  return {
    name: 'tfjs-layers', version,
    setup: `TF.js ${version} Layers API on the wasm backend (${flags}): tf.layers.lstm/gru (recurrentActivation sigmoid, GRU reset before only) + tf.layers.dense; ` +
      'stateful models of batch 1 and 64 for the streaming modes (model.predict per call), a plain model for seq20; output read with dataSync()',
    async create(m, irIn) {
      const ir = irIn ?? m.ir;
      const { rec, head, w, G } = layersOf(m, ir);
      const { H, I, O } = m;
      const unsupported = m.cell === 'gru' && rec.resetAfter ? 'tf.layers.gru has no reset_after=True (resetAfter: only false is supported); run with --gru reset-before' : undefined;
      const models: import('@tensorflow/tfjs').LayersModel[] = [];
      const build = (batch: number | null, T: number, stateful: boolean) => {
        const inp = batch === null ? tf.input({ shape: [T, I] }) : tf.input({ batchShape: [batch, T, I] });
        const common = { units: H, recurrentActivation: 'sigmoid' as const, stateful, kernelInitializer: 'zeros' as const, recurrentInitializer: 'zeros' as const };
        const r = (m.cell === 'lstm' ? tf.layers.lstm(common) : tf.layers.gru(common)).apply(inp) as import('@tensorflow/tfjs').SymbolicTensor;
        const out = tf.layers.dense({ units: O, kernelInitializer: 'zeros' }).apply(r) as import('@tensorflow/tfjs').SymbolicTensor;
        const model = tf.model({ inputs: inp, outputs: out });
        const bias = Float32Array.from({ length: G * H }, (_, k) => (w.bW?.[k] ?? 0) + (w.bR?.[k] ?? 0));
        model.setWeights([
          tf.tensor2d(tr(w.W, G * H, I), [I, G * H]), tf.tensor2d(tr(w.R, G * H, H), [H, G * H]), tf.tensor1d(bias),
          tf.tensor2d(tr(head.W, O, H), [H, O]), tf.tensor1d(head.b ?? new Float32Array(O)),
        ]);
        models.push(model);
        return model;
      };
      return {
        id: 'tfjs-layers', runtime: 'tfjs-layers', precision: 'f32', ...(unsupported ? { unsupported } : {}),
        async runner(mode: Mode): Promise<Runner> {
          if (unsupported) throw new Error(unsupported);
          const B = mode === 'step64' ? STREAMS : 1;
          const T = mode === 'seq20' ? SEQ : 1;
          const model = build(mode === 'seq20' ? null : B, T, mode !== 'seq20');
          return {
            async: false,
            reset: () => { if (mode !== 'seq20') model.resetStates(); },
            run: (x) => {
              const y = tf.tidy(() => model.predict(tf.tensor3d(x, [B, T, I]), { batchSize: B }) as TT);
              const out = y.dataSync() as Float32Array;
              y.dispose();
              return out;
            },
          };
        },
        dispose() { for (const md of models) md.dispose(); },
      };
    },
  };
}

const LOADERS: Record<PeerName, () => Promise<PeerSetup>> = {
  'ort-web': ortWeb, 'ort-node': ortNode, 'ort-node-sync': ortNodeSync, 'tfjs-wasm': tfjsOps, 'tfjs-layers': tfjsLayers,
};

/** Imports the requested peers; one that fails to import is skipped with the reason. */
export async function loadPeers(names: PeerName[]): Promise<{ peers: PeerSetup[]; skipped: { name: PeerName; reason: string }[] }> {
  const peers: PeerSetup[] = [], skipped: { name: PeerName; reason: string }[] = [];
  // EDGERNN_BENCH_HIDE=ort-node,... makes those peers fail to import, as when they are not installed.
  const hidden = new Set((process.env.EDGERNN_BENCH_HIDE ?? '').split(',').filter(Boolean));
  for (const name of names) {
    try {
      if (hidden.has(name)) throw new Error(`Cannot find package (hidden by EDGERNN_BENCH_HIDE)`);
      peers.push(await LOADERS[name]());
    } catch (e) {
      skipped.push({ name, reason: (e as Error).message.split('\n')[0]! });
    }
  }
  return { peers, skipped };
}

export { Runtime };
