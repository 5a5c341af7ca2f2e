/**
 * Switching binaries on the same data: at start-up, every nats-server stream directory found where
 * tsnats keeps its streams (`<store>/jetstream/<account>/streams/<name>/` with `meta.inf` and no
 * `meta.json`) is rewritten as a tsnats stream — messages with their sequences, times and headers,
 * deleted sequences, consumers with their delivered, ack floor, pending and redelivery state.
 *
 * Steps, each safe to interrupt:
 * 1. read and verify nats-server's files (store/migrate) while writing the tsnats stream into
 *    `streams/.nats-import-<name>` (a name no stream can have: stream names hold no '.');
 * 2. once it is complete (meta.json is written last, so its presence says so), move nats-server's
 *    directory to `<account>/nats-server-store/streams/<name>`, untouched: the backup;
 * 3. move the new directory to `streams/<name>`.
 * A start after a crash finishes step 3 when steps 1-2 are done, and otherwise discards the staging
 * directory and imports again. A damaged or unsupported nats-server directory is reported (file and
 * offset) and left as it was; that stream is not served until the operator acts.
 */
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { dirFiles } from "../../store/migrate/files.js";
import { openNatsStream, type NatsStream } from "../../store/migrate/nats-stream.js";
import { fsyncDir } from "../../util/atomic-file.js";
import type { JsAccount } from "../js-account.js";
import { decodeStreamConfig, normalizeStreamConfig } from "../stream/config.js";
import { META_FILE, openFillStore, writeStreamMeta } from "../stream/stream-files.js";
import { consumerConfigs, fillStore, writeConsumers } from "./write-stream.js";

const STAGING = ".nats-import-";
const BACKUP_DIR = "nats-server-store";
const NATS_META = "meta.inf";

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export interface ImportResult {
  /** Streams whose nats-server files could not be imported (reported); recovery leaves them alone. */
  failed: Set<string>;
}

/** Writes the tsnats form of `ns` into `dir` (fresh); meta.json last. */
async function writeTsnatsStream(jsa: JsAccount, ns: NatsStream, dir: string): Promise<void> {
  const cfg = normalizeStreamConfig(decodeStreamConfig(ns.config));
  consumerConfigs(ns);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const store = await openFillStore(jsa, cfg, dir);
  try {
    await fillStore(store, ns);
  } finally {
    await store.stop();
  }
  await writeConsumers(join(dir, "obs"), ns);
  await writeStreamMeta(dir, cfg, ns.created);
  await fsyncDir(dir);
}

async function importOne(jsa: JsAccount, root: string, name: string): Promise<void> {
  const src = join(root, name);
  const staging = join(root, STAGING + name);
  const ns = await openNatsStream(dirFiles(src), name);
  try {
    await writeTsnatsStream(jsa, ns, staging);
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
  const backupRoot = join(jsa.dir, BACKUP_DIR, "streams");
  await mkdir(backupRoot, { recursive: true });
  let backup = join(backupRoot, name);
  if (await exists(backup)) backup = `${backup}.${Date.now()}`;
  await rename(src, backup);
  await fsyncDir(backupRoot);
  await rename(staging, src);
  await fsyncDir(root);
  jsa.server.logger.info(`JetStream: imported nats-server stream '${jsa.account.name} > ${name}' (${ns.msgs} messages, sequences ${ns.firstSeq}..${ns.lastSeq}, ${ns.consumers.length} consumers); nats-server's files are kept in ${backup}`);
}

/** Runs before the account's streams are recovered from `root` (`<account>/streams`). */
export async function importNatsServerStreams(jsa: JsAccount, root: string, entries: string[]): Promise<ImportResult> {
  const result: ImportResult = { failed: new Set() };
  for (const entry of entries) {
    if (!entry.startsWith(STAGING)) continue;
    const name = entry.slice(STAGING.length);
    const staging = join(root, entry);
    if ((await exists(join(staging, META_FILE))) && !(await exists(join(root, name)))) {
      await rename(staging, join(root, name));
      await fsyncDir(root);
      jsa.server.logger.info(`JetStream: finished the interrupted import of nats-server stream '${jsa.account.name} > ${name}'`);
    } else {
      await rm(staging, { recursive: true, force: true });
    }
  }
  for (const name of entries) {
    if (name.startsWith(STAGING)) continue;
    const dir = join(root, name);
    if (!(await exists(join(dir, NATS_META))) || (await exists(join(dir, META_FILE)))) continue;
    try {
      await importOne(jsa, root, name);
    } catch (e) {
      result.failed.add(name);
      jsa.server.logger.error(`JetStream: cannot import nats-server stream '${jsa.account.name} > ${name}': ${e instanceof Error ? e.message : String(e)}; its files are left as they were and the stream is not served`);
    }
  }
  return result;
}
