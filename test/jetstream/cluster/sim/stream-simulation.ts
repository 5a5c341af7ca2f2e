/**
 * A seeded simulation of one replicated stream: N nodes of the real RAFT core (src/raft/raft-node.ts)
 * on the RAFT simulator's virtual disk and network (test/raft/sim/), each applying the committed
 * entries to a replica of the stream (sim-replica.ts: the real Stream over a MemoryStore, brought to
 * snapshots as stream-group.ts does). Everything random comes from one seed, so a failure replays
 * exactly; it prints the command line that does.
 *
 * Faults: message loss, duplication and reordering; partitions and heals; crashes (the RAFT log loses
 * what was not synced, a file store keeps what it last flushed, a memory store keeps nothing); damage
 * to a minority's RAFT log and store; clock jumps; leader transfers. Clients publish to whichever node
 * they think leads (some with Nats-Msg-Id, some with Nats-Expected-Last-Sequence or
 * -Last-Subject-Sequence, some roll-ups) and retry a Msg-Id publish on timeout; an admin deletes and
 * purges. Then everything heals, and a final publish must be applied by every replica.
 * The checks are stream-checks.ts's, and the RAFT ones of test/raft/sim/history.ts.
 */
import { encodeMsg, encodeOp, EntryType } from "../../../../src/jetstream/cluster/stream-entries.js";
import { decodeStreamConfig, normalizeStreamConfig, type StreamConfig } from "../../../../src/jetstream/stream/config.js";
import { buildHeaders, JS_EXPECTED_LAST_SEQ, JS_EXPECTED_LAST_SUBJ_SEQ, JS_MSG_ID, JS_ROLLUP } from "../../../../src/jetstream/headers.js";
import { RaftNode } from "../../../../src/raft/raft-node.js";
import type { Entry, Index, NodeId, Snapshot } from "../../../../src/raft/types.js";
import { MemoryStore } from "../../../../src/store/index.js";
import { InvariantError } from "../../../../src/util/assert.js";
import { SimDisk } from "../../../raft/sim/disk.js";
import { SimFailure } from "../../../raft/sim/history.js";
import { CLEAN_LINKS } from "../../../raft/sim/network.js";
import { SimShell, type ShellNode } from "../../../raft/sim/shell.js";
import { copyStore, SimReplica } from "./sim-replica.js";
import { StreamChecks, type ClientOp } from "./stream-checks.js";

const STEP_MS = 5;
const HEAL_BUDGET_MS = 10_000;
const SNAPSHOT_EVERY = 12;
const CLIENT_TIMEOUT_MS = 300;
const TIMING = { heartbeatMs: 20, electionMinMs: 100, electionMaxMs: 200 };
/** Entry times start in 2040: the dedup window, rebuilt against the wall clock at restore, then holds them all. */
const BASE_NS = Date.UTC(2040, 0, 1) * 1e6;
const SUBJECTS = ["s.a", "s.b", "s.c", "s.d"];

export interface StreamSimOptions {
  seed: number;
  nodes: number;
  steps: number;
  /** Limits, roll-ups, deletes and purges in the workload (see the test for why they are apart). */
  removals: boolean;
  /** Half the seeds on memory storage (see the test for why they are apart). */
  memory: boolean;
  /** Crashes may take down a majority (else a node crashes only while a majority of the others serve). */
  majorityCrashes: boolean;
  trace?: boolean;
}

export interface StreamSimStats {
  acked: number;
  duplicates: number;
  rejected: number;
  elections: number;
  crashes: number;
  damagedRestarts: number;
  snapshots: number;
  snapshotInstalls: number;
  fetches: number;
  /** Stores cut back to their snapshot that held removals made after it (then they adopt a peer's state). */
  laterRemovals: number;
  /** Replays onto a store holding removals made after its snapshot, no peer having answered. */
  fallbacks: number;
}

export const noStreamStats = (): StreamSimStats => ({ acked: 0, duplicates: 0, rejected: 0, elections: 0, crashes: 0, damagedRestarts: 0, snapshots: 0, snapshotInstalls: 0, fetches: 0, laterRemovals: 0, fallbacks: 0 });

