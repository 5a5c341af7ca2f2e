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
import type { SubjectTotal } from "./state-file.js";

export class SubjectTotals implements SubjectEntry {
  count = 0;
  private f = 0;
  private l = 0;
  private fStale = false;
  private lStale = false;

  constructor(
    private readonly set: BlockSet,
    readonly id: number,
    readonly subject: string,
  ) {}

  /** Sets the totals from a saved state. */
  restore(t: SubjectTotal): void {
    this.f = t.first;
    this.l = t.last;
    this.count = t.count;
    this.fStale = t.firstStale;
    this.lStale = t.lastStale;
  }

  /** What a saved state keeps (bounds, without forcing a scan). */
  saved(): SubjectTotal {
    return { subject: this.subject, count: this.count, first: this.f, last: this.l, firstStale: this.fStale, lastStale: this.lStale };
  }

  push(seq: number): void {
    this.count++;
    this.l = seq;
    this.lStale = false;
    if (this.count === 1) {
      this.f = seq;
      this.fStale = false;
    }
  }

  remove(seq: number): void {
    this.count--;
    if (this.count === 0) return;
    if (seq === this.f) this.fStale = true;
    if (seq === this.l) this.lStale = true;
    if (this.count === 1 && this.fStale !== this.lStale) {
      if (this.fStale) this.f = this.l;
      else this.l = this.f;
      this.fStale = this.lStale = false;
    }
  }

  first(): number {
    if (this.count === 0) return 0;
    if (this.fStale) {
      let found = 0;
      this.set.scanSubject(this.id, this.f, this.lStale ? Infinity : this.l, false, (s) => ((found = s), false));
      this.f = found;
      this.fStale = false;
    }
    return this.f;
  }

  last(): number {
    if (this.count === 0) return 0;
    if (this.lStale) {
      let found = 0;
      this.set.scanSubject(this.id, this.first(), this.l, true, (s) => ((found = s), false));
      this.l = found;
      this.lStale = false;
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
