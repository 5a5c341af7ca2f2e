/**
 * /healthz: `{"status":"ok"}`, or 503 with `{"status":"unavailable","error":…}` when JetStream was
 * configured but is not running (e.g. a reload enabled it and it could not start) — nats-server's rule,
 * whatever `js-enabled-only` / `js-server-only` say. With clustered JetStream, as nats-server: unless
 * one of those is set, the server must follow a meta leader, be current with it, and hold every
 * stream placed on it. A running single server passes the deeper checks.
 */
import type { Server } from "../server/server.js";
import type { MonitorRequest, Reply } from "./endpoint.js";
import { boolParam } from "./query.js";
import { jetStreamOf } from "../jetstream/jetstream.js";
import { clusterHealthProblem } from "../jetstream/cluster/cluster-monitoring.js";

/** nats-server's JSNotEnabledErr as its Error() prints it: description and err_code. */
const JS_NOT_ENABLED = "JetStream not enabled (10076)";

export interface HealthStatus {
  status: "ok" | "unavailable";
  error?: string;
}

export function healthz(req: MonitorRequest): Reply {
  req.count();
  const server = req.server;
  if (boolParam(req.query, "js-enabled")) server.logger.warn("Healthcheck: js-enabled deprecated, use js-enabled-only instead");
  const enabledOnly = boolParam(req.query, "js-enabled-only");
  const serverOnly = boolParam(req.query, "js-server-only");
  const h = healthStatus(server, !enabledOnly && !serverOnly);
  if (h.error !== undefined) server.logger.warn(`Healthcheck failed: ${JSON.stringify(h.error)}`);
  return { kind: "json", body: h, indent: false, ...(h.error !== undefined && { status: 503 }) };
}

/** `deep`: with clustered JetStream, the meta layer and the streams placed here are checked too. */
export function healthStatus(server: Server, deep = true): HealthStatus {
  if (server.opts.jetstream.enabled && !server.jetStreamEnabled) return { status: "unavailable", error: JS_NOT_ENABLED };
  const meta = jetStreamOf(server)?.meta;
  if (deep && meta !== undefined) {
    const problem = clusterHealthProblem(meta, false);
    if (problem !== undefined) return { status: "unavailable", error: problem };
  }
  return { status: "ok" };
}
