/**
 * What a RAFT node asks of its shell. A step returns them in order, and the shell must carry them out
 * in that order: in particular a saveHardState is durable before any later effect of the same list
 * (a vote must never leave before the vote is on disk).
 */
import type { Message } from "./messages.js";
import type { Entry, HardState, Index, NodeId, Snapshot, Term } from "./types.js";

export type Effect =
  /** Write the term and vote durably (small, atomic file) before the effects that follow. */
  | { readonly type: "saveHardState"; readonly state: HardState }
  /** Append to the log after its current last entry (page cache; durability comes with "sync"). */
  | { readonly type: "append"; readonly entries: readonly Entry[] }
  /** Drop every entry after `index` (never a committed one). */
  | { readonly type: "truncateAfter"; readonly index: Index }
  /** fdatasync the log through `index`, then report durable({index, term}) with these values. */
  | { readonly type: "sync"; readonly index: Index; readonly term: Term }
  /** Entries newly committed, in order: apply them to the state machine. */
  | { readonly type: "apply"; readonly entries: readonly Entry[] }
  /** Compact the log through snapshot.index in favour of the snapshot; report snapshotSaved. */
  | { readonly type: "saveSnapshot"; readonly snapshot: Snapshot }
  /** Replace the state machine and the log with the leader's snapshot; report snapshotSaved. */
  | { readonly type: "installSnapshot"; readonly snapshot: Snapshot }
  | { readonly type: "send"; readonly message: Message }
  /** The leader this node knows of changed (undefined: none known). */
  | { readonly type: "leaderChanged"; readonly leader: NodeId | undefined; readonly term: Term };
