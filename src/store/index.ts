/** The store layer's public surface: what the JetStream layer imports. */
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
export { FileStore, openFileStore, DEFAULT_BLOCK_SIZE, type FileStoreOptions, type StoreReport } from "./file/file-store.js";
export { restoreStore, SnapshotError } from "./snapshot.js";
export { fileStoreMsgSize, memStoreMsgSize } from "./msg-size.js";
