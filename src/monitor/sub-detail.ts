/** One subscription as /connz?subs=detail and /subsz?subs=1 list it (nats-server's SubDetail). */
import type { Client } from "../server/client.js";
import type { Subscription } from "../server/subscription.js";
import { wireText } from "./format.js";

export interface SubDetail {
  account?: string;
  subject: string;
  qgroup?: string;
  sid: string;
  msgs: number;
  max?: number;
  cid: number;
}

/**
 * `withAccount`: /subsz and closed connections name the account; open connections in /connz do not
 * (nats-server builds those two lists differently).
 */
export function subDetail(sub: Subscription, client: Client, withAccount: boolean): SubDetail {
  return {
    ...(withAccount ? { account: client.account.name } : {}),
    subject: wireText(sub.subject),
    ...(sub.queue ? { qgroup: wireText(sub.queue) } : {}),
    sid: wireText(sub.sid),
    msgs: sub.delivered,
    ...(sub.max > 0 ? { max: sub.max } : {}),
    cid: client.cid,
  };
}
