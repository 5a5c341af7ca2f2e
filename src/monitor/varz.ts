/**
 * /varz: the server's identity, limits and counters, field for field in nats-server's order. The
 * gateway, mqtt and websocket blocks are empty objects, as nats-server shows them when those listeners
 * are not configured (tsnats does not serve them yet); so are cluster and leaf without their blocks.
 */
import { GO_FIELD, NATS_VERSION } from "../server/version.js";
import type { Server } from "../server/server.js";
import { json, type MonitorRequest, type MonitorState, type Reply } from "./endpoint.js";
import { goNanos, goNow, goTime, sortedRecord, uptime } from "./format.js";
import { jetStreamConfig, jetStreamStats } from "./jsz.js";
import { cores, residentMemory } from "./usage.js";
import { DEFAULT_TLS_TIMEOUT_MS } from "../config/tls-options.js";
import { varzLeafBlock } from "./leafz.js";

export function varz(req: MonitorRequest): Reply {
  req.count();
  return json(varzData(req.server, req.state));
}

export function varzData(server: Server, state: MonitorState): Record<string, unknown> {
  const o = server.opts;
  const js = jetStreamStats(server);
  const v: Record<string, unknown> = {
    server_id: server.id,
    server_name: server.name,
    version: NATS_VERSION,
    proto: 1,
    // The same text INFO carries in `go`.
    go: GO_FIELD,
    host: o.host,
    port: server.port,
  };
  if (server.authRequired()) v.auth_required = true;
  if (o.tls && !o.allowNonTls) v.tls_required = true;
  if (o.tls && (o.tls.verify || o.tls.verifyAndMap)) v.tls_verify = true;
  const urls = server.connectUrls();
  if (urls !== undefined) v.connect_urls = urls;
  v.max_connections = o.maxConnections;
  if (o.maxSubscriptions > 0) v.max_subscriptions = o.maxSubscriptions;
  Object.assign(v, {
    ping_interval: goNanos(o.pingIntervalMs),
    ping_max: o.pingMax,
    http_host: o.httpHost,
    // The configured value, as nats-server shows it (-1 stays -1 when a random port was asked).
    http_port: o.httpPort,
    http_base_path: o.httpBasePath,
    https_port: o.httpsPort,
    auth_timeout: o.authTimeoutMs / 1000,
    max_control_line: o.maxControlLine,
    max_payload: o.maxPayload,
    max_pending: o.maxPending,
    cluster: clusterBlock(server),
    gateway: {},
    leaf: varzLeafBlock(server),
    mqtt: {},
    websocket: websocketBlock(server),
    jetstream: js !== undefined ? { config: jetStreamConfig(server), stats: js } : {},
    tls_timeout: (o.tls?.timeoutMs ?? DEFAULT_TLS_TIMEOUT_MS) / 1000,
    write_deadline: goNanos(o.writeDeadlineMs),
    start: goTime(server.start),
    now: goNow(),
    uptime: uptime(Date.now() - server.start.getTime()),
    mem: residentMemory(),
    cores: cores(),
    // One event loop runs all the server's JavaScript.
    gomaxprocs: 1,
    cpu: state.cpu.sample(),
    connections: server.clients.size,
    total_connections: server.stats.totalConnections,
    routes: server.routes?.routes.size ?? 0,
    remotes: server.routes?.remoteCount() ?? 0,
    leafnodes: server.leafs?.registered().length ?? 0,
    in_msgs: server.stats.inMsgs,
    out_msgs: server.stats.outMsgs,
    in_bytes: server.stats.inBytes,
    out_bytes: server.stats.outBytes,
    slow_consumers: server.stats.slowConsumers,
    // Every account's, the server's own subscriptions included, as nats-server counts.
    subscriptions: [...server.accounts.accounts.values()].reduce((n, a) => n + a.sublist.count, 0),
    http_req_stats: sortedRecord(state.httpReqStats),
    config_load_time: goTime(server.configLoadTime),
  });
  if (o.serverTags.length > 0) v.tags = o.serverTags;
  if (server.accounts.system !== undefined) v.system_account = server.accounts.system.name;
  return v;
}

/** The `websocket` block: the websocket options as nats-server shows them (empty without a listener). */
function websocketBlock(server: Server): Record<string, unknown> {
  const ws = server.websocket;
  if (ws === undefined) return {};
  const w = ws.options;
  const b: Record<string, unknown> = { host: w.host, port: ws.port };
  if (w.advertise !== undefined) b.advertise = w.advertise;
  if (w.noAuthUser !== undefined) b.no_auth_user = w.noAuthUser;
  if (w.jwtCookie !== undefined) b.jwt_cookie = w.jwtCookie;
  if (w.handshakeTimeoutMs > 0) b.handshake_timeout = goNanos(w.handshakeTimeoutMs);
  if (w.authTimeoutMs !== undefined) b.auth_timeout = w.authTimeoutMs / 1000;
  if (w.noTls) b.no_tls = true;
  if (w.sameOrigin) b.same_origin = true;
  if (w.allowedOrigins.length > 0) b.allowed_origins = [...w.allowedOrigins];
  if (w.compression) b.compression = true;
  return b;
}

/** The `cluster` block: empty without a cluster, as nats-server shows it. */
function clusterBlock(server: Server): Record<string, unknown> {
  const c = server.opts.cluster;
  const routes = server.routes;
  if (c === undefined || routes === undefined) return {};
  const tlsTimeout = (c.tls?.timeoutMs ?? DEFAULT_TLS_TIMEOUT_MS) / 1000;
  const b: Record<string, unknown> = {
    name: routes.clusterName.name,
    addr: c.host,
    cluster_port: routes.port,
    auth_timeout: (c.authTimeoutMs ?? (c.tls ? tlsTimeout * 1000 + 1000 : 2000)) / 1000,
  };
  if (c.routes.length > 0) b.urls = c.routes.map((r) => r.hostPort);
  b.tls_timeout = tlsTimeout;
  if (c.tls) b.tls_required = b.tls_verify = true;
  return b;
}
