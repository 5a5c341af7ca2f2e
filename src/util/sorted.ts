/**
 * Binary search over a run of sequence numbers kept sorted by absolute value, where a negated entry
 * marks one that was removed in place (the message index, per-subject sequence lists, a consumer's
 * pending set): such arrays are compacted lazily, so removed entries keep their order.
 */

/** First position in [lo, hi) whose |value| >= key (hi when none). */
export function lowerBoundAbs(a: ArrayLike<number>, lo: number, hi: number, key: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = a[mid]!;
    if ((v < 0 ? -v : v) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
