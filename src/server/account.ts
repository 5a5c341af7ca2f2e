/**
 * An account: a namespace of subjects with its own Sublist. Clients of different accounts never see each
 * other's messages; only exports and imports (see account-links.ts) carry messages across. The global
 * account `$G` always exists; accounts from the config or from JWTs are kept by the AccountRegistry.
 *
 * Subscriptions enter and leave the Sublist through addSub/removeSub/removeSubs only, so that interest
 * listeners (see interest.ts) hear of every change. Counting per pair runs only while someone listens.
 */
import type { AccountLimits } from "../config/options.js";
import { Sublist } from "../subjects/sublist.js";
import { randomBase62 } from "../util/base62.js";
import { isOneShotSubject } from "./one-shot-subjects.js";
import { assert } from "../util/assert.js";
import { InterestCounts, type InterestListener } from "./interest.js";
import type { Subscription } from "./subscription.js";

/** A requester's reply, mapped while a service in this account answers it (see account-links.ts). */
export interface PendingResponse {
  /** The importing account and the reply subject there. */
  to: Account;
  reply: string;
  /** Singleton responses end the mapping after the first response. */
  singleton: boolean;
  expiresAt: number;
}

/**
 * Hears of every subscription entering (`delta` > 0) or leaving (< 0) the account, one by one, with the
 * queue members it stands for as `delta` (a reweighed queue subscription reports the difference).
 * Leaf links keep their own view of the interest this way: each excludes its own.
 */
export type SubWatcher = (sub: Subscription, delta: number) => void;

export class Account {
  /** Read it to match; change it through addSub/removeSub/removeSubs. */
  readonly sublist: Sublist<Subscription>;
  /** Per-pair counts and listeners; null while nobody listens (the common case costs one check). */
  private interest: InterestCounts | null = null;
  /** Replaced, never mutated (see SubWatcher); empty in the common case. */
  private watchers: readonly SubWatcher[] = [];
  /** Connected clients of this account. */
  numClients = 0;
  limits: AccountLimits = {};
  /** `_R_.<random>.`: the reply prefix of requests this account sends through service imports. */
  readonly replyPrefix = `_R_.${randomBase62(6)}.`;
  /** Replies of requests this account's services received through imports, by the mapped subject. */
  readonly responses = new Map<string, PendingResponse>();
  /** Operator mode: the account JWT's name (the account's name is its public key). */
  nameTag = "";
  /** Operator mode: user revocations (user key or "*" -> issued-before time, Unix seconds). */
  revocations: Record<string, number> = {};
  updated = new Date();

  constructor(
    readonly name: string,
    opts: { disableCache?: boolean } = {},
  ) {
    this.sublist = new Sublist<Subscription>({ disableCache: opts.disableCache ?? false, oneShot: isOneShotSubject });
  }

  /**
   * Adds a subscription (a new object, not yet in the list); false, changing nothing, when its subject is
   * not well formed.
   */
  addSub(sub: Subscription): boolean {
    if (!this.sublist.insert(sub)) return false;
    this.interest?.added(sub);
    if (this.watchers.length > 0) this.tellWatchers(sub, sub.weight);
    return true;
  }

  removeSub(sub: Subscription): void {
    if (!this.sublist.remove(sub)) return;
    this.interest?.removed(sub);
    if (this.watchers.length > 0) this.tellWatchers(sub, -sub.weight);
  }

  watchSubs(w: SubWatcher): void {
    this.watchers = [...this.watchers, w];
  }

  unwatchSubs(w: SubWatcher): void {
    this.watchers = this.watchers.filter((x) => x !== w);
  }

  private tellWatchers(sub: Subscription, delta: number): void {
    const ws = this.watchers;
    for (let i = 0; i < ws.length; i++) ws[i]!(sub, delta);
  }

  /**
   * Gives a queue subscription in the list a new weight (see Subscription.weight). Its pair keeps its
   * subscriptions, so no interest event follows; it is re-inserted so that cached matches see it.
   */
  reweigh(sub: Subscription, weight: number): void {
    assert(sub.queue !== undefined, () => `reweigh of plain subscription "${sub.subject}"`);
    if (sub.weight === weight) return;
    const present = this.sublist.remove(sub);
    const was = sub.weight;
    sub.weight = weight;
    if (present) this.sublist.insert(sub);
    if (present && this.watchers.length > 0) this.tellWatchers(sub, weight - was);
  }

  /** Removes a closing connection's subscriptions, all of which are in the list. */
  removeSubs(subs: Iterable<Subscription>): void {
    const counts = this.interest;
    if (counts === null && this.watchers.length === 0) {
      this.sublist.removeBatch(subs);
      return;
    }
    const list = [...subs];
    const removed = this.sublist.removeBatch(list);
    assert(removed === list.length, () => `${list.length - removed} of a connection's subscriptions were not in account ${this.name}`);
    if (counts !== null) for (const sub of list) counts.removed(sub);
    if (this.watchers.length > 0) for (const sub of list) this.tellWatchers(sub, -sub.weight);
  }

  /** Calls `l` on every interest change in this account from now on, until unlistenInterest. */
  listenInterest(l: InterestListener): void {
    (this.interest ??= new InterestCounts(this.sublist.all())).listen(l);
  }

  /** Tells this account's listeners of interest in another account that a stream import carries here. */
  relayInterest(subject: string, weight: number): void {
    this.interest?.relay(subject, weight);
  }

  unlistenInterest(l: InterestListener): void {
    const counts = this.interest;
    if (counts === null) return;
    counts.unlisten(l);
    if (!counts.listening) this.interest = null;
  }

  /**
   * Every (subject, queue) pair with interest now and its weight (see interest.ts): local pairs, or with
   * `remote` those of routes, leaf nodes and gateways.
   */
  forEachInterest(remote: boolean, fn: (subject: string, queue: string | undefined, weight: number) => void): void {
    (this.interest ?? new InterestCounts(this.sublist.all())).forEach(remote, fn);
  }
}
