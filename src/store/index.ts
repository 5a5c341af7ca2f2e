/**
 * The store layer's public surface: what the JetStream layer imports.
 *
 * Typical use by a stream:
 * - create: `new MemoryStore({ limits, firstSeq })` or `await openFileStore({ dir, limits, firstSeq,
 *   syncIntervalMs })`; the stream owns its meta.json (util/atomic-file.ts writes it safely) and gives
 *   the store a directory of its own;
 * - publish: `const { seq, time } = store.storeMsg(subject, hdr, payload, { ttl })`, then
 *   `store.sync().then(sendPubAck)`. A StoreError's `code` maps to the API error (max_msgs,
 *   max_bytes, max_msgs_per_subject -> 10077 with the error's message; msg_too_large -> 10054);
 * - consumers: `nextSeq(filter, from)` / `loadNextMsg(filter, from)` walk the stream,
 *   `numPending(from, filter, lastPerSubject)` sizes it, `onRemove` tells them (and interest or
 *   workqueue bookkeeping, KV watchers) about removals by limits, age, TTL, purge and delete;
 * - API: STREAM.INFO from state(), deletedSeqs(), subjectsState(filter); PURGE from purge();
 *   MSG.GET from loadMsg / loadLastMsg / loadNextMsg; MSG.DELETE from removeMsg(seq, { erase });
 *   SNAPSHOT from snapshot(), RESTORE with restoreStore() into a fresh store;
 * - sealed streams, deny_delete/deny_purge, rollups, dedup and expected-sequence headers stay in the
 *   stream layer; a rollup is purge({ filter: subject, keep: 1 }) right after storing.
 */
export type {
  DiscardPolicy,
  LostData,
  PurgeOptions,
  RemoveListener,
  RemoveReason,
  StoreLimits,
  StoreMsgOptions,
  StoreOptions,
  StoreResult,
  StoredMsg,
  StreamState,
  StreamStore,
  SubjectState,
} from "./types.js";
export { NO_LIMITS } from "./types.js";
export { StoreError, isStoreError, type StoreErrorCode } from "./errors.js";
export { MemoryStore } from "./memory-store.js";
export { FileStore, openFileStore, DEFAULT_BLOCK_SIZE, sharedBlockCache, type FileStoreOptions, type StoreReport } from "./file/file-store.js";
export { BlockCache, DEFAULT_CACHE_BYTES } from "./file/block-cache.js";
export { restoreStore, SnapshotError } from "./snapshot.js";
export { fileStoreMsgSize, memStoreMsgSize } from "./msg-size.js";
