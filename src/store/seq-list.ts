/**
 * The sequences of one subject, ascending: gives first/last/count in O(1), finds the next message of
 * a subject by binary search (loadNextMsg, numPending with a literal filter) and the oldest one to
 * drop for max_msgs_per_subject.
 *
 * Invariants: items[head..] ascend by |value|; a removed sequence stays in place negated until the
 * list is compacted; items[head] and items[items.length - 1] are live whenever count > 0.
 * Most removals are of the first item (limits, age), which just moves head.
 */
import { lowerBoundAbs } from "../util/sorted.js";

export class SeqList {
  constructor(
    readonly id: number,
    readonly subject: string,
  ) {}

  private items: number[] = [];
  private head = 0;
  count = 0;

  push(seq: number): void {
    this.items.push(seq);
    this.count++;
  }

  first(): number {
    return this.count > 0 ? this.items[this.head]! : 0;
  }

  last(): number {
    return this.count > 0 ? this.items[this.items.length - 1]! : 0;
  }

  remove(seq: number): boolean {
    const p = this.lowerBound(seq);
    if (p >= this.items.length || this.items[p] !== seq) return false;
    this.items[p] = -seq;
    this.count--;
    if (this.count === 0) {
      this.items = [];
      this.head = 0;
      return true;
    }
    while (this.items[this.head]! < 0) this.head++;
    while (this.items[this.items.length - 1]! < 0) this.items.pop();
    const dead = this.items.length - this.count;
    if (dead > 32 && dead > this.count) this.squeeze();
    return true;
  }

  /** The first live sequence >= seq, or 0. */
  nextFrom(seq: number): number {
    const it = this.items;
    for (let p = this.lowerBound(seq); p < it.length; p++) if (it[p]! > 0) return it[p]!;
    return 0;
  }

  /** Live sequences >= seq. */
  countFrom(seq: number): number {
    const it = this.items;
    const from = this.lowerBound(seq);
    if (from <= this.head) return this.count;
    let n = 0;
    if (from - this.head < it.length - from) {
      for (let i = this.head; i < from; i++) if (it[i]! > 0) n++;
      return this.count - n;
    }
    for (let i = from; i < it.length; i++) if (it[i]! > 0) n++;
    return n;
  }

  /** Live sequences, ascending (a copy). */
  toArray(): number[] {
    const out: number[] = [];
    for (let i = this.head; i < this.items.length; i++) if (this.items[i]! > 0) out.push(this.items[i]!);
    return out;
  }

  private lowerBound(seq: number): number {
    return lowerBoundAbs(this.items, this.head, this.items.length, seq);
  }

  private squeeze(): void {
    this.items = this.toArray();
    this.head = 0;
  }
}
