/**
 * The leaf node I/O shell (spec §7.3): the hub's listener and the leaf links it accepts, the remotes this
 * server dials (with reconnect, backoff and the hub's gossiped URLs), the handshake on both ends, and
 * loop detection. Interest flows through LeafInterest; messages through the server (publishLeaf).
 *
 * Handshake, as nats-server 2.9.10: the hub sends INFO (with a nonce, `client_id` and `leafnode_urls`)
 * as soon as a leaf connects; the leaf answers CONNECT; the hub checks it, binds the link to an account,
 * answers INFO with `connect_info` and starts sending interest; the leaf, told by the first INFO's
 * `info_on_connect` to wait for that answer, does the same on receiving it.
 *
 * TLS, in nats-server 2.9's order: a hub with `leafnodes { tls }` says `tls_required` in its plain-text
 * INFO and then takes nothing but a TLS handshake (within the TLS timeout); a leaf whose remote asks for
 * TLS (a `tls` block or a `tls://` URL), or whose hub says `tls_required`, runs the client handshake
 * right after that INFO and sends CONNECT over TLS. A remote that asks for TLS never sends CONNECT in
 * plain text: if the hub does not speak TLS, the handshake fails and the link is closed.
 *
 * Invariants: `leaves` holds exactly the open leaf connections; a link is in LeafInterest exactly while
 * it is registered and open; a remote has at most one connection or one pending dial at a time.
 */
import { createServer, isIP, connect as netConnect, type Server as NetServer, type Socket } from "node:net";
import type { SecureContextOptions, TLSSocket } from "node:tls";
import { newNonce } from "../../auth/nonce.js";
import { compilePermissions } from "../../auth/permissions.js";
import type { Authenticator } from "../../auth/authenticator.js";
import { initialConnectInfo } from "../../protocol/connect.js";
import type { LeafNodeOptions, LeafRemote } from "../../config/leafnode-options.js";
import type { Options } from "../../config/options.js";
import { decodeLeafConnect, encodeLeafConnect, type LeafConnect } from "../../protocol/leaf-connect.js";
import { decodeRouteInfo, encodeRouteInfo, type RouteInfo } from "../../protocol/route-info.js";
import type { Logger } from "../../util/logger.js";
import { GLOBAL_ACCOUNT } from "../../util/global-account.js";
import { joinHostPort } from "../../util/go-url.js";
import { listenOn } from "../../util/listen.js";
import type { Account } from "../account.js";
import { ClosedReason } from "../closed-reason.js";
import type { Connection } from "../connection.js";
import { Leaf, SubjectDenyList, type LeafHost } from "../leaf.js";
import type { ServerStats } from "../stats.js";
import { TLS_HANDSHAKE_RECORD, TlsAcceptor } from "../../tls/acceptor.js";
import { loadTlsSettings, nodeTls } from "../../tls/context.js";
import { describeSession } from "../../tls/session.js";
import { DEFAULT_TLS_TIMEOUT_MS } from "../../config/tls-options.js";
import { checkLeafAuth, hubInfo, leafConnect, type LeafAuthVerdict, type LeafLocalServer } from "./leaf-handshake.js";
import { LeafInterest } from "./leaf-interest.js";

/** What the leaf layer needs from the server. */
export interface LeafServer {
  readonly id: string;
  readonly name: string;
  readonly opts: Options;
  readonly logger: Logger;
  readonly stats: ServerStats;
  readonly jetStreamEnabled: boolean;
  readonly versionInfo: { version: string; go: string };
  readonly auth: Authenticator;
  markDirty(c: Connection): void;
  lookupAccount(name: string): Account | undefined;
  /** The cluster's name, when this server is in one. */
  clusterName(): string | undefined;
  nextCid(): number;
  publishLeaf: LeafHost["publishLeaf"];
}

