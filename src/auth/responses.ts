/**
 * `allow_responses`: one connection's record of the reply subjects of requests it received, so that it
 * may publish to them (at most `maxMsgs` times, within `expiresMs`) although its publish permissions
 * would refuse those subjects.
 */
import type { ResponsePermission } from "./permissions.js";

interface Pending {
  at: number;
  sent: number;
}

/** Past this many open replies, expired ones are swept before adding another. */
const SWEEP_AT = 1024;

export class ResponseTracker {
  private readonly replies = new Map<string, Pending>();

  constructor(private readonly perm: ResponsePermission) {}

  /** A message with reply subject `reply` was delivered to the connection. */
  received(reply: string, now = Date.now()): void {
    if (this.replies.size >= SWEEP_AT) this.sweep(now);
    this.replies.set(reply, { at: now, sent: 0 });
  }

  /** Consumes one response to `subject` if it is an open reply; false when it is not (or no longer). */
  mayRespond(subject: string, now = Date.now()): boolean {
    const p = this.replies.get(subject);
    if (p === undefined) return false;
    p.sent++;
    const { maxMsgs, expiresMs } = this.perm;
    if ((maxMsgs > 0 && p.sent > maxMsgs) || (expiresMs > 0 && now - p.at > expiresMs)) {
      this.replies.delete(subject);
      return false;
    }
    if (maxMsgs > 0 && p.sent === maxMsgs) this.replies.delete(subject);
    return true;
  }

  private sweep(now: number): void {
    const ttl = this.perm.expiresMs;
    if (ttl <= 0) return;
    for (const [k, p] of this.replies) if (now - p.at > ttl) this.replies.delete(k);
  }
}
