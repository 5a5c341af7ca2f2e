/**
 * The server's own subscriptions and publishes (account links, $SYS services): what the server offers
 * the modules below it that answer or forward messages, so that they need not import it.
 */
import type { Account } from "./account.js";
import type { InternalHandler, Subscription } from "./subscription.js";

export interface InternalMessaging {
  /**
   * A server-internal subscription in `account`; `handler` runs synchronously for each message.
   * `localOnly`: never announced to routes (see Subscription.localOnly).
   */
  subscribeInternal(account: Account, subject: string, handler: InternalHandler, queue?: string, localOnly?: boolean): Subscription;
  unsubscribeInternal(account: Account, sub: Subscription): void;
  /** Publishes a server-generated message; `headers` is a complete NATS/1.0 header block, if any. */
  publishInternal(account: Account, subject: string, reply: string | undefined, body: Buffer | string, headers?: Buffer | string): void;
  /**
   * Routes a message (headers then body in `payload`) within `account` as if published there. `local`:
   * to this server's subscribers only, not to routes (see Outgoing.local).
   */
  publish(from: undefined, account: Account, subject: string, reply: string | undefined, payload: Buffer, hdrLen: number, local?: boolean, routedBy?: string): number;
}
