/**
 * The files of a file stream's directory that tsnats writes: `meta.json` (config and creation time,
 * replaced atomically) and `msgs/` (the file store). Shared by stream creation and recovery, restores,
 * and the import of nats-server stores, which writes a directory before it becomes a stream.
 */
import { join } from "node:path";
import { MemoryStore, openFileStore, type StoreReport, type StreamStore } from "../../store/index.js";
import { writeFileAtomic } from "../../util/atomic-file.js";
import { goJson } from "../../util/go-json.js";
import { nanosToRfc3339 } from "../../util/nanos.js";
import type { JsAccount } from "../js-account.js";
import { streamConfigJson, type StreamConfig } from "./config.js";
import { storeLimits } from "./stream.js";

export const META_FILE = "meta.json";
const MSGS_DIR = "msgs";

/**
 * The stream's store: in memory, or the file store under `<dir>/msgs` with the account's settings.
 * `onReport` hears of damage found (a replica refetches what it cannot trust).
 */
export async function openStore(jsa: JsAccount, cfg: StreamConfig, dir: string | undefined, onReport?: (r: StoreReport) => void): Promise<StreamStore> {
  const opts = { limits: storeLimits(cfg), firstSeq: cfg.first_seq };
  if (dir === undefined) return new MemoryStore(opts);
  const js = jsa.js;
  return openFileStore({
    ...opts,
    dir: join(dir, MSGS_DIR),
    syncIntervalMs: js.config.syncAlways ? undefined : js.config.syncIntervalMs,
    cache: js.config.blockCache,
    report: (r) => {
      js.server.logger.warn(`JetStream store ${r.file}: ${r.kind}: ${r.detail}`);
      onReport?.(r);
    },
  });
}

/** Writes `<dir>/meta.json`; `created` in ns since the epoch. */
export async function writeStreamMeta(dir: string, cfg: StreamConfig, created: number): Promise<void> {
  const meta = { config: streamConfigJson(cfg), created: nanosToRfc3339(created) };
  await writeFileAtomic(join(dir, META_FILE), goJson(meta));
}


/**
 * A store to be filled with messages taken as they were (a restore, an import): without limits, and
 * without a first sequence; the config's limits apply once it opens as the stream's store.
 */
export function openFillStore(jsa: JsAccount, cfg: StreamConfig, dir: string | undefined): Promise<StreamStore> {
  return openStore(jsa, { ...cfg, max_msgs: -1, max_bytes: -1, max_age: 0, max_msgs_per_subject: -1, max_msg_size: -1, first_seq: undefined }, dir);
}
