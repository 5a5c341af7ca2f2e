/**
 * A stream replica's side channel to its peers, request/reply in the system account beside the RAFT
 * traffic: `$NRG.CU.<group>.<member>.q` answers (five tokens: the RAFT listener's `$NRG.*.<group>.<member>`
 * does not match it)
 * - `{op:"name"}` with the member's server name (for cluster info: peers are known by node id);
 * - `{op:"msgs", since, from, to}` with the stored messages in [from, to] (a chunk at a time), the
 *   store's first and last sequences, its deleted sequences in [since, to], and `applied`, the index of
 *   the last entry its store reflects. A follower that installed a snapshot, or whose store cannot stand
 *   for its snapshot (its tail lost, or removals made after the snapshot kept on disk), adopts the
 *   answering store's state this way, chunk by chunk, and then skips the message entries up to
 *   `applied`: replaying them onto a store that already holds later removals could decide a
 *   Nats-Expected-* check, a limit or a Msg-Id differently from the other replicas.
 *
 * Invariant: an answer describes a store that equals the committed state at `applied` (a member
 * bringing its own store to a snapshot does not answer). Every chunk names the deletions from the
 * asker's first sequence (`since`), so the last chunk alone decides what the asker removes: states of
 * different answerers, or of one answerer at different moments, are states of the one committed log.
 */
import type { Account } from "../../server/account.js";
import type { Server } from "../../server/server.js";
import type { StoredMsg, StreamStore } from "../../store/index.js";
import { nuid } from "../../util/base62.js";
import type { NodeId } from "../../raft/types.js";
import type { DedupRecord } from "../stream/stream.js";

/** Messages per answer: bounded so that one answer stays well under max_payload. */
const CHUNK_MSGS = 512;
const CHUNK_BYTES = 256 * 1024;

export interface CatchupChunk {
  /** The answering store's first and last sequences. */
  first: number;
  last: number;
  /** The last entry the answering store reflects. */
  applied: number;
  /** With the last chunk: the answerer's dedup window ids of messages it no longer stores. */
  dedup?: DedupRecord[];
  /** Deleted sequences in the asked range, ascending. */
  deleted: number[];
  msgs: StoredMsg[];
  /** The last sequence this chunk covers (the next request starts after it). */
  through: number;
}

interface WireMsg {
  seq: number;
  subject: string;
  time: number;
  hdr?: string;
  data: string;
  ttl?: number;
}

export class CatchupChannel {
  private readonly sys: Account;
  private readonly unlisten: () => void;

  constructor(
    private readonly server: Server,
    private readonly group: string,
    self: NodeId,
    /** The store to answer from and the entry it reflects; undefined while it is being brought to a snapshot. */
    private readonly source: () => { store: StreamStore; applied: number; removedDedup: () => DedupRecord[] } | undefined,
  ) {
    const sys = server.accounts.system;
    if (sys === undefined) throw new Error("stream groups need the system account");
    this.sys = sys;
    const sub = server.subscribeInternal(sys, `$NRG.CU.${group}.${self}.q`, (_s, reply, payload, hdrLen) => {
      if (reply === undefined) return;
      let req: Record<string, unknown>;
      try {
        req = JSON.parse((hdrLen > 0 ? payload.subarray(hdrLen) : payload).toString("utf8")) as Record<string, unknown>;
      } catch {
        return;
      }
      const answer = this.answer(req);
      if (answer !== undefined) server.publishInternal(sys, reply, undefined, JSON.stringify(answer));
    });
    this.unlisten = () => server.unsubscribeInternal(sys, sub);
  }

  close(): void {
    this.unlisten();
  }

  private answer(req: Record<string, unknown>): unknown {
    if (req.op === "name") return { name: this.server.name };
    if (req.op !== "msgs" || typeof req.from !== "number" || typeof req.to !== "number") return undefined;
    const src = this.source();
    if (src === undefined) return undefined;
    const c = readChunk(src.store, src.applied, typeof req.since === "number" ? req.since : req.from, req.from, req.to);
    const msgs = c.msgs.map((m) => {
      const w: WireMsg = { seq: m.seq, subject: m.subject, time: m.time, data: m.data.toString("base64") };
      if (m.hdr !== undefined) w.hdr = m.hdr.toString("base64");
      if (m.ttl !== undefined) w.ttl = m.ttl;
      return w;
    });
    const dedup = c.through >= c.last ? src.removedDedup() : undefined;
    return { first: c.first, last: c.last, applied: c.applied, deleted: c.deleted, msgs, through: c.through, ...(dedup && { dedup }) };
  }

