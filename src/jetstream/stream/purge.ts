/**
 * STREAM.PURGE's request and its effect on a store, shared by the API (a local stream) and by the
 * apply of a replicated stream's purge entry (every replica runs the same function on its own store).
 */
import type { StreamStore } from "../../store/index.js";

export interface PurgeRequest {
  /** Only this subject (wildcards allowed); absent or ">" = all. */
  readonly filter?: string;
  /** Everything below this sequence. */
  readonly seq?: number;
  /** Keep the newest `keep`. */
  readonly keep?: number;
}

/** Purges as nats-server does; returns the number of messages removed. */
export function purgeStore(store: StreamStore, req: PurgeRequest): number {
  const { filter, seq, keep } = req;
  if (filter && filter !== ">") return store.purge({ filter, seq: seq || undefined, keep: keep || undefined });
  if (seq) return store.compact(seq);
  return store.purge(keep ? { keep } : {});
}
