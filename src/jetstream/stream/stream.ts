/**
 * A stream: its config, its store, and the ingest path. A publish on a captured subject arrives through
 * an internal subscription on the stream's subjects (so finding the stream is the account Sublist's
 * cached match, not a scan), passes the header checks, is appended to the store, and joins the current
 * commit batch. When the store's group commit makes the batch durable, the batch's PubAcks go out and
 * the `onStored` listeners (consumers, republish) run, in sequence order.
 *
 * A batch is the set of messages whose `store.sync()` returned the same promise: the group commit
 * resolves one promise for everything appended during one loop turn, so one fdatasync serves them all.
 *
 * A replicated stream (setReplication) splits that path in two: a publish goes to its RAFT group
 * (only the leader subscribes to the stream's subjects, and proposes it), and every replica applies the committed entry with
 * applyMsg, which runs the same checks and store calls as the local path (`accept`), against its own
 * state, with the leader's timestamp: so the replicas' stores agree by construction. A committed entry
 * is durable on a majority already, so it is answered and handed to consumers at apply, without
 * waiting for this store's sync.
 */
import type { Account } from "../../server/account.js";
import type { Server } from "../../server/server.js";
import type { Publisher, Subscription } from "../../server/subscription.js";
import { isStoreError, type RemoveReason, type StoredMsg, type StreamStore } from "../../store/index.js";
import { formatGoDuration, parseGoDuration } from "../../util/duration.js";
import { nanosToRfc3339, nowNanos } from "../../util/nanos.js";
import type { ConsumerGroupHook, ConsumerHandle, StreamHandle } from "../contracts.js";
import { DedupWindow } from "./dedup.js";
import { ApiError, jsError, jsErrorText } from "../errors.js";
import {
  JS_EXPECTED_LAST_MSG_ID,
  JS_EXPECTED_LAST_SEQ,
  JS_EXPECTED_LAST_SUBJ_SEQ,
  JS_EXPECTED_LAST_SUBJ_SEQ_SUBJ,
  JS_EXPECTED_STREAM,
  JS_MARKER_REASON,
  KV_OPERATION,
  JS_MSG_ID,
  JS_MSG_TTL,
  JS_ROLLUP,
  appendHeaders,
  buildHeaders,
  headerValue,
  parseHeaders,
  withoutHeaders,
  type HeaderMap,
} from "../headers.js";
import { goJson } from "../../util/go-json.js";
import { assert } from "../../util/assert.js";
import { PubAckFormat } from "./pub-ack.js";
import type { StreamConfig } from "./config.js";
import { purgeStore, type PurgeRequest } from "./purge.js";
import type { StreamReplication } from "./replication.js";
import { SubjectTransform } from "./transform.js";

/**
 * What a stream needs from its account's JetStream (js-account.ts provides it). Owned here, the lower
 * side, so that the account can hold its streams without the two importing each other.
 */
export interface StreamAccount {
  readonly account: Account;
  readonly server: Server;
  readonly domain: string | undefined;
  /** The account's streams by name (mirrors and sources look up their origins). */
  readonly streams: ReadonlyMap<string, Stream>;
  /** Called after a stream is added or removed. */
  readonly streamListeners: Set<() => void>;
  /** The account quota this message would pass (10047 / 10028), if any. */
  checkStoreUsage(stream: Stream, subject: string, hdr: Buffer | undefined, data: Buffer): ApiError | undefined;
}

/** A dedup window entry as snapshots carry it: Nats-Msg-Id, sequence, time (ns). */
export type DedupRecord = readonly [string, number, number];

/** Headers larger than this are refused (10097), as nats-server does. */
const MAX_HEADER_SIZE = 64 * 1024;
const EXPECTED_PREFIX = "Nats-Expected-";
/** Messages looked at per loop turn when interest retention re-checks a stream. */
const INTEREST_SLICE = 4096;

type StoredListener = (msg: StoredMsg) => void;
type RemovedListener = (seq: number, subject: string, reason: RemoveReason) => void;

