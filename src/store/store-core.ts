/**
 * Everything the two stores have in common: sequence numbers, limits, the per-subject index, expiry,
 * purge semantics, queries and remove listeners. A subclass only decides where message bytes live
 * and how a change is made durable (the abstract hooks at the bottom).
 *
 * State invariants:
 * - lastSeq only grows; a message gets lastSeq + 1 (or a given higher sequence for raw stores);
 * - index and subjects hold exactly the live messages; msgs = index.live, bytes = sum of their sizes;
 * - every sequence below the first live one is gone for good ("the floor"); when the head of the index
 *   advances the subclass hears the new floor instead of one removal, which the file store persists as
 *   a single record;
 * - a message with a TTL (ttls map) is removed by its own deadline only, never by max_age;
 * - no message older than max_age without a TTL sits below ageCursor.
 */
import { nowNanos, NO_TIME } from "../util/nanos.js";
import { StoreError } from "./errors.js";
import { DeadlineTimer, TtlHeap } from "./expiry.js";
import { FilterCache, isLiteral, selectsAll } from "./filter.js";
import type { LiveIndex, SubjectIds } from "./live-index.js";
import { subjectByteLength } from "./msg-size.js";
import { FIXED, RecordKind, msgRecordLength, writeMarkerRecord, writeMsgRecord } from "./record.js";
import {
  NO_LIMITS,
  type LostData,
  type PurgeOptions,
  type RemoveListener,
  type RemoveReason,
  type StoreLimits,
  type StoreMsgOptions,
  type StoreOptions,
  type StoreResult,
  type StoredMsg,
  type StreamState,
  type StreamStore,
  type SubjectState,
} from "./types.js";

export interface MsgPayload {
  hdr: Buffer | undefined;
  data: Buffer;
}

/** Below this many subjects a wildcard lookup asks each matching subject instead of scanning messages. */
const FEW_SUBJECTS = 64;
const SNAPSHOT_CHUNK = 128 * 1024;

export abstract class BaseStore<R> implements StreamStore {
  abstract readonly kind: "memory" | "file";

  protected readonly index: LiveIndex<R>;
  protected readonly subjects: SubjectIds;
  private readonly filters: FilterCache;
  private cfg: StoreLimits;
  protected lastSeq = 0;
  protected lastTime = NO_TIME;
  private bytes = 0;
  /** Messages that carry a TTL (ns, or -1 for never). */
  private readonly ttls = new Map<number, number>();
  private readonly ttlHeap = new TtlHeap();
  private ageCursor = 0;
  private readonly timer: DeadlineTimer;
  private listeners: RemoveListener[] = [];
  protected closed = false;
  /** Set when the disk failed us: nothing more is accepted (see checkWritable). */
  protected failure: StoreError | undefined;
  protected lost: LostData | undefined;
  protected readonly now: () => number;

  protected constructor(index: LiveIndex<R>, subjects: SubjectIds, opts: StoreOptions = {}) {
    this.index = index;
    this.subjects = subjects;
    this.filters = new FilterCache(subjects);
    this.cfg = { ...NO_LIMITS, ...opts.limits };
    this.now = opts.now ?? nowNanos;
    this.timer = new DeadlineTimer(() => this.expire(), this.now);
  }

  // ---- writes -------------------------------------------------------------------------------------

  storeMsg(subject: string, hdr: Buffer | undefined, data: Buffer, opts?: StoreMsgOptions): StoreResult {
    this.checkWritable();
    const time = opts?.time ?? this.now();
    const seq = this.lastSeq + 1;
    this.insert(seq, subject, hdr, data, time, opts?.ttl);
    return { seq, time };
  }

  storeRawMsg(seq: number, subject: string, hdr: Buffer | undefined, data: Buffer, time: number, ttl?: number): void {
    this.checkWritable();
    if (!Number.isSafeInteger(seq) || seq <= this.lastSeq) {
      throw new StoreError("bad_sequence", `${seq} is not above the last sequence ${this.lastSeq}`);
    }
    this.insert(seq, subject, hdr, data, time, ttl);
  }

