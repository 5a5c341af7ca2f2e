/**
 * The message store under a JetStream stream: one interface, two implementations (memory-store.ts,
 * file/file-store.ts). The JetStream layer owns everything about a stream except its messages: headers
 * such as Nats-Msg-Id or Nats-Expected-*, retention by interest, consumers, meta.json. The store owns
 * sequence numbers, timestamps, limits, expiry and durability.
 *
 * Units: sequences are positive integers (< 2^53); times are ns since the Unix epoch as numbers (see
 * util/nanos.ts for why), 0 meaning "no time"; durations are ns too. Every method is synchronous except
 * those that must wait for the disk (sync, flush, stop, delete, snapshot). A caller must not call into
 * the store from a remove listener.
 */

export type DiscardPolicy = "old" | "new";

/** The part of a StreamConfig the store enforces. 0 or a negative value means "no limit". */
export interface StoreLimits {
  maxMsgs: number;
  maxBytes: number;
  /** ns. */
  maxAge: number;
  maxMsgsPerSubject: number;
  /** Header plus payload bytes of one message, as nats-server counts for max_msg_size. */
  maxMsgSize: number;
  discard: DiscardPolicy;
  /** With discard "new": reject a message whose subject is at max_msgs_per_subject instead of replacing. */
  discardNewPerSubject: boolean;
}

export const NO_LIMITS: StoreLimits = {
  maxMsgs: -1,
  maxBytes: -1,
  maxAge: 0,
  maxMsgsPerSubject: -1,
  maxMsgSize: -1,
  discard: "old",
  discardNewPerSubject: false,
};

export interface StoreOptions {
  limits?: Partial<StoreLimits>;
  /** The first sequence of a new, empty store (StreamConfig.first_seq); ignored when the store has history. */
  firstSeq?: number;
  /** Clock in ns since the epoch (tests); defaults to util/nanos.nowNanos. */
  now?: () => number;
}

/**
 * A loaded message. hdr and data may be views into the store's cache: read-only for the caller, and
 * never changed by the store afterwards, so they may be kept (e.g. queued for a slow socket).
 */
export interface StoredMsg {
  seq: number;
  subject: string;
  /** ns since the epoch. */
  time: number;
  /** Raw header block (`NATS/1.0\r\n...\r\n\r\n`), undefined when the message had none. */
  hdr: Buffer | undefined;
  data: Buffer;
  /** Per-message TTL in ns, -1 for "never", undefined when the message had none. */
  ttl?: number;
}

export interface StoreMsgOptions {
  /** Per-message TTL (Nats-TTL) in ns; -1 = never expire, not even by max_age. */
  ttl?: number;
  /** Timestamp to record instead of now (mirrors, restores, tests). */
  time?: number;
}

export interface StoreResult {
  seq: number;
  time: number;
}

export interface StreamState {
  msgs: number;
  /** Sum of message sizes by nats-server's formula for this storage type (msg-size.ts). */
  bytes: number;
  /** 0 for a store that never held a message; lastSeq + 1 when empty after history. */
  firstSeq: number;
  firstTime: number;
  lastSeq: number;
  /** Time of the last message ever stored; kept when that message is removed. */
  lastTime: number;
  /** Sequences between firstSeq and lastSeq that hold no message. */
  numDeleted: number;
  numSubjects: number;
  /** Messages found damaged on disk (StreamState.lost in JetStream); absent when none. */
  lost?: LostData;
}

export interface LostData {
  msgs: number[];
  bytes: number;
}

export interface SubjectState {
  first: number;
  last: number;
  msgs: number;
}

export interface PurgeOptions {
  /** Only messages whose subject matches this filter (wildcards allowed); empty or ">" = all. */
  filter?: string;
  /** Only messages with a sequence below this one. */
  seq?: number;
  /** Keep the newest `keep` (matching) messages. */
  keep?: number;
}

export type RemoveReason =
  | "delete" // removeMsg
  | "purge" // purge or compact
  | "limit" // max_msgs, max_bytes, max_msgs_per_subject (discard old), or new, smaller limits
  | "age" // max_age
  | "ttl"; // per-message TTL

/** Called synchronously for every message that leaves the store, whatever the cause. */
export type RemoveListener = (seq: number, subject: string, reason: RemoveReason) => void;

export interface StreamStore {
  readonly kind: "memory" | "file";

