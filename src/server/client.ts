/**
 * One client connection: its protocol state, subscriptions, outbound buffer, pings and limits.
 *
 * Output is coalesced: everything queued for a client during one event-loop turn goes out in a single
 * (corked) socket write when the server flushes its dirty clients at the end of the turn. A client whose
 * queued plus unsent bytes pass max_pending, or whose socket cannot drain within write_deadline, is a slow
 * consumer and is closed; nobody else waits for it.
 */
import type { Socket } from "node:net";
import { Parser, type ProtocolHandler } from "../protocol/parser.js";
import { ERR, errLine, OK_LINE, PING_LINE, PONG_LINE } from "../protocol/errors.js";
import { isValidLiteralSubject } from "../subjects/validate.js";
import type { Account } from "./account.js";
import type { Outgoing } from "./outgoing.js";
import { Outbound } from "./outbound.js";
import { Subscription, type DeliveryTarget, type Publisher } from "./subscription.js";
import type { Server } from "./server.js";
import { ClosedReason } from "./closed-reason.js";
import { initialConnectInfo, parseConnect, type ConnectInfo } from "../protocol/connect.js";
import type { AuthUser } from "../auth/auth-user.js";
import type { AuthOutcome } from "../auth/authenticator.js";
import type { Permissions } from "../auth/permissions.js";
import type { ResponseTracker } from "../auth/responses.js";
import { AUTH_ERR, authUserText, publishViolation, subscribeViolation } from "./client-auth.js";
import type { SecuredConnection } from "../tls/acceptor.js";
import type { CertificateNames } from "../tls/certificate.js";
import type { TlsSession } from "../tls/session.js";

/** CONNECT JSON for the log: nats-server redacts "pass"; tsnats also hides "auth_token". */
function redactSecrets(json: string): string {
  return json.replace(/("(?:pass|auth_token)"\s*:\s*)"(?:[^"\\]|\\.)*"?/g, '$1"[REDACTED]"');
}

/**
 * Output queued for a consumer past which its publishers stop being read, while it is reading. A MB
 * behind a consumer keeps its socket busy (the kernel buffers more), while 3/4 of max_pending per
 * subscriber made fan-out bursts cost hundreds of MB of resident memory. nats-server stalls a producer
 * only past max_pending/2 (and for at most a second at a time).
 */
const STALL_BYTES = 1024 * 1024;
/**
 * A consumer whose socket takes nothing for this long while a publisher waits for it is not reading at
 * the moment: it may queue 4 times more, up to 3/4 of max_pending, until its socket takes output again.
 * So a burst for a paused reader is buffered (as nats-server does) instead of holding the publisher
 * until write_deadline cuts the reader off.
 */
const STALL_WAIT_MS = 200;

export class Client implements ProtocolHandler, DeliveryTarget, Publisher {
  /** Its subscriptions are this server's own interest. */
  readonly remote = false;
  readonly parser: Parser;
  readonly out = new Outbound();
  readonly subs = new Map<string, Subscription>();
  readonly start = new Date();
  readonly host: string;
  readonly port: number;
  opts: ConnectInfo = initialConnectInfo();
  connected = false;
  closed = false;
  closeReason: ClosedReason | undefined;
  stopTime: Date | undefined;
  account: Account;
  authorizedUser = "";
  /** Who the client authenticated as (undefined until CONNECT is accepted). */
  user: AuthUser | undefined;
  /** The user's permissions; null (the common case) means no checks at all on the hot path. */
  perms: Permissions | null = null;
  /** allow_responses: reply subjects this client may answer. */
  responses: ResponseTracker | null = null;
  /** Deliveries to this client are checked (subscribe deny filter, response tracking). */
  deliveryGate = false;
  /** The nonce sent in INFO (nkey and JWT authentication sign it). */
  nonce: string | undefined;
  /** Largest payload this client may publish: the server's, its account's or its user's limit. */
  maxPayload: number;
  /** Subscriptions allowed by the account or the user JWT (undefined: only the server's limit applies). */
  accountMaxSubs: number | undefined;
  /** Ops received while an asynchronous authentication (bcrypt) runs; replayed once it is done. */
  private deferred: (() => void)[] | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  /** `"v<version>:<lang>:<name>"` from CONNECT: nats-server adds it to a client's log lines. */
  private connectTag = "";

