/**
 * STREAM.SNAPSHOT and STREAM.RESTORE, with nats-server's message flow (what `nats stream backup` and
 * `nats stream restore` speak):
 * - snapshot: the response carries config and state; then chunks go to `deliver_subject`, each with a
 *   reply `$JS.SNAPSHOT.ACK.<stream>.<id>.<size>.<n>` the client answers to make room in the window;
 *   an empty message ends the snapshot.
 * - restore: the response names `$JS.SNAPSHOT.RESTORE.<stream>.<id>`; the client sends chunks there
 *   (each answered with an empty reply once consumed) and an empty message at the end, answered with a
 *   stream_create_response.
 * The archive is tsnats' own: a magic line and a JSON header (config, state), then the store's record
 * stream (store/snapshot.ts). Consumers are not part of it. A restore also takes nats-server's archive
 * (an S2-compressed tar of its stream directory, with the consumers: migrate/nats-snapshot.ts).
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { restoreStore, type StreamStore } from "../../store/index.js";
import { isValidSubject, hasWildcard } from "../../subjects/validate.js";
import { nowNanos } from "../../util/nanos.js";
import { ApiError, isApiError, jsError, jsErrorText } from "../errors.js";
import { nuid } from "../../util/base62.js";
import type { JsAccount } from "../js-account.js";
import { goJson } from "../../util/go-json.js";
import { decodeStreamConfig, normalizeStreamConfig, refuseReplicasWhenStandalone, streamConfigJson, type StreamConfig } from "../stream/config.js";
import { streamInfoJson, streamStateJson } from "../stream/info.js";
import { addStream, checkAgainstAccount } from "../stream/manager.js";
import { openFillStore } from "../stream/stream-files.js";
import { streamOf } from "./stream-crud.js";
import { optBool, optInt, optString } from "./paging.js";
import type { ApiRouter, StreamRecoveredHook } from "./router.js";
import { isS2Stream } from "../../store/migrate/s2-stream.js";
import { openNatsSnapshot } from "../migrate/nats-snapshot.js";
import { fillStore, writeConsumers } from "../migrate/write-stream.js";

const MAGIC = "TSNATS-SNAPSHOT 1\n";
const DEFAULT_CHUNK = 128 * 1024;
const MIN_CHUNK = 1024;
const MAX_CHUNK = 1024 * 1024;
/** Unacknowledged bytes a snapshot may have in flight. */
const WINDOW_BYTES = 4 * 1024 * 1024;
/** A snapshot or restore that hears nothing from its client for this long is abandoned. */
const IDLE_MS = 30_000;

// ---- snapshot ---------------------------------------------------------------------------------------

async function* archive(header: Record<string, unknown>, store: StreamStore): AsyncGenerator<Buffer> {
  const head = Buffer.from(goJson(header));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length);
  yield Buffer.concat([Buffer.from(MAGIC), len, head]);
  yield* store.snapshot();
}

/** Re-cuts a byte stream into chunks of exactly `size` bytes (the last one shorter). */
async function* rechunk(src: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let have = 0;
  for await (const b of src) {
    pending.push(b);
    have += b.length;
    while (have >= size) {
      const all = Buffer.concat(pending);
      yield all.subarray(0, size);
      pending = [all.subarray(size)];
      have -= size;
    }
  }
  if (have > 0) yield Buffer.concat(pending);
}

async function sendSnapshot(jsa: JsAccount, streamName: string, store: StreamStore, header: Record<string, unknown>, deliver: string, chunkSize: number): Promise<void> {
  const server = jsa.server;
  const id = nuid();
  const ackPrefix = `$JS.SNAPSHOT.ACK.${streamName}.${id}`;
  let inflight = 0;
  let wake: (() => void) | undefined;
  let lastAck = Date.now();
  const sub = server.subscribeInternal(jsa.account, `${ackPrefix}.>`, (subject) => {
    const size = Number(subject.split(".").at(-2));
    inflight -= Number.isFinite(size) ? size : 0;
    lastAck = Date.now();
    wake?.();
  });
  let n = 0;
  const start = nowNanos();
  try {
    for await (const chunk of rechunk(archive(header, store), chunkSize)) {
      while (inflight > 0 && inflight + chunk.length > WINDOW_BYTES) {
        if (Date.now() - lastAck > IDLE_MS) throw new Error("timeout waiting for snapshot acks");
        await new Promise<void>((res) => {
          wake = res;
          setTimeout(res, 1000).unref();
        });
        wake = undefined;
      }
      n++;
      inflight += chunk.length;
      server.publishInternal(jsa.account, deliver, `${ackPrefix}.${chunk.length}.${n}`, chunk);
    }
    server.publishInternal(jsa.account, deliver, undefined, Buffer.alloc(0));
    jsa.advisory(`STREAM.SNAPSHOT_COMPLETE.${streamName}`, "snapshot_complete", { stream: streamName, start, end: nowNanos(), client: { acc: jsa.account.name } });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    server.publishInternal(jsa.account, deliver, undefined, Buffer.alloc(0), `NATS/1.0 500 ${msg}\r\n\r\n`);
  } finally {
    server.unsubscribeInternal(jsa.account, sub);
  }
}

