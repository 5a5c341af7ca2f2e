/**
 * A seeded simulation of one RAFT group: N nodes of the real core (src/raft/raft-node.ts), each with
 * a shell that carries out its effects on a virtual disk (disk.ts) and network (network.ts), under a
 * virtual clock. Everything random comes from one seed, so a failure replays exactly.
 *
 * Fault phase (`steps` steps of STEP_MS): message loss, duplication and reordering at per-seed rates;
 * partitions (majority/minority, isolation, one-way cuts) and heals; crashes that lose unsynced writes
 * and restarts; damage (bit flips, cut files) on a fixed minority of nodes while they are down; clock
 * jumps forward and back; leader transfers; membership changes (a spare node added, a voter removed);
 * snapshots. Clients propose through whichever node leads; a proposal is acknowledged when its leader
 * applies it.
 * Heal phase: network clean, everyone restarted; a leader must appear and commit a new entry on every
 * voter within HEAL_BUDGET_MS, and every acknowledged entry must be applied at its index everywhere.
 *
 * It lives under test/, not src/raft/sim/: nothing in the server runs it, so it stays out of the build's
 * src tree and the bundle, and the stream layer's simulation (the stream state machine on top of the
 * RAFT group) can import it from test/ just the same.
 */
import { InvariantError } from "../../../src/util/assert.js";
import { RaftNode } from "../../../src/raft/raft-node.js";
import type { Entry, Index, NodeId, Snapshot } from "../../../src/raft/types.js";
import { SimDisk } from "./disk.js";
import { SimFailure, keyOf } from "./history.js";
import { CLEAN_LINKS } from "./network.js";
import { SimShell, type ShellNode } from "./shell.js";

const STEP_MS = 5;
const HEAL_BUDGET_MS = 8000;
const SNAPSHOT_EVERY = 16;
const TIMING = { heartbeatMs: 20, electionMinMs: 100, electionMaxMs: 200 };

export interface SimOptions {
  seed: number;
  nodes: number;
  steps: number;
  trace?: boolean;
}

export interface SimStats {
  acked: number;
  committed: number;
  elections: number;
  crashes: number;
  /** Restarts that found damage (and so had to repair). */
  damagedRestarts: number;
  snapshotInstalls: number;
  voterChanges: number;
  transfers: number;
}

export const noStats = (): SimStats => ({ acked: 0, committed: 0, elections: 0, crashes: 0, damagedRestarts: 0, snapshotInstalls: 0, voterChanges: 0, transfers: 0 });

interface SimNode extends ShellNode {
  /** The state machine: the key of every applied entry, by index - 1. */
  applied: string[];
  /** Proposals made through this node while it led (its shell would answer them). */
  proposed: Set<string>;
}

export function runSimulation(o: SimOptions): SimStats {
  return new Simulation(o).run();
}

class Simulation extends SimShell<SimNode> {
  private readonly initialVoters: NodeId[];
  private nextValue = 0;
  protected readonly stats = noStats();

  constructor(private readonly o: SimOptions) {
    super(o.seed, o.trace);
    this.initialVoters = Array.from({ length: o.nodes }, (_, i) => `n${i}`);
    const damageProne = new Set(this.initialVoters.filter(() => this.rng.chance(0.5)).slice(0, Math.floor((o.nodes - 1) / 2)));
    // One spare beyond the group, for membership changes.
    for (const id of [...this.initialVoters, `n${o.nodes}`]) {
      const n: SimNode = { id, disk: new SimDisk(), raft: undefined, life: 0, applied: [], skew: 0, proposed: new Set(), damageProne: damageProne.has(id), lostThrough: 0, restartAt: undefined };
      this.nodes.set(id, n);
      this.restart(n);
    }
  }

  run(): SimStats {
    try {
      this.net.faults = { loss: this.rng.next() * 0.1, duplicate: this.rng.next() * 0.05, jitterMs: 1 + this.rng.int(20) };
      for (this.step = 0; this.step < this.o.steps; this.step++) {
        this.tickNodes(STEP_MS);
        this.injectFaults();
        this.propose();
        if (this.step % 5 === 0) this.checkLogs();
      }
      this.heal();
      this.checkLogs();
      this.checkAcked();
      return this.stats;
    } catch (e) {
      if (e instanceof InvariantError) this.fail(`core invariant: ${e.message}`);
      throw e;
    }
  }

  fail(what: string): never {
    throw new SimFailure(`RAFT_SIM_SEED=${this.o.seed} RAFT_SIM_NODES=${this.o.nodes} RAFT_SIM_STEPS=${this.o.steps}: ${what} [step ${this.step}, t=${this.now}ms]`);
  }

  // ---- the state machine ----

  protected applyEntries(n: SimNode, entries: readonly Entry[]): void {
    for (const e of entries) this.apply(n, e);
  }

  protected installState(n: SimNode, snapshot: Snapshot): void {
    n.applied = JSON.parse(snapshot.data.toString()) as string[];
  }

  private apply(n: SimNode, e: Entry): void {
    const raft = n.raft!;
    if (e.index !== n.applied.length + 1) this.fail(`${n.id} applies ${e.index} after ${n.applied.length}`);
    this.history.onApply(n.id, e, () => this.durableHolders(raft.voters, e));
    n.applied.push(keyOf(e));
    if (raft.role === "leader" && e.kind === "normal" && n.proposed.delete(e.data.toString())) {
      this.history.onAck(e.data.toString(), e.index);
      this.stats.acked++;
    }
    if (n.applied.length - raft.snapshot.index >= SNAPSHOT_EVERY) {
      this.run1(n, raft.takeSnapshot(n.applied.length, Buffer.from(JSON.stringify(n.applied))));
    }
  }

