/**
 * Delivery of one published message to the subscriptions that match it: every plain subscriber, and one
 * member of each queue group (chosen at random among those that may receive it).
 */
import type { SublistResult } from "../subjects/sublist.js";
import type { Outgoing } from "./outgoing.js";
import type { Publisher, Subscription } from "./subscription.js";

/** Delivers to one subscription; false if it may not receive (see DeliveryTarget.deliverMessage). */
function deliverTo(sub: Subscription, msg: Outgoing, publisher: Publisher | undefined): boolean {
  const t = sub.target;
  if (t !== null) return t.deliverMessage(sub, msg, publisher);
  msg.server!.stats.outMsgs++;
  sub.handler!(msg.subject, msg.reply, msg.payload, msg.hdrLen, publisher);
  return true;
}

/** Delivers `msg` to a match result; returns how many subscriptions received it. */
export function deliver(r: SublistResult<Subscription>, msg: Outgoing, publisher: Publisher | undefined): number {
  let n = 0;
  const plain = r.plain;
  for (let i = 0; i < plain.length; i++) if (deliverTo(plain[i]!, msg, publisher)) n++;
  const queues = r.queues;
  for (let g = 0; g < queues.length; g++) {
    const members = queues[g]!;
    const len = members.length;
    const start = len === 1 ? 0 : (Math.random() * len) | 0;
    for (let k = 0; k < len; k++) {
      if (deliverTo(members[(start + k) % len]!, msg, publisher)) {
        n++;
        break;
      }
    }
  }
  msg.finish();
  return n;
}
