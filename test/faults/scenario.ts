/**
 * One fault scenario end to end: a private network, N server processes (tsnats or nats-server), an R3
 * (or R5) stream with a durable pull consumer, the workload running while a sequence of faults is
 * applied, then the heal and the verdict. The CI tests and `scripts/faults.mjs` both run this; the
 * report carries the figures (failover times, failed attempts) and every finding.
 *
 * Every random choice (which follower, which bytes) comes from the seed, so a scenario's faults
 * replay from (impl, faults, seed); the servers' own timing does not.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { Impl } from "../helpers/server-process.js";
import { prng } from "../store/helpers.js";
import { checkHistories, countFindings, type Finding, type FindingKind } from "./checker.js";
import { FaultCluster } from "./cluster-procs.js";
import { flipBits, newestBlock, truncateTo } from "./damage.js";
import { FaultNet } from "./netns.js";
import { readReplicaViews, streamInfo, streamPeers, waitJszAgree, waitLeader, type JszReplica } from "./replica-views.js";
import { faultClientOptions, Workload, workloadConsumerConfig } from "./workload.js";

export const FAULTS = [
  "leader-kill",
  "follower-kill",
  "leader-pause",
  "leader-partition",
  "follower-isolate",
  "loss",
  "quorum-loss",
  "follower-bitflip",
  "follower-truncate",
] as const;
export type Fault = (typeof FAULTS)[number];

export interface ScenarioOptions {
  impl: Impl;
  nodes: number;
  replicas: number;
  faults: readonly Fault[];
  seed: number;
  publishers?: number;
  /** Pause between a publisher's messages (keeps the read-back short in CI). */
  publishGapMs?: number;
  /** How long a fault lasts (a node down, paused or cut off). */
  faultMs?: number;
  /** Load before the first fault and between faults. */
  gapMs?: number;
  log?: (line: string) => void;
  /** Keep the servers' directories (stores, configs) for a post-mortem. */
  keepDir?: boolean;
}

export interface FaultRecord {
  fault: Fault;
  target: string;
  /** From the fault (the leader's kill, pause or cut) to the first PubAck of an attempt sent after it. */
  failoverMs?: number;
  /** From quorum's return (the heal, the restart) to the first PubAck of an attempt sent after it. */
  recoveryMs?: number;
  /** The leader before the fault and a few seconds after the heal. */
  leaderBefore?: string;
  leaderAfter?: string;
  note?: string;
}

export interface ScenarioReport {
  impl: Impl;
  seed: number;
  nodes: number;
  replicas: number;
  faults: FaultRecord[];
  acked: number;
  /** Failed publish attempts (each retried), by error. */
  failedAttempts: Record<string, number>;
  counts: Record<FindingKind, number>;
  /** Findings by server and kind ("n2 lost": 2). */
  perServer: Record<string, number>;
  /** Acknowledged ids missing on at least one replica, and those held at another sequence than acked. */
  lostIds: number;
  displacedIds: number;
  findings: Finding[];
  jsz: JszReplica[];
  /** Replicas whose history could not be read (never became leader). */
  unread: string[];
  consumerDrained: boolean;
  consumerPending?: { num_pending: number; num_ack_pending: number };
  redeliveries: number;
  /** Every acknowledged message on every replica, once, in order; one history; consumer caught up and acked. */
  ok: boolean;
  dir: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const STREAM = "FAULTS";
/**
 * A publisher's wait for a PubAck before it retries. It bounds the failover figures from below: a
 * publish lost with the old leader is retried only after it, so it is kept short.
 */
const PUB_ACK_TIMEOUT_MS = 500;
const CONSUMER = "WORKER";

async function retry<T>(what: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`${what}: ${e instanceof Error ? e.message : String(e)}`);
      await sleep(250);
    }
  }
}

/** Waits for the first PubAck of an attempt sent at or after t; ms from t, or undefined on timeout. */
async function ackAfter(w: Workload, t: number, timeoutMs: number): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const a = w.firstAckSentAfter(t);
    if (a) return a.ackedAt - t;
    await sleep(20);
  }
  return undefined;
}

