/** Why a proposal was not (or is not known to be) committed. */
import type { NodeId } from "./types.js";

/** This node does not lead the group (any more): propose on `leader`, when one is known. */
export class NotLeaderError extends Error {
  override readonly name = "NotLeaderError";
  constructor(readonly leader: NodeId | undefined) {
    super(leader === undefined ? "raft: no leader" : `raft: not the leader (the leader is ${leader})`);
  }
}

/** The group was closed, or stopped on an I/O failure (`cause`). */
export class GroupStoppedError extends Error {
  override readonly name = "GroupStoppedError";
}