// ---- restore ----------------------------------------------------------------------------------------

/** Feeds restore chunks to an async consumer, one at a time, and tells when each was taken. */
class ChunkQueue implements AsyncIterable<Buffer> {
  private queue: { chunk: Buffer | undefined; taken: () => void }[] = [];
  private waiting: (() => void) | undefined;
  private current: (() => void) | undefined;

  push(chunk: Buffer | undefined, taken: () => void): void {
    this.queue.push({ chunk, taken });
    this.waiting?.();
  }

  /** Hands back every queued chunk unread (the restore failed). */
  drain(): void {
    this.current?.();
    this.current = undefined;
    for (const q of this.queue.splice(0)) q.taken();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    for (;;) {
      while (this.queue.length === 0) await new Promise<void>((res) => (this.waiting = res));
      this.waiting = undefined;
      const { chunk, taken } = this.queue.shift()!;
      if (chunk === undefined) {
        taken();
        return;
      }
      // Acknowledged once the reader comes back for more, i.e. when this chunk has been consumed.
      this.current = taken;
      yield chunk;
      this.current = undefined;
      taken();
    }
  }
}

/** Splits off the archive header; the rest of the bytes are the store's record stream. */
async function* records(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let head: Buffer = Buffer.alloc(0);
  let done = false;
  for await (const b of src) {
    if (done) {
      yield b;
      continue;
    }
    head = Buffer.concat([head, b]);
    const need = MAGIC.length + 4;
    if (head.length < need) continue;
    if (head.subarray(0, MAGIC.length).toString() !== MAGIC) throw new Error("not a tsnats stream snapshot");
    const len = head.readUInt32LE(MAGIC.length);
    if (head.length < need + len) continue;
    done = true;
    const rest = head.subarray(need + len);
    if (rest.length > 0) yield rest;
  }
  if (!done) throw new Error("snapshot is truncated");
}

async function openRestoreStore(jsa: JsAccount, cfg: StreamConfig): Promise<{ store: StreamStore; dir: string | undefined }> {
  const dir = cfg.storage === "memory" ? undefined : jsa.streamDir(cfg.name);
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  const store = await openFillStore(jsa, cfg, dir);
  return { store, dir };
}

/** The first chunk, and every chunk again (the first included). */
async function peek(src: AsyncIterable<Buffer>): Promise<{ head: Buffer; chunks: AsyncIterable<Buffer> }> {
  const it = src[Symbol.asyncIterator]();
  const first = await it.next();
  const head = first.done ? Buffer.alloc(0) : first.value;
  async function* chunks(): AsyncGenerator<Buffer> {
    if (first.done) return;
    yield head;
    for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
  }
  return { head, chunks: chunks() };
}