  /**
   * Appends a message with the next sequence. Returns synchronously: the message is readable at once.
   * Durability is separate: await sync() before acknowledging. Throws StoreError for a limit that
   * rejects the message (discard new, max_msg_size) and when the store is closed or failed.
   */
  storeMsg(subject: string, hdr: Buffer | undefined, data: Buffer, opts?: StoreMsgOptions): StoreResult;
  /**
   * Stores a message under a given sequence, which must be above lastSeq (the gap becomes deleted
   * sequences). For restores, mirrors and replication. Same limits as storeMsg.
   */
  storeRawMsg(seq: number, subject: string, hdr: Buffer | undefined, data: Buffer, time: number, ttl?: number): void;
  /**
   * Drops every message above seq and makes seq the last sequence, as if nothing had been stored after
   * it (a RAFT follower discards entries that were never committed). Removals of messages up to seq
   * stay removed. Resolves once that is durable; nothing else may write to the store meanwhile.
   */
  truncate(seq: number): Promise<void>;
  /** Consumes the next sequence without storing anything (interest retention with no interest). */
  skipMsg(): number;
  /** Consumes every sequence up to and including seq without storing anything; no-op if seq <= lastSeq. */
  skipTo(seq: number): void;

  /**
   * Resolves once everything stored or removed before the call is durable under the store's policy:
   * fdatasync'ed (the default, batched by group commit) or, with sync_interval, at once.
   */
  sync(): Promise<void>;
  /** Like sync() but always waits for the disk, whatever the policy. */
  flush(): Promise<void>;

  loadMsg(seq: number): StoredMsg | undefined;
  /** First message at or after startSeq whose subject matches filter ("" or ">" = any). */
  loadNextMsg(filter: string, startSeq: number): StoredMsg | undefined;
  /** Sequence of what loadNextMsg would return, 0 when none (no payload read). */
  nextSeq(filter: string, startSeq: number): number;
  /** The newest message whose subject matches filter. */
  loadLastMsg(filter: string): StoredMsg | undefined;
  /** First sequence whose time is at or after `time` (deliver by_start_time); lastSeq + 1 when none. */
  seqForTime(time: number): number;
  /**
   * Calls visit with the header block of every live message at or after startSeq that has one, in
   * order, without loading the others (the stream rebuilds its dedup window from Nats-Msg-Id this way).
   * hdr may be a view into the store's cache, valid during the call only.
   */
  forEachHeader(startSeq: number, visit: (seq: number, time: number, hdr: Buffer) => void): void;

  /**
   * Removes one message. erase (MSG.DELETE without no_erase) also overwrites its bytes on disk; buffers
   * already returned by loads are never modified. False if absent.
   */
  removeMsg(seq: number, opts?: { erase?: boolean }): boolean;
  /** STREAM.PURGE semantics (ADR-10). Returns the number of messages removed. */
  purge(opts?: PurgeOptions): number;
  /**
   * Removes every message below seq. A seq beyond lastSeq + 1 moves lastSeq to seq - 1, as nats-server
   * does for a purge up to a future sequence. Returns the number removed.
   */
  compact(seq: number): number;

  state(): StreamState;
  /** The sequences counted by state().numDeleted, ascending (STREAM.INFO deleted_details). */
  deletedSeqs(): number[];
  /** Per-subject counts for subjects matching filter (STREAM.INFO subjects_filter, KV keys). */
  subjectsState(filter: string): Map<string, SubjectState>;
  /**
   * Messages at or after startSeq matching filter; with lastPerSubject, the number of matching subjects
   * whose last message is at or after startSeq (deliver last_per_subject).
   */
  numPending(startSeq: number, filter: string, lastPerSubject: boolean): number;

  /** Applies new limits at once (removing what no longer fits, whatever the discard policy). */
  updateLimits(limits: Partial<StoreLimits>): void;
  limits(): StoreLimits;

  /** Registers a remove listener; returns the function that unregisters it. */
  onRemove(listener: RemoveListener): () => void;

  /**
   * A byte stream from which restoreStore() rebuilds the same messages, sequences and times in any
   * store (the record format of record.ts). Runs while the store keeps serving; a message removed
   * meanwhile may or may not be included.
   */
  snapshot(chunkSize?: number): AsyncGenerator<Buffer>;

  /** Flushes, syncs and releases files and timers. The store is unusable afterwards. */
  stop(): Promise<void>;
  /** stop() and remove everything the store wrote. */
  delete(): Promise<void>;
}
