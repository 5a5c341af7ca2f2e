/**
 * A stream replica's side channel to its peers, request/reply in the system account beside the RAFT
 * traffic: `$NRG.CU.<group>.<member>.q` answers (five tokens: the RAFT listener's `$NRG.*.<group>.<member>`
 * does not match it)
 * - `{op:"name"}` with the member's server name (for cluster info: peers are known by node id);
 * - `{op:"msgs", since, from, to}` with the stored messages in [from, to] (a chunk at a time), the
 *   store's first sequence, and its deleted sequences in [since, to]: a follower that installed a
 *   snapshot, or whose store lost its tail, fetches the messages the snapshot stands for this way, and
 *   removes what the snapshot's entries removed below its own last sequence (`since` is its first).
 *
 * Only entries committed and applied on the answering member are in its store, and a follower asks only
 * for sequences up to its snapshot's last (committed) one, so what it receives is committed history.
 */
import type { Account } from "../../server/account.js";
import type { Server } from "../../server/server.js";
import type { StoredMsg, StreamStore } from "../../store/index.js";
import { nuid } from "../../util/base62.js";
import type { NodeId } from "../../raft/types.js";

/** Messages per answer: bounded so that one answer stays well under max_payload. */
const CHUNK_MSGS = 512;
const CHUNK_BYTES = 256 * 1024;

export interface CatchupChunk {
  /** The answering store's first sequence. */
  first: number;
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
    /** The store to answer from; undefined while it is being brought to a snapshot (no answer then). */
    private readonly store: () => StreamStore | undefined,
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
    const store = this.store();
    const c = store && readChunk(store, typeof req.since === "number" ? req.since : req.from, req.from, req.to);
    if (c === undefined) return undefined;
    const msgs = c.msgs.map((m) => {
      const w: WireMsg = { seq: m.seq, subject: m.subject, time: m.time, data: m.data.toString("base64") };
      if (m.hdr !== undefined) w.hdr = m.hdr.toString("base64");
      if (m.ttl !== undefined) w.ttl = m.ttl;
      return w;
    });
    return { first: c.first, deleted: c.deleted, msgs, through: c.through };
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
    return { first: r.first as number, deleted: r.deleted as number[], msgs, through: r.through as number };
  }
}

/**
 * The answering side of a fetch: the stored messages in [from, to], bounded to one chunk and to what
 * this store holds (undefined when it holds nothing from `from` on: a store behind the asker's snapshot
 * must not vouch for sequences it never had); deletions from `since`.
 */
export function readChunk(store: StreamStore, since: number, from: number, to: number): CatchupChunk | undefined {
  const last = store.state().lastSeq;
  if (from > last) return undefined;
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
  return { first: store.state().firstSeq, deleted, msgs, through };
}

/** The fetching side: stores a chunk asked for from `from` on (the store's lastSeq + 1). */
export function storeChunk(store: StreamStore, chunk: CatchupChunk, from: number): void {
  if (chunk.first > store.state().firstSeq) store.compact(chunk.first);
  for (const seq of chunk.deleted) if (seq < from) store.removeMsg(seq);
  for (const m of chunk.msgs) store.storeRawMsg(m.seq, m.subject, m.hdr, m.data, m.time, m.ttl);
  if (store.state().lastSeq < chunk.through) store.skipTo(chunk.through);
}

/** The store's bounds a stream group's snapshot records (what its entries through it left). */
export interface SnapshotBounds {
  firstSeq: number;
  lastSeq: number;
}

/**
 * Cuts a replica's store back to what a snapshot stands for: everything above its last sequence goes
 * (the log after it replays), and with `damaged` (or messages lost on disk) everything from the first
 * suspect one. Returns the sequence kept through, and whether messages up to the snapshot's last must
 * be fetched from the leader.
 */
export async function cutToSnapshot(store: StreamStore, snap: SnapshotBounds, damaged: boolean): Promise<{ keep: number; fetch: boolean }> {
  const lost = store.state().lost?.msgs ?? [];
  const keep = damaged ? 0 : lost.length > 0 ? Math.min(snap.lastSeq, Math.min(...lost) - 1) : snap.lastSeq;
  if (store.state().lastSeq > keep) await store.truncate(keep);
  const st = store.state();
  if (st.lastSeq < snap.lastSeq) return { keep, fetch: true };
  if (snap.firstSeq > st.firstSeq && snap.firstSeq > 0) store.compact(snap.firstSeq);
  return { keep, fetch: false };
}
