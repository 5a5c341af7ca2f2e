/**
 * The messages RAFT peers exchange. Each maps one to one onto a message nats-server's RAFT (NRG)
 * sends, so that the I/O shell can encode them on its `$NRG.>` subjects:
 *
 *   ours             nats-server                              subject
 *   ---------------  ---------------------------------------  -------------------------------------
 *   vote             voteRequest {term,lastTerm,lastIndex}    $NRG.V.<group>, reply $NRG.R.<inbox>
 *   voteResponse     voteResponse {term,peer,granted}         the vote request's reply
 *   preVote          (none: nats-server has no pre-vote)      $NRG.V.<group>, a voteRequest flagged
 *   preVoteResponse  (none)                                     as pre-vote (tsnats peers only)
 *   append           appendEntry {leader,term,commit,pterm,   $NRG.AE.<group>, reply $NRG.R.<inbox>
 *                      pindex,entries}
 *   appendResponse   appendEntryResponse {term,index,peer,    the append entry's reply
 *                      success}
 *   snapshot         appendEntry whose entries are            the catch-up inbox of the follower
 *                      [EntrySnapshot, EntryPeerState]
 *   timeoutNow       appendEntry carrying EntryLeaderTransfer $NRG.AE.<group>
 *
 * Entry kinds: normal = EntryNormal, config = EntryAddPeer / EntryRemovePeer (one peer at a time, so
 * the full voter set here and the one peer there say the same), noop = an empty EntryNormal.
 * A proposal forwarded from a follower ($NRG.P.<group>) and a peer removal request ($NRG.RP.<group>)
 * are the shell's business: it hands them to the leader's core as propose() and changeVoters().
 *
 * With nats-server peers in a group (a mixed cluster): appendEntryResponse has one `index`, so a
 * tsnats follower puts `durable` there (and `matched` on a rejection); a nats-server follower's index
 * is what it stored, which is not known to be fdatasynced. nats-server has no pre-vote: how a group
 * with nats-server peers campaigns (plain votes only?) is a question left to the shell.
 */
import type { Entry, Index, NodeId, Snapshot, Term } from "./types.js";

interface Envelope {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: Term;
}

/** "Would you vote for me in `term`?" — asked before anyone's term changes (term = sender's + 1). */
export interface PreVote extends Envelope {
  readonly type: "preVote";
  readonly lastIndex: Index;
  readonly lastTerm: Term;
}

export interface PreVoteResponse extends Envelope {
  readonly type: "preVoteResponse";
  readonly granted: boolean;
}

export interface Vote extends Envelope {
  readonly type: "vote";
  readonly lastIndex: Index;
  readonly lastTerm: Term;
  /** Sent on the leader's own request (leader transfer): granted even while a leader is live. */
  readonly transfer: boolean;
}

export interface VoteResponse extends Envelope {
  readonly type: "voteResponse";
  readonly granted: boolean;
}

export interface Append extends Envelope {
  readonly type: "append";
  readonly prevIndex: Index;
  readonly prevTerm: Term;
  readonly entries: readonly Entry[];
  readonly commit: Index;
}

/**
 * A follower's answer. `matched` is how far its log is known to equal the leader's; `durable` how
 * far that matching prefix is fdatasynced: only `durable` counts toward commit. On a rejection
 * `matched` is a hint: the leader retries from matched + 1.
 */
export interface AppendResponse extends Envelope {
  readonly type: "appendResponse";
  readonly success: boolean;
  readonly matched: Index;
  readonly durable: Index;
}

/** Catch-up of a peer whose next entry the leader no longer holds (compacted). */
export interface InstallSnapshot extends Envelope {
  readonly type: "snapshot";
  readonly snapshot: Snapshot;
}

/** Leader transfer: the target campaigns at once, skipping pre-vote. */
export interface TimeoutNow extends Envelope {
  readonly type: "timeoutNow";
}

export type Message = PreVote | PreVoteResponse | Vote | VoteResponse | Append | AppendResponse | InstallSnapshot | TimeoutNow;
