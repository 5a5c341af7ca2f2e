/**
 * /routez, /gatewayz and /leafz. tsnats does not cluster yet, so these answer as a nats-server without
 * routes, gateways or leaf nodes does; the parameters are still decoded, so malformed ones get its 400s.
 */
import { json, type MonitorRequest, type Reply } from "./endpoint.js";
import { goNow } from "./format.js";
import { boolParam, subsParam } from "./query.js";

export function routez(req: MonitorRequest): Reply {
  subsParam(req.query);
  req.count();
  return json({ server_id: req.server.id, now: goNow(), num_routes: 0, routes: [] });
}

export function gatewayz(req: MonitorRequest): Reply {
  req.count();
  boolParam(req.query, "accs");
  return json({ server_id: req.server.id, now: goNow(), outbound_gateways: {}, inbound_gateways: {} });
}

export function leafz(req: MonitorRequest): Reply {
  req.count();
  boolParam(req.query, "subs");
  // nats-server writes no leaf list as null, not [].
  return json({ server_id: req.server.id, now: goNow(), leafnodes: 0, leafs: null });
}