/** JetStream's APIs stay on their side of a leaf link without domains (nats-server's denyAllClientJs). */
const JS_DENY = ["$JS.API.>", "$KV.>", "$OBJ.>"];
/** How long a leaf waits for its hub's first INFO. */
const INFO_WAIT_MS = 2000;
const DIAL_TIMEOUT_MS = 2000;
/** After a loop, a permissions violation or a cluster name clash, nats-server waits this long to redial. */
const RECONNECT_AFTER_REFUSAL_MS = 30_000;
/** Consecutive failed dials double the delay up to this. */
const MAX_BACKOFF_MS = 30_000;
/** nats-server's leaf auth timeout when none is configured. */
const DEFAULT_AUTH_TIMEOUT_MS = 2000;

/** A configured remote: the URLs it may dial (gossiped ones first, as nats-server), its link, its retry. */
class RemoteState {
  urls: URL[];
  next = 0;
  failures = 0;
  /** Set by a refusal (loop, permissions): the next dial waits this long. */
  delayOnce: number | undefined;
  conn: Leaf | undefined;
  timer: NodeJS.Timeout | undefined;
  /** The URL of the current or last attempt. */
  current: URL | undefined;
  /** The hub's first INFO was handled and CONNECT sent. */
  connectSent = false;
  nonce = "";
  /** The secure-context settings of the remote's `tls` block (none: Node's default CAs, if TLS is used). */
  readonly tlsSettings: SecureContextOptions;

  constructor(readonly cfg: LeafRemote) {
    this.urls = cfg.urls.map((u) => new URL(u));
    this.tlsSettings = cfg.tls === undefined ? {} : loadTlsSettings(cfg.tls);
  }

  pickUrl(): URL {
    const u = this.urls[this.next % this.urls.length]!;
    this.next = (this.next + 1) % this.urls.length;
    return u;
  }

  /** The hub's cluster's leaf URLs (`host:port`) go first, then the configured ones not among them. */
  gossiped(hostPorts: readonly string[]): void {
    const learnt: URL[] = [];
    for (const hp of hostPorts) {
      let u: URL;
      try {
        u = new URL(`nats-leaf://${hp}`);
      } catch {
        continue;
      }
      if (!this.cfg.urls.some((c) => new URL(c).host === u.host)) learnt.push(u);
    }
    this.urls = [...learnt, ...this.cfg.urls.map((c) => new URL(c))];
  }
}

export class LeafManager implements LeafHost {
  readonly leaves = new Map<number, Leaf>();
  readonly interest = new LeafInterest();
  private readonly remotes: RemoteState[];
  private readonly remoteOf = new Map<Leaf, RemoteState>();
  private listener: NetServer | undefined;
  /** The listener's TLS server side (`leafnodes { tls }`). */
  private readonly tlsAcceptor: TlsAcceptor | undefined;
  private stopped = false;
  /** The listener's port once listening (0: none). */
  port = 0;

  constructor(private readonly server: LeafServer) {
    this.remotes = this.options.remotes.map((r) => new RemoteState(r));
    const tls = this.options.tls;
    this.tlsAcceptor = tls && new TlsAcceptor(tls);
  }

  private get options(): LeafNodeOptions {
    return this.server.opts.leafnodes!;
  }

  // ---- ConnectionHost ----------------------------------------------------------------------------

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
  readonly publishLeaf: LeafHost["publishLeaf"] = (...args) => this.server.publishLeaf(...args);

  // ---- lifecycle ---------------------------------------------------------------------------------

  async start(): Promise<void> {
    const o = this.options;
    if (o.port !== 0) {
      const srv = createServer({ noDelay: true }, (s) => this.accept(s));
      this.listener = srv;
      this.port = await listenOn(srv, o.host, o.port);
      this.logger.info(`Listening for leafnode connections on ${joinHostPort(o.host, this.port)}`);
    }
    for (const r of this.remotes) this.dial(r);
  }

  shutdown(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.listener?.close();
    for (const r of this.remotes) if (r.timer !== undefined) clearTimeout(r.timer);
    for (const l of [...this.leaves.values()]) l.close(ClosedReason.ServerShutdown);
  }

  /** Registered links (for /varz and /leafz). */
  registered(): Leaf[] {
    return [...this.leaves.values()].filter((l) => l.registered && !l.closed);
  }

