/**
 * What this server says in the route handshake, built from its options as nats-server 2.9.10 builds
 * it: the INFO it sends on every route (on accept, and to peers learning of it by gossip) and the
 * CONNECT it sends on a route it dialled.
 */
import type { ClusterOptions } from "../../config/options.js";
import type { RouteConnect, RouteInfo } from "../../protocol/route-info.js";
import { splitGoHostPort } from "../../util/go-url.js";
import type { ClusterName } from "./cluster-name.js";
import type { RouteTarget } from "./topology-types.js";

/** Route protocol 2: RS+/RMSG carry the account. */
export const ROUTE_PROTO = 2;

export interface LocalServer {
  serverId: string;
  serverName: string;
  /** INFO's `version`. */
  version: string;
  /** INFO's `go` (what runs the server). */
  go: string;
  maxPayload: number;
  headers: boolean;
  jetstream: boolean;
  clusterName: ClusterName;
  /** Where the route listener listens (the port it got when -1 was asked). */
  listenHost: string;
  listenPort: number;
  /** Client URLs (`host:port`) of this server and the peers it knows, for the cluster's clients. */
  clientConnectUrls: readonly string[];
}

/**
 * The route INFO. With `advertise` it names the advertised address and gives it as `ip`, where peers
 * told of this server by gossip dial it; otherwise they dial the address they saw it connect from.
 */
export function localRouteInfo(c: ClusterOptions, s: LocalServer): RouteInfo {
  const info: RouteInfo = {
    serverId: s.serverId,
    serverName: s.serverName,
    version: s.version,
    proto: ROUTE_PROTO,
    go: s.go,
    host: s.listenHost,
    port: s.listenPort,
    headers: s.headers,
    maxPayload: s.maxPayload,
    cluster: s.clusterName.name,
    lnoc: true,
  };
  if (c.username !== undefined) info.authRequired = true;
  if (c.tls) info.tlsRequired = info.tlsVerify = true;
  if (s.jetstream) info.jetstream = true;
  if (s.clusterName.dynamic) info.clusterDynamic = true;
  if (!c.noAdvertise && s.clientConnectUrls.length > 0) info.connectUrls = [...s.clientConnectUrls];
  if (c.permissions?.import) info.import = c.permissions.import;
  if (c.permissions?.export) info.export = c.permissions.export;
  if (c.advertise) {
    const adv = advertised(c.advertise, s.listenPort);
    info.host = adv.host;
    info.port = adv.port;
    info.ip = `nats-route://${adv.host.includes(":") ? `[${adv.host}]` : adv.host}:${adv.port}/`;
  }
  return info;
}

/** `host[:port]`; a missing, 0 or -1 port is the listener's (nats-server's parseHostPort). */
function advertised(text: string, listenPort: number): { host: string; port: number } {
  const hp = splitGoHostPort(text.trim());
  if (!hp.ok) return { host: text.trim(), port: listenPort };
  const port = Number(hp.port);
  return { host: hp.host, port: Number.isInteger(port) && port > 0 ? port : listenPort };
}

/**
 * The CONNECT on a route this server dialled: credentials only from the route URL, `tls_required` as
 * the peer's INFO asked. nats-server sends `echo: true` here (it means nothing on a route).
 */
export function routeConnect(target: RouteTarget, s: LocalServer, tlsRequired: boolean): RouteConnect {
  return {
    echo: true,
    verbose: false,
    pedantic: false,
    ...(target.username && { user: target.username }),
    ...(target.password && { pass: target.password }),
    tlsRequired,
    headers: s.headers,
    name: s.serverId,
    cluster: s.clusterName.name,
    ...(s.clusterName.dynamic && { clusterDynamic: true }),
    lnoc: true,
  };
}
