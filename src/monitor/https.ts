/**
 * Which monitoring listener the options ask for: HTTP (`http`/`-m`), HTTPS (`https`/`-ms`, with the
 * certificate of the top-level tls block, as nats-server does) or none; nats-server refuses both at once.
 */
import type { Server } from "../server/server.js";
import type { MonitorState } from "./endpoint.js";
import { startMonitor, type Monitor } from "./http.js";

/** A monitoring listener that cannot start; the message is nats-server's fatal log line. */
export class MonitorStartError extends Error {
  constructor(why: string) {
    super(`Can't start monitoring: ${why}`);
    this.name = "MonitorStartError";
  }
}

/** `state` is shared with the `$SYS` monitoring requests (see system-requests.ts). */
export async function startMonitoring(server: Server, state: MonitorState): Promise<Monitor | undefined> {
  const o = server.opts;
  if (o.httpPort !== 0 && o.httpsPort !== 0) throw new MonitorStartError(`can't specify both HTTP (${o.httpPort}) and HTTPs (${o.httpsPort}) ports`);
  if (o.httpPort !== 0) return startMonitor(server, state, o.httpHost, o.httpPort);
  if (o.httpsPort === 0) return undefined;
  const tls = server.tls;
  if (tls?.options.certFile === undefined) throw new MonitorStartError("TLS cert and key required for HTTPS");
  return startMonitor(server, state, o.httpHost, o.httpsPort, tls.settings);
}
