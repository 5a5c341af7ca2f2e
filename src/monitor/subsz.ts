/**
 * /subsz (also /subscriptionsz): Sublist statistics summed over the accounts, and with `subs=1` the
 * subscriptions themselves, optionally only one account's (`acc`) or those a publish to `test` would reach.
 *
 * As in nats-server, an answer without a subscription list is the bare statistics object (no server_id,
 * no now), and `total` is the size of the returned page.
 */
import { sublistStats } from "../subjects/sublist-stats.js";
import { isValidLiteralSubject, subjectMatches } from "../subjects/validate.js";
import { knownAccounts } from "./accounts.js";
import { json, type MonitorRequest, type Reply } from "./endpoint.js";
import { goNow } from "./format.js";
import { BadRequest, boolParam, intParam, page, pageBounds } from "./query.js";
import { subDetail, type SubDetail } from "./sub-detail.js";

export function subsz(req: MonitorRequest): Reply {
  req.count();
  const q = req.query;
  const withSubs = boolParam(q, "subs");
  const bounds = pageBounds(intParam(q, "offset"), intParam(q, "limit"));
  const test = q.get("test") ?? "";
  const acc = q.get("acc") ?? "";
  // Subjects are kept as one char per wire byte; compare the test subject in the same form.
  const testBytes = Buffer.from(test, "utf8").toString("latin1");
  if (test !== "" && !isValidLiteralSubject(testBytes)) {
    throw new BadRequest(`invalid test subject, must be valid publish subject: ${test}`);
  }
  const accounts = knownAccounts(req.server).filter((a) => acc === "" || a.name === acc);
  const stats = sublistStats(accounts.map((a) => a.sublist.counters()));
  if (!withSubs) return json(stats);
  // Server-internal subscriptions (no client) count in the statistics but are not listed.
  const details: SubDetail[] = [];
  for (const a of accounts) {
    for (const s of a.sublist.all()) {
      if (s.client !== null && (test === "" || subjectMatches(s.subject, testBytes))) details.push(subDetail(s, s.client, true));
    }
  }
  const shown = page(details, bounds);
  if (shown.length === 0) return json(stats);
  return json({
    server_id: req.server.id,
    now: goNow(),
    ...stats,
    total: shown.length,
    offset: bounds.offset,
    limit: bounds.limit,
    subscriptions_list: shown,
  });
}
