/**
 * The embedding API: `startServer(options)` runs a full tsnats server inside the calling process.
 *
 *   import { startServer } from "tsnats";
 *   const srv = await startServer({ port: 0 });   // 0 or -1: a free port
 *   // ... connect to srv.url ...
 *   await srv.close();
 *
 * `startCluster(n)` runs n such servers joined by routes, for application tests of clustered behaviour
 * (queue groups across servers, failover of clients between servers):
 *
 *   const cluster = await startCluster(3);
 *   const nc = await connect({ servers: cluster.urls });
 *   await cluster.servers[0].close();              // the client fails over to another server
 *   await cluster.close();
 */
import { writeFileSync, rmSync } from "node:fs";
import { join, basename } from "node:path";
import { defaultOptions, type ClusterOptions, type Options } from "./config/options.js";
import { parseRouteUrl } from "./config/route-url.js";
import { authTimeoutWithTls, defaultTlsOptions, type TlsOptions } from "./config/tls-options.js";
import { Logger } from "./util/logger.js";
import { Server } from "./server/server.js";
import { MonitorState } from "./monitor/endpoint.js";
import type { Monitor } from "./monitor/http.js";
import { prepareMonitoring } from "./monitor/https.js";
import { systemMonitor } from "./monitor/system-requests.js";
import { hasPlainTextPasswords, PLAIN_TEXT_PASSWORDS_WARNING } from "./auth/password-warning.js";
import { JetStream, jetStreamOf } from "./jetstream/jetstream.js";
import { StartError } from "./server/start-error.js";

export type { Options } from "./config/options.js";
export { Server } from "./server/server.js";
export { NATS_VERSION, TSNATS_VERSION } from "./server/version.js";

export interface RunningServer {
  server: Server;
  /** `nats://host:port` of the client listener. */
  url: string;
  host: string;
  port: number;
  /** Port of the HTTP(S) monitor, when enabled. */
  monitorPort: number | undefined;
  /** Stops the server: clients get their pending output, then the listeners close. */
  close(): Promise<void>;
}

export interface StartOptions extends Partial<Omit<Options, "jetstream" | "tls" | "cluster">> {
  jetstream?: Partial<Options["jetstream"]>;
  /**
   * Routes to other servers: `port` (-1: a free one), `name`, and `routes` as URLs
   * (`nats://host:port`, `nats://user:pass@host:port`); the rest as in the config file's cluster block.
   */
  cluster?: Partial<Omit<ClusterOptions, "routes">> & { routes?: (string | ClusterOptions["routes"][number])[] };
  /** TLS for the client listener (and the HTTPS monitor): at least `certFile` and `keyFile`. */
  tls?: Partial<TlsOptions>;
  /** A logger; embedded servers log nothing unless given one (or `log: true` for stderr). */
  logger?: Logger;
  log?: boolean;
}

/** Fills what the caller left out; an embedded server picks a free port on 127.0.0.1 by default. */
export function embeddedOptions(o: StartOptions): Options {
  const d = defaultOptions();
  const { logger: _l, log: _g, jetstream, tls, cluster, ...rest } = o;
  const opts: Options = { ...d, host: "127.0.0.1", port: -1, ...rest, jetstream: { ...d.jetstream, ...jetstream } };
  if (cluster) opts.cluster = embeddedCluster(cluster);
  if (tls) {
    opts.tls = { ...defaultTlsOptions(), ...tls };
    if (o.authTimeoutMs === undefined) opts.authTimeoutMs = authTimeoutWithTls(opts.tls);
  }
  return opts;
}

function embeddedCluster(c: NonNullable<StartOptions["cluster"]>): ClusterOptions {
  const routes = (c.routes ?? []).map((r) => {
    if (typeof r !== "string") return r;
    const u = parseRouteUrl(r);
    if (typeof u === "string") throw new Error(`cluster route ${JSON.stringify(r)}: ${u}`);
    return u;
  });
  return { host: "127.0.0.1", port: -1, noAdvertise: false, connectRetries: 0, ...c, routes };
}

export interface RunningCluster {
  servers: RunningServer[];
  /** Every server's client URL (give them all to a client, so it can fail over). */
  urls: string[];
  /** Stops every server still running. */
  close(): Promise<void>;
}

/**
 * Starts `n` servers in this process as one cluster named `options.cluster.name` (default "tsnats"),
 * each listening for clients and routes on free ports of 127.0.0.1 and routed to the first; resolves
 * once every server has a route to every other. `options` applies to each server (a JetStream store
 * directory gets a subdirectory per server).
 */
