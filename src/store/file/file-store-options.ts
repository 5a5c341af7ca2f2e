/** How a file store is configured and how it reports damage; shared by the layers of FileStore. */
import type { StoreOptions } from "../types.js";
import { BlockCache } from "./block-cache.js";
import type { ProblemKind } from "./scan.js";

export const DEFAULT_BLOCK_SIZE = 8 * 1024 * 1024;

/** One budget for every store that is not given its own (see DEFAULT_CACHE_BYTES). */
export const sharedBlockCache = new BlockCache();

export interface StoreReport {
  kind: ProblemKind | "corrupt-read" | "io-error" | "bad-state";
  file: string;
  offset?: number;
  bytes?: number;
  /** Where a damaged block's original bytes were copied for inspection. */
  quarantined?: string;
  detail: string;
}

export interface FileStoreOptions extends StoreOptions {
  /** The store's own directory (created if missing); it holds nothing else. */
  dir: string;
  /** Block files roll over at this size (default 8 MiB, like nats-server). */
  blockSize?: number;
  /** nats-server's sync_interval: acknowledge without waiting, fdatasync on this timer. */
  syncIntervalMs?: number;
  /** The memory budget for loaded blocks, shared with other stores (default sharedBlockCache). */
  cache?: BlockCache;
  /** Damage found at open or on read, and I/O failures; defaults to a console warning. */
  report?: (r: StoreReport) => void;
}
