/**
 * One RAFT group member's I/O shell around the pure core (raft-node.ts): a monotonic clock's ticks,
 * the log in a store/log DurableLog (group commit: one fdatasync per batch, durable() reported only
 * after it returns), the hard state beside it (hard-state-file.ts), snapshots, the transport, and the
 * state machine the committed entries are applied to. propose() resolves once its entry is committed
 * and applied here, and is rejected when this node stops leading before that (the entry may still
 * commit: a caller that retries must make its proposal idempotent, as Nats-Msg-Id does), with a
 * ProposalDroppedError when it is known never to commit.
 *
 * Files in `dir`: `log` (the DurableLog), `state` (term, vote, repair mark, and the synced mark as it
 * was then) and `mark` (the synced mark, written in place: synced-mark-file.ts; it wins over state's).
 *
 * Invariants:
 * - effects are carried out in the order the core returned them; a saveHardState, a cut of the log and
 *   a snapshot install complete before any later effect starts (a vote never leaves before it is on
 *   disk, nothing is written to a log being replaced);
 * - the synced mark on disk never exceeds what the log file holds durably: it is raised only to the
 *   core's durable index (advanced only after a sync returned), and lowered on disk before the log is
 *   cut or replaced below it;
 * - messages leave at the end of the loop turn they were sent in, in order, less those a later one of
 *   the same turn supersedes (transport.ts allows a loss; see flushOutbox);
 * - after start, damage (a checksum failure in the log or its snapshot frame, or a log ending before
 *   the synced mark) is handed to the core as `damaged` with the verified prefix only: it neither
 *   votes nor campaigns until it has caught up from a leader.
 *
 * Left open: the synced mark is written lazily (within MARK_EVERY_MS of a sync), so a log cut short
 * by less than that window after a crash is not detected.
 *
 * Mark and hard state writes run one at a time (writeChain); the state file is replaced only when the
 * hard state changed.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { DurableLog, type LogOptions, type OpenedLog } from "../store/log/durable-log.js";
import { assert } from "../util/assert.js";
import { decodeEntry, decodeMessage, decodeSnapshot, encodeEntry, encodeMessage, encodeSnapshot } from "./codec.js";
import type { Effect } from "./effects.js";
import type { Message } from "./messages.js";
import { GroupStoppedError, NotLeaderError, ProposalDroppedError } from "./errors.js";
import { readHardState, writeHardState, type PersistedState } from "./hard-state-file.js";
import { SyncedMarkFile } from "./synced-mark-file.js";
import { DEFAULT_TIMING, RaftNode, type RaftTiming, type Role } from "./raft-node.js";
import { channelOf, isAddressToken, type RaftTransport } from "./transport.js";
import type { Entry, HardState, Index, NodeId, Snapshot, Term } from "./types.js";

/**
 * How long after a sync the synced mark reaches the disk (one atomic file write per window: two
 * fsyncs and a rename, which queue in the file system's journal with every log's fdatasync). 250 ms
 * was tried: no gain could be measured, and it widens the window in which a cut log goes unnoticed.
 */
const MARK_EVERY_MS = 50;

/**
 * The most one tick advances the core's clock, in heartbeats. A process that stalled longer (a GC
 * pause, a write blocked in the kernel, SIGSTOP) resumes as if it had missed only this much: its
 * ticker runs before the messages that queued up meanwhile are read, and counting the whole stall
 * would make a follower campaign, or a leader step down, before it has heard that its peers were
 * there all along. The cost: a leader that died during our own stall is noticed that much later.
 */
const MAX_TICK_STEP_HEARTBEATS = 2;

export interface StateMachine {
  /** Committed entries, in order: normal ones carry proposals; noop and config entries may be skipped. */
  apply(entries: readonly Entry[]): void;
  /** Replaces the whole state by a snapshot's (the log's at start, or one installed from the leader). */
  restore(data: Buffer): void;
  /** The state through the last entry applied, for compaction. */
  snapshot(): Buffer;
}

