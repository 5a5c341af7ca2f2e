/**
 * /routez, /gatewayz and /leafz. tsnats does not cluster yet, so these answer as a nats-server without
 * routes, gateways or leaf nodes does; the parameters are still decoded, so malformed ones get its 400s.
 */
import type { Server } from "../server/server.js";
import { json, type MonitorRequest, type Reply } from "./endpoint.js";
import { goNow } from "./format.js";
import { boolParam, subsParam } from "./query.js";

export function routez(req: MonitorRequest): Reply {
  subsParam(req.query);
  req.count();
  return json(routezData(req.server));
}

export function routezData(server: Server): Record<string, unknown> {
  return { server_id: server.id, now: goNow(), num_routes: 0, routes: [] };
}

export function gatewayz(req: MonitorRequest): Reply {
  req.count();
  boolParam(req.query, "accs");
  return json(gatewayzData(req.server));
}

export function gatewayzData(server: Server): Record<string, unknown> {
  return { server_id: server.id, now: goNow(), outbound_gateways: {}, inbound_gateways: {} };
}

export function leafz(req: MonitorRequest): Reply {
  req.count();
  boolParam(req.query, "subs");
  return json(leafzData(req.server));
}

export function leafzData(server: Server): Record<string, unknown> {
  // nats-server writes no leaf list as null, not [].
  return { server_id: server.id, now: goNow(), leafnodes: 0, leafs: null };
}
