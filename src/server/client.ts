/**
 * The client connection kind: CONNECT and authentication, PUB/HPUB/SUB/UNSUB, permissions, echo,
 * headers, verbose and pedantic. The socket, output, pings, stalling and closing are the connection
 * base's (connection.ts).
 */
import type { Socket } from "node:net";
import type { AuthUser } from "../auth/auth-user.js";
import type { AuthOutcome } from "../auth/authenticator.js";
import type { Permissions } from "../auth/permissions.js";
import type { ResponseTracker } from "../auth/responses.js";
import { initialConnectInfo, parseConnect, type ConnectInfo } from "../protocol/connect.js";
import { ERR, OK_LINE, PONG_LINE } from "../protocol/errors.js";
import { CLIENT_OPS, type ClientOpHandler } from "../protocol/client-ops.js";
import { Parser } from "../protocol/parser.js";
import { isValidLiteralSubject } from "../subjects/validate.js";
import type { CertificateNames } from "../tls/certificate.js";
import type { Account } from "./account.js";
import { AUTH_ERR, authUserText, publishViolation, subscribeViolation } from "./auth-texts.js";
import { ClosedReason } from "./closed-reason.js";
import { Connection, redactSecrets, type ConnectionHost } from "./connection.js";
import type { Outgoing } from "./outgoing.js";
import { Subscription, type DeliveryTarget, type Publisher } from "./subscription.js";
import { DeadlineTimer } from "../util/deadline-timer.js";

/** What a client needs from the server beyond what every connection does. */
export interface ClientHost extends ConnectionHost {
  /** Who authenticates `c`: WebSocket clients may have their own credentials (see WebsocketOptions). */
  authFor(c: Client): { readonly required: boolean; readonly noAuthUser: string | undefined };
  /** Checks CONNECT's credentials (asynchronously for bcrypt and account resolvers). */
  authenticate(c: Client): AuthOutcome | Promise<AuthOutcome>;
  /** Moves an authenticated client into its account; false when the client was refused (and closed). */
  bind(c: Client, user: AuthUser): boolean;
  readonly system: {
    clientConnected(c: Client): void;
    authError(c: Client, reason: ClosedReason): void;
  };
  publish(from: Client, account: Account, subject: string, reply: string | undefined, payload: Buffer, hdrLen: number): number;
  /** The client is closed: the server forgets it (after its subscriptions left the account). */
  clientClosed(c: Client): void;
}

export class Client extends Connection implements ClientOpHandler, DeliveryTarget, Publisher {
  /** Its subscriptions are this server's own interest. */
  readonly remote = false;
  /** As users' `allowed_connection_types` name it. */
  get connectionType(): string {
    return "STANDARD";
  }
  readonly parser: Parser<ClientOpHandler>;
  readonly subs = new Map<string, Subscription>();
  opts: ConnectInfo = initialConnectInfo();
  connected = false;
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
  private expiryTimer: DeadlineTimer | undefined;
  /** `"v<version>:<lang>:<name>"` from CONNECT: nats-server adds it to a client's log lines. */
  private connectTag = "";
  private authTimer: NodeJS.Timeout | undefined;

  /** See Connection: with `awaitingTls` nothing is read until the TLS layer hands over. */
  constructor(
    readonly server: ClientHost,
    socket: Socket,
    cid: number,
    account: Account,
    awaitingTls = false,
  ) {
    super(server, socket, cid, awaitingTls);
    this.parser = new Parser<ClientOpHandler>(this, CLIENT_OPS);
    this.account = account;
    this.maxPayload = server.opts.maxPayload;
  }

  /** The verified client certificate's names (for verify_and_map); undefined without TLS or certificate. */
  get tlsPeer(): CertificateNames | undefined {
    return this.tls?.peer;
  }

  get headersEnabled(): boolean {
    return this.opts.headers && !this.server.opts.noHeaderSupport;
  }
  /** "ip:port - cid:N", the prefix nats-server puts on every client log line. */
  get logPrefix(): string {
    return this.connectTag === "" ? `${this.host}:${this.port} - cid:${this.cid}` : `${this.host}:${this.port} - cid:${this.cid} - "${this.connectTag}"`;
  }

  protected parse(d: Buffer): void {
    this.parser.parse(d);
  }

  /** Sends INFO and arms the timers; called once the server accepted the connection. */
  greet(info: string, authRequired: boolean): void {
    this.queueStr(info);
    if (authRequired) this.armAuthTimer();
    this.armPingTimer();
  }

  /** CONNECT must come within auth_timeout (for TLS clients, counted from accept: it covers the handshake). */
  armAuthTimer(): void {
    this.authTimer = setTimeout(() => this.authTimeout(), this.authTimeoutMs);
    this.authTimer.unref();
  }

  // ---- ClientOpHandler -------------------------------------------------------------------------

  allowOpBeforeConnect(): boolean {
    if (this.deferred !== undefined) return true;
    const auth = this.server.authFor(this);
    if (!auth.required || auth.noAuthUser !== undefined) return true;
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
    this.addTransportCredentials(o);
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

  /** How long CONNECT may take to arrive. */
  protected get authTimeoutMs(): number {
    return this.server.opts.authTimeoutMs;
  }

  /** Credentials the transport carried beside CONNECT (a WebSocket client's cookies); none for plain clients. */
  protected addTransportCredentials(_connect: ConnectInfo): void {}

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
    this.expiryTimer?.cancel();
    this.expiryTimer = undefined;
    if (at === undefined) return;
    this.expiryTimer = new DeadlineTimer(at, () => {
      this.server.logger.debug(`${this.logPrefix} - User authentication expired`);
      this.sendErrAndClose(AUTH_ERR.userExpired, ClosedReason.AuthenticationExpired);
    });
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
      // Known before it enters the Sublist: an interest listener may deliver to it (and reach its max) at once.
      this.subs.set(sid, sub);
      if (!this.account.addSub(sub)) {
        this.subs.delete(sid);
        this.sendErr(ERR.invalidSubject);
        return;
      }
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
    this.pongReceived();
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

  // ---- auth, close ------------------------------------------------------------

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

  private sendOk(): void {
    if (this.tracing) this.traceOut("OK");
    this.queue(OK_LINE);
  }

  protected released(): void {
    if (this.authTimer) clearTimeout(this.authTimer);
    this.expiryTimer?.cancel();
    this.account.removeSubs(this.subs.values());
    this.server.clientClosed(this);
  }
}
