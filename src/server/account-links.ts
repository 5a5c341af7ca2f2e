/**
 * Exports and imports at work: server-internal subscriptions that carry messages from one account's
 * subject space into another's.
 *
 * - Stream import (B imports A's `S`, optionally remapped or prefixed): an internal subscription on `S`
 *   in A republishes each message in B under the mapped subject.
 * - Service import (B imports A's service `S` as local subject `L`): an internal subscription on `L` in B
 *   republishes a request in A on `S`, with its reply replaced by `_R_.<B's prefix>.<id>`; an internal
 *   subscription on `_R_.>` in A maps responses back to the requester's reply in B (once for singleton
 *   services, until the response threshold for stream/chunked ones).
 *
 * In a cluster every server links for its own clients: the stream import's subscription in A is
 * announced to the routes (messages published in A elsewhere reach it) and its republish in B stays on
 * this server; the service import's subscription in B stays unannounced (the requester's server
 * republishes), the request in A is routed to wherever A's responder is, and the response comes back
 * through the `_R_.>` subscription (announced) and is republished in B on this server only.
 */
import type { ImportEntry, ServiceExport } from "../config/options.js";
import { subjectsOverlap } from "../subjects/validate.js";
import { randomBase62 } from "../util/base62.js";
import type { Account } from "./account.js";
import { prefixTransform, subjectTransform } from "./import-transform.js";
import type { InternalMessaging } from "./internal-messaging.js";
import type { Subscription } from "./subscription.js";

/** Go's default for how long a service import keeps a requester's reply mapped. */
export const DEFAULT_RESPONSE_THRESHOLD_MS = 2 * 60 * 1000;

/** An internal subscription that belongs to a link, so that it can be removed again. */
export interface LinkSub {
  account: Account;
  sub: Subscription;
  /** Stops relaying the importer's interest events (stream imports). */
  unlisten?: () => void;
}

/** How deep delivery interest is followed through chained stream imports. */
const MAX_IMPORT_HOPS = 4;

/**
 * Whether a message published on `subject` in `account` would reach a subscriber: a stream import's
 * subscription counts only if its importing account has one for the mapped subject (nats-server keeps
 * such interest as shadow subscriptions made when the importer subscribes). Push consumers use this.
 */
export function hasDeliveryInterest(account: { readonly sublist: Account["sublist"] }, subject: string, hops = 0): boolean {
  const r = account.sublist.match(subject);
  if (r.queues.length > 0) return true;
  for (const sub of r.plain) {
    const imp = sub.streamImport;
    if (imp === undefined) return true;
    if (hops < MAX_IMPORT_HOPS && hasDeliveryInterest(imp.account, imp.map(subject), hops + 1)) return true;
  }
  return false;
}

function replyToken(): string {
  return randomBase62(6);
}

/** Wires one stream import of `importer` from `exporter`. */
export function linkStream(server: InternalMessaging, importer: Account, exporter: Account, imp: ImportEntry): LinkSub {
  const map = imp.prefix !== undefined ? prefixTransform(imp.prefix) : subjectTransform(imp.subject, imp.to);
  const sub = server.subscribeInternal(exporter, imp.subject, (subject, reply, payload, hdrLen, _from, routedBy) => {
    // A JetStream delivery goes on by its deliver subject, still showing the stream subject.
    if (routedBy === undefined) server.publish(undefined, importer, map(subject), reply, payload, hdrLen, true);
    else server.publish(undefined, importer, subject, reply, payload, hdrLen, true, map(routedBy));
  });
  sub.streamImport = { account: importer, map };
  // The exporter's push consumers hear of the importer's subscribers (mapped back). A remapping `to`
  // has no simple inverse: such imports relay nothing, and their consumers see interest on the next check.
  const back = importerToExporter(imp);
  if (back === undefined) return { account: exporter, sub };
  const relay = (subject: string, _queue: string | undefined, weight: number): void => {
    const s = back(subject);
    if (s !== undefined && subjectsOverlap(s, imp.subject)) exporter.relayInterest(s, weight);
  };
  importer.listenInterest(relay);
  return { account: exporter, sub, unlisten: () => importer.unlistenInterest(relay) };
}

/** The exporter's subject for an importer's subject, for imports that only add a prefix (or nothing). */
function importerToExporter(imp: ImportEntry): ((subject: string) => string | undefined) | undefined {
  if (imp.prefix !== undefined) {
    const p = imp.prefix.endsWith(".") ? imp.prefix : `${imp.prefix}.`;
    return (s) => (s.startsWith(p) ? s.slice(p.length) : undefined);
  }
  if (imp.to === undefined || imp.to === imp.subject) return (s) => s;
  return undefined;
}

/** Wires one service import of `importer` from `exporter`, answering per `exp`'s response type. */
export function linkService(server: InternalMessaging, importer: Account, exporter: Account, imp: ImportEntry, exp: ServiceExport | undefined): LinkSub {
  const local = imp.to ?? imp.subject;
  const map = subjectTransform(local, imp.subject);
  const singleton = (exp?.responseType ?? "Singleton") === "Singleton";
  const ttl = exp?.responseThresholdMs ?? DEFAULT_RESPONSE_THRESHOLD_MS;
  ensureResponseRouting(server, exporter);
  const sub = server.subscribeInternal(importer, local, (subject, reply, payload, hdrLen) => {
    if (reply === undefined) {
      server.publish(undefined, exporter, map(subject), undefined, payload, hdrLen);
      return;
    }
    const mapped = importer.replyPrefix + replyToken();
    exporter.responses.set(mapped, { to: importer, reply, singleton, expiresAt: Date.now() + ttl });
    // Like nats-server 2.9, a request nobody in the exporting account receives just times out.
    if (server.publish(undefined, exporter, map(subject), mapped, payload, hdrLen) === 0) exporter.responses.delete(mapped);
  }, undefined, true);
  return { account: importer, sub };
}

const routed = new WeakSet<Account>();

/**
 * One `_R_.>` subscription per exporting account sends responses back to the requesting account. A
 * JetStream delivery to a pull request that came through the import is routed by the mapped reply while
 * showing its stream subject, and carries its ack subject: it goes on by the requester's reply, shown and
 * acked as it was (as nats-server delivers a pull consumer's messages across accounts).
 */
function ensureResponseRouting(server: InternalMessaging, exporter: Account): void {
  if (routed.has(exporter)) return;
  routed.add(exporter);
  server.subscribeInternal(exporter, "_R_.>", (subject, reply, payload, hdrLen, _from, routedBy) => {
    const mapped = routedBy ?? subject;
    const p = exporter.responses.get(mapped);
    if (p === undefined) return;
    if (p.singleton || p.expiresAt <= Date.now()) exporter.responses.delete(mapped);
    if (p.expiresAt <= Date.now()) return;
    if (routedBy === undefined) server.publish(undefined, p.to, p.reply, undefined, payload, hdrLen, true);
    else server.publish(undefined, p.to, subject, reply, payload, hdrLen, true, p.reply);
  });
}

/** Drops mapped replies whose time is up (called periodically). */
export function sweepResponses(accounts: Iterable<Account>, now = Date.now()): void {
  for (const a of accounts) for (const [k, p] of a.responses) if (p.expiresAt <= now) a.responses.delete(k);
}
