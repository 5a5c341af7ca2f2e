/**
 * The `jetstream` option: `true|false`, `"enabled"|"disabled"`, or a block. Sizes may be integers
 * (with conf suffixes: `1G` = 10^9) or strings with a binary K/M/G/T suffix (`"1G"` = 2^30).
 */
import type { ConfEntry } from "./conf-tree.js";
import { kindName, readFields, type FieldHandler, type FieldReader } from "./field-reader.js";
import type { JetStreamOptions, OptionsPatch } from "./options.js";
import { toPlain } from "./conf-tree.js";
import { parseStorageSize } from "../util/size.js";

type JsTarget = Partial<JetStreamOptions>;

function size(e: ConfEntry, r: FieldReader): number | undefined {
  const v = e.value;
  if (v.kind === "int") return v.value;
  if (v.kind !== "string") return r.error(e.keyPos, `${e.key} must be int64 or string`);
  const n = parseStorageSize(v.value);
  return n ?? r.error(e.keyPos, `${e.key} sizes defined as strings must end in K, M, G, T`);
}

/** Sets store_dir once: nats-server refuses it both at top level and in the jetstream block. */
export function setStoreDir(e: ConfEntry, r: FieldReader, js: Partial<JetStreamOptions>): void {
  const dir = r.string(e);
  if (dir === undefined) return;
  if (js.storeDir !== undefined) r.error(e.keyPos, "Duplicate 'store_dir' configuration");
  else js.storeDir = dir;
}

/** Known to nats-server, meaningless for tsnats (single-node metadata compaction, file extension hints). */
const ACCEPTED_WITHOUT_EFFECT: FieldHandler<JsTarget> = () => {};

const HANDLERS: Record<string, FieldHandler<JsTarget>> = {
  enabled: (e, r, t) => {
    const b = r.bool(e);
    if (b !== undefined) t.enabled = b;
  },
  store_dir: setStoreDir,
  max_memory_store: (e, r, t) => {
    const n = size(e, r);
    if (n !== undefined) t.maxMemory = n;
  },
  max_file_store: (e, r, t) => {
    const n = size(e, r);
    if (n !== undefined) t.maxStore = n;
  },
  store_cache: (e, r, t) => {
    const n = size(e, r);
    if (n !== undefined) t.storeCacheBytes = n;
  },
  domain: (e, r, t) => {
    const s = r.string(e);
    if (s !== undefined) t.domain = s;
  },
  sync_interval: (e, r, t) => {
    if (e.value.kind === "string" && e.value.value.toLowerCase() === "always") {
      t.syncAlways = true;
      return;
    }
    const ms = r.duration(e, false);
    if (ms !== undefined) t.syncIntervalMs = ms;
  },
  unique_tag: (e, r, t) => {
    const s = r.string(e);
    if (s !== undefined) t.uniqueTag = s;
  },
  max_outstanding_catchup: (e, r, t) => {
    const n = size(e, r);
    if (n !== undefined) t.maxOutstandingCatchup = n;
  },
  max_buffered_size: (e, r, t) => {
    const n = size(e, r);
    if (n !== undefined) t.maxBufferedSize = n;
  },
  max_buffered_msgs: (e, r, t) => {
    const n = r.int(e);
    if (n !== undefined) t.maxBufferedMsgs = n;
  },
  request_queue_limit: (e, r, t) => {
    const n = r.int(e);
    if (n !== undefined) t.requestQueueLimit = n;
  },
  strict: (e, r, t) => {
    const b = r.bool(e);
    if (b !== undefined) t.strict = b;
  },
  key: (e, r, t) => {
    const s = r.string(e);
    if (s !== undefined) t.encryptionKey = s;
  },
  prev_key: (e, r, t) => {
    const s = r.string(e);
    if (s !== undefined) t.prevEncryptionKey = s;
  },
  cipher: (e, r, t) => {
    const s = r.string(e);
    if (s === undefined) return;
    if (!["chacha", "chachapoly", "aes"].includes(s.toLowerCase()))
      r.error(e.keyPos, `Unknown cipher type: "${s}"`);
    else t.cipher = s.toLowerCase();
  },
  limits: (e, r, t) => {
    if (r.map(e)) t.limits = toPlain(e.value) as Record<string, unknown>;
  },
  tpm: (e, r) => {
    r.error(e.keyPos, `"${e.key}": TPM-sealed encryption keys are not supported by tsnats`);
  },
  extension_hint: ACCEPTED_WITHOUT_EFFECT,
  meta_compact: ACCEPTED_WITHOUT_EFFECT,
  meta_compact_size: ACCEPTED_WITHOUT_EFFECT,
  meta_compact_sync: ACCEPTED_WITHOUT_EFFECT,
};
HANDLERS.max_mem_store = HANDLERS.max_mem = HANDLERS.max_memory_store!;
HANDLERS.max_file = HANDLERS.max_file_store!;
HANDLERS.store = HANDLERS.storedir = HANDLERS.store_dir!;
HANDLERS.sync = HANDLERS.sync_interval!;
HANDLERS.ek = HANDLERS.key!;
HANDLERS.prev_ek = HANDLERS.prev_key!;

export function readJetStream(e: ConfEntry, r: FieldReader, patch: OptionsPatch): void {
  const v = e.value;
  const js: Partial<JetStreamOptions> = { ...patch.jetstream };
  switch (v.kind) {
    case "bool":
      js.enabled = v.value;
      break;
    case "string": {
      const s = v.value.toLowerCase();
      if (s === "enabled" || s === "enable") js.enabled = true;
      else if (s === "disabled" || s === "disable") js.enabled = false;
      else r.error(e.keyPos, `Expected 'enabled' or 'disabled' for string value, got '${v.value}'`);
      break;
    }
    case "map":
      js.enabled = true;
      readFields(v.value, HANDLERS, r, js);
      break;
    default:
      r.error(e.keyPos, `Expected map, bool or string to define JetStream, got ${kindName(v)}`);
  }
  patch.jetstream = js;
}
