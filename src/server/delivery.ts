/**
 * Delivery of one published message to the subscriptions that match it: every plain subscriber, and one
 * member of each queue group (chosen at random among those that may receive it; a member behind a leaf
 * link only when no other takes it). A message that came over a route goes to this server's own
 * subscribers only, and to the queue groups the route named; one that came over a leaf link likewise,
 * and also to the routes and other leaf links with interest.
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
  for (let g = 0; g < queues.length; g++) if (deliverToGroup(queues[g]!, msg, publisher, true)) n++;
  msg.finish();
  return n;
}

/**
 * Delivers to one member of a queue group, starting at a random one; members behind a leaf link only
 * when no other member takes it. `remoteToo`: members of route and leaf links may be chosen at all.
 */
function deliverToGroup(members: readonly Subscription[], msg: Outgoing, publisher: Publisher | undefined, remoteToo: boolean): boolean {
  const len = members.length;
  const start = len === 1 ? 0 : (Math.random() * len) | 0;
  let fallbacks = false;
  for (let k = 0; k < len; k++) {
    const sub = members[(start + k) % len]!;
    const t = sub.target;
    if (t !== null) {
      if (t.queueFallback === true) {
        fallbacks = true;
        continue;
      }
      if (!remoteToo && t.remote) continue;
    }
    if (deliverTo(sub, msg, publisher)) return true;
  }
  if (!fallbacks) return false;
  for (let k = 0; k < len; k++) {
    const sub = members[(start + k) % len]!;
    const t = sub.target;
    if (t === null || t.queueFallback !== true || (!remoteToo && t.remote)) continue;
    if (deliverTo(sub, msg, publisher)) return true;
  }
  return false;
}

/**
 * Delivers a message that came over a route or a leaf link: to every plain subscriber, and to one member
 * of each queue group in `queues` (the groups the sending server chose this server for). From a route
 * (`remoteToo` false) the targets are this server's own (clients, internal subscribers, the leaf links
 * it accepted); from a leaf link also the routes and other leaf links (each applies its own rules).
 */
export function deliverRouted(r: SublistResult<Subscription>, msg: Outgoing, publisher: Publisher, queues: readonly string[] | undefined, remoteToo = false): number {
  let n = 0;
  const plain = r.plain;
  for (let i = 0; i < plain.length; i++) {
    const sub = plain[i]!;
    if ((remoteToo || sub.target?.remote !== true) && deliverTo(sub, msg, publisher)) n++;
  }
  if (queues !== undefined) {
    for (const members of r.queues) {
      if (queues.includes(members[0]!.queue!) && deliverToGroup(members, msg, publisher, remoteToo)) n++;
    }
  }
  msg.finish();
  return n;
}
