/**
 * The server: the client listener, the connections, accounts, the end-of-turn flush, and the lifecycle
 * (start, reload, lame duck, shutdown). Monitoring and JetStream attach from the layers above.
 */
import { createServer, type Server as NetServer, type Socket } from "node:net";
import { networkInterfaces } from "node:os";
import { AccountResolver } from "../auth/account-resolver.js";
import type { AuthUser } from "../auth/auth-user.js";
import { Authenticator, type AuthOutcome } from "../auth/authenticator.js";
import { newNonce } from "../auth/nonce.js";
import { Trust } from "../auth/trust.js";
import type { Options, WebsocketOptions } from "../config/options.js";
import { ERR } from "../protocol/errors.js";
import { subjectMatches } from "../subjects/validate.js";
import { TlsAcceptor } from "../tls/acceptor.js";
import type { Logger } from "../util/logger.js";
import { newServerPublicKey } from "../util/server-nkey.js";
import { GLOBAL_ACCOUNT } from "../util/global-account.js";
import { joinHostPort } from "../util/go-url.js";
import { listenOn } from "../util/listen.js";
import { Account } from "./account.js";
import { AccountRegistry } from "./accounts.js";
import { bindClient, closeAccountExpired, reauthorize } from "./client-auth.js";
import { Client } from "./client.js";
import type { Connection } from "./connection.js";
import { startTls } from "./client-tls.js";
import { authenticateByCertificate, mapsCertificates } from "./cert-auth.js";
import { ClosedReason } from "./closed-reason.js";
import { RouteManager, type ClusterHost } from "./cluster/route-manager.js";
import { deliver, deliverRouted } from "./delivery.js";
import { Outgoing } from "./outgoing.js";
import { ServerStats } from "./stats.js";
import type { Route } from "./route.js";
import type { Leaf } from "./leaf.js";
import { LeafManager, type LeafServer } from "./leaf/leaf-manager.js";
import { Subscription, type InternalHandler } from "./subscription.js";
import { SystemServices } from "./system.js";
import type { WebSocket } from "ws";
import { WsClient } from "./ws-client.js";
import type { CookieCredentials } from "./ws-handshake.js";
import type { WebsocketListener, WebsocketHost } from "./ws-listener.js";
import { GO_FIELD, JS_API_LEVEL, NATS_VERSION, TSNATS_VERSION } from "./version.js";

const NO_RESPONDERS_HDR = "NATS/1.0 503\r\n\r\n";
/** JetStream's ack replies; one with `@<subject>` names the subject a routed delivery is shown with. */
const JS_ACK_PREFIX = "$JS.ACK.";
/** Nested publishes beyond this depth are dropped: a guard against import cycles between accounts. */
const MAX_PUBLISH_DEPTH = 16;

export class Server implements ClusterHost, LeafServer, WebsocketHost {
  readonly id: string;
  readonly name: string;
  readonly start = new Date();
  readonly stats = new ServerStats();
  readonly clients = new Map<number, Client>();
  /** The most recent closed connections, oldest first (for /connz?state=closed). */
  readonly closed: Client[] = [];
  readonly globalAccount: Account;
  /** Every account: `$G`, the system account, configured ones, and JWT accounts once used. */
  readonly accounts: AccountRegistry;
  /** $SYS events and request handlers. */
  readonly system: SystemServices;
  opts: Options;
  auth: Authenticator;
  /** WebSocket clients' authenticator when the websocket block sets credentials of its own. */
  private wsAuth: Authenticator | undefined;
  /** The WebSocket listener, when the websocket block has a port. */
  websocket: WebsocketListener | undefined;
  /** Operator mode: where account JWTs come from (kept across reloads). */
  readonly resolver: AccountResolver | undefined;
  configLoadTime = new Date();
  lameDuck = false;
  /** Set by the JetStream layer once it serves $JS.API; INFO advertises it only then. */
  jetStreamEnabled = false;
  /** The cluster's routes, when a cluster port is configured. */
  routes: RouteManager | undefined;
  /** Leaf node links (hub listener and remotes), when a `leafnodes` block is configured. */
  leafs: LeafManager | undefined;
  /** The other servers' client URLs, as the routes announced them. */
  private peerUrls: string[] = [];
  readonly versionInfo = { version: NATS_VERSION, go: GO_FIELD };
  /** The address the client listener got (port resolved when -1/0 was asked). */
  host = "";
  port = 0;