  private localServer(): LeafLocalServer {
    const s = this.server;
    const cluster = s.clusterName();
    return {
      serverId: s.id,
      serverName: s.name,
      version: s.versionInfo.version,
      go: s.versionInfo.go,
      maxPayload: s.opts.maxPayload,
      headers: !s.opts.noHeaderSupport,
      jetstream: s.jetStreamEnabled,
      ...(s.opts.jetstream.domain && { domain: s.opts.jetstream.domain }),
      ...(cluster !== undefined && { cluster }),
    };
  }

  private add(socket: Socket, solicited: boolean, awaitingTls = false): Leaf {
    const l = new Leaf(this, socket, this.server.nextCid(), solicited, awaitingTls);
    this.leaves.set(l.cid, l);
    return l;
  }

  // ---- the hub's side ----------------------------------------------------------------------------

  private accept(socket: Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    const acceptor = this.tlsAcceptor;
    const l = this.add(socket, false, acceptor !== undefined);
    this.logger.info(`${l.logPrefix} - Leafnode connection created`);
    const nonce = newNonce();
    this.nonces.set(l, nonce);
    const info = hubInfo(this.options, this.localServer(), this.port, l.cid, nonce);
    if (acceptor !== undefined) {
      info.tlsRequired = true;
      info.tlsVerify = acceptor.options.verify || acceptor.options.verifyAndMap;
    }
    l.sendLine(encodeRouteInfo(info));
    if (acceptor !== undefined) this.acceptTls(l, acceptor);
    const ms = this.options.authTimeoutMs ?? (acceptor ? acceptor.options.timeoutMs + 1000 : DEFAULT_AUTH_TIMEOUT_MS);
    setTimeout(() => {
      if (l.registered || l.closed) return;
      this.logger.error(`${l.logPrefix} - Authentication Timeout`);
      l.sendErrAndClose("Authentication Timeout", ClosedReason.AuthenticationTimeout);
    }, ms).unref();
  }

  /** After the INFO: the leaf's first bytes must be a TLS hello, and the handshake done within the TLS timeout. */
  private acceptTls(l: Leaf, acceptor: TlsAcceptor): void {
    const raw = l.socket;
    let finished = false;
    const fail = (why: string): void => {
      finished = true;
      clearTimeout(deadline);
      if (l.closed) return;
      this.logger.error(`${l.logPrefix} - TLS leafnode handshake error: ${why}`);
      l.close(ClosedReason.TLSHandshakeError, true);
    };
    const deadline = setTimeout(() => fail("i/o timeout"), acceptor.options.timeoutMs);
    deadline.unref();
    raw.prependOnceListener("close", () => void (finished || fail("EOF")));
    raw.once("data", (head: Buffer) => {
      raw.pause();
      raw.unshift(head);
      if (head[0] !== TLS_HANDSHAKE_RECORD) return fail("tls: first record does not look like a TLS handshake");
      acceptor.handshake(raw, false).then(
        (secured) => {
          finished = true;
          clearTimeout(deadline);
          if (l.closed) return void secured.socket.destroy();
          l.secured(secured);
          this.logger.debug(`${l.logPrefix} - TLS handshake complete`);
        },
        (e: Error) => fail(e.message),
      );
    });
  }

  /** The nonce each accepted link's INFO carried, until its CONNECT is checked. */
  private readonly nonces = new Map<Leaf, string>();

  leafConnect(l: Leaf, json: string): void {
    if (l.solicited || l.connected) {
      this.logger.error(`${l.logPrefix} - Unexpected CONNECT on a leafnode connection`);
      l.close(ClosedReason.ProtocolViolation);
      return;
    }
    const d = decodeLeafConnect(json);
    if (!d.ok) {
      this.logger.error(`${l.logPrefix} - Leafnode parser ERROR: ${d.error}`);
      l.close(ClosedReason.ProtocolViolation);
      return;
    }
    const c = d.value;
    // What follows CONNECT is taken (and its interest kept until the credentials are checked).
    l.connected = true;
    if (c.lang !== undefined) return this.refuse(l, "attempted to connect to leaf node port", ClosedReason.WrongPort);
    const cluster = this.server.clusterName();
    if (cluster !== undefined && c.cluster === cluster) return this.refuse(l, "remote leafnode has same cluster name", ClosedReason.ClusterNamesIdentical);
    if (c.gateway !== undefined) return this.refuse(l, `Rejecting connection from gateway ${JSON.stringify(c.gateway)} on the leafnode port`, ClosedReason.WrongGateway);
    const apply = (v: LeafAuthVerdict): void => {
      if (l.closed) return;
      if (!v.ok) {
        this.logger.error(`${l.logPrefix} - authentication error`);
        l.sendErrAndClose("Authorization Violation", ClosedReason.AuthenticationViolation);
        return;
      }
      l.perms = v.permissions ?? null;
      this.bindAccepted(l, c, v.account);
    };
    const v = this.authenticate(l, c);
    if (v instanceof Promise) void v.then(apply);
    else apply(v);
  }