export interface RaftGroupOptions {
  /** The group's name (a subject token). */
  group: string;
  /** This member's id (a subject token; raftNodeId(serverName) on a server). */
  id: NodeId;
  /** The initial voters, used until the log holds a configuration. */
  voters: readonly NodeId[];
  dir: string;
  transport: RaftTransport;
  stateMachine: StateMachine;
  timing?: Partial<RaftTiming>;
  /** Period of the clock's ticks (the core's timers fire on the first tick past their deadline). */
  tickMs?: number;
  /** An I/O failure stopped the group. */
  onError?: (err: unknown) => void;
  onLeaderChange?: (leader: NodeId | undefined, term: Term) => void;
}

interface Waiter {
  resolve: (index: Index) => void;
  reject: (err: Error) => void;
}

export class RaftGroup {
  readonly id: NodeId;
  readonly name: string;
  private readonly node: RaftNode;
  private log: DurableLog;
  /** Bumped when the log is replaced: completions of the old one are ignored. */
  private logGen = 0;
  private readonly statePath: string;
  private readonly logPath: string;
  private readonly sm: StateMachine;
  private readonly transport: RaftTransport;

  private queue: Effect[] = [];
  /** Effects are being carried out; `waiting` while one of them is awaited. */
  private busy = false;
  private waiting: Promise<void> | undefined;

  /** The hard state last asked for, and the synced mark's bounds (see the invariants). */
  private hard: HardState;
  private markFloor: Index;
  private markOnDisk: Index;
  private markWriting: Index | undefined;
  private readonly markFile: SyncedMarkFile;
  /** The hard state changed since the state file was last written. */
  private hardDirty = false;
  private writeChain: Promise<void> = Promise.resolve();
  private markTimer: NodeJS.Timeout | undefined;

  /** Messages of this loop turn, sent at its end (see flushOutbox). */
  private outbox: Message[] = [];
  /** This turn's proposals; those of submit() have no waiter. */
  private proposals: { data: Buffer; waiter: Waiter | undefined; dropped?: ((data: Buffer) => void) | undefined }[] = [];
  private flushScheduled = false;
  private readonly pending = new Map<Index, Waiter & { term: Term }>();
  private appliedIndex: Index;

  private stopped = false;
  private readonly ticker: NodeJS.Timeout;
  /** The core's clock (ms): the monotonic clock's steps, each capped at maxTickStep. */
  private clock = 0;
  private lastRealTime = performance.now();
  private readonly maxTickStep: number;
  private readonly unlisten: () => void;
  /** Peer messages that failed to decode (dropped). */
  droppedMessages = 0;

  private constructor(
    private readonly opts: RaftGroupOptions,
    opened: { log: DurableLog; snapshot: Snapshot | undefined; entries: Entry[]; damaged: boolean; saved: PersistedState | undefined; markFile: SyncedMarkFile; synced: Index },
  ) {
    this.id = opts.id;
    this.name = opts.group;
    this.sm = opts.stateMachine;
    this.transport = opts.transport;
    this.statePath = join(opts.dir, "state");
    this.logPath = join(opts.dir, "log");
    this.log = opened.log;
    const saved = opened.saved;
    this.hard = saved ?? { term: 0, votedFor: undefined, repairAbove: undefined };
    this.markFile = opened.markFile;
    this.markOnDisk = opened.synced;
    this.markFloor = Math.min(this.markOnDisk, this.log.lastIndex);
    if (opened.snapshot) this.sm.restore(opened.snapshot.data);
    this.appliedIndex = opened.snapshot?.index ?? 0;
    this.node = new RaftNode({
      id: opts.id,
      hardState: this.hard,
      snapshot: opened.snapshot,
      entries: opened.entries,
      voters: opts.voters,
      damaged: opened.damaged,
      random: Math.random,
      now: this.clock,
      ...(opts.timing && { timing: opts.timing }),
    });
    this.unlisten = this.transport.listen(opts.group, opts.id, (bytes) => this.onBytes(bytes));
    const heartbeatMs = opts.timing?.heartbeatMs ?? DEFAULT_TIMING.heartbeatMs;
    this.maxTickStep = MAX_TICK_STEP_HEARTBEATS * heartbeatMs;
    this.ticker = setInterval(() => this.onTick(), opts.tickMs ?? Math.max(1, Math.floor(heartbeatMs / 4)));
    this.ticker.unref();
    this.run(this.node.start());
  }

