// Builds small ONNX models in tests (encoded with the importer's own schema) to check how the
// importer refuses what it cannot lower.
import protobuf from 'protobufjs/light.js';
import { ONNX_SCHEMA } from '../../host/convert/onnx/schema.js';

const root = protobuf.Root.fromJSON(ONNX_SCHEMA as unknown as protobuf.INamespace);
const ModelProto = root.lookupType('onnx.ModelProto');

export interface T { name?: string; dims: number[]; data: number[]; int64?: boolean }

export function tensor(t: T) {
  return t.int64
    ? { name: t.name, dims: t.dims, dataType: 7, int64Data: t.data }
    : { name: t.name, dims: t.dims, dataType: 1, floatData: t.data };
}

export function attr(name: string, v: number | number[] | string | string[] | { float: number }) {
  if (typeof v === 'string') return { name, type: 3, s: new TextEncoder().encode(v) };
  if (Array.isArray(v) && typeof v[0] === 'string') return { name, type: 8, strings: (v as string[]).map((x) => new TextEncoder().encode(x)) };
  if (Array.isArray(v)) return { name, type: 7, ints: v };
  if (typeof v === 'object') return { name, type: 1, f: v.float };
  return { name, type: 2, i: v };
}

export function node(op: string, inputs: string[], outputs: string[], attrs: ReturnType<typeof attr>[] = [], name = op.toLowerCase()) {
  return { opType: op, input: inputs, output: outputs, attribute: attrs, name };
}

/** A graph input or output; without dims the shape is left unspecified. */
export function valueInfo(name: string, dims?: (number | string)[]) {
  if (!dims) return { name, type: { tensorType: { elemType: 1 } } };
  return { name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}

export function model(opts: { nodes: unknown[]; inputs: unknown[]; outputs: unknown[]; inits?: unknown[]; opset?: number }): Uint8Array {
  const m = ModelProto.fromObject({
    irVersion: 8,
    producerName: 'edgernn-test',
    opsetImport: [{ domain: '', version: opts.opset ?? 14 }],
    graph: { name: 'g', node: opts.nodes, input: opts.inputs, output: opts.outputs, initializer: opts.inits ?? [] },
  });
  return ModelProto.encode(m).finish();
}

/** An LSTM node on x [T, B, I] with random-ish initializers W, R, B. */
export function lstmGraph(I: number, H: number, extraAttrs: ReturnType<typeof attr>[] = [], after: unknown[] = [], yName = 'Y') {
  const w = (n: number, s: number) => Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + s) * 0.4);
  return {
    inits: [
      tensor({ name: 'W', dims: [1, 4 * H, I], data: w(4 * H * I, 1) }),
      tensor({ name: 'R', dims: [1, 4 * H, H], data: w(4 * H * H, 2) }),
      tensor({ name: 'B', dims: [1, 8 * H], data: w(8 * H, 3) }),
    ],
    nodes: [node('LSTM', ['x', 'W', 'R', 'B'], [yName, 'Y_h'], [attr('hidden_size', H), ...extraAttrs], 'lstm'), ...after],
  };
}
