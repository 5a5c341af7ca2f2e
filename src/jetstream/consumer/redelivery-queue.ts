/**
 * The queue of messages due for redelivery, in the order they fell due. The set is the truth; removal
 * from the array is lazy: entries no longer in the set are skipped when they reach the head.
 */
export class RedeliveryQueue {
  private seqs: number[] = [];
  private head = 0;
  private readonly set = new Set<number>();

  get size(): number {
    return this.set.size;
  }

  has(seq: number): boolean {
    return this.set.has(seq);
  }

  add(seq: number): void {
    this.seqs.push(seq);
    this.set.add(seq);
  }

  delete(seq: number): void {
    this.set.delete(seq);
  }

  /** The head entry (possibly no longer due: check `has`), 0 when the queue is empty. */
  peek(): number {
    return this.head < this.seqs.length ? this.seqs[this.head]! : 0;
  }

  /** Drops the head (delivered, or no longer due). */
  pop(): void {
    const seq = this.seqs[this.head++]!;
    this.set.delete(seq);
    if (this.head === this.seqs.length) {
      this.seqs = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head > this.seqs.length / 2) {
      this.seqs = this.seqs.slice(this.head);
      this.head = 0;
    }
  }
}