/** Messages made durable by one group commit, with what to do once they are. */
interface Batch {
  promise: Promise<void>;
  closed: boolean;
  /** Per entry: the stored sequence (0 for a duplicate's ack) and the reply to ack on. */
  seqs: number[];
  replies: (string | undefined)[];
  /** Ack texts other than the plain PubAck of seqs[i] (duplicates), by index; sparse. */
  texts: Map<number, string> | undefined;
  /** Republish work for entries of this batch, by index (sparse; only with republish configured). */
  republish: Map<number, () => void> | undefined;
}

/** The consumers map: deleting a consumer re-checks interest retention. */
class ConsumerMap extends Map<string, ConsumerHandle> {
  onDelete: (() => void) | undefined;

  override delete(key: string): boolean {
    const had = super.delete(key);
    if (had) this.onDelete?.();
    return had;
  }
}

export class Stream implements StreamHandle {
  readonly name: string;
  readonly account: Account;
  readonly consumers = new ConsumerMap();
  alive = true;
  /** ns since the epoch. */
  readonly created: number;
  cfg: StreamConfig;
  private subs: Subscription[] = [];
  private readonly storedListeners: StoredListener[] = [];
  private readonly removedListeners: RemovedListener[] = [];
  private readonly unhookStore: () => void;
  private batch: Batch | undefined;
  /** Set by applyConfig (from the constructor on). */
  private pubAck!: PubAckFormat;
  private readonly dedup: DedupWindow;
  /** The Nats-Msg-Id of the last stored message ("" when it had none), for Nats-Expected-Last-Msg-Id. */
  lastMsgId = "";
  private transform: SubjectTransform | undefined;
  private republishTransform: SubjectTransform | undefined;
  private interestCheck: NodeJS.Immediate | undefined;
  private markerSubjects: Set<string> | undefined;
  /**
   * Sequences of messages stored here with a Nats-TTL that are not delete markers themselves: when such
   * a message expires and was its subject's last, a marker takes its place (as for max_age). Markers are
   * left out so that a marker's own expiry does not leave another. Kept in memory only: a message that
   * expires after a restart leaves no marker.
   */
  private readonly markedTtlSeqs = new Set<number>();
  /** Hooks of mirror/source links (sources.ts) that read this stream. */
  readonly readers = new Set<{ stop(): void }>();
  /**
   * Messages and their header+payload bytes the stream accepted since this process opened it (publishes,
   * sourced and restored messages; under interest retention also those skipped for want of interest):
   * counters for /metrics' rates.
   */
  inMsgs = 0;
  inBytes = 0;
  /** The RAFT group of a replicated stream; undefined for a local one. */
  private replication: StreamReplication | undefined;

  constructor(
    readonly jsa: StreamAccount,
    cfg: StreamConfig,
    public store: StreamStore,
    created: number,
    /** The stream's directory (file storage), undefined for memory streams. */
    readonly dir: string | undefined,
  ) {
    this.name = cfg.name;
    this.account = jsa.account;
    this.cfg = cfg;
    this.created = created;
    this.dedup = new DedupWindow(cfg.duplicate_window ?? 0);
    this.consumers.onDelete = () => this.scheduleInterestCheck();
    this.applyConfig(cfg);
    this.unhookStore = this.hookStore(store);
  }

  // ---- StreamHandle -------------------------------------------------------------------------------

  get config(): StreamHandle["config"] {
    return this.cfg;
  }

  onStored(fn: StoredListener): () => void {
    this.storedListeners.push(fn);
    return () => removeItem(this.storedListeners, fn);
  }

  onRemoved(fn: RemovedListener): () => void {
    this.removedListeners.push(fn);
    return () => removeItem(this.removedListeners, fn);
  }

  get consumerGroup(): ConsumerGroupHook | undefined {
    return this.replication?.consumers;
  }

  consumerDone(consumer: ConsumerHandle, seq: number): void {
    const retention = this.cfg.retention;
    if (retention === "limits" || !this.alive) return;
    const r = this.replication;
    if (r !== undefined) {
      // Removals of a replicated stream are entries of its group, proposed by its leader's consumers.
      if (r.isLeader && (retention === "workqueue" || !this.neededByOthers(consumer, seq))) r.deleteMsg(seq, false).catch(() => undefined);
      return;
    }
    if (retention === "workqueue") {
      this.store.removeMsg(seq);
      return;
    }
    if (!this.neededByOthers(consumer, seq)) this.store.removeMsg(seq);
  }