  private authenticate(l: Leaf, c: LeafConnect): LeafAuthVerdict | Promise<LeafAuthVerdict> {
    const own = checkLeafAuth(this.options, c);
    if (own !== undefined) return own;
    const auth = this.server.auth;
    if (!auth.required) return { ok: true, account: GLOBAL_ACCOUNT };
    const connect = { ...initialConnectInfo(), ...(c.user !== undefined && { user: c.user }), ...(c.pass !== undefined && { pass: c.pass }), ...(c.jwt !== undefined && { jwt: c.jwt }), ...(c.sig !== undefined && { sig: c.sig }) };
    const out = auth.authenticate({ connect, nonce: this.nonces.get(l), connectionType: "LEAFNODE" });
    const of = (o: Awaited<typeof out>): LeafAuthVerdict => (o.ok ? { ok: true, account: o.user.account, permissions: o.user.permissions } : { ok: false });
    return out instanceof Promise ? out.then(of) : of(out);
  }

  private refuse(l: Leaf, text: string, reason: ClosedReason): void {
    this.logger.error(`${l.logPrefix} - ${text}`);
    l.sendErrAndClose(text, reason);
  }

  private bindAccepted(l: Leaf, c: LeafConnect, accountName: string): void {
    const account = this.server.lookupAccount(accountName);
    if (account === undefined) return this.refuse(l, `Unable to lookup account ${accountName}`, ClosedReason.MissingAccount);
    this.nonces.delete(l);
    l.account = account;
    l.remoteServer = c.name ?? c.serverId ?? "";
    l.remoteId = c.serverId ?? "";
    l.remoteCluster = c.cluster ?? "";
    l.peerHeaders = c.headers === true;
    l.denyOut = new SubjectDenyList([...(c.denyPub ?? []), ...JS_DENY]);
    l.denyIn = new SubjectDenyList(JS_DENY);
    // A leaf that reconnects before this side noticed its old link is gone replaces it.
    for (const old of this.leaves.values()) {
      if (old === l || old.solicited || !old.registered || old.account !== account) continue;
      if (old.remoteServer === l.remoteServer && old.remoteCluster === l.remoteCluster && l.remoteServer !== "") {
        old.sendErrAndClose("Duplicate Remote LeafNode Connection", ClosedReason.DuplicateRemoteLeafnodeConnection);
        this.logger.warn(`${l.logPrefix} - Replacing connection from same server`);
      }
    }
    const info = { ...hubInfo(this.options, this.localServer(), this.port, l.cid, ""), connectInfo: true, remoteAccount: account.name };
    delete info.nonce;
    // The leaf is told its user's permissions, as nats-server does: `export` is what it may publish here.
    const spec = l.perms?.spec;
    if (spec?.subscribe !== undefined) info.import = { ...spec.subscribe };
    if (spec?.publish !== undefined) info.export = { ...spec.publish };
    l.sendLine(encodeRouteInfo(info));
    this.register(l);
  }

  private register(l: Leaf): void {
    l.registered = true;
    this.interest.join(l);
    l.applyEarlyInterest();
    l.armPingTimer();
    const cluster = l.remoteCluster === "" ? l.remoteServer : `${l.remoteServer}/${l.remoteCluster}`;
    // nats-server 2.9.10 sends $SYS.ACCOUNT.<account>.LEAFNODE.CONNECT only with gateways, which tsnats has not.
    this.logger.info(`${l.logPrefix} - Leafnode connection registered for account ${l.account!.name} with ${cluster}`);
  }

