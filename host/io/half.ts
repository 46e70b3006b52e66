// 16-bit floats as model files store them (ONNX float16, safetensors F16, HDF5 float16, TF.js
// float16-quantized weights): one exact decoder for every reader.

/** IEEE 754 binary16 bit pattern -> number (exact: every half is a float32). */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}
