/**
 * The shell both seeded simulations share: the RAFT group's (simulation.ts) and the stream group's
 * (test/jetstream/cluster/sim/). It carries out one node's effects on its virtual disk and the network
 * as raft-group.ts does, runs I/O completions of a node's current life only, crashes nodes (losing
 * unsynced writes, damaging a damage-prone minority) and injects the network and clock faults. What a
 * simulation applies, how a node restarts and what it checks stay in the simulation.
 *
 * Every random choice comes from the one seeded `rng`, in a fixed order, so that a seed replays.
 */
import type { Effect } from "../../../src/raft/effects.js";
import type { Message } from "../../../src/raft/messages.js";
import type { RaftNode } from "../../../src/raft/raft-node.js";
import type { Entry, NodeId, Snapshot } from "../../../src/raft/types.js";
import { prng } from "../../store/helpers.js";
import type { SimDisk } from "./disk.js";
import { EventQueue } from "./event-queue.js";
import { History } from "./history.js";
import { SimNetwork, type Rng } from "./network.js";

/** What a simulated node has in either simulation. */
export interface ShellNode {
  readonly id: NodeId;
  readonly disk: SimDisk;
  raft: RaftNode | undefined;
  /** Bumped at each crash: callbacks of an earlier life are dropped. */
  life: number;
  skew: number;
  readonly damageProne: boolean;
  /** The highest synced mark its disk had when damaged: acknowledgements up to it may have been lost. */
  lostThrough: number;
  restartAt: number | undefined;
}

export interface ShellStats {
  elections: number;
  crashes: number;
  snapshotInstalls: number;
}

export abstract class SimShell<N extends ShellNode> {
  protected readonly rng: Rng;
  protected readonly queue = new EventQueue();
  protected readonly net: SimNetwork;
  readonly nodes = new Map<NodeId, N>();
  protected readonly history: History;
  now = 0;
  protected step = 0;
  protected abstract readonly stats: ShellStats;

  constructor(seed: number, private readonly tracing: boolean | undefined) {
    this.rng = prng(seed);
    this.history = new History((what) => this.fail(what));
    this.net = new SimNetwork(this.rng, this.queue, (m) => this.deliver(m));
  }

  /** Throws the failure with the line that replays the seed. */
  abstract fail(what: string): never;
  /** A node down (after a crash, or not yet started) comes up from its disk. */
  protected abstract restart(n: N): void;
  /** Committed entries reach the node's state machine. */
  protected abstract applyEntries(n: N, entries: readonly Entry[]): void;
  /** The node's state machine takes a snapshot's state (its disk already holds the snapshot). */
  protected abstract installState(n: N, snapshot: Snapshot): void;
  /** Runs when a node has become leader. */
  protected onLeads(_n: N): void {}
  /** Runs when a node crashes, after its disk lost what was unsynced (and was damaged, if it was). */
  protected onCrash(_n: N, _damaged: boolean): void {}

  protected trace(what: string): void {
    if (this.tracing) console.log(`t=${this.now} ${what}`);
  }

  /** Moves the clock on: due events run, live nodes tick, nodes due to restart do. */
  protected tickNodes(stepMs: number): void {
    this.now += stepMs;
    this.queue.runUntil(this.now);
    for (const n of this.nodes.values()) {
      if (n.raft) this.run1(n, n.raft.tick(this.now + n.skew));
      else if (n.restartAt !== undefined && this.now >= n.restartAt) this.restart(n);
    }
  }

  // ---- the shell: effects of one node, as raft-group.ts carries them out ----

