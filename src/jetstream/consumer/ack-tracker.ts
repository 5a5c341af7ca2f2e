/**
 * What a consumer does with acknowledgements: acks (explicit or all) free pending messages, NAKs and
 * ended ack waits queue messages for redelivery (or end them at max_deliver), and one timer finds the
 * ack waits that ended. The protocol (subjects, bodies) is ack-protocol.ts.
 */
import { nakDelay, type AckInfo } from "./ack-protocol.js";
import type { ConsumerAdvisories } from "./advisories.js";
import type { ConsumerConfig } from "./config.js";
import { RedeliveryQueue } from "./redelivery-queue.js";
import type { ConsumerState } from "./state.js";

const NS_PER_MS = 1e6;

/** What acknowledgement handling needs from its consumer. */
export interface AckHost {
  config(): ConsumerConfig;
  closed(): boolean;
  /** A delivery may have become possible. */
  kick(): void;
  /** The consumer is done with `seq` (retention may remove it). */
  done(seq: number): void;
}

export class AckTracker {
  /** Messages due for redelivery. */
  readonly rdq = new RedeliveryQueue();
  /** Last acknowledgement, ms since the epoch (ConsumerInfo ack_floor.last_active, inactivity). */
  lastAcked = 0;
  /** Messages acknowledged (explicitly, by ack-all or term) since this process opened the consumer: a counter for /metrics. */
  ackedCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = 0;

  constructor(
    private readonly state: ConsumerState,
    private readonly advisories: ConsumerAdvisories,
    private readonly host: AckHost,
  ) {}

  atMaxAckPending(): boolean {
    return this.fullAt(this.host.config());
  }

  private fullAt(cfg: ConsumerConfig): boolean {
    const m = cfg.max_ack_pending ?? 0;
    return m > 0 && this.state.pending.size >= m;
  }

  /** An ack (or term) that arrived at `now` (ms since the epoch). */
  ack(info: AckInfo, now: number): void {
    const s = this.state;
    const cfg = this.host.config();
    const sseq = info.sseq;
    if (sseq >= s.sseq) return; // never delivered: ignore, as nats-server does
    const wasFull = this.fullAt(cfg);
    if (cfg.ack_policy === "explicit") {
      const redelivered = s.redelivered.size > 0 && s.redelivered.has(sseq);
      const p = cfg.sample_freq !== undefined ? s.pending.get(sseq) : undefined;
      const removed = s.ack(sseq);
      if (!removed && !redelivered) return;
      if (removed) this.ackedCount++;
      if (p !== undefined) this.sample(sseq, p.cseq, info.dc, p.ts);
      if (this.rdq.size > 0 && this.rdq.has(sseq)) this.rdq.delete(sseq);
      this.lastAcked = now;
      this.host.done(sseq);
    } else if (cfg.ack_policy === "all") {
      const acked = s.ackAll(sseq, info.cseq);
      if (acked === undefined) return;
      this.ackedCount += acked.length;
      for (const x of acked) if (this.rdq.has(x)) this.rdq.delete(x);
      this.lastAcked = now;
      for (const x of acked) if (x !== sseq) this.host.done(x);
      this.host.done(sseq);
    } else {
      return;
    }
    if (wasFull) this.host.kick();
  }

  private sample(sseq: number, cseq: number, dc: number, ts: number): void {
    const text = this.host.config().sample_freq!;
    const freq = Number(text.endsWith("%") ? text.slice(0, -1) : text);
    if (freq <= 0) return;
    if (freq < 100 && Math.random() * 100 > freq) return;
    this.advisories.ackMetric(sseq, cseq, dc, Math.max(0, (Date.now() - ts) * NS_PER_MS));
  }

  nak(info: AckInfo, arg: Buffer): void {
    const s = this.state;
    const sseq = info.sseq;
    if (info.cseq <= s.ackFloorConsumer || info.cseq >= s.dseq) return;
    if (!s.pending.has(sseq)) return;
    this.advisories.nak(sseq, info.cseq, info.dc);
    const delay = nakDelay(arg);
    if (delay !== undefined) {
      if (this.rdq.has(sseq)) this.rdq.delete(sseq);
      // The ack wait is made to end `delay` from now.
      s.touch(sseq, Date.now() - this.ackWaitMs(1) + delay / NS_PER_MS);
      this.armTimer(Math.max(1, delay / NS_PER_MS));
      return;
    }
    this.redeliver([sseq]);
  }

  /** Queues messages for redelivery, or ends them when they had all their deliveries. */
  redeliver(seqs: number[]): void {
    const max = this.host.config().max_deliver ?? -1;
    let added = false;
    for (const seq of seqs) {
      if (this.rdq.has(seq)) continue;
      const dc = this.state.deliveryCount(seq);
      if (max > 0 && dc >= max) {
        this.maxDeliveriesReached(seq, dc);
        continue;
      }
      this.rdq.add(seq);
      added = true;
    }
    if (added) this.host.kick();
  }

  private maxDeliveriesReached(seq: number, dc: number): void {
    const wasFull = this.atMaxAckPending();
    this.state.maxDelivered(seq, dc);
    this.advisories.maxDeliveries(seq, dc);
    if (wasFull) this.host.kick();
  }

  /** Every pending message is due again (deliver subject changed). */
  expireAllPending(): void {
    this.redeliver(this.state.pending.all());
  }

  /** The ack wait of a message's `dc`-th delivery in ms (backoff step, else ack_wait). */
  ackWaitMs(dc: number): number {
    const cfg = this.host.config();
    const bo = cfg.backoff;
    if (bo !== undefined && bo.length > 0) return bo[Math.min(dc - 1, bo.length - 1)]! / NS_PER_MS;
    return (cfg.ack_wait ?? 0) / NS_PER_MS;
  }

  /** When the ack wait of the last pending message runs out (ms since the epoch), 0 with none pending. */
  lastAckDeadline(): number {
    const s = this.state;
    let latest = 0;
    s.pending.forEach((seq, _cseq, ts) => {
      const due = ts + this.ackWaitMs(s.deliveryCount(seq));
      if (due > latest) latest = due;
    });
    return latest;
  }

  /** Makes the ack timer fire within `delay` ms (0 = leave it). */
  armTimer(delay: number): void {
    if (this.host.closed() || delay <= 0) return;
    const due = Date.now() + delay;
    if (this.timer !== undefined && this.timerDue <= due) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => this.checkPending(), delay + 1);
    this.timer.unref();
  }

  /** The consumer stops: no more redelivery checks. */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Finds pending messages whose ack wait ended; queues them for redelivery. */
  private checkPending(): void {
    this.timer = undefined;
    this.timerDue = 0;
    if (this.host.closed() || this.host.config().ack_policy === "none") return;
    const s = this.state;
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    const expired: number[] = [];
    s.pending.forEach((seq, _cseq, ts) => {
      const dc = s.deliveryCount(seq);
      const wait = this.ackWaitMs(dc);
      const elapsed = now - ts;
      if (elapsed >= wait) {
        if (!this.rdq.has(seq)) expired.push(seq);
      } else if (wait - elapsed < next) {
        next = wait - elapsed;
      }
    });
    if (expired.length > 0) this.redeliver(expired);
    if (s.pending.size > 0) this.armTimer(Number.isFinite(next) ? next : this.ackWaitMs(1));
  }
}
