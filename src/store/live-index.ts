/**
 * What the shared store logic (store-core.ts) needs of an index of live messages, so that the memory
 * store can keep every message in memory (msg-index.ts, seq-list.ts) while the file store keeps per
 * block only a summary and loads the rest on demand (file/block-set.ts, file/subject-totals.ts).
 *
 * Positions are opaque numbers ordered like sequences: p + 1 is "after p", p - 1 "before p", and a
 * position stays valid until compact() runs. Accessors (seqAt, timeAt, ...) take live positions only.
 */

export interface LiveIndex<R> {
  /** Number of live messages. */
  readonly live: number;
  append(seq: number, time: number, size: number, subj: number, ref: R | undefined): void;
  /** Position of the live message seq, or -1. */
  find(seq: number): number;
  /** First position whose sequence is >= seq. */
  lowerBound(seq: number): number;
  /** First position whose time is >= time (times follow sequences, up to clock steps). */
  lowerBoundTime(time: number): number;
  /** First live position >= p, or -1. */
  nextLive(p: number): number;
  /** Last live position <= p, or -1. */
  prevLive(p: number): number;
  firstPos(): number;
  lastPos(): number;
  seqAt(p: number): number;
  timeAt(p: number): number;
  sizeAt(p: number): number;
  /** The subject id (subject-index.ts) of the message at p. */
  subjAt(p: number): number;
  refAt(p: number): R | undefined;
  removeAt(p: number): void;
  /** Live messages at positions >= p. */
  countLiveFrom(p: number): number;
  /** Lets the index drop removed entries; invalidates positions. */
  compact(): void;
}

/** A subject with live messages, and its live sequences as the store asks about them. */
export interface SubjectEntry {
  /** A small integer naming the subject while it has live messages (subject-index.ts). */
  readonly id: number;
  readonly subject: string;
  readonly count: number;
  /** Records seq, which is above every sequence recorded so far. */
  push(seq: number): void;
  /** Forgets a live sequence of this subject. */
  remove(seq: number): void;
  /** 0 when empty. */
  first(): number;
  last(): number;
  /** The first live sequence >= seq, or 0. */
  nextFrom(seq: number): number;
  /** Live sequences >= seq. */
  countFrom(seq: number): number;
  /** Live sequences, ascending. */
  toArray(): number[];
}
