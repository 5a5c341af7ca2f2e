/**
 * How big the meta group is expected to be when it first forms, and whether a set of servers that
 * see each other may form it. nats-server (raft.go, bootstrapRaftNode) expects at least as many
 * servers as the configured `routes` and needs a quorum of that expected size to elect the first meta
 * leader. tsnats counts the servers the routes name plus itself (a route to its own listener, as a
 * list shared by every server's config has, is itself, not another server), and bootstraps only a
 * set that holds a majority of that size: two subsets that cannot hear each other cannot both hold a
 * majority, so at most one of them forms a group; the rest join it once they hear it.
 *
 * A server with no routes (a cluster's seed, or a lone clustered server) expects only itself.
 */
import { networkInterfaces } from "node:os";
import type { RouteUrl } from "../../config/options.js";
import { splitGoHostPort } from "../../util/go-url.js";

/** This server's route listener. */
export interface RouteListener {
  readonly host: string;
  readonly port: number;
}

/** The servers the configured routes name, this one included (distinct host:port, self once). */
export function expectedMetaSize(routes: readonly RouteUrl[], self: RouteListener): number {
  const others = new Set<string>();
  for (const r of routes) {
    const hp = splitGoHostPort(r.hostPort);
    if (!hp.ok) continue;
    if (Number(hp.port) === self.port && isThisHost(hp.host, self.host)) continue;
    others.add(`${hp.host.toLowerCase()}:${hp.port}`);
  }
  return others.size + 1;
}

/** A set of `seen` servers (this one included) may bootstrap: it holds a majority of `expected`. */
export function mayBootstrap(seen: number, expected: number): boolean {
  return seen >= Math.floor(expected / 2) + 1;
}

const LOCAL_NAMES = new Set(["localhost", "127.0.0.1", "::1", "0.0.0.0", "::", ""]);

function isThisHost(host: string, listenHost: string): boolean {
  const h = host.toLowerCase();
  if (LOCAL_NAMES.has(h) || h === listenHost.toLowerCase()) return true;
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.address.toLowerCase() === h) return true;
  return false;
}
