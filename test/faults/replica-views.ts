/**
 * Reading a replicated stream the way an operator would, per replica: `/jsz?streams=true` on each
 * server (its own replica's counts), and the whole history of each replica through the `$JS.API`.
 * Only the leader answers STREAM.MSG.GET, so to read every replica the reader makes each one leader in
 * turn (STREAM.LEADER.STEPDOWN until every running replica has led once) and reads the stream by
 * sequence from it.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { ReplicaView, StoredMsg } from "./checker.js";
import type { FaultCluster } from "./cluster-procs.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const enc = new TextEncoder();
const dec = new TextDecoder();

interface ApiError {
  code: number;
  err_code?: number;
  description: string;
}

async function api<T>(nc: NatsConnection, subject: string, body: unknown, timeout = 2000): Promise<T & { error?: ApiError }> {
  const m = await nc.request(subject, enc.encode(body === undefined ? "" : JSON.stringify(body)), { timeout });
  return JSON.parse(dec.decode(m.data)) as T & { error?: ApiError };
}

export interface StreamClusterInfo {
  state: { messages: number; first_seq: number; last_seq: number };
  cluster?: { name?: string; leader?: string; replicas?: { name: string; current: boolean; lag?: number; offline?: boolean }[] };
}

/** STREAM.INFO, or undefined while nobody answers (no leader, or no quorum). */
export async function streamInfo(nc: NatsConnection, stream: string, timeout = 1000): Promise<StreamClusterInfo | undefined> {
  try {
    const r = await api<StreamClusterInfo>(nc, `$JS.API.STREAM.INFO.${stream}`, undefined, timeout);
    return r.error ? undefined : r;
  } catch {
    return undefined;
  }
}

/** Waits until the stream has a leader that answers; returns its name, or undefined when time is up. */
export async function waitLeader(nc: NatsConnection, stream: string, timeoutMs: number, not?: string): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const leader = (await streamInfo(nc, stream))?.cluster?.leader;
    if (leader && leader !== not) return leader;
    await sleep(100);
  }
  return undefined;
}

/** A stepdown; with `preferred`, nats-server 2.11's placement body names the successor (2.9 ignores it). */
export async function stepDown(nc: NatsConnection, stream: string, preferred?: string): Promise<void> {
  const body = preferred === undefined ? undefined : { placement: { preferred } };
  await api(nc, `$JS.API.STREAM.LEADER.STEPDOWN.${stream}`, body, 3000).catch(() => undefined);
}

/** What one server's /jsz reports for its replica of the stream. */
export interface JszReplica {
  server: string;
  messages: number;
  first_seq: number;
  last_seq: number;
  leader?: string;
}

export async function jszReplica(monitorUrl: string, server: string, stream: string): Promise<JszReplica | undefined> {
  try {
    const res = await fetch(`${monitorUrl}/jsz?streams=true`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { account_details?: { stream_detail?: { name: string; state: JszReplica; cluster?: { leader?: string } }[] }[] };
    for (const acc of body.account_details ?? []) {
      for (const s of acc.stream_detail ?? []) {
        if (s.name === stream) return { server, messages: s.state.messages, first_seq: s.state.first_seq, last_seq: s.state.last_seq, leader: s.cluster?.leader };
      }
    }
  } catch {
    // not answering (stopped, cut off): no view
  }
  return undefined;
}

/** The servers holding a replica of the stream (leader first), from stream info; empty without a leader. */
export async function streamPeers(nc: NatsConnection, stream: string): Promise<string[]> {
  const c = (await streamInfo(nc, stream, 2000))?.cluster;
  return c?.leader ? [c.leader, ...(c.replicas ?? []).map((r) => r.name)] : [];
}

/** Polls the peers' /jsz until all report the same last sequence and count, or time is up. */
export async function waitJszAgree(cluster: FaultCluster, peers: readonly string[], stream: string, timeoutMs: number): Promise<JszReplica[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const views = await Promise.all(cluster.nodes.filter((nd) => peers.includes(nd.name)).map((nd) => jszReplica(nd.monitorUrl, nd.name, stream)));
    const got = views.filter((v): v is JszReplica => v !== undefined);
    const agree = got.length === views.length && got.every((v) => v.last_seq === got[0]!.last_seq && v.messages === got[0]!.messages);
    if (agree || Date.now() > deadline) return got;
    await sleep(200);
  }
}

