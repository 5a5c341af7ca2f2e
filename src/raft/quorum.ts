/**
 * Majorities. A value is "held by a quorum" when more than half of the voters have reached it.
 */
import type { Index, NodeId } from "./types.js";

/** The highest index that a majority of `voters` have reached, given each voter's index. */
export function quorumIndex(voters: readonly NodeId[], reached: (id: NodeId) => Index): Index {
  if (voters.length === 0) return 0;
  const sorted = voters.map(reached).sort((a, b) => b - a);
  return sorted[Math.floor(voters.length / 2)]!;
}

/** Whether the voters in `yes` are a majority of `voters` (ids outside `voters` do not count). */
export function isQuorum(voters: readonly NodeId[], yes: ReadonlySet<NodeId>): boolean {
  let n = 0;
  for (const v of voters) if (yes.has(v)) n++;
  return n > voters.length / 2;
}