interface SimNode extends ShellNode {
  replica: SimReplica | undefined;
  /** A file store's flushed contents (undefined for memory storage). */
  image: MemoryStore | undefined;
  /** The store reports damage when it next opens. */
  storeDamaged: boolean;
  snapshotAt: Index;
}

interface Client {
  readonly id: number;
  next: number;
  op: ClientOp | undefined;
  attempt: number;
  sentAt: number;
  /** Per subject (and "" for the stream), the highest sequence this client saw acknowledged. */
  known: Map<string, number>;
  subject: string;
  hdr: Buffer | undefined;
}

export function runStreamSimulation(o: StreamSimOptions): Promise<StreamSimStats> {
  return new StreamSimulation(o).run();
}

export class StreamSimulation extends SimShell<SimNode> {
  private readonly voters: NodeId[];
  readonly checks: StreamChecks;
  readonly cfg: StreamConfig;
  private readonly fileStorage: boolean;
  private readonly removals: boolean;
  private readonly clients: Client[] = [];
  readonly stats = noStreamStats();

  constructor(private readonly o: StreamSimOptions) {
    super(o.seed, o.trace);
    this.checks = new StreamChecks((what) => this.fail(what));
    const rng = this.rng;
    this.removals = o.removals;
    this.cfg = normalizeStreamConfig(
      decodeStreamConfig(
        {
          name: "SIM",
          subjects: ["s.*"],
          storage: o.memory && rng.chance(0.5) ? "memory" : "file",
          num_replicas: o.nodes,
          duplicate_window: 600e9,
          allow_rollup_hdrs: this.removals,
          max_msgs: this.removals && rng.chance(0.5) ? 8 + rng.int(24) : 0,
          max_msgs_per_subject: this.removals && rng.chance(0.5) ? 1 + rng.int(4) : 0,
        },
      ),
    );
    this.fileStorage = this.cfg.storage === "file";
    this.voters = Array.from({ length: o.nodes }, (_, i) => `n${i}`);
    const damageProne = new Set(this.voters.filter(() => rng.chance(0.5)).slice(0, Math.floor((o.nodes - 1) / 2)));
    for (const id of this.voters) {
      const n: SimNode = { id, disk: new SimDisk(), raft: undefined, replica: undefined, life: 0, skew: 0, image: this.fileStorage ? new MemoryStore() : undefined, storeDamaged: false, damageProne: damageProne.has(id), lostThrough: 0, restartAt: undefined, snapshotAt: 0 };
      this.nodes.set(id, n);
      this.restart(n);
    }
    for (let i = 0; i < 3; i++) this.clients.push({ id: i, next: 0, op: undefined, attempt: 0, sentAt: 0, known: new Map(), subject: "", hdr: undefined });
  }

  async run(): Promise<StreamSimStats> {
    try {
      this.net.faults = { loss: this.rng.next() * 0.1, duplicate: this.rng.next() * 0.05, jitterMs: 1 + this.rng.int(20) };
      for (this.step = 0; this.step < this.o.steps; this.step++) {
        await this.advance();
        this.injectFaults();
        this.drive();
        if (this.step % 5 === 0) this.checkLogs();
      }
      await this.heal();
      this.finalChecks();
      return this.stats;
    } catch (e) {
      if (e instanceof InvariantError) this.fail(`invariant: ${e.message}`);
      throw e;
    }
  }

  fail(what: string): never {
    throw new SimFailure(`STREAM_SIM_SEED=${this.o.seed} STREAM_SIM_NODES=${this.o.nodes} STREAM_SIM_STEPS=${this.o.steps} STREAM_SIM_REMOVALS=${this.o.removals ? 1 : 0} STREAM_SIM_MEMORY=${this.o.memory ? 1 : 0} STREAM_SIM_MAJORITY_CRASHES=${this.o.majorityCrashes ? 1 : 0} node dist/test/jetstream/cluster/sim/stream-sim.test.js: ${what} [step ${this.step}, t=${this.now}ms]`);
  }