  // statistics, read by monitoring
  inMsgs = 0;
  inBytes = 0;
  outMsgs = 0;
  outBytes = 0;
  /** Last read or write (ms), for monitoring: a number, as a Date per read would be an allocation per read. */
  private lastActivityMs = Date.now();
  /** Last time the client sent anything (ms): a client that talks needs no keep-alive PING. */
  private lastIn = Date.now();
  rttMs = 0;

  /** Queued in the outbound list of the server for the end-of-turn flush. */
  dirty = false;
  /** Bytes handed to the socket and not yet sent. */
  private socketPending = 0;
  private pingsOut = 0;
  private pingSentAt = 0;
  private pingTimer: NodeJS.Timeout | undefined;
  private authTimer: NodeJS.Timeout | undefined;
  private writeTimer: NodeJS.Timeout | undefined;
  /** Set once the first PING (used to measure RTT) went out. */
  private rttMeasured = false;
  /** Publishers whose reading is paused until this client's output drains (producer stalling). */
  private stalledPublishers: Set<Publisher> | undefined;
  /** How many slow targets this client, as a publisher, is waiting for; its socket is paused while > 0. */
  private stalls = 0;
  /** Stall limit multiplier, raised while the client takes nothing and publishers wait for it. */
  private stallScale = 1;
  private stallTimer: NodeJS.Timeout | undefined;

  /** The TLS session once a handshake completed (version, cipher suite, client certificates). */
  tls: TlsSession | undefined;
  /**
   * Called when a flush has reached the kernel. 'drain' alone is not enough: it follows only a write()
   * that returned false, so a partial write under the high-water mark (and every TLS write, which is
   * always queued) would otherwise look stuck until write_deadline. One bound function, no allocation.
   */
  private readonly writeDone = (err?: Error | null): void => {
    // This flush is written (writes complete in order): its slabs can carry later output.
    this.out.written(err == null);
    if (this.socketPending > 0) this.onDrain();
  };

  /**
   * `socket` is the accepted TCP socket until a TLS handshake completes, then the TLS socket over it.
   * With `awaitingTls` nothing is read until the TLS layer hands over: startReading() or secured().
   */
  constructor(
    readonly server: Server,
    public socket: Socket,
    readonly cid: number,
    account: Account,
    awaitingTls = false,
  ) {
    this.parser = new Parser(this);
    this.account = account;
    this.maxPayload = server.opts.maxPayload;
    this.host = socket.remoteAddress ?? "";
    this.port = socket.remotePort ?? 0;
    socket.setNoDelay(true);
    if (!awaitingTls) this.startReading();
    this.watch(socket);
  }

  private watch(s: Socket): void {
    s.on("drain", () => this.onDrain());
    s.on("error", (e) => this.onSocketError(e));
    s.on("close", () => this.close(ClosedReason.ClientClosed));
  }

  /** Feeds the socket's bytes to the protocol parser from now on. */
  startReading(): void {
    this.socket.on("data", (d: Buffer) => this.onData(d));
  }

  /** Continues over the TLS socket that now wraps the TCP one (whose error and close still end the client). */
  secured(c: SecuredConnection): void {
    this.socket = c.socket;
    this.tls = c.session;
    this.startReading();
    this.watch(c.socket);
  }

  /** The verified client certificate's names (for verify_and_map); undefined without TLS or certificate. */
  get tlsPeer(): CertificateNames | undefined {
    return this.tls?.peer;
  }

  get headersEnabled(): boolean {
    return this.opts.headers && !this.server.opts.noHeaderSupport;
  }
  get maxControlLine(): number {
    return this.server.opts.maxControlLine;
  }
  get tracing(): boolean {
    return this.server.logger.traceOn;
  }
  traceIn(op: string, arg: string): void {
    const shown = op === "CONNECT" ? redactSecrets(arg) : arg;
    this.server.logger.trace(`${this.logPrefix} - <<- [${shown === "" ? op : `${op} ${shown}`}]`);
  }
  tracePayload(payload: Buffer): void {
    const max = this.server.opts.maxTracedMsgLen;
    const shown = max > 0 && payload.length > max ? `${payload.toString("latin1", 0, max)}...` : payload.toString("latin1");
    this.server.logger.trace(`${this.logPrefix} - <<- MSG_PAYLOAD: [${JSON.stringify(shown)}]`);
  }
  /** Traces a line this server sends (without its CRLF), as nats-server's `->> [...]`. */
  traceOut(line: string): void {
    this.server.logger.trace(`${this.logPrefix} - ->> [${line}]`);
  }
  /** Last read or write, for monitoring. */
  get lastActivity(): Date {
    return new Date(this.lastActivityMs);
  }
  get pending(): number {
    return this.out.size + this.socketPending;
  }
  /** Output queued for this client past which its publishers are paused (see stallIfBehind). */
  private get stallLimit(): number {
    return Math.min(this.stallCeiling, STALL_BYTES * this.stallScale);
  }
  /** The most a client may have queued before its publishers wait, however long it has not read. */
  private get stallCeiling(): number {
    return (this.server.opts.maxPending * 3) / 4;
  }
  /** "ip:port - cid:N", the prefix nats-server puts on every client log line. */
  get logPrefix(): string {
    return this.connectTag === "" ? `${this.host}:${this.port} - cid:${this.cid}` : `${this.host}:${this.port} - cid:${this.cid} - "${this.connectTag}"`;
  }

