// What every Keras-family container reader produces and the Keras importer consumes.
//
// Containers: Keras 3 `.keras` zips, legacy HDF5 full models (`.h5`), weights-only HDF5 with a JSON
// architecture beside it (Keras 1/2), TF.js Layers `model.json` + shards. Each reader turns its
// container into this one description; `importKeras` (import.ts) lowers it to the model IR.
// Readers decode bytes and find arrays; they know nothing of gate orders or layer semantics.

/** One weight array exactly as the framework stored it (Keras orientation, row-major). */
export interface NamedArray {
  /** Name as stored, for messages and for per-gate Keras 1 arrays: 'lstm/lstm_cell/kernel:0', 'W_i', 'vars/0'. */
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface KerasDocument {
  /** Container the arrays came from. */
  format: 'keras' | 'h5' | 'tfjs' | 'keras-json';
  /** The *saving* Keras version ('1.2.2', '2.2.4-tf', '3.15.0'); decides hard_sigmoid and defaults. */
  kerasVersion?: string;
  backend?: string;
  /** Tool that wrote the file, when recorded (TF.js `generatedBy`, `convertedBy`). */
  producer?: string;
  /**
   * The model config: `{class_name: 'Sequential' | 'Functional' | 'Model', config: {...}}`, or a
   * very old bare list of layer configs (Keras 1 / early TF.js Sequential).
   */
  config: unknown;
  /**
   * Weights of each top-level layer by its config name, in `layer.get_weights()` order
   * (for Bidirectional: forward then backward; for TimeDistributed: the inner layer's).
   */
  weights: Map<string, NamedArray[]>;
}
