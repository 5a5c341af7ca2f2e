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
  /**
   * An account JWT's `tiered_limits`, by tier name ("R1", "R3": the replica count). When present they
   * apply instead of the account-wide limits, each to the streams of its replica count.
   */
  tiers?: ReadonlyMap<string, JsAccountLimits>;
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

/** The tier a stream of `replicas` replicas counts in (0, not yet defaulted, is R1 as in nats-server 2.10+). */
export function tierName(replicas: number): string {
  return `R${Math.max(1, replicas)}`;
}

/** One JWT limits object (account-wide or a tier) as nats-server reads it: absent is 0, but -1 for the optional caps. */
function jwtLimits(l: Record<string, unknown>): JsAccountLimits {
  const n = (k: string): number => (typeof l[k] === "number" ? (l[k] as number) : 0);
  const orNone = (k: string): number => n(k) || -1;
  return {
    maxMemory: n("mem_storage"),
    maxStore: n("disk_storage"),
    maxStreams: n("streams"),
    maxConsumers: n("consumer"),
    maxAckPending: orNone("max_ack_pending"),
    memoryMaxStreamBytes: orNone("mem_max_stream_bytes"),
    storeMaxStreamBytes: orNone("disk_max_stream_bytes"),
    maxBytesRequired: l.max_bytes_required === true,
  };
}

/**
 * An account JWT's JetStream limits (its `limits` object): account-wide, or per tier with
 * `tiered_limits`. Undefined when it grants neither memory nor disk nor any tier: nats-server then leaves
 * JetStream off for the account.
 */
export function limitsFromJwt(jwtLimitsObject: unknown): JsAccountLimits | undefined {
  const l = (typeof jwtLimitsObject === "object" && jwtLimitsObject !== null ? jwtLimitsObject : {}) as Record<string, unknown>;
  const tiered = Object.entries((l.tiered_limits ?? {}) as Record<string, Record<string, unknown>>);
  // With tiers, the account-wide figures are shown as the JWT has them (zeros), not normalised.
  if (tiered.length > 0) return { ...NO_LIMITS_SHOWN, tiers: new Map(tiered.map(([k, v]) => [k, jwtLimits(v)])) };
  const base = jwtLimits(l);
  return base.maxMemory === 0 && base.maxStore === 0 ? undefined : base;
}

const NO_LIMITS_SHOWN: JsAccountLimits = {
  maxMemory: 0,
  maxStore: 0,
  maxStreams: 0,
  maxConsumers: 0,
  maxAckPending: 0,
  memoryMaxStreamBytes: 0,
  storeMaxStreamBytes: 0,
  maxBytesRequired: false,
};

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
