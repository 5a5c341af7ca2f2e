/**
 * A consumer's delivery state, as a deterministic state machine: the next stream and consumer
 * sequences, the ack floor, the messages delivered and not yet acknowledged (pending) and the delivery
 * counts of redelivered messages. Every change goes through one of the operations below and is
 * reported to a `StateLog`; replaying the same operations on a fresh state rebuilds it exactly, which is
 * how the file store recovers a consumer.
 *
 * Semantics follow nats-server: the consumer sequence advances on every delivery, redeliveries
 * included; a pending entry keeps the consumer sequence of its first delivery; the ack floor is just
 * below the oldest pending message, or at the last delivery when nothing is pending.
 */
import { lowerBoundAbs } from "../../util/sorted.js";

/** A delivered, unacknowledged message. `ts` is when its ack wait started (ms since the epoch). */
export interface Pending {
  cseq: number;
  ts: number;
}

/** Receives every state change, in order (store.ts persists them). */
export interface StateLog {
  deliver(sseq: number, dc: number, ts: number): void;
  ack(sseq: number): void;
  ackAll(sseq: number, cseq: number): void;
  touch(sseq: number, ts: number): void;
  maxDelivered(sseq: number, dc: number): void;
  forget(sseq: number): void;
  setNext(sseq: number): void;
  reset(sseq: number): void;
}

const NONE = new Float64Array(0);
/** Capacity an empty set keeps. */
const KEEP_EMPTY = 1024;
/**
 * First capacity: 8 doubles (64 bytes) is the largest typed array V8 keeps inside its heap, with no
 * backing store to allocate and track; 1,000 recovered consumers with a few pending each allocated
 * 3,000 backing stores at start with the earlier 64 (issue #10).
 */
const MIN_CAP = 8;

/**
 * Pending messages in stream-sequence order. Messages are added in ascending order (a consumer never
 * goes back for a first delivery, except after a reset), so the entries sit in parallel arrays at
 * positions [head, tail), sorted by sequence: a lookup is a check of the oldest entry (acks mostly come
 * in order) or a binary search, an ack marks its entry removed (sequence negated, order kept), and the
 * oldest pending message, which the ack floor needs after every ack, is the head. No object and no hash
 * table per message: a pull consumer adds and removes one entry per message.
 */
export class PendingSet {
  // Allocated by the first add: a recovered consumer with nothing pending holds no arrays.
  private seqs = NONE;
  private cseqs = NONE;
  private tss = NONE;
  private head = 0;
  private tail = 0;
  /** Number of live entries. Invariant: when size > 0, position head is live. */
  size = 0;

  /** Position of the live entry of `sseq`, or -1. */
  private find(sseq: number): number {
    if (this.size === 0) return -1;
    const s = this.seqs;
    if (s[this.head] === sseq) return this.head;
    const lo = lowerBoundAbs(s, this.head, this.tail, sseq);
    return lo < this.tail && s[lo] === sseq ? lo : -1;
  }

  has(sseq: number): boolean {
    return this.find(sseq) >= 0;
  }

  /** A copy of the entry of `sseq`. */
  get(sseq: number): Pending | undefined {
    const p = this.find(sseq);
    return p < 0 ? undefined : { cseq: this.cseqs[p]!, ts: this.tss[p]! };
  }

  /** Consumer sequence of the first delivery of `sseq`, 0 when it is not pending. */
  cseqOf(sseq: number): number {
    const p = this.find(sseq);
    return p < 0 ? 0 : this.cseqs[p]!;
  }

  /** Restarts the ack wait of `sseq`; false when it is not pending. */
  setTs(sseq: number, ts: number): boolean {
    const p = this.find(sseq);
    if (p < 0) return false;
    this.tss[p] = ts;
    return true;
  }

  add(sseq: number, cseq: number, ts: number): void {
    if (this.size > 0 && Math.abs(this.seqs[this.tail - 1]!) >= sseq) {
      // Out of order (only after a reset to an earlier sequence).
      const q = this.find(sseq);
      if (q >= 0) {
        this.cseqs[q] = cseq;
        this.tss[q] = ts;
        return;
      }
    }
    if (this.tail === this.seqs.length) this.makeRoom();
    let p = this.tail++;
    const s = this.seqs;
    // Later entries (out of order only) move up to keep the order.
    for (; p > this.head; p--) {
      const v = s[p - 1]!;
      if ((v < 0 ? -v : v) < sseq) break;
      s[p] = v;
      this.cseqs[p] = this.cseqs[p - 1]!;
      this.tss[p] = this.tss[p - 1]!;
    }
    s[p] = sseq;
    this.cseqs[p] = cseq;
    this.tss[p] = ts;
    if (this.size === 0) this.head = p;
    this.size++;
  }