  /** Asks `peer`; undefined when it did not answer within `ms`. */
  request(peer: NodeId, body: Record<string, unknown>, ms = 2000): Promise<Record<string, unknown> | undefined> {
    const inbox = `$NRG.CUR.${this.group}.${nuid()}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(undefined), ms);
      const sub = this.server.subscribeInternal(this.sys, inbox, (_s, _r, payload, hdrLen) => {
        try {
          finish(JSON.parse((hdrLen > 0 ? payload.subarray(hdrLen) : payload).toString("utf8")) as Record<string, unknown>);
        } catch {
          finish(undefined);
        }
      });
      const finish = (v: Record<string, unknown> | undefined): void => {
        clearTimeout(timer);
        this.server.unsubscribeInternal(this.sys, sub);
        resolve(v);
      };
      this.server.publishInternal(this.sys, `$NRG.CU.${this.group}.${peer}.q`, inbox, JSON.stringify(body));
    });
  }

  /** One chunk of the messages in [from, to] (deletions from `since`) from `peer`, or undefined when it did not answer. */
  async fetch(peer: NodeId, since: number, from: number, to: number): Promise<CatchupChunk | undefined> {
    const r = await this.request(peer, { op: "msgs", since, from, to });
    if (r === undefined || !Array.isArray(r.msgs)) return undefined;
    const msgs = (r.msgs as WireMsg[]).map((w) => ({
      seq: w.seq,
      subject: w.subject,
      time: w.time,
      hdr: w.hdr === undefined ? undefined : Buffer.from(w.hdr, "base64"),
      data: Buffer.from(w.data, "base64"),
      ...(w.ttl !== undefined && { ttl: w.ttl }),
    }));
    if (typeof r.applied !== "number" || typeof r.last !== "number") return undefined; // a peer of the older protocol
    const dedup = Array.isArray(r.dedup) ? (r.dedup as DedupRecord[]) : undefined;
    return { first: r.first as number, last: r.last, applied: r.applied, deleted: r.deleted as number[], msgs, through: r.through as number, ...(dedup && { dedup }) };
  }
}

/** The answering side of a fetch: the stored messages in [from, to], bounded to one chunk and to the store's last sequence; deletions from `since`. */
export function readChunk(store: StreamStore, applied: number, since: number, from: number, to: number): CatchupChunk {
  const last = store.state().lastSeq;
  const msgs: StoredMsg[] = [];
  let bytes = 0;
  let through = Math.min(to, last);
  for (let m = store.loadNextMsg(">", from); m !== undefined && m.seq <= to; m = store.loadNextMsg(">", m.seq + 1)) {
    msgs.push(m);
    bytes += m.data.length + (m.hdr?.length ?? 0) + m.subject.length;
    if (msgs.length >= CHUNK_MSGS || bytes >= CHUNK_BYTES) {
      through = m.seq;
      break;
    }
  }
  const deleted = store.deletedSeqs().filter((s) => s >= since && s <= through);
  return { first: store.state().firstSeq, last, applied, deleted, msgs, through };
}

/**
 * The fetching side: stores a chunk asked for from `from` on (the store's lastSeq + 1). Returns the
 * entry index the store now reflects once the chunk reached the answerer's last sequence (the store is
 * then the answerer's), undefined while more chunks are needed.
 */
export async function storeChunk(store: StreamStore, chunk: CatchupChunk, from: number): Promise<number | "behind" | undefined> {
  if (holdsLess(store, chunk, from)) return "behind";
  if (chunk.first > store.state().firstSeq) store.compact(chunk.first);
  for (const seq of chunk.deleted) if (seq < from) store.removeMsg(seq);
  for (const m of chunk.msgs) store.storeRawMsg(m.seq, m.subject, m.hdr, m.data, m.time, m.ttl);
  if (store.state().lastSeq < chunk.through) store.skipTo(chunk.through);
  if (chunk.through < chunk.last) return undefined;
  // An answerer behind an earlier one: its state is the earlier state, what came after it goes.
  if (store.state().lastSeq > chunk.last) await store.truncate(chunk.last);
  return chunk.applied;
}

/**
 * Whether this store removed a message below `from` that the answering store still holds: then the
 * answerer has not applied entries this store reflects (removals only grow along the log), and its
 * state is not one to adopt yet. Needs the chunk's deletions from sequence 1.
 */
function holdsLess(store: StreamStore, chunk: CatchupChunk, from: number): boolean {
  const top = Math.min(from - 1, chunk.last);
  const theirs = new Set(chunk.deleted);
  const st = store.state();
  // Below our first sequence: do they hold any of [their first, our first)?
  for (let s = chunk.first; s < Math.min(st.firstSeq, top + 1); s++) if (!theirs.has(s)) return true;
  for (const s of store.deletedSeqs()) if (s >= chunk.first && s <= top && !theirs.has(s)) return true;
  return false;
}

/** The store's bounds a stream group's snapshot records (what its entries through it left). */
export interface SnapshotBounds {
  firstSeq: number;
  lastSeq: number;
  /** Messages held (absent in snapshots of earlier versions). */
  msgs?: number;
}

/**
 * Cuts a replica's store back to what a snapshot stands for: everything above its last sequence goes
 * (the log after it replays), and with `damaged` (or messages lost on disk) everything from the first
 * suspect one. Returns the sequence kept through, and whether the store cannot stand for the snapshot
 * (short of it, or holding later removals): then it adopts the leader's state (storeChunk).
 */
export async function cutToSnapshot(store: StreamStore, snap: SnapshotBounds, damaged: boolean): Promise<{ keep: number; fetch: boolean }> {
  const lost = store.state().lost?.msgs ?? [];
  const keep = damaged ? 0 : lost.length > 0 ? Math.min(snap.lastSeq, Math.min(...lost) - 1) : snap.lastSeq;
  if (store.state().lastSeq > keep) await store.truncate(keep);
  const st = store.state();
  if (st.lastSeq < snap.lastSeq) return { keep, fetch: true };
  if (snap.firstSeq > st.firstSeq && snap.firstSeq > 0) store.compact(snap.firstSeq);
  // Removals made after the snapshot stay removed when the store is cut back (they were flushed
  // with later writes): then the store is not the snapshot's state, and replaying onto it could
  // decide differently. A cut never adds a message, so the count tells.
  return { keep, fetch: snap.msgs !== undefined && store.state().msgs !== snap.msgs };
}