export async function startCluster(n: number, options: StartOptions = {}): Promise<RunningCluster> {
  if (!Number.isInteger(n) || n < 1) throw new Error(`startCluster: n must be a positive integer, not ${n}`);
  const name = options.cluster?.name ?? "tsnats";
  const servers: RunningServer[] = [];
  const storeDir = options.jetstream?.storeDir;
  try {
    for (let i = 0; i < n; i++) {
      const seed = servers[0]?.server.routes;
      servers.push(
        await startServer({
          ...options,
          serverName: options.serverName ? `${options.serverName}-${i + 1}` : `${name}-${i + 1}`,
          ...(storeDir !== undefined && { jetstream: { ...options.jetstream, storeDir: join(storeDir, `s${i + 1}`) } }),
          cluster: { ...options.cluster, name, port: -1, routes: seed ? [`nats://127.0.0.1:${seed.port}`] : [] },
        }),
      );
    }
    await meshed(servers, n - 1);
    if (options.jetstream?.enabled) await metaFormed(servers, n);
  } catch (e) {
    await Promise.all(servers.map((s) => s.close()));
    throw e;
  }
  return { servers, urls: servers.map((s) => s.url), close: async () => void (await Promise.all(servers.map((s) => s.close()))) };
}

/** Waits until every server has `peers` live routes (gossip completes the mesh from the seed). */
async function meshed(servers: RunningServer[], peers: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (servers.some((s) => (s.server.routes?.remoteCount() ?? 0) < peers)) {
    if (Date.now() > deadline) throw new Error(`startCluster: the routes did not form within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Clustered JetStream: waits until every server follows one meta leader with all `n` servers as voters. */
async function metaFormed(servers: RunningServer[], n: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const formed = (): boolean => {
    const metas = servers.map((s) => jetStreamOf(s.server)?.meta);
    const leader = metas[0]?.leader;
    return leader !== undefined && metas.every((m) => m !== undefined && m.current && m.leader === leader && m.group !== undefined && m.group.voters.length === n);
  };
  while (!formed()) {
    if (Date.now() > deadline) throw new Error(`startCluster: the JetStream meta group did not form within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function startServer(o: StartOptions = {}): Promise<RunningServer> {
  const opts = embeddedOptions(o);
  const logger = o.logger ?? new Logger({ debug: opts.debug, trace: opts.trace, logtime: opts.logtime, logtimeUTC: opts.logtimeUTC, logFile: o.log ? opts.logFile : "/dev/null" });
  return runServer(opts, logger);
}

/** Starts a server from complete options: the shared path of the binary and of embedding. */
export async function runServer(opts: Options, logger: Logger): Promise<RunningServer> {
  const server = new Server(opts, logger);
  server.logBanner();
  if (hasPlainTextPasswords(opts)) logger.warn(PLAIN_TEXT_PASSWORDS_WARNING);
  // One monitoring state for the HTTP listener and the $SYS monitoring requests (/varz http_req_stats).
  const monitoring = new MonitorState(opts.httpBasePath);
  server.system.monitorProvider = systemMonitor(server, monitoring);
  let monitor: Monitor | undefined;
  try {
    const startMonitoring = await prepareMonitoring(server, monitoring);
    // JetStream first, so that the first client already sees it in INFO.
    if (opts.jetstream.enabled) {
      // In operator mode the system account comes from the operator or the config, never made up; JetStream
      // needs it (for its internal subscriptions and advisories), so nats-server refuses to start.
      if (server.auth.operatorMode && opts.systemAccount === undefined && server.auth.trust?.systemAccount === undefined) {
        throw new StartError("Can't start JetStream: setting up internal jetstream subscriptions failed: system account not setup");
      }
      await JetStream.start(server, opts.jetstream);
    }
    await server.listen();
    monitor = await startMonitoring();
  } catch (e) {
    await server.shutdown();
    throw e;
  }
  if (monitor) server.onShutdown(() => monitor.close());
  if (opts.pidFile) {
    const file = opts.pidFile;
    writeFileSync(file, String(process.pid));
    server.onShutdown(() => rmSync(file, { force: true }));
  }
  if (opts.portsFileDir) {
    const file = join(opts.portsFileDir, `${basename(process.argv[1] ?? "tsnats-server")}_${process.pid}.ports`);
    const host = opts.host === "0.0.0.0" || opts.host === "::" ? "127.0.0.1" : opts.host;
    const ports: Record<string, string[]> = { nats: [`nats://${host}:${server.port}`] };
    if (monitor) ports.monitoring = [`${opts.httpsPort !== 0 ? "https" : "http"}://${host}:${monitor.port}`];
    if (server.routes) ports.cluster = [`nats://${host}:${server.routes.port}`];
    if (server.websocket) ports.websocket = [`${server.websocket.scheme}://${host}:${server.websocket.port}`];
    writeFileSync(file, JSON.stringify(ports));
    server.onShutdown(() => rmSync(file, { force: true }));
  }
  // Sections accepted for compatibility (client test suites put them in every config) but not served.
  for (const section of Object.keys(opts.unsupported)) logger.warn(`The "${section}" configuration is accepted but not served by tsnats yet`);
  server.ready();
  const host = opts.host === "0.0.0.0" ? "127.0.0.1" : opts.host;
  return {
    server,
    url: `nats://${host}:${server.port}`,
    host,
    port: server.port,
    monitorPort: monitor?.port,
    close: () => server.shutdown(),
  };
}
