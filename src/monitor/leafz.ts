/**
 * /leafz (the leaf node links, with `subs=1` the interest each peer announced, `acc=` one account's) and
 * the `leaf` block of /varz, in nats-server 2.9.10's shapes.
 */
import type { Server } from "../server/server.js";
import type { Leaf } from "../server/leaf.js";
import { json, type MonitorRequest, type Reply } from "./endpoint.js";
import { goNow, peerIp, rtt } from "./format.js";
import { boolParam } from "./query.js";

export function leafz(req: MonitorRequest): Reply {
  const subs = boolParam(req.query, "subs");
  req.count();
  return json(leafzData(req.server, subs, req.query.get("acc") ?? ""));
}

export function leafzData(server: Server, subs = false, account = ""): Record<string, unknown> {
  const links = (server.leafs?.registered() ?? []).filter((l) => account === "" || l.account!.name === account);
  // nats-server writes no leaf list as null, not [].
  return { server_id: server.id, now: goNow(), leafnodes: links.length, leafs: links.length === 0 ? null : links.map((l) => leafInfo(l, subs)) };
}

function leafInfo(l: Leaf, subs: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = { account: l.account!.name, ip: peerIp(l.host), port: l.port };
  if (l.rttMs > 0) o.rtt = rtt(l.rttMs);
  Object.assign(o, { in_msgs: l.inMsgs, out_msgs: l.outMsgs, in_bytes: l.inBytes, out_bytes: l.outBytes, subscriptions: l.subscriptionCount });
  if (subs) o.subscriptions_list = [...l.subscriptions()].map((s) => s.subject);
  return o;
}

/** /varz's `leaf`: the listener's address and timeouts, the remotes with their denies; {} without leaf nodes. */
export function varzLeafBlock(server: Server): Record<string, unknown> {
  const o = server.opts.leafnodes;
  if (o === undefined) return {};
  const b: Record<string, unknown> = {};
  if (o.port !== 0) {
    b.host = o.host;
    b.port = server.leafs?.port ?? o.port;
    b.auth_timeout = (o.authTimeoutMs ?? 2000) / 1000;
    b.tls_timeout = 2;
  }
  if (o.remotes.length > 0) {
    b.remotes = o.remotes.map((r) => {
      const x: Record<string, unknown> = { local_account: r.account ?? "$G", urls: r.urls.map((u) => new URL(u).host) };
      if (r.denyImports.length + r.denyExports.length > 0) x.deny = { ...(r.denyExports.length > 0 && { exports: r.denyExports }), ...(r.denyImports.length > 0 && { imports: r.denyImports }) };
      return x;
    });
  }
  return b;
}
