/**
 * A pull consumer's waiting requests: which are admitted, which one the next message goes to (pins,
 * overflow thresholds, max_bytes), and their expiry and heartbeats on one timer. The queue itself and
 * the request body are pull-queue.ts.
 */
import { formatNs, type ConsumerConfig } from "./config.js";
import type { PinnedClient } from "./pin.js";
import { parsePullRequest, PullParseError, statusHeader, WaitingRequest, WaitQueue, type PullParams } from "./pull-queue.js";

const NS_PER_MS = 1e6;

/** What the waiting requests need from their consumer. */
export interface PullHost {
  config(): ConsumerConfig;
  closed(): boolean;
  /** A status or control message (no body) to `to`. */
  send(to: string, header: string): void;
  hasInterest(subject: string): boolean;
  heartbeat(to: string): void;
  /** Messages left to deliver for the filters. */
  numPending(): number;
  /** Delivered messages not yet acknowledged. */
  ackPending(): number;
  /** A pin was assigned to a request of `group`. */
  pinned(group: string, id: string): void;
  /** A well-formed request arrived at `now` (activity, for inactive_threshold). */
  requested(now: number): void;
}

export class PullRequests {
  readonly wq: WaitQueue;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = 0;

  constructor(
    maxWaiting: number,
    private readonly pin: PinnedClient,
    private readonly host: PullHost,
  ) {
    this.wq = new WaitQueue(maxWaiting);
    this.wq.last = Date.now();
  }

  get size(): number {
    return this.wq.size;
  }

  /**
   * A MSG.NEXT request: parsed, checked and queued. Refused and unanswerable requests are answered
   * here; the queued request is returned. `available`: what could be delivered now.
   */
  request(reply: string, body: Buffer, available: number): WaitingRequest | undefined {
    const host = this.host;
    let p: PullParams;
    try {
      p = parsePullRequest(body);
    } catch (e) {
      const why = e instanceof PullParseError ? e.message : String(e);
      host.send(reply, statusHeader(400, `Bad Request - ${why}`));
      return undefined;
    }
    if (p.batch <= 0) p.batch = 1;
    const now = Date.now();
    host.requested(now);
    const refusal = this.refusal(p);
    if (refusal !== undefined) {
      host.send(reply, refusal);
      return undefined;
    }
    const wr = this.admit(reply, p, now, available);
    if (typeof wr === "string") {
      if (wr !== "") host.send(reply, wr);
      return undefined;
    }
    return wr;
  }

  /** Why request `p` is refused, as the status header to answer with; undefined when it may wait. */
  private refusal(p: PullParams): string | undefined {
    const cfg = this.host.config();
    if ((cfg.max_batch ?? 0) > 0 && p.batch > cfg.max_batch!) return statusHeader(409, `Exceeded MaxRequestBatch of ${cfg.max_batch}`);
    if (p.expiresMs > 0 && (cfg.max_expires ?? 0) > 0 && p.expiresMs > cfg.max_expires! / NS_PER_MS) {
      return statusHeader(409, `Exceeded MaxRequestExpires of ${formatNs(cfg.max_expires!)}`);
    }
    if (p.maxBytes > 0 && (cfg.max_bytes ?? 0) > 0 && p.maxBytes > cfg.max_bytes!) return statusHeader(409, `Exceeded MaxRequestMaxBytes of ${cfg.max_bytes}`);
    const g = p.group;
    const policy = cfg.priority_policy ?? "none";
    if (g !== undefined) {
      if ((g.minPending !== 0 || g.minAckPending !== 0) && policy !== "overflow") return statusHeader(400, "Bad Request - Not a Overflow Priority consumer");
      if (g.id !== "" && policy !== "pinned_client") return statusHeader(400, "Bad Request - Not a Pinned Client Priority consumer");
      if (g.priority < 0 || g.priority > 9) return statusHeader(400, "Bad Request - Priority must be between 0 and 9");
    }
    if (policy !== "none") {
      if (g === undefined || g.group === "") return statusHeader(400, "Bad Request - Priority Group missing");
      if (!(cfg.priority_groups ?? []).includes(g.group)) return statusHeader(400, "Bad Request - Invalid Priority Group");
      if (this.pin.id !== "") {
        if (g.id === this.pin.id) this.pin.arm(g.group);
        else if (g.id !== "") return statusHeader(423, "Nats-Pin-Id mismatch");
      }
    }
    return undefined;
  }

  /**
   * Queues an admitted request; `available` is what could be delivered now. Returns the request, or the
   * status header to answer with instead ("" when the request gets no answer).
   */
  private admit(reply: string, p: PullParams, now: number, available: number): WaitingRequest | string {
    const wq = this.wq;
    if (wq.full) this.expire(false);
    if (p.noWait) {
      if (available === 0 && p.expiresMs === 0) {
        wq.last = now;
        return statusHeader(404, "No Messages");
      }
      if (available > 0) {
        let asked = 0;
        for (const wr of wq) asked += wr.n;
        if (available < asked) {
          wq.last = now;
          return statusHeader(408, "Requests Pending");
        }
      }
    }
    const expires = p.expiresMs > 0 ? now + p.expiresMs : 0;
    const wr = new WaitingRequest(reply, p, now, expires, p.noWait, p.heartbeatMs, p.group);
    if (!wq.add(wr, this.host.config().priority_policy === "prioritized")) return p.heartbeatMs === 0 ? statusHeader(409, "Exceeded MaxWaiting") : "";
    return wr;
  }