  /** Sends INFO and arms the timers; called once the server accepted the connection. */
  greet(info: string, authRequired: boolean): void {
    this.queueStr(info);
    if (authRequired) this.armAuthTimer();
    this.armPingTimer();
  }

  /** CONNECT must come within auth_timeout (for TLS clients, counted from accept: it covers the handshake). */
  armAuthTimer(): void {
    this.authTimer = setTimeout(() => this.authTimeout(), this.server.opts.authTimeoutMs);
    this.authTimer.unref();
  }

  /** The first PING (it measures RTT) 2s after the connection is usable, then every ping_interval. */
  armPingTimer(): void {
    const first = Math.min(2000 + Math.random() * 400, this.server.opts.pingIntervalMs);
    this.pingTimer = setTimeout(() => this.onPingTimer(), first);
    this.pingTimer.unref();
  }

  private onData(d: Buffer): void {
    if (this.closed) return;
    this.lastIn = this.lastActivityMs = Date.now();
    this.parser.parse(d);
  }

  // ---- ProtocolHandler -------------------------------------------------------------------------

  allowOpBeforeConnect(): boolean {
    if (this.deferred !== undefined || !this.server.authRequired() || this.server.auth.noAuthUser !== undefined) return true;
    this.authViolation("authentication error");
    return false;
  }

  /** While authentication is pending, ops wait (the socket is paused, so at most one read's worth). */
  private defer(op: () => void): boolean {
    if (this.deferred === undefined) return false;
    this.deferred.push(op);
    return true;
  }

  onConnect(json: string): void {
    if (this.defer(() => this.onConnect(json))) return;
    const info = parseConnect(json, this.opts);
    if (info === undefined) {
      this.server.logger.error(`${this.logPrefix} - Client parser ERROR: invalid CONNECT JSON '${redactSecrets(json).slice(0, 64)}'`);
      this.close(ClosedReason.ProtocolViolation);
      return;
    }
    const o = (this.opts = info);
    this.connectTag = [o.version && `v${o.version}`, o.lang, o.name].filter((x) => x !== "").join(":");
    if (o.protocol < 0 || o.protocol > 1) {
      this.sendErrAndClose(ERR.invalidProtocol, ClosedReason.BadClientProtocolVersion);
      return;
    }
    if (o.noResponders && !o.headers) {
      this.sendErrAndClose(ERR.noRespondersNeedsHeaders, ClosedReason.NoRespondersRequiresHeaders);
      return;
    }
    if (this.connected) {
      if (o.verbose) this.sendOk();
      return;
    }
    const outcome = this.server.authenticate(this);
    if (!(outcome instanceof Promise)) {
      this.authenticated(outcome);
      return;
    }
    this.deferred = [];
    this.socket.pause();
    void outcome.then((o) => {
      const ops = this.deferred ?? [];
      this.deferred = undefined;
      this.authenticated(o);
      for (const op of ops) {
        if (this.closed) break;
        op();
      }
      if (!this.closed) this.socket.resume();
    });
  }

  private authenticated(o: AuthOutcome): void {
    if (this.closed) return;
    if (!o.ok) return this.authViolation(o.log, o.detail);
    if (!this.server.bind(this, o.user)) return;
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = undefined;
    this.connected = true;
    this.server.system.clientConnected(this);
    if (this.opts.verbose) this.sendOk();
  }

  /** Closes the client when its credentials (a user JWT) expire. */
  armExpiry(at: number | undefined): void {
    if (this.expiryTimer !== undefined) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    if (at === undefined) return;
    this.expiryTimer = setTimeout(() => {
      this.server.logger.debug(`${this.logPrefix} - User authentication expired`);
      this.sendErrAndClose(AUTH_ERR.userExpired, ClosedReason.AuthenticationExpired);
    }, Math.max(0, Math.min(at - Date.now(), 2 ** 31 - 1)));
    this.expiryTimer.unref();
  }

