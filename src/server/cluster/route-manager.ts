/**
 * The cluster's I/O shell: the route listener, dialling, and the route connections, driven by the pure
 * topology (topology.ts) — it reports what happened and does what the topology asks (dial, close,
 * gossip, register). Once a route is registered it gets this server's interest (every account's local
 * subscriptions as RS+), and from then on every interest event of every account (interest.ts) goes to
 * every registered route as RS+/RS-.
 *
 * Interest that is not this server's own (a route's, or a local-only internal subscription such as a
 * service import's) is never announced: one hop.
 *
 * With cluster TLS both ends handshake as soon as the TCP connection is up, before INFO (nats-server
 * does so on routes): the accepting side as TLS server (asking for the peer's certificate with
 * `verify`), the dialling side as TLS client checking the peer's certificate against the CA.
 *
 * Invariants: `routes` holds exactly the route connections not yet closed; a route gets RS+/RS- lines
 * only after its snapshot (it is registered), so it never sees an RS- before the RS+.
 */
import { createServer, connect as netConnect, isIP, type Server as NetServer, type Socket } from "node:net";
import type { SecureContextOptions } from "node:tls";
import { newNonce } from "../../auth/nonce.js";
import { TlsAcceptor } from "../../tls/acceptor.js";
import { loadTlsSettings, nodeTls } from "../../tls/context.js";
import type { Options } from "../../config/options.js";
import { decodeRouteConnect, decodeRouteInfo, encodeRouteConnect, encodeRouteInfo } from "../../protocol/route-info.js";
import { ERR } from "../../protocol/errors.js";
import { encodeRsMinus, encodeRsPlus } from "../../protocol/route-ops.js";
import type { Logger } from "../../util/logger.js";
import { nuid } from "../../util/base62.js";
import { joinHostPort, splitGoHostPort } from "../../util/go-url.js";
import { listenOn } from "../../util/listen.js";
import type { Account } from "../account.js";
import { ClosedReason } from "../closed-reason.js";
import type { Connection } from "../connection.js";
import type { InterestListener } from "../interest.js";
import { Route, type RouteHost } from "../route.js";
import type { ServerStats } from "../stats.js";
import type { ClusterName } from "./cluster-name.js";
import { goDialError } from "./dial-error.js";
import { checkRouteConnect } from "./route-connect-check.js";
import { localRouteInfo, routeConnect, type LocalServer } from "./route-handshake.js";
import { ClusterTopology } from "./topology.js";
import { initialClusterName, topologyConfig } from "./topology-config.js";
import type { RouteCloseReason, TopologyAction, TopologyEvent } from "./topology-types.js";

/** What the cluster layer needs from the server. */
export interface ClusterHost {
  readonly id: string;
  readonly name: string;
  readonly opts: Options;
  readonly logger: Logger;
  readonly stats: ServerStats;
  readonly jetStreamEnabled: boolean;
  markDirty(c: Connection): void;
  /** Every account there is now; `onAccount` hears of later ones. */
  accountList(): Iterable<Account>;
  routeAccount(name: string): Account | undefined;
  publishRouted: RouteHost["publishRouted"];
  /** This server's client URLs (`host:port`), for its peers' clients. */
  clientUrls(): string[];
  /** The other servers' client URLs changed. */
  peerUrlsChanged(urls: string[]): void;
  /** `version` and `go` of INFO. */
  readonly versionInfo: { version: string; go: string };
}

const DIAL_TIMEOUT_MS = 1000;
/** nats-server's route auth timeout without TLS (with TLS: the TLS timeout plus a second). */
const DEFAULT_ROUTE_AUTH_TIMEOUT_MS = 2000;

const CLOSE_REASONS: Record<RouteCloseReason, ClosedReason> = {
  "Duplicate Route": ClosedReason.DuplicateRoute,
  "Cluster Name Conflict": ClosedReason.ClusterNameConflict,
  "Duplicate Server Name": ClosedReason.DuplicateServerName,
};

