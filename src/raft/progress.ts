/**
 * What a leader knows of one peer's log, and how far it may send ahead of the peer's answers
 * (pipelining: up to `window` entries in flight, in batches).
 */
import type { Index } from "./types.js";

export class Progress {
  /** The next entry to send: optimistic, moves ahead as batches go out and back on a rejection. */
  next: Index;
  /** How far the peer's log is known to equal the leader's. */
  matched: Index = 0;
  /** How far that matching prefix is fdatasynced on the peer: what counts toward commit. */
  durable: Index = 0;
  /** Virtual time of the last answer (check-quorum), and of the last progress (retransmission). */
  heardAt: number;
  progressAt: number;
  /** When a snapshot went out and is not answered yet (undefined: none in flight). */
  snapshotSentAt: number | undefined;

  constructor(next: Index, now: number) {
    this.next = next;
    this.heardAt = now;
    this.progressAt = now;
  }

  /** Entries sent and not yet known to have arrived. */
  inFlight(): number {
    return this.next - 1 - this.matched;
  }

  /** Resend from the last known match: what was in flight is presumed lost. */
  rewind(now: number): void {
    this.next = this.matched + 1;
    this.progressAt = now;
  }
}
