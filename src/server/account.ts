/**
 * An account: a namespace of subjects with its own Sublist. Clients of different accounts never see each
 * other's messages. The core server has one, the global account `$G`; the security layer adds more.
 */
import { Sublist } from "../subjects/sublist.js";
import type { Subscription } from "./subscription.js";

export const GLOBAL_ACCOUNT = "$G";

export class Account {
  readonly sublist: Sublist<Subscription>;
  /** Connected clients of this account. */
  numClients = 0;

  constructor(
    readonly name: string,
    opts: { disableCache?: boolean } = {},
  ) {
    this.sublist = new Sublist<Subscription>({ disableCache: opts.disableCache ?? false });
  }
}
