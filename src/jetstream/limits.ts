/**
 * Per-account JetStream limits, as `accounts { A: { jetstream: { … } } }` sets them and $JS.API.INFO
 * reports them (`limits`). -1 means "no limit" everywhere, as in nats-server.
 */
import { parseStorageSize } from "../util/size.js";

export interface JsAccountLimits {
  maxMemory: number;
  maxStore: number;
  maxStreams: number;
  maxConsumers: number;
  maxAckPending: number;
  memoryMaxStreamBytes: number;
  storeMaxStreamBytes: number;
  maxBytesRequired: boolean;
}

export const UNLIMITED: Readonly<JsAccountLimits> = {
  maxMemory: -1,
  maxStore: -1,
  maxStreams: -1,
  maxConsumers: -1,
  maxAckPending: -1,
  memoryMaxStreamBytes: -1,
  storeMaxStreamBytes: -1,
  maxBytesRequired: false,
};

/** The `limits` object of account info. */
export function limitsJson(l: JsAccountLimits): Record<string, unknown> {
  return {
    max_memory: l.maxMemory,
    max_storage: l.maxStore,
    max_streams: l.maxStreams,
    max_consumers: l.maxConsumers,
    max_ack_pending: l.maxAckPending,
    memory_max_stream_bytes: l.memoryMaxStreamBytes,
    storage_max_stream_bytes: l.storeMaxStreamBytes,
    max_bytes_required: l.maxBytesRequired,
  };
}

/**
 * An account's `jetstream` setting as the config file gives it (`enabled`, `true`, `false`, or a block
 * with max_mem / max_memory, max_file / max_store, max_streams, max_consumers …; sizes as numbers or
 * strings with K/M/G/T): its limits, or undefined when JetStream is off for the account.
 */
export function limitsFromConfig(setting: unknown): JsAccountLimits | undefined {
  if (setting === true) return { ...UNLIMITED };
  if (typeof setting === "string") return /^(enabled?|true|yes|on)$/i.test(setting) ? { ...UNLIMITED } : undefined;
  if (typeof setting !== "object" || setting === null) return undefined;
  const block = setting as Record<string, unknown>;
  if (block["enabled"] === false || (typeof block["enabled"] === "string" && /^(disabled?|false|no|off)$/i.test(block["enabled"]))) return undefined;
  const num = (...keys: string[]): number => {
    for (const k of keys) {
      const v = block[k];
      if (typeof v === "number") return v;
      if (typeof v === "string") {
        const n = parseStorageSize(v);
        if (n !== undefined) return n;
      }
    }
    return -1;
  };
  return {
    maxMemory: num("max_mem", "max_memory", "max_memory_store"),
    maxStore: num("max_file", "max_store", "max_file_store", "max_disk"),
    maxStreams: num("max_streams"),
    maxConsumers: num("max_consumers"),
    maxAckPending: num("max_ack_pending"),
    memoryMaxStreamBytes: num("mem_max_stream_bytes", "max_memory_stream_bytes"),
    storeMaxStreamBytes: num("disk_max_stream_bytes", "store_max_stream_bytes", "max_file_stream_bytes"),
    maxBytesRequired: block["max_bytes_required"] === true,
  };
}
