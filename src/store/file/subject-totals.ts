/**
 * The file store's subjects (live-index.ts SubjectIds): per subject only the first and last live
 * sequence and the count, so that memory grows with the number of subjects, not of messages; and no
 * JS object per subject either: names in a SubjectTable (subject-table.ts), totals in typed arrays
 * indexed by id. A restart loads both from the saved state with a few copies (state-file.ts).
 *
 * When the first (or last) message of a subject goes, the new one is not known without reading blocks;
 * it is marked stale and found by a scan of the blocks in range when next asked (block-set.ts). With
 * one message left, first and last are the same and nothing is stale (a KV key's usual state).
 *
 * Invariant: an id is live in the table iff counts[id] > 0, and then first <= every live sequence of
 * the subject <= last, where a stale bound may be passed by the exact one but is never beyond it.
 */
import { assert } from "../../util/assert.js";
import type { SubjectIds } from "../live-index.js";
import type { BlockSet } from "./block-set.js";
import { SubjectTable, type TableImage } from "./subject-table.js";

/** Flags of a subject's totals: its first or last sequence is a bound only. */
export const STALE_FIRST = 1;
export const STALE_LAST = 2;

/** What a saved state keeps: the names, and per id below limit its totals (count 0: a free id); arrays may be longer. */
export interface TotalsImage extends TableImage {
  firsts: Float64Array;
  lasts: Float64Array;
  counts: Float64Array;
  stale: Uint8Array;
}

export class SubjectTotals implements SubjectIds {
  private readonly names: SubjectTable;
  private firsts: Float64Array = new Float64Array(0);
  private lasts: Float64Array = new Float64Array(0);
  /** Float64: a subject may hold more than 2^32 messages. */
  private counts: Float64Array = new Float64Array(0);
  /** STALE_FIRST | STALE_LAST. */
  private stale: Uint8Array = new Uint8Array(0);
  private readonly idListeners: ((id: number) => void)[] = [];

  constructor(private readonly set: BlockSet) {
    this.names = new SubjectTable();
    this.fit();
  }

  get size(): number {
    return this.names.size;
  }

  get idLimit(): number {
    return this.names.limit;
  }

  idOf(subject: string): number {
    return this.names.find(subject);
  }

  subjectOf(id: number): string {
    return this.names.subjectOf(id);
  }

  add(subject: string, seq: number): number {
    const id = this.names.intern(subject);
    if (id >= this.counts.length) this.fit();
    const n = ++this.counts[id]!;
    this.lasts[id] = seq;
    if (n === 1) {
      this.firsts[id] = seq;
      this.stale[id] = 0;
      for (const l of this.idListeners) l(id);
    } else {
      this.stale[id]! &= ~STALE_LAST;
    }
    return id;
  }

  remove(id: number, seq: number): void {
    assert(this.counts[id]! > 0, `subject id ${id} has live messages`);
    const n = --this.counts[id]!;
    if (n === 0) {
      this.names.release(id);
      return;
    }
    let stale = this.stale[id]!;
    if (seq === this.firsts[id]) stale |= STALE_FIRST;
    if (seq === this.lasts[id]) stale |= STALE_LAST;
    if (n === 1 && (stale === STALE_FIRST || stale === STALE_LAST)) {
      // One left and one bound exact: that bound is the message.
      if (stale === STALE_FIRST) this.firsts[id] = this.lasts[id]!;
      else this.lasts[id] = this.firsts[id]!;
      stale = 0;
    }
    this.stale[id] = stale;
  }

  count(id: number): number {
    return id < this.counts.length ? this.counts[id]! : 0;
  }

  first(id: number): number {
    if (this.counts[id] === 0) return 0;
    if ((this.stale[id]! & STALE_FIRST) !== 0) {
      let found = 0;
      const to = (this.stale[id]! & STALE_LAST) !== 0 ? Infinity : this.lasts[id]!;
      this.set.scanSubject(id, this.firsts[id]!, to, false, (s) => ((found = s), false));
      this.firsts[id] = found;
      this.stale[id]! &= ~STALE_FIRST;
    }
    return this.firsts[id]!;
  }