  /** Expires requests, drops those nobody listens to any more, sends heartbeats; `eos`: nothing left to deliver. */
  expire(eos: boolean): void {
    const wq = this.wq;
    const host = this.host;
    const now = Date.now();
    let prev: WaitingRequest | undefined;
    for (let wr = wq.head; wr !== undefined; ) {
      const next = wr.next;
      const expired = wr.expires > 0 && now >= wr.expires;
      if ((eos && wr.noWait) || expired) {
        if (expired) {
          host.send(wr.reply, statusHeader(408, "Request Timeout", { msgs: wr.n, bytes: wr.b }));
          wq.remove(prev, wr);
          wr = next;
          continue;
        }
        if (wr.expires === 0 || wr.d > 0) {
          host.send(wr.reply, statusHeader(404, "No Messages"));
          wq.remove(prev, wr);
          wr = next;
          continue;
        }
      }
      if (!host.hasInterest(wr.reply)) {
        wq.remove(prev, wr);
        wr = next;
        continue;
      }
      if (wr.hbDue > 0 && now >= wr.hbDue) {
        host.heartbeat(wr.reply);
        wr.hbDue = now + wr.hb;
      }
      prev = wr;
      wr = next;
    }
  }

  /** Arms one timer for the earliest request expiry or heartbeat. */
  armTimer(): void {
    if (this.host.closed()) return;
    let due = Number.POSITIVE_INFINITY;
    for (const wr of this.wq) {
      if (wr.expires > 0 && wr.expires < due) due = wr.expires;
      if (wr.hbDue > 0 && wr.hbDue < due) due = wr.hbDue;
    }
    if (!Number.isFinite(due)) return;
    if (this.timer !== undefined && this.timerDue <= due) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerDue = 0;
        // As nats-server's timer does: a no_wait request still here (only a limit such as max_ack_pending
        // holds one) ends now, with 404 once it delivered, rather than get heartbeats.
        this.expire(true);
        this.armTimer();
      },
      Math.max(1, due - Date.now()),
    );
    this.timer.unref();
  }

  /** The consumer stops: no more expiry or heartbeats. */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * The request the next message (of `size` bytes) goes to, enforcing pins, overflow thresholds and
   * max_bytes on the way; undefined when no request can take it. `now`: ms since the epoch.
   */
  next(size: number, now: number): WaitingRequest | undefined {
    const wq = this.wq;
    const host = this.host;
    const pin = this.pin;
    const policy = host.config().priority_policy ?? "none";
    let prev: WaitingRequest | undefined;
    for (let wr = wq.head; wr !== undefined; ) {
      const next = wr.next;
      if (wr.expires > 0 && now >= wr.expires) {
        host.send(wr.reply, statusHeader(408, "Request Timeout", { msgs: wr.n, bytes: wr.b }));
        wq.remove(prev, wr);
        wr = next;
        continue;
      }
      let assignedPin = false;
      if (policy === "pinned_client") {
        const id = wr.group?.id ?? "";
        if (pin.id === "") {
          if (id !== "") {
            host.send(wr.reply, statusHeader(423, "Nats-Wrong-Pin-Id", { msgs: wr.n, bytes: wr.b }));
            wq.remove(prev, wr);
            wr = next;
            continue;
          }
          this.assignPin(wr);
          assignedPin = true;
        } else if (id !== pin.id) {
          if (id !== "") {
            host.send(wr.reply, statusHeader(423, "Nats-Wrong-Pin-Id", { msgs: wr.n, bytes: wr.b }));
            wq.remove(prev, wr);
            wr = next;
            continue;
          }
          prev = wr;
          wr = next;
          continue;
        }
      } else if (policy === "overflow" && wr.group !== undefined) {
        const g = wr.group;
        if ((g.minPending > 0 || g.minAckPending > 0) && !((g.minPending > 0 && g.minPending <= host.numPending()) || (g.minAckPending > 0 && g.minAckPending <= host.ackPending()))) {
          prev = wr;
          wr = next;
          continue;
        }
      }
      if (!host.hasInterest(wr.reply)) {
        if (assignedPin) pin.clear();
        wq.remove(prev, wr);
        wr = next;
        continue;
      }
      if (wr.b > 0) {
        if (size > wr.b) {
          host.send(wr.reply, statusHeader(409, "Message Size Exceeds MaxBytes", { msgs: wr.n, bytes: wr.b }));
          if (assignedPin) pin.clear();
          wq.remove(prev, wr);
          wr = next;
          continue;
        }
      }
      if (prev !== undefined) {
        // Serve it from the head so that rotation keeps the order fair.
        wq.remove(prev, wr);
        wr.next = wq.head;
        wq.head = wr;
        if (wq.tail === undefined) wq.tail = wr;
        wq.size++;
      }
      return wr;
    }
    return undefined;
  }

  /** The head request got a message of `size` bytes: count it, retire or rotate it. */
  served(wr: WaitingRequest, size: number): void {
    const wq = this.wq;
    wr.n--;
    wr.d++;
    if (wr.b > 0) {
      wr.b -= size;
      if (wr.b === 0) wr.n = 0;
    }
    if (wr.n <= 0) {
      wq.remove(undefined, wr);
    } else {
      if (wr.hb > 0) wr.hbDue = Date.now() + wr.hb;
      wq.rotate(this.host.config().priority_policy === "prioritized");
    }
  }

  private assignPin(wr: WaitingRequest): void {
    const g = wr.group;
    if (g === undefined || g.group === "") return;
    g.id = this.pin.assign(g.group);
    this.host.pinned(g.group, g.id);
  }
}