  protected run1(n: N, effects: Effect[]): void {
    const raft = n.raft!;
    for (const e of effects) {
      switch (e.type) {
        case "saveHardState":
          n.disk.hard = e.state;
          break;
        case "append":
          n.disk.append(e.entries);
          break;
        case "truncateAfter":
          n.disk.truncateAfter(e.index);
          break;
        case "sync": {
          const done = n.disk.sync(e.index);
          // Now and then a slow disk: a leader's own sync may finish after its followers'.
          this.later(n, this.rng.chance(0.1) ? 10 + this.rng.int(60) : 1 + this.rng.int(6), () => {
            done();
            return raft.durable(e.index, e.term);
          });
          break;
        }
        case "apply":
          this.applyEntries(n, e.entries);
          break;
        case "saveSnapshot":
          n.disk.compact(e.snapshot);
          this.later(n, 2 + this.rng.int(8), () => raft.snapshotSaved(e.snapshot.index));
          break;
        case "installSnapshot":
          this.stats.snapshotInstalls++;
          n.disk.install(e.snapshot);
          this.installState(n, e.snapshot);
          this.later(n, 2 + this.rng.int(8), () => raft.snapshotSaved(e.snapshot.index));
          break;
        case "send":
          this.net.send(e.message, this.now);
          break;
        case "leaderChanged":
          if (e.leader === n.id) {
            this.stats.elections++;
            this.trace(`${n.id} leads term ${e.term}`);
            this.history.onLeader(n.id, e.term, raft);
            this.onLeads(n);
          }
          break;
      }
    }
  }

  /** Runs an I/O completion of this node's current life after `ms`. */
  protected later(n: N, ms: number, input: () => Effect[]): void {
    const life = n.life;
    this.queue.at(this.now + ms, () => {
      if (n.life === life && n.raft) this.run1(n, input());
    });
  }

  private deliver(m: Message): void {
    const n = this.nodes.get(m.to);
    if (n?.raft) this.run1(n, n.raft.receive(m));
  }

  /**
   * Voters whose disk holds the entry durably. A damaged node counts up to the synced mark it had when
   * damaged: the acknowledgements it sent before may still reach the leader and count, legitimately
   * (the node does not vote until repaired, see raft-node.ts).
   */
  protected durableHolders(voters: readonly NodeId[], e: Entry): { holders: number; voters: number } {
    let holders = 0;
    for (const v of voters) {
      const n = this.nodes.get(v)!;
      if (e.index <= n.lostThrough || n.disk.holdsDurably(e.index, e.term)) holders++;
    }
    return { holders, voters: voters.length };
  }

  // ---- faults ----

  protected crash(n: N): void {
    this.trace(`${n.id} crashes`);
    this.stats.crashes++;
    n.raft = undefined;
    n.life++;
    n.disk.crash(this.rng);
    const damaged = n.damageProne && this.rng.chance(0.4);
    if (damaged) {
      this.trace(`${n.id} disk damaged`);
      n.lostThrough = Math.max(n.lostThrough, n.disk.syncedThrough);
      n.disk.damage(this.rng);
    }
    this.onCrash(n, damaged);
    n.restartAt = this.now + 20 + this.rng.int(500);
  }

  /** Partitions (between the nodes `ids()` names) and heals, and clock jumps. */
  protected networkFaults(ids: () => NodeId[]): void {
    const rng = this.rng;
    if (rng.chance(0.015)) {
      const all = ids();
      const side = all.filter(() => rng.chance(0.4));
      const rest = all.filter((id) => !side.includes(id));
      const oneWay = rng.chance(0.3);
      this.trace(`partition ${side.join(",")} ${oneWay ? "->" : "|"} ${rest.join(",")}`);
      this.net.cut(side, rest, oneWay);
    }
    if (this.net.partitioned && rng.chance(0.03)) {
      this.trace("heal network");
      this.net.heal();
    }
    if (rng.chance(0.01)) {
      const n = rng.pick([...this.nodes.values()]);
      n.skew += rng.int(1500) - 300;
      this.trace(`${n.id} clock jumps to skew ${n.skew}`);
    }
  }

  /** Log matching between every two live nodes. */
  protected checkLogs(): void {
    const live = [...this.nodes.values()].filter((n) => n.raft).map((n) => n.raft!);
    for (let i = 0; i < live.length; i++) for (let j = i + 1; j < live.length; j++) this.history.checkLogMatching(live[i]!, live[j]!);
  }
}