  last(id: number): number {
    if (this.counts[id] === 0) return 0;
    if ((this.stale[id]! & STALE_LAST) !== 0) {
      let found = 0;
      this.set.scanSubject(id, this.first(id), this.lasts[id]!, true, (s) => ((found = s), false));
      this.lasts[id] = found;
      this.stale[id]! &= ~STALE_LAST;
    }
    return this.lasts[id]!;
  }

  nextFrom(id: number, seq: number): number {
    if (this.counts[id] === 0) return 0;
    const first = this.first(id);
    if (seq <= first) return first;
    const last = this.last(id);
    if (seq > last) return 0;
    if (seq === last) return last;
    let found = 0;
    this.set.scanSubject(id, seq, last, false, (s) => ((found = s), false));
    return found;
  }

  countFrom(id: number, seq: number): number {
    if (this.counts[id] === 0) return 0;
    if (seq <= this.first(id)) return this.counts[id]!;
    const last = this.last(id);
    if (seq > last) return 0;
    let n = 0;
    this.set.scanSubject(id, seq, last, false, () => (n++, true));
    return n;
  }

  seqs(id: number): number[] {
    const out: number[] = [];
    if (this.counts[id]! > 0) this.set.scanSubject(id, this.first(id), this.last(id), false, (s) => (out.push(s), true));
    return out;
  }

  clear(): void {
    this.names.clear();
    this.counts.fill(0);
  }

  onNewId(listener: (id: number) => void): void {
    this.idListeners.push(listener);
  }

  /** The totals as a saved state keeps them, bounds as they are (no scan forced); the live arrays, valid until the next change. */
  image(): TotalsImage {
    return { ...this.names.image(), firsts: this.firsts, lasts: this.lasts, counts: this.counts, stale: this.stale };
  }

  /**
   * Fills empty totals (at open, before any query, so no filter memo exists to be told of the ids)
   * from a saved image; throws RangeError for one that cannot be right.
   */
  load(img: TotalsImage): void {
    assert(this.names.size === 0, "a saved image is loaded into empty totals");
    const n = img.limit;
    if (img.firsts.length < n || img.lasts.length < n || img.counts.length < n || img.stale.length < n) throw new RangeError("totals shorter than they hold");
    this.names.load(img);
    // Taken as they are (read with room to grow) when they have the names' capacity.
    const cap = this.names.capacity;
    this.firsts = resized(img.firsts, cap);
    this.lasts = resized(img.lasts, cap);
    this.counts = resized(img.counts, cap);
    this.stale = resized(img.stale, cap);
    this.counts.fill(0, n);
    for (let id = 0; id < n; id++) {
      const count = this.counts[id]!;
      if (this.names.isLive(id) !== count > 0) throw new RangeError(`subject ${id}: count ${count} for a ${count > 0 ? "free" : "named"} id`);
      if (count > 0 && (!Number.isSafeInteger(count) || !(this.firsts[id]! <= this.lasts[id]!) || this.stale[id]! > (STALE_FIRST | STALE_LAST))) throw new RangeError(`subject ${id}: bad totals`);
    }
  }

  /** Grows the per-id arrays to the table's capacity. */
  private fit(): void {
    const cap = this.names.capacity;
    assert(cap >= this.counts.length, "subject ids only grow");
    this.firsts = resized(this.firsts, cap);
    this.lasts = resized(this.lasts, cap);
    this.counts = resized(this.counts, cap);
    this.stale = resized(this.stale, cap);
  }
}

/** a when it has n elements, else a copy of it cut or padded with zeros to n. */
function resized<T extends Float64Array | Uint8Array>(a: T, n: number): T {
  if (a.length === n) return a;
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a.length > n ? a.subarray(0, n) : a);
  return b;
}
