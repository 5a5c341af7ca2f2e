/** JetStream's server-wide settings, as jetstream.ts derives them from the options at start. */
import type { BlockCache } from "../store/index.js";

export interface JetStreamConfig {
  /** `<store_dir>/jetstream`. */
  storeDir: string;
  /** Server-wide quotas; -1 when not configured (then only account limits apply). */
  maxMemory: number;
  maxStore: number;
  domain: string | undefined;
  /** nats-server's lazy mode: acknowledge before fdatasync, sync on this timer. Off by default. */
  syncIntervalMs: number | undefined;
  syncAlways: boolean;
  /** One memory budget for every file stream's loaded blocks (store_cache). */
  blockCache: BlockCache;
}
