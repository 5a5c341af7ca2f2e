/**
 * The verdict of a fault test, from what the servers promised (the acknowledged (id, seq) pairs) and
 * what each replica holds afterwards (its messages, read through its own server). Pure: no I/O, so it
 * is tested on its own with histories made to fail.
 *
 * What must hold (issue #12):
 * - every acknowledged message is on every replica ("lost" when it is missing), at the sequence its
 *   PubAck named ("displaced" when it is held at another one: the replica's log shifted);
 * - no message is stored twice ("duplicate"), and no sequence was acknowledged for two messages
 *   ("ack-conflict");
 * - a publisher's messages are stored in the order it sent them ("misordered");
 * - all replicas hold the same history ("divergent": the first sequence where two differ).
 */
import type { Acked } from "./workload.js";

export interface StoredMsg {
  readonly seq: number;
  /** The payload: the publisher's message id (`p<publisher>-<n>`). */
  readonly id: string;
}

/** One replica's stream, read through its own server. */
export interface ReplicaView {
  readonly server: string;
  /** The live messages, by rising sequence. */
  readonly msgs: readonly StoredMsg[];
}

export type FindingKind = "lost" | "displaced" | "duplicate" | "ack-conflict" | "misordered" | "divergent";

export interface Finding {
  readonly kind: FindingKind;
  /** The replica it was seen on (empty for ack-conflict, which is about the PubAcks alone). */
  readonly server: string;
  readonly detail: string;
  /** The message id, for lost and displaced messages. */
  readonly id?: string;
}

export function checkHistories(acked: readonly Acked[], views: readonly ReplicaView[]): Finding[] {
  const findings: Finding[] = [];
  const bySeq = new Map<number, string>();
  for (const a of acked) {
    const other = bySeq.get(a.seq);
    if (other !== undefined && other !== a.id) findings.push({ kind: "ack-conflict", server: "", detail: `seq ${a.seq} acknowledged for ${other} and ${a.id}` });
    bySeq.set(a.seq, a.id);
  }
  for (const v of views) {
    const at = new Map<number, string>();
    const seqsOf = new Map<string, number[]>();
    for (const m of v.msgs) {
      at.set(m.seq, m.id);
      seqsOf.set(m.id, [...(seqsOf.get(m.id) ?? []), m.seq]);
    }
    for (const [id, seqs] of seqsOf) if (seqs.length > 1) findings.push({ kind: "duplicate", server: v.server, detail: `${id} at seqs ${seqs.join(",")}` });
    for (const a of acked) {
      const held = at.get(a.seq);
      if (held === a.id) continue;
      const where = seqsOf.get(a.id);
      const detail = `${a.id} acked as seq ${a.seq}, which holds ${held ?? "nothing"}${where ? `; it is at seq ${where.join(",")}` : ""}`;
      findings.push({ kind: where ? "displaced" : "lost", server: v.server, detail, id: a.id });
    }
    const lastOfPublisher = new Map<string, { n: number; seq: number }>();
    for (const m of v.msgs) {
      const match = /^(p\d+)-(\d+)$/.exec(m.id);
      if (!match) continue;
      const prev = lastOfPublisher.get(match[1]!);
      const n = Number(match[2]);
      if (prev && n < prev.n) findings.push({ kind: "misordered", server: v.server, detail: `${m.id} at seq ${m.seq} after ${match[1]}-${prev.n} at seq ${prev.seq}` });
      lastOfPublisher.set(match[1]!, { n, seq: m.seq });
    }
  }
  const [first, ...rest] = views;
  for (const v of rest) {
    const diff = firstDifference(first!.msgs, v.msgs);
    if (diff !== undefined) findings.push({ kind: "divergent", server: v.server, detail: `differs from ${first!.server} ${diff}` });
  }
  return findings;
}

function firstDifference(a: readonly StoredMsg[], b: readonly StoredMsg[]): string | undefined {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i]!.seq !== b[i]!.seq || a[i]!.id !== b[i]!.id) return `at #${i}: seq ${a[i]!.seq}=${a[i]!.id} vs seq ${b[i]!.seq}=${b[i]!.id}`;
  }
  if (a.length !== b.length) return `in length: ${a.length} vs ${b.length} messages`;
  return undefined;
}

/** Counts by kind, for reports: `{lost: 3, duplicate: 0, ...}`. */
export function countFindings(findings: readonly Finding[]): Record<FindingKind, number> {
  const counts: Record<FindingKind, number> = { lost: 0, displaced: 0, duplicate: 0, "ack-conflict": 0, misordered: 0, divergent: 0 };
  for (const f of findings) counts[f.kind]++;
  return counts;
}