  /** Interest retention: another consumer still needs `seq` (true when it is gone already). */
  private neededByOthers(consumer: ConsumerHandle, seq: number): boolean {
    const m = this.store.loadMsg(seq);
    if (m === undefined) return true;
    for (const c of this.consumers.values()) if (c !== consumer && c.needs(seq, m.subject)) return true;
    return false;
  }

  // ---- configuration ------------------------------------------------------------------------------

  /** Applies a (validated) config: subscriptions, limits, transforms, dedup window, ack prefix. */
  applyConfig(cfg: StreamConfig): void {
    this.cfg = cfg;
    const domain = this.jsa.domain;
    this.pubAck = new PubAckFormat(cfg.name, domain);
    this.dedup.setWindow(cfg.duplicate_window ?? 0);
    const st = cfg.subject_transform;
    const t = st ? SubjectTransform.parse(st.src, st.dest) : undefined;
    this.transform = typeof t === "object" ? t : undefined;
    const rp = cfg.republish;
    const r = rp ? SubjectTransform.parse(rp.src || ">", rp.dest) : undefined;
    this.republishTransform = typeof r === "object" ? r : undefined;
    this.store.updateLimits(storeLimits(cfg));
    this.resubscribe(cfg.subjects ?? []);
  }

  private resubscribe(subjects: string[]): void {
    const server = this.jsa.server;
    for (const s of this.subs) server.unsubscribeInternal(this.account, s);
    this.subs = [];
    // A replica subscribes only while it leads (as nats-server's do): a follower's interest would have
    // every publish copied over the routes to it, only to be dropped there.
    if (!this.alive || !this.leads) return;
    // Subjects from JSON are UTF-8 text; the Sublist holds subjects as latin1 (one char per wire byte).
    const handler = this.replication === undefined ? this.onPublish : this.onReplicatedPublish;
    for (const s of subjects) this.subs.push(server.subscribeInternal(this.account, toWire(s), handler));
  }

  /** Makes this a replica of a replicated stream (or a local stream again, with undefined). */
  setReplication(r: StreamReplication | undefined): void {
    this.replication = r;
    this.resubscribe(this.cfg.subjects ?? []);
  }

  /** The replication gained or lost the leadership: only the leader holds the stream's subscriptions. */
  leadershipChanged(): void {
    this.resubscribe(this.cfg.subjects ?? []);
  }

  get replicated(): boolean {
    return this.replication !== undefined;
  }

  /** A local stream, or the leader of a replicated one: the replica that answers and delivers. */
  get leads(): boolean {
    return this.replication === undefined || this.replication.isLeader;
  }

  private hookStore(store: StreamStore): () => void {
    return store.onRemove((seq, subject, reason) => {
      for (const fn of this.removedListeners) fn(seq, subject, reason);
      const ttlExpired = this.markedTtlSeqs.delete(seq) && reason === "ttl";
      if ((reason === "age" || ttlExpired) && this.cfg.subject_delete_marker_ttl) this.noteAged(subject);
    });
  }

  // ---- ingest -------------------------------------------------------------------------------------

  private readonly onPublish = (subject: string, reply: string | undefined, payload: Buffer, hdrLen: number, _from: Publisher | undefined): void => {
    if (hdrLen > 0) this.ingest(fromWire(subject), reply, payload.subarray(0, hdrLen), payload.subarray(hdrLen));
    else this.ingest(fromWire(subject), reply, undefined, payload);
  };

  /** The leader proposes the publish (a replica that just lost the leadership drops what was in flight). */
  private readonly onReplicatedPublish = (subject: string, reply: string | undefined, payload: Buffer, hdrLen: number, _from: Publisher | undefined): void => {
    const r = this.replication;
    if (r === undefined || !r.isLeader) return;
    if (hdrLen > 0) r.publish(fromWire(subject), reply, payload.subarray(0, hdrLen), payload.subarray(hdrLen));
    else r.publish(fromWire(subject), reply, undefined, payload);
  };