  /** A delivery passes this client's subscribe deny filter; a request's reply becomes answerable. */
  admitDelivery(subject: string, reply: string | undefined): boolean {
    if (this.perms !== null && this.perms.deniesDelivery(subject)) return false;
    if (reply !== undefined && this.responses !== null) this.responses.received(reply);
    return true;
  }

  checkPubSize(size: number): boolean {
    if (size > this.maxPayload) {
      this.server.logger.error(`${this.logPrefix} - Maximum Payload Violation (${size} > ${this.maxPayload})`);
      this.sendErrAndClose(ERR.maxPayload, ClosedReason.MaxPayloadExceeded);
      return false;
    }
    return true;
  }

  onPub(subject: string, reply: string | undefined, payload: Buffer, hdrLen: number): void {
    if (this.deferred !== undefined && this.defer(() => this.onPub(subject, reply, payload, hdrLen))) return;
    this.inMsgs++;
    this.inBytes += payload.length;
    const o = this.opts;
    if (this.perms !== null && this.perms.restrictsPublish && !this.perms.canPublish(subject) && !this.responses?.mayRespond(subject)) {
      this.sendErr(publishViolation(subject));
      this.server.logger.error(`${this.logPrefix} - Publish Violation - ${authUserText(this.user)}, Subject "${subject}"`);
      return;
    }
    if (o.pedantic && !isValidLiteralSubject(subject)) this.sendErr(ERR.invalidPublishSubject);
    if (o.verbose) this.sendOk();
    this.server.publish(this, this.account, subject, reply, payload, hdrLen);
  }

  onSub(subject: string, queue: string | undefined, sid: string): void {
    if (this.defer(() => this.onSub(subject, queue, sid))) return;
    const server = this.server;
    if (this.perms !== null && this.perms.restrictsSubscribe && !this.perms.canSubscribe(subject, queue)) {
      this.sendErr(subscribeViolation(subject, queue));
      const q = queue === undefined ? "" : `, Queue: "${queue}"`;
      server.logger.error(`${this.logPrefix} - Subscription Violation - ${authUserText(this.user)}, Subject "${subject}"${q}, SID ${sid}`);
      return;
    }
    if (this.accountMaxSubs !== undefined && this.subs.size >= this.accountMaxSubs && !this.subs.has(sid)) {
      server.logger.error(`${this.logPrefix} - maximum subscriptions exceeded`);
      this.sendErr(ERR.maxSubscriptions);
      return;
    }
    const max = server.opts.maxSubscriptions;
    if (max > 0 && this.subs.size >= max) {
      server.logger.error(`${this.logPrefix} - Maximum Subscriptions Exceeded (max=${max})`);
      this.sendErr(ERR.maxSubscriptions);
      return;
    }
    if (!this.subs.has(sid)) {
      const sub = new Subscription(this, subject, queue, sid);
      if (!this.account.addSub(sub)) {
        this.sendErr(ERR.invalidSubject);
        return;
      }
      this.subs.set(sid, sub);
    }
    if (this.opts.verbose) this.sendOk();
  }

  onUnsub(sid: string, max: number): void {
    if (this.defer(() => this.onUnsub(sid, max))) return;
    const sub = this.subs.get(sid);
    let remove = false;
    if (sub !== undefined) {
      if (max > 0 && max > sub.delivered) sub.max = max;
      else remove = true;
    }
    if (this.opts.verbose) this.sendOk();
    if (remove) this.removeSub(sub!);
  }

  onPing(): void {
    if (this.defer(() => this.onPing())) return;
    if (this.tracing) this.traceOut("PONG");
    this.queue(PONG_LINE);
  }

  onPong(): void {
    this.pingsOut = 0;
    if (this.pingSentAt > 0) {
      this.rttMs = performance.now() - this.pingSentAt;
      this.pingSentAt = 0;
    }
  }

  onProtocolError(err: string | undefined, detail: string): void {
    this.server.logger.error(`${this.logPrefix} - Client parser ERROR: ${detail}`);
    const reason = err === ERR.maxControlLine ? ClosedReason.MaxControlLineExceeded : err === undefined ? ClosedReason.ProtocolViolation : ClosedReason.ParseError;
    if (err !== undefined) this.sendErrAndClose(err, reason);
    else this.close(reason);
  }

  // ---- delivery -------------------------------------------------------------------------------

