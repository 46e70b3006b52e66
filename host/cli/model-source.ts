// Loads a model for the CLI: an .ernn file as is, or any source format converted on the fly.

import { readBytes } from './files.js';
import { convertModel } from '../convert/convert.js';
import { detectFormat } from '../convert/convert.js';

export function loadModelBytes(path: string): Uint8Array {
  const bytes = readBytes(path, 'model');
  if (bytes.length >= 4 && detectFormatSafe(bytes) === 'ernn') return bytes;
  return convertModel(bytes).bytes;
}

function detectFormatSafe(bytes: Uint8Array): string | undefined {
  try {
    return detectFormat(bytes);
  } catch {
    return undefined;
  }
}