  // ---- lives ----

  protected override onCrash(n: SimNode): void {
    n.proposed.clear();
  }

  protected restart(n: SimNode): void {
    const r = n.disk.readBack();
    const isSpare = !this.initialVoters.includes(n.id);
    n.raft = new RaftNode({
      id: n.id,
      hardState: r.hardState,
      snapshot: r.snapshot,
      entries: r.entries,
      voters: isSpare ? [] : this.initialVoters,
      damaged: r.damaged,
      random: this.rng.next,
      now: this.now + n.skew,
      timing: TIMING,
      maxBatch: 4,
      maxInflight: 3,
    });
    n.restartAt = undefined;
    n.applied = r.snapshot ? (JSON.parse(r.snapshot.data.toString()) as string[]) : [];
    if (r.damaged) this.stats.damagedRestarts++;
    if (n.life > 0) this.trace(`${n.id} restarts (log ${r.snapshot?.index ?? 0}+${r.entries.length}${r.damaged ? ", damaged" : ""})`);
    this.run1(n, n.raft.start());
  }

  // ---- faults and clients ----

  private injectFaults(): void {
    const rng = this.rng;
    const all = [...this.nodes.values()];
    if (rng.chance(0.02)) {
      const n = rng.pick(all);
      if (n.raft) this.crash(n);
    }
    this.networkFaults(() => (rng.chance(0.5) ? this.initialVoters : all.map((n) => n.id)));
    const leader = all.find((n) => n.raft?.role === "leader");
    if (leader && rng.chance(0.01)) {
      this.trace(`${leader.id} transfers leadership`);
      this.stats.transfers++;
      this.run1(leader, leader.raft!.transferLeadership());
    }
    if (leader?.raft!.canChangeVoters && rng.chance(0.01)) this.changeVoters(leader);
  }

  /** Grows the group by one (a spare or a removed node) or shrinks it back, never below the start. */
  private changeVoters(leader: SimNode): void {
    const raft = leader.raft!;
    const voters = raft.voters;
    let next: NodeId[];
    if (voters.length > this.o.nodes) {
      const removable = voters.filter((v) => v !== leader.id);
      const out = this.rng.pick(removable);
      next = voters.filter((v) => v !== out);
    } else {
      const outside = [...this.nodes.keys()].filter((id) => !voters.includes(id));
      if (outside.length === 0) return;
      next = [...voters, this.rng.pick(outside)];
    }
    this.trace(`${leader.id} changes voters to ${next.join(",")}`);
    this.stats.voterChanges++;
    this.run1(leader, raft.changeVoters(next));
  }

  private propose(): void {
    if (!this.rng.chance(0.4)) return;
    const n = this.rng.pick([...this.nodes.values()]);
    if (!n.raft?.canPropose) return;
    const data = Array.from({ length: 1 + this.rng.int(3) }, () => `v${this.nextValue++}`);
    for (const d of data) n.proposed.add(d);
    this.run1(n, n.raft.propose(data.map((d) => Buffer.from(d))));
  }

  // ---- heal and the final checks ----

  private heal(): void {
    this.trace("heal everything");
    this.net.heal();
    this.net.faults = CLEAN_LINKS;
    for (const n of this.nodes.values()) if (!n.raft) this.restart(n);
    const deadline = this.now + HEAL_BUDGET_MS;
    let marker: { data: string; by: SimNode; index: Index } | undefined;
    while (this.now < deadline) {
      this.tickNodes(STEP_MS);
      const leader = [...this.nodes.values()].find((n) => n.raft?.role === "leader" && n.raft.canPropose);
      if (marker && marker.by.raft?.role !== "leader" && !this.history.acked.has(marker.data)) marker = undefined;
      if (!marker && leader) {
        const data = `final${this.step}`;
        leader.proposed.add(data);
        marker = { data, by: leader, index: leader.raft!.lastIndex + 1 };
        this.run1(leader, leader.raft!.propose([Buffer.from(data)]));
      }
      if (marker && this.history.acked.has(marker.data)) {
        const voters = marker.by.raft!.voters;
        if (voters.every((v) => (this.nodes.get(v)!.applied.length ?? 0) >= marker!.index)) return;
      }
      this.step++;
    }
    this.fail(`no progress after heal: ${marker ? `marker ${marker.data} proposed by ${marker.by.id} not applied on every voter` : "no leader"} within ${HEAL_BUDGET_MS}ms; ${this.describe()}`);
  }

  private describe(): string {
    return [...this.nodes.values()]
      .map((n) => (n.raft ? `${n.id}:${n.raft.role}/t${n.raft.currentTerm}/last${n.raft.lastIndex}/c${n.raft.commitIndex}/v[${n.raft.voters.join(",")}]${n.raft.repairing ? "/repairing" : ""}` : `${n.id}:down`))
      .join(" ");
  }

  private checkAcked(): void {
    this.stats.committed = this.history.committed.size;
    const leader = [...this.nodes.values()].find((n) => n.raft?.role === "leader")!;
    for (const [data, index] of this.history.acked) {
      for (const v of leader.raft!.voters) {
        const got = this.nodes.get(v)!.applied[index - 1];
        if (got === undefined || !got.endsWith(`/normal/${data}`)) this.fail(`acknowledged ${data} at ${index} lost on ${v}: ${got ?? "nothing"}`);
      }
    }
  }
}
