/**
 * /healthz: `{"status":"ok"}`, or 503 with `{"status":"unavailable","error":…}` when JetStream was
 * configured but is not running (e.g. a reload enabled it and it could not start) — nats-server's rule,
 * whatever `js-enabled-only` / `js-server-only` say. The deeper checks nats-server makes with JetStream
 * running (streams recovered, meta leader) belong to JetStream and clustering; a running single server
 * passes them.
 */
import type { Server } from "../server/server.js";
import type { MonitorRequest, Reply } from "./endpoint.js";
import { boolParam } from "./query.js";

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
  // Decoded for their 400s; with a single server they do not change the answer.
  boolParam(req.query, "js-enabled-only");
  boolParam(req.query, "js-server-only");
  const h = healthStatus(server);
  if (h.error !== undefined) server.logger.warn(`Healthcheck failed: ${JSON.stringify(h.error)}`);
  return { kind: "json", body: h, indent: false, ...(h.error !== undefined && { status: 503 }) };
}

export function healthStatus(server: Server): HealthStatus {
  if (server.opts.jetstream.enabled && !server.jetStreamEnabled) return { status: "unavailable", error: JS_NOT_ENABLED };
  return { status: "ok" };
}
