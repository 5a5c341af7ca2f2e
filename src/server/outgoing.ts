/**
 * One published message on its way to its targets. The MSG/HMSG control line is assembled from three
 * strings so that the per-publish parts are built once, not per target.
 */
import { routedMsgTail } from "../protocol/route-ops.js";
import type { Outbound } from "./outbound.js";

const NO_QUEUES: readonly string[] = [];

/**
 * A target that gathers what one message brings it and writes a single op once every subscription was
 * offered the message: a route sends one RMSG per message, naming every queue group it was chosen for.
 */
export interface GatheringTarget {
  finishMessage(msg: Outgoing): void;
}

/**
 * One message on its way out; the control-line strings are built lazily and shared by all its targets.
 * An instance is reused from one publish to the next (`set`), keeping the strings that did not change —
 * a stream of publishes with the same reply and size builds its line's tail once.
 * Invariant: it is only valid during the synchronous delivery of the message it was set to.
 */
export class Outgoing {
  /** Set for messages routed by a server (internal subscribers count into its stats). */
  server: { stats: { outMsgs: number } } | undefined;
  /** The account it is published in (a route names it in RMSG). */
  account = "";
  /**
   * For this server's subscribers only, never for routes: it came over a route (one hop), or it is an
   * import's republish (every server republishes for its own subscribers).
   */
  local = false;
  /**
   * The subject it is routed by when its receivers are to see another (a JetStream delivery: matched by
   * the deliver subject or request inbox, shown with the stream subject). Across a route it goes as
   * nats-server sends it: on this subject, with `<ack reply>@<shown subject>` as its reply.
   */
  routedBy: string | undefined;
  subject = "";
  reply: string | undefined;
  /** Headers (if any) followed by the body. */
  payload: Buffer = Buffer.alloc(0);
  /** Length of the header block; 0 or less: no headers (HPUB with 0 is delivered as MSG). */
  hdrLen = -1;
  private msgTail: string | undefined;
  private hmsgTail: string | undefined;
  private bodyTail: string | undefined;
  /** RMSG's tail for this message when no queue groups are named, with and without headers. */
  private routeTail: string | undefined;
  private routeBodyTail: string | undefined;
  private body: Buffer | undefined;
  /** Targets waiting for the end of this message's delivery; usually none. */
  private gatherers: GatheringTarget[] | undefined;

  set(subject: string, reply: string | undefined, payload: Buffer, hdrLen: number): this {
    this.subject = subject;
    if (reply !== this.reply || payload.length !== this.payload.length || hdrLen !== this.hdrLen) {
      this.reply = reply;
      this.hdrLen = hdrLen;
      this.msgTail = this.hmsgTail = this.bodyTail = this.routeTail = this.routeBodyTail = undefined;
    }
    this.payload = payload;
    this.body = undefined;
    this.gatherers = undefined;
    this.routedBy = undefined;
    return this;
  }

  /** `t` writes its op for this message in finishMessage, once delivery has offered it to everyone. */
  gatheredBy(t: GatheringTarget): void {
    (this.gatherers ??= []).push(t);
  }

  /** The end of this message's delivery: the gathering targets write their ops. */
  finish(): void {
    const g = this.gatherers;
    if (g === undefined) return;
    this.gatherers = undefined;
    for (let i = 0; i < g.length; i++) g[i]!.finishMessage(this);
  }

  /**
   * Appends this message as MSG/HMSG for `sid` to a client's outbound; returns the bytes counted as
   * delivered. `headers`: the client negotiated headers.
   */
  writeTo(out: Outbound, headers: boolean, sid: string): number {
    const p = this.payload;
    if (this.hdrLen <= 0) {
      out.message("MSG ", this.subject, sid, (this.msgTail ??= tail(this.reply, -1, p.length)), p);
    } else if (headers) {
      out.message("HMSG ", this.subject, sid, (this.hmsgTail ??= tail(this.reply, this.hdrLen, p.length)), p);
    } else {
      // A client that did not negotiate headers gets the body alone, as MSG.
      const body = (this.body ??= p.subarray(this.hdrLen));
      out.message("MSG ", this.subject, sid, (this.bodyTail ??= tail(this.reply, -1, body.length)), body);
    }
    return p.length;
  }

  /**
   * Appends this message as a route's RMSG/HMSG, naming `queues` (the groups the route was chosen for);
   * returns the bytes counted as delivered. `withHeaders`: it has headers and the peer takes HMSG;
   * `prefix` is the line's start for that (`RMSG <account> ` or `HMSG <account> `, see route-ops.ts).
   */
  writeRoutedTo(out: Outbound, prefix: string, withHeaders: boolean, queues: readonly string[] | undefined): number {
    const p = this.payload;
    const body = withHeaders || this.hdrLen <= 0 ? p : (this.body ??= p.subarray(this.hdrLen));
    const hdr = withHeaders ? this.hdrLen : -1;
    let t: string;
    if (this.routedBy !== undefined) {
      t = routedMsgTail(`${this.reply ?? ""}@${this.subject}`, queues ?? NO_QUEUES, hdr, body.length);
      out.message(prefix, this.routedBy, "", t, body);
      return body.length;
    }
    if (queues !== undefined) t = routedMsgTail(this.reply, queues, hdr, body.length);
    else if (withHeaders) t = this.routeTail ??= routedMsgTail(this.reply, NO_QUEUES, hdr, body.length);
    else t = this.routeBodyTail ??= routedMsgTail(this.reply, NO_QUEUES, hdr, body.length);
    out.message(prefix, this.subject, "", t, body);
    return body.length;
  }

  /** The control line `writeTo` wrote for `sid`, without CRLF (for -V tracing only). */
  traceLine(headers: boolean, sid: string): string {
    const withHeaders = this.hdrLen > 0 && headers;
    const size = this.hdrLen > 0 && !withHeaders ? this.payload.length - this.hdrLen : this.payload.length;
    const head = withHeaders ? `HMSG ${this.subject} ` : `MSG ${this.subject} `;
    return head + sid + tail(this.reply, withHeaders ? this.hdrLen : -1, size).slice(0, -2);
  }
}

/** The part of a MSG/HMSG line after the sid: ` [reply] [hdrLen] size\r\n`. */
function tail(reply: string | undefined, hdrLen: number, size: number): string {
  const r = reply === undefined ? "" : ` ${reply}`;
  return hdrLen < 0 ? `${r} ${size}\r\n` : `${r} ${hdrLen} ${size}\r\n`;
}
