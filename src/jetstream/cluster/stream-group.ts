/**
 * A replicated stream's local replica: its Stream (registered in jsa.streams on every peer) and its
 * RAFT group (`<stream dir>/raft/`), the stream side of stream-replica.ts.
 *
 * The leader proposes every publish, purge, delete and config change as an entry (stream-entries.ts);
 * every replica applies the committed entries in order with the Stream's apply* methods, so every
 * store is the same function of the committed log, and the replica that proposed an entry answers it.
 *
 * Invariants:
 * - entries are applied in log order, none twice: while the replica is "busy" (opening, cutting its
 *   store back to a snapshot, fetching what a snapshot stands for) committed entries wait in `backlog`
 *   and are applied once the store matches the snapshot; a store that adopted a peer's state (the
 *   catch-up) reflects that peer's entries through `adoptedThrough`, so their message, purge and delete
 *   entries are skipped here (consumer and config entries still apply: the store does not hold them);
 * - at open, the store is cut back to the snapshot's last sequence (or emptied without a snapshot) and
 *   the log after it is replayed: the store never holds an entry twice;
 * - the log is compacted only through entries the store has fdatasynced (the snapshot of the state at
 *   index i compacts the log once a store flush begun after i's apply has completed);
 * - a busy replica (its store behind its log) does not stay leader: it hands the leadership on.
 */
import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { RaftGroup, type StateMachine } from "../../raft/raft-group.js";
import { forgetLog } from "../../raft/forget-log.js";
import { raftNodeId } from "../../raft/node-id.js";
import type { Entry, NodeId } from "../../raft/types.js";
import { assert } from "../../util/assert.js";
import { nowNanos } from "../../util/nanos.js";
import { NotLeaderError } from "../../raft/errors.js";
import { ApiError, jsError } from "../errors.js";
import type { JsAccount } from "../js-account.js";
import { decodeStreamConfig, normalizeStreamConfig, sameStreamConfig, streamConfigJson, type StreamConfig } from "../stream/config.js";
import { addStream, RAFT_DIR, writeMeta } from "../stream/manager.js";
import { openStore } from "../stream/stream-files.js";
import type { PurgeRequest } from "../stream/purge.js";
import type { StreamReplication } from "../stream/replication.js";
import type { DedupRecord, Stream } from "../stream/stream.js";
import { NrgTransport } from "./nrg-transport.js";
import { ConsumerReplication, type ConsumerStates } from "./consumer-replication.js";
import { CatchupChannel, cutToSnapshot, storeChunk, type SnapshotBounds } from "./stream-catchup.js";
import { decodeEntry, encodeMsg, encodeOp, EntryType, type OpEntry } from "./stream-entries.js";
import type { AdoptedStream, ClusterInfo, OpenStreamReplica, ReplicaInfo, StreamPlacement, StreamReplica } from "./stream-replica.js";

/** What the group's snapshot holds: the store's bounds through the snapshot's entry, and the consumers. */
interface SnapshotData extends SnapshotBounds {
  /** The entry it was taken at (absent in snapshots of earlier versions). */
  index?: number;
  /** Dedup window ids of messages no longer stored (the store cannot give them back). */
  dedup?: DedupRecord[];
  consumers?: ConsumerStates;
}

export interface StreamGroupTuning {
  /** RAFT timing (tests shorten it). */
  timing?: { heartbeatMs?: number; electionMinMs?: number; electionMaxMs?: number };
  /** Entries applied since the last snapshot before another is attempted. */
  snapshotEvery?: number;
  /** How often the replica looks at whether a snapshot is due. */
  snapshotCheckMs?: number;
}

const DEFAULT_SNAPSHOT_EVERY = 8192;
const DEFAULT_SNAPSHOT_CHECK_MS = 2000;
/** How long a replica whose store holds removals made after its snapshot waits for a peer's state. */
const ADOPT_WAIT_MS = 5000;
/** A peer heard from within this long, and not behind, is `current`. */
const CURRENT_MS = 2000;