export class RouteManager implements RouteHost {
  /** Route connections by id (their `rid`). */
  readonly routes = new Map<number, Route>();
  private readonly topology: ClusterTopology;
  private listener: NetServer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The route listener's address once listening. */
  host = "";
  port = 0;
  private readonly listeners = new Map<Account, InterestListener>();
  /** Cluster TLS: the server side for accepted routes, the settings for dialled ones. */
  private tlsAcceptor: TlsAcceptor | undefined;
  private tlsDial: SecureContextOptions | undefined;

  constructor(
    private readonly server: ClusterHost,
    private nextRid: () => number,
  ) {
    const opts = server.opts;
    this.topology = new ClusterTopology(topologyConfig(opts, server.id, initialClusterName(opts, nuid), Math.random));
  }

  // ---- RouteHost (the parts the server provides) -------------------------------------------------

  get opts(): Options {
    return this.server.opts;
  }
  get logger(): Logger {
    return this.server.logger;
  }
  get stats(): ServerStats {
    return this.server.stats;
  }
  markDirty(c: Connection): void {
    this.server.markDirty(c);
  }
  routeAccount(name: string): Account | undefined {
    return this.server.routeAccount(name);
  }
  readonly publishRouted: RouteHost["publishRouted"] = (...args) => this.server.publishRouted(...args);

  get clusterName(): ClusterName {
    return this.topology.clusterName;
  }

  /** Servers this one has a live route to. */
  remoteCount(): number {
    return this.topology.connectedServers().length;
  }

  // ---- lifecycle ---------------------------------------------------------------------------------

  async listen(): Promise<void> {
    const c = this.server.opts.cluster!;
    if (c.tls !== undefined) {
      this.tlsAcceptor = new TlsAcceptor(c.tls);
      this.tlsDial = loadTlsSettings(c.tls);
    }
    const srv = createServer({ noDelay: true }, (s) => this.accept(s));
    this.listener = srv;
    this.port = await listenOn(srv, c.host, c.port);
    this.host = c.host;
    this.logger.info(`Cluster name is ${this.topology.clusterName.name}`);
    if (this.topology.clusterName.dynamic) this.logger.warn("Cluster name was dynamically generated, consider setting one");
    this.logger.info(`Listening for route connections on ${joinHostPort(c.host, this.port)}`);
    for (const a of this.server.accountList()) this.attach(a);
    this.run({ kind: "start" });
  }

  /** Announces `account`'s local interest to the routes from now on. */
  attach(account: Account): void {
    if (this.listeners.has(account)) return;
    const name = account.name;
    const l: InterestListener = (subject, queue, weight, remote) => {
      if (remote || this.routes.size === 0) return;
      const line = weight === 0 ? encodeRsMinus(name, subject, queue) : encodeRsPlus(name, subject, queue, queue === undefined ? undefined : weight);
      for (const r of this.routes.values()) if (r.registered) r.sendLine(line);
    };
    this.listeners.set(account, l);
    account.listenInterest(l);
  }

  /** Lame duck mode: the peers take this server's client URLs out of what they tell their clients. */
  lameDuck(): void {
    const line = encodeRouteInfo({ ...this.localInfo(), ldm: true });
    for (const r of this.routes.values()) if (r.registered) r.sendLine(line);
  }

  shutdown(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.run({ kind: "shutdown" });
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.listener?.close();
    for (const [a, l] of this.listeners) a.unlistenInterest(l);
    this.listeners.clear();
    for (const r of [...this.routes.values()]) r.close(ClosedReason.ServerShutdown);
  }

  // ---- connections -------------------------------------------------------------------------------

  private accept(socket: Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    const acceptor = this.tlsAcceptor;
    if (acceptor === undefined) return this.accepted(socket);
    socket.pause();
    const where = `${socket.remoteAddress}:${socket.remotePort}`;
    const deadline = setTimeout(() => socket.destroy(), acceptor.options.timeoutMs).unref();
    acceptor.handshake(socket, true).then(
      (secured) => {
        clearTimeout(deadline);
        if (this.stopped) secured.socket.destroy();
        else this.accepted(secured.socket);
      },
      (e: Error) => {
        clearTimeout(deadline);
        this.logger.error(`${where} - TLS route handshake error: ${e.message}`);
        socket.destroy();
      },
    );
  }

