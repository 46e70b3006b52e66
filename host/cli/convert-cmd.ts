// edgernn convert IN -o OUT.ernn [--name NAME] [--metadata META.json] [--json]

import { writeFileSync } from 'node:fs';
import { parse } from './args.js';
import { readBytes } from './files.js';
import { convertModel, type ConvertOptions } from '../convert/convert.js';
import { isRecurrent, outputSizeOf } from '../convert/ir.js';
import { UsageError, DataError } from '../errors.js';

export const convertUsage = `edgernn convert IN -o OUT.ernn [options]
  Converts a trained model to an .ernn file.
  IN                  an ONNX model (.onnx)
  -o, --output FILE   where to write the .ernn file
  --name NAME         model name stored in the file
  --metadata FILE     JSON merged into the file's metadata (features, samplePeriod,
                      normalization, output...)
  --json              print the report as one JSON object`;

export function convertCommand(argv: string[], out: (s: string) => void): number {
  const { values, positionals } = parse(argv, {
    output: { type: 'string', short: 'o' },
    name: { type: 'string' },
    metadata: { type: 'string' },
    json: { type: 'boolean' },
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
  const result = convertModel(readBytes(input, 'model'), options);
  writeFileSync(values.output, result.bytes);
  const src = result.ir.metadata.source ?? {};
  const layers = result.ir.layers.map((l) => ({
    name: l.name,
    kind: l.kind,
    ...(isRecurrent(l) ? { direction: l.direction, output: l.output, hidden: l.hiddenSize } : {}),
    inputs: l.kind === 'activation' ? l.size : l.inputSize,
    outputs: outputSizeOf(l),
  }));
  const report = {
    input, output: values.output, format: result.format,
    framework: src.framework ?? null, frameworkVersion: src.frameworkVersion ?? null,
    producer: src.producer ?? null, opset: src.opset ?? null,
    layers, parameters: result.parameters, bytes: result.bytes.length,
  };
  if (values.json) {
    out(JSON.stringify(report));
  } else {
    out(`read ${input}: ${result.format}${src.producer ? `, exported by ${src.producer} ${src.producerVersion ?? ''}`.trimEnd() : ''}${src.opset ? `, opset ${src.opset}` : ''}`);
    for (const l of layers) {
      const detail = 'direction' in l ? ` ${l.direction}, ${l.output} output` : '';
      out(`  ${l.kind.padEnd(10)} ${String(l.inputs).padStart(5)} -> ${String(l.outputs).padEnd(5)} ${l.name}${detail}`);
    }
    out(`${result.parameters} parameters`);
    out(`wrote ${values.output}: ${result.bytes.length} bytes`);
  }
  return 0;
}