/** Reads every live message of the stream from its leader, by sequence (up to `concurrency` in flight). */
async function readFromLeader(nc: NatsConnection, stream: string, first: number, last: number, concurrency = 128): Promise<StoredMsg[]> {
  const out: (StoredMsg | undefined)[] = new Array(Math.max(0, last - first + 1));
  let next = first;
  const worker = async (): Promise<void> => {
    while (next <= last) {
      const seq = next++;
      for (let attempt = 0; ; attempt++) {
        try {
          const r = await api<{ message?: { seq: number; data?: string } }>(nc, `$JS.API.STREAM.MSG.GET.${stream}`, { seq });
          if (r.message) out[seq - first] = { seq: r.message.seq, id: Buffer.from(r.message.data ?? "", "base64").toString() };
          else if (r.error?.err_code !== 10037) throw new Error(`msg get ${seq}: ${r.error?.description}`);
          break;
        } catch (e) {
          if (attempt >= 5) throw e;
          await sleep(200);
        }
      }
    }
  };
  await Promise.all([...Array(concurrency)].map(worker));
  return out.filter((m): m is StoredMsg => m !== undefined);
}

export interface ViewsResult {
  views: ReplicaView[];
  /** Servers that never became leader within the attempts (their history was not read). */
  unread: string[];
}

/**
 * Cuts the leader off from every peer but `target` (or, `alone`, from every peer) and returns the undo:
 * a stepdown then can only hand the leadership to `target`; a leader alone loses it to a peer that the
 * others elect.
 */
export type SteerTo = (leader: string, target: string, alone: boolean) => () => void;

/**
 * Reads the history of every replica (peers: the servers holding one): reads the current leader's,
 * then for each replica not read yet steers the leadership to it (a plain stepdown picks the next
 * leader by the server's own rule, which may keep skipping a replica) and reads it. A read during which
 * the leader changed is thrown away and retried.
 */
export async function readReplicaViews(
  nc: NatsConnection,
  peers: readonly string[],
  stream: string,
  steer: SteerTo,
  urlOf: (server: string) => string,
  log: (line: string) => void,
  rounds = 16,
): Promise<ViewsResult> {
  const views = new Map<string, ReplicaView>();
  let attempts = 0;
  for (let round = 0; round < rounds && views.size < peers.length; round++) {
    const leader = await waitLeader(nc, stream, 15_000);
    if (!leader) break;
    if (!views.has(leader)) {
      const info = await streamInfo(nc, stream, 2000);
      if (info?.cluster?.leader === leader) {
        const msgs = await readFromLeader(nc, stream, info.state.first_seq, info.state.last_seq).catch(() => undefined);
        const after = await streamInfo(nc, stream, 2000);
        if (msgs && after?.cluster?.leader === leader) views.set(leader, { server: leader, msgs });
        log(`read ${leader}: ${msgs ? `${msgs.length} messages` : "failed"}${after?.cluster?.leader === leader ? "" : ", leader changed meanwhile"}`);
      }
      continue;
    }
    const target = peers.find((p) => !views.has(p))!;
    // asked through the target's own server: `nc`'s server may be one of those cut off from the leader
    const via = await connect({ servers: urlOf(target), reconnect: false, timeout: 2000 }).catch(() => undefined);
    if (!via) continue;
    // tsnats's stepdown picks its successor itself and may keep picking a peer the cut hides; every
    // other attempt then cuts the leader off from all peers, and the rest elect one of themselves
    const alone = attempts++ % 2 === 1;
    const undo = steer(leader, target, alone);
    try {
      if (!alone) await stepDown(via, stream, target);
      const next = await waitLeader(via, stream, alone ? 8_000 : 4_000, leader);
      log(`steered ${leader} -> ${target}${alone ? " (leader cut off)" : ""}: ${next ?? "no new leader"}`);
    } finally {
      undo();
      await via.close().catch(() => undefined);
    }
  }
  return { views: [...views.values()], unread: peers.filter((s) => !views.has(s)) };
}
