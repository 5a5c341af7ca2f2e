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

/**
 * The subjects with live messages, each named by a small integer id while it has any, and their live
 * sequences as the store asks about them. Ids, not objects: the file store keeps millions of subjects
 * (KV keys) in typed arrays (file/subject-totals.ts); the memory store keeps a sequence list per subject
 * (subject-index.ts).
 *
 * An id is live while its subject has live messages (count > 0) and may be handed out again after;
 * ids stay below idLimit. The per-id accessors take live ids only.
 */
export interface SubjectIds {
  /** Subjects with live messages. */
  readonly size: number;
  /** One past the highest id handed out (loops over ids and memo arrays are bounded by it). */
  readonly idLimit: number;
  /** The id of subject, or -1 when it has no live message. */
  idOf(subject: string): number;
  subjectOf(id: number): string;
  /** Records seq, above every sequence recorded so far, for subject; returns the subject's id. */
  add(subject: string, seq: number): number;
  /** Forgets a live sequence of subject id; the id is released when it was the last. */
  remove(id: number, seq: number): void;
  /** Live messages of id; 0 for an id that is not live (any id below idLimit may be asked). */
  count(id: number): number;
  first(id: number): number;
  last(id: number): number;
  /** The first live sequence >= seq, or 0. */
  nextFrom(id: number, seq: number): number;
  /** Live sequences >= seq. */
  countFrom(id: number, seq: number): number;
  /** Live sequences, ascending. */
  seqs(id: number): number[];
  clear(): void;
  /** Filter memos keyed by id hear of every id handed out, so that they forget a recycled one. */
  onNewId(listener: (id: number) => void): void;
}
