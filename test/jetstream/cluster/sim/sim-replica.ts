/**
 * One simulated replica of a replicated stream: the real Stream (its apply path: dedup, Nats-Expected-*,
 * roll-ups, limits, purge, delete) over a real MemoryStore, driven the way stream-group.ts drives it:
 * committed entries decoded with stream-entries.ts and applied in order, none twice; while the store
 * is being brought to a snapshot (cut back with cutToSnapshot, or the leader's state adopted with
 * readChunk/storeChunk, whose entries are then skipped) entries wait in a backlog; the dedup window is
 * rebuilt before they replay.
 *
 * The store's disk is modelled by `image`: a copy of the live store taken at each flush (a file store
 * keeps what it flushed; a memory store keeps nothing across a crash). The group compacts its RAFT log
 * only after such a flush, as stream-group.ts does.
 */
import { cutToSnapshot, readChunk, storeChunk, type SnapshotBounds } from "../../../../src/jetstream/cluster/stream-catchup.js";
import { decodeEntry, EntryType } from "../../../../src/jetstream/cluster/stream-entries.js";
import type { StreamConfig } from "../../../../src/jetstream/stream/config.js";
import type { PurgeRequest } from "../../../../src/jetstream/stream/purge.js";
import { Stream, type DedupRecord, type StreamAccount } from "../../../../src/jetstream/stream/stream.js";
import type { Entry, Index, NodeId } from "../../../../src/raft/types.js";
import { MemoryStore, type StreamStore } from "../../../../src/store/index.js";

/** As stream-group.ts's ADOPT_WAIT_MS. */
const ADOPT_WAIT_MS = 5000;

/** A reply the stream published: a PubAck or an error, on the reply subject of the publish. */
export type ReplySink = (subject: string, body: string) => void;

/** What a stream entry did on the replica that applied it: the sequence it stored, if any. */
export interface Applied {
  index: Index;
  stored: { seq: number; data: string } | undefined;
}

export class SimReplica {
  readonly stream: Stream;
  /** Committed entries waiting while the store is brought to a snapshot. */
  private backlog: Entry[] = [];
  private bringing: Promise<void> | undefined;
  /** Set while the store waits to adopt the leader's state, of an entry at least this one. */
  fetching: { atLeast: Index; giveUpAt: number; dedup: DedupRecord[] | undefined } | undefined;
  /** The store reflects the message, purge and delete entries through this index. */
  private adoptedThrough = 0;
  /** The last entry applied to the stream (backlogged ones not included). */
  applied: Index;

  constructor(
    readonly id: NodeId,
    cfg: StreamConfig,
    readonly store: StreamStore,
    reply: ReplySink,
    at: Index,
    private readonly onApplied: (a: Applied) => void,
    /** The store, cut back to a snapshot, held removals made after it (the replay edge case). */
    private readonly onLaterRemovals: () => void,
  ) {
    this.applied = at;
    this.stream = new Stream(fakeAccount(reply), cfg, store, 0, undefined);
  }

  get busy(): boolean {
    return this.bringing !== undefined || this.fetching !== undefined;
  }

  /** The bring-up work under way (awaited by the simulator: a memory store's promises settle at once). */
  get pending(): Promise<void> | undefined {
    return this.bringing;
  }

  apply(entries: readonly Entry[]): void {
    if (this.busy) {
      for (const e of entries) this.backlog.push(e);
      return;
    }
    for (const e of entries) this.applyOne(e);
  }

  private applyOne(e: Entry): void {
    this.applied = e.index;
    if (e.index <= this.adoptedThrough) return; // reflected by the adopted store: no state of this index here
    if (e.kind !== "normal") return this.onApplied({ index: e.index, stored: undefined });
    const s = this.stream;
    const before = s.store.state().lastSeq;
    const x = decodeEntry(e.data);
    if (x.type === EntryType.Msg) s.applyMsg(x.subject, x.reply, x.hdr, x.data, x.time, x.proposer === this.id);
    else if (x.type === EntryType.Purge) s.applyPurge(x.body.req as PurgeRequest);
    else if (x.type === EntryType.Delete) s.applyDelete(x.body.seq as number, x.body.erase === true);
    const after = s.store.state().lastSeq;
    const m = after > before ? s.store.loadMsg(after) : undefined;
    this.onApplied({ index: e.index, stored: after > before ? { seq: after, data: m?.data.toString() ?? "(removed at once)" } : undefined });
  }

  /** What stream-group.ts snapshots: the store's bounds (no consumers here). */
  snapshotData(): Buffer {
    const st = this.store.state();
    return Buffer.from(JSON.stringify({ firstSeq: st.firstSeq, lastSeq: st.lastSeq, msgs: st.msgs, index: this.applied, dedup: this.stream.removedDedup() }));
  }