  private accepted(socket: Socket): void {
    const r = this.addRoute(socket, false);
    // With cluster authorization, a peer that has not sent CONNECT within the auth timeout is cut off,
    // as nats-server does (without it nats-server waits, and so does this server: pings catch the dead).
    const c = this.server.opts.cluster!;
    if (c.username === undefined) return this.greet(r);
    const ms = c.authTimeoutMs ?? (c.tls ? c.tls.timeoutMs + 1000 : DEFAULT_ROUTE_AUTH_TIMEOUT_MS);
    setTimeout(() => {
      if (r.connected || r.closed) return;
      this.logger.error(`${r.logPrefix} - Authentication Timeout`);
      r.sendErrAndClose(ERR.authTimeout, ClosedReason.AuthenticationTimeout);
    }, ms).unref();
    this.greet(r);
  }

  private greet(r: Route): void {
    this.logger.info(`${r.logPrefix} - Route connection created`);
    // nats-server puts a nonce in the INFO of an accepted route (nothing signs it on routes yet).
    r.sendLine(encodeRouteInfo({ ...this.localInfo(), nonce: newNonce() }));
    this.run({ kind: "accepted", connId: r.cid });
  }

  private dial(dialId: number, hostPort: string, user: string | undefined, pass: string | undefined): void {
    const hp = splitGoHostPort(hostPort);
    if (!hp.ok) {
      this.run({ kind: "dialFailed", dialId, error: hp.error });
      return;
    }
    const socket = netConnect({ host: hp.host, port: Number(hp.port), timeout: DIAL_TIMEOUT_MS });
    const failed = (e: Error) => {
      socket.destroy();
      if (!this.stopped) this.run({ kind: "dialFailed", dialId, error: goDialError(hostPort, e) });
    };
    socket.once("error", failed);
    socket.once("timeout", () => failed(Object.assign(new Error("i/o timeout"), { code: "ETIMEDOUT" })));
    socket.once("connect", () => {
      socket.off("error", failed);
      socket.setTimeout(0);
      if (this.stopped) {
        socket.destroy();
        return;
      }
      const settings = this.tlsDial;
      if (settings === undefined) return this.dialed(socket, dialId, hostPort, user, pass);
      const host = hp.host;
      const t = nodeTls().connect({ ...settings, socket, rejectUnauthorized: true, ...(isIP(host) === 0 && { servername: host }) });
      const tlsFailed = (e: Error) => {
        t.destroy();
        if (!this.stopped) this.run({ kind: "dialFailed", dialId, error: `TLS route handshake error: ${e.message}` });
      };
      t.once("error", tlsFailed);
      t.once("secureConnect", () => {
        t.off("error", tlsFailed);
        if (this.stopped) t.destroy();
        else this.dialed(t, dialId, hostPort, user, pass);
      });
    });
  }

  /** A dialled route is up (TLS done, if any): it sends CONNECT and INFO first. */
  private dialed(socket: Socket, dialId: number, hostPort: string, user: string | undefined, pass: string | undefined): void {
    const r = this.addRoute(socket, true);
    this.logger.info(`${r.logPrefix} - Route connection created`);
    const me = this.localServer();
    const target = { hostPort, ...(user !== undefined && { username: user }), ...(pass !== undefined && { password: pass }) };
    r.sendLine(encodeRouteConnect(routeConnect(target, me, this.server.opts.cluster?.tls !== undefined)));
    r.sendLine(encodeRouteInfo(this.localInfo()));
    this.run({ kind: "dialed", dialId, connId: r.cid });
  }

  private addRoute(socket: Socket, solicited: boolean): Route {
    const r = new Route(this, socket, this.nextRid(), solicited, false);
    this.routes.set(r.cid, r);
    r.armPingTimer();
    return r;
  }

