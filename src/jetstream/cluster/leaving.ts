/**
 * A clean shutdown (SIGTERM, the end of lame duck) hands every leadership this server holds to a peer
 * that can lead now, as nats-server's stepdownRaftNodes does, while the routes still carry the hand-over:
 * the groups go on at once instead of after an election timeout. The peers already know this server
 * leaves (its `gone` announcement, peer-directory.ts): a successor is never one that is leaving too.
 */
import type { RaftGroup } from "../../raft/raft-group.js";
import type { NodeId } from "../../raft/types.js";
import { isApiError } from "../errors.js";
import type { PeerFacts } from "./placement.js";
import { chooseSuccessor, viewOf } from "./stepdown.js";

/** The longest a shutdown waits for its leaderships to move (a stuck transfer must not hold it). */
const HAND_OVER_MS = 500;

export async function handOverLeaderships(groups: readonly RaftGroup[], selfName: string, peer: (id: NodeId) => PeerFacts | undefined): Promise<void> {
  const moving: { group: RaftGroup; to: NodeId }[] = [];
  for (const group of groups) {
    if (group.role !== "leader" || group.voters.length < 2) continue;
    const to = chooseSuccessor(viewOf(group, selfName), peer, undefined);
    if (isApiError(to)) continue;
    group.transferLeadership(to);
    moving.push({ group, to });
  }
  const deadline = Date.now() + HAND_OVER_MS;
  // Done when each has moved, or its successor is leaving too (it announced so meanwhile).
  while (moving.some((m) => m.group.role === "leader" && peer(m.to)?.offline !== true) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}