  skipMsg(): number {
    this.skipTo(this.lastSeq + 1);
    return this.lastSeq;
  }

  /** Consumes every sequence up to and including seq without storing messages. */
  skipTo(seq: number): void {
    this.checkWritable();
    if (seq <= this.lastSeq) return;
    this.lastSeq = seq;
    this.persistSkip(seq);
  }

  private insert(seq: number, subject: string, hdr: Buffer | undefined, data: Buffer, time: number, ttl: number | undefined): void {
    if (hdr !== undefined && hdr.length === 0) hdr = undefined;
    if (!(time >= 0)) time = 0; // records hold unsigned times; nothing predates 1970
    const hdrLen = hdr === undefined ? 0 : hdr.length;
    const subjectBytes = subjectByteLength(subject);
    const size = this.msgSize(subjectBytes, hdrLen, data.length);
    this.checkNewMsg(subject, hdrLen + data.length, size);
    if (ttl === 0) ttl = undefined;
    const ref = this.persistMsg(seq, time, subject, subjectBytes, hdr, data, ttl);
    const id = this.subjects.add(subject, seq);
    this.index.append(seq, time, size, id, ref);
    this.lastSeq = seq;
    this.lastTime = time;
    this.bytes += size;
    if (ttl !== undefined) {
      this.ttls.set(seq, ttl);
      if (ttl > 0) {
        this.ttlHeap.push(time + ttl, seq);
        this.timer.arm(time + ttl);
      }
    } else if (this.cfg.maxAge > 0) {
      this.timer.arm(time + this.cfg.maxAge);
    }
    this.enforceLimits(id);
  }

  /** Rejections that happen before anything is stored (max_msg_size, discard new). */
  private checkNewMsg(subject: string, rawLen: number, size: number): void {
    const c = this.cfg;
    if (c.maxMsgSize > 0 && rawLen > c.maxMsgSize) throw new StoreError("msg_too_large");
    if (c.discard !== "new") return;
    const id = c.maxMsgsPerSubject > 0 ? this.subjects.idOf(subject) : -1;
    // At the per-subject limit the new message replaces the subject's oldest, so totals do not grow.
    const replaces = id >= 0 && this.subjects.count(id) >= c.maxMsgsPerSubject;
    if (replaces && c.discardNewPerSubject) throw new StoreError("max_msgs_per_subject");
    if (c.maxMsgs > 0 && this.index.live >= c.maxMsgs && !replaces) throw new StoreError("max_msgs");
    if (c.maxBytes > 0 && this.bytes + size > c.maxBytes) {
      const freed = replaces ? this.index.sizeAt(this.index.find(this.subjects.first(id))) : 0;
      if (this.bytes - freed + size > c.maxBytes) throw new StoreError("max_bytes");
    }
  }

  /** Discard-old enforcement after a store to subject id, or of new limits for every subject (id undefined). */
  private enforceLimits(id?: number): void {
    const c = this.cfg;
    if (c.maxMsgsPerSubject > 0) {
      const s = this.subjects;
      // count() is 0 for an id that is not live: every id below the limit may be asked.
      for (let i = id ?? 0; i <= (id ?? s.idLimit - 1); i++) {
        while (s.count(i) > c.maxMsgsPerSubject) this.removeAt(this.index.find(s.first(i)), "limit", false);
      }
    }
    if (c.maxMsgs > 0) {
      while (this.index.live > c.maxMsgs) this.removeAt(this.index.firstPos(), "limit", false);
    }
    if (c.maxBytes > 0) {
      while (this.bytes > c.maxBytes && this.index.live > 0) this.removeAt(this.index.firstPos(), "limit", false);
    }
    this.index.compact();
  }

  // ---- removals -----------------------------------------------------------------------------------

