/**
 * /raftz (nats-server 2.11): the RAFT groups of one account on this server (`acc=`, default the system
 * account), optionally one group (`group=`), as `{account: {group: RaftzGroup}}`; 404 with nats-server's
 * plain-text lines when there are none.
 */
import { clusterRaftz } from "../jetstream/cluster/cluster-monitoring.js";
import { jetStreamOf } from "../jetstream/jetstream.js";
import type { MonitorRequest, Reply } from "./endpoint.js";
import { json } from "./endpoint.js";

const TEXT = "text/plain; charset=utf-8";

export function raftz(req: MonitorRequest): Reply {
  req.count();
  const meta = jetStreamOf(req.server)?.meta;
  if (meta?.group === undefined) return { kind: "text", body: "No Raft nodes registered", contentType: TEXT, status: 404 };
  const account = req.query.get("acc") || req.server.accounts.system?.name || "";
  const group = req.query.get("group") ?? "";
  const groups = clusterRaftz(meta, req.server.accounts.system?.name ?? "", account, group);
  if (groups === undefined) return { kind: "text", body: "No Raft nodes returned, check supplied filters", contentType: TEXT, status: 404 };
  return json(groups);
}