  // ---- the leaf's side ---------------------------------------------------------------------------

  private dial(r: RemoteState): void {
    if (this.stopped || r.conn !== undefined) return;
    const url = r.pickUrl();
    r.current = url;
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const port = Number(url.port) || 7422;
    const socket = netConnect({ host, port, timeout: DIAL_TIMEOUT_MS });
    const failed = (e: Error): void => {
      socket.destroy();
      if (this.stopped) return;
      this.logger.debug(`Error trying to connect as leafnode to remote server ${url.host}: ${e.message}`);
      r.failures++;
      this.retry(r);
    };
    socket.once("error", failed);
    socket.once("timeout", () => failed(new Error("i/o timeout")));
    socket.once("connect", () => {
      socket.off("error", failed);
      socket.setTimeout(0);
      if (this.stopped) return void socket.destroy();
      const account = this.server.lookupAccount(r.cfg.account ?? GLOBAL_ACCOUNT);
      if (account === undefined) {
        this.logger.error(`Unable to lookup account ${r.cfg.account} for solicited leafnode connection`);
        socket.destroy();
        r.failures++;
        this.retry(r);
        return;
      }
      const l = this.add(socket, true);
      l.account = account;
      l.denyOut = new SubjectDenyList([...r.cfg.denyExports, ...JS_DENY]);
      l.denyIn = new SubjectDenyList([...r.cfg.denyImports, ...JS_DENY]);
      r.conn = l;
      r.connectSent = false;
      this.remoteOf.set(l, r);
      this.logger.info(`${l.logPrefix} - Leafnode connection created for account: ${account.name}`);
      setTimeout(() => {
        if (!r.connectSent && !l.closed) {
          this.logger.error(`${l.logPrefix} - No INFO from the remote leafnode server within ${INFO_WAIT_MS / 1000}s`);
          l.close(ClosedReason.StaleConnection);
        }
      }, INFO_WAIT_MS).unref();
    });
  }

  private retry(r: RemoteState): void {
    if (this.stopped || r.timer !== undefined) return;
    const base = this.options.reconnectMs;
    const delay = r.delayOnce ?? Math.min(MAX_BACKOFF_MS, base * 2 ** Math.max(0, Math.min(r.failures - 1, 10)));
    r.delayOnce = undefined;
    r.timer = setTimeout(() => {
      r.timer = undefined;
      this.dial(r);
    }, delay);
    r.timer.unref();
  }

  leafInfo(l: Leaf, json: string): void {
    const d = decodeRouteInfo(json);
    if (!d.ok) {
      this.logger.error(`${l.logPrefix} - Leafnode parser ERROR: ${d.error}`);
      l.close(ClosedReason.ProtocolViolation);
      return;
    }
    const info = d.value;
    const r = this.remoteOf.get(l);
    if (r === undefined) return; // a hub takes no INFO from its leaves but ignores it
    if (!r.connectSent) {
      // Only a hub's leaf port sends `client_id` and `leafnode_urls` in its first INFO.
      if (!info.clientId || info.leafnodeUrls === undefined) {
        this.logger.error(`${l.logPrefix} - attempted to connect to wrong port`);
        r.delayOnce = RECONNECT_AFTER_REFUSAL_MS;
        l.close(ClosedReason.WrongPort);
        return;
      }
      r.connectSent = true;
      r.nonce = info.nonce ?? "";
      if (r.cfg.tlsRequired || info.tlsRequired === true) this.secureSolicited(l, r, () => this.sendConnect(l, r, info));
      else this.sendConnect(l, r, info);
    }
    if (info.leafnodeUrls !== undefined && info.leafnodeUrls.length > 0) r.gossiped(info.leafnodeUrls);
    if (info.remoteAccount) l.remoteAccount = info.remoteAccount;
    if (info.connectInfo && (info.import !== undefined || info.export !== undefined)) {
      l.perms = compilePermissions({ ...(info.export !== undefined && { publish: info.export }), ...(info.import !== undefined && { subscribe: info.import }) });
    }
    if (info.connectInfo && !l.registered) this.finishSolicited(l, r);
  }