  /**
   * One message for this stream. `hdr` and `data` may be slices of a socket read: the store copies them.
   * Answers with a PubAck on `reply` once durable, or at once with an error.
   */
  ingest(subject: string, reply: string | undefined, hdr: Buffer | undefined, data: Buffer): void {
    const ack = reply !== undefined && reply !== "" && !this.cfg.no_ack ? reply : undefined;
    this.accept(subject, ack, hdr, data, 0);
  }

  /**
   * A committed message entry of a replicated stream, on every replica: `time` is the leader's clock at
   * the proposal, `answer` is true on the replica that proposed it (the only one that replies).
   */
  applyMsg(subject: string, reply: string | undefined, hdr: Buffer | undefined, data: Buffer, time: number, answer: boolean): void {
    const ack = answer && reply !== undefined && reply !== "" && !this.cfg.no_ack ? reply : undefined;
    this.accept(subject, ack, hdr, data, time);
  }

  /**
   * The checks and the store calls of a publish, shared by the local path (`at` 0: now, acked after the
   * store's sync) and the apply of a replicated entry (`at` the entry's time: answered at once).
   */
  private accept(subject: string, ack: string | undefined, hdr: Buffer | undefined, data: Buffer, at: number): void {
    const cfg = this.cfg;
    if (cfg.sealed) return this.reject(ack, jsError("JSStreamSealedErr"));
    if (this.transform !== undefined) subject = this.transform.apply(subject) ?? subject;
    let ttl: number | undefined;
    let msgId = "";
    let rollup: "sub" | "all" | undefined;
    let marker = false;
    if (hdr !== undefined) {
      if (hdr.length > MAX_HEADER_SIZE) return this.reject(ack, jsError("JSStreamHeaderExceedsMaximumErr"));
      const h = parseHeaders(hdr);
      msgId = headerValue(h, JS_MSG_ID) ?? "";
      if (msgId !== "") {
        const dup = this.dedup.get(msgId, at || nowNanos());
        if (dup !== undefined) {
          if (ack === undefined) return;
          if (at === 0) this.queueAck(0, ack, this.pubAck.duplicate(dup.seq));
          else this.jsa.server.publishInternal(this.account, ack, undefined, this.pubAck.duplicate(dup.seq));
          return;
        }
      }
      const err = this.checkExpected(h, subject);
      if (err !== undefined) return this.reject(ack, err);
      const r = headerValue(h, JS_ROLLUP);
      if (r !== undefined) {
        if (!cfg.allow_rollup_hdrs) return this.reject(ack, jsErrorText("JSStreamRollupFailedF", "rollup not permitted"));
        const v = r.toLowerCase();
        if (v !== "sub" && v !== "all") return this.reject(ack, jsErrorText("JSStreamRollupFailedF", `rollup value invalid: ${r}`));
        rollup = v;
      }
      // A KV purge is a delete marker too: when its TTL passes it leaves no marker of its own (2.11+).
      marker = headerValue(h, JS_MARKER_REASON) !== undefined || headerValue(h, KV_OPERATION) === "PURGE";
      const t = headerValue(h, JS_MSG_TTL);
      if (t !== undefined) {
        if (!cfg.allow_msg_ttl) return this.reject(ack, jsError("JSMessageTTLDisabledErr"));
        ttl = parseTtl(t);
        if (ttl === undefined) return this.reject(ack, jsError("JSMessageTTLInvalidErr"));
      }
      // Newer servers keep the Nats-Expected-* checks out of the stored message.
      for (const k of h.keys()) {
        if (k.startsWith(EXPECTED_PREFIX)) {
          hdr = withoutHeaders(h, (key) => key.startsWith(EXPECTED_PREFIX));
          break;
        }
      }
    }
    const limitErr = this.jsa.checkStoreUsage(this, subject, hdr, data);
    if (limitErr !== undefined) return this.reject(ack, limitErr);
    let seq: number;
    let time: number;
    const prevLast = this.republishTransform !== undefined ? this.store.state().lastSeq : 0;
    if (cfg.retention === "interest" && !this.anyInterest(subject)) {
      seq = this.store.skipMsg();
      time = at || nowNanos();
    } else {
      try {
        const r = this.store.storeMsg(subject, hdr, data, at !== 0 ? { ttl, time: at } : ttl !== undefined ? { ttl } : undefined);
        seq = r.seq;
        time = r.time;
      } catch (e) {
        return this.reject(ack, storeFailure(e));
      }
      if (ttl !== undefined && ttl > 0 && !marker && cfg.subject_delete_marker_ttl) this.markedTtlSeqs.add(seq);
      if (rollup === "sub") this.store.purge({ filter: subject, seq });
      else if (rollup === "all") this.store.compact(seq);
    }
    this.lastMsgId = msgId;
    if (msgId !== "") this.dedup.add(msgId, seq, time);
    if (at === 0) this.queueStored(seq, ack, prevLast, subject, hdr, data);
    else this.appliedStored(seq, ack, prevLast, subject, hdr, data);
  }