  /** The client listener's TLS (certificates read at start and again on every reload). */
  tls: TlsAcceptor | undefined;
  private listener: NetServer | undefined;
  private nextCid_ = 1;
  private dirty: Connection[] = [];
  private flushScheduled = false;
  private shuttingDown: Promise<void> | undefined;
  private readonly shutdownHooks: (() => Promise<void> | void)[] = [];
  private readonly leavingHooks: (() => Promise<void> | void)[] = [];
  /** Nesting of publish() calls (internal subscribers publishing while a message is delivered). */
  private publishDepth = 0;
  private nextInternalSid = 1;
  /** Reused for every outermost publish (see Outgoing). */
  private readonly outgoing = new Outgoing();
  /** INFO fields shared by every connection, serialised once per change. */
  private infoPrefix = "";
  /** The same for WebSocket clients (the websocket listener's host, port and TLS). */
  private wsInfoPrefix = "";

  constructor(
    opts: Options,
    readonly logger: Logger,
  ) {
    this.opts = opts;
    this.id = newServerPublicKey();
    this.name = opts.serverName || this.id;
    this.tls = opts.tls && new TlsAcceptor(opts.tls);
    const trust = operatorTrust(opts);
    if (trust !== undefined) this.resolver = new AccountResolver(opts.resolver ?? { type: "memory", allowDelete: false, hardDelete: false, limit: 0 }, opts.resolverPreload);
    this.auth = new Authenticator(opts, trust, this.resolver);
    this.wsAuth = websocketAuthenticator(opts, trust, this.resolver);
    this.globalAccount = new Account(GLOBAL_ACCOUNT, { disableCache: opts.disableSublistCache });
    this.accounts = new AccountRegistry(this, this.globalAccount);
    this.system = new SystemServices(this, this.accounts);
    this.accounts.onCreate = (a) => {
      this.system.attachAccount(a);
      this.routes?.attach(a);
    };
    this.accounts.onExpired = (a) => closeAccountExpired(this, a);
    this.system.attachAccount(this.globalAccount);
    this.accounts.configure(opts, this.auth);
    this.system.start();
  }

  authRequired(): boolean {
    return this.auth.required;
  }

  authFor(c: Client): Authenticator {
    return c.connectionType === "WEBSOCKET" && this.wsAuth !== undefined ? this.wsAuth : this.auth;
  }

  /** Checks a client's CONNECT credentials (possibly asynchronously: bcrypt). */
  authenticate(c: Client): AuthOutcome | Promise<AuthOutcome> {
    const type = c.connectionType;
    if (type === "STANDARD" && mapsCertificates(this)) return authenticateByCertificate(this, c, type);
    return this.authFor(c).authenticate({ connect: c.opts, nonce: c.nonce, connectionType: type });
  }

  /** Puts an authenticated client into its account; false (and the client closed) when a limit refuses it. */
  bind(c: Client, user: AuthUser): boolean {
    return bindClient(this, c, user);
  }

  /** Runs `fn` when the server shuts down (monitor listener, stores, pid files…). */
  onShutdown(fn: () => Promise<void> | void): void {
    this.shutdownHooks.push(fn);
  }

  /** Runs first in a shutdown, while the routes are still up (a clustered service tells its peers it leaves). */
  onShutdownStart(fn: () => Promise<void> | void): void {
    this.leavingHooks.push(fn);
  }

  /** nats-server's start-up lines; logged before anything else starts (JetStream, listeners). */
  logBanner(): void {
    this.logger.info(`Starting nats-server`);
    this.logger.info(`  Version:  ${NATS_VERSION} (tsnats ${TSNATS_VERSION})`);
    this.logger.info(`  Git:      [not set]`);
    this.logger.info(`  Name:     ${this.name}`);
    this.logger.info(`  ID:       ${this.id}`);
    if (this.opts.configFile) this.logger.info(`Using configuration file: ${this.opts.configFile}`);
  }