  /**
   * The client side of the TLS handshake on a dialled link, right after the hub's INFO: the parser lets
   * go of the TCP socket, and the link goes on over TLS (then `then` sends CONNECT) or is closed.
   */
  private secureSolicited(l: Leaf, r: RemoteState, then: () => void): void {
    const raw = l.socket;
    l.stopReading();
    const host = (r.current?.hostname ?? "").replace(/^\[|\]$/g, "");
    const timeoutMs = r.cfg.tls?.timeoutMs ?? DEFAULT_TLS_TIMEOUT_MS;
    let t: TLSSocket;
    const fail = (why: string): void => {
      clearTimeout(deadline);
      t.destroy();
      if (l.closed) return;
      this.logger.error(`${l.logPrefix} - TLS leafnode handshake error: ${why}`);
      l.close(ClosedReason.TLSHandshakeError, true);
    };
    const deadline = setTimeout(() => fail("i/o timeout"), timeoutMs);
    deadline.unref();
    t = nodeTls().connect({ ...r.tlsSettings, socket: raw, rejectUnauthorized: r.cfg.tls?.insecure !== true, ...(isIP(host) === 0 && host !== "" && { servername: host }) });
    const failed = (e: Error): void => fail(e.message);
    t.once("error", failed);
    t.once("secureConnect", () => {
      clearTimeout(deadline);
      t.off("error", failed);
      if (l.closed) return void t.destroy();
      l.secured({ socket: t, session: describeSession(t, false) });
      this.logger.debug(`${l.logPrefix} - TLS handshake complete`);
      then();
    });
  }

  /** The leaf's CONNECT, once the hub's first INFO is handled (and TLS is up, if the link uses it). */
  private sendConnect(l: Leaf, r: RemoteState, info: RouteInfo): void {
    l.peerHeaders = info.headers && !this.server.opts.noHeaderSupport;
    l.remoteServer = info.serverName || info.serverId;
    l.remoteId = info.serverId;
    l.remoteCluster = info.cluster ?? "";
    let connect: LeafConnect;
    try {
      connect = leafConnect(r.cfg, r.current!, this.localServer(), r.nonce, l.tls !== undefined);
    } catch (e) {
      this.logger.error(`${l.logPrefix} - ${(e as Error).message}`);
      l.close(ClosedReason.ProtocolViolation);
      return;
    }
    l.sendLine(encodeLeafConnect(connect));
    if (!info.infoOnConnect) this.finishSolicited(l, r);
  }

  private finishSolicited(l: Leaf, r: RemoteState): void {
    if (l.closed || l.registered) return;
    r.failures = 0;
    this.register(l);
  }

  // ---- both sides --------------------------------------------------------------------------------

  isOwnLoopSubject(l: Leaf, subject: string): boolean {
    return l.account !== undefined && subject === this.interest.loopSubject(l.account);
  }

  loopDetected(l: Leaf): void {
    const text = `Loop detected for leafnode account=${JSON.stringify(l.account!.name)}. Delaying attempt to reconnect for 30s`;
    const r = this.remoteOf.get(l);
    if (r !== undefined) r.delayOnce = RECONNECT_AFTER_REFUSAL_MS;
    this.logger.error(`${l.logPrefix} - ${text}`);
    l.sendErrAndClose(text, ClosedReason.ProtocolViolation);
  }

  peerError(l: Leaf, text: string): void {
    this.logger.error(`${l.logPrefix} - Leafnode Error ${text}`);
    const r = this.remoteOf.get(l);
    if (r !== undefined && /Loop detected|Permissions Violation|same cluster name/.test(text)) r.delayOnce = RECONNECT_AFTER_REFUSAL_MS;
    l.close(ClosedReason.ParseError);
  }

  leafClosed(l: Leaf): void {
    this.leaves.delete(l.cid);
    this.nonces.delete(l);
    this.interest.leave(l);
    if (l.registered) this.logger.info(`${l.logPrefix} - Leafnode connection closed: ${l.closeReason ?? ""}`);
    const r = this.remoteOf.get(l);
    if (r === undefined) return;
    this.remoteOf.delete(l);
    r.conn = undefined;
    if (!l.registered) r.failures++;
    this.retry(r);
  }
}