/** Opens replicas with the default tuning. */
export const openStreamReplica: OpenStreamReplica = (jsa, cfg, created, placement, adopt) => StreamGroup.open(jsa, cfg, created, placement, {}, adopt);

interface Waiter {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class StreamGroup implements StreamReplica, StreamReplication, StateMachine {
  private streamRef: Stream | undefined;
  private raftRef: RaftGroup | undefined;
  private catchup: CatchupChannel | undefined;
  private readonly self: NodeId;
  /** Set while the store is being brought to the snapshot; committed entries wait in backlog. */
  private busy: Promise<void> | undefined = undefined;
  private backlog: Entry[] = [];
  /** The snapshot restore() was given and not yet brought into the store. */
  private restoring: SnapshotData | undefined;
  private restored = false;
  /** The store reflects the message, purge and delete entries through this index (adopted from a peer). */
  private adoptedThrough = 0;
  private readonly waiters = new Map<string, Waiter>();
  private nextRid = 0;
  private readonly leaderListeners = new Set<(isLeader: boolean) => void>();
  private leading = false;
  /** Leading, with the whole log applied since the election: the consumers are promoted (whenServing). */
  private serving = false;
  private readonly servingWaiters = new Set<(serving: boolean) => void>();
  /** The latest config the meta group committed (the leader proposes it if the group's differs). */
  private wanted: StreamConfig | undefined;
  private readonly names = new Map<NodeId, string>();
  private snapshotTimer: NodeJS.Timeout | undefined;
  private snapshotIndex = 0;
  private snapshotting = false;
  private closed = false;
  /** Until the adopted store of a stream that grew from one replica is in a snapshot (snapshotAdopted). */
  private adopting: Promise<void> | undefined;
  /** The peers last asked for (setPeers): a loop already changing the voters follows the newest ask. */
  private wantedPeers: readonly NodeId[] | undefined;
  /** Messages fetched from the leader to bring the store to a snapshot (catch-up and repair). */
  fetched = 0;
  readonly consumers: ConsumerReplication = new ConsumerReplication(this);

  private constructor(
    private readonly jsa: JsAccount,
    readonly placement: StreamPlacement,
    private readonly tuning: StreamGroupTuning,
  ) {
    this.self = raftNodeId(jsa.server.name);
    this.names.set(this.self, jsa.server.name);
  }