  /** A replicated message applied: committed, so durable; consumers and the PubAck need no store sync. */
  private appliedStored(seq: number, ack: string | undefined, prevLast: number, subject: string, hdr: Buffer | undefined, data: Buffer): void {
    this.countIn(hdr, data);
    const listeners = this.storedListeners;
    if (seq > 0 && listeners.length > 0 && this.alive) {
      const m = this.store.loadMsg(seq);
      if (m !== undefined) for (let k = 0; k < listeners.length; k++) listeners[k]!(m);
    }
    // One republish per cluster: the leader's.
    if (this.republishTransform !== undefined && this.leads) this.republishWork(seq, prevLast, subject, hdr, data)?.();
    if (ack !== undefined) this.jsa.server.publishInternal(this.account, ack, undefined, this.pubAck.stored(seq));
  }

  /** A replicated stream's config change, through its group (the caller checked it). */
  proposeConfig(cfg: StreamConfig): Promise<void> {
    assert(this.replication !== undefined, "proposeConfig on a stream that is not replicated");
    return this.replication.updateConfig(cfg);
  }

  // ---- purge and delete ---------------------------------------------------------------------------

  /** STREAM.PURGE: through the group when replicated. Returns the number of messages removed. */
  purge(req: PurgeRequest): Promise<number> {
    if (this.replication !== undefined) return this.replication.purge(req);
    return Promise.resolve(this.applyPurge(req));
  }

  applyPurge(req: PurgeRequest): number {
    return purgeStore(this.store, req);
  }

  /** STREAM.MSG.DELETE: through the group when replicated. False when the message was not there. */
  deleteMsg(seq: number, erase: boolean): Promise<boolean> {
    if (this.replication !== undefined) return this.replication.deleteMsg(seq, erase);
    return Promise.resolve(this.applyDelete(seq, erase));
  }

  applyDelete(seq: number, erase: boolean): boolean {
    return this.store.removeMsg(seq, { erase });
  }

  private checkExpected(h: HeaderMap, subject: string): ApiError | undefined {
    const es = headerValue(h, JS_EXPECTED_STREAM);
    if (es !== undefined && es !== this.name) return jsError("JSStreamNotMatchErr");
    const els = headerValue(h, JS_EXPECTED_LAST_SEQ);
    if (els !== undefined) {
      const last = this.store.state().lastSeq;
      if (parseSeq(els) !== last) return jsError("JSStreamWrongLastSequenceErrF", { seq: last });
    }
    const elss = headerValue(h, JS_EXPECTED_LAST_SUBJ_SEQ);
    if (elss !== undefined) {
      const filter = headerValue(h, JS_EXPECTED_LAST_SUBJ_SEQ_SUBJ) || subject;
      const last = this.store.loadLastMsg(filter)?.seq ?? 0;
      if (parseSeq(elss) !== last) return jsError("JSStreamWrongLastSequenceErrF", { seq: last });
    }
    const elid = headerValue(h, JS_EXPECTED_LAST_MSG_ID);
    if (elid !== undefined && elid !== this.lastMsgId) return jsError("JSStreamWrongLastMsgIDErrF", { id: this.lastMsgId });
    return undefined;
  }

  private anyInterest(subject: string): boolean {
    if (this.consumers.size === 0) return false;
    const next = this.store.state().lastSeq + 1;
    for (const c of this.consumers.values()) if (c.needs(next, subject)) return true;
    return false;
  }

