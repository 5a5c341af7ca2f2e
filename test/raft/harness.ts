/**
 * A hand-driven group of RaftNodes for unit tests: messages and sync completions wait in queues until
 * the test delivers them, so each test decides exactly what happens in which order.
 */
import type { Effect } from "../../src/raft/effects.js";
import type { Message } from "../../src/raft/messages.js";
import { RaftNode, type RaftNodeOptions } from "../../src/raft/raft-node.js";
import type { Entry, NodeId } from "../../src/raft/types.js";
import { prng } from "../store/helpers.js";

export const TIMING = { heartbeatMs: 10, electionMinMs: 100, electionMaxMs: 200 };

export interface Member {
  node: RaftNode;
  /** Every effect this node returned, in order. */
  effects: Effect[];
  /** Syncs asked and not yet completed. */
  syncs: { index: number; term: number }[];
  applied: Entry[];
}

export class Group {
  readonly members = new Map<NodeId, Member>();
  inFlight: Message[] = [];
  /** Each node's own clock: a test moves one alone to make its timer fire first. */
  readonly clocks = new Map<NodeId, number>();

  constructor(ids: readonly NodeId[], options: Partial<RaftNodeOptions> = {}, seed = 1) {
    const rng = prng(seed);
    for (const id of ids) this.add(id, { voters: ids, random: rng.next, ...options });
  }

  add(id: NodeId, options: Partial<RaftNodeOptions> = {}): Member {
    const node = new RaftNode({
      id,
      hardState: { term: 0, votedFor: undefined, repairAbove: undefined },
      snapshot: undefined,
      entries: [],
      voters: [],
      damaged: false,
      random: () => 0.5,
      now: 0,
      timing: TIMING,
      ...options,
    });
    const m: Member = { node, effects: [], syncs: [], applied: [] };
    this.members.set(id, m);
    this.clocks.set(id, 0);
    this.take(m, node.start());
    return m;
  }

  get(id: NodeId): Member {
    return this.members.get(id)!;
  }

  /** Records a step's effects; sends go in flight, syncs wait for completeSyncs. */
  take(m: Member, effects: Effect[]): Effect[] {
    m.effects.push(...effects);
    for (const e of effects) {
      if (e.type === "send") this.inFlight.push(e.message);
      if (e.type === "sync") m.syncs.push({ index: e.index, term: e.term });
      if (e.type === "apply") m.applied.push(...e.entries);
    }
    return effects;
  }

  /** Moves one node's clock `ms` ahead and ticks it. */
  tick(id: NodeId, ms: number): Effect[] {
    const clock = this.clocks.get(id)! + ms;
    this.clocks.set(id, clock);
    return this.take(this.get(id), this.get(id).node.tick(clock));
  }

  /**
   * Advances the clocks of every node (or of `only`) by `ms`, ticking every `step` ms and settling
   * after each tick (dropping what `drop` selects: a partition).
   */
  advance(ms: number, o: { step?: number; only?: readonly NodeId[]; drop?: (m: Message) => boolean } = {}): void {
    const step = o.step ?? 5;
    for (let t = 0; t < ms; t += step) {
      for (const id of this.members.keys()) if (!o.only || o.only.includes(id)) this.tick(id, step);
      this.settle(o.drop);
    }
  }

  /** Delivers what is in flight (and what that sends, until quiet), dropping what `drop` selects. */
  deliver(drop: (m: Message) => boolean = () => false, rounds = 50): void {
    for (let i = 0; i < rounds && this.inFlight.length > 0; i++) {
      const batch = this.inFlight;
      this.inFlight = [];
      for (const msg of batch) {
        const to = this.members.get(msg.to);
        if (to && !drop(msg)) this.take(to, to.node.receive(msg));
      }
    }
  }

  completeSyncs(id: NodeId): void {
    const m = this.get(id);
    const syncs = m.syncs;
    m.syncs = [];
    for (const s of syncs) this.take(m, m.node.durable(s.index, s.term));
  }

  /** Delivers and completes every sync until nothing moves. */
  settle(drop?: (m: Message) => boolean): void {
    for (let i = 0; i < 50; i++) {
      this.deliver(drop);
      let pending = false;
      for (const id of this.members.keys()) {
        if (this.get(id).syncs.length > 0) {
          pending = true;
          this.completeSyncs(id);
        }
      }
      if (!pending && this.inFlight.length === 0) return;
    }
  }

  /** Times out `id` (past any election timeout) and settles the election it starts. */
  elect(id: NodeId): void {
    this.tick(id, TIMING.electionMaxMs);
    this.settle();
  }

  leaders(): NodeId[] {
    return [...this.members].filter(([, m]) => m.node.role === "leader").map(([id]) => id);
  }
}

export const sent = (effects: readonly Effect[]): Message[] => effects.flatMap((e) => (e.type === "send" ? [e.message] : []));