  /** Opens (creating or recovering) this server's replica of a placed stream. */
  static async open(jsa: JsAccount, cfg: StreamConfig, created: number, placement: StreamPlacement, tuning: StreamGroupTuning = {}, adopt?: AdoptedStream): Promise<StreamGroup> {
    const g = new StreamGroup(jsa, placement, tuning);
    assert(placement.peers.includes(g.self), () => `stream ${cfg.name}: opened on ${jsa.server.name}, which is not one of its peers`);
    let opened!: () => void;
    g.busy = new Promise((r) => (opened = r));
    // Damage the store finds as it opens (a record failing its checksum) makes all of it suspect.
    let damaged = false;
    // Before the consumers join: an adopted stream's consumers keep their state.
    if (adopt !== undefined) g.consumers.restore(adopt.consumers);
    const store =
      adopt?.store ??
      (await openStore(jsa, cfg, cfg.storage === "file" ? jsa.streamDir(cfg.name) : undefined, (r) => {
        if (r.kind.startsWith("corrupt")) damaged = true;
      }));
    await addStream(jsa, cfg, created, store, (s) => {
      g.streamRef = s;
      s.setReplication(g);
    });
    const dir = join(jsa.streamDir(cfg.name), RAFT_DIR);
    // A replica bringing its own store to a snapshot does not answer fetches from it.
    g.catchup = new CatchupChannel(jsa.server, placement.group, g.self, () => (g.busy === undefined ? { store: g.stream.store, applied: Math.max(g.raft.applied, g.adoptedThrough), removedDedup: () => g.stream.removedDedup() } : undefined));
    // A stream growing from one replica (placement.from): the adopting peer leads alone at first, a
    // peer added then knows only the voters it had; both only while the group has no files yet.
    const fresh = !existsSync(dir);
    // A memory store comes back empty: the group forgets its log too, as nats-server's in-memory log
    // does, so that a stream whose replicas all restarted comes back empty with a leader instead of
    // waiting for messages nobody holds. (One replica restarting catches up from the others.)
    if (!fresh && cfg.storage === "memory" && adopt === undefined) await forgetLog(dir);
    const voters = adopt !== undefined ? [g.self] : fresh && placement.from !== undefined ? placement.from : placement.peers;
    try {
      await mkdir(dir, { recursive: true });
      g.raftRef = await RaftGroup.open({
        group: placement.group,
        id: g.self,
        voters,
        dir,
        transport: new NrgTransport(jsa.server),
        stateMachine: g,
        ...(tuning.timing && { timing: tuning.timing }),
        onLeaderChange: () => g.leaderChanged(),
        onError: (err) => jsa.server.logger.error(`JetStream stream '${jsa.account.name} > ${cfg.name}' group ${placement.group} stopped: ${String(err)}`),
      });
    } catch (e) {
      // Without its group (a state file failing its checksum, an unreadable log) the replica does not serve.
      g.closed = true;
      g.catchup.close();
      if (jsa.streams.get(cfg.name) === g.stream) jsa.streams.delete(cfg.name);
      await g.stream.stop(true);
      await g.stream.store.stop();
      jsa.streamsChanged();
      throw e;
    }
    g.snapshotIndex = g.raft.applied;
    // restore() ran inside open when the log had a snapshot; without one the whole log replays.
    // An adopted store is the state as it is: nothing in the new log stands for it yet.
    const snap = g.restoring ?? (g.restored || adopt !== undefined ? undefined : { firstSeq: 0, lastSeq: Math.max(0, (cfg.first_seq || 1) - 1) });
    g.restoring = undefined;
    g.busy = undefined;
    opened();
    g.bringStore(snap, damaged);
    g.snapshotTimer = setInterval(() => g.maybeSnapshot(), tuning.snapshotCheckMs ?? DEFAULT_SNAPSHOT_CHECK_MS);
    g.snapshotTimer.unref();
    if (adopt !== undefined) {
      g.stream.recoverDedup();
      g.adopting = g.snapshotAdopted()
        .catch((err: unknown) => jsa.server.logger.error(`JetStream stream '${jsa.account.name} > ${cfg.name}': adopting its store: ${String(err)}`))
        .finally(() => {
          g.adopting = undefined;
          if (g.wantedPeers !== undefined && g.leading) void g.setPeers(g.wantedPeers);
        });
    }
    return g;
  }

  /**
   * Puts the adopted store in a snapshot of the group's log (an entry, then the snapshot through it):
   * a peer added after this installs the snapshot and fetches the store's messages from this leader.
   */
  private async snapshotAdopted(): Promise<void> {
    while (!this.closed && !(this.leading && this.busy === undefined)) await sleep(20);
    if (this.closed) return;
    await this.updateConfig(this.stream.cfg);
    while (!this.closed && this.raft.snapshotIndex === 0) {
      await this.snapshotNow();
      if (this.raft.snapshotIndex === 0) await sleep(20);
    }
  }

  get stream(): Stream {
    return this.streamRef!;
  }

  private get raft(): RaftGroup {
    return this.raftRef!;
  }

  // ---- StreamReplica -------------------------------------------------------------------------------

  get isLeader(): boolean {
    return this.leading;
  }

  whenServing(): Promise<boolean> | undefined {
    if (this.serving) return undefined;
    if (!this.leading || this.closed) return Promise.resolve(false);
    return new Promise((resolve) => this.servingWaiters.add(resolve));
  }

  private setServing(on: boolean): void {
    this.serving = on;
    for (const w of this.servingWaiters) w(on);
    this.servingWaiters.clear();
  }

  get leaderName(): string | undefined {
    const id = this.raftRef?.leader;
    return id === undefined ? undefined : this.nameOf(id);
  }

