/**
 * Which monitoring listener the options ask for: HTTP (`http`/`-m`), HTTPS (`https`/`-ms`, with the
 * certificate of the top-level tls block, as nats-server does) or none; nats-server refuses both at once.
 * The listener's module, with node:http and node:https, is loaded only when one is asked for (see tls/context.ts
 * for what that saves).
 */
import type { Server } from "../server/server.js";
import type { MonitorState } from "./endpoint.js";
import type { Monitor } from "./http.js";
import { MonitorStartError } from "./monitor-start-error.js";

/**
 * Checks the options and, when they ask for a listener, loads its module; the returned function starts
 * it. `state` is shared with the `$SYS` monitoring requests (see system-requests.ts). Called before the
 * client listener opens, so that the monitor follows it as closely as it did when loaded eagerly.
 */
export async function prepareMonitoring(server: Server, state: MonitorState): Promise<() => Promise<Monitor | undefined>> {
  const o = server.opts;
  if (o.httpPort !== 0 && o.httpsPort !== 0) throw new MonitorStartError(`can't specify both HTTP (${o.httpPort}) and HTTPs (${o.httpsPort}) ports`);
  if (o.httpPort === 0 && o.httpsPort === 0) return async () => undefined;
  const tls = server.tls;
  if (o.httpsPort !== 0 && tls?.options.certFile === undefined) throw new MonitorStartError("TLS cert and key required for HTTPS");
  const { startMonitor } = await import("./http.js");
  if (o.httpPort !== 0) return () => startMonitor(server, state, o.httpHost, o.httpPort);
  return () => startMonitor(server, state, o.httpHost, o.httpsPort, tls!.settings);
}
