/** Why a proposal was not (or is not known to be) committed. */
import type { NodeId } from "./types.js";

/** This node does not lead the group (any more): propose on `leader`, when one is known. */
export class NotLeaderError extends Error {
  override readonly name: string = "NotLeaderError";
  constructor(readonly leader: NodeId | undefined) {
    super(leader === undefined ? "raft: no leader" : `raft: not the leader (the leader is ${leader})`);
  }
}

/**
 * The proposal is known never to commit: it was refused before it was appended (this node no longer
 * led when the batch was proposed), or its index holds another leader's entry. Unlike a plain
 * NotLeaderError (its entry may still commit under the next leader), the proposer may answer at once.
 */
export class ProposalDroppedError extends NotLeaderError {
  override readonly name = "ProposalDroppedError";
}

/** The group was closed, or stopped on an I/O failure (`cause`). */
export class GroupStoppedError extends Error {
  override readonly name = "GroupStoppedError";
}