  clusterInfo(): ClusterInfo {
    const raft = this.raft;
    const leader = raft.leader;
    const info: { name: string; leader?: string; replicas?: ReplicaInfo[] } = { name: this.placement.cluster };
    if (leader !== undefined) info.leader = this.nameOf(leader);
    const progress = new Map(raft.peerProgress().map((p) => [p.id, p]));
    const replicas: ReplicaInfo[] = [];
    for (const id of raft.voters) {
      if (id === leader) continue;
      const name = this.nameOf(id);
      if (id === this.self) {
        replicas.push({ name, current: this.busy === undefined && !raft.repairing && raft.applied >= raft.commitIndex, active: 0, lag: raft.commitIndex - raft.applied, peer: id });
        continue;
      }
      const p = progress.get(id);
      if (p === undefined) {
        replicas.push({ name, current: false, active: 0, peer: id });
        continue;
      }
      const lag = Math.max(0, raft.lastIndex - p.matched);
      replicas.push({ name, current: lag === 0 && p.heardAgoMs < CURRENT_MS, active: Math.round(p.heardAgoMs * 1e6), lag, peer: id });
    }
    if (replicas.length > 0) info.replicas = replicas;
    return info;
  }

  onLeaderChange(fn: (isLeader: boolean) => void): () => void {
    this.leaderListeners.add(fn);
    return () => this.leaderListeners.delete(fn);
  }

  get group(): RaftGroup {
    return this.raft;
  }

  stepDown(to?: NodeId): void {
    this.raft.transferLeadership(to);
  }

  async update(cfg: StreamConfig): Promise<void> {
    this.wanted = cfg;
    if (this.leading) await this.updateConfig(cfg);
  }

  async updateConfig(cfg: StreamConfig): Promise<void> {
    await this.proposeOp(EntryType.Config, { config: streamConfigJson(cfg) });
  }

  async setPeers(peers: readonly NodeId[]): Promise<void> {
    // No peer joins before the adopted store is in a snapshot (it would miss the messages): the last
    // peers asked for are made once it is (the placement may shrink back meanwhile).
    // A grow and then a shrink asked at once must not fight: every loop takes the newest ask.
    this.wantedPeers = peers;
    if (this.adopting !== undefined) return;
    const raft = this.raft;
    for (;;) {
      const want = this.wantedPeers ?? peers;
      if (this.closed || sameSet(raft.voters, want)) return;
      if (!this.leading) return; // the leader makes the change; this replica follows the log
      if (!want.includes(this.self) && raft.voters.length > 1) {
        // A leader does not remove itself: it hands over, and the next leader removes it.
        raft.transferLeadership();
        return;
      }
      if (!raft.canChangeVoters) {
        await sleep(20);
        continue;
      }
      const cur = raft.voters;
      const add = want.find((p) => !cur.includes(p));
      const remove = cur.find((v) => !want.includes(v));
      raft.changeVoters(add !== undefined ? [...cur, add] : cur.filter((v) => v !== remove));
      // Committed once the next change may be made.
      while (!this.closed && this.leading && !raft.canChangeVoters) await sleep(20);
    }
  }

  async stop(): Promise<void> {
    if (this.closed) return;
    await this.shut(true);
    await this.stream.store.stop();
  }

  async delete(): Promise<void> {
    if (!this.closed) await this.shut(false);
    await this.stream.store.delete();
    await rm(this.jsa.streamDir(this.stream.name), { recursive: true, force: true });
  }

  /** Unregisters and stops the stream (its subscriptions go), then the group; the store stays open. */
  private async shut(persist: boolean): Promise<void> {
    this.closed = true;
    if (this.snapshotTimer !== undefined) clearInterval(this.snapshotTimer);
    this.catchup?.close();
    const s = this.stream;
    if (this.jsa.streams.get(s.name) === s) this.jsa.streams.delete(s.name);
    await s.stop(persist);
    await this.raft.close();
    this.leading = false;
    this.setServing(false);
    this.rejectWaiters(new Error("stream replica stopped"));
    this.jsa.streamsChanged();
  }

  // ---- StreamReplication ---------------------------------------------------------------------------