  /** An error PubAck, sent at once (nothing was stored, so there is nothing to wait for). */
  /** A publish the replica could not take (a replicated stream's leader losing its leadership): the client may retry. */
  refusePublish(reply: string | undefined, err: ApiError): void {
    this.reject(reply !== "" && !this.cfg.no_ack ? reply : undefined, err);
  }

  private reject(reply: string | undefined, err: ApiError): void {
    if (reply === undefined) return;
    const text = goJson({ error: err, stream: this.name, seq: 0 });
    this.jsa.server.publishInternal(this.account, reply, undefined, text);
  }

  /**
   * Stores a server-generated message (markers, sourced and mirrored messages) through the batch. On a
   * replicated stream the leader proposes it like a publish (0 is returned: the sequence comes at
   * apply) and the followers drop it: their own copies come through the group.
   */
  storeInternal(subject: string, hdr: Buffer | undefined, data: Buffer, ttl?: number): number {
    const rep = this.replication;
    if (rep !== undefined) {
      if (rep.isLeader) rep.publish(subject, undefined, hdr, data);
      return 0;
    }
    const r = this.store.storeMsg(subject, hdr, data, ttl !== undefined ? { ttl } : undefined);
    this.queueStored(r.seq, undefined, 0, subject, hdr, data);
    return r.seq;
  }

  /** A message stored under a given sequence (mirrors, restores): through the batch, no ack. */
  storeRawInternal(seq: number, subject: string, hdr: Buffer | undefined, data: Buffer, time: number, ttl?: number): void {
    this.store.storeRawMsg(seq, subject, hdr, data, time, ttl);
    this.queueStored(seq, undefined, 0, subject, hdr, data);
  }

  // ---- batches ------------------------------------------------------------------------------------

  private currentBatch(): Batch {
    const p = this.store.sync();
    let b = this.batch;
    if (b === undefined || b.closed || b.promise !== p) {
      b = { promise: p, closed: false, seqs: [], replies: [], texts: undefined, republish: undefined };
      this.batch = b;
      const batch = b;
      p.then(
        () => this.batchDurable(batch),
        (err: unknown) => this.batchFailed(batch, err),
      );
    }
    return b;
  }

  private countIn(hdr: Buffer | undefined, data: Buffer): void {
    this.inMsgs++;
    this.inBytes += (hdr?.length ?? 0) + data.length;
  }

  private queueAck(seq: number, reply: string | undefined, text: string): void {
    const b = this.currentBatch();
    (b.texts ??= new Map()).set(b.seqs.length, text);
    b.seqs.push(seq);
    b.replies.push(reply);
  }

  private queueStored(seq: number, reply: string | undefined, prevLast: number, subject: string, hdr: Buffer | undefined, data: Buffer): void {
    this.countIn(hdr, data);
    const b = this.currentBatch();
    if (this.republishTransform !== undefined) {
      const work = this.republishWork(seq, prevLast, subject, hdr, data);
      if (work !== undefined) (b.republish ??= new Map()).set(b.seqs.length, work);
    }
    b.seqs.push(seq);
    b.replies.push(reply);
  }

  private batchDurable(b: Batch): void {
    b.closed = true;
    if (this.batch === b) this.batch = undefined;
    const server = this.jsa.server;
    const listeners = this.storedListeners;
    for (let i = 0; i < b.seqs.length; i++) {
      const seq = b.seqs[i]!;
      if (seq > 0 && listeners.length > 0 && this.alive) {
        const m = this.store.loadMsg(seq);
        // A message already removed again (limits, rollup) is of no use to a consumer.
        if (m !== undefined) for (let k = 0; k < listeners.length; k++) listeners[k]!(m);
      }
      b.republish?.get(i)?.();
      const reply = b.replies[i];
      if (reply !== undefined) server.publishInternal(this.account, reply, undefined, b.texts?.get(i) ?? this.pubAck.stored(seq));
    }
  }

  private batchFailed(b: Batch, err: unknown): void {
    b.closed = true;
    if (this.batch === b) this.batch = undefined;
    const e = storeFailure(err);
    this.jsa.server.logger.error(`JetStream stream '${this.account.name} > ${this.name}' store failure: ${String(err)}`);
    for (let i = 0; i < b.seqs.length; i++) this.reject(b.replies[i], e);
  }

