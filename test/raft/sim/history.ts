/**
 * What the simulator observed across all nodes, and the RAFT properties checked against it:
 * election safety, leader completeness, state machine safety (every node applies the same entry at
 * an index), durable commit (an entry is first applied only when a majority of voters hold it on
 * disk), log matching, and that no acknowledged entry is lost.
 */
import type { RaftNode } from "../../../src/raft/raft-node.js";
import type { Entry, Index, NodeId, Term } from "../../../src/raft/types.js";

export class SimFailure extends Error {
  override readonly name = "SimFailure";
}

export const keyOf = (e: Entry): string => `${e.term}/${e.kind}/${e.kind === "config" ? e.voters!.join(",") : e.data.toString()}`;

export class History {
  private readonly leaders = new Map<Term, NodeId>();
  /** Every entry applied anywhere, by index (state machine safety). */
  readonly committed = new Map<Index, string>();
  /** Acknowledged proposals (data) and the index they were committed at. */
  readonly acked = new Map<string, Index>();

  constructor(private readonly fail: (what: string) => never) {}

  onLeader(id: NodeId, term: Term, node: RaftNode): void {
    const other = this.leaders.get(term);
    if (other !== undefined && other !== id) this.fail(`election safety: ${other} and ${id} both leaders in term ${term}`);
    this.leaders.set(term, id);
    for (const [index, key] of this.committed) {
      if (index <= node.snapshot.index) continue;
      const e = node.entry(index);
      if (!e || keyOf(e) !== key) this.fail(`leader completeness: ${id} (term ${term}) lacks committed ${index} ${key}, has ${e ? keyOf(e) : "nothing"}`);
    }
  }

  /** `holders` counts the voters that hold the entry durably, of `voters`. */
  onApply(id: NodeId, e: Entry, durableHolders: () => { holders: number; voters: number }): void {
    const key = keyOf(e);
    const known = this.committed.get(e.index);
    if (known === undefined) {
      const { holders, voters } = durableHolders();
      if (holders <= voters / 2) this.fail(`durable commit: ${e.index} ${key} applied on ${id} while only ${holders} of ${voters} voters hold it on disk`);
      this.committed.set(e.index, key);
    } else if (known !== key) {
      this.fail(`state machine safety: ${id} applies ${key} at ${e.index}, others applied ${known}`);
    }
  }

  onAck(data: string, index: Index): void {
    this.acked.set(data, index);
  }

  /** Two logs that hold an entry of the same term at the same index are equal up to it. */
  checkLogMatching(a: RaftNode, b: RaftNode): void {
    const lo = Math.max(a.snapshot.index, b.snapshot.index) + 1;
    let hi = Math.min(a.lastIndex, b.lastIndex);
    while (hi >= lo && a.termAt(hi) !== b.termAt(hi)) hi--;
    for (let i = lo; i <= hi; i++) {
      const x = keyOf(a.entry(i)!);
      const y = keyOf(b.entry(i)!);
      if (x !== y) this.fail(`log matching: ${a.id} and ${b.id} agree at ${hi} but differ at ${i}: ${x} vs ${y}`);
    }
  }
}
