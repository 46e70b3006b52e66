// edgernn inspect MODEL [--json] [--backend simd|scalar]

import { parse, backendOption, publicKeyOption } from './args.js';
import { splitSignature, hexOf } from '../format/signature.js';
import { loadModelBytes } from './model-source.js';
import { Runtime } from '../runtime/runtime.js';
import { UsageError } from '../errors.js';

export const inspectUsage = `edgernn inspect MODEL [options]
  Shows an .ernn model (or a source model, converted first): layers, shapes, tensors with
  their bytes, metadata and the memory plan.
  --json               print everything as one JSON object
  --streams N          size the memory plan for N streams (default 1)
  --public-key FILE    check the model's signature with this Ed25519 public key (edgernn sign):
                       prints 'signature: valid', or refuses an unsigned or changed model.
                       Default: the file named by EDGERNN_PUBLIC_KEY, if set
  --backend simd|scalar`;

const fmt = (n: number) => n.toLocaleString('en-US');

export async function inspectCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, {
    json: { type: 'boolean' },
    streams: { type: 'string' },
    backend: { type: 'string' },
    'public-key': { type: 'string' },
  }, 'inspect');
  if (positionals.length !== 1) throw new UsageError(`inspect takes one model\n${inspectUsage}`);
  const path = positionals[0]!;
  const streams = values.streams === undefined ? 1 : Number(values.streams);
  if (!Number.isInteger(streams) || streams < 1) throw new UsageError(`--streams must be a positive integer, got '${values.streams}'`);
  const simd = backendOption(values.backend);
  const rt = await Runtime.create(simd === undefined ? {} : { simd });
  const bytes = await loadModelBytes(path);
  const keyOption = publicKeyOption(values['public-key']);
  const model = rt.load(bytes, keyOption); // with a key: a SignatureError unless it holds
  const info = model.info;
  const block = splitSignature(bytes).block;
  const signature = block ? { algorithm: 'Ed25519', keyId: hexOf(block.keyId), verified: keyOption.publicKey !== undefined } : null;
  const plan = {
    modelBytes: info.memory.modelBytes,
    weightBytes: info.memory.weightBytes,
    stateBytesPerStream: info.memory.stateBytesPerStream,
    streams,
    streamSetBytes: info.streamable ? info.memory.streamSetBytes(streams) : null,
    runBytes_1x20: info.memory.runBytes(1, 20),
    heapBytes: info.memory.heapBytes,
    memoryBytes: info.memory.memoryBytes,
  };
  if (values.json) {
    out(JSON.stringify({
      file: path, format: info.format, fileBytes: info.fileBytes, crc32: info.crc32,
      inputSize: info.inputSize, outputSize: info.outputSize, outputShape: info.outputShape,
      streamable: info.streamable, sequenceToVector: info.sequenceToVector,
      layers: info.layers, tensors: info.tensors, totalTensorBytes: info.tensors.reduce((a, t) => a + t.bytes, 0),
      metadata: info.metadata, memory: plan, backend: info.backend, signature,
    }));
    return 0;
  }
  const md = info.metadata;
  out(`${path}: .ernn ${info.format}, ${fmt(info.fileBytes)} bytes, crc32 0x${info.crc32.toString(16).padStart(8, '0')}`);
  if (signature?.verified) out(`signature: valid (Ed25519, key ${signature.keyId})`);
  else if (signature) out(`signature: present (Ed25519, key ${signature.keyId}), not checked: pass --public-key FILE to check it`);
  else out('signature: none');
  if (md.name) out(`name:   ${md.name}`);
  const src = md.source;
  if (src) out(`source: ${[src.framework && `${src.framework} ${src.frameworkVersion ?? ''}`.trim(), src.format && `${src.format}${src.opset ? ` opset ${src.opset}` : ''}`].filter(Boolean).join(', ')}`);
  const feats = md.features?.map((f) => (f.unit ? `${f.name} [${f.unit}]` : f.name)).join(', ');
  out(`input:  ${info.inputSize} features per step${feats ? ` (${feats})` : ''}${md.samplePeriod ? `, one step every ${md.samplePeriod} s` : ''}`);
  out(`output: [${info.outputShape.join(', ')}]${md.output?.unit ? ` ${md.output.unit}` : ''} per ${info.sequenceToVector ? 'sequence' : 'step'}`);
  out(`streamable: ${info.streamable ? 'yes' : 'no (reverse or bidirectional layers: whole sequences only)'}`);
  out('');
  out('layers:');
  out('   #  type        mode          dirs  output             in ->   out     params       bytes');
  for (const L of info.layers) {
    const act = L.activations[0]!.map((a) => a.name).slice(0, L.type === 'LSTM' ? 3 : L.type === 'GRU' ? 2 : 1).join('/');
    out(`  ${String(L.index).padStart(2)}  ${L.type.padEnd(10)}  ${L.mode.padEnd(12)}  ${String(L.directions).padStart(4)}  ${L.output.padEnd(17)}  ${String(L.inputSize).padStart(5)} -> ${String(L.outputSize).padEnd(5)} ${fmt(L.parameters).padStart(9)}  ${fmt(L.bytes).padStart(10)}  ${act}`);
  }
  out('');
  out('tensors:');
  for (const t of info.tensors) {
    out(`  ${t.name.padEnd(32)} ${t.dtype.padEnd(4)} [${t.shape.join(', ')}]`.padEnd(60) + `${fmt(t.bytes).padStart(10)} B  @${t.offset}`);
  }
  out(`  total ${fmt(info.tensors.reduce((a, t) => a + t.bytes, 0))} bytes in ${info.tensors.length} tensors`);
  out('');
  out(`memory plan (${info.backend} build):`);
  out(`  model file       ${fmt(plan.modelBytes)} B (weights used in place: ${fmt(plan.weightBytes)} B)`);
  out(`  state per stream ${fmt(plan.stateBytesPerStream)} B`);
  if (plan.streamSetBytes !== null) out(`  ${streams} stream${streams > 1 ? 's' : ''}        ${fmt(plan.streamSetBytes)} B (state, I/O rows, scratch)`);
  out(`  run [1 x 20]     ${fmt(plan.runBytes_1x20)} B`);
  out(`  arena now        ${fmt(plan.heapBytes)} B, linear memory ${fmt(plan.memoryBytes)} B`);
  const extra = Object.fromEntries(Object.entries(md).filter(([k]) => !['graph', 'name', 'source'].includes(k)));
  if (Object.keys(extra).length) {
    out('');
    out(`metadata: ${JSON.stringify(extra)}`);
  }
  return 0;
}