  async listen(): Promise<void> {
    const o = this.opts;
    if (this.resolver?.kind === "url") this.logger.warn("The URL account resolver is not supported: only preloaded account JWTs are known");
    if (this.resolver !== undefined) {
      await this.resolver.start();
      this.accounts.configure(o, this.auth);
    }
    const srv = createServer({ noDelay: true }, (s) => this.accept(s));
    this.listener = srv;
    this.port = await listenOn(srv, o.host, o.port);
    this.host = o.host;
    this.rebuildInfo();
    this.logger.info(`Listening for client connections on ${joinHostPort(o.host, this.port)}`);
    if (this.tls) this.logger.info("TLS required for client connections");
    if (o.cluster !== undefined && o.cluster.port !== 0) {
      this.routes = new RouteManager(this, () => this.nextCid_++);
      await this.routes.listen();
      this.rebuildInfo();
    }
    const ws = o.websocket;
    if (ws !== undefined && ws.port !== 0) {
      // Loaded only when asked for: with it come ws, node:http, node:https and node:tls,
      // about 30 ms of the ~175 ms of CPU a start took (issue #15).
      const { WebsocketListener } = await import("./ws-listener.js");
      this.websocket = new WebsocketListener(this, ws);
      await this.websocket.listen();
      this.rebuildInfo();
    }
    if (o.leafnodes !== undefined) {
      this.leafs = new LeafManager(this);
      await this.leafs.start();
    }
  }

  // ---- LeafServer ------------------------------------------------------------------------------

  lookupAccount(name: string): Account | undefined {
    return this.accounts.get(name);
  }

  clusterName(): string | undefined {
    return this.routes?.clusterName.name;
  }

  nextCid(): number {
    return this.nextCid_++;
  }

  /**
   * A message that came over a leaf link: delivered to this server's subscribers, its routes and its
   * other leaf links with interest, and to the queue groups the link named. From a hub (a link this
   * server dialled) it stays off the routes, as nats-server keeps it (every server of a leaf cluster
   * has its own link).
   */
  publishLeaf(from: Leaf, subject: string, reply: string | undefined, payload: Buffer, hdrLen: number, queues: readonly string[] | undefined): void {
    this.publishFromPeer(from, from.account!, subject, reply, payload, hdrLen, queues, from.solicited, true);
  }

  // ---- ClusterHost -----------------------------------------------------------------------------

  accountList(): Iterable<Account> {
    return this.accounts.accounts.values();
  }

  routeAccount(name: string): Account | undefined {
    return this.accounts.get(name);
  }

  /** This server's client URLs: the advertised one, or the listener's address (every interface's for 0.0.0.0). */
  clientUrls(): string[] {
    const o = this.opts;
    if (o.clientAdvertise) return [o.clientAdvertise];
    if (o.host !== "0.0.0.0" && o.host !== "::" && o.host !== "") return [joinHostPort(o.host, this.port)];
    return interfaceAddresses().map((a) => joinHostPort(a, this.port));
  }

  /** INFO's and /varz's `connect_urls`: every server of the cluster's, unless `no_advertise`. */
  connectUrls(): string[] | undefined {
    const o = this.opts;
    if (this.routes !== undefined && !o.cluster?.noAdvertise) return [...this.clientUrls(), ...this.peerUrls];
    return o.clientAdvertise ? [o.clientAdvertise] : undefined;
  }

  peerUrlsChanged(urls: string[]): void {
    this.peerUrls = urls;
    this.rebuildInfo();
    // Clients learn of the cluster's servers from an async INFO (protocol 1 clients only, as nats-server).
    for (const c of this.clients.values()) if (c.connected && c.opts.protocol >= 1) c.queueStr(this.asyncInfoFor(c));
  }

  /** Logs readiness once every listener (monitoring, JetStream) is up; launchers wait for this line. */
  ready(): void {
    this.logger.info("Server is ready");
  }

