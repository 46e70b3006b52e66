// edgernn convert IN -o OUT.ernn [--name NAME] [--metadata META.json] [--json]

import { writeFileSync } from 'node:fs';
import { parse } from './args.js';
import { readBytes, readTensor } from './files.js';
import { convertSource, calibrationInputs, type ConvertOptions } from '../convert/convert.js';
import { readModelSource } from './model-source.js';
import { accuracyReport } from '../convert/quantize/report.js';
import type { QuantMode } from '../convert/lower.js';
import { isRecurrent, outputSizeOf } from '../convert/ir.js';
import { UsageError, DataError } from '../errors.js';

export const convertUsage = `edgernn convert IN -o OUT.ernn [options]
  Converts a trained model to an .ernn file.
  IN                  ONNX (.onnx), Keras 3 (.keras), legacy Keras (.h5: full model, or
                      weights with the architecture JSON beside it), a Keras architecture
                      JSON with its weights beside it, TF.js Layers (model.json with its
                      shards beside it), PyTorch safetensors (.safetensors with config.json,
                      docs/SAFETENSORS.md), or a folder holding model.<ext>. The format is
                      read from the file's bytes, not its name
  --weights FILE      weights of a Keras architecture JSON (default: the .h5 beside it)
  --config FILE       config of a safetensors file, or architecture of a weights-only .h5
  -o, --output FILE   where to write the .ernn file
  --name NAME         model name stored in the file
  --metadata FILE     JSON merged into the file's metadata (features, samplePeriod,
                      normalization, output...)
  --quant MODE        f32 (default), int8-dynamic or int8 (docs/QUANTIZATION.md)
  --calibration X.npy representative inputs [batch, time, features] (float32): int8 sets its
                      activation ranges from them; both modes report their error on them
  --output-bits 8|16  int8: bits of a final Dense layer's output (default 16)
  --json              print the report as one JSON object`;

export async function convertCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, {
    output: { type: 'string', short: 'o' },
    name: { type: 'string' },
    metadata: { type: 'string' },
    quant: { type: 'string' },
    calibration: { type: 'string' },
    'output-bits': { type: 'string' },
    json: { type: 'boolean' },
    weights: { type: 'string' },
    config: { type: 'string' },
  }, 'convert');
  if (positionals.length !== 1) throw new UsageError(`convert takes one input model, got ${positionals.length}\n${convertUsage}`);
  if (!values.output) throw new UsageError(`convert needs -o OUT.ernn\n${convertUsage}`);
  const input = positionals[0]!;
  const options: ConvertOptions = {};
  if (values.name) options.name = values.name;
  if (values.metadata) {
    try {
      options.metadata = JSON.parse(new TextDecoder().decode(readBytes(values.metadata, 'metadata file')));
    } catch (e) {
      if (e instanceof SyntaxError) throw new DataError(`--metadata ${values.metadata} is not valid JSON: ${e.message}`, { where: values.metadata });
      throw e;
    }
  }
  if (values.quant) options.quant = values.quant as QuantMode;
  if (values['output-bits']) {
    if (values['output-bits'] !== '8' && values['output-bits'] !== '16') throw new UsageError(`--output-bits must be 8 or 16, got '${values['output-bits']}'`);
    options.outputBits = Number(values['output-bits']) as 8 | 16;
  }
  if (values.calibration) options.calibration = readTensor(values.calibration);
  const { source, file } = readModelSource(input, { ...(values.weights ? { weights: values.weights } : {}), ...(values.config ? { config: values.config } : {}) });
  const result = await convertSource(source, options);
  writeFileSync(values.output, result.bytes);
  const quant = result.plan.mode === 'f32' ? undefined
    : await accuracyReport(result.ir, result.plan, calibrationInputs(options.calibration, result.ir.inputSize));
  const src = result.ir.metadata.source ?? {};
  const layers = result.ir.layers.map((l) => ({
    name: l.name,
    kind: l.kind,
    ...(isRecurrent(l) ? { direction: l.direction, output: l.output, hidden: l.hiddenSize } : {}),
    inputs: l.kind === 'activation' ? l.size : l.inputSize,
    outputs: outputSizeOf(l),
  }));
  const report = {
    input: file, output: values.output, format: result.format,
    framework: src.framework ?? null, frameworkVersion: src.frameworkVersion ?? null,
    producer: src.producer ?? null, opset: src.opset ?? null,
    layers, parameters: result.parameters, bytes: result.bytes.length,
    ...(quant ? { quantization: quant } : {}),
  };
  if (values.json) {
    out(JSON.stringify(report));
  } else {
    const fw = src.producer ? `, exported by ${src.producer} ${src.producerVersion ?? ''}`.trimEnd()
      : src.framework ? `, ${src.framework}${src.frameworkVersion ? ` ${src.frameworkVersion}` : ''}` : '';
    out(`read ${file}: ${result.format}${fw}${src.opset ? `, opset ${src.opset}` : ''}`);
    for (const l of layers) {
      const detail = 'direction' in l ? ` ${l.direction}, ${l.output} output` : '';
      out(`  ${l.kind.padEnd(10)} ${String(l.inputs).padStart(5)} -> ${String(l.outputs).padEnd(5)} ${l.name}${detail}`);
    }
    out(`${result.parameters} parameters`);
    if (quant) {
      out(`quantization ${quant.mode}: error against the float model on ${quant.data === 'calibration' ? `the calibration data (${quant.batches} sequences)` : `${quant.batches} random standard-normal sequences (no calibration data given)`}`);
      out('  layer                                max|err|    mean|err|   relative');
      for (const l of quant.layers) {
        out(`  ${String(l.layer).padStart(2)} ${(`${l.kind} '${l.name}'`).slice(0, 32).padEnd(32)} ${l.maxAbs.toExponential(3).padStart(10)}  ${l.meanAbs.toExponential(3).padStart(10)}  ${l.relative.toFixed(4).padStart(9)}`);
      }
      out(`  output${' '.repeat(30)} ${quant.output.maxAbs.toExponential(3).padStart(10)}  ${quant.output.meanAbs.toExponential(3).padStart(10)}  ${quant.output.relative.toFixed(4).padStart(9)}`);
    }
    out(`wrote ${values.output}: ${result.bytes.length} bytes`);
  }
  return 0;
}
