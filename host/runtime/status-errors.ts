// Turns a module status and its error details into a typed error whose message says what and
// where. Tensor and layer names come from the model bytes via the defensive reader.

import { Status, Field, type ErnnExports } from './abi.js';
import {
  EdgeRnnError, ModelFormatError, UnsupportedModelError, ShapeError, ResourceError, UsageError,
} from '../errors.js';
import { readTensorName } from '../format/reader.js';
import {
  Header, HEADER_BYTES, TENSOR_RECORD_BYTES, LAYER_RECORD_BYTES, LayerField, DTYPE_NAMES,
  LAYER_TYPE_NAMES, MODE_NAMES, SLOT_NAMES, ACTIVATIONS,
} from '../format/layout.js';

const FIELD_TEXT: Partial<Record<Field, string>> = {
  [Field.LayerTable]: 'layer table', [Field.TensorTable]: 'tensor table', [Field.Metadata]: 'metadata block',
  [Field.DataSection]: 'data section', [Field.HeaderBytes]: 'header size',
};

const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

function tensorLabel(bytes: Uint8Array | undefined, index: number): string {
  if (!bytes || bytes.length < HEADER_BYTES) return `tensor #${index}`;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = dv.getUint32(Header.tensorCount, true);
  const table = dv.getUint32(Header.tensorTable, true);
  const rec = table + index * TENSOR_RECORD_BYTES;
  if (index < 0 || index >= count || rec + TENSOR_RECORD_BYTES > bytes.length) return `tensor #${index}`;
  const name = readTensorName(bytes, rec);
  return name ? `tensor '${name}' (#${index})` : `tensor #${index}`;
}

function layerLabel(bytes: Uint8Array | undefined, index: number): string {
  if (!bytes || bytes.length < HEADER_BYTES) return `layer ${index}`;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const table = dv.getUint32(Header.layerTable, true);
  const rec = table + index * LAYER_RECORD_BYTES;
  if (index < 0 || rec + LAYER_RECORD_BYTES > bytes.length) return `layer ${index}`;
  const type = LAYER_TYPE_NAMES[dv.getUint8(rec + LayerField.type)];
  return type ? `layer ${index} (${type})` : `layer ${index}`;
}

// What each limit check of the module is about, and the Limits option that sets it.
const LIMIT_OF: Partial<Record<Field, [string, string]>> = {
  [Field.LayerCount]: ['maxLayers', 'the model has {actual} layers'],
  [Field.TensorCount]: ['maxTensors', 'the model has {actual} tensors'],
  [Field.InputSize]: ['maxDimension', 'the model input has {actual} features'],
  [Field.LayerInputSize]: ['maxDimension', '{layer} takes {actual} inputs'],
  [Field.LayerUnits]: ['maxDimension', '{layer} has {actual} units'],
  [Field.TensorDims]: ['maxDimension', '{tensor} has a dimension of {actual}'],
  [Field.StreamCount]: ['maxStreams', '{actual} streams were asked for'],
  [Field.BatchSize]: ['maxStreams', 'the batch has {actual} sequences'],
  [Field.MemoryPages]: ['maxMemoryPages', 'linear memory is already {actual} pages'],
  [Field.ModelBytes]: ['maxModelBytes', 'the model file is {actual} bytes'],
};

function limitError(ex: ErnnExports, pre: string, field: Field, index: number, expected: number, actual: number, bytes: Uint8Array | undefined, ctx: object): ResourceError {
  const entry = LIMIT_OF[field];
  const what = (entry?.[1] ?? `${Field[field] ?? `field ${field}`} is {actual}`)
    .replace('{actual}', String(actual >>> 0))
    .replace('{layer}', layerLabel(bytes, index))
    .replace('{tensor}', tensorLabel(bytes, index));
  // the int8 kernels' own bound (int32 sums), not a configurable limit
  if ((field === Field.LayerUnits || field === Field.LayerInputSize) && expected === 32768 && ex.ernn_get_limit(3) !== 32768) {
    return new ResourceError(`${pre}${layerLabel(bytes, index)} is an int8 layer with ${actual} inputs or units, above the int8 kernels' bound of 32768 (their int32 sums could overflow); convert it with --quant int8-dynamic or f32`, { ...ctx, where: `layer[${index}]` });
  }
  if (!entry) return new ResourceError(`${pre}${what}, above the limit of ${expected}`, { ...ctx, where: Field[field] ?? 'limit' });
  const name = entry[0];
  return new ResourceError(
    `${pre}${what}, above the limit ${name} = ${expected}; raise it with { limits: { ${name}: N } } in Runtime.create() or load()`,
    { ...ctx, where: `limits.${name}` },
  );
}