  /** Rebuilds the shared part of INFO (after start, reload, lame duck). Field order follows nats-server. */
  rebuildInfo(): void {
    const o = this.opts;
    const info: Record<string, unknown> = {
      server_id: this.id,
      server_name: this.name,
      version: NATS_VERSION,
      proto: 1,
      go: GO_FIELD,
      host: o.host,
      port: this.port,
      headers: !o.noHeaderSupport,
    };
    if (this.auth.advertiseRequired) info.auth_required = true;
    if (o.tls) {
      if (!o.allowNonTls) info.tls_required = true;
      if (o.tls.verify || o.tls.verifyAndMap) info.tls_verify = true;
      if (o.allowNonTls) info.tls_available = true;
    }
    info.max_payload = o.maxPayload;
    if (this.jetStreamEnabled) info.jetstream = true;
    info.api_lvl = JS_API_LEVEL;
    const urls = this.connectUrls();
    if (urls !== undefined) info.connect_urls = urls;
    if (this.lameDuck) info.ldm = true;
    const json = JSON.stringify(info);
    this.infoPrefix = json.slice(0, -1);
    if (this.websocket !== undefined) this.wsInfoPrefix = JSON.stringify(this.websocketInfo(info, this.websocket)).slice(0, -1);
  }

  /**
   * INFO for WebSocket clients, as nats-server 2.10+ sends it: the websocket listener's host, port and
   * TLS, its advertised URL as connect_urls, and auth_required also when the websocket block sets its
   * own credentials.
   */
  private websocketInfo(base: Record<string, unknown>, ws: WebsocketListener): Record<string, unknown> {
    const o = ws.options;
    const info: Record<string, unknown> = { ...base, host: o.host, port: ws.port };
    delete info.tls_required;
    delete info.tls_verify;
    delete info.tls_available;
    delete info.connect_urls;
    if (!info.auth_required && websocketAuthOverride(o)) info.auth_required = true;
    if (ws.tls) {
      info.tls_required = true;
      info.tls_available = true;
    }
    if (o.advertise !== undefined) info.connect_urls = [o.advertise];
    // Keep nats-server's field order: the ones after max_payload go last again.
    const { jetstream, api_lvl, connect_urls, ldm, ...head } = info;
    return { ...head, ...(jetstream !== undefined && { jetstream }), api_lvl, ...(connect_urls !== undefined && { connect_urls }), ...(ldm !== undefined && { ldm }) };
  }

  /** The shared INFO fields for this client's kind of transport. */
  private infoPrefixFor(c: Client): string {
    return c.connectionType === "WEBSOCKET" ? this.wsInfoPrefix : this.infoPrefix;
  }

  /**
   * The INFO nats-server sends a protocol-1 client after CONNECT when its account lowers max_payload
   * (clients check payload sizes against the INFO they last saw).
   */
  infoWithMaxPayload(c: Client, maxPayload: number): string {
    const prefix = this.infoPrefixFor(c).replace(`"max_payload":${this.opts.maxPayload}`, `"max_payload":${maxPayload}`);
    return `INFO ${prefix},"client_id":${c.cid},"client_ip":${JSON.stringify(c.host)}} \r\n`;
  }

  private asyncInfoFor(c: Client): string {
    return `INFO ${this.infoPrefixFor(c)},"client_id":${c.cid},"client_ip":${JSON.stringify(c.host)}} \r\n`;
  }

  private infoFor(c: Client): string {
    let nonce = "";
    if (this.auth.needsNonce) {
      c.nonce = newNonce();
      nonce = `,"nonce":"${c.nonce}"`;
    }
    return `INFO ${this.infoPrefixFor(c)},"client_id":${c.cid},"client_ip":${JSON.stringify(c.host)}${nonce}} \r\n`;
  }

  private accept(socket: Socket): void {
    if (this.shuttingDown || this.lameDuck) {
      socket.destroy();
      return;
    }
    const cid = this.nextCid_++;
    this.admit(new Client(this, socket, cid, this.globalAccount, this.tls !== undefined), this.tls !== undefined);
  }