  /**
   * Opens (or creates) the member's files in `opts.dir` and starts it. Throws HardStateDamaged when the
   * state file fails its checksum, and the log's errors when it cannot be read.
   */
  static async open(opts: RaftGroupOptions): Promise<RaftGroup> {
    assert(isAddressToken(opts.group) && isAddressToken(opts.id), () => `raft: group ${JSON.stringify(opts.group)} or id ${JSON.stringify(opts.id)} is not a subject token`);
    mkdirSync(opts.dir, { recursive: true });
    const saved = readHardState(join(opts.dir, "state"));
    // The mark file is newer than the state file's mark whenever it holds one.
    const { file: markFile, mark: synced } = SyncedMarkFile.open(join(opts.dir, "mark"), saved?.synced ?? 0);
    const logPath = join(opts.dir, "log");
    // The log reports a failed write or sync to the group, which is made only after the log is open.
    let group: RaftGroup | undefined;
    const logOpts: LogOptions = { onError: (err) => group?.fail(err) };
    let opened: OpenedLog | undefined;
    try {
      opened = DurableLog.open(logPath, logOpts);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") {
        markFile.close();
        throw e;
      }
    }
    if (opened === undefined) {
      // No log: a new member, or a lost file (then the state says what was synced: damage).
      const log = await DurableLog.create(logPath, logOpts);
      return (group = new RaftGroup(opts, { log, snapshot: undefined, entries: [], damaged: synced > 0, saved, markFile, synced }));
    }
    // Frames are checksummed: a payload that does not decode is a bug or a foreign file, and throws.
    const log = opened.log;
    const snapshot = opened.snapshot && decodeSnapshot(opened.snapshot.index, opened.snapshot.data);
    const entries = opened.entries.map((b, i) => decodeEntry(log.firstIndex + i, b));
    const damaged = opened.damagedCopy !== undefined || log.lastIndex < synced;
    return (group = new RaftGroup(opts, { log, snapshot, entries, damaged, saved, markFile, synced }));
  }

  // ---- observation ----

  get role(): Role {
    return this.node.role;
  }
  get leader(): NodeId | undefined {
    return this.node.leaderId;
  }
  get term(): Term {
    return this.node.currentTerm;
  }
  get commitIndex(): Index {
    return this.node.commitIndex;
  }
  /** The last entry applied to the state machine here. */
  get applied(): Index {
    return this.appliedIndex;
  }
  /** Repairing damage found at start: no vote, no campaign until caught up. */
  get repairing(): boolean {
    return this.node.repairing;
  }
  get voters(): readonly NodeId[] {
    return this.node.voters;
  }
  get lastIndex(): Index {
    return this.node.lastIndex;
  }
  /** The last index the log's snapshot covers (0: none yet). */
  get snapshotIndex(): Index {
    return this.node.snapshot.index;
  }
  /** Leader only (empty otherwise): per other voter, how far its log matches and ms since it answered. */
  peerProgress(): { id: NodeId; matched: Index; heardAgoMs: number }[] {
    return this.node.peerProgress();
  }
  /** A membership change may be proposed now (this node leads, and the last change is committed). */
  get canChangeVoters(): boolean {
    return !this.stopped && this.node.canChangeVoters;
  }

  // ---- inputs ----

  /** Resolves with the entry's index once it is committed and applied here. */
  propose(data: Buffer): Promise<Index> {
    if (this.stopped) return Promise.reject(new GroupStoppedError(`raft group ${this.name} is stopped`));
    return new Promise((resolve, reject) => {
      this.queueProposal(data, { resolve, reject });
    });
  }

  /**
   * Proposes without waiting for the outcome: what a caller that learns it through the state machine
   * uses (a stream's publishes are answered at apply), without a promise per entry. When this node no
   * longer leads as the batch is proposed, the entry is dropped and given to `dropped`; one whose index
   * a later leader's entry takes is not reported (it is never applied here, and its proposer times out).
   */
  submit(data: Buffer, dropped?: (data: Buffer) => void): void {
    if (!this.stopped) this.queueProposal(data, undefined, dropped);
  }

  private queueProposal(data: Buffer, waiter: Waiter | undefined, dropped?: (data: Buffer) => void): void {
    this.proposals.push({ data, waiter, dropped });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushProposals());
    }
  }

  /**
   * Compacts the log up to what the state machine has applied, with its snapshot; or up to `at.index`
   * with `at.data`, a snapshot the state machine took when it had applied through that index (so that it
   * can make its own state durable in between, without stopping the applies).
   */
  takeSnapshot(at?: { index: Index; data: Buffer }): void {
    if (this.stopped) return;
    const index = at?.index ?? this.appliedIndex;
    assert(index <= this.appliedIndex, () => `raft ${this.name}: a snapshot at ${index} past what was applied (${this.appliedIndex})`);
    if (index > this.node.snapshot.index) this.run(this.node.takeSnapshot(index, at?.data ?? this.sm.snapshot()));
  }

  /** Adds or removes one voter (`voters` is the whole new set); only when canChangeVoters. */
  changeVoters(voters: readonly NodeId[]): void {
    assert(this.canChangeVoters, () => `raft ${this.name}: a membership change while it cannot make one`);
    this.run(this.node.changeVoters(voters));
  }

  /** Hands leadership to `to`, or to the most up-to-date voter (stepdown, lame duck). */
  transferLeadership(to?: NodeId): void {
    if (!this.stopped) this.run(this.node.transferLeadership(to));
  }

  /** Stops: pending proposals are rejected, the log is written out and fdatasynced, the mark saved. */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.halt();
    while (this.waiting) await this.waiting;
    await this.log.close();
    this.markFloor = this.log.lastIndex;
    await this.persist().finally(() => this.markFile.close());
  }

  /**
   * Stops as a crash would: what the log wrote stays (in the page cache), what it had not written yet
   * is lost, and no final mark is saved. The files can be opened again by a new RaftGroup.
   */
  async crash(): Promise<void> {
    if (this.stopped) return;
    this.halt();
    this.queue = [];
    await this.log.drop();
    await this.writeChain;
    this.markFile.close();
  }

  private halt(): void {
    this.stopped = true;
    clearInterval(this.ticker);
    if (this.markTimer) clearTimeout(this.markTimer);
    this.unlisten();
    const err = new GroupStoppedError(`raft group ${this.name} is stopped`);
    for (const p of this.proposals) p.waiter?.reject(err);
    this.proposals = [];
    this.rejectPending(err);
  }

  private onTick(): void {
    const leader = this.node.leaderId;
    if (this.node.role === "follower" && leader !== undefined && this.transport.reachable?.(this.name, leader) === false) this.run(this.node.leaderUnreachable());
    this.run(this.node.tick(this.advanceClock()));
  }

  private advanceClock(): number {
    const real = performance.now();
    this.clock += Math.min(this.maxTickStep, Math.max(0, real - this.lastRealTime));
    this.lastRealTime = real;
    return this.clock;
  }

  private onBytes(bytes: Buffer): void {
    if (this.stopped) return;
    let m;
    try {
      m = decodeMessage(bytes);
    } catch {
      this.droppedMessages++;
      return;
    }
    this.run(this.node.receive(m));
  }

  private flushProposals(): void {
    this.flushScheduled = false;
    const batch = this.proposals;
    this.proposals = [];
    if (batch.length === 0) return;
    if (!this.node.canPropose) {
      const err = new ProposalDroppedError(this.node.leaderId);
      for (const p of batch) {
        if (p.waiter !== undefined) p.waiter.reject(err);
        else p.dropped?.(p.data);
      }
      return;
    }
    const first = this.node.lastIndex + 1;
    const term = this.node.currentTerm;
    const effects = this.node.propose(batch.map((p) => p.data));
    for (let i = 0; i < batch.length; i++) {
      const w = batch[i]!.waiter;
      if (w !== undefined) this.pending.set(first + i, { term, resolve: w.resolve, reject: w.reject });
    }
    this.run(effects);
  }

  // ---- effects ----

  private run(effects: Effect[]): void {
    if (effects.length === 0 || this.stopped) return;
    for (const e of effects) this.queue.push(e);
    if (!this.busy) this.drain();
  }

  /** Carries out queued effects in order, synchronously until one must be awaited. */
  private drain(): void {
    this.busy = true;
    while (this.queue.length > 0) {
      let wait: Promise<void> | undefined;
      try {
        wait = this.carryOut(this.queue.shift()!);
      } catch (err) {
        this.busy = false;
        return this.fail(err);
      }
      if (wait) {
        this.waiting = wait.then(
          () => {
            this.waiting = undefined;
            this.drain();
          },
          (err) => {
            this.waiting = undefined;
            this.busy = false;
            this.fail(err);
          },
        );
        return;
      }
    }
    this.busy = false;
  }

  private carryOut(e: Effect): Promise<void> | undefined {
    switch (e.type) {
      case "saveHardState":
        this.hard = e.state;
        this.hardDirty = true;
        return this.persist();
      case "append":
        for (const x of e.entries) {
          const at = this.log.append(encodeEntry(x));
          assert(at === x.index, () => `raft ${this.name}: entry ${x.index} landed at ${at} in the log`);
        }
        return undefined;
      case "truncateAfter":
        return this.cut(e.index);
      case "sync": {
        const gen = this.logGen;
        this.log.sync().then(
          () => {
            if (gen !== this.logGen || this.stopped) return;
            this.run(this.node.durable(e.index, e.term));
            this.scheduleMark();
          },
          (err) => {
            if (gen === this.logGen) this.fail(err);
          },
        );
        return undefined;
      }
      case "apply":
        this.apply(e.entries);
        return undefined;
      case "saveSnapshot": {
        const gen = this.logGen;
        const index = e.snapshot.index;
        this.log.compact(index, encodeSnapshot(e.snapshot)).then(
          () => {
            if (gen === this.logGen && !this.stopped) this.run(this.node.snapshotSaved(index));
          },
          (err) => {
            if (gen === this.logGen) this.fail(err);
          },
        );
        return undefined;
      }
      case "installSnapshot":
        return this.install(e.snapshot);
      case "send":
        if (this.outbox.length === 0) queueMicrotask(() => this.flushOutbox());
        this.outbox.push(e.message);
        return undefined;
      case "leaderChanged":
        if (e.leader !== this.id) this.rejectPending(new NotLeaderError(e.leader));
        this.opts.onLeaderChange?.(e.leader, e.term);
        return undefined;
    }
  }

  /**
   * Sends the turn's messages, less those superseded by a later one to the same peer in the same term:
   * a successful append response by a later one (matched and durable only grow), an empty append (a
   * heartbeat, or the news of a commit) by any later append (it carries the same commit or a newer one,
   * and is answered too). At full speed every commit and every sync answer produced one of these:
   * two thirds of the traffic, when a route read holds many answers.
   */
  private flushOutbox(): void {
    const out = this.outbox;
    this.outbox = [];
    if (this.stopped) return;
    const later = new Set<string>();
    const keep: boolean[] = new Array<boolean>(out.length);
    for (let i = out.length - 1; i >= 0; i--) {
      const m = out[i]!;
      keep[i] = true;
      if (m.type === "appendResponse" && m.success) {
        const key = `r ${m.to} ${m.term}`;
        if (later.has(key)) keep[i] = false;
        else later.add(key);
      } else if (m.type === "append") {
        const key = `a ${m.to} ${m.term}`;
        if (m.entries.length === 0 && later.has(key)) keep[i] = false;
        else later.add(key);
      }
    }
    for (let i = 0; i < out.length; i++) {
      const m = out[i]!;
      if (keep[i]) this.transport.send(this.name, this.id, m.to, channelOf(m), encodeMessage(m));
    }
  }

  private apply(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    this.sm.apply(entries);
    this.appliedIndex = entries[entries.length - 1]!.index;
    for (const e of entries) {
      const p = this.pending.get(e.index);
      if (p === undefined) continue;
      this.pending.delete(e.index);
      if (p.term === e.term) p.resolve(e.index);
      else p.reject(new ProposalDroppedError(this.node.leaderId));
    }
  }

  private rejectPending(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /** Drops the entries after `index`; the mark comes down on disk first if it is above. */
  private async cut(index: Index): Promise<void> {
    await this.lowerMark(index);
    this.log.truncateAfter(index).catch(() => undefined); // a failure reaches fail() through onError
  }

  /** Replaces the state machine and the log by the leader's snapshot. */
  private async install(s: Snapshot): Promise<void> {
    this.sm.restore(s.data);
    this.appliedIndex = s.index;
    const log = this.log;
    const keeps = s.index > log.snapshotIndex && s.index <= log.lastIndex && decodeEntry(s.index, log.entries(s.index, s.index)[0]!).term === s.term;
    if (keeps) {
      await log.compact(s.index, encodeSnapshot(s));
    } else {
      await this.lowerMark(s.index);
      this.logGen++;
      await log.drop();
      this.log = await DurableLog.create(this.logPath, { onError: (err) => this.fail(err) }, { index: s.index, data: encodeSnapshot(s) });
    }
    this.run(this.node.snapshotSaved(s.index));
  }

  // ---- the state file ----

  private async lowerMark(index: Index): Promise<void> {
    this.markFloor = Math.min(this.markFloor, index);
    if (this.markOnDisk > index || (this.markWriting ?? 0) > index) await this.persist();
  }

  private scheduleMark(): void {
    if (this.markTimer !== undefined || this.node.durableThrough <= this.markOnDisk) return;
    this.markTimer = setTimeout(() => {
      this.markTimer = undefined;
      if (!this.stopped) this.persist().catch((err) => this.fail(err));
    }, MARK_EVERY_MS);
  }

  /**
   * Writes the synced mark, and the hard state when it changed, as they are when the write starts
   * (writes run in order).
   */
  private persist(): Promise<void> {
    const write = this.writeChain.then(async () => {
      const synced = Math.max(this.markFloor, this.node.durableThrough);
      this.markWriting = synced;
      try {
        if (this.hardDirty) {
          this.hardDirty = false;
          await writeHardState(this.statePath, { ...this.hard, synced });
        }
        await this.markFile.write(synced);
        this.markOnDisk = synced;
      } finally {
        this.markWriting = undefined;
      }
    });
    this.writeChain = write.catch(() => undefined);
    return write;
  }

  private fail(err: unknown): void {
    if (this.stopped) return;
    this.halt();
    this.queue = [];
    this.log.drop().catch(() => undefined);
    void this.writeChain.then(() => this.markFile.close());
    this.opts.onError?.(err);
  }
}
