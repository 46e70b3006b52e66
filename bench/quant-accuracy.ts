// Measures the accuracy of both quantized modes on every conformance case against the frameworks'
// reference outputs, and the file sizes, as a markdown table (docs/QUANTIZATION.md).
// Run: npx tsx bench/quant-accuracy.ts
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, basename } from 'node:path';
import { Runtime } from '../host/runtime/runtime.js';
import { convertModel } from '../host/convert/convert.js';
import { bindGraphInputs } from '../host/format/graph.js';
import { readTensor } from '../host/cli/files.js';
import { QUANT_TOLERANCE } from '../host/cli/verify-cmd.js';

const roots = ['../shared/conformance/onnx-node', '../shared/conformance/pytorch-onnx', 'test/fixtures/pytorch-onnx', 'test/fixtures/rtneural-onnx'];
const rt = await Runtime.create();
const rows: string[] = [];
const worst: Record<string, number> = { 'int8-dynamic': 0, int8: 0 };
for (const root of roots) {
  for (const c of readdirSync(root).sort()) {
    const dir = join(root, c);
    if (!statSync(dir).isDirectory()) continue;
    const set = join(dir, 'test_data_set_0');
    const num = (f: string) => Number(/\d+/.exec(f)![0]);
    const inputs = readdirSync(set).filter((f) => f.startsWith('input')).sort((a, b) => num(a) - num(b)).map((f) => readTensor(join(set, f)));
    const outputs = readdirSync(set).filter((f) => f.startsWith('output')).sort((a, b) => num(a) - num(b)).map((f) => readTensor(join(set, f)));
    const onnx = readFileSync(join(dir, 'model.onnx'));
    const f32 = convertModel(onnx, { weightInputs: inputs });
    const cells: string[] = [];
    for (const quant of ['int8-dynamic', 'int8'] as const) {
      const r = convertModel(onnx, { weightInputs: inputs, quant, ...(quant === 'int8' ? { calibration: bindGraphInputs(f32.ir.metadata.graph!, inputs) } : {}) });
      const got = rt.load(r.bytes).runGraph(inputs);
      let rel = 0, ratio = 0;
      outputs.forEach((e, k) => {
        let m = 0;
        for (const v of e.data) m = Math.max(m, Math.abs(Number(v)));
        const tol = QUANT_TOLERANCE[quant]!;
        for (let i = 0; i < e.data.length; i++) {
          const err = Math.abs(got[k]!.data[i]! - Number(e.data[i]));
          rel = Math.max(rel, err / (m || 1));
          ratio = Math.max(ratio, err / (tol.ofMax * m + tol.atol));
        }
      });
      worst[quant] = Math.max(worst[quant]!, ratio);
      cells.push(rel.toFixed(4), ratio.toFixed(2), (r.bytes.length / f32.bytes.length).toFixed(2));
    }
    rows.push(`| ${basename(dir)} | ${f32.bytes.length} | ${cells.join(' | ')} |`);
  }
}
console.log('| case | f32 bytes | int8-dynamic max err / max\\|ref\\| | of tolerance | size | int8 max err / max\\|ref\\| | of tolerance | size |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(r);
console.log(`\nworst fraction of the tolerance: int8-dynamic ${worst['int8-dynamic']!.toFixed(2)}, int8 ${worst.int8!.toFixed(2)}`);