export async function runScenario(o: ScenarioOptions): Promise<ScenarioReport> {
  const log = o.log ?? (() => undefined);
  const rng = prng(o.seed);
  const faultMs = o.faultMs ?? 3000;
  const gapMs = o.gapMs ?? 1500;
  const dir = mkdtempSync(join(tmpdir(), `tsnats-faults-${o.impl}-`));
  const net = FaultNet.create(o.nodes);
  let cluster: FaultCluster | undefined;
  let nc: NatsConnection | undefined;
  let work: Workload | undefined;
  let failed = true;
  try {
    cluster = await FaultCluster.start({ impl: o.impl, net, dir });
    const c = cluster;
    const indexOf = (name: string): number => c.nodes.findIndex((nd) => nd.name === name);
    nc = await connect(faultClientOptions(c.urls));
    const admin = nc;
    const jsm: JetStreamManager = await jetstreamManager(nc, { timeout: 3000, checkAPI: false });
    await retry("stream create", 60_000, () => jsm.streams.add({ name: STREAM, subjects: ["faults.>"], num_replicas: o.replicas, duplicate_window: 300_000_000_000 }));
    await retry("consumer create", 30_000, () => jsm.consumers.add(STREAM, workloadConsumerConfig(CONSUMER)));
    log(`${o.impl}: ${o.nodes} nodes ${c.nodes.map((nd) => nd.ip).join(" ")}, stream R${o.replicas} ready`);

    const w = new Workload({ urls: c.urls, stream: STREAM, subject: "faults", publishers: o.publishers ?? 3, consumer: CONSUMER, gapMs: o.publishGapMs, ackTimeoutMs: PUB_ACK_TIMEOUT_MS });
    work = w;
    await w.start();
    await sleep(gapMs);

    const leaderIndex = async (): Promise<number> => {
      const name = await waitLeader(admin, STREAM, 30_000);
      if (!name) throw new Error("no stream leader within 30 s");
      return indexOf(name);
    };
    const peers = await retry("stream peers", 30_000, async () => {
      const p = await streamPeers(admin, STREAM);
      if (p.length !== o.replicas) throw new Error(`stream info names ${p.length} peers`);
      // A replica named by something that is not a node's name (a node id before tsnats knew the
      // name) would leave follower() nothing to pick: `ip link set undefined down`.
      const unknown = p.filter((name) => indexOf(name) < 0);
      if (unknown.length > 0) throw new Error(`stream info names peers that are no node: ${unknown.join(", ")}`);
      return p.map(indexOf);
    });
    const follower = async (): Promise<number> => {
      const l = await leaderIndex();
      const running = peers.filter((i) => i !== l && c.isRunning(i));
      if (running.length === 0) throw new Error(`no running follower of ${STREAM} to fault (replicas ${peers.join(",")}, leader ${l})`);
      return rng.pick(running);
    };
    const records: FaultRecord[] = [];
    for (const fault of o.faults) {
      const rec = await applyFault(fault, { c, net, w, rng, faultMs, peers, leaderIndex, follower, admin, stream: STREAM });
      records.push(rec);
      log(`${o.impl}: ${JSON.stringify(rec)}`);
      await sleep(gapMs);
    }

    w.stopPublishing();
    for (let i = 0; i < c.nodes.length; i++) if (!c.isRunning(i)) await c.startNode(i);
    net.heal();
    await waitLeader(admin, STREAM, 30_000);
    log(`${o.impl}: healed, leader back`);
    const consumerDrained = await w.drained(30_000);
    log(`${o.impl}: consumer ${consumerDrained ? "drained" : "not drained"}`);
    const peerNames = peers.map((i) => c.nodes[i]!.name);
    const jsz = await waitJszAgree(c, peerNames, STREAM, 30_000);
    log(`${o.impl}: replicas' /jsz ${jsz.map((j) => j.last_seq).join(" ")}`);
    const consumerPending = await settledConsumer(jsm, 15_000);
    log(`${o.impl}: consumer settled ${JSON.stringify(consumerPending)}`);
    const steer = (leader: string, target: string, alone: boolean): (() => void) => {
      const l = indexOf(leader);
      const others = c.nodes.map((_, i) => i).filter((i) => i !== l && (alone || i !== indexOf(target)));
      net.partition([l], others);
      return () => net.unpartition([l], others);
    };
    const { views, unread } = await readReplicaViews(admin, peerNames, STREAM, steer, (name) => c.nodes[indexOf(name)]!.clientUrl, (l) => log(`${o.impl}: ${l}`));
    log(`${o.impl}: read ${views.length} replicas`);
    const findings = checkHistories(w.acked, views);
    const counts = countFindings(findings);
    const distinct = (kind: FindingKind): number => new Set(findings.filter((f) => f.kind === kind).map((f) => f.id)).size;
    const consumerDone = consumerPending?.num_pending === 0 && consumerPending.num_ack_pending === 0;
    const ok = findings.length === 0 && unread.length === 0 && consumerDrained && consumerDone && views.length === o.replicas;
    const report: ScenarioReport = {
      impl: o.impl,
      seed: o.seed,
      nodes: o.nodes,
      replicas: o.replicas,
      faults: records,
      acked: w.acked.length,
      failedAttempts: Object.fromEntries(w.failures),
      counts,
      perServer: tally(findings),
      lostIds: distinct("lost"),
      displacedIds: distinct("displaced"),
      findings: firstOfEachKind(findings, 5),
      jsz,
      unread,
      consumerDrained,
      consumerPending,
      redeliveries: w.redeliveries,
      ok,
      dir,
    };
    failed = !ok;
    if (!ok) for (let i = 0; i < c.nodes.length; i++) log(`--- ${c.nodes[i]!.name} output tail:\n${c.output(i).slice(-2000)}`);
    return report;
  } finally {
    await work?.close();
    await nc?.close().catch(() => undefined);
    await cluster?.stopAll();
    net.destroy();
    if (!o.keepDir && !failed) rmSync(dir, { recursive: true, force: true });
  }
}

