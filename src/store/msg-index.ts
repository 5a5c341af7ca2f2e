/**
 * The index of live messages, in sequence order, shared by both stores: per message its sequence,
 * time, size and subject id, and for the memory store its payload.
 *
 * Layout: parallel typed arrays ("struct of arrays") indexed by position, so that a message costs
 * 24 bytes (up to twice that while arrays have room to grow) and no object for the garbage collector to
 * trace; the file store keeps nothing else per message in memory except its block offset. Appends go at the tail; sequences only grow, so positions are sorted by sequence
 * and a sequence is found by binary search.
 *
 * Invariants:
 * - positions [head, tail) hold entries with strictly increasing |seq|; a removed entry keeps its
 *   place with its seq negated (sequences are >= 1), so the order and the binary search still hold;
 * - when live > 0, position head is live (removal advances head past removed entries);
 * - positions are stable until compact() runs; callers only compact between operations, never while
 *   they iterate.
 */
import { lowerBoundAbs } from "../util/sorted.js";
import type { LiveIndex } from "./live-index.js";

export class MsgIndex<R> implements LiveIndex<R> {
  private seqs: Float64Array;
  private times: Float64Array;
  private sizes: Uint32Array;
  private subjs: Uint32Array;
  private refs: (R | undefined)[] | undefined;
  private head = 0;
  private tail = 0;
  /** Number of live entries. */
  live = 0;

  constructor(withRefs: boolean, capacity = 1024) {
    this.seqs = new Float64Array(capacity);
    this.times = new Float64Array(capacity);
    this.sizes = new Uint32Array(capacity);
    this.subjs = new Uint32Array(capacity);
    this.refs = withRefs ? [] : undefined;
  }

  append(seq: number, time: number, size: number, subj: number, ref: R | undefined): void {
    if (this.tail === this.seqs.length) this.makeRoom();
    const p = this.tail++;
    this.seqs[p] = seq;
    this.times[p] = time;
    this.sizes[p] = size;
    this.subjs[p] = subj;
    if (this.refs) this.refs[p] = ref;
    this.live++;
  }

  /** Position of the live entry for seq, or -1. */
  find(seq: number): number {
    const p = this.lowerBound(seq);
    return p < this.tail && this.seqs[p] === seq ? p : -1;
  }

  /** First position whose |seq| >= seq (tail when none). */
  lowerBound(seq: number): number {
    const lo = this.head;
    const hi = this.tail;
    const s = this.seqs;
    // Most streams have no gaps between head and seq: try where a dense run would hold it first.
    if (lo < hi) {
      const h = s[lo]!;
      const guess = lo + seq - (h < 0 ? -h : h);
      if (guess >= lo && guess < hi) {
        const v = s[guess]!;
        if ((v < 0 ? -v : v) === seq) return guess;
      }
    }
    return lowerBoundAbs(s, lo, hi, seq);
  }

  /** First position whose time >= time, assuming times ascend with positions (tail when none). */
  lowerBoundTime(time: number): number {
    let lo = this.head;
    let hi = this.tail;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid]! < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First live position >= p, or -1. */
  nextLive(p: number): number {
    const s = this.seqs;
    for (let i = p < this.head ? this.head : p; i < this.tail; i++) if (s[i]! > 0) return i;
    return -1;
  }

  /** Last live position <= p, or -1. */
  prevLive(p: number): number {
    const s = this.seqs;
    for (let i = p >= this.tail ? this.tail - 1 : p; i >= this.head; i--) if (s[i]! > 0) return i;
    return -1;
  }

  firstPos(): number {
    return this.live > 0 ? this.head : -1;
  }

  lastPos(): number {
    return this.live > 0 ? this.prevLive(this.tail - 1) : -1;
  }

  /** One past the last position (for loops). */
  end(): number {
    return this.tail;
  }

  isLive(p: number): boolean {
    return this.seqs[p]! > 0;
  }

  seqAt(p: number): number {
    return this.seqs[p]!;
  }

  timeAt(p: number): number {
    return this.times[p]!;
  }

  sizeAt(p: number): number {
    return this.sizes[p]!;
  }

  subjAt(p: number): number {
    return this.subjs[p]!;
  }

  refAt(p: number): R | undefined {
    return this.refs ? this.refs[p] : undefined;
  }

  removeAt(p: number): void {
    this.seqs[p] = -this.seqs[p]!;
    if (this.refs) this.refs[p] = undefined;
    this.live--;
    const s = this.seqs;
    if (p === this.head) {
      while (this.head < this.tail && s[this.head]! < 0) this.head++;
    }
    // Removed entries at the tail go at once, so that a truncated store appends lower sequences again.
    if (p === this.tail - 1) {
      while (this.tail > this.head && s[this.tail - 1]! < 0) this.tail--;
    }
    if (this.live === 0) this.head = this.tail = 0;
  }

  /** Live entries in positions [from, tail), counting from whichever end is nearer. */
  countLiveFrom(from: number): number {
    if (from <= this.head) return this.live;
    if (from >= this.tail) return 0;
    const s = this.seqs;
    let n = 0;
    if (from - this.head < this.tail - from) {
      for (let i = this.head; i < from; i++) if (s[i]! > 0) n++;
      return this.live - n;
    }
    for (let i = from; i < this.tail; i++) if (s[i]! > 0) n++;
    return n;
  }

  /** Drops removed entries once they outnumber live ones; invalidates positions. */
  compact(): void {
    const dead = this.tail - this.head - this.live;
    if (dead <= 1024 || dead <= this.live) return;
    this.rebuild(Math.max(1024, this.live * 2));
  }

  clear(): void {
    this.head = this.tail = this.live = 0;
    if (this.refs) this.refs = [];
    if (this.seqs.length > 1024) this.rebuild(1024);
  }

  private makeRoom(): void {
    const cap = this.seqs.length;
    // Mostly removed entries (discard old, age): squeeze them out instead of growing.
    this.rebuild(this.live * 2 <= cap ? cap : cap * 2);
  }

  private rebuild(capacity: number): void {
    const seqs = new Float64Array(capacity);
    const times = new Float64Array(capacity);
    const sizes = new Uint32Array(capacity);
    const subjs = new Uint32Array(capacity);
    const refs: (R | undefined)[] | undefined = this.refs ? [] : undefined;
    let n = 0;
    for (let i = this.head; i < this.tail; i++) {
      if (this.seqs[i]! < 0) continue;
      seqs[n] = this.seqs[i]!;
      times[n] = this.times[i]!;
      sizes[n] = this.sizes[i]!;
      subjs[n] = this.subjs[i]!;
      if (refs) refs[n] = this.refs![i];
      n++;
    }
    this.seqs = seqs;
    this.times = times;
    this.sizes = sizes;
    this.subjs = subjs;
    this.refs = refs;
    this.head = 0;
    this.tail = n;
  }
}