  acceptWebsocket(socket: Socket, ws: WebSocket, cookies: CookieCredentials, compress: boolean): void {
    if (this.shuttingDown || this.lameDuck) {
      socket.destroy();
      return;
    }
    this.admit(new WsClient(this, socket, this.nextCid_++, this.globalAccount, ws, cookies, compress), false);
  }

  /** A new client: counted, refused past max_connections, else greeted (over TLS when `tls`). */
  private admit(c: Client, tls: boolean): void {
    const cid = c.cid;
    this.stats.totalConnections++;
    if (this.clients.size >= this.opts.maxConnections) {
      this.logger.error(`${c.logPrefix} - Maximum Connections Exceeded (max=${this.opts.maxConnections})`);
      c.queueStr(this.infoFor(c));
      c.sendErrAndClose(ERR.maxConnections, ClosedReason.MaxConnectionsExceeded);
      return;
    }
    this.clients.set(cid, c);
    this.globalAccount.numClients++;
    this.logger.debug(`${c.logPrefix} - Client connection created`);
    if (tls) startTls(this, c, this.tls!, this.infoFor(c));
    else c.greet(this.infoFor(c), this.authFor(c).required);
  }

  /**
   * Routes one publish within `account` (by `routedBy` when given: a JetStream delivery carried on by an
   * import, matched by its deliver subject and shown with its own). Re-entrant: an internal subscriber may publish (a reply) while
   * the outer message is being delivered; only the outermost publish uses the shared Outgoing.
   */
  publish(from: Client | undefined, account: Account, subject: string, reply: string | undefined, payload: Buffer, hdrLen: number, local = false, routedBy?: string): number {
    this.stats.inMsgs++;
    this.stats.inBytes += payload.length;
    const r = account.sublist.match(routedBy ?? subject);
    if (r.plain.length + r.queues.length === 0) {
      if (reply !== undefined && from !== undefined && from.opts.noResponders) this.noResponders(from, reply);
      return 0;
    }
    if (this.publishDepth >= MAX_PUBLISH_DEPTH) return 0;
    const msg = this.publishDepth === 0 ? this.outgoing : new Outgoing();
    msg.server = this;
    msg.set(subject, reply, payload, hdrLen);
    if (routedBy !== undefined) msg.routedBy = routedBy;
    msg.account = account.name;
    msg.local = local;
    this.publishDepth++;
    let n: number;
    try {
      n = deliver(r, msg, from);
    } finally {
      this.publishDepth--;
    }
    if (n === 0 && reply !== undefined && from !== undefined && from.opts.noResponders) this.noResponders(from, reply);
    return n;
  }

  /**
   * A message that came over a route: delivered to this server's own subscribers, and to the queue
   * groups the route named (one hop; see deliverRouted).
   */
  publishRouted(from: Route, account: Account, subject: string, reply: string | undefined, payload: Buffer, hdrLen: number, queues: readonly string[] | undefined): void {
    this.publishFromPeer(from, account, subject, reply, payload, hdrLen, queues, true, false);
  }

  /**
   * What publishRouted and publishLeaf share: `local` keeps the message off the routes (Outgoing.local),
   * `remoteToo` lets it reach routes and leaf links at all (deliverRouted).
   */
  private publishFromPeer(from: Route | Leaf, account: Account, subject: string, reply: string | undefined, payload: Buffer, hdrLen: number, queues: readonly string[] | undefined, local: boolean, remoteToo: boolean): void {
    this.stats.inMsgs++;
    this.stats.inBytes += payload.length;
    const r = account.sublist.match(subject);
    if (r.plain.length + r.queues.length === 0) return;
    if (this.publishDepth >= MAX_PUBLISH_DEPTH) return;
    const msg = this.publishDepth === 0 ? this.outgoing : new Outgoing();
    msg.server = this;
    // A JetStream delivery routed by its deliver subject carries the subject its receivers see after
    // the `@` of its ack reply (nats-server's encoding, see Outgoing.routedBy).
    const at = reply !== undefined && reply.startsWith(JS_ACK_PREFIX) ? reply.lastIndexOf("@") : -1;
    if (at > 0 && at < reply!.length - 1) msg.set(reply!.slice(at + 1), reply!.slice(0, at), payload, hdrLen);
    else msg.set(subject, reply, payload, hdrLen);
    msg.account = account.name;
    msg.local = local;
    this.publishDepth++;
    try {
      deliverRouted(r, msg, from, queues, remoteToo);
    } finally {
      this.publishDepth--;
    }
  }

