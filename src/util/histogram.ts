/**
 * A cumulative-bucket histogram as Prometheus exposes one: fixed upper bounds chosen up front, a count
 * per bucket, a sum and a total. Observing is a short scan over a preallocated array, with no allocation,
 * so it can sit on a hot path.
 *
 * Invariant: bounds are finite and strictly increasing; counts[i] holds the observations in
 * (bounds[i-1], bounds[i]], counts[bounds.length] those above the last bound (the +Inf bucket).
 */
import { assert } from "./assert.js";

export class Histogram {
  private readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    assert(bounds.every((b, i) => Number.isFinite(b) && (i === 0 || b > bounds[i - 1]!)), "histogram bounds must increase");
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(v: number): void {
    let i = 0;
    while (i < this.bounds.length && v > this.bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += v;
    this.count++;
  }

  /** The cumulative count of observations at or below bounds[i] (i = bounds.length: all of them). */
  cumulative(i: number): number {
    let n = 0;
    for (let j = 0; j <= i; j++) n += this.counts[j]!;
    return n;
  }
}

/** Latency buckets in seconds, 50 us to 5 s: fdatasync on fast disks sits in the low hundreds of us. */
export const LATENCY_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