  /** One step of virtual time: due events, ticks, restarts, fetches, then the replicas' bring-up work. */
  async advance(): Promise<void> {
    this.tickNodes(STEP_MS);
    for (const n of this.nodes.values()) this.fetch(n);
    for (let p = this.pending(); p.length > 0; p = this.pending()) await Promise.all(p);
  }

  private pending(): Promise<void>[] {
    return [...this.nodes.values()].flatMap((n) => n.replica?.pending ?? []);
  }

  // ---- the state machine, as stream-group.ts drives it ----

  protected applyEntries(n: SimNode, entries: readonly Entry[]): void {
    const raft = n.raft!;
    for (const entry of entries) this.history.onApply(n.id, entry, () => this.durableHolders(raft.voters, entry));
    n.replica!.apply(entries);
    this.maybeSnapshot(n);
  }

  protected installState(n: SimNode, snapshot: Snapshot): void {
    this.trace(`${n.id} installs snapshot ${snapshot.index} ${snapshot.data.toString()}`);
    n.replica!.bring(JSON.parse(snapshot.data.toString()), false, snapshot.index, () => this.now);
  }

  /** A replica whose store is behind its log hands the leadership on (stream-group.ts). */
  protected override onLeads(n: SimNode): void {
    if (n.replica!.busy) this.run1(n, n.raft!.transferLeadership());
  }

  /** As stream-group.ts's snapshotNow: the state at the applied index, the store flushed, then the log compacted. */
  private maybeSnapshot(n: SimNode): void {
    const r = n.replica!;
    if (!r.canSnapshot || r.applied - n.snapshotAt < SNAPSHOT_EVERY) return;
    const data = r.snapshotData();
    this.flush(n);
    n.snapshotAt = r.applied;
    this.stats.snapshots++;
    this.run1(n, n.raft!.takeSnapshot(r.applied, data));
  }

  /** The store's writes so far are on disk. */
  flush(n: SimNode): void {
    if (this.fileStorage && n.replica && !n.replica.busy) n.image = copyStore(n.replica.store);
  }

  /** A replica waiting for messages fetches them from the leader it knows, if that one is reachable. */
  private fetch(n: SimNode): void {
    const r = n.replica;
    if (r?.fetching === undefined || r.pending) return;
    if (this.now > r.fetching.giveUpAt) {
      this.trace(`${n.id} replays onto its own store: no peer gave its state`);
      this.stats.fallbacks++;
      return r.giveUp();
    }
    const l = n.raft?.leaderId;
    // A leader that is itself fetching hands the leadership on again (stream-group.ts's fetch loop).
    if (l === n.id) return this.run1(n, n.raft!.transferLeadership());
    const leader = l === undefined ? undefined : this.nodes.get(l);
    if (!leader?.replica || leader.replica.busy || !this.net.linked(n.id, leader.id) || !this.net.linked(leader.id, n.id)) return;
    this.stats.fetches++;
    this.trace(`${n.id} adopts the state of ${leader.id} (at ${leader.replica.stateIndex}): ${leader.replica.digest()}`);
    r.fetchFrom(leader.replica);
  }

  // ---- lives ----

  protected override onCrash(n: SimNode, damaged: boolean): void {
    n.replica = undefined;
    if (damaged) n.storeDamaged = this.rng.chance(0.5);
  }

  protected restart(n: SimNode): void {
    const r = n.disk.readBack();
    const store = n.image ? copyStore(n.image) : new MemoryStore();
    const at = r.snapshot?.index ?? 0;
    n.replica = new SimReplica(n.id, this.cfg, store, (subject, body) => this.onReply(subject, body), at, (a) => this.checks.onApplied(n.id, a, n.replica!.digest()), () => this.stats.laterRemovals++);
    n.snapshotAt = at;
    n.raft = new RaftNode({
      id: n.id,
      hardState: r.hardState,
      snapshot: r.snapshot,
      entries: r.entries,
      voters: this.voters,
      damaged: r.damaged,
      random: this.rng.next,
      now: this.now + n.skew,
      timing: TIMING,
      maxBatch: 4,
      maxInflight: 3,
    });
    n.restartAt = undefined;
    if (r.damaged || n.storeDamaged) this.stats.damagedRestarts++;
    // As stream-group.ts's open: without a snapshot the whole log replays onto an emptied store.
    const snap = r.snapshot ? JSON.parse(r.snapshot.data.toString()) : { firstSeq: 0, lastSeq: 0 };
    this.trace(`${n.id} opens: snapshot ${at} ${JSON.stringify(snap)}, store ${n.replica.digest()}`);
    n.replica.bring(snap, n.storeDamaged, at, () => this.now);
    n.storeDamaged = false;
    if (n.life > 0) this.trace(`${n.id} restarts (log ${at}+${r.entries.length}${r.damaged ? ", damaged" : ""})`);
    this.run1(n, n.raft.start());
  }

