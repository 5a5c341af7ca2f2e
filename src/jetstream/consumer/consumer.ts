/**
 * A JetStream consumer: it reads its stream's messages in order, delivers them (push: to its deliver
 * subject; pull: to waiting MSG.NEXT requests), tracks acknowledgements and redelivers what is not
 * acknowledged in time. Its delivery state lives in state.ts and is persisted through store.ts with
 * the stream's durability. This class coordinates; the parts live beside it in consumer/: acks and
 * redelivery (ack-tracker.ts), pull requests (pull-dispatch.ts, pull-queue.ts), push flow control
 * (flow.ts), start position, filters, replay pacing, pins and info.
 *
 * Everything runs on the event loop. Deliveries happen in synchronous passes (`kick`), started by
 * whatever can make a delivery possible: a new durable message, a pull request, an ack that frees
 * max_ack_pending, a redelivery falling due, interest appearing on the deliver subject, a flow control
 * reply, the end of a pause. A pass sends at most MAX_PER_PASS messages and then yields, and stops
 * while the receiving connection is congested, so one consumer never floods a client or the loop.
 *
 * Delivered messages keep their original subject; they are routed by the deliver subject (push) or the
 * request's reply subject (pull), and carry the `$JS.ACK…` reply subject (ack-protocol.ts).
 */
import type { Account } from "../../server/account.js";
import { hasDeliveryInterest } from "../../server/account-links.js";
import { deliver } from "../../server/delivery.js";
import { Outgoing } from "../../server/outgoing.js";
import type { Server } from "../../server/server.js";
import type { Subscription } from "../../server/subscription.js";
import type { StoredMsg } from "../../store/types.js";
import type { SublistResult } from "../../subjects/sublist.js";
import { subjectMatches } from "../../subjects/validate.js";
import { nowNanos, rfc3339ToNanos } from "../../util/nanos.js";
import { ackPrefix, AckSubjects, classifyAck, parseAckAfter } from "./ack-protocol.js";
import { AckTracker } from "./ack-tracker.js";
import { ConsumerAdvisories } from "./advisories.js";
import { filtersOf, isDurable, isPush, type ConsumerConfig } from "./config.js";
import { matchesFilters, nextMatching } from "./filters.js";
import { FlowControl, pushTarget } from "./flow.js";
import { addHeader, FLOW_CONTROL_REQUEST, idleHeartbeat, joinPayload } from "./delivery-headers.js";
import { consumerInfo } from "./info.js";
import { PinnedClient } from "./pin.js";
import { statusHeader, type WaitingRequest } from "./pull-queue.js";
import { RateLimiter } from "./rate-limiter.js";
import { ReplayPacer } from "./replay-pacer.js";
import { startingPosition, type Skip } from "./start.js";
import type { ConsumerState } from "./state.js";
import type { ConsumerMeta, ConsumerStore } from "./store.js";
import { PullRequests } from "./pull-dispatch.js";
import type { ConsumerHandle, ReplicatedConsumer, StreamHandle } from "../contracts.js";

const MAX_PER_PASS = 512;
/** See Consumer.contiguous. */
const CONTIGUOUS_RUN = 8;
/** How long a congested receiver is given before the next try. */
const CONGESTED_RETRY_MS = 2;
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

export class Consumer implements ConsumerHandle, ReplicatedConsumer {
  config: ConsumerConfig;
  private readonly server: Server;
  private readonly account: Account;
  readonly advisories: ConsumerAdvisories;
  private readonly ackPre: string;
  /** Made by the first delivery: a recovered consumer nobody reads from needs none (issue #10). */
  private ackSubjects: AckSubjects | undefined;
  private readonly out = new Outgoing();
  private filters: string[] = [];
  /** The last subject that matched the filters ("" matches none). */
  private matched = "";
  private closed = false;