  publish(subject: string, reply: string | undefined, hdr: Buffer | undefined, data: Buffer): void {
    // Answered at apply (the PubAck); a proposal refused before it was appended (this replica no longer
    // leads) is answered as 2.9.10 does (a 503), so the client retries at once.
    this.raft.submit(encodeMsg(this.self, subject, reply, hdr, data, nowNanos()), this.publishDropped);
  }

  /** One function for every publish (no closure per message); the entry is decoded only when dropped. */
  private readonly publishDropped = (entry: Buffer): void => {
    if (this.closed) return;
    const e = decodeEntry(entry);
    if (e.type === EntryType.Msg) this.stream.refusePublish(e.reply, new ApiError(503, 0, "raft: not leader"));
  };

  purge(req: PurgeRequest): Promise<number> {
    return this.proposeOp(EntryType.Purge, { req }) as Promise<number>;
  }

  deleteMsg(seq: number, erase: boolean): Promise<boolean> {
    return this.proposeOp(EntryType.Delete, { seq, erase }) as Promise<boolean>;
  }

  /** Proposes an op entry and resolves with what its apply returned here. */
  private proposeOp(type: OpEntry["type"], body: Record<string, unknown>): Promise<unknown> {
    if (!this.leading) return Promise.reject(jsError("JSClusterNotLeaderErr"));
    const rid = `${this.self}.${++this.nextRid}`;
    return new Promise((resolve, reject) => {
      this.waiters.set(rid, { resolve, reject });
      this.raft.propose(encodeOp(type, this.self, { ...body, rid })).catch((e: unknown) => {
        if (!this.waiters.delete(rid)) return;
        // The API answers this request with the error: a leader change is nats-server's "not leader".
        reject(e instanceof NotLeaderError ? jsError("JSClusterNotLeaderErr") : e instanceof Error ? e : new Error(String(e)));
      });
    });
  }

  async proposeConsumerOps(name: string, ackNone: boolean, ops: Buffer): Promise<void> {
    await this.raft.propose(encodeOp(EntryType.Consumer, this.self, { c: name, an: ackNone, ops: ops.toString("base64") }));
  }

  // ---- StateMachine ----------------------------------------------------------------------------------

  apply(entries: readonly Entry[]): void {
    if (this.busy !== undefined) {
      for (const e of entries) this.backlog.push(e);
      return;
    }
    for (const e of entries) if (e.kind === "normal") this.applyOne(e.data, e.index <= this.adoptedThrough);
  }

  private applyOne(bytes: Buffer, adopted: boolean): void {
    const s = this.stream;
    const e = decodeEntry(bytes);
    if (adopted && (e.type === EntryType.Msg || e.type === EntryType.Purge || e.type === EntryType.Delete)) return;
    if (e.type === EntryType.Msg) {
      s.applyMsg(e.subject, e.reply, e.hdr, e.data, e.time, e.proposer === this.self);
      return;
    }
    const body = e.body;
    let result: unknown;
    switch (e.type) {
      case EntryType.Purge:
        result = s.applyPurge(body.req as PurgeRequest);
        break;
      case EntryType.Delete:
        result = s.applyDelete(body.seq as number, body.erase === true);
        break;
      case EntryType.Config: {
        const cfg = normalizeStreamConfig(decodeStreamConfig(body.config as Record<string, unknown>));
        const prev = s.cfg;
        s.applyConfig(cfg);
        writeMeta(s).catch((err: unknown) => this.jsa.server.logger.error(`JetStream stream '${s.name}': meta.json not written: ${String(err)}`));
        if (prev.retention !== cfg.retention) s.checkInterest();
        break;
      }
      case EntryType.Consumer:
        this.consumers.apply(body.c as string, body.an === true, Buffer.from(body.ops as string, "base64"));
        break;
    }
    if (e.proposer !== this.self || typeof body.rid !== "string") return;
    const w = this.waiters.get(body.rid);
    if (w === undefined) return;
    this.waiters.delete(body.rid);
    w.resolve(result);
  }