  // ---- faults ----

  private injectFaults(): void {
    const rng = this.rng;
    const all = [...this.nodes.values()];
    if (rng.chance(0.02)) {
      const n = rng.pick(all);
      // Memory stores keep nothing: one replica at a time, while the others hold the messages.
      const others = all.filter((o) => o !== n);
      const serving = others.filter((o) => o.replica && !o.replica.busy).length;
      const allowed = this.fileStorage ? this.o.majorityCrashes || serving > all.length / 2 : serving === others.length;
      if (n.raft && allowed) this.crash(n);
    }
    this.networkFaults(() => this.voters);
    if (rng.chance(0.05)) this.flush(rng.pick(all));
    const leader = this.leader();
    if (leader && rng.chance(0.01)) {
      this.trace(`${leader.id} transfers leadership`);
      this.run1(leader, leader.raft!.transferLeadership());
    }
  }

  leader(): SimNode | undefined {
    return [...this.nodes.values()].find((n) => n.raft?.role === "leader");
  }

  // ---- clients ----

  /** Clients time out, retry or send their next publish; the admin deletes and purges. */
  private drive(): void {
    const rng = this.rng;
    for (const c of this.clients) {
      if (c.op?.done === undefined && c.op !== undefined && this.now - c.sentAt < CLIENT_TIMEOUT_MS) continue;
      if (c.op !== undefined && c.op.done === undefined && c.op.msgId !== undefined) {
        this.send(c);
        continue;
      }
      if (!rng.chance(0.3)) continue;
      this.newOp(c);
      this.send(c);
    }
    if (this.removals && rng.chance(0.02)) this.admin();
  }

  private newOp(c: Client): void {
    const rng = this.rng;
    const data = `c${c.id}-${c.next++}`;
    const subject = rng.pick(SUBJECTS);
    const h: [string, string][] = [];
    const msgId = rng.chance(0.6) ? `id-${data}` : undefined;
    if (msgId !== undefined) h.push([JS_MSG_ID, msgId]);
    let expectedLastSeq: number | undefined;
    const r = rng.next();
    if (r < 0.15) h.push([JS_EXPECTED_LAST_SUBJ_SEQ, String(c.known.get(subject) ?? 0)]);
    else if (r < 0.25) h.push([JS_EXPECTED_LAST_SEQ, String((expectedLastSeq = c.known.get("") ?? 0))]);
    else if (r < 0.3 && this.cfg.allow_rollup_hdrs) h.push([JS_ROLLUP, "sub"]);
    c.op = { data, msgId, expectedLastSeq, invokedAt: this.now, done: undefined };
    c.subject = subject;
    c.hdr = h.length > 0 ? Buffer.from(buildHeaders(h), "latin1") : undefined;
    c.attempt = 0;
    this.checks.ops.set(data, c.op);
  }

  /** To the node the client believes leads (a random one's view); a follower drops it, as a stream replica does. */
  private send(c: Client): void {
    c.sentAt = this.now;
    c.attempt++;
    const op = c.op!;
    const all = [...this.nodes.values()];
    const view = this.rng.pick(all).raft?.leaderId;
    const n = view !== undefined ? this.nodes.get(view)! : this.rng.pick(all);
    if (!n.raft?.canPropose) return;
    const reply = `r.${c.id}.${op.data}.${c.attempt}`;
    this.run1(n, n.raft.propose([encodeMsg(n.id, c.subject, reply, c.hdr, Buffer.from(op.data), BASE_NS + (this.now + n.skew) * 1e6)]));
  }

