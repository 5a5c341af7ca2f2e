/**
 * Whether a peer's CONNECT on an accepted route is let in, in nats-server 2.9.10's order: the
 * cluster's credentials first (when it has any, everything else is an Authorization Violation), then
 * a client (CONNECT with `lang`) or a gateway that dialled the route port by mistake. The cluster name
 * is the topology's to check (cluster-name.ts). A refusal is sent as `-ERR '<err>'`, logged as `log`,
 * and the connection closed with `reason`.
 */
import { checkSecret } from "../../auth/passwords.js";
import type { ClusterOptions } from "../../config/options.js";
import type { RouteConnect } from "../../protocol/route-info.js";

export type RouteConnectVerdict =
  | { ok: true }
  | { ok: false; err: string; log: string; reason: "Authentication Failure" | "Wrong Port" | "Wrong Gateway" };

const AUTH_FAILED: RouteConnectVerdict = { ok: false, err: "Authorization Violation", log: "authentication error", reason: "Authentication Failure" };

/** A bcrypt password in the config makes the check asynchronous. */
export function checkRouteConnect(cluster: ClusterOptions, connect: RouteConnect): RouteConnectVerdict | Promise<RouteConnectVerdict> {
  if (cluster.username === undefined) return afterAuth(connect);
  if (connect.user !== cluster.username) return AUTH_FAILED;
  const same = checkSecret(connect.pass ?? "", cluster.password ?? "");
  return typeof same === "boolean" ? (same ? afterAuth(connect) : AUTH_FAILED) : same.then((ok) => (ok ? afterAuth(connect) : AUTH_FAILED));
}

function afterAuth(connect: RouteConnect): RouteConnectVerdict {
  if (connect.lang !== undefined) {
    const text = "attempted to connect to route port";
    return { ok: false, err: text, log: text, reason: "Wrong Port" };
  }
  if (connect.gateway !== undefined) {
    const text = `Rejecting connection from gateway ${JSON.stringify(connect.gateway)} on the Route port`;
    return { ok: false, err: text, log: text, reason: "Wrong Gateway" };
  }
  return { ok: true };
}