  delete(sseq: number): boolean {
    const p = this.find(sseq);
    if (p < 0) return false;
    const s = this.seqs;
    s[p] = -sseq;
    if (--this.size === 0) {
      this.clear();
    } else if (p === this.head) {
      let h = p + 1;
      while (s[h]! < 0) h++;
      this.head = h;
    }
    return true;
  }

  /** The oldest pending stream sequence, 0 when none. */
  first(): number {
    return this.size === 0 ? 0 : this.seqs[this.head]!;
  }

  /** Pending sequences at or below `sseq`, ascending. */
  upTo(sseq: number): number[] {
    const out: number[] = [];
    const s = this.seqs;
    for (let i = this.head; i < this.tail; i++) {
      const v = s[i]!;
      if (v > sseq) break;
      if (v > 0) out.push(v);
    }
    return out;
  }

  /** Every pending stream sequence, ascending. */
  all(): number[] {
    return this.upTo(Number.POSITIVE_INFINITY);
  }

  /** Every pending message, oldest first. */
  forEach(fn: (sseq: number, cseq: number, ts: number) => void): void {
    const s = this.seqs;
    for (let i = this.head; i < this.tail; i++) if (s[i]! > 0) fn(s[i]!, this.cseqs[i]!, this.tss[i]!);
  }

  clear(): void {
    this.head = this.tail = this.size = 0;
    // Arrays sized by a past peak go; small ones stay for the next deliveries.
    if (this.seqs.length > KEEP_EMPTY) this.seqs = this.cseqs = this.tss = NONE;
  }

  /**
   * Room for one more at the tail: removed entries are dropped; the arrays grow when still over half
   * full, and shrink when under an eighth full, so that they follow what is pending now, not its peak.
   */
  private makeRoom(): void {
    const n = this.size;
    const cap = this.seqs.length;
    const want = n * 2 + MIN_CAP;
    const next = want > cap ? Math.max(cap * 2, MIN_CAP) : want * 4 < cap ? want : cap;
    const fresh = next !== cap;
    const seqs = fresh ? new Float64Array(next) : this.seqs;
    const cseqs = fresh ? new Float64Array(next) : this.cseqs;
    const tss = fresh ? new Float64Array(next) : this.tss;
    let k = 0;
    for (let i = this.head; i < this.tail; i++) {
      const v = this.seqs[i]!;
      if (v <= 0) continue;
      seqs[k] = v;
      cseqs[k] = this.cseqs[i]!;
      tss[k] = this.tss[i]!;
      k++;
    }
    this.seqs = seqs;
    this.cseqs = cseqs;
    this.tss = tss;
    this.head = 0;
    this.tail = k;
  }
}

export class ConsumerState {
  /** Next stream sequence to examine for a first delivery. */
  sseq = 1;
  /** Consumer sequence of the next delivery. */
  dseq = 1;
  ackFloorStream = 0;
  ackFloorConsumer = 0;
  readonly pending = new PendingSet();
  /** Delivery counts of messages delivered more than once (kept after max_deliver until they leave the stream). */
  readonly redelivered = new Map<number, number>();
  /** Ack policy none: a delivery is acknowledged at once. */
  ackNone = false;
  log: StateLog | undefined;

  /** Number of times `sseq` has been delivered (1 for a first delivery or an unknown message). */
  deliveryCount(sseq: number): number {
    return this.redelivered.get(sseq) ?? 1;
  }

  /** Records a delivery; returns its consumer sequence. `dc` > 1 marks a redelivery. */
  deliver(sseq: number, dc: number, ts: number): number {
    const cseq = this.dseq++;
    if (dc === 1) {
      if (sseq >= this.sseq) this.sseq = sseq + 1;
      if (this.ackNone) {
        this.ackFloorConsumer = cseq;
        this.ackFloorStream = sseq;
      } else {
        this.pending.add(sseq, cseq, ts);
      }
    } else {
      this.pending.setTs(sseq, ts);
      this.redelivered.set(sseq, dc);
    }
    this.log?.deliver(sseq, dc, ts);
    return cseq;
  }

  /** An explicit ack (or term): true when it removed a pending message. */
  ack(sseq: number): boolean {
    const hadRdc = this.redelivered.size > 0 && this.redelivered.delete(sseq);
    if (!this.pending.delete(sseq)) {
      if (hadRdc) this.log?.ack(sseq);
      return false;
    }
    this.moveFloor();
    this.log?.ack(sseq);
    return true;
  }

