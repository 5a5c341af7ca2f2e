/**
 * This server's interest as its routes see it: what to send them (RS+/RS-) when local subscriptions
 * change, and everything at once for a route that just came up. nats-server 2.9.10's rules
 * (updateRouteSubscriptionMap):
 * - per account, subject and queue group, local subscriptions are counted;
 * - a plain subject is announced on its first subscription (`RS+ acc subj`) and withdrawn after its
 *   last (`RS- acc subj`); more subscribers change nothing on the wire;
 * - a queue group is announced with its member count as weight on every change
 *   (`RS+ acc subj q n`), and withdrawn when empty (`RS- acc subj q`), so that peers can weigh it
 *   when they pick members across the cluster.
 * Only clients' subscriptions count: interest that came over a route, a gateway, or that a service
 * import made is never passed on (one hop). The caller feeds only those.
 *
 * Invariant: every count kept is positive (an entry is deleted when its count reaches 0).
 */
import { encodeRsMinus, encodeRsPlus } from "../../protocol/route-ops.js";

interface Entry {
  subject: string;
  queue?: string;
  count: number;
}

export class RouteInterest {
  /** account -> (subject or "subject queue") -> entry. */
  private readonly accounts = new Map<string, Map<string, Entry>>();

  /**
   * A local subscription came (`delta` 1) or went (-1). Returns the line to send to every route, or
   * undefined when the wire does not change.
   */
  change(account: string, subject: string, queue: string | undefined, delta: 1 | -1): string | undefined {
    let entries = this.accounts.get(account);
    const key = queue === undefined ? subject : `${subject} ${queue}`;
    const e = entries?.get(key);
    if (e === undefined) {
      // Removing what was never announced (e.g. a subscription made before the route layer knew of it) is nothing.
      if (delta < 0) return undefined;
      if (!entries) this.accounts.set(account, (entries = new Map()));
      entries.set(key, { subject, ...(queue !== undefined && { queue }), count: 1 });
      return encodeRsPlus(account, subject, queue, queue === undefined ? undefined : 1);
    }
    e.count += delta;
    if (e.count <= 0) {
      entries!.delete(key);
      if (entries!.size === 0) this.accounts.delete(account);
      return encodeRsMinus(account, subject, queue);
    }
    return queue === undefined ? undefined : encodeRsPlus(account, subject, queue, e.count);
  }

  /** Every account's interest, as the RS+ lines a route that just registered is sent. */
  snapshot(): string[] {
    const out: string[] = [];
    for (const [account, entries] of this.accounts)
      for (const e of entries.values()) out.push(encodeRsPlus(account, e.subject, e.queue, e.queue === undefined ? undefined : e.count));
    return out;
  }
}
