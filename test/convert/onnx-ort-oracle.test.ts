// ONNX recurrent ops with random (non-uniform) weights and every attribute the ONNX node tests
// leave out (reverse and bidirectional directions, sequence_lens shorter than the sequence,
// peepholes, clip, input_forget, activation lists with alpha/beta, initial states, Y/Y_h/Y_c),
// checked against ONNX Runtime (onnxruntime-web's CPU kernels) as the oracle.
import { describe, it, expect, beforeAll } from 'vitest';
import * as ort from 'onnxruntime-web';
import { Runtime } from '../../host/runtime/runtime.js';
import { convertModel } from '../../host/convert/convert.js';
import { model, node, attr, valueInfo, tensor } from '../helpers/onnx-builder.js';
import { rng } from '../helpers/models.js';

ort.env.wasm.numThreads = 1;

interface Case {
  op: 'LSTM' | 'GRU' | 'RNN';
  dir: 'forward' | 'reverse' | 'bidirectional';
  H: number; I: number; T: number; B: number;
  lens?: boolean; states?: boolean; peep?: boolean; clip?: number; inputForget?: boolean;
  lbr?: number; acts?: string[]; alphas?: number[]; betas?: number[]; layout?: number;
}

const CASES: Case[] = [
  { op: 'LSTM', dir: 'forward', H: 5, I: 3, T: 6, B: 3, lens: true, states: true, peep: true },
  { op: 'LSTM', dir: 'reverse', H: 4, I: 2, T: 5, B: 2, lens: true, peep: true },
  { op: 'LSTM', dir: 'bidirectional', H: 3, I: 4, T: 6, B: 3, lens: true, states: true, peep: true, clip: 0.7 },
  { op: 'LSTM', dir: 'forward', H: 6, I: 2, T: 4, B: 2, inputForget: true },
  { op: 'LSTM', dir: 'bidirectional', H: 4, I: 3, T: 5, B: 2, acts: ['HardSigmoid', 'LeakyRelu', 'Tanh', 'Sigmoid', 'ScaledTanh', 'Softsign'], alphas: [0.3, 0.05, 0.9], betas: [0.4, 1.3] },
  { op: 'GRU', dir: 'forward', H: 5, I: 3, T: 6, B: 3, lens: true, states: true, lbr: 1 },
  { op: 'GRU', dir: 'reverse', H: 4, I: 2, T: 5, B: 2, lens: true, lbr: 0 },
  { op: 'GRU', dir: 'bidirectional', H: 3, I: 3, T: 6, B: 3, lens: true, states: true, lbr: 1, clip: 1.1 },
  { op: 'GRU', dir: 'bidirectional', H: 4, I: 2, T: 4, B: 2, lbr: 0, acts: ['Sigmoid', 'Relu', 'HardSigmoid', 'Elu'], alphas: [0.25, 0.8], betas: [0.45] },
  { op: 'RNN', dir: 'forward', H: 5, I: 3, T: 6, B: 3, lens: true, states: true },
  { op: 'RNN', dir: 'bidirectional', H: 4, I: 2, T: 5, B: 2, lens: true, acts: ['Relu', 'Softplus'] },
  { op: 'RNN', dir: 'reverse', H: 3, I: 4, T: 5, B: 2, acts: ['Affine'], alphas: [0.7], betas: [0.1] },
];