  /**
   * Ack policy all: everything up to `sseq` is acknowledged. Returns the stream sequences that were
   * pending and are now done (for retention), or undefined when the ack is below the floor.
   */
  ackAll(sseq: number, cseq: number): number[] | undefined {
    if (sseq <= this.ackFloorStream || cseq <= this.ackFloorConsumer) return undefined;
    const done = this.pending.upTo(sseq);
    for (const s of done) {
      this.pending.delete(s);
      this.redelivered.delete(s);
    }
    this.ackFloorStream = sseq;
    this.ackFloorConsumer = cseq;
    if (this.pending.size === 0) this.floorAtDelivered();
    this.log?.ackAll(sseq, cseq);
    return done;
  }

  /** Restarts the ack wait of a pending message (+WPI, -NAK with a delay). */
  touch(sseq: number, ts: number): void {
    if (!this.pending.setTs(sseq, ts)) return;
    this.log?.touch(sseq, ts);
  }

  /** max_deliver reached: no more redeliveries; the delivery count is kept while the message exists. */
  maxDelivered(sseq: number, dc: number): void {
    if (!this.pending.delete(sseq)) return;
    if ((this.redelivered.get(sseq) ?? 0) < dc) this.redelivered.set(sseq, dc);
    this.moveFloor();
    this.log?.maxDelivered(sseq, dc);
  }

  /** The message left the stream: nothing more to track about it. Returns the pending entry, if any. */
  forget(sseq: number): Pending | undefined {
    const p = this.pending.get(sseq);
    const hadRdc = this.redelivered.delete(sseq);
    if (p === undefined && !hadRdc) return undefined;
    if (p !== undefined) {
      this.pending.delete(sseq);
      this.moveFloor();
    }
    this.log?.forget(sseq);
    return p;
  }

  /** Moves the scan pointer (start position, deliver last per subject, purges). */
  setNext(sseq: number): void {
    if (sseq === this.sseq) return;
    this.sseq = sseq;
    if (this.pending.size === 0) this.floorAtDelivered();
    this.log?.setNext(sseq);
  }

  /** Starts over from `sseq`: nothing pending, consumer sequence 1. */
  reset(sseq: number): void {
    this.pending.clear();
    this.redelivered.clear();
    this.sseq = sseq;
    this.dseq = 1;
    this.ackFloorConsumer = 0;
    this.ackFloorStream = sseq - 1;
    this.log?.reset(sseq);
  }

  private moveFloor(): void {
    const first = this.pending.first();
    if (first === 0) {
      this.floorAtDelivered();
      return;
    }
    this.ackFloorStream = first - 1;
    this.ackFloorConsumer = this.pending.cseqOf(first) - 1;
  }

  private floorAtDelivered(): void {
    this.ackFloorConsumer = this.dseq - 1;
    this.ackFloorStream = this.sseq - 1;
  }
}

/** The whole state at one moment (compaction of the state log, info of a stopped consumer). */
export interface StateSnapshot {
  sseq: number;
  dseq: number;
  ackFloorStream: number;
  ackFloorConsumer: number;
  /** [stream seq, consumer seq, ack wait start] in stream order. */
  pending: [number, number, number][];
  /** [stream seq, delivery count]. */
  redelivered: [number, number][];
}

export function snapshotOf(s: ConsumerState): StateSnapshot {
  const pending: [number, number, number][] = [];
  s.pending.forEach((seq, cseq, ts) => pending.push([seq, cseq, ts]));
  return {
    sseq: s.sseq,
    dseq: s.dseq,
    ackFloorStream: s.ackFloorStream,
    ackFloorConsumer: s.ackFloorConsumer,
    pending,
    redelivered: [...s.redelivered.entries()],
  };
}

/** Replaces the state of `s` by a snapshot, without logging. */
export function restoreSnapshot(s: ConsumerState, snap: StateSnapshot): void {
  s.pending.clear();
  s.redelivered.clear();
  s.sseq = snap.sseq;
  s.dseq = snap.dseq;
  s.ackFloorStream = snap.ackFloorStream;
  s.ackFloorConsumer = snap.ackFloorConsumer;
  for (const [seq, cseq, ts] of snap.pending) s.pending.add(seq, cseq, ts);
  for (const [seq, dc] of snap.redelivered) s.redelivered.set(seq, dc);
}
