/**
 * Delivery of one published message to the subscriptions that match it: every plain subscriber, and one
 * member of each queue group (chosen at random among those that may receive it). A message that came
 * over a route goes to this server's own subscribers only, and to the queue groups the route named.
 */
import type { SublistResult } from "../subjects/sublist.js";
import type { Outgoing } from "./outgoing.js";
import type { Publisher, Subscription } from "./subscription.js";

/** Delivers to one subscription; false if it may not receive (see DeliveryTarget.deliverMessage). */
function deliverTo(sub: Subscription, msg: Outgoing, publisher: Publisher | undefined): boolean {
  const t = sub.target;
  if (t !== null) return t.deliverMessage(sub, msg, publisher);
  msg.server!.stats.outMsgs++;
  sub.handler!(msg.subject, msg.reply, msg.payload, msg.hdrLen, publisher, msg.routedBy);
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

/**
 * Delivers a message that came over a route: to every local plain subscriber, and to one local member
 * of each queue group in `queues` (the groups the sending server chose this server for).
 */
export function deliverRouted(r: SublistResult<Subscription>, msg: Outgoing, publisher: Publisher, queues: readonly string[] | undefined): number {
  let n = 0;
  const plain = r.plain;
  for (let i = 0; i < plain.length; i++) {
    const sub = plain[i]!;
    if (sub.target?.remote !== true && deliverTo(sub, msg, publisher)) n++;
  }
  if (queues !== undefined) {
    for (const members of r.queues) {
      if (!queues.includes(members[0]!.queue!)) continue;
      const len = members.length;
      const start = len === 1 ? 0 : (Math.random() * len) | 0;
      for (let k = 0; k < len; k++) {
        const sub = members[(start + k) % len]!;
        if (sub.target?.remote !== true && deliverTo(sub, msg, publisher)) {
          n++;
          break;
        }
      }
    }
  }
  msg.finish();
  return n;
}
