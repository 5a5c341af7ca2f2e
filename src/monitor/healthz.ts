/**
 * /healthz: `{"status":"ok"}`, or 503 with `{"status":"unavailable","error":…}` when JetStream was
 * configured but is not running — nats-server's rule, whatever `js-enabled-only` / `js-server-only` say.
 * The deeper checks nats-server makes with JetStream running (streams recovered, meta leader) belong
 * to JetStream and clustering; a running single server passes them.
 */
import type { MonitorRequest, Reply } from "./endpoint.js";
import { boolParam } from "./query.js";

/** nats-server's JSNotEnabledErr as its Error() prints it: description and err_code. */
const JS_NOT_ENABLED = "JetStream not enabled (10076)";

export function healthz(req: MonitorRequest): Reply {
  req.count();
  const server = req.server;
  if (boolParam(req.query, "js-enabled")) server.logger.warn("Healthcheck: js-enabled deprecated, use js-enabled-only instead");
  // Decoded for their 400s; with a single server they do not change the answer.
  boolParam(req.query, "js-enabled-only");
  boolParam(req.query, "js-server-only");
  if (server.opts.jetstream.enabled && !server.jetStreamEnabled) {
    server.logger.warn(`Healthcheck failed: ${JSON.stringify(JS_NOT_ENABLED)}`);
    return { kind: "json", body: { status: "unavailable", error: JS_NOT_ENABLED }, indent: false, status: 503 };
  }
  return { kind: "json", body: { status: "ok" }, indent: false };
}
