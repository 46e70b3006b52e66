// The benchmark's ONNX model for the peers (onnxruntime-web, onnxruntime-node), written from the
// same model description (ModelIR) edgernn is lowered from, so every runtime holds the same weights.
//
// Graph (opset 14), one recurrent layer + a Dense head, states as graph inputs and outputs so that
// a streaming step is one session.run with the previous step's states fed back:
//
//   x [T, B, I] --LSTM/GRU(initial_h [1, B, H], initial_c [1, B, H])--> Y_h [1, B, H] (, Y_c)
//   Y_h --Squeeze(axis 0)--> [B, H] --Gemm(W [O, H], transB=1, b [O])--> y [B, O]
//   outputs: y, h_out (= Y_h), c_out (= Y_c, LSTM only)
//
// The recurrent layer's full output Y is not requested (the models are sequence-to-vector: the head
// sees the last step). Gate order: IR LSTM i,f,g,o -> ONNX i,o,f,c; GRU z,r,n is the same in both;
// a reset-after GRU is linear_before_reset=1.
import protobuf from 'protobufjs/light.js';
import { ONNX_SCHEMA } from '../host/convert/onnx/schema.js';
import { reorderGates, isRecurrent, type ModelIR, type RecurrentLayer, type DenseLayer } from '../host/convert/ir.js';

const root = protobuf.Root.fromJSON(ONNX_SCHEMA as unknown as protobuf.INamespace);
const ModelProto = root.lookupType('onnx.ModelProto');

/** ONNX block j = IR block ONNX_FROM_IR_LSTM[j] (the inverse of the importer's [0, 2, 3, 1]). */
const ONNX_FROM_IR_LSTM = [0, 3, 1, 2];

function f32Tensor(name: string, dims: number[], data: Float32Array) {
  const bytes = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  return { name, dims, dataType: 1, rawData: bytes };
}
function i64Tensor(name: string, dims: number[], data: number[]) {
  return { name, dims, dataType: 7, int64Data: data };
}
function vi(name: string, dims: (number | string)[]) {
  return { name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}
const attrI = (name: string, i: number) => ({ name, type: 2, i });
const attrS = (name: string, s: string) => ({ name, type: 3, s: new TextEncoder().encode(s) });

export interface OnnxExport {
  bytes: Uint8Array;
  inputs: { x: string; h: string; c?: string };
  outputs: { y: string; h: string; c?: string };
  hidden: number;
  outputSize: number;
}

/** Only what the benchmark models use: one forward LSTM/GRU (output 'last'), then one linear Dense. */
export function exportOnnx(ir: ModelIR): OnnxExport {
  const [rec, head] = ir.layers as [RecurrentLayer, DenseLayer];
  if (ir.layers.length !== 2 || !isRecurrent(rec) || rec.kind === 'rnn' || rec.direction !== 'forward' || head.kind !== 'dense' || head.activation.name !== 'linear') {
    throw new Error('exportOnnx: expects a forward LSTM/GRU followed by one linear Dense layer');
  }
  if (rec.clip !== undefined || rec.inputForget || rec.weights[0]!.peephole || rec.weights[0]!.h0 || rec.weights[0]!.c0) {
    throw new Error('exportOnnx: clip, input_forget, peepholes and learned initial states are not exported');
  }
  const acts = rec.activations[0]!.map((a) => a.name);
  const dflt = rec.kind === 'lstm' ? ['sigmoid', 'tanh', 'tanh'] : ['sigmoid', 'tanh'];
  if (acts.join() !== dflt.join()) throw new Error(`exportOnnx: only the default activations (${dflt.join(', ')})`);
  const H = rec.hiddenSize, I = rec.inputSize, G = rec.kind === 'lstm' ? 4 : 3;
  const w = rec.weights[0]!;
  const order = rec.kind === 'lstm' ? ONNX_FROM_IR_LSTM : [0, 1, 2];
  const bias = new Float32Array(2 * G * H);
  bias.set(reorderGates(w.bW ?? new Float32Array(G * H), G, order), 0);
  bias.set(reorderGates(w.bR ?? new Float32Array(G * H), G, order), G * H);
  const lstm = rec.kind === 'lstm';
  const op = lstm ? 'LSTM' : 'GRU';
  const attrs = [attrI('hidden_size', H), attrS('direction', 'forward')];
  if (!lstm) attrs.push(attrI('linear_before_reset', rec.resetAfter ? 1 : 0));
  const recIn = ['x', 'W', 'R', 'B', '', 'initial_h', ...(lstm ? ['initial_c'] : [])];
  const recOut = ['', 'h_out', ...(lstm ? ['c_out'] : [])];
  const O = head.units;
  const nodes = [
    { opType: op, input: recIn, output: recOut, attribute: attrs, name: 'rec' },
    { opType: 'Squeeze', input: ['h_out', 'axes0'], output: ['h_last'], attribute: [], name: 'squeeze' },
    { opType: 'Gemm', input: ['h_last', 'Wd', 'bd'], output: ['y'], attribute: [attrI('transB', 1)], name: 'head' },
  ];
  const inits = [
    f32Tensor('W', [1, G * H, I], reorderGates(w.W, G, order)),
    f32Tensor('R', [1, G * H, H], reorderGates(w.R, G, order)),
    f32Tensor('B', [1, 2 * G * H], bias),
    i64Tensor('axes0', [1], [0]),
    f32Tensor('Wd', [O, H], head.W),
    f32Tensor('bd', [O], head.b ?? new Float32Array(O)),
  ];
  const inputs = [vi('x', ['T', 'B', I]), vi('initial_h', [1, 'B', H]), ...(lstm ? [vi('initial_c', [1, 'B', H])] : [])];
  const outputs = [vi('y', ['B', O]), vi('h_out', [1, 'B', H]), ...(lstm ? [vi('c_out', [1, 'B', H])] : [])];
  const m = ModelProto.fromObject({
    irVersion: 8,
    producerName: 'edgernn-bench',
    opsetImport: [{ domain: '', version: 14 }],
    graph: { name: ir.name, node: nodes, input: inputs, output: outputs, initializer: inits },
  });
  return {
    bytes: ModelProto.encode(m).finish(),
    inputs: { x: 'x', h: 'initial_h', ...(lstm ? { c: 'initial_c' } : {}) },
    outputs: { y: 'y', h: 'h_out', ...(lstm ? { c: 'c_out' } : {}) },
    hidden: H,
    outputSize: O,
  };
}
