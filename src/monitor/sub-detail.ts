/** One subscription as /connz?subs=detail and /subsz?subs=1 list it (nats-server's SubDetail). */
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
 * `account`: /subsz and closed connections name the account; open connections in /connz do not
 * (nats-server builds those two lists differently). `cid` is 0 for the server's own subscriptions.
 */
export function subDetail(sub: Subscription, cid: number, account?: string): SubDetail {
  return {
    ...(account !== undefined ? { account } : {}),
    subject: wireText(sub.subject),
    ...(sub.queue ? { qgroup: wireText(sub.queue) } : {}),
    sid: wireText(sub.sid),
    msgs: sub.delivered,
    ...(sub.max > 0 ? { max: sub.max } : {}),
    cid,
  };
}