  restore(data: Buffer): void {
    const snap = JSON.parse(data.toString("utf8")) as SnapshotData;
    this.restored = true;
    this.consumers.restore(snap.consumers);
    // Entries waiting are older than the snapshot: it stands for them.
    this.backlog = [];
    if (this.raftRef === undefined) {
      // Inside RaftGroup.open: open() brings the store to it once the group is there.
      this.restoring = snap;
      return;
    }
    this.bringStore(snap);
  }

  snapshot(): Buffer {
    assert(this.busy === undefined && this.backlog.length === 0, "stream group: a snapshot while entries wait to be applied");
    const st = this.stream.store.state();
    assert(this.adoptedThrough <= this.raft.applied, "stream group: a snapshot of a store ahead of the applied entries");
    const data: SnapshotData = { firstSeq: st.firstSeq, lastSeq: st.lastSeq, msgs: st.msgs, index: this.raft.applied, dedup: this.stream.removedDedup(), consumers: this.consumers.states() };
    return Buffer.from(JSON.stringify(data));
  }

  // ---- the store against the snapshot ----------------------------------------------------------------

  /**
   * Makes the store hold exactly what `snap` stands for, then applies what waited: cuts back what is
   * above it (and what is damaged), fetches from the leader what is missing below it.
   */
  private bringStore(snap: SnapshotData | undefined, damaged = false): void {
    const prev = this.busy ?? Promise.resolve();
    const work = prev.then(async () => {
      if (snap !== undefined) {
        // The cut below takes back whatever an earlier adoption brought.
        this.adoptedThrough = 0;
        // Damaged messages are not served: the store is cut below the first, and refetched.
        const suspect = damaged || (this.stream.store.state().lost?.msgs.length ?? 0) > 0;
        const { keep, fetch } = await cutToSnapshot(this.stream.store, snap, damaged);
        if (suspect) this.jsa.server.logger.warn(`JetStream stream '${this.stream.name}': its store is damaged: refetching from sequence ${keep + 1} from the leader`);
        // A store short of the snapshot must be filled; one holding later removals may fall back to
        // replaying onto itself when no peer can answer (a whole-group restart: every peer is here).
        const adopted = fetch ? await this.adoptFromLeader(snap.index ?? 0, this.stream.store.state().lastSeq >= snap.lastSeq) : undefined;
        // The dedup window from what the store now holds (before the entries after it replay).
        this.stream.recoverDedup(adopted ?? snap.dedup);
      }
    });
    const done: Promise<void> = work.then(
      () => this.finishBusy(done),
      (err: unknown) => {
        this.jsa.server.logger.error(`JetStream stream '${this.stream.name}': could not bring its store to the group's snapshot: ${String(err)}`);
        this.finishBusy(done);
      },
    );
    this.busy = done;
  }

  private finishBusy(p: Promise<void>): void {
    if (this.busy !== p) return; // a later restore is queued behind this one
    this.busy = undefined;
    const waiting = this.backlog;
    this.backlog = [];
    this.apply(waiting);
    if (this.leading) this.becameLeader();
  }

  /**
   * Makes the store the leader's (catchup's invariant): chunk by chunk up to its last sequence, then
   * the entries its store reflects are skipped here. An answer from a store behind `atLeast` (the
   * snapshot this replica installed, whose entries its log no longer holds) is not taken.
   */
  private async adoptFromLeader(atLeast: number, mayReplay: boolean): Promise<DedupRecord[] | undefined> {
    const store = this.stream.store;
    const giveUpAt = mayReplay ? Date.now() + ADOPT_WAIT_MS : Infinity;
    while (!this.closed) {
      if (Date.now() > giveUpAt) {
        this.jsa.server.logger.warn(`JetStream stream '${this.stream.name}': no peer could give its state; replaying onto a store that holds removals made after the snapshot`);
        return;
      }
      const leader = this.raftRef?.leader;
      if (leader === undefined || leader === this.self) {
        // Leading with a store behind the log: hand over again (the first transfer may have failed),
        // or every follower waits on this replica's answers and none comes.
        if (leader === this.self) this.raft.transferLeadership();
        await sleep(50);
        continue;
      }
      const from = store.state().lastSeq + 1;
      const chunk = await this.catchup!.fetch(leader, 1, from, Number.MAX_SAFE_INTEGER);
      if (chunk === undefined) continue;
      const adopted = chunk.applied < atLeast ? "behind" : await storeChunk(store, chunk, from);
      if (adopted === "behind") {
        await sleep(50);
        continue;
      }
      this.fetched += chunk.msgs.length;
      if (adopted !== undefined) {
        this.adoptedThrough = adopted;
        await store.flush();
        return chunk.dedup ?? [];
      }
    }
    return undefined;
  }

