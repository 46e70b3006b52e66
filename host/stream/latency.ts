// Latency quantiles over a stream of any length in fixed memory: a histogram with logarithmic
// buckets of 2 % width from 0.1 µs to about 100 s (1050 counters). Quantiles are reported as the
// bucket's geometric midpoint, so within 1 % of the true sample value.

const MIN_US = 0.1;
const GROWTH = 1.02;
const BUCKETS = 1050;
const LOG_GROWTH = Math.log(GROWTH);

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;
  max = 0;

  /** Adds one sample, in milliseconds (what performance.now() differences give). */
  add(ms: number): void {
    const us = ms * 1000;
    if (!(us >= 0)) return;
    const b = us <= MIN_US ? 0 : Math.min(BUCKETS - 1, 1 + Math.floor(Math.log(us / MIN_US) / LOG_GROWTH));
    this.counts[b]!++;
    this.count++;
    if (us > this.max) this.max = us;
  }

  /** The q-quantile (0..1) in microseconds; 0 when empty. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.min(this.count - 1, Math.floor(q * this.count));
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b]!;
      if (seen > rank) {
        if (b === 0) return MIN_US;
        const lo = MIN_US * GROWTH ** (b - 1);
        return Math.min(this.max, lo * Math.sqrt(GROWTH));
      }
    }
    return this.max;
  }
}
