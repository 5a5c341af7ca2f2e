/**
 * Which cluster name a server keeps when a peer names another, as nats-server 2.9.10 decides it. A
 * server without a configured name starts with a random one (a "dynamic" name) and gives it up for a
 * peer's configured name, or for a peer's dynamic name that sorts higher, so that a cluster of unnamed
 * servers settles on one name. A server with a configured name never changes it and refuses peers of
 * another cluster.
 */

export interface ClusterName {
  name: string;
  /** No name was configured (nats-server: `cluster.name` empty): the name may still change. */
  dynamic: boolean;
}

export type NameDecision =
  | { kind: "same" }
  /** Take `name` and drop every other route (they were formed under the old name). */
  | { kind: "adopt"; name: ClusterName }
  | { kind: "reject" };

/**
 * A peer's CONNECT (on a route we accepted) names `remote`. Adopting a configured name through CONNECT
 * makes it ours for good (nats-server writes it into its options).
 */
export function onRemoteConnect(local: ClusterName, remote: string, remoteDynamic: boolean): NameDecision {
  if (remote === local.name) return { kind: "same" };
  if (local.dynamic && (!remoteDynamic || local.name < remote)) return { kind: "adopt", name: { name: remote, dynamic: remoteDynamic } };
  return { kind: "reject" };
}

/**
 * A peer's INFO names `remote` (an empty name says nothing). Adopting through INFO keeps the name
 * dynamic, as in nats-server, so a later configured name can still win.
 */
export function onRemoteInfo(local: ClusterName, remote: string, remoteDynamic: boolean): NameDecision {
  if (remote === "" || remote === local.name) return { kind: "same" };
  if (local.dynamic && (!remoteDynamic || local.name < remote)) return { kind: "adopt", name: { name: remote, dynamic: true } };
  return { kind: "reject" };
}

/** nats-server's -ERR (and log line) for a peer of another cluster. */
export function clusterNameMismatch(remote: string, local: string): string {
  return `Rejecting connection, cluster name ${JSON.stringify(remote)} does not match ${JSON.stringify(local)}`;
}
