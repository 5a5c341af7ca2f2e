/**
 * An account: a namespace of subjects with its own Sublist. Clients of different accounts never see each
 * other's messages; only exports and imports (see account-links.ts) carry messages across. The global
 * account `$G` always exists; accounts from the config or from JWTs are kept by the AccountRegistry.
 */
import type { AccountLimits } from "../config/options.js";
import { Sublist } from "../subjects/sublist.js";
import { randomBase62 } from "../util/base62.js";
import { isOneShotSubject } from "./one-shot-subjects.js";
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

export class Account {
  readonly sublist: Sublist<Subscription>;
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
}
