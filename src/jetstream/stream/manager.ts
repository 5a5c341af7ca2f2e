/**
 * Stream lifecycle within an account: create (with the account-level checks), update, delete, and
 * recovery after a restart. On disk, a file stream is `<store>/jetstream/<account>/streams/<name>/` with
 * `meta.json` (config and creation time, replaced atomically), `msgs/` (the file store) and `obs/` (its
 * consumers' state, kept by the consumer side). Memory streams do not survive a restart, as in nats-server.
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { StreamStore } from "../../store/index.js";
import { subjectsOverlap } from "../../subjects/validate.js";
import { nowNanos, rfc3339ToNanos } from "../../util/nanos.js";
import { jsError } from "../errors.js";
import type { JsAccount } from "../js-account.js";
import { attachSources } from "./sources.js";
import { checkStreamUpdate, decodeStreamConfig, normalizeStreamConfig, refuseReplicasWhenStandalone, sameStreamConfig, type StreamConfig } from "./config.js";
import { META_FILE, openStore, writeStreamMeta } from "./stream-files.js";
import { Stream } from "./stream.js";
import { importNatsServerStreams } from "../migrate/import-stream.js";

/**
 * A replicated stream's RAFT group keeps its files in this directory of the stream's. Such a stream
 * is reopened by its placement (the meta group), never by recoverStreams: alone, it would serve
 * without its group.
 */
export const RAFT_DIR = "raft";

/** Checks a normalized config against the account: limits and subject overlap with other streams. */
export function checkAgainstAccount(jsa: JsAccount, cfg: StreamConfig, replacing: Stream | undefined): void {
  const limits = jsa.effectiveLimits;
  if (replacing === undefined && limits.maxStreams >= 0 && jsa.streams.size >= limits.maxStreams) throw jsError("JSMaximumStreamsLimitErr");
  if (limits.maxBytesRequired && cfg.max_bytes <= 0) throw jsError("JSStreamMaxBytesRequired");
  const memory = cfg.storage === "memory";
  const perStream = memory ? limits.memoryMaxStreamBytes : limits.storeMaxStreamBytes;
  if (perStream > 0 && cfg.max_bytes > perStream) throw jsError("JSStreamMaxStreamBytesExceeded");
  if (cfg.max_bytes > 0) {
    const quota = jsa.quota(memory);
    if (quota >= 0) {
      const u = jsa.usage();
      let reserved = memory ? u.reservedMemory : u.reservedStorage;
      if (replacing !== undefined && replacing.cfg.max_bytes > 0) reserved -= replacing.cfg.max_bytes;
      if (reserved + cfg.max_bytes > quota) throw jsError(memory ? "JSMemoryResourcesExceededErr" : "JSStorageResourcesExceededErr");
    }
  }
  for (const other of jsa.streams.values()) {
    if (other === replacing) continue;
    for (const a of cfg.subjects ?? []) {
      for (const b of other.cfg.subjects ?? []) if (subjectsOverlap(a, b)) throw jsError("JSStreamSubjectOverlapErr");
    }
  }
}

export async function writeMeta(stream: Stream): Promise<void> {
  if (stream.dir !== undefined) await writeStreamMeta(stream.dir, stream.cfg, stream.created);
}

/**
 * Builds and registers a stream from a normalized config (create, restore and replicas share this).
 * `prepare` runs on the new Stream before anything can reach it (a replica hooks its group there).
 */
export async function addStream(jsa: JsAccount, cfg: StreamConfig, created = nowNanos(), store?: StreamStore, prepare?: (s: Stream) => void): Promise<Stream> {
  const dir = cfg.storage === "file" ? jsa.streamDir(cfg.name) : undefined;
  if (dir !== undefined) await mkdir(dir, { recursive: true });
  const s = new Stream(jsa, cfg, store ?? (await openStore(jsa, cfg, dir)), created, dir);
  prepare?.(s);
  await writeMeta(s);
  register(jsa, s);
  return s;
}

function register(jsa: JsAccount, s: Stream): void {
  jsa.streams.set(s.name, s);
  attachSources(s);
  jsa.streamsChanged();
}