  /** A server-internal subscription in `account` (see InternalMessaging.subscribeInternal). */
  subscribeInternal(account: Account, subject: string, handler: InternalHandler, queue?: string, localOnly = false): Subscription {
    const sub = new Subscription(null, subject, queue, `internal-${this.nextInternalSid++}`, handler, localOnly);
    if (!account.addSub(sub)) throw new Error(`invalid internal subscription subject ${JSON.stringify(subject)}`);
    return sub;
  }

  unsubscribeInternal(account: Account, sub: Subscription): void {
    account.removeSub(sub);
  }

  /** Publishes a server-generated message; `headers` is a complete NATS/1.0 header block, if any. */
  publishInternal(account: Account, subject: string, reply: string | undefined, body: Buffer | string, headers?: Buffer | string): void {
    const b = typeof body === "string" ? Buffer.from(body) : body;
    if (headers === undefined) {
      this.publish(undefined, account, subject, reply, b, -1);
      return;
    }
    const h = typeof headers === "string" ? Buffer.from(headers, "latin1") : headers;
    this.publish(undefined, account, subject, reply, Buffer.concat([h, b]), h.length);
  }

  /** Tells a requester that nobody received its request: `NATS/1.0 503` on its own reply subscription. */
  noResponders(c: Client, reply: string): void {
    for (const sub of c.subs.values()) {
      if (subjectMatches(sub.subject, reply)) {
        c.queueStr(`HMSG ${reply} ${sub.sid} ${NO_RESPONDERS_HDR.length} ${NO_RESPONDERS_HDR.length}\r\n${NO_RESPONDERS_HDR}\r\n`);
        return;
      }
    }
  }

