/**
 * The route connection kind: a link to another server of the cluster (spec §7.1). What the peer sends
 * is its interest (RS+/RS-, kept here as subscriptions of this connection in their accounts, so that a
 * local publish matches them like any other) and its messages (RMSG/HMSG, delivered to this server's
 * own subscribers only: one hop). What goes out is this server's interest (route-manager.ts sends it)
 * and, for a message that matches the peer's interest, one RMSG naming the queue groups the peer was
 * chosen for.
 *
 * The handshake (INFO and CONNECT, which side keeps a duplicate, gossip) is the cluster topology's;
 * this connection hands INFO and CONNECT to its host and does what it is told.
 *
 * Invariants: nothing is delivered to the peer before it is registered, nor anything that came from a route or is
 * marked local (Outgoing.local).
 */
import type { Socket } from "node:net";
import { PONG_LINE } from "../protocol/errors.js";
import type { MessageArgs } from "../protocol/parser.js";
import { Parser } from "../protocol/parser.js";
import { ROUTE_OPS, type RouteOpHandler } from "../protocol/route-op-table.js";
import { routedMsgPrefix, type RemoteSub, type RemoteUnsub } from "../protocol/route-ops.js";
import type { Account } from "./account.js";
import { ClosedReason } from "./closed-reason.js";
import { Connection, type ConnectionHost } from "./connection.js";
import { RemoteInterest } from "./remote-interest.js";
import type { GatheringTarget, Outgoing } from "./outgoing.js";
import { Subscription, type DeliveryTarget, type Publisher } from "./subscription.js";

/** What a route needs from the server and the cluster layer that own it. */
export interface RouteHost extends ConnectionHost {
  /** The account a peer names; undefined when this server has no such account. */
  routeAccount(name: string): Account | undefined;
  /** Delivers a routed message to this server's own subscribers. */
  publishRouted(from: Route, account: Account, subject: string, reply: string | undefined, payload: Buffer, hdrLen: number, queues: readonly string[] | undefined): void;
  routeConnect(r: Route, json: string): void;
  routeInfo(r: Route, json: string): void;
  routeClosed(r: Route): void;
}

export class Route extends Connection implements RouteOpHandler, DeliveryTarget, GatheringTarget, Publisher {
  /** Its subscriptions are the peer's interest. */
  readonly remote = true;
  readonly parser: Parser<RouteOpHandler>;
  /** The accepting side waits for the peer's CONNECT; a route we dialled is connected at once. */
  connected: boolean;
  /** Set by the cluster layer once the topology registered it (the peer's INFO was accepted). */
  registered = false;
  remoteId = "";
  /** The peer takes HMSG (its INFO said `headers`). */
  peerHeaders = true;
  /** The peer's interest, keyed `account subject[ queue]`. */
  private readonly interest = new RemoteInterest(this);
  /** The message being gathered (see GatheringTarget) and what it brought this route. */
  private gathering: Outgoing | undefined;
  private gatheredQueues: string[] | undefined;
  /** `RMSG <account> ` / `HMSG <account> ` per account. */
  private readonly prefixes = new Map<string, readonly [string, string]>();

  constructor(
    readonly server: RouteHost,
    socket: Socket,
    cid: number,
    readonly solicited: boolean,
    awaitingTls: boolean,
  ) {
    super(server, socket, cid, awaitingTls);
    this.connected = solicited;
    this.parser = new Parser<RouteOpHandler>(this, ROUTE_OPS);
  }

  get logPrefix(): string {
    return `${this.host}:${this.port} - rid:${this.cid}`;
  }

  /** Interest the peer announced (for /routez). */
  *subscriptions(): Iterable<Subscription> {
    yield* this.interest.subscriptions();
  }

  protected parse(d: Buffer): void {
    this.parser.parse(d);
  }

  // ---- RouteOpHandler --------------------------------------------------------------------------

  allowOpBeforeConnect(): boolean {
    this.server.logger.error(`${this.logPrefix} - Route sent an operation before CONNECT`);
    this.close(ClosedReason.ProtocolViolation);
    return false;
  }

  onRouteConnect(json: string): void {
    this.server.routeConnect(this, json);
  }

