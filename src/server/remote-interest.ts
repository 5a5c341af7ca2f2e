/**
 * A peer's interest as one connection keeps it (a route's RS+/RS-, a leaf's LS+/LS-): each announced
 * `subject[ queue]` is one subscription of that connection in an account's Sublist, so a local publish
 * matches it like any other. A queue group's announcement comes again when its weight changes: the
 * subscription stays and is reweighed. Its weight makes local choices pick the peer as often as its
 * members (nats-server does the same).
 *
 * Invariant: `subs` holds exactly the owner's peer subscriptions that are in their accounts' Sublists.
 */
import type { Account } from "./account.js";
import { Subscription, type DeliveryTarget } from "./subscription.js";

export type AddResult = "added" | "reweighed" | "invalid";

export class RemoteInterest {
  private readonly subs = new Map<string, { sub: Subscription; account: Account }>();

  constructor(private readonly owner: DeliveryTarget) {}

  get size(): number {
    return this.subs.size;
  }

  *subscriptions(): Iterable<Subscription> {
    for (const e of this.subs.values()) yield e.sub;
  }

  /** `key` names subject and queue (and the account, where one connection carries several). */
  add(account: Account, key: string, subject: string, queue: string | undefined, announcedWeight: number | undefined): AddResult {
    const weight = queue !== undefined && announcedWeight !== undefined && announcedWeight > 1 ? announcedWeight : 1;
    const known = this.subs.get(key);
    if (known !== undefined) {
      if (queue !== undefined) known.account.reweigh(known.sub, weight);
      return "reweighed";
    }
    const sub = new Subscription(this.owner, subject, queue, key);
    sub.weight = weight;
    if (!account.addSub(sub)) return "invalid";
    this.subs.set(key, { sub, account });
    return "added";
  }

  remove(key: string): void {
    const e = this.subs.get(key);
    if (e === undefined) return;
    this.subs.delete(key);
    e.account.removeSub(e.sub);
  }

  /** The connection closed: every subscription leaves its Sublist, a batch per account. */
  clear(): void {
    const byAccount = new Map<Account, Subscription[]>();
    for (const { sub, account } of this.subs.values()) {
      const list = byAccount.get(account);
      if (list === undefined) byAccount.set(account, [sub]);
      else list.push(sub);
    }
    this.subs.clear();
    for (const [account, list] of byAccount) account.removeSubs(list);
  }
}
