/**
 * /routez (the cluster's routes, with `subs=1` the interest each peer announced), and /gatewayz, which
 * answers as a nats-server without gateways does; the parameters are still decoded, so malformed ones
 * get its 400s.
 */
import type { Server } from "../server/server.js";
import { json, type MonitorRequest, type Reply } from "./endpoint.js";
import type { Route } from "../server/route.js";
import { goNow, goTime, peerIp, rtt, uptime } from "./format.js";
import { boolParam, subsParam, type SubsParam } from "./query.js";

export function routez(req: MonitorRequest): Reply {
  const subs = subsParam(req.query);
  req.count();
  return json(routezData(req.server, subs));
}

export function routezData(server: Server, subs: SubsParam = { list: false, detail: false }): Record<string, unknown> {
  const now = Date.now();
  const routes = [...(server.routes?.routes.values() ?? [])].filter((r) => r.registered).map((r) => routeInfo(r, now, subs));
  return { server_id: server.id, now: goNow(), num_routes: routes.length, routes };
}

function routeInfo(r: Route, now: number, subs: SubsParam): Record<string, unknown> {
  const list = [...r.subscriptions()];
  const o: Record<string, unknown> = {
    rid: r.cid,
    remote_id: r.remoteId,
    did_solicit: r.solicited,
    is_configured: r.solicited,
    ip: peerIp(r.host),
    port: r.port,
    start: goTime(r.start),
    last_activity: goTime(r.lastActivity),
    rtt: rtt(r.rttMs),
    uptime: uptime(now - r.start.getTime()),
    idle: uptime(now - r.lastActivity.getTime()),
    pending_size: r.pending,
    in_msgs: r.inMsgs,
    out_msgs: r.outMsgs,
    in_bytes: r.inBytes,
    out_bytes: r.outBytes,
    subscriptions: list.length,
  };
  if (subs.list) o.subscriptions_list = list.map((s) => s.subject);
  else if (subs.detail) o.subscriptions_list_detail = list.map((s) => ({ subject: s.subject, ...(s.queue !== undefined && { qgroup: s.queue }), sid: s.sid, msgs: s.delivered, cid: r.cid }));
  return o;
}

export function gatewayz(req: MonitorRequest): Reply {
  req.count();
  boolParam(req.query, "accs");
  return json(gatewayzData(req.server));
}

export function gatewayzData(server: Server): Record<string, unknown> {
  return { server_id: server.id, now: goNow(), outbound_gateways: {}, inbound_gateways: {} };
}