function build(c: Case, r: () => number) {
  const G = c.op === 'LSTM' ? 4 : c.op === 'GRU' ? 3 : 1;
  const D = c.dir === 'bidirectional' ? 2 : 1;
  const rand = (n: number, s = 0.6) => Array.from({ length: n }, () => (r() * 2 - 1) * s);
  const inits = [
    tensor({ name: 'W', dims: [D, G * c.H, c.I], data: rand(D * G * c.H * c.I) }),
    tensor({ name: 'R', dims: [D, G * c.H, c.H], data: rand(D * G * c.H * c.H) }),
    tensor({ name: 'B', dims: [D, 2 * G * c.H], data: rand(D * 2 * G * c.H, 0.3) }),
  ];
  if (c.peep) inits.push(tensor({ name: 'P', dims: [D, 3 * c.H], data: rand(D * 3 * c.H, 0.5) }));
  const ins = ['X', 'W', 'R', 'B', c.lens ? 'lens' : '', c.states ? 'h0' : '', c.states && c.op === 'LSTM' ? 'c0' : '', c.peep ? 'P' : ''];
  while (ins[ins.length - 1] === '') ins.pop();
  const attrs = [attr('hidden_size', c.H), attr('direction', c.dir)];
  if (c.clip !== undefined) attrs.push(attr('clip', { float: c.clip }));
  if (c.inputForget) attrs.push(attr('input_forget', 1));
  if (c.lbr !== undefined) attrs.push(attr('linear_before_reset', c.lbr));
  if (c.acts) attrs.push(attr('activations', c.acts));
  if (c.alphas) attrs.push({ name: 'activation_alpha', type: 6, floats: c.alphas } as never);
  if (c.betas) attrs.push({ name: 'activation_beta', type: 6, floats: c.betas } as never);
  const outs = c.op === 'LSTM' ? ['Y', 'Y_h', 'Y_c'] : ['Y', 'Y_h'];
  const inputs = [valueInfo('X', [c.T, c.B, c.I])];
  if (c.lens) inputs.push({ name: 'lens', type: { tensorType: { elemType: 6, shape: { dim: [{ dimValue: c.B }] } } } } as never);
  if (c.states) {
    inputs.push(valueInfo('h0', [D, c.B, c.H]));
    if (c.op === 'LSTM') inputs.push(valueInfo('c0', [D, c.B, c.H]));
  }
  const bytes = model({ nodes: [node(c.op, ins, outs, attrs, 'rec')], inputs, outputs: outs.map((o) => valueInfo(o)), inits, opset: 14 });
  const feeds: Record<string, ort.Tensor> = { X: new ort.Tensor('float32', Float32Array.from(rand(c.T * c.B * c.I, 2)), [c.T, c.B, c.I]) };
  if (c.lens) feeds.lens = new ort.Tensor('int32', Int32Array.from({ length: c.B }, (_, b) => (b === 0 ? c.T : 1 + Math.floor(r() * c.T))), [c.B]);
  if (c.states) {
    feeds.h0 = new ort.Tensor('float32', Float32Array.from(rand(D * c.B * c.H, 0.8)), [D, c.B, c.H]);
    if (c.op === 'LSTM') feeds.c0 = new ort.Tensor('float32', Float32Array.from(rand(D * c.B * c.H, 0.8)), [D, c.B, c.H]);
  }
  return { bytes, feeds, outs };
}

let rts: Runtime[];
beforeAll(async () => { rts = [await Runtime.create({ simd: true }), await Runtime.create({ simd: false })]; });

describe('ONNX recurrent ops against ONNX Runtime', () => {
  CASES.forEach((c, k) => {
    it(`${c.op} ${c.dir} H=${c.H}${c.lens ? ' sequence_lens' : ''}${c.states ? ' initial states' : ''}${c.peep ? ' peepholes' : ''}${c.clip ? ' clip' : ''}${c.inputForget ? ' input_forget' : ''}${c.acts ? ` [${c.acts.join(',')}]` : ''}${c.lbr !== undefined ? ` lbr=${c.lbr}` : ''}`, async () => {
      const r = rng(1000 + k);
      const { bytes, feeds, outs } = build(c, r);
      const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
      const want = await session.run(feeds);
      const ernn = convertModel(bytes).bytes;
      const inputs = Object.values(feeds).map((t) => ({ shape: [...t.dims], data: t.data as Float32Array | Int32Array }));
      for (const rt of rts) {
        const got = rt.load(ernn).runGraph(inputs);
        outs.forEach((name, i) => {
          const w = want[name]!;
          expect(got[i]!.shape).toEqual([...w.dims]);
          const wd = w.data as Float32Array;
          for (let j = 0; j < wd.length; j++) expect(Math.abs(got[i]!.data[j]! - wd[j]!)).toBeLessThanOrEqual(2e-6 + 1e-5 * Math.abs(wd[j]!));
        });
      }
    });
  });
});