  /** A snapshot now would describe its index (not a store adopted ahead of what was applied). */
  get canSnapshot(): boolean {
    return !this.busy && this.adoptedThrough <= this.applied;
  }

  /** The entry the store reflects (what a catch-up answer names). */
  get stateIndex(): Index {
    return Math.max(this.applied, this.adoptedThrough);
  }

  /** Brings the store to the snapshot (restore at open, or a snapshot installed from the leader). */
  bring(snap: SnapshotBounds & { index?: Index; dedup?: DedupRecord[] }, damaged: boolean, at: Index, now: () => number): void {
    this.backlog = [];
    this.applied = at;
    const prev = this.bringing ?? Promise.resolve();
    const work = prev.then(async () => {
      this.adoptedThrough = 0;
      const { fetch } = await cutToSnapshot(this.store, snap, damaged);
      const mayReplay = this.store.state().lastSeq >= snap.lastSeq;
      if (fetch && mayReplay) this.onLaterRemovals();
      if (fetch) this.fetching = { atLeast: snap.index ?? 0, giveUpAt: mayReplay ? now() + ADOPT_WAIT_MS : Infinity, dedup: snap.dedup };
      else this.stream.recoverDedup(snap.dedup);
    });
    const done: Promise<void> = work.then(() => {
      if (this.bringing === done) this.bringing = undefined;
      if (!this.busy) this.drain();
    });
    this.bringing = done;
  }

  /** No peer answered in time: replay onto the store as cut back (stream-group.ts's fallback). */
  giveUp(): void {
    const dedup = this.fetching?.dedup;
    this.fetching = undefined;
    this.stream.recoverDedup(dedup);
    if (!this.busy) this.drain();
  }

  /** One answer from the leader, as stream-group.ts's adoptFromLeader takes it (the next step asks again if needed). */
  fetchFrom(leader: SimReplica): void {
    if (this.bringing !== undefined) return;
    const want = this.fetching!;
    const from = this.store.state().lastSeq + 1;
    const chunk = readChunk(leader.store, leader.stateIndex, 1, from, Number.MAX_SAFE_INTEGER);
    if (chunk.applied < want.atLeast) return;
    // What CatchupChannel adds to the last chunk.
    if (chunk.through >= chunk.last) chunk.dedup = leader.stream.removedDedup();
    const work = storeChunk(this.store, chunk, from).then((adopted) => {
      if (adopted === undefined || adopted === "behind") return;
      this.adoptedThrough = adopted;
      this.fetching = undefined;
      this.stream.recoverDedup(chunk.dedup ?? []);
    });
    const done: Promise<void> = work.then(() => {
      if (this.bringing === done) this.bringing = undefined;
      if (!this.busy) this.drain();
    });
    this.bringing = done;
  }

  private drain(): void {
    const waiting = this.backlog;
    this.backlog = [];
    this.apply(waiting);
  }

  /** The applied state: every message with its sequence, and the bounds. */
  digest(): string {
    const st = this.store.state();
    let d = `${st.firstSeq}..${st.lastSeq}:`;
    for (let m = this.store.loadNextMsg(">", 0); m !== undefined; m = this.store.loadNextMsg(">", m.seq + 1)) d += ` ${m.seq}=${m.subject}/${m.data.toString()}`;
    return d;
  }
}

/** A copy of a store's contents (what a file store has on disk after a flush). */
export function copyStore(src: StreamStore): MemoryStore {
  const c = new MemoryStore({ limits: src.limits() });
  const st = src.state();
  if (st.firstSeq > 1) c.compact(st.firstSeq);
  for (let m = src.loadNextMsg(">", 0); m !== undefined; m = src.loadNextMsg(">", m.seq + 1)) c.storeRawMsg(m.seq, m.subject, m.hdr, m.data, m.time, m.ttl);
  c.skipTo(st.lastSeq);
  return c;
}

/** The account side a Stream needs; replies go to `reply`, subscriptions go nowhere. */
function fakeAccount(reply: ReplySink): StreamAccount {
  const server = {
    name: "sim",
    logger: { warn: () => undefined, error: () => undefined, info: () => undefined, debug: () => undefined },
    subscribeInternal: () => ({}),
    unsubscribeInternal: () => undefined,
    publishInternal: (_a: unknown, subject: string, _r: unknown, body: Buffer | string) => reply(subject, body.toString()),
  };
  return {
    account: { name: "SIM" },
    server,
    domain: undefined,
    streams: new Map(),
    streamListeners: new Set(),
    checkStoreUsage: () => undefined,
  } as unknown as StreamAccount;
}