  /** Highest stream sequence known durable: nothing above it is delivered. */
  private durableSeq: number;
  /**
   * Messages left to deliver for the filters (the last ack-subject token); npFloor: last seq counted.
   * Undefined until first needed after start: counting walks the stream's subject index per filter, and
   * a restart with many consumers would pay it for each before any is asked (issue #10).
   */
  private np: number | undefined = undefined;
  private npFloor = 0;
  /** Acks, NAKs, the redelivery queue and the ack timer. */
  private readonly acks: AckTracker;
  /** Redeliveries made since this process opened the consumer: a counter for /metrics. */
  private redeliveries = 0;
  private skip: Skip | undefined;
  /** The waiting pull requests; undefined exactly when this is a push consumer. */
  private waiting: PullRequests | undefined;
  /**
   * Searches for a first delivery in a row that found the very sequence they started from (a gapless
   * stream, or a run of the filtered subjects). From CONTIGUOUS_RUN on, the next sequence is loaded
   * directly instead of searched for; a miss (a gap, another subject) ends the run, so an interleaved
   * stream rarely pays for a load it cannot use.
   */
  private contiguous = CONTIGUOUS_RUN;
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
  private lastActivity = Date.now();
  private lastHeartbeat = 0;

  // Push.
  private active = false;
  /** start() has finished: deliveries may run. */
  private started = false;
  private fc: FlowControl | undefined;
  private rate: RateLimiter | undefined;
  private replay: ReplayPacer | undefined;

  /** The pinned client of a pinned_client priority group. */
  private readonly pin: PinnedClient;