  private onReply(subject: string, body: string): void {
    const [, client, data] = subject.split(".");
    const op = this.checks.ops.get(data!);
    if (op === undefined) this.fail(`a reply on ${subject} for no publish`);
    const first = op.done === undefined;
    this.checks.onReply(op, this.now, body);
    if (!first || op.done === undefined) return;
    if ("seq" in op.done) {
      this.stats.acked++;
      if (op.done.duplicate) this.stats.duplicates++;
      const c = this.clients[Number(client)];
      if (c === undefined) return; // the final publish
      if (c.op === op) c.known.set(c.subject, Math.max(c.known.get(c.subject) ?? 0, op.done.seq));
      c.known.set("", Math.max(c.known.get("") ?? 0, op.done.seq));
    } else this.stats.rejected++;
  }

  private admin(): void {
    const leader = this.leader();
    if (!leader?.raft?.canPropose) return;
    const rng = this.rng;
    const last = leader.replica!.store.state().lastSeq;
    const op =
      rng.chance(0.7)
        ? encodeOp(EntryType.Delete, leader.id, { seq: 1 + rng.int(last + 1), erase: false, rid: "admin" })
        : encodeOp(EntryType.Purge, leader.id, { req: { filter: rng.pick(SUBJECTS), keep: rng.int(3) }, rid: "admin" });
    this.trace(`admin proposes ${op.subarray(2 + leader.id.length).toString()}`);
    this.run1(leader, leader.raft.propose([op]));
  }

  // ---- heal and the final checks ----

  private async heal(): Promise<void> {
    this.trace("heal everything");
    this.net.heal();
    this.net.faults = CLEAN_LINKS;
    for (const n of this.nodes.values()) if (!n.raft) this.restart(n);
    const deadline = this.now + HEAL_BUDGET_MS;
    let marker: { by: SimNode; index: Index } | undefined;
    const reply = "r.final.final.1";
    const op: ClientOp = { data: "final", msgId: "final", expectedLastSeq: undefined, invokedAt: 0, done: undefined };
    this.checks.ops.set("final", op);
    while (this.now < deadline) {
      await this.advance();
      this.step++;
      if (marker && marker.by.raft?.role !== "leader" && op.done === undefined) marker = undefined;
      const leader = this.leader();
      if (!marker && leader?.raft?.canPropose) {
        op.invokedAt = this.now;
        marker = { by: leader, index: leader.raft.lastIndex + 1 };
        this.run1(leader, leader.raft.propose([encodeMsg(leader.id, "s.final", reply, Buffer.from(buildHeaders([[JS_MSG_ID, "final"]]), "latin1"), Buffer.from("final"), BASE_NS + (this.now + leader.skew) * 1e6)]));
      }
      const all = [...this.nodes.values()];
      if (marker && op.done !== undefined && all.every((n) => n.replica && !n.replica.busy && n.replica.applied >= marker!.index && n.replica.applied === n.raft!.commitIndex)) {
        if (all.every((n) => n.replica!.applied === all[0]!.replica!.applied)) return;
      }
    }
    this.fail(`no progress after heal within ${HEAL_BUDGET_MS}ms: ${this.describe()}`);
  }

  describe(): string {
    return [...this.nodes.values()]
      .map((n) => (n.raft ? `${n.id}:${n.raft.role}/t${n.raft.currentTerm}/last${n.raft.lastIndex}/c${n.raft.commitIndex}/applied${n.replica!.applied}${n.replica!.busy ? "/busy" : ""}${n.replica!.fetching ? "/fetching" : ""}` : `${n.id}:down`))
      .join(" ");
  }

  finalChecks(): void {
    this.checks.checkStores();
    this.checks.checkLinearizable();
    const removals = this.removals || this.cfg.max_msgs > 0 || this.cfg.max_msgs_per_subject > 0;
    for (const n of this.nodes.values()) {
      const store = n.replica!.store;
      this.checks.checkHeld(n.id, (seq) => store.loadMsg(seq)?.data.toString(), store.state().lastSeq, removals);
    }
  }
}
