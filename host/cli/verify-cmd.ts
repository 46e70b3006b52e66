// edgernn verify CASE_DIR... : converts each case's source model, runs every data set through
// the WebAssembly runtime and compares with the reference outputs.
//
// A case folder holds a source model (model.onnx, model.keras, model.h5, model.json for TF.js or a
// Keras architecture with its weights, model.safetensors with config.json) and test_data_set_*/
// folders with input_N and output_N files (ONNX TensorProto .pb or NumPy .npy), bound to the
// model's N-th input and output.

import { readdirSync, existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse, numberOption, backendOption } from './args.js';
import { readTensor } from './files.js';
import { readModelSource, MODEL_FILES } from './model-source.js';
import { Runtime } from '../runtime/runtime.js';
import { convertSource } from '../convert/convert.js';
import { isEdgeRnnError, UsageError } from '../errors.js';
import type { Tensor } from '../io/tensor.js';
import { bindGraphInputs } from '../format/graph.js';

export const verifyUsage = `edgernn verify CASE_DIR... [options]
  Converts each case's model, runs its test_data_set_* through the runtime and compares with
  the expected outputs: PASS name max_abs_err=... or FAIL name: reason.
  --backend simd|scalar   build to run (default: SIMD where supported)
  --atol A --rtol R       tolerance |error| <= A + R * |expected| (default 1e-4, 1e-3)
  --quant MODE            convert with int8-dynamic or int8 (the int8 mode calibrates on each
                          data set's own inputs) and judge with the mode's tolerance:
                          |error| <= 0.02 * max|expected| + 1e-3 (int8-dynamic),
                          |error| <= 0.05 * max|expected| + 1e-3 (int8)`;

/** Per-mode tolerances, relative to the largest expected magnitude (docs/QUANTIZATION.md). */
export const QUANT_TOLERANCE: Record<string, { ofMax: number; atol: number }> = {
  'int8-dynamic': { ofMax: 0.02, atol: 1e-3 },
  int8: { ofMax: 0.05, atol: 1e-3 },
};

export interface VerifyOptions {
  atol: number;
  rtol: number;
  /** Quantized conversion; its tolerance replaces atol/rtol. */
  quant?: 'int8-dynamic' | 'int8';
}

export interface CaseResult {
  name: string;
  ok: boolean;
  maxAbsErr: number;
  dataSets: number;
  reason?: string;
}

const SOURCE_FILES = MODEL_FILES.filter((f) => f !== 'model.ernn');

function numbered(dir: string, prefix: string): string[] {
  return readdirSync(dir)
    .map((f) => ({ f, m: new RegExp(`^${prefix}_(\\d+)\\.(pb|npy)$`).exec(f) }))
    .filter((x) => x.m)
    .sort((a, b) => Number(a.m![1]) - Number(b.m![1]))
    .map((x) => join(dir, x.f));
}

export function compare(got: Tensor, expected: Tensor, opts: VerifyOptions, label: string): { maxAbsErr: number; reason?: string } {
  const sizeG = got.data.length, sizeE = expected.data.length;
  let atol = opts.atol, rtol = opts.rtol, rule = `${opts.atol} + ${opts.rtol} * |expected|`;
  if (opts.quant) {
    const t = QUANT_TOLERANCE[opts.quant]!;
    let m = 0;
    for (let i = 0; i < sizeE; i++) m = Math.max(m, Math.abs(Number(expected.data[i])));
    atol = t.atol + t.ofMax * m;
    rtol = 0;
    rule = `${t.ofMax} * max|expected| + ${t.atol} = ${atol.toExponential(2)}`;
  }
  if (got.shape.join(',') !== expected.shape.join(',')) {
    return { maxAbsErr: NaN, reason: `${label}: shape [${got.shape.join(', ')}], expected [${expected.shape.join(', ')}]` };
  }
  if (sizeG !== sizeE) return { maxAbsErr: NaN, reason: `${label}: ${sizeG} values, expected ${sizeE}` };
  let maxAbsErr = 0, worst = -1, worstExcess = 0;
  for (let i = 0; i < sizeE; i++) {
    const e = Number(expected.data[i]), g = Number(got.data[i]);
    const err = Math.abs(g - e);
    if (!(err <= maxAbsErr) || Number.isNaN(err)) maxAbsErr = Number.isNaN(err) ? Infinity : Math.max(maxAbsErr, err);
    const excess = err - (atol + rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) { worst = i; worstExcess = excess; }
  }
  if (worst >= 0) {
    return {
      maxAbsErr,
      reason: `${label}: value ${worst} is ${Number(got.data[worst])}, expected ${Number(expected.data[worst])} (|error| ${Math.abs(Number(got.data[worst]) - Number(expected.data[worst])).toExponential(2)} > ${rule})`,
    };
  }
  return { maxAbsErr };
}

