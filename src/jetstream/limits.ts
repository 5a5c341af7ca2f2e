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
 * An account's `jetstream` setting as the config file gives it (`enabled`, `true`, `false`, or a block):
 * its limits, or undefined when JetStream is off for the account. The block's keys are nats-server's
 * (2.9.10 through 2.14.5), matched without regard to case; sizes are numbers or strings with K/M/G/T.
 */
export function limitsFromConfig(setting: unknown): JsAccountLimits | undefined {
  if (setting === true) return { ...UNLIMITED };
  if (typeof setting === "string") return /^(enabled?|true|yes|on)$/i.test(setting) ? { ...UNLIMITED } : undefined;
  if (typeof setting !== "object" || setting === null) return undefined;
  const block = new Map(Object.entries(setting as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), v]));
  const enabled = block.get("enabled");
  if (enabled === false || (typeof enabled === "string" && /^(disabled?|false|no|off)$/i.test(enabled))) return undefined;
  const num = (...keys: string[]): number => {
    for (const k of keys) {
      const v = block.get(k);
      if (typeof v === "number") return v;
      if (typeof v === "string") {
        const n = parseStorageSize(v);
        if (n !== undefined) return n;
      }
    }
    return -1;
  };
  return {
    maxMemory: num("max_memory", "max_mem", "mem", "memory"),
    maxStore: num("max_store", "max_file", "max_disk", "store", "disk"),
    maxStreams: num("max_streams", "streams"),
    maxConsumers: num("max_consumers", "consumers"),
    maxAckPending: num("max_ack_pending"),
    memoryMaxStreamBytes: num("mem_max_stream_bytes", "memory_max_stream_bytes"),
    storeMaxStreamBytes: num("disk_max_stream_bytes", "store_max_stream_bytes"),
    maxBytesRequired: ["max_bytes_required", "max_stream_bytes", "max_bytes"].some((k) => block.get(k) === true),
  };
}