  removeMsg(seq: number, opts?: { erase?: boolean }): boolean {
    this.checkWritable();
    const p = this.index.find(seq);
    if (p < 0) return false;
    this.removeAt(p, "delete", opts?.erase === true);
    this.index.compact();
    return true;
  }

  purge(opts: PurgeOptions = {}): number {
    this.checkWritable();
    const filter = opts.filter ?? "";
    const below = opts.seq !== undefined && opts.seq > 0 ? opts.seq : 0;
    const keep = opts.keep !== undefined && opts.keep > 0 ? opts.keep : 0;
    if (selectsAll(filter)) {
      if (keep === 0) return this.compact(below > 0 ? below : this.lastSeq + 1);
      if (keep >= this.index.live) return 0;
      // The keep-th newest live message is the first one kept.
      let p = this.index.lastPos();
      for (let k = 1; k < keep; k++) p = this.index.prevLive(p - 1);
      const bound = this.index.seqAt(p);
      return this.removeBelow(below > 0 ? Math.min(below, bound) : bound, "purge");
    }
    const candidates = this.matchingSeqs(filter);
    const limit = keep > 0 ? candidates.length - keep : candidates.length;
    let n = 0;
    for (const seq of candidates) {
      if (n >= limit || (below > 0 && seq >= below)) break;
      this.removeAt(this.index.find(seq), "purge", false);
      n++;
    }
    this.index.compact();
    return n;
  }

  compact(seq: number): number {
    this.checkWritable();
    if (seq <= this.lastSeq + 1) return this.removeBelow(seq, "purge");
    const n = this.removeBelow(Infinity, "purge");
    this.lastSeq = seq - 1;
    this.persistFloor(seq);
    return n;
  }

  async truncate(seq: number): Promise<void> {
    this.checkWritable();
    if (!Number.isSafeInteger(seq) || seq < 0) throw new StoreError("bad_sequence", `cannot truncate to ${seq}`);
    if (seq >= this.lastSeq) return;
    for (let p = this.index.lastPos(); p >= 0 && this.index.seqAt(p) > seq; p = this.index.lastPos()) this.dropAt(p, "purge");
    this.index.compact();
    this.lastSeq = seq;
    this.ageCursor = Math.min(this.ageCursor, seq + 1);
    const last = this.index.lastPos();
    if (last >= 0) this.lastTime = this.index.timeAt(last);
    await this.persistTruncate(seq);
  }

  /** Removes every live message below seq, in order; one floor for the subclass instead of n removals. */
  private removeBelow(seq: number, reason: RemoveReason): number {
    let n = 0;
    for (let p = this.index.firstPos(); p >= 0 && this.index.seqAt(p) < seq; p = this.index.firstPos()) {
      this.dropAt(p, reason);
      n++;
    }
    if (n > 0) this.persistFloor(this.firstLiveOrNext());
    this.index.compact();
    return n;
  }

  /** Removes the message at index position p (which must be live). */
  private removeAt(p: number, reason: RemoveReason, erase: boolean): void {
    const wasHead = p === this.index.firstPos();
    const seq = this.index.seqAt(p);
    const ref = this.index.refAt(p);
    this.dropAt(p, reason);
    this.persistRemoval(seq, ref, wasHead ? this.firstLiveOrNext() : 0, erase);
  }