/** Creates a stream, or returns the existing one when its config is the same (an idempotent create). */
export async function createStream(jsa: JsAccount, raw: Record<string, unknown>, subjectName: string): Promise<Stream> {
  const cfg = decodeStreamConfig(raw);
  if (cfg.name !== subjectName) throw jsError("JSStreamMismatchErr");
  normalizeStreamConfig(cfg);
  refuseReplicasWhenStandalone(cfg.num_replicas);
  // A mirror of a stream that serves direct gets serves them too, as nats-server decides at create.
  const origin = cfg.mirror !== undefined && cfg.mirror.external === undefined ? jsa.streams.get(cfg.mirror.name) : undefined;
  if (origin?.cfg.allow_direct) cfg.mirror_direct = true;
  if (cfg.sealed) throw jsError("JSStreamInvalidConfigF", { err: "stream configuration for create can not be sealed" });
  const existing = jsa.streams.get(cfg.name);
  if (existing !== undefined) {
    if (sameStreamConfig(existing.cfg, cfg)) return existing;
    throw jsError("JSStreamNameExistErr");
  }
  if (jsa.reserved.has(cfg.name)) throw jsError("JSStreamNameExistErr");
  checkAgainstAccount(jsa, cfg, undefined);
  jsa.reserved.add(cfg.name);
  try {
    const s = await addStream(jsa, cfg);
    jsa.advisory(`STREAM.CREATED.${cfg.name}`, "stream_action", { stream: cfg.name, action: "create" });
    return s;
  } finally {
    jsa.reserved.delete(cfg.name);
  }
}

export async function updateStream(jsa: JsAccount, raw: Record<string, unknown>, subjectName: string): Promise<Stream> {
  const cfg = decodeStreamConfig(raw);
  if (cfg.name !== subjectName) throw jsError("JSStreamMismatchErr");
  normalizeStreamConfig(cfg);
  const s = jsa.streams.get(cfg.name);
  if (s === undefined) throw jsError("JSStreamNotFoundErr");
  checkStreamUpdate(s.cfg, cfg);
  checkAgainstAccount(jsa, cfg, s);
  if (s.replicated) {
    // Every replica applies it at the same point of the log (config entry: apply, meta.json, interest).
    await s.proposeConfig(cfg);
    jsa.advisory(`STREAM.UPDATED.${cfg.name}`, "stream_action", { stream: cfg.name, action: "modify" });
    return s;
  }
  const prev = s.cfg;
  s.applyConfig(cfg);
  try {
    await writeMeta(s);
  } catch (e) {
    s.applyConfig(prev);
    throw e;
  }
  attachSources(s);
  if (prev.retention !== cfg.retention) s.checkInterest();
  jsa.advisory(`STREAM.UPDATED.${cfg.name}`, "stream_action", { stream: cfg.name, action: "modify" });
  return s;
}

export async function deleteStream(jsa: JsAccount, s: Stream): Promise<void> {
  jsa.streams.delete(s.name);
  await s.stop(false);
  await s.store.delete();
  if (s.dir !== undefined) await rm(s.dir, { recursive: true, force: true });
  jsa.streamsChanged();
  jsa.advisory(`STREAM.DELETED.${s.name}`, "stream_action", { stream: s.name, action: "delete" });
}

/**
 * Brings back every file stream of the account from disk. Damaged metadata is reported, not fatal.
 * Stream directories that nats-server wrote are imported first (migrate/import-stream.ts).
 */
export async function recoverStreams(jsa: JsAccount): Promise<Stream[]> {
  const root = join(jsa.dir, "streams");
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const { failed } = await importNatsServerStreams(jsa, root, names);
  names = (await readdir(root)).filter((n) => !failed.has(n));
  const out: Stream[] = [];
  for (const name of names.sort()) {
    const dir = join(root, name);
    if (existsSync(join(dir, RAFT_DIR))) continue;
    let cfg: StreamConfig;
    let created: number;
    try {
      const meta = JSON.parse(await readFile(join(dir, META_FILE), "utf8")) as { config: Record<string, unknown>; created: string };
      cfg = normalizeStreamConfig(decodeStreamConfig(meta.config));
      created = rfc3339ToNanos(meta.created);
    } catch (e) {
      jsa.server.logger.warn(`JetStream: cannot recover stream '${jsa.account.name} > ${name}': ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    const store = await openStore(jsa, cfg, dir);
    const s = new Stream(jsa, cfg, store, created, dir);
    s.recoverDedup();
    jsa.streams.set(s.name, s);
    out.push(s);
  }
  for (const s of out) attachSources(s);
  if (out.length > 0) jsa.streamsChanged();
  return out;
}