/** The consumer's backlog once it is empty (nothing pending, nothing unacknowledged), or its last value. */
async function settledConsumer(jsm: JetStreamManager, timeoutMs: number): Promise<ScenarioReport["consumerPending"]> {
  const deadline = Date.now() + timeoutMs;
  let last: ScenarioReport["consumerPending"];
  while (Date.now() < deadline) {
    const ci = await jsm.consumers.info(STREAM, CONSUMER).catch(() => undefined);
    if (ci) last = { num_pending: ci.num_pending, num_ack_pending: ci.num_ack_pending };
    if (last?.num_pending === 0 && last.num_ack_pending === 0) break;
    await sleep(250);
  }
  return last;
}

interface FaultContext {
  c: FaultCluster;
  net: FaultNet;
  w: Workload;
  rng: ReturnType<typeof prng>;
  faultMs: number;
  /** The node indexes holding a replica of the stream. */
  peers: readonly number[];
  admin: NatsConnection;
  stream: string;
  leaderIndex(): Promise<number>;
  follower(): Promise<number>;
}

async function applyFault(fault: Fault, x: FaultContext): Promise<FaultRecord> {
  const { c, net, w } = x;
  const name = (i: number): string => c.nodes[i]!.name;
  const leaderAfterHeal = async (): Promise<string | undefined> => {
    await sleep(2000);
    return (await streamInfo(x.admin, x.stream, 2000))?.cluster?.leader;
  };
  switch (fault) {
    case "leader-kill": {
      const l = await x.leaderIndex();
      const t0 = Date.now();
      await c.kill(l);
      const failoverMs = await ackAfter(w, t0, 30_000);
      await sleep(Math.max(0, x.faultMs - (Date.now() - t0)));
      await c.startNode(l);
      return { fault, target: name(l), failoverMs, leaderBefore: name(l), leaderAfter: await leaderAfterHeal() };
    }
    case "follower-kill": {
      const f = await x.follower();
      const before = name(await x.leaderIndex());
      const t0 = Date.now();
      await c.kill(f);
      await sleep(x.faultMs);
      const acksWhileDown = w.acked.filter((a) => a.sentAt >= t0).length;
      await c.startNode(f);
      return { fault, target: name(f), leaderBefore: before, leaderAfter: await leaderAfterHeal(), note: `${acksWhileDown} acks while down` };
    }
    case "leader-pause": {
      const l = await x.leaderIndex();
      const t0 = Date.now();
      c.pause(l);
      const failoverMs = await ackAfter(w, t0, x.faultMs);
      await sleep(Math.max(0, x.faultMs - (Date.now() - t0)));
      const tHeal = Date.now();
      c.resume(l);
      const recoveryMs = failoverMs === undefined ? await ackAfter(w, tHeal, 30_000) : undefined;
      return { fault, target: name(l), failoverMs, recoveryMs, leaderBefore: name(l), leaderAfter: await leaderAfterHeal() };
    }
    case "leader-partition": {
      const l = await x.leaderIndex();
      const others = c.nodes.map((_, i) => i).filter((i) => i !== l);
      // the leader alone on one side: its fellow replicas and every other server on the other
      net.partition([l], others);
      // from the moment the cut is complete (installing the rules takes a while on 5 nodes)
      const t0 = Date.now();
      const failoverMs = await ackAfter(w, t0, x.faultMs);
      await sleep(Math.max(0, x.faultMs - (Date.now() - t0)));
      const tHeal = Date.now();
      net.heal();
      const recoveryMs = failoverMs === undefined ? await ackAfter(w, tHeal, 30_000) : undefined;
      return { fault, target: name(l), failoverMs, recoveryMs, leaderBefore: name(l), leaderAfter: await leaderAfterHeal() };
    }
    case "follower-isolate": {
      const f = await x.follower();
      const before = name(await x.leaderIndex());
      net.isolate(f);
      await sleep(x.faultMs);
      net.heal();
      // pre-vote: a follower coming back from isolation must not depose the leader it never lost.
      const after = await leaderAfterHeal();
      return { fault, target: name(f), leaderBefore: before, leaderAfter: after, note: after === before ? "leader kept" : "leader changed after the heal" };
    }
    case "loss": {
      const before = name(await x.leaderIndex());
      const t0 = Date.now();
      c.nodes.forEach((_, i) => net.loss(i, 0.1));
      await sleep(x.faultMs);
      net.heal();
      const acks = w.acked.filter((a) => a.sentAt >= t0 && a.ackedAt <= t0 + x.faultMs).length;
      return { fault, target: "all (10% of incoming packets)", leaderBefore: before, leaderAfter: await leaderAfterHeal(), note: `${acks} acks during the loss` };
    }
    case "quorum-loss": {
      const l = await x.leaderIndex();
      // the leader and enough followers that the replicas left are one short of a majority
      const majority = Math.floor(x.peers.length / 2) + 1;
      const victims = [l, ...x.peers.filter((i) => i !== l)].slice(0, x.peers.length - majority + 1);
      for (const v of victims) await c.kill(v);
      await sleep(x.faultMs);
      for (const v of victims.slice(1)) await c.startNode(v);
      const tQuorum = Date.now();
      const recoveryMs = await ackAfter(w, tQuorum, 60_000);
      await c.startNode(victims[0]!);
      return { fault, target: victims.map(name).join("+"), recoveryMs, leaderBefore: name(l), leaderAfter: await leaderAfterHeal() };
    }
    case "follower-bitflip":
    case "follower-truncate": {
      const f = await x.follower();
      await c.kill(f);
      const block = newestBlock(c.nodes[f]!.storeDir, x.stream);
      const note = block === undefined ? "no block file found" : fault === "follower-bitflip" ? flipBits(block, 8, x.rng) : truncateTo(block, 0.5);
      await sleep(x.faultMs);
      await c.startNode(f);
      return { fault, target: name(f), note, leaderAfter: await leaderAfterHeal() };
    }
  }
}

