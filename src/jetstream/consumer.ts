/**
 * A JetStream consumer: it reads its stream's messages in order, delivers them (push: to its deliver
 * subject; pull: to waiting MSG.NEXT requests), tracks acknowledgements and redelivers what is not
 * acknowledged in time. Its delivery state lives in consumer-state.ts and is persisted through
 * consumer-store.ts with the stream's durability.
 *
 * Everything runs on the event loop. Deliveries happen in synchronous passes (`kick`), started by
 * whatever can make a delivery possible: a new durable message, a pull request, an ack that frees
 * max_ack_pending, a redelivery falling due, interest appearing on the deliver subject, a flow control
 * reply, the end of a pause. A pass sends at most MAX_PER_PASS messages and then yields, and stops
 * while the receiving connection is congested, so one consumer never floods a client or the loop.
 *
 * Delivered messages keep their original subject; they are routed by the deliver subject (push) or the
 * request's reply subject (pull), and carry the `$JS.ACK…` reply subject (consumer-ack.ts).
 */
import type { Account } from "../server/account.js";
import { deliver, Outgoing } from "../server/delivery.js";
import type { Server } from "../server/server.js";
import type { Subscription } from "../server/subscription.js";
import type { StoredMsg } from "../store/types.js";
import type { SublistResult } from "../subjects/sublist.js";
import { subjectMatches } from "../subjects/validate.js";
import { nanosToRfc3339, nowNanos, rfc3339ToNanos } from "../util/nanos.js";
import { ackPrefix, ackSubject, classifyAck, nakDelay, parseAckAfter, type AckInfo } from "./consumer-ack.js";
import { ConsumerAdvisories } from "./consumer-advisories.js";
import { filtersOf, formatNs, isDurable, isPush, type ConsumerConfig } from "./consumer-config.js";
import { addHeader, FLOW_CONTROL_REQUEST, idleHeartbeat, joinPayload } from "./consumer-headers.js";
import { parsePullRequest, PullParseError, statusHeader, WaitingRequest, WaitQueue, type PullParams } from "./consumer-pull.js";
import { RateLimiter } from "./consumer-rate.js";
import type { ConsumerState } from "./consumer-state.js";
import type { ConsumerMeta, ConsumerStore } from "./consumer-store.js";
import type { ConsumerHandle, StreamHandle } from "./contracts.js";
import { nuid } from "./ids.js";

const MAX_PER_PASS = 512;
/** How long a congested receiver is given before the next try. */
const CONGESTED_RETRY_MS = 2;
/** A push consumer without interest looks for it again this often. */
const INTEREST_POLL_MS = 100;
/** Flow control: bytes in flight allowed at most, and the window it starts with (nats-server's values). */
const FC_LIMIT = 32 * 1024 * 1024;
const NS_PER_MS = 1e6;
const EMPTY = Buffer.alloc(0);
const UNACKED_REMOVED = "Unacknowledged message was deleted";

/** Where a consumer runs: what StreamHandle does not carry. */
export interface ConsumerHost {
  readonly server: Server;
  readonly domain: string | undefined;
  /** Maximum message size for the rate limiter's burst (stream max_msg_size, else max_payload). */
  readonly maxMsgSize: number;
}

interface Skip {
  seqs: number[];
  i: number;
  resume: number;
}

interface FlowControl {
  max: number;
  bytes: number;
  /** Reply subject of the outstanding request, if any. */
  id: string | undefined;
  size: number;
}

export class Consumer implements ConsumerHandle {
  config: ConsumerConfig;
  private readonly server: Server;
  private readonly account: Account;
  readonly advisories: ConsumerAdvisories;
  private readonly ackPre: string;
  private readonly out = new Outgoing();
  private filters: string[] = [];
  private closed = false;

  /** Highest stream sequence known durable: nothing above it is delivered. */
  private durableSeq: number;
  /** Messages left to deliver for the filters (the last ack-subject token); npFloor: last seq counted. */
  private numPending = 0;
  private npFloor = 0;
  /**
   * Messages due for redelivery, in order. Removal is lazy (only from rdqSet, which is the truth):
   * entries no longer in the set are skipped when they reach the head.
   */
  private rdq: number[] = [];
  private rdqHead = 0;
  private readonly rdqSet = new Set<number>();
  private skip: Skip | undefined;
  private waiting: WaitQueue | undefined;
  private delivering = false;
  private again = false;
  private catchUpQueued = false;
  /** Counts passes; route() reuses a match only within one. */
  private passNo = 0;
  private routeSubject = "";
  private routeResult: SublistResult<Subscription> | undefined;
  private routePass = -1;

  // Activity, in ms since the epoch (ConsumerInfo last_active) and for inactivity cleanup.
  private lastDelivered = 0;
  private lastAcked = 0;
  private lastActivity = Date.now();
  private lastHeartbeat = 0;

  // Push.
  private active = false;
  private fc: FlowControl | undefined;
  private rate: RateLimiter | undefined;
  /** replay_policy original: pace by the messages' original spacing until caught up with `replayUntil`. */
  private replayUntil = 0;
  private replayLastTs = 0;
  private replayReady = 0;

  // Priority groups.
  private pinId = "";
  private pinnedTs = 0;
  private pinTimer: NodeJS.Timeout | undefined;

  private ackTimer: NodeJS.Timeout | undefined;
  private ackTimerDue = 0;
  private waitTimer: NodeJS.Timeout | undefined;
  private waitTimerDue = 0;
  private hbTimer: NodeJS.Timeout | undefined;
  private inactiveTimer: NodeJS.Timeout | undefined;
  private interestTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private pauseTimer: NodeJS.Timeout | undefined;
  private readonly subs: Subscription[] = [];
  private readonly unhooks: (() => void)[] = [];

  constructor(
    readonly stream: StreamHandle,
    readonly name: string,
    config: ConsumerConfig,
    /** ns since the epoch. */
    readonly created: number,
    private readonly store: ConsumerStore,
    private readonly host: ConsumerHost,
    readonly state: ConsumerState,
  ) {
    this.config = config;
    this.server = host.server;
    this.account = stream.account;
    this.advisories = new ConsumerAdvisories(host.server, stream.account, stream.name, name, host.domain);
    this.ackPre = ackPrefix(stream.name, name);
    this.out.server = host.server;
    this.state.ackNone = config.ack_policy === "none";
    this.durableSeq = stream.store.state().lastSeq;
    this.applyFilters();
  }