  deliverMessage(sub: Subscription, msg: Outgoing, publisher: Publisher | undefined): boolean {
    if (this.closed || (publisher === this && !this.opts.echo)) return false;
    if (sub.max > 0 && sub.delivered >= sub.max) return false;
    if (this.deliveryGate && !this.admitDelivery(msg.subject, msg.reply)) return false;
    sub.delivered++;
    const headers = this.headersEnabled;
    const n = msg.writeTo(this.out, headers, sub.sid);
    if (this.tracing) this.traceOut(msg.traceLine(headers, sub.sid));
    this.outMsgs++;
    this.outBytes += n;
    const stats = this.server.stats;
    stats.outMsgs++;
    stats.outBytes += n;
    this.markDirty();
    if (publisher !== undefined) this.stallIfBehind(publisher);
    if (sub.max > 0 && sub.delivered >= sub.max) this.removeSub(sub);
    return true;
  }

  /** Removes a subscription from the client and its account. */
  removeSub(sub: Subscription): void {
    this.subs.delete(sub.sid);
    this.account.removeSub(sub);
    if (this.tracing) this.server.logger.trace(`${this.logPrefix} - <-> [DELSUB ${sub.sid}]`);
  }

  /** Queues raw protocol bytes and schedules the end-of-turn flush. */
  queue(b: Buffer): void {
    if (this.closed) return;
    this.out.bytes(b);
    this.markDirty();
  }

  queueStr(s: string): void {
    if (this.closed) return;
    this.out.str(s);
    this.markDirty();
  }

  /** After queueing a message: schedule the flush, or close the client if it fell too far behind. */
  markDirty(): void {
    if (!this.dirty) {
      this.dirty = true;
      this.server.markDirty(this);
    }
    if (this.out.size + this.socketPending > this.server.opts.maxPending) this.slowConsumer(ClosedReason.SlowConsumerPendingBytes);
  }

  /**
   * Producer stalling: a publisher that fills this client's buffer past the stall limit (STALL_BYTES, or
   * 3/4 of a smaller max_pending) stops being read until this client drains (or is closed as a slow
   * consumer), so a fast producer slows down to its readers' pace instead of getting them disconnected.
   */
  private stallIfBehind(publisher: Publisher): void {
    if (publisher === this || this.pending <= this.stallLimit) return;
    const waiting = (this.stalledPublishers ??= new Set());
    if (waiting.has(publisher)) return;
    waiting.add(publisher);
    publisher.holdReading();
    if (this.stallTimer === undefined && this.stallLimit < this.stallCeiling) {
      this.stallTimer = setTimeout(this.notReading, STALL_WAIT_MS);
      this.stallTimer.unref();
    }
  }

  holdReading(): void {
    if (this.stalls++ === 0) this.socket.pause();
  }

  releaseReading(): void {
    if (--this.stalls === 0 && !this.closed) this.socket.resume();
  }

  /** Publishers waited STALL_WAIT_MS and this client sent nothing: it may queue more before they wait again. */
  private readonly notReading = (): void => {
    this.stallTimer = undefined;
    this.stallScale *= 4;
    this.releaseStalled();
  };

  /** Lets the publishers waiting for this client go on. */
  private releaseStalled(): void {
    if (this.stallTimer !== undefined) {
      clearTimeout(this.stallTimer);
      this.stallTimer = undefined;
    }
    const waiting = this.stalledPublishers;
    if (waiting === undefined) return;
    this.stalledPublishers = undefined;
    for (const p of waiting) p.releaseReading();
  }

  /** Writes everything queued in this turn with one (corked) socket write. */
  flush(): void {
    this.dirty = false;
    if (this.out.size === 0 || this.socket.destroyed) return;
    this.lastActivityMs = Date.now();
    const parts = this.out.take();
    const s = this.socket;
    const done = this.writeDone;
    if (parts.length === 1) s.write(parts[0]!, done);
    else {
      s.cork();
      const last = parts.length - 1;
      for (let i = 0; i < last; i++) s.write(parts[i]!);
      s.write(parts[last]!, done);
      s.uncork();
    }
    this.socketPending = s.writableLength;
    if (this.stalledPublishers !== undefined && this.pending <= this.stallLimit) this.releaseStalled();
    if (this.socketPending > 0 && this.writeTimer === undefined) {
      this.writeTimer = setTimeout(() => this.slowConsumer(ClosedReason.SlowConsumerWriteDeadline), this.server.opts.writeDeadlineMs);
      this.writeTimer.unref();
    }
  }