export async function verifyCase(dir: string, rt: Runtime, opts: VerifyOptions): Promise<CaseResult> {
  const name = basename(dir.replace(/\/+$/, ''));
  const fail = (reason: string, dataSets = 0): CaseResult => ({ name, ok: false, maxAbsErr: NaN, dataSets, reason });
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return fail(`'${dir}' is not a directory`);
  const source = SOURCE_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!source) return fail(`no model file (${SOURCE_FILES.join(', ')}) in ${dir}`);
  const sets = readdirSync(dir).filter((f) => /^test_data_set_\d+$/.test(f)).sort().map((f) => join(dir, f));
  if (sets.length === 0) return fail(`no test_data_set_* folder in ${dir}`);
  let maxAbsErr = 0;
  try {
    const { source: model } = readModelSource(source);
    for (const set of sets) {
      const inputs = numbered(set, 'input').map(readTensor);
      const expected = numbered(set, 'output').map(readTensor);
      if (expected.length === 0) return fail(`${basename(set)} has no output_N files`);
      let { bytes, ir } = await convertSource(model, { weightInputs: inputs });
      if (opts.quant) {
        const calibration = opts.quant === 'int8' ? bindGraphInputs(ir.metadata.graph!, inputs) : undefined;
        ({ bytes, ir } = await convertSource(model, { weightInputs: inputs, quant: opts.quant, ...(calibration ? { calibration } : {}) }));
      }
      const got = rt.load(bytes).runGraph(inputs);
      if (got.length < expected.length) return fail(`${basename(set)}: the model has ${got.length} outputs, the data set ${expected.length}`);
      for (let k = 0; k < expected.length; k++) {
        const c = compare(got[k]!, expected[k]!, opts, `${basename(set)}/output_${k}`);
        if (c.reason) return { name, ok: false, maxAbsErr: c.maxAbsErr, dataSets: sets.length, reason: c.reason };
        maxAbsErr = Math.max(maxAbsErr, c.maxAbsErr);
      }
    }
  } catch (e) {
    if (isEdgeRnnError(e)) return fail(`${e.name}: ${e.message}`);
    throw e;
  }
  return { name, ok: true, maxAbsErr, dataSets: sets.length };
}

export async function verifyCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parse(argv, {
    backend: { type: 'string' },
    atol: { type: 'string' },
    rtol: { type: 'string' },
    quant: { type: 'string' },
  }, 'verify');
  if (positionals.length === 0) throw new UsageError(`verify needs at least one case folder\n${verifyUsage}`);
  const simd = backendOption(values.backend);
  const rt = await Runtime.create(simd === undefined ? {} : { simd });
  const opts: VerifyOptions = { atol: numberOption(values.atol, 'atol', 1e-4), rtol: numberOption(values.rtol, 'rtol', 1e-3) };
  if (values.quant !== undefined) {
    if (values.quant !== 'int8-dynamic' && values.quant !== 'int8') throw new UsageError(`--quant must be int8-dynamic or int8, got '${values.quant}'`);
    opts.quant = values.quant;
  }
  let passed = 0, failed = 0;
  for (const dir of positionals) {
    // a shell glob over a conformance folder also matches its README: not a case, skip it
    if (existsSync(dir) && statSync(dir).isFile()) {
      out(`SKIP ${basename(dir)}: not a case folder`);
      continue;
    }
    const r = await verifyCase(dir, rt, opts);
    if (r.ok) {
      passed++;
      out(`PASS ${r.name} max_abs_err=${r.maxAbsErr.toExponential(2)}`);
    } else {
      failed++;
      out(`FAIL ${r.name}: ${r.reason}`);
    }
  }
  out(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}