  get meta(): ConsumerMeta {
    return { name: this.name, created: this.created, config: this.config };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ---- lifecycle ---------------------------------------------------------------------------------

  /** Positions a new consumer by its deliver policy (nats-server's selectStartingSeqNo). */
  selectStart(): void {
    const st = this.stream.store.state();
    const cfg = this.config;
    let seq: number;
    switch (cfg.deliver_policy) {
      case "all":
        seq = st.firstSeq;
        break;
      case "last":
        seq = this.filters.length === 0 ? st.lastSeq : Math.max(0, ...this.filters.map((f) => this.stream.store.loadLastMsg(f)?.seq ?? 0));
        break;
      case "last_per_subject":
        seq = this.startLastPerSubject(st.firstSeq, st.lastSeq);
        break;
      case "by_start_time":
        seq = this.stream.store.seqForTime(rfc3339ToNanos(cfg.opt_start_time!));
        break;
      case "by_start_sequence":
        seq = cfg.opt_start_seq!;
        break;
      case "new":
        seq = st.lastSeq + 1;
        break;
    }
    const explicit = (cfg.opt_start_seq ?? 0) > 0;
    if (st.firstSeq === 0 && !explicit) seq = 1;
    else if (seq > st.lastSeq && !explicit) seq = st.lastSeq + 1;
    else if (seq < st.firstSeq) seq = st.firstSeq;
    this.state.reset(Math.max(1, seq));
  }

  private startLastPerSubject(firstSeq: number, lastSeq: number): number {
    const limits = this.stream.store.limits();
    if (limits.maxMsgsPerSubject === 1) return firstSeq;
    const seqs: number[] = [];
    for (const f of this.filters) for (const s of this.stream.store.subjectsState(f).values()) seqs.push(s.last);
    seqs.sort((a, b) => a - b);
    if (seqs.length === 0) return lastSeq + 1;
    this.skip = { seqs, i: 0, resume: lastSeq };
    return seqs[0]!;
  }

  /** Subscribes, hooks into the stream and starts timers; the consumer serves from now on. */
  start(): void {
    const s = this.stream;
    const acct = this.account;
    if (this.config.ack_policy !== "none") {
      const subj = `${this.ackPre}*.*.*.*.*`;
      this.subs.push(this.server.subscribeInternal(acct, subj, (subject, reply, payload, hdrLen) => this.onAck(subject, reply, payload, hdrLen)));
    }
    if (this.config.flow_control) {
      this.subs.push(this.server.subscribeInternal(acct, `$JS.FC.${s.name}.${this.name}.*`, (subject) => this.onFlowControlReply(subject)));
    }
    this.unhooks.push(s.onStored((m) => this.onStored(m)));
    this.unhooks.push(s.onRemoved((seq, subject, reason) => this.onRemoved(seq, subject, reason)));
    // replay_policy original paces what the stream held when the consumer (re)started.
    if (this.config.replay_policy === "original") this.replayUntil = s.store.state().lastSeq;
    this.applyConfig(undefined);
    this.recount();
    this.armAckTimer(this.state.pending.size > 0 ? Math.min(this.ackWaitMs(1), 1000) : 0);
    this.kick();
  }

  /** Puts the runtime in line with the config (at start and after an update); `prev` is the config before. */
  private applyConfig(prev: ConsumerConfig | undefined): void {
    const cfg = this.config;
    this.state.ackNone = cfg.ack_policy === "none";
    if (isPush(cfg)) {
      this.waiting = undefined;
      if (cfg.flow_control) this.fc ??= { max: FC_LIMIT / 16, bytes: 0, id: undefined, size: 0 };
      this.rate = (cfg.rate_limit_bps ?? 0) > 0 ? new RateLimiter(cfg.rate_limit_bps!, this.host.maxMsgSize, Date.now()) : undefined;
      this.checkInterest();
      if (this.hbTimer === undefined && (cfg.idle_heartbeat ?? 0) > 0) this.armHeartbeat(cfg.idle_heartbeat! / NS_PER_MS);
    } else if (this.waiting === undefined) {
      this.waiting = new WaitQueue(cfg.max_waiting ?? 512);
      this.waiting.last = Date.now();
    }
    if (prev === undefined || prev.inactive_threshold !== cfg.inactive_threshold) this.armInactive();
    if (prev === undefined || prev.pause_until !== cfg.pause_until) this.armPause();
  }

  private applyFilters(): void {
    this.filters = filtersOf(this.config);
  }

  /** The stream is going away or the server stops; `persist` keeps the state (server stop). */
  async stop(persist: boolean): Promise<void> {
    if (this.closed) return;
    if (!persist) {
      await this.delete(false);
      return;
    }
    this.shutdown();
    await this.store.stop();
  }

  /** Deletes the consumer: advisory, pull requests told, state removed, stream retention updated. */
  async delete(advisory = true): Promise<void> {
    if (this.closed) return;
    if (this.waiting !== undefined) {
      for (const wr of this.waiting) this.send(wr.reply, statusHeader(409, "Consumer Deleted"));
    }
    this.shutdown();
    if (advisory) this.advisories.deleted();
    await this.store.delete();
  }

  private shutdown(): void {
    this.closed = true;
    if (this.stream.consumers.get(this.name) === this) this.stream.consumers.delete(this.name);
    for (const sub of this.subs) this.server.unsubscribeInternal(this.account, sub);
    this.subs.length = 0;
    for (const u of this.unhooks) u();
    this.unhooks.length = 0;
    for (const t of [this.ackTimer, this.waitTimer, this.inactiveTimer, this.retryTimer, this.pauseTimer, this.pinTimer, this.hbTimer]) {
      if (t !== undefined) clearTimeout(t);
    }
    if (this.interestTimer !== undefined) clearInterval(this.interestTimer);
    this.ackTimer = this.waitTimer = this.inactiveTimer = this.interestTimer = this.retryTimer = this.pauseTimer = this.pinTimer = this.hbTimer = undefined;
    this.waiting = undefined;
  }

  /**
   * After a restart: forget what the stream no longer holds, and under workqueue retention remove what
   * was acknowledged but whose removal did not reach the disk before the crash.
   */
  reconcileWithStream(): void {
    const store = this.stream.store;
    const st = store.state();
    const s = this.state;
    if (s.sseq > st.lastSeq + 1) {
      this.server.logger.warn(`JetStream consumer '${this.account.name} > ${this.stream.name} > ${this.name}' delivered sequence ${s.sseq - 1} past last stream sequence of ${st.lastSeq}`);
      for (const seq of [...s.pending.map.keys()]) if (seq > st.lastSeq) s.forget(seq);
      s.setNext(st.lastSeq + 1);
    }
    for (const seq of [...s.pending.map.keys()]) if (store.loadMsg(seq) === undefined) s.forget(seq);
    for (const seq of [...s.redelivered.keys()]) if (store.loadMsg(seq) === undefined) s.forget(seq);
    if (this.stream.config.retention !== "workqueue") return;
    for (let seq = this.nextMatching(Math.max(1, st.firstSeq)); seq > 0 && seq < s.sseq; seq = this.nextMatching(seq + 1)) {
      const acked = this.config.ack_policy === "explicit" ? !s.pending.has(seq) && !s.redelivered.has(seq) : seq <= s.ackFloorStream;
      if (acked) this.stream.consumerDone(this, seq);
    }
  }

  // ---- config updates ----------------------------------------------------------------------------

  /** Applies an accepted config update (the caller checked it with updateRefusal). */
  async update(next: ConsumerConfig): Promise<void> {
    const prev = this.config;
    this.config = next;
    await this.store.saveMeta(this.meta);
    const filtersChanged = filtersOf(prev).join("\u0000") !== filtersOf(next).join("\u0000");
    if (filtersChanged) {
      this.applyFilters();
      this.recount();
    }
    if (prev.deliver_subject !== next.deliver_subject) {
      // Everything pending goes again, to the new subject.
      this.expireAllPending();
      if (this.fc !== undefined) this.fc = { max: FC_LIMIT / 16, bytes: 0, id: undefined, size: 0 };
    }
    if (prev.ack_wait !== next.ack_wait || String(prev.backoff) !== String(next.backoff)) this.armAckTimer(100);
    this.applyConfig(prev);
    if (prev.pause_until !== next.pause_until) this.advisories.paused(this.isPaused(), next.pause_until);
    this.kick();
  }

  /** Sets or clears pause_until (CONSUMER.PAUSE). */
  async pause(until: string | undefined): Promise<void> {
    const next = { ...this.config };
    if (until === undefined) delete next.pause_until;
    else next.pause_until = until;
    await this.update(next);
  }

  // ---- interest retention (ConsumerHandle) -------------------------------------------------------

  needs(seq: number, subject: string): boolean {
    if (this.closed) return false;
    if (!this.matches(subject)) return false;
    const s = this.state;
    let need: boolean;
    if (this.config.ack_policy === "explicit") need = seq > s.ackFloorStream && (seq >= s.sseq || s.pending.has(seq));
    else need = seq > s.ackFloorStream;
    return need || s.redelivered.has(seq);
  }

  private matches(subject: string): boolean {
    const f = this.filters;
    if (f.length === 0) return true;
    for (let i = 0; i < f.length; i++) if (subjectMatches(f[i]!, subject)) return true;
    return false;
  }

  private done(seq: number): void {
    if (this.stream.config.retention !== "limits") this.stream.consumerDone(this, seq);
  }

  // ---- stream events -----------------------------------------------------------------------------

  private onStored(m: StoredMsg): void {
    if (m.seq > this.durableSeq) this.durableSeq = m.seq;
    if (this.closed) return;
    if (m.seq > this.npFloor && this.matches(m.subject)) this.numPending++;
    if (m.seq >= this.state.sseq) this.kick();
  }

  private onRemoved(seq: number, subject: string, reason: string): void {
    if (this.closed) return;
    const s = this.state;
    if (seq >= s.sseq && !this.catchUpQueued) {
      this.catchUpQueued = true;
      queueMicrotask(() => this.catchUpFirst());
    }
    if (seq >= s.sseq && this.numPending > 0 && this.matches(subject) && this.countedInSkip(seq)) this.numPending--;
    if (this.rdqSet.has(seq)) this.removeFromRdq(seq);
    const wasPending = s.pending.get(seq);
    const dc = s.deliveryCount(seq);
    if (s.forget(seq) === undefined) return;
    if (wasPending !== undefined && reason !== "purge") {
      // nats-server terminates an unacknowledged message that the stream dropped; told after the
      // store's remove callback has returned (an advisory may be stored by another stream).
      queueMicrotask(() => this.advisories.terminated(seq, wasPending.cseq, dc, UNACKED_REMOVED));
    }
    if (wasPending !== undefined) queueMicrotask(() => this.kick());
  }

  /**
   * After removals (purge, limits): when nothing is left before the stream's first sequence, the
   * consumer moves up to it, as nats-server does on a purge, so delivered and the ack floor follow.
   */
  private catchUpFirst(): void {
    this.catchUpQueued = false;
    if (this.closed || this.skip !== undefined) return;
    const first = this.stream.store.state().firstSeq;
    if (first > this.state.sseq) this.state.setNext(first);
  }

  /** During a last-per-subject start only the listed sequences and those after it count as pending. */
  private countedInSkip(seq: number): boolean {
    const sk = this.skip;
    return sk === undefined || seq > sk.resume || sk.seqs.indexOf(seq, sk.i) >= 0;
  }

  // ---- acknowledgements --------------------------------------------------------------------------

  private onAck(subject: string, reply: string | undefined, payload: Buffer, hdrLen: number): void {
    if (this.closed) return;
    const info = parseAckAfter(subject, this.ackPre.length);
    const body = hdrLen > 0 ? payload.subarray(hdrLen) : payload;
    const a = classifyAck(body);
    const now = Date.now();
    this.lastActivity = now;
    if (info !== undefined) {
      switch (a.kind) {
        case "ack":
          this.processAck(info);
          break;
        case "next":
          this.processAck(info);
          if (reply !== undefined) this.processNextRequest(reply, Buffer.from(a.arg));
          return;
        case "nak":
          this.processNak(info, a.arg);
          break;
        case "progress":
          this.state.touch(info.sseq, now);
          break;
        case "term":
          this.processAck(info);
          this.advisories.terminated(info.sseq, info.cseq, info.dc, a.arg.toString("utf8").trim());
          break;
        case "unknown":
          break;
      }
    }
    if (reply !== undefined && reply !== "") this.ackReply(reply);
  }

  /** The empty answer to an ack sent as a request: once the ack is as durable as the messages. */
  private ackReply(reply: string): void {
    this.store.sync().then(
      () => this.server.publishInternal(this.account, reply, undefined, EMPTY),
      () => undefined,
    );
  }

  private atMaxAckPending(): boolean {
    const m = this.config.max_ack_pending ?? 0;
    return m > 0 && this.state.pending.size >= m;
  }

  private processAck(info: AckInfo): void {
    const s = this.state;
    const sseq = info.sseq;
    if (sseq >= s.sseq) return; // never delivered: ignore, as nats-server does
    const wasFull = this.atMaxAckPending();
    if (this.config.ack_policy === "explicit") {
      if (!s.pending.has(sseq) && !s.redelivered.has(sseq)) return;
      const p = s.ack(sseq);
      if (p !== undefined && this.config.sample_freq !== undefined) this.sample(sseq, p.cseq, info.dc, p.ts);
      if (this.rdqSet.has(sseq)) this.removeFromRdq(sseq);
      this.lastAcked = Date.now();
      this.done(sseq);
    } else if (this.config.ack_policy === "all") {
      const acked = s.ackAll(sseq, info.cseq);
      if (acked === undefined) return;
      for (const x of acked) if (this.rdqSet.has(x)) this.removeFromRdq(x);
      this.lastAcked = Date.now();
      for (const x of acked) if (x !== sseq) this.done(x);
      this.done(sseq);
    } else {
      return;
    }
    if (wasFull) this.kick();
  }

  private sample(sseq: number, cseq: number, dc: number, ts: number): void {
    const text = this.config.sample_freq!;
    const freq = Number(text.endsWith("%") ? text.slice(0, -1) : text);
    if (freq <= 0) return;
    if (freq < 100 && Math.random() * 100 > freq) return;
    this.advisories.ackMetric(sseq, cseq, dc, Math.max(0, (Date.now() - ts) * NS_PER_MS));
  }

  private processNak(info: AckInfo, arg: Buffer): void {
    const s = this.state;
    const sseq = info.sseq;
    if (info.cseq <= s.ackFloorConsumer || info.cseq >= s.dseq) return;
    if (!s.pending.has(sseq)) return;
    this.advisories.nak(sseq, info.cseq, info.dc);
    const delay = nakDelay(arg);
    if (delay !== undefined) {
      if (this.rdqSet.has(sseq)) this.removeFromRdq(sseq);
      // The ack wait is made to end `delay` from now.
      s.touch(sseq, Date.now() - this.ackWaitMs(1) + delay / NS_PER_MS);
      this.armAckTimer(Math.max(1, delay / NS_PER_MS));
      return;
    }
    this.redeliver([sseq]);
  }

  /** Queues messages for redelivery, or ends them when they had all their deliveries. */
  private redeliver(seqs: number[]): void {
    const max = this.config.max_deliver ?? -1;
    let added = false;
    for (const seq of seqs) {
      if (this.rdqSet.has(seq)) continue;
      const dc = this.state.deliveryCount(seq);
      if (max > 0 && dc >= max) {
        this.maxDeliveriesReached(seq, dc);
        continue;
      }
      this.rdq.push(seq);
      this.rdqSet.add(seq);
      added = true;
    }
    if (added) this.kick();
  }

  private maxDeliveriesReached(seq: number, dc: number): void {
    const wasFull = this.atMaxAckPending();
    this.state.maxDelivered(seq, dc);
    this.advisories.maxDeliveries(seq, dc);
    if (wasFull) this.kick();
  }

  private removeFromRdq(seq: number): void {
    this.rdqSet.delete(seq);
  }

  /** Drops the head of the redelivery queue (delivered, or no longer due). */
  private popRdq(): void {
    const seq = this.rdq[this.rdqHead++]!;
    this.rdqSet.delete(seq);
    if (this.rdqHead === this.rdq.length) {
      this.rdq = [];
      this.rdqHead = 0;
    } else if (this.rdqHead > 1024 && this.rdqHead > this.rdq.length / 2) {
      this.rdq = this.rdq.slice(this.rdqHead);
      this.rdqHead = 0;
    }
  }

  /** Every pending message is due again (deliver subject changed). */
  private expireAllPending(): void {
    const seqs = [...this.state.pending.map.keys()].sort((a, b) => a - b);
    this.redeliver(seqs);
  }

  // ---- redelivery timer ---------------------------------------------------------------------------

  /** The ack wait of a message's `dc`-th delivery in ms (backoff step, else ack_wait). */
  private ackWaitMs(dc: number): number {
    const bo = this.config.backoff;
    if (bo !== undefined && bo.length > 0) return bo[Math.min(dc - 1, bo.length - 1)]! / NS_PER_MS;
    return (this.config.ack_wait ?? 0) / NS_PER_MS;
  }

  /** Makes the ack timer fire within `delay` ms (0 = leave it). */
  private armAckTimer(delay: number): void {
    if (this.closed || delay <= 0) return;
    const due = Date.now() + delay;
    if (this.ackTimer !== undefined && this.ackTimerDue <= due) return;
    if (this.ackTimer !== undefined) clearTimeout(this.ackTimer);
    this.ackTimerDue = due;
    this.ackTimer = setTimeout(() => this.checkPending(), delay + 1);
    this.ackTimer.unref();
  }

  /** Finds pending messages whose ack wait ended; queues them for redelivery. */
  private checkPending(): void {
    this.ackTimer = undefined;
    this.ackTimerDue = 0;
    if (this.closed || this.config.ack_policy === "none") return;
    const s = this.state;
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    const expired: number[] = [];
    for (const [seq, p] of s.pending.map) {
      const dc = s.deliveryCount(seq);
      const wait = this.ackWaitMs(dc);
      const elapsed = now - p.ts;
      if (elapsed >= wait) {
        if (!this.rdqSet.has(seq)) expired.push(seq);
      } else if (wait - elapsed < next) {
        next = wait - elapsed;
      }
    }
    if (expired.length > 0) {
      expired.sort((a, b) => a - b);
      this.redeliver(expired);
    }
    if (s.pending.size > 0) this.armAckTimer(Number.isFinite(next) ? next : this.ackWaitMs(1));
  }

  // ---- pull requests -----------------------------------------------------------------------------

  /** A MSG.NEXT request (or the request part of a +NXT ack). */
  processNextRequest(reply: string, body: Buffer): void {
    if (this.closed) return;
    const cfg = this.config;
    const wq = this.waiting;
    if (wq === undefined) {
      this.send(reply, statusHeader(409, "Consumer is push based"));
      return;
    }
    let p: PullParams;
    try {
      p = parsePullRequest(body);
    } catch (e) {
      const why = e instanceof PullParseError ? e.message : String(e);
      this.send(reply, statusHeader(400, `Bad Request - ${why}`));
      return;
    }
    if (p.batch <= 0) p.batch = 1;
    const now = Date.now();
    this.lastActivity = now;
    if ((cfg.max_batch ?? 0) > 0 && p.batch > cfg.max_batch!) {
      this.send(reply, statusHeader(409, `Exceeded MaxRequestBatch of ${cfg.max_batch}`));
      return;
    }
    if (p.expiresMs > 0 && (cfg.max_expires ?? 0) > 0 && p.expiresMs > cfg.max_expires! / NS_PER_MS) {
      this.send(reply, statusHeader(409, `Exceeded MaxRequestExpires of ${formatNs(cfg.max_expires!)}`));
      return;
    }
    if (p.maxBytes > 0 && (cfg.max_bytes ?? 0) > 0 && p.maxBytes > cfg.max_bytes!) {
      this.send(reply, statusHeader(409, `Exceeded MaxRequestMaxBytes of ${cfg.max_bytes}`));
      return;
    }
    const g = p.group;
    const policy = cfg.priority_policy ?? "none";
    if (g !== undefined) {
      if ((g.minPending !== 0 || g.minAckPending !== 0) && policy !== "overflow") {
        this.send(reply, statusHeader(400, "Bad Request - Not a Overflow Priority consumer"));
        return;
      }
      if (g.id !== "" && policy !== "pinned_client") {
        this.send(reply, statusHeader(400, "Bad Request - Not a Pinned Client Priority consumer"));
        return;
      }
      if (g.priority < 0 || g.priority > 9) {
        this.send(reply, statusHeader(400, "Bad Request - Priority must be between 0 and 9"));
        return;
      }
    }
    if (policy !== "none") {
      if (g === undefined || g.group === "") {
        this.send(reply, statusHeader(400, "Bad Request - Priority Group missing"));
        return;
      }
      if (!(cfg.priority_groups ?? []).includes(g.group)) {
        this.send(reply, statusHeader(400, "Bad Request - Invalid Priority Group"));
        return;
      }
      if (this.pinId !== "") {
        if (g.id === this.pinId) this.armPinTimer(g.group);
        else if (g.id !== "") {
          this.send(reply, statusHeader(423, "Nats-Pin-Id mismatch"));
          return;
        }
      }
    }
    if (wq.full) this.processWaiting(false);
    if (p.noWait) {
      const available = this.numPending + this.rdqSet.size;
      if (available === 0 && p.expiresMs === 0) {
        wq.last = now;
        this.send(reply, statusHeader(404, "No Messages"));
        return;
      }
      if (available > 0) {
        let asked = 0;
        for (const wr of wq) asked += wr.n;
        if (available < asked) {
          wq.last = now;
          this.send(reply, statusHeader(408, "Requests Pending"));
          return;
        }
      }
    }
    const expires = p.expiresMs > 0 ? now + p.expiresMs : 0;
    const wr = new WaitingRequest(reply, p, now, expires, p.noWait, p.heartbeatMs, g);
    if (!wq.add(wr, policy === "prioritized")) {
      if (p.heartbeatMs === 0) this.send(reply, statusHeader(409, "Exceeded MaxWaiting"));
      return;
    }
    this.kick();
    if (!this.closed && this.waiting !== undefined && wr.n > 0) this.armWaitTimer();
  }

  /** Expires requests, drops those nobody listens to any more, sends heartbeats; `eos`: nothing left to deliver. */
  private processWaiting(eos: boolean): void {
    const wq = this.waiting;
    if (wq === undefined) return;
    const now = Date.now();
    let prev: WaitingRequest | undefined;
    for (let wr = wq.head; wr !== undefined; ) {
      const next = wr.next;
      const expired = wr.expires > 0 && now >= wr.expires;
      if ((eos && wr.noWait) || expired) {
        if (expired) {
          this.send(wr.reply, statusHeader(408, "Request Timeout", { msgs: wr.n, bytes: wr.b }));
          wq.remove(prev, wr);
          wr = next;
          continue;
        }
        if (wr.expires === 0 || wr.d > 0) {
          this.send(wr.reply, statusHeader(404, "No Messages"));
          wq.remove(prev, wr);
          wr = next;
          continue;
        }
      }
      if (!this.hasInterest(wr.reply)) {
        wq.remove(prev, wr);
        wr = next;
        continue;
      }
      if (wr.hbDue > 0 && now >= wr.hbDue) {
        this.sendHeartbeat(wr.reply);
        wr.hbDue = now + wr.hb;
      }
      prev = wr;
      wr = next;
    }
  }

  /** Arms one timer for the earliest request expiry or heartbeat. */
  private armWaitTimer(): void {
    const wq = this.waiting;
    if (wq === undefined || this.closed) return;
    let due = Number.POSITIVE_INFINITY;
    for (const wr of wq) {
      if (wr.expires > 0 && wr.expires < due) due = wr.expires;
      if (wr.hbDue > 0 && wr.hbDue < due) due = wr.hbDue;
    }
    if (!Number.isFinite(due)) return;
    if (this.waitTimer !== undefined && this.waitTimerDue <= due) return;
    if (this.waitTimer !== undefined) clearTimeout(this.waitTimer);
    this.waitTimerDue = due;
    this.waitTimer = setTimeout(
      () => {
        this.waitTimer = undefined;
        this.waitTimerDue = 0;
        this.processWaiting(false);
        this.armWaitTimer();
      },
      Math.max(1, due - Date.now()),
    );
    this.waitTimer.unref();
  }

  /**
   * The request the next message (of `size` bytes) goes to, enforcing pins, overflow thresholds and
   * max_bytes on the way; undefined when no request can take it.
   */
  private nextWaiting(size: number): WaitingRequest | undefined {
    const wq = this.waiting!;
    const policy = this.config.priority_policy ?? "none";
    const now = Date.now();
    let prev: WaitingRequest | undefined;
    for (let wr = wq.head; wr !== undefined; ) {
      const next = wr.next;
      if (wr.expires > 0 && now >= wr.expires) {
        this.send(wr.reply, statusHeader(408, "Request Timeout", { msgs: wr.n, bytes: wr.b }));
        wq.remove(prev, wr);
        wr = next;
        continue;
      }
      let assignedPin = false;
      if (policy === "pinned_client") {
        const id = wr.group?.id ?? "";
        if (this.pinId === "") {
          if (id !== "") {
            this.send(wr.reply, statusHeader(423, "Nats-Wrong-Pin-Id", { msgs: wr.n, bytes: wr.b }));
            wq.remove(prev, wr);
            wr = next;
            continue;
          }
          this.assignPin(wr);
          assignedPin = true;
        } else if (id !== this.pinId) {
          if (id !== "") {
            this.send(wr.reply, statusHeader(423, "Nats-Wrong-Pin-Id", { msgs: wr.n, bytes: wr.b }));
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
        if ((g.minPending > 0 || g.minAckPending > 0) && !((g.minPending > 0 && g.minPending <= this.numPending) || (g.minAckPending > 0 && g.minAckPending <= this.state.pending.size))) {
          prev = wr;
          wr = next;
          continue;
        }
      }
      if (!this.hasInterest(wr.reply)) {
        if (assignedPin) this.clearPin();
        wq.remove(prev, wr);
        wr = next;
        continue;
      }
      if (wr.b > 0) {
        if (size > wr.b) {
          this.send(wr.reply, statusHeader(409, "Message Size Exceeds MaxBytes", { msgs: wr.n, bytes: wr.b }));
          if (assignedPin) this.clearPin();
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
  private popWaiting(wr: WaitingRequest, size: number): void {
    const wq = this.waiting!;
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
      wq.rotate(this.config.priority_policy === "prioritized");
    }
  }

  // ---- pinned priority group ---------------------------------------------------------------------

  private assignPin(wr: WaitingRequest): void {
    const g = wr.group;
    if (g === undefined || g.group === "") return;
    this.pinId = nuid();
    this.pinnedTs = nowNanos();
    g.id = this.pinId;
    this.armPinTimer(g.group);
    this.advisories.pinned(g.group, this.pinId);
  }

  private armPinTimer(group: string): void {
    if (this.pinTimer !== undefined) clearTimeout(this.pinTimer);
    const ttl = (this.config.priority_timeout ?? 0) / NS_PER_MS;
    if (ttl <= 0) return;
    this.pinTimer = setTimeout(() => {
      this.pinTimer = undefined;
      if (this.pinId === "") return;
      this.clearPin();
      this.advisories.unpinned(group, "timeout");
      this.kick();
    }, ttl);
    this.pinTimer.unref();
  }

  private clearPin(): void {
    this.pinId = "";
    this.pinnedTs = 0;
    if (this.pinTimer !== undefined) clearTimeout(this.pinTimer);
    this.pinTimer = undefined;
  }

  /** CONSUMER.UNPIN: the next request picks a new pinned client. */
  unpin(group: string): void {
    this.clearPin();
    this.advisories.unpinned(group, "admin");
    this.kick();
  }

  // ---- delivery ----------------------------------------------------------------------------------

  /** Runs a delivery pass now, or right after the one running. */
  kick(): void {
    if (this.closed) return;
    if (this.delivering) {
      this.again = true;
      return;
    }
    this.delivering = true;
    try {
      do {
        this.again = false;
        this.pass();
      } while (this.again && !this.closed);
    } finally {
      this.delivering = false;
    }
  }

  private isPaused(): boolean {
    const p = this.config.pause_until;
    return p !== undefined && rfc3339ToNanos(p) > nowNanos();
  }

  private pass(): void {
    this.passNo++;
    if (this.retryTimer !== undefined || this.isPaused()) return;
    const push = this.waiting === undefined;
    const deliverTo = this.config.deliver_subject;
    const pinned = this.config.priority_policy === "pinned_client";
    let eos = false;
    let sent = 0;
    for (; sent < MAX_PER_PASS; sent++) {
      if (this.closed) return;
      if (push) {
        if (!this.active || (this.fc !== undefined && this.fc.bytes > this.fc.max)) break;
        const t = this.pushTarget(deliverTo!);
        if (t === "none") {
          this.setActive(false);
          break;
        }
        if (t === "congested") {
          this.retryIn(CONGESTED_RETRY_MS);
          break;
        }
      } else if (this.waiting!.size === 0) {
        break;
      }
      // Redeliveries first: they are pending already, so max_ack_pending does not hold them back.
      let m: StoredMsg | undefined;
      let dc = 1;
      while (this.rdqHead < this.rdq.length) {
        const seq = this.rdq[this.rdqHead]!;
        m = this.rdqSet.has(seq) && this.state.pending.has(seq) ? this.stream.store.loadMsg(seq) : undefined;
        if (m !== undefined) {
          dc = this.state.deliveryCount(seq) + 1;
          break;
        }
        this.popRdq();
      }
      if (m === undefined) {
        if (this.atMaxAckPending()) break;
        m = this.peekNew();
        if (m === undefined) {
          eos = true;
          break;
        }
      }
      const pendingAfter = dc === 1 ? Math.max(0, this.numPending - 1) : this.numPending;
      const reply = ackSubject(this.ackPre, dc, m.seq, this.state.dseq, m.time, pendingAfter);
      let hdr = m.hdr;
      let data = m.data;
      if (this.config.headers_only) {
        hdr = addHeader(hdr, "Nats-Msg-Size", String(data.length));
        data = EMPTY;
      }
      let size = m.subject.length + reply.length + (hdr?.length ?? 0) + data.length;
      let target = deliverTo!;
      let wr: WaitingRequest | undefined;
      if (!push) {
        wr = this.nextWaiting(size);
        if (wr === undefined) break;
        target = wr.reply;
      }
      if (this.rate !== undefined) {
        const wait = this.rate.take(size, Date.now());
        if (wait > 0) {
          this.retryIn(wait);
          break;
        }
      }
      if (this.replayUntil > 0 && !this.paceReplay(m)) break;
      // Committed from here on: the message goes out now.
      if (dc > 1) {
        this.popRdq();
      } else {
        if (this.skip !== undefined) this.skip.i++;
        this.numPending = pendingAfter;
      }
      this.state.deliver(m.seq, dc, Date.now());
      if (this.skip !== undefined && this.skip.i >= this.skip.seqs.length) this.endSkip();
      if (wr !== undefined) this.popWaiting(wr, size);
      if (pinned && this.pinId !== "") {
        hdr = addHeader(hdr, "Nats-Pin-Id", this.pinId);
        size = m.subject.length + reply.length + hdr.length + data.length;
      }
      this.transmit(target, m.subject, reply, hdr, data);
      this.lastDelivered = Date.now();
      if (this.config.ack_policy !== "none") this.armAckTimer(this.ackWaitMs(dc));
      else this.done(m.seq);
      if (this.fc !== undefined) this.afterFlowControlled(size);
      if (wr !== undefined && wr.n <= 0 && wr.b > 0) {
        this.send(wr.reply, `NATS/1.0 409 Batch Completed\r\nNats-Pending-Messages: 0\r\nNats-Pending-Bytes: ${wr.b}\r\n\r\n`);
      }
    }
    if (sent >= MAX_PER_PASS) {
      this.retryIn(0);
      return;
    }
    // At the end of the stream the running count must be 0; if it drifted (a message removed before it
    // was announced), the store has the truth.
    if (eos && this.numPending !== 0 && this.durableSeq >= this.stream.store.state().lastSeq) this.recount();
    if (!push) {
      if (eos) this.processWaiting(true);
      if (this.waiting !== undefined && this.waiting.size > 0) this.armWaitTimer();
    }
  }

  /** The next first delivery, without consuming it (the pass commits it once it has a receiver). */
  private peekNew(): StoredMsg | undefined {
    const store = this.stream.store;
    const sk = this.skip;
    if (sk !== undefined) {
      while (sk.i < sk.seqs.length) {
        const m = store.loadMsg(sk.seqs[sk.i]!);
        if (m !== undefined) return m;
        sk.i++;
      }
      this.endSkip();
    }
    const seq = this.nextMatching(this.state.sseq);
    if (seq === 0 || seq > this.durableSeq) return undefined;
    return store.loadMsg(seq);
  }

  private endSkip(): void {
    const sk = this.skip;
    if (sk === undefined) return;
    this.skip = undefined;
    if (this.state.sseq <= sk.resume) this.state.setNext(sk.resume + 1);
  }

  /** First stream sequence at or after `from` that matches the filters, 0 when none. */
  private nextMatching(from: number): number {
    const store = this.stream.store;
    const f = this.filters;
    if (f.length === 0) return store.nextSeq("", from);
    if (f.length === 1) return store.nextSeq(f[0]!, from);
    let best = 0;
    for (const x of f) {
      const s = store.nextSeq(x, from);
      if (s > 0 && (best === 0 || s < best)) best = s;
    }
    return best;
  }

  /** replay_policy original: true when `m` may go now, else a timer resumes at its original spacing. */
  private paceReplay(m: StoredMsg): boolean {
    if (m.seq > this.replayUntil) {
      this.replayUntil = 0;
      return true;
    }
    if (this.replayReady === m.seq || this.replayLastTs === 0) {
      this.replayLastTs = m.time;
      return true;
    }
    const delayMs = (m.time - this.replayLastTs) / NS_PER_MS;
    if (delayMs <= 1) {
      this.replayLastTs = m.time;
      return true;
    }
    this.replayReady = m.seq;
    this.retryIn(delayMs);
    return false;
  }

  /** Sends one message: original subject, routed by `to`. */
  private transmit(to: string, subject: string, reply: string, hdr: Buffer | undefined, data: Buffer): void {
    const r = this.route(to);
    let n: number;
    if (hdr === undefined || hdr.length === 0) n = deliver(r, this.out.set(subject, reply, data, -1), undefined);
    else n = deliver(r, this.out.set(subject, reply, joinPayload(hdr, data), hdr.length), undefined);
    if (n === 0 && this.waiting === undefined) this.setActive(false);
  }

  /** A status or control message (no body) to `to`. */
  private send(to: string, header: string, reply?: string): void {
    this.server.publishInternal(this.account, to, reply, EMPTY, header);
  }

  private hasInterest(subject: string): boolean {
    const r = this.route(subject);
    return r.plain.length + r.queues.length > 0;
  }

  /**
   * The subscriptions of `subject`. Within one pass the answer for the last subject is reused: a pass
   * sends a whole batch to one inbox, and nothing it does changes subscriptions.
   */
  private route(subject: string): SublistResult<Subscription> {
    if (this.delivering && this.routeSubject === subject && this.routePass === this.passNo) return this.routeResult!;
    const r = this.account.sublist.match(subject);
    this.routeSubject = subject;
    this.routeResult = r;
    this.routePass = this.passNo;
    return r;
  }

  /**
   * Whether the deliver subject has a receiver, and whether one is congested: its outbound backlog
   * passed a quarter of max_pending (for a queue group: every member's).
   */
  private pushTarget(subject: string): "none" | "congested" | "ok" {
    const r = this.account.sublist.match(subject);
    if (r.plain.length + r.queues.length === 0) return "none";
    const limit = this.server.opts.maxPending / 4;
    for (const sub of r.plain) if (sub.client !== null && sub.client.pending > limit) return "congested";
    for (const g of r.queues) {
      let all = g.length > 0;
      for (const sub of g) if (sub.client === null || sub.client.pending <= limit) all = false;
      if (all) return "congested";
    }
    return "ok";
  }

  private retryIn(ms: number): void {
    if (this.retryTimer !== undefined || this.closed) return;
    const t = setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, ms);
    this.retryTimer = t;
  }

  // ---- push: interest, heartbeats, flow control ---------------------------------------------------

  private checkInterest(): void {
    const subj = this.config.deliver_subject;
    if (subj === undefined || this.closed) return;
    this.setActive(this.hasInterest(subj));
  }

  private setActive(active: boolean): void {
    const was = this.active;
    this.active = active;
    if (active !== was) {
      this.armInactive();
      if (active) {
        // A new subscriber never saw an outstanding flow control request: start the window afresh.
        if (this.fc !== undefined) this.fc = { max: FC_LIMIT / 16, bytes: 0, id: undefined, size: 0 };
        queueMicrotask(() => this.kick());
      }
    }
    // nats-server is told of interest changes; here the deliver subject's match result is looked at
    // again on a short timer (a cached lookup, so cheap) while the consumer is a push consumer.
    if (this.interestTimer === undefined && !this.closed && this.waiting === undefined) {
      this.interestTimer = setInterval(() => this.checkInterest(), INTEREST_POLL_MS);
      this.interestTimer.unref();
    }
  }

  /** Idle heartbeats go out `every` ms after the last delivery or heartbeat, while there is interest. */
  private armHeartbeat(every: number): void {
    const idle = Date.now() - Math.max(this.lastDelivered, this.lastHeartbeat);
    this.hbTimer = setTimeout(() => {
      this.hbTimer = undefined;
      if (this.closed) return;
      if (Date.now() - Math.max(this.lastDelivered, this.lastHeartbeat) >= every && this.active) {
        if (this.hasInterest(this.config.deliver_subject!)) {
          this.lastHeartbeat = Date.now();
          this.sendHeartbeat(this.config.deliver_subject!);
        } else {
          this.setActive(false);
        }
      }
      this.armHeartbeat(every);
    }, Math.max(1, every - Math.max(0, idle)));
    this.hbTimer.unref();
  }

  private sendHeartbeat(to: string): void {
    this.send(to, idleHeartbeat(this.state.dseq - 1, this.state.sseq - 1, this.fc?.id));
  }

  private afterFlowControlled(size: number): void {
    const fc = this.fc!;
    fc.bytes += size;
    if (fc.id === undefined && fc.bytes > fc.max / 2) {
      fc.id = `$JS.FC.${this.stream.name}.${this.name}.${randomToken()}`;
      fc.size = fc.bytes;
      this.send(this.config.deliver_subject!, FLOW_CONTROL_REQUEST, fc.id);
    } else if (fc.id !== undefined && fc.bytes - fc.size >= fc.max) {
      fc.size += size;
    }
  }

  private onFlowControlReply(subject: string): void {
    const fc = this.fc;
    if (fc === undefined || subject !== fc.id) return;
    if (fc.max < FC_LIMIT) fc.max = Math.min(fc.max * 2, FC_LIMIT);
    fc.bytes = Math.max(0, fc.bytes - fc.size);
    fc.id = undefined;
    fc.size = 0;
    this.kick();
  }

  // ---- pause and inactivity -----------------------------------------------------------------------

  private armPause(): void {
    if (this.pauseTimer !== undefined) clearTimeout(this.pauseTimer);
    this.pauseTimer = undefined;
    const p = this.config.pause_until;
    if (p === undefined) return;
    const ms = (rfc3339ToNanos(p) - nowNanos()) / NS_PER_MS;
    if (ms <= 0) return;
    this.pauseTimer = setTimeout(() => {
      this.pauseTimer = undefined;
      this.advisories.paused(false, this.config.pause_until);
      this.kick();
    }, Math.min(ms + 1, 2 ** 31 - 1));
    this.pauseTimer.unref();
  }

  /** Ephemerals (and durables with inactive_threshold) are deleted after that long without activity. */
  private armInactive(): void {
    if (this.inactiveTimer !== undefined) clearTimeout(this.inactiveTimer);
    this.inactiveTimer = undefined;
    const thresh = (this.config.inactive_threshold ?? 0) / NS_PER_MS;
    if (thresh <= 0 || this.closed) return;
    if (this.waiting === undefined && this.active) return;
    this.inactiveTimer = setTimeout(() => this.checkInactive(thresh), thresh);
    this.inactiveTimer.unref();
  }

  private checkInactive(thresh: number): void {
    this.inactiveTimer = undefined;
    if (this.closed) return;
    const rearm = (ms: number): void => {
      this.inactiveTimer = setTimeout(() => this.checkInactive(thresh), Math.max(1, ms));
      this.inactiveTimer.unref();
    };
    if (this.waiting === undefined) {
      this.checkInterest();
      if (this.active) return;
    } else {
      const last = Math.max(this.lastActivity, this.waiting.last, this.lastDelivered, this.lastAcked);
      const idle = Date.now() - last;
      if (idle < thresh) return rearm(thresh - idle);
      this.processWaiting(false);
      if (this.waiting.size > 0) return rearm(thresh);
      // A client may still be working on what it received: wait for the last ack deadline too.
      let latest = 0;
      const now = Date.now();
      for (const [seq, p] of this.state.pending.map) {
        const due = p.ts + this.ackWaitMs(this.state.deliveryCount(seq)) + thresh;
        if (due > latest) latest = due;
      }
      if (latest > now) return rearm(latest - now);
    }
    void this.delete().catch((e) => this.server.logger.error(`JetStream consumer ${this.stream.name} > ${this.name}: ${String(e)}`));
  }

  // ---- pending count and info ---------------------------------------------------------------------

  /** Recomputes num_pending from the store (the running count is kept in step with it). */
  recount(): number {
    const store = this.stream.store;
    const st = store.state();
    const f = this.filters.length === 0 ? [""] : this.filters;
    let n = 0;
    const sk = this.skip;
    if (sk !== undefined) {
      n += sk.seqs.length - sk.i;
      for (const x of f) n += store.numPending(sk.resume + 1, x, false);
    } else {
      for (const x of f) n += store.numPending(this.state.sseq, x, false);
    }
    this.numPending = n;
    this.npFloor = st.lastSeq;
    return n;
  }

  /** ConsumerInfo as nats-server reports it. */
  info(): Record<string, unknown> {
    const s = this.state;
    const cfg = this.config;
    if (this.waiting !== undefined) this.processWaiting(false);
    const delivered: Record<string, unknown> = { consumer_seq: s.dseq - 1, stream_seq: s.sseq - 1 };
    if (this.lastDelivered > 0) delivered.last_active = nanosToRfc3339(this.lastDelivered * NS_PER_MS);
    const ackFloor: Record<string, unknown> = { consumer_seq: s.ackFloorConsumer, stream_seq: s.ackFloorStream };
    if (this.lastAcked > 0) ackFloor.last_active = nanosToRfc3339(this.lastAcked * NS_PER_MS);
    const info: Record<string, unknown> = {
      stream_name: this.stream.name,
      name: this.name,
      created: nanosToRfc3339(this.created),
      config: cfg,
      delivered,
      ack_floor: ackFloor,
      num_ack_pending: s.pending.size,
      num_redelivered: cfg.max_deliver === 1 ? 0 : s.redelivered.size,
      num_waiting: this.waiting?.size ?? 0,
      num_pending: this.recount(),
    };
    if (this.waiting === undefined && this.active) info.push_bound = true;
    if (this.isPaused()) {
      info.paused = true;
      info.pause_remaining = Math.max(0, rfc3339ToNanos(cfg.pause_until!) - nowNanos());
    }
    info.ts = nanosToRfc3339(nowNanos());
    if (cfg.priority_groups !== undefined && cfg.priority_groups.length > 0) {
      const g: Record<string, unknown> = { group: cfg.priority_groups[0] };
      if (this.pinId !== "") g.pinned_client_id = this.pinId;
      g.pinned_ts = nanosToRfc3339(this.pinnedTs);
      info.priority_groups = [g];
    }
    return info;
  }

  /** True while a push consumer's deliver subject has a subscriber (also decides replacement of durables). */
  get isActive(): boolean {
    const subj = this.config.deliver_subject;
    return subj !== undefined && this.hasInterest(subj);
  }

  get durable(): boolean {
    return isDurable(this.config);
  }
}

function randomToken(): string {
  const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  let s = "";
  for (let i = 0; i < 4; i++) s += digits[(Math.random() * 62) | 0];
  return s;
}
