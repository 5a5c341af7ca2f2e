/**
 * Interest events: an account's subscriptions seen per (subject, queue) pair instead of one by one.
 * Routes send them to their peers as RS+/RS- (leaf nodes and gateways likewise), push consumers wake
 * on them; nobody polls the Sublist.
 *
 * A plain pair's event comes when its first subscription appears (weight 1) and when its last one
 * leaves (weight 0). A queue pair's event comes on every change, with the number of members as its
 * weight (0 when the last leaves): that is the weight nats-server's routes send in `RS+ acc subj queue
 * weight`, and peers choose among queue members by it.
 *
 * Subscriptions of connections that carry another server's interest (routes, leaf nodes, gateways) are
 * counted apart from local ones and reported with `remote` set, so a route can forward local interest
 * only (one hop) while a push consumer sees interest wherever it lives. Local-only internal
 * subscriptions (Subscription.localOnly) are counted with them: they are not this server's to announce.
 *
 * Invariants: a count is the number of subscriptions of that pair and origin in the account's Sublist,
 * and is never kept at 0 (the pair's entry is deleted). Listeners run synchronously, after the Sublist
 * changed, in the order they registered; one that unsubscribes or subscribes from inside gets its own
 * events after the current one has reached every listener registered when it began.
 */
import { assert } from "../util/assert.js";
import type { Subscription } from "./subscription.js";

/** One (subject, queue) pair's interest changed; see the file comment for `weight` and `remote`. */
export type InterestListener = (subject: string, queue: string | undefined, weight: number, remote: boolean) => void;

/** The subscriptions' pair key: the subject, or `subject queue` (neither may contain a space). */
function pairKey(subject: string, queue: string | undefined): string {
  return queue === undefined ? subject : `${subject} ${queue}`;
}

function notAnnounced(sub: Subscription): boolean {
  return sub.localOnly || sub.target?.remote === true;
}

export class InterestCounts {
  private readonly local = new Map<string, number>();
  private readonly remote = new Map<string, number>();
  /** Replaced, never mutated: a listener (un)registering during an event does not disturb its loop. */
  private listeners: readonly InterestListener[] = [];
  /** Events caused by a listener while one is being reported; they follow it, in order. */
  private emitting = false;
  private queued: { sub: Subscription; weight: number }[] | undefined;

  /** Starts from the subscriptions already in the account. */
  constructor(existing: Iterable<Subscription>) {
    for (const sub of existing) this.count(sub, 1);
  }

  get listening(): boolean {
    return this.listeners.length > 0;
  }

  listen(l: InterestListener): void {
    this.listeners = [...this.listeners, l];
  }

  unlisten(l: InterestListener): void {
    this.listeners = this.listeners.filter((x) => x !== l);
  }

  added(sub: Subscription): void {
    const n = this.count(sub, 1);
    if (sub.queue !== undefined || n === 1) this.emit(sub, n);
  }

  removed(sub: Subscription): void {
    const n = this.count(sub, -1);
    if (sub.queue !== undefined || n === 0) this.emit(sub, n);
  }

  /**
   * Another account's interest that reaches this one through a stream import (see account-links.ts):
   * reported to listeners as not announced, and not counted here (it is not this account's).
   */
  relay(subject: string, weight: number): void {
    const ls = this.listeners;
    for (let i = 0; i < ls.length; i++) ls[i]!(subject, undefined, weight, true);
  }

  /** Every pair with interest now, with its weight (a route that comes up sends them all at once). */
  forEach(remote: boolean, fn: (subject: string, queue: string | undefined, weight: number) => void): void {
    for (const [key, n] of remote ? this.remote : this.local) {
      const sp = key.indexOf(" ");
      if (sp < 0) fn(key, undefined, 1);
      else fn(key.slice(0, sp), key.slice(sp + 1), n);
    }
  }

  private count(sub: Subscription, delta: 1 | -1): number {
    const counts = notAnnounced(sub) ? this.remote : this.local;
    const key = pairKey(sub.subject, sub.queue);
    const n = (counts.get(key) ?? 0) + delta;
    assert(n >= 0, () => `interest count of "${key}" below zero`);
    if (n === 0) counts.delete(key);
    else counts.set(key, n);
    return n;
  }

  private emit(sub: Subscription, weight: number): void {
    if (this.emitting) {
      (this.queued ??= []).push({ sub, weight });
      return;
    }
    this.emitting = true;
    try {
      this.emitNow(sub, weight);
      const q = this.queued;
      if (q !== undefined) for (let i = 0; i < q.length; i++) this.emitNow(q[i]!.sub, q[i]!.weight);
    } finally {
      this.emitting = false;
      this.queued = undefined;
    }
  }

  private emitNow(sub: Subscription, weight: number): void {
    const remote = notAnnounced(sub);
    const ls = this.listeners;
    for (let i = 0; i < ls.length; i++) ls[i]!(sub.subject, sub.queue, weight, remote);
  }
}