  routeConnect(r: Route, json: string): void {
    const d = decodeRouteConnect(json);
    if (!d.ok) {
      this.logger.error(`${r.logPrefix} - Router parser ERROR: ${d.error}`);
      r.close(ClosedReason.ProtocolViolation);
      return;
    }
    const verdict = checkRouteConnect(this.server.opts.cluster!, d.value);
    const apply = (v: Awaited<typeof verdict>) => {
      if (r.closed) return;
      if (!v.ok) {
        this.logger.error(`${r.logPrefix} - ${v.log}`);
        r.sendErrAndClose(v.err, v.reason === "Authentication Failure" ? ClosedReason.AuthenticationViolation : v.reason === "Wrong Port" ? ClosedReason.WrongPort : ClosedReason.WrongGateway);
        return;
      }
      r.connected = true;
      this.run({ kind: "connect", connId: r.cid, connect: d.value });
    };
    if (verdict instanceof Promise) void verdict.then(apply);
    else apply(verdict);
  }

  routeInfo(r: Route, json: string): void {
    const d = decodeRouteInfo(json);
    if (!d.ok) {
      this.logger.error(`${r.logPrefix} - Router parser ERROR: ${d.error}`);
      r.close(ClosedReason.ProtocolViolation);
      return;
    }
    const info = d.value;
    if (!r.registered && info.serverId !== undefined) r.peerHeaders = info.headers === true;
    this.run({ kind: "info", connId: r.cid, info, remoteIp: r.host });
  }

  routeClosed(r: Route): void {
    this.routes.delete(r.cid);
    if (r.registered) this.logger.info(`${r.logPrefix} - Router connection closed: ${r.closeReason ?? ""}`);
    if (!this.stopped) this.run({ kind: "closed", connId: r.cid });
  }

  // ---- the topology ------------------------------------------------------------------------------

  private run(event: TopologyEvent): void {
    let actions: TopologyAction[];
    try {
      actions = this.topology.handle(event, Date.now());
    } catch (e) {
      this.logger.error(`Cluster topology failed, routes are no longer managed: ${(e as Error).message}`);
      this.stopped = true;
      return;
    }
    for (const a of actions) this.act(a);
    this.schedule();
  }

  private act(a: TopologyAction): void {
    switch (a.kind) {
      case "dial":
        this.dial(a.dialId, a.target.hostPort, a.target.username, a.target.password);
        break;
      case "sendErr":
        this.routes.get(a.connId)?.sendErr(a.text);
        break;
      case "close":
        this.routes.get(a.connId)?.close(CLOSE_REASONS[a.reason]);
        break;
      case "registered": {
        const r = this.routes.get(a.connId);
        if (r === undefined) break;
        r.remoteId = a.remoteId;
        r.registered = true;
        this.sendInterest(r);
        break;
      }
      case "forwardInfo": {
        const line = encodeRouteInfo(a.info);
        for (const id of a.connIds) this.routes.get(id)?.sendLine(line);
        break;
      }
      case "peerUrls":
        this.server.peerUrlsChanged(a.urls);
        break;
      case "clusterName":
        this.logger.info(`Cluster name updated to ${a.name.name}`);
        break;
      case "log":
        if (a.level === "error") this.logger.error(a.text);
        else if (a.level === "info") this.logger.info(a.text);
        else this.logger.debug(a.text);
        break;
    }
  }

  /** Every account's local interest, as the RS+ lines a route that just registered is sent. */
  private sendInterest(r: Route): void {
    for (const a of this.listeners.keys()) {
      a.forEachInterest(false, (subject, queue, weight) => r.sendLine(encodeRsPlus(a.name, subject, queue, queue === undefined ? undefined : weight)));
    }
  }

  private schedule(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const at = this.topology.nextWakeAt();
    if (at === undefined || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) this.run({ kind: "tick" });
    }, Math.max(0, at - Date.now()));
    this.timer.unref();
  }

  // ---- what this server says -----------------------------------------------------------------------

  private localServer(): LocalServer {
    const s = this.server;
    return {
      serverId: s.id,
      serverName: s.name,
      version: s.versionInfo.version,
      go: s.versionInfo.go,
      maxPayload: s.opts.maxPayload,
      headers: !s.opts.noHeaderSupport,
      jetstream: s.jetStreamEnabled,
      clusterName: this.topology.clusterName,
      listenHost: this.host,
      listenPort: this.port,
      clientConnectUrls: s.clientUrls(),
    };
  }

  private localInfo() {
    return localRouteInfo(this.server.opts.cluster!, this.localServer());
  }
}
