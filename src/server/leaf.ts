/**
 * The leaf node connection kind (spec §7.3): a link between a hub and a leaf server, bound to one account
 * on each side. What the peer sends is its interest in that account (LS+/LS-, kept here as subscriptions
 * of this connection, so that a publish matches them like any other) and its messages (LMSG/HMSG,
 * delivered by the server to its subscribers, its routes and its other leaf links as nats-server does).
 * What goes out is the interest this side's subscriptions add up to for the peer (the `sent` map, kept
 * up to date by the leaf manager from the account's subscription changes) and, for a message that
 * matches the peer's interest, one LMSG naming the queue groups the peer was chosen for.
 *
 * A link this server dialled (`solicited`: this server is the leaf, the peer the hub) carries the hub's
 * interest, which is not announced to this server's routes (its `remote` is true); a link it accepted
 * (this server is the hub) carries a leaf's interest, which is (nats-server forwards it across routes).
 * Queue members behind a leaf link are chosen only when no local member takes the message (`queueFallback`).
 *
 * Invariants: `interest` (remote-interest.ts) holds subscriptions in `account` only; nothing is
 * delivered to the peer before it is registered, nor a message the peer itself sent (no echo).
 */
import type { Socket } from "node:net";
import { LEAF_OPS, type LeafOpHandler } from "../protocol/leaf-op-table.js";
import { encodeLeafSub, encodeLeafUnsub, leafMsgPrefix } from "../protocol/leaf-ops.js";
import { PONG_LINE } from "../protocol/errors.js";
import type { MessageArgs } from "../protocol/parser.js";
import { Parser } from "../protocol/parser.js";
import type { RemoteSub, RemoteUnsub } from "../protocol/route-ops.js";
import { subjectMatches } from "../subjects/validate.js";
import { assert } from "../util/assert.js";
import type { Permissions } from "../auth/permissions.js";
import type { Account } from "./account.js";
import { ClosedReason } from "./closed-reason.js";
import { Connection, type ConnectionHost } from "./connection.js";
import { RemoteInterest } from "./remote-interest.js";
import type { GatheringTarget, Outgoing } from "./outgoing.js";
import { Subscription, type DeliveryTarget, type Publisher } from "./subscription.js";

/** nats-server's loop detection subjects: one per account and server, announced on every leaf link. */
export const LOOP_DETECTION_PREFIX = "$LDS.";

/** What a leaf connection needs from the leaf manager that owns it. */
export interface LeafHost extends ConnectionHost {
  leafConnect(l: Leaf, json: string): void;
  leafInfo(l: Leaf, json: string): void;
  /** The peer's interest in `subject` is this account's own loop detection subject: a loop. */
  isOwnLoopSubject(l: Leaf, subject: string): boolean;
  loopDetected(l: Leaf): void;
  peerError(l: Leaf, text: string): void;
  publishLeaf(from: Leaf, subject: string, reply: string | undefined, payload: Buffer, hdrLen: number, queues: readonly string[] | undefined): void;
  leafClosed(l: Leaf): void;
}

/** A list of subject filters, checked with a small cache (each link checks every message against it). */
export class SubjectDenyList {
  private readonly cache = new Map<string, boolean>();
  constructor(readonly filters: readonly string[]) {}
  get empty(): boolean {
    return this.filters.length === 0;
  }
  denies(subject: string): boolean {
    if (this.filters.length === 0) return false;
    let v = this.cache.get(subject);
    if (v === undefined) {
      v = this.filters.some((f) => subjectMatches(f, subject));
      if (this.cache.size > 4096) this.cache.clear();
      this.cache.set(subject, v);
    }
    return v;
  }
}

const NO_DENIES = new SubjectDenyList([]);

