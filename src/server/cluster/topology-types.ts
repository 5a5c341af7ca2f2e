/**
 * What the cluster topology state machine (topology.ts) is told and what it asks for. The shell around
 * it owns sockets and timers: it dials when asked, reports what happened, and calls `tick` when
 * `nextWakeAt` comes. Connection ids are the shell's (its route ids); dial ids are the topology's.
 */
import type { RouteConnect, RouteInfo } from "../../protocol/route-info.js";
import type { ClusterName } from "./cluster-name.js";

/** Where to dial a route, with the credentials to put in CONNECT. */
export interface RouteTarget {
  /** `host:port` as written (a host name is resolved by the shell). */
  hostPort: string;
  username?: string;
  password?: string;
}

/** Configured routes are retried for ever; gossiped ones `connectRetries` times. */
export type RouteType = "explicit" | "implicit";

export interface TopologyConfig {
  /** This server's id (route INFO `server_id`), to recognise a route to itself. */
  serverId: string;
  serverName: string;
  clusterName: ClusterName;
  /** Configured routes. */
  routes: readonly RouteTarget[];
  /** Extra attempts for a gossiped route (nats-server's `connect_retries`; 0 = one attempt). */
  connectRetries: number;
  /** Credentials this server puts in CONNECT to a gossiped route that requires auth. */
  username?: string;
  password?: string;
  /** Whether peers' client URLs go into our clients' INFO (false with `no_advertise`). */
  advertise: boolean;
  /** Between attempts to dial a route (nats-server: 1 s). */
  connectDelayMs: number;
  /** Added before redialling a configured route that closed (nats-server: 1 s). */
  reconnectDelayMs: number;
  /** Up to this much random delay before redialling a route that closed (nats-server: 100 ms). */
  reconnectJitterMs: number;
  /** Double the delay after each failed attempt, up to `maxConnectDelayMs` (nats-server 2.10's `connect_backoff`). */
  backoff: boolean;
  maxConnectDelayMs: number;
  /** A failed first connection is logged as an error on its 1st attempt and every this many (nats-server: 3600). */
  connectErrorReports: number;
  /** The same for redials after a route closed (nats-server: 1, i.e. every attempt). */
  reconnectErrorReports: number;
  /** Uniform in [0, 1): the jitter's source (seeded in tests). */
  random: () => number;
}

export type TopologyEvent =
  /** Begin: dial the configured routes. */
  | { kind: "start" }
  | { kind: "dialFailed"; dialId: number; error: string }
  /** The target resolves only to this server's own addresses (nats-server stops trying it). */
  | { kind: "dialSelf"; dialId: number }
  /** The dial connected; the shell made route connection `connId` of it and sent INFO and CONNECT. */
  | { kind: "dialed"; dialId: number; connId: number }
  /** A peer connected to the route listener; the shell sent our INFO. */
  | { kind: "accepted"; connId: number }
  /** The peer's CONNECT on an accepted route. */
  | { kind: "connect"; connId: number; connect: RouteConnect }
  /** An INFO from the peer; `remoteIp` is the connection's remote address. */
  | { kind: "info"; connId: number; info: RouteInfo; remoteIp: string }
  /** The connection is gone, for whatever reason (ours or the peer's). */
  | { kind: "closed"; connId: number }
  /** Time passed: run what is due. */
  | { kind: "tick" }
  /** The server stops: no more dials. */
  | { kind: "shutdown" };

/** nats-server's close reasons (as /connz and its log name them) for the closes the topology asks for. */
export type RouteCloseReason = "Duplicate Route" | "Cluster Name Conflict" | "Duplicate Server Name";

export type TopologyAction =
  | { kind: "dial"; dialId: number; target: RouteTarget; type: RouteType }
  /** `-ERR '<text>'` on the connection (it is closed by a `close` that follows). */
  | { kind: "sendErr"; connId: number; text: string }
  | { kind: "close"; connId: number; reason: RouteCloseReason }
  /** The route to `remoteId` is up: send it this server's interest (every account's subscriptions). */
  | { kind: "registered"; connId: number; remoteId: string; remoteName: string }
  /** Tell these routes about a new server (gossip: they will dial `info.ip`). */
  | { kind: "forwardInfo"; connIds: number[]; info: RouteInfo }
  /** The other servers' client URLs changed: send clients an INFO with ours and these. */
  | { kind: "peerUrls"; urls: string[] }
  /** The cluster name changed (a dynamic name gave way to a peer's). */
  | { kind: "clusterName"; name: ClusterName }
  | { kind: "log"; level: "error" | "info" | "debug"; text: string };