  /** In-memory part of a removal, then listeners. */
  private dropAt(p: number, reason: RemoveReason): void {
    const seq = this.index.seqAt(p);
    const id = this.index.subjAt(p);
    // Taken before the removal may release the id; a string is made only for someone to hear it.
    const subject = this.listeners.length > 0 ? this.subjects.subjectOf(id) : "";
    this.bytes -= this.index.sizeAt(p);
    this.index.removeAt(p);
    this.subjects.remove(id, seq);
    if (this.ttls.size > 0) this.ttls.delete(seq);
    this.released(seq);
    for (const l of this.listeners) {
      try {
        l(seq, subject, reason);
      } catch (err) {
        // A listener's bug must not leave a removal half done (unpersisted); it surfaces on its own.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  private firstLiveOrNext(): number {
    const p = this.index.firstPos();
    return p >= 0 ? this.index.seqAt(p) : this.lastSeq + 1;
  }

  /** Sequences of live messages matching a (non-"all") filter, ascending. */
  private matchingSeqs(filter: string): number[] {
    if (isLiteral(filter)) {
      const id = this.subjects.idOf(filter);
      return id < 0 ? [] : this.subjects.seqs(id);
    }
    const out: number[] = [];
    this.forEachSubject(this.filters.matcher(filter), (id) => {
      for (const seq of this.subjects.seqs(id)) out.push(seq);
    });
    return out.sort((a, b) => a - b);
  }

  /**
   * Visits the id of every subject with live messages (that passes match, when given), in id order. Ids
   * are not renumbered when subjects go, so the walk stops at the last live one rather than at idLimit.
   */
  private forEachSubject(match: ((id: number) => boolean) | undefined, visit: (id: number) => void): void {
    const s = this.subjects;
    const n = s.size;
    for (let id = 0, seen = 0; seen < n && id < s.idLimit; id++) {
      if (s.count(id) === 0) continue;
      seen++;
      if (match === undefined || match(id)) visit(id);
    }
  }

  // ---- expiry -------------------------------------------------------------------------------------

  /** Removes what max_age and TTLs say is due, then arms the timer for the next deadline. */
  protected expire(): void {
    if (this.closed || this.failure) return;
    const now = this.now();
    while (this.ttlHeap.peek() <= now) {
      const seq = this.ttlHeap.pop();
      const p = this.index.find(seq);
      if (p >= 0 && this.ttls.has(seq)) this.removeAt(p, "ttl", false);
    }
    let next = this.ttlHeap.peek();
    const maxAge = this.cfg.maxAge;
    if (maxAge > 0) {
      const cutoff = now - maxAge;
      let p = this.index.nextLive(this.index.lowerBound(this.ageCursor));
      while (p >= 0) {
        if (!this.ttls.has(this.index.seqAt(p))) {
          if (this.index.timeAt(p) > cutoff) break;
          this.removeAt(p, "age", false);
        }
        p = this.index.nextLive(p + 1);
      }
      if (p >= 0) {
        this.ageCursor = this.index.seqAt(p);
        next = Math.min(next, this.index.timeAt(p) + maxAge);
      } else {
        this.ageCursor = this.lastSeq + 1;
      }
    }
    this.index.compact();
    if (next !== Infinity) this.timer.arm(next);
  }

  /** Rebuilds the TTL schedule for a message found at startup (file store recovery). */
  protected restoreTtl(seq: number, time: number, ttl: number): void {
    this.ttls.set(seq, ttl);
    if (ttl > 0) this.ttlHeap.push(time + ttl, seq);
  }

  // ---- limits and listeners -----------------------------------------------------------------------

  updateLimits(limits: Partial<StoreLimits>): void {
    this.checkWritable();
    this.cfg = { ...this.cfg, ...limits };
    this.enforceLimits();
    this.ageCursor = 0;
    this.timer.cancel();
    this.expire();
  }

  limits(): StoreLimits {
    return { ...this.cfg };
  }

  onRemove(listener: RemoveListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  // ---- reads --------------------------------------------------------------------------------------

  loadMsg(seq: number): StoredMsg | undefined {
    this.checkOpen();
    const p = this.index.find(seq);
    return p < 0 ? undefined : this.materialize(p);
  }

  loadNextMsg(filter: string, startSeq: number): StoredMsg | undefined {
    const seq = this.nextSeq(filter, startSeq);
    return seq === 0 ? undefined : this.loadMsg(seq);
  }

  nextSeq(filter: string, startSeq: number): number {
    this.checkOpen();
    const start = Math.max(1, startSeq);
    if (selectsAll(filter)) {
      const p = this.index.nextLive(this.index.lowerBound(start));
      return p < 0 ? 0 : this.index.seqAt(p);
    }
    if (isLiteral(filter)) {
      const id = this.subjects.idOf(filter);
      return id < 0 ? 0 : this.subjects.nextFrom(id, start);
    }
    const match = this.filters.matcher(filter);
    if (this.subjects.size <= FEW_SUBJECTS) {
      let best = 0;
      this.forEachSubject(match, (id) => {
        const s = this.subjects.nextFrom(id, start);
        if (s > 0 && (best === 0 || s < best)) best = s;
      });
      return best;
    }
    for (let p = this.index.nextLive(this.index.lowerBound(start)); p >= 0; p = this.index.nextLive(p + 1)) {
      if (match(this.index.subjAt(p))) return this.index.seqAt(p);
    }
    return 0;
  }

  loadLastMsg(filter: string): StoredMsg | undefined {
    this.checkOpen();
    let seq = 0;
    if (selectsAll(filter)) {
      const p = this.index.lastPos();
      seq = p < 0 ? 0 : this.index.seqAt(p);
    } else if (isLiteral(filter)) {
      const id = this.subjects.idOf(filter);
      seq = id < 0 ? 0 : this.subjects.last(id);
    } else {
      const match = this.filters.matcher(filter);
      if (this.subjects.size <= FEW_SUBJECTS) {
        this.forEachSubject(match, (id) => (seq = Math.max(seq, this.subjects.last(id))));
      } else {
        for (let p = this.index.lastPos(); p >= 0; p = this.index.prevLive(p - 1)) {
          if (match(this.index.subjAt(p))) {
            seq = this.index.seqAt(p);
            break;
          }
        }
      }
    }
    return seq === 0 ? undefined : this.loadMsg(seq);
  }

  seqForTime(time: number): number {
    this.checkOpen();
    // Times follow sequences (up to clock steps back, where the answer is approximate, as in nats-server).
    const p = this.index.nextLive(this.index.lowerBoundTime(time));
    return p < 0 ? this.lastSeq + 1 : this.index.seqAt(p);
  }

  forEachHeader(startSeq: number, visit: (seq: number, time: number, hdr: Buffer) => void): void {
    this.checkOpen();
    for (let p = this.index.nextLive(this.index.lowerBound(Math.max(1, startSeq))); p >= 0; p = this.index.nextLive(p + 1)) {
      const seq = this.index.seqAt(p);
      const { hdr } = this.loadPayload(seq, this.index.refAt(p));
      if (hdr !== undefined) visit(seq, this.index.timeAt(p), hdr);
    }
  }

  private materialize(p: number): StoredMsg {
    const seq = this.index.seqAt(p);
    const { hdr, data } = this.loadPayload(seq, this.index.refAt(p));
    const msg: StoredMsg = {
      seq,
      subject: this.subjects.subjectOf(this.index.subjAt(p)),
      time: this.index.timeAt(p),
      hdr,
      data,
    };
    const ttl = this.ttlOf(seq);
    if (ttl !== undefined) msg.ttl = ttl;
    return msg;
  }

  /** The per-message TTL of a live message, undefined when it has none. */
  protected ttlOf(seq: number): number | undefined {
    return this.ttls.size > 0 ? this.ttls.get(seq) : undefined;
  }

  // ---- state --------------------------------------------------------------------------------------

  state(): StreamState {
    const msgs = this.index.live;
    const first = this.index.firstPos();
    const firstSeq = msgs > 0 ? this.index.seqAt(first) : this.lastSeq === 0 ? 0 : this.lastSeq + 1;
    const st: StreamState = {
      msgs,
      bytes: this.bytes,
      firstSeq,
      firstTime: msgs > 0 ? this.index.timeAt(first) : NO_TIME,
      lastSeq: this.lastSeq,
      lastTime: this.lastTime,
      numDeleted: msgs > 0 ? this.lastSeq - firstSeq + 1 - msgs : 0,
      numSubjects: this.subjects.size,
    };
    if (this.lost) st.lost = { msgs: [...this.lost.msgs], bytes: this.lost.bytes };
    return st;
  }

  deletedSeqs(): number[] {
    const out: number[] = [];
    let p = this.index.firstPos();
    if (p < 0) return out;
    let prev = this.index.seqAt(p);
    for (p = this.index.nextLive(p + 1); p >= 0; p = this.index.nextLive(p + 1)) {
      const s = this.index.seqAt(p);
      for (let x = prev + 1; x < s; x++) out.push(x);
      prev = s;
    }
    for (let x = prev + 1; x <= this.lastSeq; x++) out.push(x);
    return out;
  }

  subjectsState(filter: string): Map<string, SubjectState> {
    const out = new Map<string, SubjectState>();
    const s = this.subjects;
    const add = (id: number): void => {
      out.set(s.subjectOf(id), { first: s.first(id), last: s.last(id), msgs: s.count(id) });
    };
    if (isLiteral(filter) && !selectsAll(filter)) {
      const id = s.idOf(filter);
      if (id >= 0) add(id);
    } else {
      this.forEachSubject(selectsAll(filter) ? undefined : this.filters.matcher(filter), add);
    }
    return out;
  }

  numPending(startSeq: number, filter: string, lastPerSubject: boolean): number {
    const start = Math.max(1, startSeq);
    if (lastPerSubject) {
      let n = 0;
      for (const st of this.subjectsState(filter).values()) if (st.last >= start) n++;
      return n;
    }
    if (selectsAll(filter)) return this.index.countLiveFrom(this.index.lowerBound(start));
    if (isLiteral(filter)) {
      const id = this.subjects.idOf(filter);
      return id < 0 ? 0 : this.subjects.countFrom(id, start);
    }
    const match = this.filters.matcher(filter);
    const first = this.index.firstPos();
    if (first < 0) return 0;
    let n = 0;
    if (start <= this.index.seqAt(first)) {
      this.forEachSubject(match, (id) => (n += this.subjects.count(id)));
      return n;
    }
    return this.countMatchingFrom(start, match);
  }

  /**
   * Live messages at or after start whose subject id passes match. Per subject by default (each a
   * binary search in memory); the file store, whose per-subject lists are not in memory, scans instead.
   */
  protected countMatchingFrom(start: number, match: (id: number) => boolean): number {
    let n = 0;
    this.forEachSubject(match, (id) => (n += this.subjects.countFrom(id, start)));
    return n;
  }

  // ---- snapshot -----------------------------------------------------------------------------------

  async *snapshot(chunkSize = SNAPSHOT_CHUNK): AsyncGenerator<Buffer> {
    this.checkOpen();
    const st = this.state();
    let chunk = Buffer.allocUnsafe(Math.max(chunkSize, 64));
    let used = writeMarkerRecord(chunk, 0, RecordKind.SnapshotHeader, st.lastSeq, st.lastTime, st.firstSeq);
    for (let seq = this.nextSeq("", st.firstSeq); seq > 0 && seq <= st.lastSeq; seq = this.nextSeq("", seq + 1)) {
      const m = this.loadMsg(seq)!;
      const need = msgRecordLength(subjectByteLength(m.subject), m.hdr?.length ?? 0, m.data.length, m.ttl !== undefined);
      if (used + need > chunk.length && used > 0) {
        yield chunk.subarray(0, used);
        if (this.closed) return;
        chunk = Buffer.allocUnsafe(Math.max(chunkSize, need + FIXED));
        used = 0;
      }
      used += writeMsgRecord(chunk, used, m.seq, m.time, m.ttl, m.subject, m.hdr, m.data);
    }
    if (used > 0) yield chunk.subarray(0, used);
  }

  // ---- lifecycle ----------------------------------------------------------------------------------

  protected checkWritable(): void {
    if (this.closed) throw new StoreError("closed");
    if (this.failure) throw this.failure;
  }

  protected checkOpen(): void {
    if (this.closed) throw new StoreError("closed");
  }

  /** Stops timers and marks the store closed; subclasses release their resources after. */
  protected shutdown(): void {
    this.closed = true;
    this.timer.cancel();
    this.listeners = [];
  }

  /** Starts expiry after a subclass has loaded existing messages. */
  protected startExpiry(): void {
    this.ageCursor = 0;
    this.expire();
  }

  /** For recovery: adds a message found on disk to the in-memory state without persisting anything. */
  protected recoverMsg(seq: number, subject: string, time: number, size: number, ttl: number | undefined, ref: R | undefined): void {
    const id = this.subjects.add(subject, seq);
    this.index.append(seq, time, size, id, ref);
    this.bytes += size;
    if (ttl !== undefined) this.restoreTtl(seq, time, ttl);
  }

  /**
   * For recovery: forgets a live message whose removal record was found on disk, without persisting
   * anything or telling listeners (nobody has heard of the message yet).
   */
  protected recoverRemoval(seq: number): void {
    const p = this.index.find(seq);
    if (p < 0) return;
    this.bytes -= this.index.sizeAt(p);
    this.subjects.remove(this.index.subjAt(p), seq);
    this.index.removeAt(p);
    if (this.ttls.size > 0) this.ttls.delete(seq);
  }

  /** For recovery: forgets everything recovered so far (a saved state turned out not to match the data). */
  protected forgetRecovered(): void {
    this.subjects.clear();
    this.ttls.clear();
    this.ttlHeap.clear();
    this.bytes = 0;
  }

  /** For recovery from a saved state: the totals that recoverMsg would have summed. */
  protected restoreTotals(bytes: number, ttls: Iterable<[number, number, number]>): void {
    this.bytes = bytes;
    for (const [seq, time, ttl] of ttls) this.restoreTtl(seq, time, ttl);
  }

  /** Per-message TTLs of live messages (seq, time, ttl), for a saved state. */
  protected *liveTtls(): Generator<[number, number, number]> {
    for (const [seq, ttl] of this.ttls) {
      const p = this.index.find(seq);
      if (p >= 0) yield [seq, this.index.timeAt(p), ttl];
    }
  }

  protected get totalBytes(): number {
    return this.bytes;
  }

  /** For recovery: applies limits (which may have changed while stopped) to what was loaded. */
  protected enforceLoadedLimits(): void {
    this.enforceLimits();
  }

  abstract sync(): Promise<void>;
  abstract flush(): Promise<void>;
  abstract stop(): Promise<void>;
  abstract delete(): Promise<void>;

  /** Bytes a message counts for (msg-size.ts, by storage type). */
  protected abstract msgSize(subjectBytes: number, hdrLen: number, dataLen: number): number;
  /** Keeps the message; returns what the index keeps for it (the memory store's copy). Throws to refuse. */
  protected abstract persistMsg(
    seq: number,
    time: number,
    subject: string,
    subjectBytes: number,
    hdr: Buffer | undefined,
    data: Buffer,
    ttl: number | undefined,
  ): R | undefined;
  protected abstract loadPayload(seq: number, ref: R | undefined): MsgPayload;
  /** Bookkeeping for every removed message, before its removal is persisted (one way or another). */
  protected abstract released(seq: number): void;
  /**
   * One message was removed. floor > 0 when the removal advanced the first sequence: everything below
   * floor is now gone. erase: overwrite the bytes.
   */
  protected abstract persistRemoval(seq: number, ref: R | undefined, floor: number, erase: boolean): void;
  /** Everything below floor is gone (purge, compact). */
  protected abstract persistFloor(floor: number): void;
  /** lastSeq moved to seq without a message. */
  protected abstract persistSkip(seq: number): void;
  /** Everything above seq is gone, as if never stored (see truncate). */
  protected abstract persistTruncate(seq: number): Promise<void>;
}
