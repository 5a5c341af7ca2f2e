/**
 * The topology's configuration from the server's options, with nats-server's timings, and the name a
 * cluster starts with.
 */
import type { Options } from "../../config/options.js";
import type { ClusterName } from "./cluster-name.js";
import type { TopologyConfig } from "./topology-types.js";

/** nats-server's DEFAULT_ROUTE_CONNECT and DEFAULT_ROUTE_RECONNECT. */
const ROUTE_CONNECT_DELAY_MS = 1000;
const ROUTE_RECONNECT_DELAY_MS = 1000;
/** Random delay before redialling a route that closed (nats-server: rand(100 ms)). */
const ROUTE_RECONNECT_JITTER_MS = 100;
/** nats-server's DEFAULT_ROUTE_CONNECT_MAX, the cap of `connect_backoff`. */
const ROUTE_CONNECT_MAX_DELAY_MS = 30_000;

/**
 * The configured name, or a random one (nats-server: a NUID) that stays "dynamic": it gives way to a
 * peer's configured name or a higher dynamic one.
 */
export function initialClusterName(opts: Options, randomName: () => string): ClusterName {
  const name = opts.cluster?.name;
  return name ? { name, dynamic: false } : { name: randomName(), dynamic: true };
}

export function topologyConfig(opts: Options, serverId: string, clusterName: ClusterName, random: () => number): TopologyConfig {
  const c = opts.cluster;
  return {
    serverId,
    serverName: opts.serverName,
    clusterName,
    routes: (c?.routes ?? []).map((r) => ({
      hostPort: r.hostPort,
      ...(r.username !== undefined && { username: r.username }),
      ...(r.password !== undefined && { password: r.password }),
    })),
    connectRetries: c?.connectRetries ?? 0,
    ...(c?.username !== undefined && { username: c.username }),
    ...(c?.password !== undefined && { password: c.password }),
    advertise: !(c?.noAdvertise ?? false),
    connectDelayMs: ROUTE_CONNECT_DELAY_MS,
    reconnectDelayMs: ROUTE_RECONNECT_DELAY_MS,
    reconnectJitterMs: ROUTE_RECONNECT_JITTER_MS,
    backoff: c?.connectBackoff ?? false,
    maxConnectDelayMs: ROUTE_CONNECT_MAX_DELAY_MS,
    connectErrorReports: opts.connectErrorReports,
    reconnectErrorReports: opts.reconnectErrorReports,
    random,
  };
}
