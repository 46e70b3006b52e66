// What the ONNX importer cannot lower is refused with the op, the node name and the reason;
// malformed protobufs are ModelFormatErrors. No silent guesses.
import { describe, it, expect } from 'vitest';
import { convertModel } from '../../host/convert/convert.js';
import { ModelFormatError, UnsupportedModelError } from '../../host/errors.js';
import { model, node, attr, valueInfo, tensor, lstmGraph } from '../helpers/onnx-builder.js';

function refusal(bytes: Uint8Array): Error {
  try {
    convertModel(bytes);
  } catch (e) {
    return e as Error;
  }
  throw new Error('converted');
}

describe('ONNX importer refusals', () => {
  it('an unsupported op names the op and the node', () => {
    const g = lstmGraph(3, 4, [], [node('Conv', ['Y', 'W'], ['z'], [], 'my_conv')]);
    const e = refusal(model({ ...g, inputs: [valueInfo('x', ['t', 'b', 3])], outputs: [valueInfo('z', [])] }));
    expect(e).toBeInstanceOf(UnsupportedModelError);
    expect(e.message).toBe("Conv node 'my_conv': operator Conv is not supported (edgernn imports recurrent layers, dense heads, activations and shape arithmetic)");
  });

  it('an unknown attribute of a recurrent op', () => {
    const g = lstmGraph(3, 4, [attr('fancy', 1)]);
    const e = refusal(model({ ...g, inputs: [valueInfo('x', ['t', 'b', 3])], outputs: [valueInfo('Y_h', [])] }));
    expect(e.message).toMatch(/LSTM node 'lstm': attribute 'fancy' is not supported/);
  });

  it('an unsupported recurrent activation', () => {
    const g = lstmGraph(3, 4, [attr('activations', ['Sigmoid', 'Gelu', 'Tanh'])]);
    const e = refusal(model({ ...g, inputs: [valueInfo('x', ['t', 'b', 3])], outputs: [valueInfo('Y_h', [])] }));
    expect(e.message).toMatch(/activation 'Gelu' is not supported/);
  });

  it('weights given as graph inputs without values', () => {
    const e = refusal(model({
      nodes: [node('GRU', ['x', 'W', 'R'], ['', 'Y_h'], [attr('hidden_size', 2)], 'gru')],
      inputs: [valueInfo('x', [1, 1, 2]), valueInfo('W', [1, 6, 2]), valueInfo('R', [1, 6, 2])],
      outputs: [valueInfo('Y_h', [1, 1, 2])],
    }));
    expect(e.message).toMatch(/GRU node 'gru': W comes from graph input 'W', but weights must be constants/);
  });

  it('arithmetic between two runtime tensors (a branch)', () => {
    const g = lstmGraph(3, 4, [], [node('Add', ['Y', 'Y'], ['z'], [], 'residual')]);
    const e = refusal(model({ ...g, inputs: [valueInfo('x', ['t', 'b', 3])], outputs: [valueInfo('z', [])] }));
    expect(e.message).toMatch(/Add node 'residual': add of two runtime tensors is not supported/);
  });

  it('selecting a time step other than the last', () => {
    const g = lstmGraph(3, 4, [], [
      node('Squeeze', ['Y', 'one'], ['ys'], [], 'sq'),
      node('Gather', ['ys', 'zero'], ['first'], [attr('axis', 0)], 'first_step'),
    ]);
    g.inits.push(tensor({ name: 'one', dims: [1], data: [1], int64: true }), tensor({ name: 'zero', dims: [], data: [0], int64: true }));
    const e = refusal(model({ ...g, inputs: [valueInfo('x', ['t', 'b', 3])], outputs: [valueInfo('first', [])] }));
    expect(e.message).toMatch(/Gather node 'first_step': only the last time step can be selected \(index -1\), not index 0/);
  });

  it('Softmax over a non-feature axis', () => {
    const g = lstmGraph(3, 4, [], [node('Softmax', ['Y'], ['z'], [attr('axis', 0)], 'sm')]);
    const e = refusal(model({ ...g, inputs: [valueInfo('x', ['t', 'b', 3])], outputs: [valueInfo('z', [])] }));
    expect(e.message).toMatch(/Softmax node 'sm': Softmax over axis 0 is not supported/);
  });

  it('external tensor data', () => {
    const g = lstmGraph(3, 4);
    (g.inits[0] as Record<string, unknown>).dataLocation = 1;
    (g.inits[0] as Record<string, unknown>).floatData = [];
    const e = refusal(model({ ...g, inputs: [valueInfo('x', ['t', 'b', 3])], outputs: [valueInfo('Y_h', [])] }));
    expect(e.message).toMatch(/stored in an external file/);
  });

  it('a tensor whose data does not match its dims', () => {
    const g = lstmGraph(3, 4);
    (g.inits[1] as { floatData: number[] }).floatData = [1, 2, 3];
    const e = refusal(model({ ...g, inputs: [valueInfo('x', ['t', 'b', 3])], outputs: [valueInfo('Y_h', [])] }));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/initializer 'R': holds 3 values, shape \[1, 16, 4\] needs 64/);
  });

  it('W with the wrong number of gate rows', () => {
    const g = lstmGraph(3, 4);
    g.nodes[0] = node('LSTM', ['x', 'W', 'R', 'B'], ['Y', 'Y_h'], [attr('hidden_size', 5)], 'lstm');
    const e = refusal(model({ ...g, inputs: [valueInfo('x', ['t', 'b', 3])], outputs: [valueInfo('Y_h', [])] }));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/LSTM node 'lstm': W has shape \[1, 16, 3\], expected \[1, 20, I\]/);
  });

  it('garbage bytes', () => {
    const e = refusal(new Uint8Array([0x08, 0x07, 0x3a, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/not a valid ONNX model/);
    expect(refusal(new TextEncoder().encode('hello world'))).toBeInstanceOf(UnsupportedModelError);
  });

  it('a graph without any layer', () => {
    const e = refusal(model({ nodes: [node('Identity', ['x'], ['y'])], inputs: [valueInfo('x', [1, 2, 3])], outputs: [valueInfo('y', [1, 2, 3])] }));
    expect(e.message).toMatch(/no layers edgernn can run/);
  });
});

describe('ONNX importer accepts', () => {
  it('layout=1 and reverse direction with Y and Y_h outputs', () => {
    const g = lstmGraph(3, 4, [attr('layout', 1), attr('direction', 'reverse')]);
    const r = convertModel(model({ ...g, inputs: [valueInfo('x', ['b', 't', 3])], outputs: [valueInfo('Y', []), valueInfo('Y_h', [])] }));
    const L = r.ir.layers[0]!;
    expect(L.kind).toBe('lstm');
    expect((L as { direction: string }).direction).toBe('reverse');
    expect(r.ir.metadata.graph?.inputs[0]).toEqual({ name: 'x', role: 'sequence', axes: ['batch', 'time', 'feature'] });
  });
});