  // ---- leadership ------------------------------------------------------------------------------------

  private leaderChanged(): void {
    const now = this.raftRef !== undefined && this.raft.role === "leader" && this.raft.leader === this.self;
    if (now === this.leading) return;
    this.leading = now;
    // As nats-server logs it: operators (and the fault scripts) time failovers from these lines.
    if (now) this.jsa.server.logger.info(`JetStream cluster new stream leader for '${this.jsa.account.name} > ${this.stream.name}'`);
    this.stream.leadershipChanged();
    if (now) this.becameLeader();
    else {
      this.setServing(false);
      this.consumers.demote();
      this.rejectWaiters(jsError("JSClusterNotLeaderErr"));
    }
    for (const fn of this.leaderListeners) fn(now);
  }

  private becameLeader(): void {
    if (this.busy !== undefined) {
      // Its store is behind its log: another peer serves until it has caught up.
      this.raft.transferLeadership();
      return;
    }
    const want = this.wanted;
    if (want !== undefined && !sameStreamConfig(want, this.stream.cfg)) this.update(want).catch(() => undefined);
    this.promoteConsumers();
  }

  /** The consumers (and the API calls, whenServing) serve once everything in this leader's log (its predecessors' entries too) is applied. */
  private promoteConsumers(): void {
    const raft = this.raft;
    const target = raft.lastIndex;
    const check = (): void => {
      if (this.closed || !this.leading || this.busy !== undefined) return;
      if (raft.applied < target) return void setTimeout(check, 5);
      this.consumers.promote();
      this.setServing(true);
    };
    check();
  }

  private rejectWaiters(err: Error): void {
    for (const w of this.waiters.values()) w.reject(err);
    this.waiters.clear();
  }

  // ---- snapshots -------------------------------------------------------------------------------------

  /** Compacts the log once enough was applied. */
  private maybeSnapshot(): void {
    if (this.closed || this.busy !== undefined || this.snapshotting || this.adoptedThrough > this.raft.applied) return;
    if (this.raft.applied - this.snapshotIndex < (this.tuning.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY)) return;
    this.snapshotNow().catch((err: unknown) => this.jsa.server.logger.warn(`JetStream stream '${this.stream.name}': snapshot not taken: ${String(err)}`));
  }

  /**
   * Takes the snapshot of what is applied now, and compacts the log through it once the store has
   * fdatasynced everything it holds (applies go on meanwhile: they are after the snapshot).
   */
  async snapshotNow(): Promise<void> {
    if (this.busy !== undefined || this.snapshotting || this.adoptedThrough > this.raft.applied) return;
    this.snapshotting = true;
    try {
      const raft = this.raft;
      const at = { index: raft.applied, data: this.snapshot() };
      await this.stream.store.flush();
      // A snapshot installed meanwhile replaced the state this one describes.
      if (this.closed || this.busy !== undefined || raft.applied < at.index) return;
      raft.takeSnapshot(at);
      this.snapshotIndex = at.index;
    } finally {
      this.snapshotting = false;
    }
  }

  // ---- names -----------------------------------------------------------------------------------------

  /** A peer's server name; asked of the peer once, its node id meanwhile. */
  private nameOf(id: NodeId): string {
    const known = this.names.get(id);
    if (known !== undefined) return known;
    this.names.set(id, id);
    this.catchup?.request(id, { op: "name" }).then((r) => {
      if (typeof r?.name === "string") this.names.set(id, r.name);
      else this.names.delete(id);
    });
    return id;
  }
}

function sameSet(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
