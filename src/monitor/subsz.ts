/**
 * /subsz (also /subscriptionsz): Sublist statistics summed over the accounts, and with `subs=1` the
 * subscriptions themselves, optionally only one account's (`acc`) or those a publish to `test` would reach.
 * Like nats-server, the figures include the server's own subscriptions (system services, imports,
 * JetStream); the list shows them too, with cid 0 (nats-server lists them under its internal clients).
 *
 * Over HTTP an answer without a subscription list is the bare statistics object (no server_id, no now);
 * `total` is the size of the returned page.
 */
import type { Server } from "../server/server.js";
import { sublistStats, type SublistStats } from "../subjects/sublist-stats.js";
import { isValidLiteralSubject, subjectMatches } from "../subjects/validate.js";
import { json, type MonitorRequest, type Reply } from "./endpoint.js";
import { goNow } from "./format.js";
import { BadRequest, boolParam, intParam, page, pageBounds } from "./query.js";
import { subDetail, type SubDetail } from "./sub-detail.js";

/** nats-server's SubszOptions. */
export interface SubszOptions {
  subscriptions: boolean;
  offset: number;
  limit: number;
  /** Only this account ("" = every account). */
  account: string;
  /** Only the subscriptions a publish to this literal subject would reach ("" = all). */
  test: string;
}

export type Subsz = { server_id: string; now: string } & SublistStats & { total: number; offset: number; limit: number; subscriptions_list?: SubDetail[] };

export function subsz(req: MonitorRequest): Reply {
  req.count();
  const q = req.query;
  const subscriptions = boolParam(q, "subs");
  const o = { subscriptions, offset: intParam(q, "offset"), limit: intParam(q, "limit"), account: q.get("acc") ?? "", test: q.get("test") ?? "" };
  const s = subszData(req.server, o);
  if (s.subscriptions_list === undefined) {
    const { server_id: _id, now: _now, total: _t, offset: _o, limit: _l, ...stats } = s;
    return json(stats);
  }
  return json(s);
}

/** The whole Subsz answer (as `$SYS` requests get it); throws BadRequest for a bad test subject. */
export function subszData(server: Server, o: SubszOptions): Subsz {
  const bounds = pageBounds(o.offset, o.limit);
  // Subjects are kept as one char per wire byte; compare the test subject in the same form.
  const testBytes = Buffer.from(o.test, "utf8").toString("latin1");
  if (o.test !== "" && !isValidLiteralSubject(testBytes)) {
    throw new BadRequest(`invalid test subject, must be valid publish subject: ${o.test}`);
  }
  const accounts = [...server.accounts.accounts.values()].filter((a) => o.account === "" || a.name === o.account);
  const stats = sublistStats(accounts.map((a) => a.sublist.counters()));
  const s: Subsz = { server_id: server.id, now: goNow(), ...stats, total: 0, offset: bounds.offset, limit: bounds.limit };
  if (!o.subscriptions) return s;
  const details: SubDetail[] = [];
  for (const a of accounts) {
    for (const sub of a.sublist.all()) {
      if (o.test === "" || subjectMatches(sub.subject, testBytes)) details.push(subDetail(sub, sub.target?.cid ?? 0, a.name));
    }
  }
  const shown = page(details, bounds);
  s.total = shown.length;
  if (shown.length > 0) s.subscriptions_list = shown;
  return s;
}