  private onDrain(): void {
    this.socketPending = this.socket.writableLength;
    // The socket took output: the client is reading, and publishers wait for it at the base limit again.
    this.stallScale = 1;
    this.releaseStalled();
    if (this.socketPending === 0 && this.writeTimer !== undefined) {
      clearTimeout(this.writeTimer);
      this.writeTimer = undefined;
    }
  }

  // ---- pings, auth, errors, close ------------------------------------------------------------

  private onPingTimer(): void {
    if (this.closed) return;
    const opts = this.server.opts;
    const idle = Date.now() - this.lastIn;
    if (this.rttMeasured && idle < opts.pingIntervalMs && this.pingsOut === 0) {
      this.pingTimer = setTimeout(() => this.onPingTimer(), opts.pingIntervalMs);
      this.pingTimer.unref();
      return;
    }
    if (this.pingsOut + 1 > opts.pingMax) {
      this.server.logger.debug(`${this.logPrefix} - Stale Client Connection - Closing`);
      this.server.stats.staleConnections++;
      this.sendErrAndClose(ERR.staleConnection, ClosedReason.StaleConnection);
      return;
    }
    this.rttMeasured = true;
    this.pingsOut++;
    this.pingSentAt = performance.now();
    if (this.tracing) this.traceOut("PING");
    this.queue(PING_LINE);
    this.pingTimer = setTimeout(() => this.onPingTimer(), opts.pingIntervalMs);
    this.pingTimer.unref();
  }

  private authTimeout(): void {
    if (this.connected || this.closed) return;
    this.server.logger.error(`${this.logPrefix} - Authentication Timeout`);
    this.sendErrAndClose(ERR.authTimeout, ClosedReason.AuthenticationTimeout);
  }

  /** Refuses the client: `why` goes to the log (and the auth error event), the client only learns the -ERR. */
  authViolation(why: string, detail?: string): void {
    if (this.closed) return;
    this.server.logger.error(`${this.logPrefix} - ${why}`);
    if (detail !== undefined) this.server.logger.debug(`${this.logPrefix} - ${detail}`);
    this.server.system.authError(this, ClosedReason.AuthenticationViolation);
    this.sendErrAndClose(ERR.authViolation, ClosedReason.AuthenticationViolation);
  }

  private slowConsumer(reason: ClosedReason): void {
    if (this.closed) return;
    this.server.stats.slowConsumers++;
    const why = reason === ClosedReason.SlowConsumerWriteDeadline ? `WriteDeadline of ${this.server.opts.writeDeadlineMs / 1000}s exceeded` : `MaxPending of ${this.server.opts.maxPending} exceeded`;
    this.server.logger.info(`${this.logPrefix} - Slow Consumer Detected: ${why}`);
    // Whatever is queued cannot be delivered in time anyway: drop it and go.
    this.out.take();
    this.close(reason, true);
  }

  private onSocketError(e: Error): void {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "ECONNRESET" && code !== "EPIPE") this.server.logger.error(`${this.logPrefix} - read/write error: ${e.message}`);
    this.close(this.closed ? this.closeReason! : ClosedReason.ReadError, true);
  }

  private sendOk(): void {
    if (this.tracing) this.traceOut("OK");
    this.queue(OK_LINE);
  }

  /** Queues `-ERR 'text'`; the connection stays open. */
  sendErr(text: string): void {
    if (this.tracing) this.traceOut(`-ERR '${text}'`);
    this.queue(errLine(text));
  }

  /** Queues `-ERR 'text'`, writes out what is pending, then closes. */
  sendErrAndClose(text: string, reason: ClosedReason): void {
    if (this.closed) return;
    this.sendErr(text);
    this.close(reason);
  }

  /**
   * Ends the connection: subscriptions leave the account at once; queued output is still written
   * unless `abort` (slow consumers, socket errors), then the socket is ended.
   */
  close(reason: ClosedReason, abort = false): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    this.stopTime = new Date();
    for (const t of [this.pingTimer, this.authTimer, this.writeTimer, this.expiryTimer]) if (t) clearTimeout(t);
    this.account.removeSubs(this.subs.values());
    this.releaseStalled();
    const s = this.socket;
    if (abort) s.destroy();
    else {
      if (this.out.size > 0) {
        const parts = this.out.take();
        for (const p of parts) s.write(p);
      }
      s.end();
      // A peer that never reads must not keep the socket (and its buffers) alive.
      setTimeout(() => s.destroy(), 5000).unref();
    }
    this.server.clientClosed(this);
  }
}