/** Builds the error for a failed module call. `bytes` is the model file when loading. */
export function moduleError(ex: ErnnExports, status: number, bytes?: Uint8Array, context = ''): EdgeRnnError {
  const field = ex.ernn_error_field() as Field;
  const index = ex.ernn_error_index();
  const expected = ex.ernn_error_expected();
  const actual = ex.ernn_error_actual();
  const aux = ex.ernn_error_aux();
  const ctx = { status, expected, actual };
  const pre = context ? `${context}: ` : '';
  const fieldName = Field[field] ?? `field ${field}`;
  switch (status as Status) {
    case Status.Truncated:
      return new ModelFormatError(`${pre}file is truncated: it declares ${expected} bytes, only ${actual} were given`, { ...ctx, where: 'header.file_bytes' });
    case Status.BadMagic:
      return new ModelFormatError(`${pre}not an .ernn file: magic is ${hex(actual)}, expected ${hex(expected)} ("ERNN")`, { ...ctx, where: 'header.magic' });
    case Status.UnsupportedVersion:
      return new UnsupportedModelError(
        `${pre}unsupported .ernn format version ${actual >>> 16}.${actual & 0xffff}: this module reads ${expected >>> 16}.0 to ${expected >>> 16}.${expected & 0xffff}`,
        { ...ctx, where: 'header.version', expected: `${expected >>> 16}.${expected & 0xffff}`, actual: `${actual >>> 16}.${actual & 0xffff}` },
      );
    case Status.ChecksumMismatch:
      return new ModelFormatError(`${pre}checksum mismatch: header says CRC-32 ${hex(expected)}, payload has ${hex(actual)}; the file is corrupt`, { ...ctx, where: 'header.crc32' });
    case Status.BadSection: {
      const what = FIELD_TEXT[field] ?? fieldName;
      if (field === Field.FileBytes) return new ModelFormatError(`${pre}file has ${actual - expected} trailing bytes after the declared ${expected}`, { ...ctx, where: 'header.file_bytes' });
      if (field === Field.LayerCount) return new ModelFormatError(`${pre}model has no layers`, { ...ctx, where: 'header.layer_count' });
      if (field === Field.HeaderBytes) return new ModelFormatError(`${pre}header size is ${actual}, expected ${expected}`, { ...ctx, where: 'header.header_bytes' });
      if (index >= 0) return new ModelFormatError(`${pre}${what} at offset ${aux} overlaps another section (which starts at ${expected})`, { ...ctx, where: what });
      if (actual % expected !== 0 && expected <= 16 && actual === aux) return new ModelFormatError(`${pre}${what} at offset ${aux} is not aligned to ${expected} bytes`, { ...ctx, where: what });
      if (actual === aux && aux >>> 0 < HEADER_BYTES) return new ModelFormatError(`${pre}${what} at offset ${aux} starts inside the header (sections start at offset ${HEADER_BYTES} or later)`, { ...ctx, where: what });
      return new ModelFormatError(`${pre}${what} at offset ${aux} ends at ${actual}, outside the payload (file has ${expected} bytes)`, { ...ctx, where: what });
    }
    case Status.BadTensor: {
      const t = tensorLabel(bytes, index);
      const where = `tensor[${index}]`;
      switch (field) {
        case Field.TensorExtent:
          return new ModelFormatError(`${pre}${t} needs ${expected - aux} bytes at offset ${aux}, file has ${actual}`, { ...ctx, where });
        case Field.TensorBytes:
          return new ModelFormatError(`${pre}${t} declares ${actual} bytes but its shape and dtype need ${expected}`, { ...ctx, where });
        case Field.TensorDtype:
          return new ModelFormatError(`${pre}${t} has unknown dtype code ${actual}`, { ...ctx, where });
        case Field.TensorRank:
          return new ModelFormatError(`${pre}${t} has rank ${actual}, at most ${expected} is allowed`, { ...ctx, where });
        case Field.TensorDims:
          return new ModelFormatError(`${pre}${t} dimension ${aux} is ${actual}, expected ${expected === 0 ? '0 (unused)' : `1..${expected}`}`, { ...ctx, where });
        case Field.TensorOffset:
          return new ModelFormatError(`${pre}${t} offset ${actual} is not aligned to ${expected} bytes`, { ...ctx, where });
        case Field.TensorOrder:
          return new ModelFormatError(`${pre}${t} at offset ${actual} overlaps the previous tensor, which ends at ${expected}`, { ...ctx, where });
        case Field.TensorName:
          return new ModelFormatError(`${pre}${t} has a malformed name (must be 1 to 31 bytes, NUL padded)`, { ...ctx, where });
        default:
          return new ModelFormatError(`${pre}${t}: invalid ${fieldName} (expected ${expected}, found ${actual})`, { ...ctx, where });
      }
    }
    case Status.BadLayer: {
      const l = layerLabel(bytes, index);
      const where = `layer[${index}]`;
      if (field === Field.LayerTensorSlot) {
        const slot = `${SLOT_NAMES[aux % 8]}${aux >= 8 ? ' (direction 1)' : ''}`;
        if (expected === 0xffff) return new ModelFormatError(`${pre}${l} must not have a ${slot} tensor (found ${tensorLabel(bytes, actual)})`, { ...ctx, where });
        if (actual === 0xffff) return new ModelFormatError(`${pre}${l} is missing its ${slot} tensor`, { ...ctx, where });
        return new ModelFormatError(`${pre}${l} ${slot} refers to tensor #${actual}, but the file has ${expected} tensors`, { ...ctx, where });
      }
      if (field === Field.LayerType) return new ModelFormatError(`${pre}${l} has unknown layer type code ${actual}`, { ...ctx, where });
      if (field === Field.LayerActivation) return new ModelFormatError(`${pre}${l} activation slot ${aux} is invalid (code ${actual})`, { ...ctx, where });
      return new ModelFormatError(`${pre}${l}: invalid ${fieldName} (expected ${expected}, found ${actual})`, { ...ctx, where });
    }
    case Status.ShapeMismatch: {
      if (field === Field.LayerInputSize) {
        return new ModelFormatError(`${pre}${layerLabel(bytes, index)} takes ${actual} inputs, but ${index === 0 ? 'the model input has' : 'the previous layer outputs'} ${expected}`, { ...ctx, where: `layer[${index}].input_size` });
      }
      if (field === Field.LayerOutputSize || field === Field.LayerUnits) {
        return new ModelFormatError(`${pre}${layerLabel(bytes, index)} ${fieldName === 'LayerUnits' ? 'units' : 'output size'} is ${actual}, expected ${expected}`, { ...ctx, where: `layer[${index}]` });
      }
      if (field === Field.OutputSize) return new ModelFormatError(`${pre}header output size is ${actual}, the last layer outputs ${expected}`, { ...ctx, where: 'header.output_size' });
      const t = tensorLabel(bytes, index);
      if (field === Field.TensorDtype) return new ModelFormatError(`${pre}${t} used by ${layerLabel(bytes, aux)} has dtype ${DTYPE_NAMES[actual] ?? actual}, expected ${DTYPE_NAMES[expected] ?? expected}`, { ...ctx, where: `tensor[${index}]` });
      if (field === Field.TensorRank) return new ModelFormatError(`${pre}${t} used by ${layerLabel(bytes, aux)} has rank ${actual}, expected ${expected}`, { ...ctx, where: `tensor[${index}]` });
      return new ModelFormatError(`${pre}${t} used by ${layerLabel(bytes, aux)} has a dimension of ${actual}, expected ${expected}`, { ...ctx, where: `tensor[${index}]` });
    }
    case Status.Unsupported: {
      if (field === Field.LayerMode) return new UnsupportedModelError(`${pre}${layerLabel(bytes, index)} uses mode '${MODE_NAMES[actual] ?? actual}', which this build does not run`, { ...ctx, where: `layer[${index}].mode` });
      if (field === Field.LayerActivation) return new UnsupportedModelError(`${pre}${layerLabel(bytes, index)} activation '${ACTIVATIONS[actual] ?? `#${actual}`}' is not supported in slot ${aux}`, { ...ctx, where: `layer[${index}]` });
      if (field === Field.LayerOrder) return new UnsupportedModelError(`${pre}${layerLabel(bytes, index)} is a recurrent layer after a sequence-to-vector layer, which is not supported`, { ...ctx, where: `layer[${index}]` });
      if (field === Field.TensorLayout) return new UnsupportedModelError(`${pre}${tensorLabel(bytes, index)} uses layout ${actual}, which this build does not read`, { ...ctx, where: `tensor[${index}]` });
      if (field === Field.Flags) return new UnsupportedModelError(`${pre}header flags ${hex(actual)} are not supported`, { ...ctx, where: 'header.flags' });
      return new UnsupportedModelError(`${pre}unsupported ${fieldName} (found ${actual})`, ctx);
    }
    case Status.OutOfMemory: {
      const pages = ex.ernn_get_limit(6);
      return new ResourceError(
        `${pre}out of memory: ${fieldName} needs ${expected} more bytes and linear memory cannot grow beyond the limit maxMemoryPages = ${pages} (${pages * 64} KiB), or the engine refused to grow it; ` +
        `raise it with { limits: { maxMemoryPages: N } } (at most 65536) in Runtime.create() or load(), or use fewer streams or a smaller batch`,
        { ...ctx, where: 'limits.maxMemoryPages' },
      );
    }
    case Status.LimitExceeded:
      return limitError(ex, pre, field, index, expected, actual, bytes, ctx);
    case Status.NotStreamable:
      return new UnsupportedModelError(`${pre}the model has reverse or bidirectional layers: it runs whole sequences (model.run), not step by step`, { ...ctx, where: 'streams' });
    case Status.BadState:
      return new UsageError(`${pre}call out of order (${fieldName})`, ctx);
    case Status.BadArgument:
      if (field === Field.StreamIndex) return new UsageError(`${pre}stream ${actual} at position ${index} is out of range (0..${expected - 1}) or repeated`, { ...ctx, where: 'stream index' });
      if (field === Field.TimeSteps && index >= 0) return new ShapeError(`${pre}sequence length ${actual} of batch entry ${index} is outside 0..${expected}`, { ...ctx, where: 'sequence_lens' });
      return new UsageError(`${pre}bad argument ${fieldName}: ${actual} (limit ${expected})`, ctx);
    default:
      return new EdgeRnnError(`${pre}module returned status ${status} (${fieldName}, index ${index}, expected ${expected}, actual ${actual})`, ctx);
  }
}