function startRestore(jsa: JsAccount, cfg: StreamConfig, hooks: readonly StreamRecoveredHook[]): string {
  const server = jsa.server;
  const subject = `$JS.SNAPSHOT.RESTORE.${cfg.name}.${nuid()}`;
  const queue = new ChunkQueue();
  const ack = (reply: string | undefined): void => {
    if (reply) server.publishInternal(jsa.account, reply, undefined, Buffer.alloc(0));
  };
  /** The stream_create_response, once the restore succeeded or failed (and was cleaned up). */
  let result: string | undefined;
  /** The restore failed: what the client still sends is taken and dropped. */
  let failed = false;
  /** The client sent its final empty message (or went silent); its reply, if any. */
  let ended = false;
  let endReply: string | undefined;
  let idle: NodeJS.Timeout | undefined;
  let sub: ReturnType<typeof server.subscribeInternal> | undefined;
  const finish = (): void => {
    if (result === undefined || !ended || sub === undefined) return;
    clearTimeout(idle);
    server.unsubscribeInternal(jsa.account, sub);
    sub = undefined;
    if (endReply) server.publishInternal(jsa.account, endReply, undefined, result);
  };
  const end = (reply: string | undefined): void => {
    ended = true;
    endReply = reply;
    if (result === undefined) queue.push(undefined, () => undefined);
    finish();
  };
  const armIdle = (): void => {
    clearTimeout(idle);
    idle = setTimeout(() => end(undefined), IDLE_MS);
    idle.unref();
  };
  sub = server.subscribeInternal(jsa.account, subject, (_s, reply, payload, hdrLen) => {
    if (ended) return;
    armIdle();
    const body = hdrLen > 0 ? payload.subarray(hdrLen) : payload;
    if (body.length === 0) return end(reply);
    // After a failure the rest of the upload is taken and dropped, so the client reaches its end.
    if (failed || result !== undefined) return ack(reply);
    queue.push(Buffer.from(body), () => ack(reply));
  });
  armIdle();
  jsa.reserved.add(cfg.name);
  jsa.advisory(`STREAM.RESTORE_CREATE.${cfg.name}`, "restore_create", { stream: cfg.name, client: { acc: jsa.account.name } });
  const started = nowNanos();
  void (async () => {
    let opened: { store: StreamStore; dir: string | undefined } | undefined;
    try {
      opened = await openRestoreStore(jsa, cfg);
      const { head, chunks } = await peek(queue);
      // nats-server's snapshots (nats stream backup on nats-server) are S2 streams; tsnats's start with MAGIC.
      const nats = isS2Stream(head) ? await openNatsSnapshot(chunks, cfg.name) : undefined;
      if (nats === undefined) await restoreStore(opened.store, records(chunks));
      else {
        await fillStore(opened.store, nats);
        if (opened.dir !== undefined) await writeConsumers(join(opened.dir, "obs"), nats);
      }
      if (jsa.streams.has(cfg.name)) throw jsError("JSStreamNameExistRestoreFailedErr");
      const s = await addStream(jsa, cfg, nats?.created ?? nowNanos(), opened.store);
      s.recoverDedup();
      opened = undefined;
      // The snapshot's consumers come back as at a restart.
      if (nats !== undefined && nats.consumers.length > 0) for (const hook of hooks) await hook(jsa, s);
      result = goJson({ type: "io.nats.jetstream.api.v1.stream_create_response", ...streamInfoJson(s) });
      jsa.advisory(`STREAM.RESTORE_COMPLETE.${cfg.name}`, "restore_complete", { stream: cfg.name, start: started, end: nowNanos(), client: { acc: jsa.account.name } });
    } catch (e) {
      const err: ApiError = isApiError(e) ? e : jsErrorText("JSStreamRestoreErrF", e instanceof Error ? e.message : String(e));
      failed = true;
      queue.drain();
      if (opened !== undefined) {
        await opened.store.delete().catch(() => undefined);
        if (opened.dir !== undefined) await rm(opened.dir, { recursive: true, force: true }).catch(() => undefined);
      }
      // Only now: the answer lets the client retry at once, and the name must be free by then.
      result = goJson({ type: "io.nats.jetstream.api.v1.stream_create_response", error: err });
    } finally {
      jsa.reserved.delete(cfg.name);
    }
    finish();
  })();
  return subject;
}

export function registerSnapshot(r: ApiRouter): void {
  r.add("STREAM.SNAPSHOT.*", "stream_snapshot_response", (req) => {
    const s = streamOf(req);
    const body = req.json();
    const deliver = optString(body, "deliver_subject") ?? "";
    optBool(body, "no_consumers");
    optBool(body, "jsck");
    if (deliver === "") throw jsError("JSBadRequestErr");
    if (!isValidSubject(deliver) || hasWildcard(deliver)) throw jsError("JSSnapshotDeliverSubjectInvalidErr");
    const chunk = Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, optInt(body, "chunk_size") || DEFAULT_CHUNK));
    const config = streamConfigJson(s.cfg);
    const state = streamStateJson(s);
    req.jsa.advisory(`STREAM.SNAPSHOT_CREATE.${s.name}`, "snapshot_create", { stream: s.name, client: { acc: req.jsa.account.name } });
    void sendSnapshot(req.jsa, s.name, s.store, { config, state }, deliver, chunk);
    return { config, state };
  });

  r.add(
    "STREAM.RESTORE.*",
    "stream_restore_response",
    (req) => {
      if (req.body.toString().trim() === "") throw jsError("JSBadRequestErr");
      const body = req.json();
      const rawCfg = body["config"];
      if (typeof rawCfg !== "object" || rawCfg === null || Array.isArray(rawCfg)) throw jsError("JSBadRequestErr");
      const cfg = decodeStreamConfig(rawCfg as Record<string, unknown>);
      if (cfg.name !== req.tokens[2]) throw jsError("JSStreamMismatchErr");
      normalizeStreamConfig(cfg);
      refuseReplicasWhenStandalone(cfg.num_replicas);
      if (req.jsa.streams.has(cfg.name) || req.jsa.reserved.has(cfg.name)) throw jsError("JSStreamNameExistRestoreFailedErr");
      checkAgainstAccount(req.jsa, cfg, undefined);
      return { deliver_subject: startRestore(req.jsa, cfg, r.recoveredHooks) };
    },
    { errorExtra: { deliver_subject: "" } },
  );
}