  onRouteInfo(json: string): void {
    this.server.routeInfo(this, json);
  }

  onRemoteSub(r: RemoteSub): void {
    const account = this.server.routeAccount(r.account);
    if (account === undefined) {
      this.server.logger.debug(`${this.logPrefix} - Unknown account ${JSON.stringify(r.account)} for subject ${JSON.stringify(r.subject)}`);
      return;
    }
    if (this.interest.add(account, interestKey(r.account, r.subject, r.queue), r.subject, r.queue, r.weight) === "invalid") {
      this.server.logger.debug(`${this.logPrefix} - Invalid subject ${JSON.stringify(r.subject)} in RS+`);
    }
  }

  onRemoteUnsub(r: RemoteUnsub): void {
    this.interest.remove(interestKey(r.account, r.subject, r.queue));
  }

  onRoutedMsg(payload: Buffer, m: MessageArgs): void {
    this.inMsgs++;
    this.inBytes += payload.length;
    const account = this.server.routeAccount(m.account);
    if (account === undefined) return;
    this.server.publishRouted(this, account, m.subject, m.reply, payload, m.hdr, m.queues);
  }

  onPing(): void {
    if (this.tracing) this.traceOut("PONG");
    this.queue(PONG_LINE);
  }

  onPong(): void {
    this.pongReceived();
  }

  onPeerError(text: string): void {
    this.server.logger.error(`${this.logPrefix} - Router Error: ${text}`);
    this.close(ClosedReason.ParseError);
  }

  /** Logged as nats-server logs a route's malformed op (its text alone), then the route closes. */
  onProtocolError(err: string | undefined, detail: string): void {
    this.server.logger.error(`${this.logPrefix} - ${detail}`);
    if (err !== undefined) this.sendErrAndClose(err, ClosedReason.ParseError);
    else this.close(ClosedReason.ProtocolViolation);
  }

  // ---- delivery --------------------------------------------------------------------------------

  deliverMessage(sub: Subscription, msg: Outgoing, publisher: Publisher | undefined): boolean {
    if (this.closed || !this.registered || msg.local) return false;
    if (this.gathering !== msg) {
      this.gathering = msg;
      this.gatheredQueues = undefined;
      msg.gatheredBy(this);
      // A peer that does not read holds the publishers that feed it (producer stalling), as a client
      // does; past max_pending or write_deadline it is a slow consumer and the route is closed.
      if (publisher !== undefined) this.stallIfBehind(publisher);
    }
    // Plain interest needs nothing more: the peer delivers an RMSG to all its plain subscribers.
    const q = sub.queue;
    if (q === undefined) return true;
    if (this.gatheredQueues === undefined) this.gatheredQueues = [q];
    else if (!this.gatheredQueues.includes(q)) this.gatheredQueues.push(q);
    return true;
  }

  /** One RMSG for everything the message brought this route (see GatheringTarget). */
  finishMessage(msg: Outgoing): void {
    this.gathering = undefined;
    const withHeaders = msg.hdrLen > 0 && this.peerHeaders;
    const n = msg.writeRoutedTo(this.out, this.prefixFor(msg.account, withHeaders), withHeaders, this.gatheredQueues);
    if (this.tracing) this.traceOut(`${this.prefixFor(msg.account, withHeaders)}${msg.subject}`);
    this.gatheredQueues = undefined;
    this.outMsgs++;
    this.outBytes += n;
    this.markDirty();
  }

  private prefixFor(account: string, headers: boolean): string {
    let p = this.prefixes.get(account);
    if (p === undefined) {
      p = [routedMsgPrefix(false, account), routedMsgPrefix(true, account)];
      this.prefixes.set(account, p);
    }
    return headers ? p[1] : p[0];
  }

  /** Sends a protocol line (RS+, RS-, INFO, CONNECT); `line` ends with CRLF. */
  sendLine(line: string): void {
    if (this.tracing) this.traceOut(line.slice(0, -2));
    this.queueStr(line);
  }

  protected released(): void {
    this.interest.clear();
    this.server.routeClosed(this);
  }
}

function interestKey(account: string, subject: string, queue: string | undefined): string {
  return queue === undefined ? `${account} ${subject}` : `${account} ${subject} ${queue}`;
}