  /** Queues a connection for the end-of-turn flush. */
  markDirty(c: Connection): void {
    this.dirty.push(c);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushAll);
    }
  }

  private readonly flushAll = (): void => {
    this.flushScheduled = false;
    const list = this.dirty;
    this.dirty = [];
    for (let i = 0; i < list.length; i++) list[i]!.flush();
  };

  clientClosed(c: Client): void {
    if (!this.clients.delete(c.cid)) return;
    c.account.numClients--;
    if (c.connected) this.system.clientDisconnected(c);
    this.logger.debug(`${c.logPrefix} - Client connection closed: ${c.closeReason}`);
    if (this.opts.maxClosedClients > 0) {
      this.closed.push(c);
      if (this.closed.length > this.opts.maxClosedClients) this.closed.splice(0, this.closed.length - this.opts.maxClosedClients);
    }
  }

  /** Applies reloaded options; the caller has refused changes that cannot be reloaded. */
  reload(opts: Options): void {
    // Read the certificates first: a reload that cannot use them changes nothing.
    this.tls = opts.tls && new TlsAcceptor(opts.tls);
    this.opts = opts;
    this.auth = new Authenticator(opts, operatorTrust(opts), this.resolver);
    this.wsAuth = websocketAuthenticator(opts, operatorTrust(opts), this.resolver);
    this.accounts.configure(opts, this.auth);
    this.configLoadTime = new Date();
    this.rebuildInfo();
    // Clients whose credentials no longer hold are closed, as nats-server does on reload; the others
    // take their (possibly changed) permissions.
    for (const c of [...this.clients.values()]) if (c.connected) reauthorize(this, c);
  }

  /**
   * Lame duck mode: stop accepting, tell clients (INFO with ldm) so they move elsewhere, wait the grace
   * period, then close the clients spread over the rest of lame_duck_duration, then shut down.
   */
  async enterLameDuck(): Promise<void> {
    if (this.lameDuck || this.shuttingDown) return;
    this.lameDuck = true;
    this.logger.info("Entering lame duck mode, stop accepting new clients");
    this.listener?.close();
    void this.websocket?.close();
    this.rebuildInfo();
    for (const c of this.clients.values()) c.queueStr(`INFO ${this.infoPrefixFor(c)}} \r\n`);
    this.routes?.lameDuck();
    const o = this.opts;
    await sleep(o.lameDuckGracePeriodMs);
    const clients = [...this.clients.values()];
    const span = Math.max(0, o.lameDuckDurationMs - o.lameDuckGracePeriodMs);
    const batches = Math.max(1, Math.min(clients.length, Math.floor(span / 1000) || 1));
    const per = Math.ceil(clients.length / batches);
    for (let i = 0; i < clients.length; i += per) {
      for (const c of clients.slice(i, i + per)) c.close(ClosedReason.ServerShutdown);
      if (i + per < clients.length) await sleep(span / batches);
    }
    await this.shutdown();
  }

  /** Stops listening, closes every client after writing out what is queued for it, runs shutdown hooks. */
  shutdown(): Promise<void> {
    this.shuttingDown ??= (async () => {
      this.logger.info("Initiating Shutdown...");
      // As nats-server: the SHUTDOWN event, and what the leaving hooks send, go out over the routes.
      this.system.shutdown();
      for (const fn of this.leavingHooks) await fn();
      this.routes?.shutdown();
      this.leafs?.shutdown();
      this.accounts.stop();
      const closing = Promise.all([
        this.listener ? new Promise<void>((res) => this.listener!.close(() => res())) : undefined,
        this.websocket?.close(),
      ]);
      this.flushAll();
      // Wait until each client's last bytes are handed to the kernel, not for the peers to hang up.
      const ends: Promise<void>[] = [];
      for (const c of [...this.clients.values()]) {
        const s = c.socket;
        ends.push(new Promise<void>((res) => {
          if (s.destroyed || s.writableFinished) return res();
          s.once("finish", () => res());
          s.once("close", () => res());
        }));
        c.close(ClosedReason.ServerShutdown);
      }
      await Promise.race([Promise.all(ends), sleep(2000)]);
      for (const c of this.closed) if (!c.socket.destroyed) c.socket.destroy();
      await closing;
      for (const fn of this.shutdownHooks) await fn();
      this.logger.info("Server Exiting..");
    })();
    return this.shuttingDown;
  }
}

/** The addresses of this machine's interfaces, as nats-server lists them for a listener on every interface. */
function interfaceAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (a.family === "IPv4" || (a.family === "IPv6" && a.scopeid === 0)) out.push(a.address);
    }
  }
  return out.length > 0 ? out : ["127.0.0.1"];
}

/** The websocket block sets credentials that replace the server's for WebSocket clients (nats-server's authOverride). */
function websocketAuthOverride(w: WebsocketOptions): boolean {
  return w.username !== undefined || w.token !== undefined || w.noAuthUser !== undefined;
}

/** WebSocket clients' own authenticator, when the websocket block overrides the server's credentials. */
function websocketAuthenticator(opts: Options, trust: Trust | undefined, resolver: AccountResolver | undefined): Authenticator | undefined {
  const w = opts.websocket;
  if (w === undefined || w.port === 0 || !websocketAuthOverride(w)) return undefined;
  const own: Options = { ...opts };
  delete own.username;
  delete own.password;
  delete own.authToken;
  delete own.noAuthUser;
  if (w.username !== undefined) own.username = w.username;
  if (w.password !== undefined) own.password = w.password;
  if (w.token !== undefined) own.authToken = w.token;
  if (w.noAuthUser !== undefined) own.noAuthUser = w.noAuthUser;
  return new Authenticator(own, trust, resolver);
}

/** The operators to trust in operator mode (operator JWTs or trusted_keys configured), else undefined. */
function operatorTrust(opts: Options): Trust | undefined {
  if ((opts.operatorJwts ?? []).length === 0 && (opts.trustedKeys ?? []).length === 0) return undefined;
  return new Trust(opts.operatorJwts ?? [], opts.trustedKeys ?? []);
}


/** A timer that does not keep the process alive (shutdown must not linger in embedding processes). */
function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