export class Leaf extends Connection implements LeafOpHandler, DeliveryTarget, GatheringTarget, Publisher {
  readonly parser: Parser<LeafOpHandler>;
  readonly queueFallback = true;
  /** The accepting side waits for the peer's CONNECT; a link we dialled is connected at once. */
  connected: boolean;
  /** Set once the handshake is done and the link is in the manager's list (interest flows both ways). */
  registered = false;
  /** The account this link is bound to here (a dialled link's is known from the start). */
  account: Account | undefined;
  /** The peer's server name (or id) and cluster, from its INFO or CONNECT. */
  remoteServer = "";
  remoteCluster = "";
  remoteId = "";
  /** The account the peer bound this link to on its side (its INFO's `remote_account`), if it said. */
  remoteAccount = "";
  /** The peer takes HMSG (it said `headers`). */
  peerHeaders = true;
  /** Messages on these subjects are not sent to the peer (deny_exports; the leaf's deny_imports on a hub). */
  denyOut: SubjectDenyList = NO_DENIES;
  /**
   * The leaf user's permissions, on both ends of the link (a hub knows them from the user, a leaf from
   * its hub's INFO `export`/`import`): `publish` bounds what crosses from the leaf to the hub, `subscribe`
   * what crosses from the hub to the leaf. nats-server 2.9's hub leaves the check to its leaf; this hub
   * checks too, so a leaf that ignores them gains nothing.
   */
  perms: Permissions | null = null;
  /** Interest in these subjects is not sent, nor are such messages taken from the peer (deny_imports). */
  denyIn: SubjectDenyList = NO_DENIES;
  /** The interest announced to the peer: `subject[ queue]` -> the count behind it (queue: its weight). */
  readonly sent = new Map<string, number>();
  /** The peer's interest, keyed `subject[ queue]`. */
  private readonly interest = new RemoteInterest(this);
  /**
   * LS+/LS- that came after the peer's CONNECT while its credentials were still being checked (a bcrypt
   * password is checked asynchronously); applied once the link is registered.
   */
  private early: (RemoteSub | RemoteUnsub)[] | undefined;
  private earlyPlus: boolean[] | undefined;
  private gathering: Outgoing | undefined;
  private gatheredQueues: string[] | undefined;

  constructor(
    readonly server: LeafHost,
    socket: Socket,
    cid: number,
    /** This server dialled the link (it is the leaf; the peer is its hub). */
    readonly solicited: boolean,
    /** An accepted link on a TLS listener: nothing is read until the TLS handshake hands over (secured()). */
    awaitingTls = false,
  ) {
    super(server, socket, cid, awaitingTls);
    this.connected = solicited;
    this.parser = new Parser<LeafOpHandler>(this, LEAF_OPS);
  }

  /** A hub's interest, carried by a link this server dialled, is not announced to its routes. */
  get remote(): boolean {
    return this.solicited;
  }

  get logPrefix(): string {
    return `${this.host}:${this.port} - lid:${this.cid}`;
  }

  /** The peer's interest (for /leafz and /subsz). */
  *subscriptions(): Iterable<Subscription> {
    yield* this.interest.subscriptions();
  }

  get subscriptionCount(): number {
    return this.interest.size;
  }

  protected parse(d: Buffer): void {
    this.parser.parse(d);
  }

  // ---- LeafOpHandler ---------------------------------------------------------------------------

  allowOpBeforeConnect(): boolean {
    this.server.logger.error(`${this.logPrefix} - Leafnode sent an operation before CONNECT`);
    this.close(ClosedReason.ProtocolViolation);
    return false;
  }

  onLeafConnect(json: string): void {
    this.server.leafConnect(this, json);
  }

  onLeafInfo(json: string): void {
    this.server.leafInfo(this, json);
  }

  onRemoteSub(r: RemoteSub): void {
    const account = this.account;
    if (!this.registered) return this.keepEarly(r, true);
    if (account === undefined) return;
    if (r.subject.startsWith(LOOP_DETECTION_PREFIX) && this.server.isOwnLoopSubject(this, r.subject)) {
      this.server.loopDetected(this);
      return;
    }
    if (!r.subject.startsWith(LOOP_DETECTION_PREFIX) && this.denyIn.denies(r.subject)) return;
    if (this.interest.add(account, leafKey(r.subject, r.queue), r.subject, r.queue, r.weight) === "invalid") {
      this.server.logger.debug(`${this.logPrefix} - Invalid subject ${JSON.stringify(r.subject)} in LS+`);
    }
  }

  onRemoteUnsub(r: RemoteUnsub): void {
    if (!this.registered) return this.keepEarly(r, false);
    this.interest.remove(leafKey(r.subject, r.queue));
  }

  private keepEarly(r: RemoteSub | RemoteUnsub, plus: boolean): void {
    (this.early ??= []).push(r);
    (this.earlyPlus ??= []).push(plus);
  }

  /** The link is registered: the interest the peer sent meanwhile takes effect. */
  applyEarlyInterest(): void {
    const early = this.early;
    const plus = this.earlyPlus;
    this.early = this.earlyPlus = undefined;
    if (early === undefined || plus === undefined) return;
    for (let i = 0; i < early.length && !this.closed; i++) {
      if (plus[i]) this.onRemoteSub(early[i] as RemoteSub);
      else this.onRemoteUnsub(early[i]!);
    }
  }

