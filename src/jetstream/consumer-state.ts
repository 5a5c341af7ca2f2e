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

/** A delivered, unacknowledged message. `ts` is when its ack wait started (ms since the epoch). */
export interface Pending {
  cseq: number;
  ts: number;
}

/** Receives every state change, in order (consumer-store.ts persists them). */
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

/**
 * Pending messages in stream-sequence order. Messages are added in ascending order (a consumer never
 * goes back for a first delivery), so an append-only array with lazy removal gives the oldest pending
 * message in amortized O(1), which the ack floor needs after every acknowledgement.
 */
export class PendingSet {
  readonly map = new Map<number, Pending>();
  private order: number[] = [];
  private head = 0;

  get size(): number {
    return this.map.size;
  }

  get(sseq: number): Pending | undefined {
    return this.map.get(sseq);
  }

  has(sseq: number): boolean {
    return this.map.has(sseq);
  }

  add(sseq: number, p: Pending): void {
    const n = this.order.length;
    if (n > this.head && this.order[n - 1]! >= sseq) {
      // Out of order (only after a reset to an earlier sequence): keep the order array sorted.
      this.map.set(sseq, p);
      this.order = [...this.map.keys()].sort((a, b) => a - b);
      this.head = 0;
      return;
    }
    this.map.set(sseq, p);
    this.order.push(sseq);
  }

  delete(sseq: number): boolean {
    if (!this.map.delete(sseq)) return false;
    if (this.map.size === 0) {
      this.order = [];
      this.head = 0;
    }
    return true;
  }

  /** The oldest pending stream sequence, 0 when none. */
  first(): number {
    const o = this.order;
    while (this.head < o.length && !this.map.has(o[this.head]!)) this.head++;
    if (this.head > 1024 && this.head > o.length / 2) {
      this.order = o.slice(this.head);
      this.head = 0;
    }
    return this.head < this.order.length ? this.order[this.head]! : 0;
  }

  /** Pending sequences at or below `sseq`, ascending. */
  upTo(sseq: number): number[] {
    const out: number[] = [];
    for (let i = this.head; i < this.order.length; i++) {
      const s = this.order[i]!;
      if (s > sseq) break;
      if (this.map.has(s)) out.push(s);
    }
    return out;
  }

  clear(): void {
    this.map.clear();
    this.order = [];
    this.head = 0;
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
        this.pending.add(sseq, { cseq, ts });
      }
    } else {
      const p = this.pending.get(sseq);
      if (p !== undefined) p.ts = ts;
      this.redelivered.set(sseq, dc);
    }
    this.log?.deliver(sseq, dc, ts);
    return cseq;
  }

  /** An explicit ack (or term): returns the pending entry it removed, if any. */
  ack(sseq: number): Pending | undefined {
    const p = this.pending.get(sseq);
    const hadRdc = this.redelivered.delete(sseq);
    if (p === undefined) {
      if (hadRdc) this.log?.ack(sseq);
      return undefined;
    }
    this.pending.delete(sseq);
    this.moveFloor();
    this.log?.ack(sseq);
    return p;
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
    const p = this.pending.get(sseq);
    if (p === undefined) return;
    p.ts = ts;
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
    const p = this.pending.get(first)!;
    this.ackFloorStream = first - 1;
    this.ackFloorConsumer = p.cseq - 1;
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
  for (const seq of s.pending.upTo(Number.MAX_SAFE_INTEGER)) {
    const p = s.pending.get(seq)!;
    pending.push([seq, p.cseq, p.ts]);
  }
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
  for (const [seq, cseq, ts] of snap.pending) s.pending.add(seq, { cseq, ts });
  for (const [seq, dc] of snap.redelivered) s.redelivered.set(seq, dc);
}
