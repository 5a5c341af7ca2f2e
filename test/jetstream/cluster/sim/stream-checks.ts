/**
 * What the stream simulation checks, on the replicas' applied states and on the clients' history:
 * - replica agreement: every replica's state after applying index i is the same (same sequence, same
 *   message, same bounds), and so is the message entry i stored;
 * - acknowledged publishes: an ack names the message entry i stored on every replica, two acks for
 *   different messages never share a sequence, and at the end every replica holds each acknowledged
 *   message at its sequence unless something removed that sequence (limits, purge, delete, roll-up);
 * - a Nats-Msg-Id is stored once (the window outlasts the run);
 * - linearizability of the acknowledged appends: if A was acknowledged before B was sent, A's sequence
 *   is below B's; an append with Nats-Expected-Last-Sequence k that was stored got k + 1.
 */
import type { Index, NodeId } from "../../../../src/raft/types.js";
import type { Applied } from "./sim-replica.js";

export interface ClientOp {
  /** The message's payload: unique per op, so the key by which stores and acks are matched. */
  data: string;
  msgId: string | undefined;
  expectedLastSeq: number | undefined;
  invokedAt: number;
  /** First answer: a sequence (stored or duplicate) or an error code. */
  done: { at: number; seq: number; duplicate: boolean } | { at: number; error: number } | undefined;
}

export class StreamChecks {
  private readonly digests = new Map<Index, string>();
  private readonly storedAt = new Map<Index, { seq: number; data: string } | null>();
  private readonly ackedSeq = new Map<number, string>();
  readonly ops = new Map<string, ClientOp>();

  constructor(private readonly fail: (what: string) => never) {}

  onApplied(id: NodeId, a: Applied, digest: string): void {
    const known = this.digests.get(a.index);
    if (known === undefined) this.digests.set(a.index, digest);
    else if (known !== digest) this.fail(`replica divergence: ${id} after index ${a.index} holds\n    ${digest}\n  others hold\n    ${known}`);
    const stored = a.stored ?? null;
    const s = this.storedAt.get(a.index);
    if (s === undefined) this.storedAt.set(a.index, stored);
    else if (JSON.stringify(s) !== JSON.stringify(stored)) this.fail(`replica divergence: ${id} at index ${a.index} stored ${JSON.stringify(stored)}, others ${JSON.stringify(s)}`);
  }

  onReply(op: ClientOp, at: number, body: string): void {
    const r = JSON.parse(body) as { seq: number; duplicate?: boolean; error?: { err_code: number } };
    if (r.error !== undefined) {
      op.done ??= { at, error: r.error.err_code };
      return;
    }
    const other = this.ackedSeq.get(r.seq);
    if (other !== undefined && other !== op.data) this.fail(`sequence ${r.seq} acknowledged for ${other} and for ${op.data}`);
    this.ackedSeq.set(r.seq, op.data);
    if (op.done !== undefined && "seq" in op.done && op.done.seq !== r.seq) this.fail(`${op.data} acknowledged at ${op.done.seq} and at ${r.seq}`);
    if (!r.duplicate && op.expectedLastSeq !== undefined && r.seq !== op.expectedLastSeq + 1) this.fail(`${op.data} expected last sequence ${op.expectedLastSeq} but was stored at ${r.seq}`);
    op.done ??= { at, seq: r.seq, duplicate: r.duplicate === true };
  }

  /** Every stored message entry stored one op's message; a Msg-Id is stored once. */
  checkStores(): void {
    const byId = new Map<string, number>();
    for (const [index, s] of this.storedAt) {
      if (s === null) continue;
      const op = this.ops.get(s.data);
      if (op?.msgId === undefined) continue;
      const prev = byId.get(op.msgId);
      if (prev !== undefined) this.fail(`Nats-Msg-Id ${op.msgId} stored twice: entries ${prev} and ${index}`);
      byId.set(op.msgId, index);
    }
  }

  /** An acknowledged message is at its sequence on a replica, or that sequence was removed. */
  checkHeld(id: NodeId, load: (seq: number) => string | undefined, lastSeq: number, removalsPossible: boolean): void {
    for (const [seq, data] of this.ackedSeq) {
      if (seq > lastSeq) this.fail(`${id}: acknowledged ${data} at ${seq} beyond its last sequence ${lastSeq}`);
      const got = load(seq);
      if (got === undefined && !removalsPossible) this.fail(`${id}: acknowledged ${data} at ${seq} lost`);
      if (got !== undefined && got !== data) this.fail(`${id}: acknowledged ${data} at ${seq}, holds ${got}`);
    }
  }

  /** A sequence is never below one acknowledged before its publish was sent. */
  checkLinearizable(): void {
    type Acked = { data: string; invokedAt: number; at: number; seq: number };
    const acked: Acked[] = [];
    for (const o of this.ops.values()) if (o.done !== undefined && "seq" in o.done) acked.push({ data: o.data, invokedAt: o.invokedAt, at: o.done.at, seq: o.done.seq });
    const byDone = [...acked].sort((a, b) => a.at - b.at);
    const byInvoke = [...acked].sort((a, b) => a.invokedAt - b.invokedAt);
    let i = 0;
    let max: Acked | undefined;
    for (const b of byInvoke) {
      for (; i < byDone.length && byDone[i]!.at < b.invokedAt; i++) if (max === undefined || byDone[i]!.seq > max.seq) max = byDone[i]!;
      if (max !== undefined && max.seq >= b.seq) this.fail(`not linearizable: ${max.data} acknowledged at ${max.seq} before ${b.data} was sent, which got ${b.seq}`);
    }
  }
}
