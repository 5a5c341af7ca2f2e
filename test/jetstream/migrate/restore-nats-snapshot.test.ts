/**
 * `nats stream backup` on nats-server, restored on tsnats: the snapshots nats-server 2.9.10 sends over
 * STREAM.SNAPSHOT (S2-compressed tars of its stream directories, consumers included) uploaded to
 * tsnats's STREAM.RESTORE as the nats CLI does it. Every message, deleted sequence, consumer state and
 * KV value must be what nats-server reported; a damaged upload is refused and leaves no stream.
 */
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, createInbox, type NatsConnection } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { natsServerAvailable, startServerProcess, type ServerProcess } from "../../helpers/server-process.js";
import { writeNatsServerStore, type RecordedStore } from "../../store/migrate/nats-server-store.js";
import { checkAll } from "./compare.js";

const SKIP = natsServerAvailable() ? false : "nats-server is not installed";

interface Backup {
  meta: { config: Record<string, unknown>; state: unknown };
  data: Buffer;
}

/** STREAM.SNAPSHOT as the nats CLI drives it: chunks to an inbox, each acknowledged, an empty one last. */
async function snapshot(nc: NatsConnection, stream: string): Promise<Backup> {
  const inbox = createInbox();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve) => {
    nc.subscribe(inbox, {
      callback: (_err, m) => {
        if (m.data.length === 0) return resolve();
        chunks.push(Buffer.from(m.data));
        m.respond();
      },
    });
  });
  const r = await nc.request(`$JS.API.STREAM.SNAPSHOT.${stream}`, JSON.stringify({ deliver_subject: inbox, chunk_size: 16 * 1024 }));
  const meta = r.json<Backup["meta"] & { error?: unknown }>();
  assert.equal(meta.error, undefined);
  await done;
  return { meta: { config: meta.config, state: meta.state }, data: Buffer.concat(chunks) };
}

/** STREAM.RESTORE as the nats CLI drives it; resolves with the final answer's JSON. */
async function restore(nc: NatsConnection, b: Backup): Promise<Record<string, unknown>> {
  const name = b.meta.config.name as string;
  const r = (await nc.request(`$JS.API.STREAM.RESTORE.${name}`, JSON.stringify(b.meta))).json<{ deliver_subject: string; error?: unknown }>();
  if (r.error !== undefined) return r as unknown as Record<string, unknown>;
  for (let off = 0; off < b.data.length; off += 8 * 1024) await nc.request(r.deliver_subject, b.data.subarray(off, off + 8 * 1024));
  const end = await nc.request(r.deliver_subject, new Uint8Array(0), { timeout: 30_000 });
  return end.json<Record<string, unknown>>();
}

describe("restoring nats-server snapshots", { skip: SKIP }, () => {
  let rec: RecordedStore;
  const backups = new Map<string, Backup>();
  const dirs: string[] = [];
  const servers: ServerProcess[] = [];
  before(async () => {
    rec = await writeNatsServerStore();
    dirs.push(rec.dir);
    // nats-server again on (a copy of) its store, serving the snapshots.
    const sd = mkdtempSync(join(tmpdir(), "tsnats-ns-snap-"));
    dirs.push(sd);
    cpSync(rec.dir, sd, { recursive: true });
    const ns = await startServerProcess({ impl: "nats-server", args: ["-js", "-sd", sd] });
    servers.push(ns);
    const nc = await connect({ servers: ns.url });
    for (const s of rec.streams) backups.set(s.name, await snapshot(nc, s.name));
    await nc.close();
    await ns.stop();
  });
  after(async () => {
    for (const s of servers) await s.stop("SIGKILL");
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test("every stream restores with its messages, deleted sequences, consumers and KV values", async () => {
    const sd = mkdtempSync(join(tmpdir(), "tsnats-restore-"));
    dirs.push(sd);
    const srv = await startServerProcess({ args: ["-js", "-sd", sd] });
    servers.push(srv);
    const nc = await connect({ servers: srv.url });
    try {
      for (const b of backups.values()) {
        const res = await restore(nc, b);
        assert.equal(res.error, undefined, JSON.stringify(res.error));
        assert.equal(res.type, "io.nats.jetstream.api.v1.stream_create_response");
      }
      await checkAll(await jetstreamManager(nc), nc, rec);
    } finally {
      await nc.close();
      await srv.stop();
    }
    // And it is tsnats's own store afterwards: a restart serves the same.
    const again = await startServerProcess({ args: ["-js", "-sd", sd] });
    servers.push(again);
    const nc2 = await connect({ servers: again.url });
    try {
      await checkAll(await jetstreamManager(nc2), nc2, rec);
    } finally {
      await nc2.close();
      await again.stop();
    }
  });

  test("a damaged upload is refused with where it is damaged, and leaves no stream", async () => {
    const sd = mkdtempSync(join(tmpdir(), "tsnats-restore-bad-"));
    dirs.push(sd);
    const srv = await startServerProcess({ args: ["-js", "-sd", sd] });
    servers.push(srv);
    const nc = await connect({ servers: srv.url });
    try {
      const good = backups.get("SMALL")!;
      const data = Buffer.from(good.data);
      data[data.length >> 1] ^= 0x55;
      const res = await restore(nc, { meta: good.meta, data });
      const err = res.error as { code: number; description: string } | undefined;
      assert.ok(err !== undefined, "the restore must fail");
      assert.match(err.description, /s2 stream at \d+: /);
      const jsm = await jetstreamManager(nc);
      await assert.rejects(jsm.streams.info("SMALL"), /stream not found/);
      // A cut upload too.
      const cut = await restore(nc, { meta: good.meta, data: good.data.subarray(0, good.data.length - 100) });
      assert.match((cut.error as { description: string }).description, /truncated/);
      await assert.rejects(jsm.streams.info("SMALL"), /stream not found/);
    } finally {
      await nc.close();
      await srv.stop();
    }
  });
});
