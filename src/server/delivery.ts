/**
 * Delivery of one published message to the subscriptions that match it: every plain subscriber, and one
 * member of each queue group (chosen at random among those that may receive it). The MSG/HMSG control
 * line is assembled from three strings so that the per-publish parts are built once, not per target.
 */
import type { SublistResult } from "../subjects/sublist.js";
import type { Client } from "./client.js";
import type { Subscription } from "./subscription.js";

/**
 * One message on its way out; the control-line strings are built lazily and shared by all its targets.
 * An instance is reused from one publish to the next (`set`), keeping the strings that did not change —
 * a stream of publishes with the same reply and size builds its line's tail once.
 * Invariant: it is only valid during the synchronous delivery of the message it was set to.
 */
export class Outgoing {
  /** Set for messages routed by a server (internal subscribers count into its stats). */
  server: { stats: { outMsgs: number } } | undefined;
  subject = "";
  reply: string | undefined;
  /** Headers (if any) followed by the body. */
  payload: Buffer = Buffer.alloc(0);
  /** Length of the header block; 0 or less: no headers (HPUB with 0 is delivered as MSG). */
  hdrLen = -1;
  private msgTail: string | undefined;
  private hmsgTail: string | undefined;
  private bodyTail: string | undefined;
  private body: Buffer | undefined;

  set(subject: string, reply: string | undefined, payload: Buffer, hdrLen: number): this {
    this.subject = subject;
    if (reply !== this.reply || payload.length !== this.payload.length || hdrLen !== this.hdrLen) {
      this.reply = reply;
      this.hdrLen = hdrLen;
      this.msgTail = this.hmsgTail = this.bodyTail = undefined;
    }
    this.payload = payload;
    this.body = undefined;
    return this;
  }

  /** Appends this message for `sid` to the client's outbound; returns the bytes counted as delivered. */
  writeTo(c: Client, sid: string): number {
    const p = this.payload;
    if (this.hdrLen <= 0) {
      c.out.message("MSG ", this.subject, sid, (this.msgTail ??= tail(this.reply, -1, p.length)), p);
    } else if (c.headersEnabled) {
      c.out.message("HMSG ", this.subject, sid, (this.hmsgTail ??= tail(this.reply, this.hdrLen, p.length)), p);
    } else {
      // A client that did not negotiate headers gets the body alone, as MSG.
      const body = (this.body ??= p.subarray(this.hdrLen));
      c.out.message("MSG ", this.subject, sid, (this.bodyTail ??= tail(this.reply, -1, body.length)), body);
    }
    return p.length;
  }

  /** The control line `writeTo` wrote for `sid`, without CRLF (for -V tracing only). */
  traceLine(c: Client, sid: string): string {
    const withHeaders = this.hdrLen > 0 && c.headersEnabled;
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

/** Delivers to one subscription; false if it may not receive (echo off, closed, max reached). */
function deliverTo(sub: Subscription, msg: Outgoing, publisher: Client | undefined): boolean {
  const c = sub.client;
  if (c === null) {
    msg.server!.stats.outMsgs++;
    sub.handler!(msg.subject, msg.reply, msg.payload, msg.hdrLen, publisher);
    return true;
  }
  if (c.closed || (c === publisher && !c.opts.echo)) return false;
  if (sub.max > 0 && sub.delivered >= sub.max) return false;
  if (c.deliveryGate && !c.admitDelivery(msg.subject, msg.reply)) return false;
  sub.delivered++;
  const n = msg.writeTo(c, sub.sid);
  if (c.tracing) c.traceOut(msg.traceLine(c, sub.sid));
  c.outMsgs++;
  c.outBytes += n;
  c.server.stats.outMsgs++;
  c.server.stats.outBytes += n;
  c.markDirty();
  if (publisher !== undefined) publisher.stallIfBehind(c);
  if (sub.max > 0 && sub.delivered >= sub.max) c.removeSub(sub);
  return true;
}

/** Delivers `msg` to a match result; returns how many subscriptions received it. */
export function deliver(r: SublistResult<Subscription>, msg: Outgoing, publisher: Client | undefined): number {
  let n = 0;
  const plain = r.plain;
  for (let i = 0; i < plain.length; i++) if (deliverTo(plain[i]!, msg, publisher)) n++;
  const queues = r.queues;
  for (let g = 0; g < queues.length; g++) {
    const members = queues[g]!;
    const len = members.length;
    const start = len === 1 ? 0 : (Math.random() * len) | 0;
    for (let k = 0; k < len; k++) {
      if (deliverTo(members[(start + k) % len]!, msg, publisher)) {
        n++;
        break;
      }
    }
  }
  return n;
}
