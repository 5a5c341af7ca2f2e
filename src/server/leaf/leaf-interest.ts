/**
 * The interest each leaf link is told of (spec §7.3), as nats-server 2.9.10 computes it: a hub tells a
 * leaf of every subscription in the bound account but the leaf's own (its clients', its routes', its
 * other leaves'); a leaf tells its hub only of its own (its clients' and internal ones, and those of leaf
 * links it accepted), never what it learnt from the hub or its routes. Plus, on every link, the account's
 * loop detection subject (`$LDS.<id>`): a server that hears its own back is in a loop.
 *
 * Each link keeps the counts it announced (Leaf.sent); this keeps them current from the account's
 * subscription changes (Account.watchSubs), one subscription at a time.
 *
 * Invariants: a link is in `byAccount` exactly while it is registered and open; its `sent` counts are
 * the visible subscriptions' weights (plus the loop subject), so a count never goes below 0.
 */
import { nuid } from "../../util/base62.js";
import type { Account, SubWatcher } from "../account.js";
import { LOOP_DETECTION_PREFIX, type Leaf } from "../leaf.js";
import type { Subscription } from "../subscription.js";

interface AccountLinks {
  readonly leaves: Set<Leaf>;
  readonly watcher: SubWatcher;
}

export class LeafInterest {
  private readonly byAccount = new Map<Account, AccountLinks>();
  /** Loop detection subjects, made once per account (nats-server keeps them on the account). */
  private readonly loopSubjects = new Map<Account, string>();

  loopSubject(account: Account): string {
    let s = this.loopSubjects.get(account);
    if (s === undefined) {
      s = LOOP_DETECTION_PREFIX + nuid();
      this.loopSubjects.set(account, s);
    }
    return s;
  }

  /** `l` is registered: it is sent the interest it may see now, and every change from now on. */
  join(l: Leaf): void {
    const account = l.account!;
    let links = this.byAccount.get(account);
    if (links === undefined) {
      const leaves = new Set<Leaf>();
      const watcher: SubWatcher = (sub, delta) => {
        for (const x of leaves) if (visible(x, sub)) x.interestChanged(sub.subject, sub.queue, delta);
      };
      links = { leaves, watcher };
      this.byAccount.set(account, links);
      account.watchSubs(watcher);
    }
    links.leaves.add(l);
    for (const sub of account.sublist.all()) if (visible(l, sub)) l.interestChanged(sub.subject, sub.queue, sub.weight);
    l.interestChanged(this.loopSubject(account), undefined, 1);
  }

  leave(l: Leaf): void {
    const account = l.account;
    if (account === undefined) return;
    const links = this.byAccount.get(account);
    if (links === undefined || !links.leaves.delete(l)) return;
    if (links.leaves.size > 0) return;
    account.unwatchSubs(links.watcher);
    this.byAccount.delete(account);
  }

  /** The links bound to `account` (for the loop check and monitoring). */
  linksOf(account: Account): ReadonlySet<Leaf> {
    return this.byAccount.get(account)?.leaves ?? new Set();
  }
}

/** Whether `l`'s peer is told of `sub` (see the file comment). */
function visible(l: Leaf, sub: Subscription): boolean {
  const t = sub.target;
  if (t === l) return false;
  // A leaf tells its hub of its own interest only: not its routes' nor its other hubs'.
  if (l.solicited && t !== null && t.remote) return false;
  if (sub.subject.startsWith(LOOP_DETECTION_PREFIX)) return true;
  return !l.denyIn.denies(sub.subject);
}
