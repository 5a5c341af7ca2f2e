/**
 * The values a RAFT group is made of. Indexes and terms are plain numbers: 2^53 entries or terms is
 * beyond any group's life, and numbers keep the core free of bigint arithmetic on the hot path.
 */

/** A server's name within the group (nats-server uses an 8-character hash of the server name). */
export type NodeId = string;
/** An election epoch; 0 before any election. */
export type Term = number;
/** A log position; 1 is the first entry, 0 means "before the log". */
export type Index = number;

/**
 * What an entry holds. "noop" is the entry a new leader appends so that it can commit (and so learn)
 * everything before its term; "config" carries the full voter set that takes effect once appended.
 */
export type EntryKind = "normal" | "noop" | "config";

export interface Entry {
  readonly index: Index;
  readonly term: Term;
  readonly kind: EntryKind;
  /** The proposal's bytes for "normal"; empty otherwise. */
  readonly data: Buffer;
  /** The voter set, for "config" entries only. */
  readonly voters?: readonly NodeId[];
}

/** The state machine as of `index`, with the voter set in force there, so a peer can start from it. */
export interface Snapshot {
  readonly index: Index;
  readonly term: Term;
  readonly voters: readonly NodeId[];
  readonly data: Buffer;
}

/**
 * What must be durable before a node sends anything that depends on it: its term, its vote, and
 * whether it is repairing damage (then `repairAbove` is the term it had when the damage was found:
 * it neither votes nor campaigns until it has committed an entry of a later term).
 */
export interface HardState {
  readonly term: Term;
  readonly votedFor: NodeId | undefined;
  readonly repairAbove: Term | undefined;
}

/** The injected source of randomness (seeded in the simulator): a number in [0, 1). */
export type RandomSource = () => number;
