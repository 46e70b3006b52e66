// A float64 reference of the benchmark models (one forward LSTM/GRU, default activations, then a
// linear Dense head), straight from the model description. The correctness check compares edgernn
// f32 with it, so that when a peer disagrees with edgernn it is clear which side is wrong.
import { isRecurrent, type ModelIR, type RecurrentLayer, type DenseLayer } from '../host/convert/ir.js';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

export class Reference {
  private readonly rec: RecurrentLayer;
  private readonly head: DenseLayer;
  readonly H: number;
  readonly I: number;

  constructor(ir: ModelIR) {
    const [rec, head] = ir.layers as [RecurrentLayer, DenseLayer];
    if (ir.layers.length !== 2 || !isRecurrent(rec) || rec.kind === 'rnn' || head.kind !== 'dense') throw new Error('Reference: expects an LSTM/GRU and a Dense head');
    this.rec = rec; this.head = head; this.H = rec.hiddenSize; this.I = rec.inputSize;
  }

  /** A zero state: h, and c for an LSTM. */
  zero(): { h: Float64Array; c: Float64Array } {
    return { h: new Float64Array(this.H), c: new Float64Array(this.H) };
  }

  /** One step of one stream: updates st in place, returns the head's output. */
  step(st: { h: Float64Array; c: Float64Array }, x: ArrayLike<number>): Float64Array {
    const { H, I } = this, L = this.rec, w = L.weights[0]!;
    const G = L.kind === 'lstm' ? 4 : 3;
    const gx = new Float64Array(G * H), gh = new Float64Array(G * H);
    for (let m = 0; m < G * H; m++) {
      let a = w.bW?.[m] ?? 0, b = w.bR?.[m] ?? 0;
      for (let k = 0; k < I; k++) a += w.W[m * I + k]! * Number(x[k]);
      for (let k = 0; k < H; k++) b += w.R[m * H + k]! * st.h[k]!;
      gx[m] = a; gh[m] = b;
    }
    const h2 = new Float64Array(H);
    if (L.kind === 'lstm') {
      for (let j = 0; j < H; j++) {
        const i = sigmoid(gx[j]! + gh[j]!), f = sigmoid(gx[H + j]! + gh[H + j]!);
        const g = Math.tanh(gx[2 * H + j]! + gh[2 * H + j]!), o = sigmoid(gx[3 * H + j]! + gh[3 * H + j]!);
        st.c[j] = f * st.c[j]! + i * g;
        h2[j] = o * Math.tanh(st.c[j]!);
      }
    } else if (L.resetAfter) {
      for (let j = 0; j < H; j++) {
        const z = sigmoid(gx[j]! + gh[j]!), r = sigmoid(gx[H + j]! + gh[H + j]!);
        const n = Math.tanh(gx[2 * H + j]! + r * gh[2 * H + j]!);
        h2[j] = (1 - z) * n + z * st.h[j]!;
      }
    } else {
      // reset before: n = tanh(W_n x + b_Wn + R_n (r * h) + b_Rn)
      const rh = new Float64Array(H);
      const z = new Float64Array(H);
      for (let j = 0; j < H; j++) {
        z[j] = sigmoid(gx[j]! + gh[j]!);
        rh[j] = sigmoid(gx[H + j]! + gh[H + j]!) * st.h[j]!;
      }
      for (let j = 0; j < H; j++) {
        let a = gx[2 * H + j]! + (w.bR?.[2 * H + j] ?? 0);
        for (let k = 0; k < H; k++) a += w.R[(2 * H + j) * H + k]! * rh[k]!;
        h2[j] = (1 - z[j]!) * Math.tanh(a) + z[j]! * st.h[j]!;
      }
    }
    st.h.set(h2);
    return this.dense(h2);
  }

  dense(h: Float64Array): Float64Array {
    const D = this.head, y = new Float64Array(D.units);
    for (let m = 0; m < D.units; m++) {
      let a = D.b?.[m] ?? 0;
      for (let k = 0; k < D.inputSize; k++) a += D.W[m * D.inputSize + k]! * h[k]!;
      y[m] = a;
    }
    return y;
  }

  /** A whole sequence from the zero state (sequence-to-vector: the head sees the last h). */
  sequence(x: ArrayLike<number>, T: number): Float64Array {
    const st = this.zero();
    let y: Float64Array = new Float64Array(0);
    for (let t = 0; t < T; t++) y = this.step(st, Array.from({ length: this.I }, (_, k) => Number(x[t * this.I + k])));
    return y;
  }
}