function tally(findings: readonly Finding[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of findings) out[`${f.server || "acks"} ${f.kind}`] = (out[`${f.server || "acks"} ${f.kind}`] ?? 0) + 1;
  return out;
}

/** Up to `n` findings of each kind and server (a shifted log yields thousands of the same). */
function firstOfEachKind(findings: readonly Finding[], n: number): Finding[] {
  const seen = new Map<string, number>();
  return findings.filter((f) => {
    const key = `${f.kind} ${f.server}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
    return seen.get(key)! <= n;
  });
}

/** One line per fault and a summary line, for logs and the script. */
export function formatReport(r: ScenarioReport): string {
  const lines = [
    `${r.impl} seed=${r.seed} nodes=${r.nodes} R${r.replicas}: ${r.ok ? "OK" : "FAILED"} acked=${r.acked} lost=${r.lostIds} displaced=${r.displacedIds} ` +
      `dup=${r.counts.duplicate} divergent=${r.counts.divergent} misordered=${r.counts.misordered} ack-conflict=${r.counts["ack-conflict"]} ` +
      `unread=[${r.unread.join(",")}] consumer=${r.consumerDrained ? "drained" : "STALLED"} pending=${r.consumerPending?.num_pending ?? "?"}/${r.consumerPending?.num_ack_pending ?? "?"} redeliveries=${r.redeliveries}`,
    ...r.faults.map(
      (f) =>
        `  ${f.fault} ${f.target}: failover=${f.failoverMs ?? "-"}ms recovery=${f.recoveryMs ?? "-"}ms leader ${f.leaderBefore ?? "?"} -> ${f.leaderAfter ?? "?"}${f.note ? ` (${f.note})` : ""}`,
    ),
    `  jsz: ${r.jsz.map((j) => `${j.server} msgs=${j.messages} last=${j.last_seq}`).join("; ")}`,
    `  failed attempts: ${JSON.stringify(r.failedAttempts)}`,
    ...(r.findings.length > 0 ? [`  findings: ${JSON.stringify(r.perServer)}`] : []),
    ...r.findings.map((f) => `  ${f.kind} ${f.server}: ${f.detail}`),
  ];
  if (!r.ok) lines.push(`  kept: ${r.dir}`);
  return lines.join("\n");
}
