/**
 * Push delivery's view of the receiver: flow control (a window of bytes in flight, grown as the client
 * answers `$JS.FC…` requests) and whether the deliver subject has a receiver that keeps up.
 */
import type { Server } from "../../server/server.js";
import type { Account } from "../../server/account.js";
import { randomBase62 } from "../../util/base62.js";

/** Flow control: bytes in flight allowed at most, and the window it starts with (nats-server's values). */
const FC_LIMIT = 32 * 1024 * 1024;

export class FlowControl {
  max = FC_LIMIT / 16;
  bytes = 0;
  /** Reply subject of the outstanding request, if any. */
  id: string | undefined;
  size = 0;

  /** `$JS.FC.<stream>.<consumer>.` — what every request's reply subject starts with. */
  constructor(private readonly prefix: string) {}

  /** True while the window is full: delivery waits for the client's answer. */
  get blocked(): boolean {
    return this.bytes > this.max;
  }

  /** Starts the window afresh (a new receiver never saw an outstanding request). */
  reset(): void {
    this.max = FC_LIMIT / 16;
    this.bytes = 0;
    this.id = undefined;
    this.size = 0;
  }

  /** Counts a delivered message; returns the reply subject of a request to send now, if one is due. */
  delivered(size: number): string | undefined {
    this.bytes += size;
    if (this.id === undefined && this.bytes > this.max / 2) {
      this.id = `${this.prefix}${randomBase62(4)}`;
      this.size = this.bytes;
      return this.id;
    }
    if (this.id !== undefined && this.bytes - this.size >= this.max) this.size += size;
    return undefined;
  }

  /** The client answered `subject`; true when it was the outstanding request (delivery may resume). */
  replied(subject: string): boolean {
    if (subject !== this.id) return false;
    if (this.max < FC_LIMIT) this.max = Math.min(this.max * 2, FC_LIMIT);
    this.bytes = Math.max(0, this.bytes - this.size);
    this.id = undefined;
    this.size = 0;
    return true;
  }
}

/**
 * Whether the deliver subject has a receiver, and whether one is congested: its outbound backlog
 * passed a quarter of max_pending (for a queue group: every member's).
 */
export function pushTarget(server: Server, account: Account, subject: string): "none" | "congested" | "ok" {
  const r = account.sublist.match(subject);
  if (r.plain.length + r.queues.length === 0) return "none";
  const limit = server.opts.maxPending / 4;
  for (const sub of r.plain) if (sub.client !== null && sub.client.pending > limit) return "congested";
  for (const g of r.queues) {
    let all = g.length > 0;
    for (const sub of g) if (sub.client === null || sub.client.pending <= limit) all = false;
    if (all) return "congested";
  }
  return "ok";
}