  onRoutedMsg(payload: Buffer, m: MessageArgs): void {
    this.inMsgs++;
    this.inBytes += payload.length;
    if (!this.registered || this.denyIn.denies(m.subject)) return;
    if (this.perms !== null && !(this.solicited ? this.downAllowed(m.subject) : this.upAllowed(m.subject))) {
      this.server.logger.debug(`${this.logPrefix} - Permissions Violation for ${JSON.stringify(m.subject)} from the leafnode link`);
      return;
    }
    this.server.publishLeaf(this, m.subject, m.reply, payload, m.hdr, m.queues);
  }

  onPing(): void {
    if (this.tracing) this.traceOut("PONG");
    this.queue(PONG_LINE);
  }

  onPong(): void {
    this.pongReceived();
  }

  onPeerError(text: string): void {
    this.server.peerError(this, text);
  }

  onProtocolError(err: string | undefined, detail: string): void {
    this.server.logger.error(`${this.logPrefix} - ${detail}`);
    if (err !== undefined) this.sendErrAndClose(err, ClosedReason.ParseError);
    else this.close(ClosedReason.ProtocolViolation);
  }

  // ---- interest sent to the peer ---------------------------------------------------------------

  /**
   * The interest behind `subject[ queue]` that the peer should see changed by `delta`: a plain subject is
   * announced when its count leaves 0 and withdrawn when it returns there; a queue's LS+ carries its
   * weight on every change (as RS+ does).
   */
  interestChanged(subject: string, queue: string | undefined, delta: number): void {
    if (delta === 0) return;
    const key = queue === undefined ? subject : `${subject} ${queue}`;
    const was = this.sent.get(key) ?? 0;
    const n = was + delta;
    if (n > 0) this.sent.set(key, n);
    else this.sent.delete(key);
    if (queue === undefined && was > 0 && n > 0) return;
    if (n > 0) this.sendLine(encodeLeafSub(subject, queue, n));
    else if (was > 0) this.sendLine(encodeLeafUnsub(subject, queue));
  }

  // ---- delivery --------------------------------------------------------------------------------

  /** A message on `subject` may cross from the leaf to the hub (the leaf user may publish it). */
  private upAllowed(subject: string): boolean {
    const p = this.perms!;
    return !p.restrictsPublish || p.canPublish(subject);
  }

  /** A message on `subject` may cross from the hub to the leaf (the leaf user may subscribe to it). */
  private downAllowed(subject: string): boolean {
    const p = this.perms!;
    return (!p.restrictsSubscribe || p.canSubscribe(subject, undefined)) && !p.deniesDelivery(subject);
  }

  deliverMessage(sub: Subscription, msg: Outgoing, publisher: Publisher | undefined): boolean {
    if (this.closed || !this.registered || publisher === this) return false;
    if (this.gathering !== msg) {
      if (this.denyOut.denies(msg.routedBy ?? msg.subject)) return false;
      if (this.perms !== null && !(this.solicited ? this.upAllowed(msg.subject) : this.downAllowed(msg.subject))) return false;
      this.gathering = msg;
      this.gatheredQueues = undefined;
      msg.gatheredBy(this);
      if (publisher !== undefined) this.stallIfBehind(publisher);
    }
    const q = sub.queue;
    if (q === undefined) return true;
    if (this.gatheredQueues === undefined) this.gatheredQueues = [q];
    else if (!this.gatheredQueues.includes(q)) this.gatheredQueues.push(q);
    return true;
  }

  /** One LMSG (HMSG with headers) for everything the message brought this link. */
  finishMessage(msg: Outgoing): void {
    assert(this.gathering === msg, () => `${this.logPrefix} finished a message it was not gathering`);
    this.gathering = undefined;
    const withHeaders = msg.hdrLen > 0 && this.peerHeaders;
    const prefix = leafMsgPrefix(withHeaders);
    const n = msg.writeRoutedTo(this.out, prefix, withHeaders, this.gatheredQueues);
    if (this.tracing) this.traceOut(`${prefix}${msg.subject}`);
    this.gatheredQueues = undefined;
    this.outMsgs++;
    this.outBytes += n;
    this.markDirty();
  }

  /** Sends a protocol line (LS+, LS-, INFO, CONNECT); `line` ends with CRLF. */
  sendLine(line: string): void {
    if (this.tracing) this.traceOut(line.slice(0, -2));
    this.queueStr(line);
  }

  protected released(): void {
    this.interest.clear();
    this.server.leafClosed(this);
  }
}

function leafKey(subject: string, queue: string | undefined): string {
  return queue === undefined ? subject : `${subject} ${queue}`;
}