  // ---- republish ----------------------------------------------------------------------------------

  private republishWork(seq: number, prevLast: number, subject: string, hdr: Buffer | undefined, data: Buffer): (() => void) | undefined {
    const dest = this.republishTransform!.apply(subject);
    if (dest === undefined) return undefined;
    const rp = this.cfg.republish!;
    const time = this.store.loadMsg(seq)?.time ?? nowNanos();
    const entries: [string, string][] = [
      ["Nats-Stream", this.name],
      ["Nats-Subject", subject],
      ["Nats-Sequence", String(seq)],
      ["Nats-Time-Stamp", nanosToRfc3339(time)],
      ["Nats-Last-Sequence", String(prevLast)],
    ];
    if (rp.headers_only) entries.push(["Nats-Msg-Size", String(data.length)]);
    const h = appendHeaders(hdr === undefined ? undefined : Buffer.from(hdr), entries);
    const body = rp.headers_only ? Buffer.alloc(0) : Buffer.from(data);
    return () => this.jsa.server.publishInternal(this.account, toWire(dest), undefined, body, h);
  }

  // ---- interest retention -------------------------------------------------------------------------

  /** Under interest retention, removes what no remaining consumer needs (after a consumer left). */
  private scheduleInterestCheck(): void {
    if (this.cfg.retention !== "interest" || this.interestCheck !== undefined) return;
    this.interestCheck = setImmediate(() => {
      this.interestCheck = undefined;
      this.checkInterest();
    });
  }

  /**
   * Walks the stream from `from` and removes every message no consumer needs, a slice per loop turn
   * so that a large stream does not hold up the event loop.
   */
  checkInterest(from = 1): void {
    if (!this.alive || this.cfg.retention !== "interest") return;
    const doomed: number[] = [];
    let m = this.store.loadNextMsg(">", from);
    for (let n = 0; m !== undefined && n < INTEREST_SLICE; n++, m = this.store.loadNextMsg(">", m.seq + 1)) {
      let needed = false;
      for (const c of this.consumers.values()) {
        if (c.needs(m.seq, m.subject)) {
          needed = true;
          break;
        }
      }
      if (!needed) doomed.push(m.seq);
    }
    const rep = this.replication;
    // A replicated stream's removals are entries of its group, proposed by the leader (whose consumers
    // hold the current state; the followers' stand by).
    if (rep === undefined) for (const seq of doomed) this.store.removeMsg(seq);
    else if (rep.isLeader) for (const seq of doomed) rep.deleteMsg(seq, false).catch(() => undefined);
    if (m !== undefined) {
      const next = m.seq;
      this.interestCheck = setImmediate(() => {
        this.interestCheck = undefined;
        this.checkInterest(next);
      });
    }
  }

  // ---- subject delete markers ---------------------------------------------------------------------

  /** A message aged out: once its subject holds nothing more, leave a marker (outside the listener). */
  private noteAged(subject: string): void {
    if (this.markerSubjects === undefined) {
      this.markerSubjects = new Set();
      setImmediate(() => this.placeMarkers());
    }
    this.markerSubjects.add(subject);
  }

  private placeMarkers(): void {
    const subjects = this.markerSubjects;
    this.markerSubjects = undefined;
    const ttl = this.cfg.subject_delete_marker_ttl;
    if (subjects === undefined || !ttl || !this.alive) return;
    const hdr = Buffer.from(buildHeaders([[JS_MARKER_REASON, "MaxAge"], [JS_MSG_TTL, formatGoDuration(ttl / 1e6)]]), "latin1");
    for (const s of subjects) {
      if (this.store.loadLastMsg(s) !== undefined) continue;
      try {
        this.storeInternal(s, hdr, Buffer.alloc(0), ttl);
      } catch {
        // A sealed or full stream gets no marker; the subject is gone either way.
      }
    }
  }

  // ---- lifecycle ----------------------------------------------------------------------------------

