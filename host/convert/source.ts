// A source model as the converter receives it: the bytes of one file, or a file together with
// the files beside it (TF.js weight shards, a safetensors file's config JSON). Names in `files`
// are relative to the main file's folder, as the main file refers to them.

export interface SourceFiles {
  /** Name of the main file within `files` ('model.json', 'model.safetensors', 'model.h5'). */
  main: string;
  files: Record<string, Uint8Array>;
}

export type ModelSource = Uint8Array | SourceFiles;

export function isSourceFiles(s: unknown): s is SourceFiles {
  return typeof s === 'object' && s !== null && !(s instanceof Uint8Array) && typeof (s as SourceFiles).main === 'string'
    && typeof (s as SourceFiles).files === 'object' && (s as SourceFiles).files !== null;
}
