/**
 * The file store's per-subject record (live-index.ts SubjectSeqs): only the first and last live
 * sequence and the count, so that memory grows with the number of subjects, not of messages. When the
 * first (or last) message of a subject goes, the new one is not known without reading blocks; it is
 * marked stale and found by a scan of the blocks in range when next asked (block-set.ts). With one
 * message left, first and last are the same and nothing is stale (a KV key's usual state).
 *
 * Invariant: count > 0, and first <= every live sequence of the subject <= last, where a stale bound
 * is a bound that may be passed by the exact one but is never beyond it.
 */
import type { SubjectEntry } from "../live-index.js";
import type { BlockSet } from "./block-set.js";
import { STALE_FIRST, STALE_LAST, type SubjectTotal } from "./state-file.js";

export class SubjectTotals implements SubjectEntry {
  count = 0;
  private f = 0;
  private l = 0;
  /** STALE_FIRST | STALE_LAST: one small field instead of two (there may be millions of these). */
  private stale = 0;

  constructor(
    private readonly set: BlockSet,
    readonly id: number,
    readonly subject: string,
  ) {}

  /** Sets the totals from a saved state. */
  restore(first: number, last: number, count: number, stale: number): void {
    this.f = first;
    this.l = last;
    this.count = count;
    this.stale = stale;
  }

  /** What a saved state keeps (bounds, without forcing a scan). */
  saved(): SubjectTotal {
    const stale = this.stale;
    return { subject: this.subject, count: this.count, first: this.f, last: this.l, firstStale: (stale & STALE_FIRST) !== 0, lastStale: (stale & STALE_LAST) !== 0 };
  }

  push(seq: number): void {
    this.count++;
    this.l = seq;
    this.stale &= ~STALE_LAST;
    if (this.count === 1) {
      this.f = seq;
      this.stale = 0;
    }
  }

  remove(seq: number): void {
    this.count--;
    if (this.count === 0) return;
    if (seq === this.f) this.stale |= STALE_FIRST;
    if (seq === this.l) this.stale |= STALE_LAST;
    if (this.count === 1 && (this.stale === STALE_FIRST || this.stale === STALE_LAST)) {
      if (this.stale === STALE_FIRST) this.f = this.l;
      else this.l = this.f;
      this.stale = 0;
    }
  }

  first(): number {
    if (this.count === 0) return 0;
    if ((this.stale & STALE_FIRST) !== 0) {
      let found = 0;
      this.set.scanSubject(this.id, this.f, (this.stale & STALE_LAST) !== 0 ? Infinity : this.l, false, (s) => ((found = s), false));
      this.f = found;
      this.stale &= ~STALE_FIRST;
    }
    return this.f;
  }

  last(): number {
    if (this.count === 0) return 0;
    if ((this.stale & STALE_LAST) !== 0) {
      let found = 0;
      this.set.scanSubject(this.id, this.first(), this.l, true, (s) => ((found = s), false));
      this.l = found;
      this.stale &= ~STALE_LAST;
    }
    return this.l;
  }

  nextFrom(seq: number): number {
    if (this.count === 0) return 0;
    const first = this.first();
    if (seq <= first) return first;
    const last = this.last();
    if (seq > last) return 0;
    if (seq === last) return last;
    let found = 0;
    this.set.scanSubject(this.id, seq, last, false, (s) => ((found = s), false));
    return found;
  }

  countFrom(seq: number): number {
    if (this.count === 0) return 0;
    if (seq <= this.first()) return this.count;
    const last = this.last();
    if (seq > last) return 0;
    let n = 0;
    this.set.scanSubject(this.id, seq, last, false, () => (n++, true));
    return n;
  }

  toArray(): number[] {
    const out: number[] = [];
    if (this.count > 0) this.set.scanSubject(this.id, this.first(), this.last(), false, (s) => (out.push(s), true));
    return out;
  }
}