  private hbTimer: NodeJS.Timeout | undefined;
  private inactiveTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private pauseTimer: NodeJS.Timeout | undefined;
  private readonly subs: Subscription[] = [];
  private readonly unhooks: (() => void)[] = [];
  /** Subscribed and delivering (start ran and neither release nor a stand-by since). */
  private serving = false;

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
    this.acks = new AckTracker(state, this.advisories, {
      config: () => this.config,
      closed: () => this.closed,
      kick: () => this.kick(),
      done: (seq) => this.done(seq),
    });
    this.pin = new PinnedClient(
      () => (this.config.priority_timeout ?? 0) / NS_PER_MS,
      (group) => {
        this.advisories.unpinned(group, "timeout");
        this.kick();
      },
    );
    this.applyFilters();
  }

  get meta(): ConsumerMeta {
    return { name: this.name, created: this.created, config: this.config };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ---- lifecycle ---------------------------------------------------------------------------------

  /** Positions a new consumer by its deliver policy. */
  selectStart(): void {
    const { seq, skip } = startingPosition(this.stream.store, this.config, this.filters);
    if (skip !== undefined) this.skip = skip;
    this.state.reset(seq);
  }

  /**
   * Starts serving: on a local stream at once; on a replicated one through its group, which calls
   * activate on the leader's replica and standBy on the others.
   */
  begin(): void {
    const group = this.stream.consumerGroup;
    if (group === undefined) this.start();
    else this.state.log = group.join(this, this.state.log);
  }

  activate(): void {
    if (!this.closed && !this.serving) this.start();
  }

  standBy(): void {
    if (!this.serving) return;
    if (this.waiting !== undefined) {
      // Pull requests waiting here are lost, as with nats-server: clients re-issue them to the new leader.
      for (const wr of this.waiting.wq) this.send(wr.reply, statusHeader(409, "Leadership Change"));
    }
    this.release();
  }

  /** Subscribes, hooks into the stream and starts timers; the consumer serves from now on. */
  private start(): void {
    this.serving = true;
    const s = this.stream;
    // A consumer that stood by did not hear of the messages stored meanwhile (all durable: committed).
    this.durableSeq = Math.max(this.durableSeq, s.store.state().lastSeq);
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
    if (isPush(this.config)) {
      acct.listenInterest(this.onInterest);
      this.unhooks.push(() => acct.unlistenInterest(this.onInterest));
    }
    // replay_policy original paces what the stream held when the consumer (re)started.
    if (this.config.replay_policy === "original") this.replay = new ReplayPacer(s.store.state().lastSeq, (ms) => this.retryIn(ms));
    this.applyConfig(undefined);
    this.np = undefined;
    this.acks.armTimer(this.state.pending.size > 0 ? Math.min(this.acks.ackWaitMs(1), 1000) : 0);
    this.started = true;
    this.kick();
  }

  /** Puts the runtime in line with the config (at start and after an update); `prev` is the config before. */
  private applyConfig(prev: ConsumerConfig | undefined): void {
    const cfg = this.config;
    this.state.ackNone = cfg.ack_policy === "none";
    if (isPush(cfg)) {
      this.waiting = undefined;
      if (cfg.flow_control) this.fc ??= new FlowControl(`$JS.FC.${this.stream.name}.${this.name}.`);
      this.rate = (cfg.rate_limit_bps ?? 0) > 0 ? new RateLimiter(cfg.rate_limit_bps!, this.host.maxMsgSize, Date.now()) : undefined;
      this.checkInterest();
      if (this.hbTimer === undefined && (cfg.idle_heartbeat ?? 0) > 0) this.armHeartbeat(cfg.idle_heartbeat! / NS_PER_MS);
    } else if (this.waiting === undefined) {
      this.waiting = new PullRequests(cfg.max_waiting ?? 512, this.pin, {
        config: () => this.config,
        closed: () => this.closed,
        send: (to, header) => this.send(to, header),
        hasInterest: (subject) => this.hasInterest(subject),
        heartbeat: (to) => this.sendHeartbeat(to),
        numPending: () => this.numPending,
        ackPending: () => this.state.pending.size,
        pinned: (group, id) => this.advisories.pinned(group, id),
        requested: (now) => (this.lastActivity = now),
      });
    }
    if (prev === undefined || prev.inactive_threshold !== cfg.inactive_threshold) this.armInactive();
    if (prev === undefined || prev.pause_until !== cfg.pause_until) this.armPause();
  }

  private applyFilters(): void {
    this.filters = filtersOf(this.config);
    this.matched = "";
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
      for (const wr of this.waiting.wq) this.send(wr.reply, statusHeader(409, "Consumer Deleted"));
    }
    this.shutdown();
    if (advisory) this.advisories.deleted();
    await this.store.delete();
  }

  private shutdown(): void {
    this.closed = true;
    if (this.stream.consumers.get(this.name) === this) this.stream.consumers.delete(this.name);
    this.stream.consumerGroup?.leave(this);
    this.release();
  }

  /** Stops serving: subscriptions, stream hooks, timers and pull requests go. */
  private release(): void {
    this.serving = false;
    for (const sub of this.subs) this.server.unsubscribeInternal(this.account, sub);
    this.subs.length = 0;
    for (const u of this.unhooks) u();
    this.unhooks.length = 0;
    this.acks.stop();
    this.waiting?.stop();
    this.pin.stop();
    for (const t of [this.inactiveTimer, this.retryTimer, this.pauseTimer, this.hbTimer]) {
      if (t !== undefined) clearTimeout(t);
    }
    this.inactiveTimer = this.retryTimer = this.pauseTimer = this.hbTimer = undefined;
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
      for (const seq of s.pending.all()) if (seq > st.lastSeq) s.forget(seq);
      s.setNext(st.lastSeq + 1);
    }
    for (const seq of s.pending.all()) if (store.nextSeq("", seq) !== seq) s.forget(seq);
    for (const seq of [...s.redelivered.keys()]) if (store.nextSeq("", seq) !== seq) s.forget(seq);
    if (this.stream.config.retention !== "workqueue") return;
    for (let seq = nextMatching(store, this.filters, Math.max(1, st.firstSeq)); seq > 0 && seq < s.sseq; seq = nextMatching(store, this.filters, seq + 1)) {
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
    if (filtersChanged) this.applyFilters();
    // A consumer standing by (a follower's, of a replicated stream) sets up its runtime when it starts.
    if (!this.serving) return;
    if (filtersChanged) this.recount();
    if (prev.deliver_subject !== next.deliver_subject) {
      // Everything pending goes again, to the new subject.
      this.acks.expireAllPending();
      this.fc?.reset();
    }
    if (prev.ack_wait !== next.ack_wait || String(prev.backoff) !== String(next.backoff)) this.acks.armTimer(100);
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
    // The store hands out one string per subject, so a run of one subject compares by reference.
    if (subject === this.matched) return true;
    if (!matchesFilters(this.filters, subject)) return false;
    this.matched = subject;
    return true;
  }

  private done(seq: number): void {
    if (this.stream.config.retention !== "limits") this.stream.consumerDone(this, seq);
  }

  // ---- stream events -----------------------------------------------------------------------------

  private onStored(m: StoredMsg): void {
    if (m.seq > this.durableSeq) this.durableSeq = m.seq;
    if (this.closed) return;
    if (this.np !== undefined && m.seq > this.npFloor && this.matches(m.subject)) this.np++;
    if (m.seq >= this.state.sseq) this.kick();
  }

  private onRemoved(seq: number, subject: string, reason: string): void {
    if (this.closed) return;
    const s = this.state;
    if (seq >= s.sseq && !this.catchUpQueued) {
      this.catchUpQueued = true;
      queueMicrotask(() => this.catchUpFirst());
    }
    if (seq >= s.sseq && this.np !== undefined && this.np > 0 && this.matches(subject) && this.countedInSkip(seq)) this.np--;
    if (this.acks.rdq.has(seq)) this.acks.rdq.delete(seq);
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
          this.acks.ack(info, now);
          break;
        case "next":
          this.acks.ack(info, now);
          if (reply !== undefined) this.processNextRequest(reply, Buffer.from(a.arg));
          return;
        case "nak":
          this.acks.nak(info, a.arg);
          break;
        case "progress":
          this.state.touch(info.sseq, now);
          break;
        case "term":
          this.acks.ack(info, now);
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
    (this.stream.consumerGroup?.whenCommitted(this) ?? this.store.sync()).then(
      () => this.server.publishInternal(this.account, reply, undefined, EMPTY),
      () => undefined,
    );
  }

  // ---- pull requests -----------------------------------------------------------------------------

  /** A MSG.NEXT request (or the request part of a +NXT ack). */
  processNextRequest(reply: string, body: Buffer): void {
    // A standing-by replica stays silent: the stream's leader answers.
    if (this.closed || !this.serving) return;
    const pull = this.waiting;
    if (pull === undefined) {
      this.send(reply, statusHeader(409, "Consumer is push based"));
      return;
    }
    const wr = pull.request(reply, body, this.numPending + this.acks.rdq.size);
    if (wr === undefined) return;
    this.kick();
    if (!this.closed && this.waiting !== undefined && wr.n > 0) this.waiting.armTimer();
  }

  /** CONSUMER.UNPIN: the next request picks a new pinned client. */
  unpin(group: string): void {
    this.pin.clear();
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
    const acked = this.config.ack_policy !== "none";
    // One clock reading per pass: its deliveries go out together, within the same few microseconds.
    const now = Date.now();
    /** The shortest ack wait started in this pass: the ack timer is armed only when it shortens. */
    let ackWait = Number.POSITIVE_INFINITY;
    let eos = false;
    let sent = 0;
    for (; sent < MAX_PER_PASS; sent++) {
      if (this.closed) return;
      if (push) {
        if (!this.active || (this.fc !== undefined && this.fc.blocked)) break;
        const t = pushTarget(this.server, this.account, deliverTo!);
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
      const rdq = this.acks.rdq;
      for (let seq = rdq.peek(); seq > 0; seq = rdq.peek()) {
        m = rdq.has(seq) && this.state.pending.has(seq) ? this.stream.store.loadMsg(seq) : undefined;
        if (m !== undefined) {
          dc = this.state.deliveryCount(seq) + 1;
          break;
        }
        rdq.pop();
      }
      if (m === undefined) {
        if (this.acks.atMaxAckPending()) break;
        m = this.peekNew();
        if (m === undefined) {
          eos = true;
          break;
        }
      }
      const pendingAfter = dc === 1 ? Math.max(0, this.numPending - 1) : this.numPending;
      const reply = (this.ackSubjects ??= new AckSubjects(this.ackPre)).subject(dc, m.seq, this.state.dseq, m.time, pendingAfter);
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
        wr = this.waiting!.next(size, now);
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
      if (this.replay?.pacing === true && !this.replay.allow(m)) break;
      // Committed from here on: the message goes out now.
      if (dc > 1) {
        rdq.pop();
        this.redeliveries++;
      } else {
        if (this.skip !== undefined) this.skip.i++;
        this.numPending = pendingAfter;
      }
      this.state.deliver(m.seq, dc, now);
      if (this.skip !== undefined && this.skip.i >= this.skip.seqs.length) this.endSkip();
      if (wr !== undefined) this.waiting!.served(wr, size);
      if (pinned && this.pin.id !== "") {
        hdr = addHeader(hdr, "Nats-Pin-Id", this.pin.id);
        size = m.subject.length + reply.length + hdr.length + data.length;
      }
      this.transmit(target, m.subject, reply, hdr, data);
      this.lastDelivered = now;
      if (acked) {
        const w = this.acks.ackWaitMs(dc);
        if (w < ackWait) {
          ackWait = w;
          this.acks.armTimer(w);
        }
      } else {
        this.done(m.seq);
      }
      if (this.fc !== undefined) this.afterFlowControlled(this.fc, size);
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
      if (eos) this.waiting?.expire(true);
      if (this.waiting !== undefined && this.waiting.size > 0) this.waiting.armTimer();
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
    const from = this.state.sseq;
    if (from > this.durableSeq) return undefined;
    if (this.contiguous >= CONTIGUOUS_RUN) {
      const m = store.loadMsg(from);
      if (m !== undefined && this.matches(m.subject)) return m;
      this.contiguous = 0;
    }
    const seq = nextMatching(store, this.filters, from);
    this.contiguous = seq === from ? this.contiguous + 1 : 0;
    if (seq === 0 || seq > this.durableSeq) return undefined;
    return store.loadMsg(seq);
  }

  private endSkip(): void {
    const sk = this.skip;
    if (sk === undefined) return;
    this.skip = undefined;
    if (this.state.sseq <= sk.resume) this.state.setNext(sk.resume + 1);
  }

  /** Sends one message: original subject, routed by `to`. */
  private transmit(to: string, subject: string, reply: string, hdr: Buffer | undefined, data: Buffer): void {
    const r = this.route(to);
    let n: number;
    const msg = hdr === undefined || hdr.length === 0 ? this.out.set(subject, reply, data, -1) : this.out.set(subject, reply, joinPayload(hdr, data), hdr.length);
    // Matched by `to`, shown with the stream subject: a route sends it on `to` (see Outgoing.routedBy).
    msg.account = this.account.name;
    msg.routedBy = to;
    n = deliver(r, msg, undefined);
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

  private retryIn(ms: number): void {
    if (this.retryTimer !== undefined || this.closed) return;
    const t = setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, ms);
    this.retryTimer = t;
  }

  // ---- push: interest, heartbeats, flow control ---------------------------------------------------

  /**
   * A subscription in the account appeared or left (here or, through a route, elsewhere): a push
   * consumer whose deliver subject it covers looks again, and starts delivering at once on the first.
   */
  private readonly onInterest = (subject: string): void => {
    const to = this.config.deliver_subject;
    if (to !== undefined && !this.closed && subjectMatches(subject, to)) this.checkInterest();
  };

  private checkInterest(): void {
    const subj = this.config.deliver_subject;
    if (subj === undefined || this.closed) return;
    this.setActive(hasDeliveryInterest(this.account, subj));
  }

  private setActive(active: boolean): void {
    const was = this.active;
    this.active = active;
    if (active !== was) {
      this.armInactive();
      if (active) {
        // A new subscriber never saw an outstanding flow control request: start the window afresh.
        this.fc?.reset();
        // At once, not after the chunk that carried the SUB: a publish right behind it in the same chunk
        // could otherwise replace (per-subject limit) a message the consumer was about to deliver.
        // While start() runs, its own kick comes once the counts are in.
        if (this.started) this.kick();
      }
    }
  }

  /** Idle heartbeats go out `every` ms after the last delivery or heartbeat, while there is interest. */
  private armHeartbeat(every: number): void {
    const idle = Date.now() - Math.max(this.lastDelivered, this.lastHeartbeat);
    this.hbTimer = setTimeout(() => {
      this.hbTimer = undefined;
      if (this.closed) return;
      if (Date.now() - Math.max(this.lastDelivered, this.lastHeartbeat) >= every && this.active) {
        if (hasDeliveryInterest(this.account, this.config.deliver_subject!)) {
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

  private afterFlowControlled(fc: FlowControl, size: number): void {
    const request = fc.delivered(size);
    if (request !== undefined) this.send(this.config.deliver_subject!, FLOW_CONTROL_REQUEST, request);
  }

  private onFlowControlReply(subject: string): void {
    if (this.fc?.replied(subject) === true) this.kick();
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
      const last = Math.max(this.lastActivity, this.waiting.wq.last, this.lastDelivered, this.acks.lastAcked);
      const idle = Date.now() - last;
      if (idle < thresh) return rearm(thresh - idle);
      this.waiting.expire(false);
      if (this.waiting.size > 0) return rearm(thresh);
      // A client may still be working on what it received: wait for the last ack deadline too.
      const pendingUntil = this.acks.lastAckDeadline();
      const latest = pendingUntil > 0 ? pendingUntil + thresh : 0;
      const now = Date.now();
      if (latest > now) return rearm(latest - now);
    }
    void this.delete().catch((e) => this.server.logger.error(`JetStream consumer ${this.stream.name} > ${this.name}: ${String(e)}`));
  }

  // ---- pending count and info ---------------------------------------------------------------------

  /** The running count of what is left to deliver, counted from the store when it is not yet known. */
  private get numPending(): number {
    return this.np ?? this.recount();
  }

  private set numPending(n: number) {
    this.np = n;
  }

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
    this.np = n;
    this.npFloor = st.lastSeq;
    return n;
  }

  /** Counters for /metrics' rates: deliveries (redeliveries included, as the consumer sequence counts them), acks, redeliveries. */
  get traffic(): { delivered: number; acked: number; redelivered: number } {
    return { delivered: this.state.dseq - 1, acked: this.acks.ackedCount, redelivered: this.redeliveries };
  }

  /** ConsumerInfo as nats-server reports it (info.ts). */
  info(): Record<string, unknown> {
    this.waiting?.expire(false);
    return consumerInfo({
      stream: this.stream.name,
      name: this.name,
      created: this.created,
      config: this.config,
      state: this.state,
      lastDelivered: this.lastDelivered,
      lastAcked: this.acks.lastAcked,
      numPending: this.recount(),
      numWaiting: this.waiting?.size,
      pushBound: this.waiting === undefined && this.active,
      paused: this.isPaused(),
      pinId: this.pin.id,
      pinnedTs: this.pin.ts,
    });
  }

  /** True while a push consumer's deliver subject has a subscriber (also decides replacement of durables). */
  get isActive(): boolean {
    const subj = this.config.deliver_subject;
    return subj !== undefined && hasDeliveryInterest(this.account, subj);
  }

  get durable(): boolean {
    return isDurable(this.config);
  }
}