  /**
   * Rebuilds the dedup window and last Msg-Id from the stored messages (after a restart, or after a
   * replica's store was cut back or replaced: what the window held of messages gone must not stay),
   * plus `removed`: ids of messages no longer stored that were still in the window (removedDedup of the
   * state this store now stands for). The window is taken back from the last stored message's time, not
   * from the clock: a log replayed after a long stop carries its own times, and get() checks them.
   */
  recoverDedup(removed: readonly DedupRecord[] = []): void {
    this.dedup.clear();
    this.lastMsgId = "";
    const st = this.store.state();
    const window = this.cfg.duplicate_window ?? 0;
    if (st.msgs > 0) {
      const last = this.store.loadMsg(st.lastSeq);
      if (last?.hdr !== undefined) this.lastMsgId = headerValue(parseHeaders(last.hdr), JS_MSG_ID) ?? "";
      if (window > 0) {
        this.store.forEachHeader(this.store.seqForTime(Math.min(nowNanos(), st.lastTime) - window), (seq, time, hdr) => {
          const id = headerValue(parseHeaders(hdr), JS_MSG_ID);
          if (id) this.dedup.add(id, seq, time);
        });
      }
    }
    for (const [id, seq, time] of removed) this.dedup.add(id, seq, time);
  }

  /** The window's ids whose messages are no longer stored (a replica's store cannot give them back). */
  removedDedup(): DedupRecord[] {
    const out: DedupRecord[] = [];
    for (const [id, e] of this.dedup.entries()) if (this.store.nextSeq(">", e.seq) !== e.seq) out.push([id, e.seq, e.time]);
    return out;
  }

  /** Stops ingest and consumers; `persist` false when the stream is being deleted. */
  async stop(persist: boolean): Promise<void> {
    if (!this.alive) return;
    this.alive = false;
    this.resubscribe([]);
    for (const r of this.readers) r.stop();
    if (this.interestCheck !== undefined) clearImmediate(this.interestCheck);
    for (const c of [...this.consumers.values()]) await c.stop(persist).catch(() => undefined);
    this.unhookStore();
  }
}

/** The part of a config the store enforces. */
export function storeLimits(cfg: StreamConfig): {
  maxMsgs: number;
  maxBytes: number;
  maxAge: number;
  maxMsgsPerSubject: number;
  maxMsgSize: number;
  discard: "old" | "new";
  discardNewPerSubject: boolean;
} {
  return {
    maxMsgs: cfg.max_msgs,
    maxBytes: cfg.max_bytes,
    maxAge: cfg.max_age,
    maxMsgsPerSubject: cfg.max_msgs_per_subject,
    maxMsgSize: cfg.max_msg_size,
    discard: cfg.discard,
    discardNewPerSubject: cfg.discard_new_per_subject === true,
  };
}

/** The API error for a store refusal, as nats-server words it (10077 / 10054). */
export function storeFailure(e: unknown): ApiError {
  if (isStoreError(e)) {
    if (e.code === "msg_too_large") return jsError("JSStreamMessageExceedsMaximumErr");
    return jsErrorText("JSStreamStoreFailedF", e.message);
  }
  return jsErrorText("JSStreamStoreFailedF", e instanceof Error ? e.message : String(e));
}

/** Nats-Expected-*Sequence values: a number, anything else counts as 0 (as nats-server parses them). */
function parseSeq(v: string): number {
  return /^\d+$/.test(v) ? Number(v) : 0;
}

/** Nats-TTL: whole seconds, a Go duration, or `never`; at least 1s. ns, -1 for never, undefined if invalid. */
export function parseTtl(v: string): number | undefined {
  if (v === "never") return -1;
  let ns: number;
  if (/^\d+$/.test(v)) ns = Number(v) * 1e9;
  else {
    try {
      ns = Math.round(parseGoDuration(v) * 1e6);
    } catch {
      return undefined;
    }
  }
  if (!(ns >= 1e9)) return undefined;
  return ns;
}

function removeItem<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** A wire subject (latin1 bytes) as text. */
function fromWire(s: string): string {
  return isAscii(s) ? s : Buffer.from(s, "latin1").toString("utf8");
}

/** Text as a wire subject (latin1 bytes). */
function toWire(s: string): string {
  return isAscii(s) ? s : Buffer.from(s, "utf8").toString("latin1");
}
