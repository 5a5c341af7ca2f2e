/**
 * An account's JetStream usage across the cluster, for the meta leader's `$JS.API.INFO` answer: every
 * clustered JetStream server answers `$JSC.ARU.<account>` (system account) with what the account's
 * streams use on it, and the asker sums the answers of every online peer. nats-server sums the same
 * per-server figures (each server's share arrives on `$JSC.ARU.<account>.<node>` as it changes); asking
 * at the request gives the figures of that moment, with no state to expire when a server goes.
 *
 * Storage counts every replica's copy, as nats-server's does: an R3 stream of n bytes uses 3n.
 */
import type { Account } from "../../server/account.js";
import type { Server } from "../../server/server.js";
import type { Subscription } from "../../server/subscription.js";
import type { JsAccount } from "../js-account.js";
import { gatherInternal } from "./internal-request.js";

const SUBJECT_PREFIX = "$JSC.ARU.";
/** The longest the leader waits for the peers' shares (an absent one times out: the rest is answered). */
const GATHER_MS = 1000;

/** One server's share, or the cluster's sum. */
export interface UsageShare {
  memory: number;
  storage: number;
  api: { total: number; errors: number };
}

export function shareOf(jsa: JsAccount | undefined): UsageShare {
  if (jsa === undefined) return { memory: 0, storage: 0, api: { total: 0, errors: 0 } };
  const u = jsa.usage();
  return { memory: u.memory, storage: u.storage, api: { total: jsa.apiStats.total, errors: jsa.apiStats.errors } };
}

/** Answers the usage requests on this server. */
export class UsageResponder {
  private readonly sub: Subscription;

  constructor(
    private readonly server: Server,
    private readonly sys: Account,
    jsAccount: (account: string) => JsAccount | undefined,
  ) {
    this.sub = server.subscribeInternal(sys, `${SUBJECT_PREFIX}*`, (subject, reply) => {
      if (reply === undefined) return;
      server.publishInternal(sys, reply, undefined, JSON.stringify(shareOf(jsAccount(subject.slice(SUBJECT_PREFIX.length)))));
    });
  }

  stop(): void {
    this.server.unsubscribeInternal(this.sys, this.sub);
  }
}

/** The account's usage summed over the `peers` online servers (this one included); undefined when none answered. */
export async function clusterUsage(server: Server, sys: Account, account: string, peers: number): Promise<UsageShare | undefined> {
  const answers = await gatherInternal(server, sys, `${SUBJECT_PREFIX}${account}`, "", peers, GATHER_MS);
  if (answers.length === 0) return undefined;
  const sum: UsageShare = { memory: 0, storage: 0, api: { total: 0, errors: 0 } };
  for (const a of answers) {
    let s: UsageShare;
    try {
      s = JSON.parse(a.toString("utf8")) as UsageShare;
    } catch {
      continue;
    }
    sum.memory += s.memory;
    sum.storage += s.storage;
    sum.api.total += s.api.total;
    sum.api.errors += s.api.errors;
  }
  return sum;
}
