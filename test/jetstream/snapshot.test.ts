/**
 * STREAM.SNAPSHOT / STREAM.RESTORE through the message flow `nats stream backup` and `nats stream
 * restore` use: chunks acknowledged on their reply subjects, an empty message at the end, and the
 * advisories around both.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { NatsConnection } from "@nats-io/transport-node";
import { api, embeddedJs } from "./support.js";

/** Runs a snapshot as a backup tool does; returns the response and the archive bytes. */
async function backup(nc: NatsConnection, stream: string, chunkSize: number): Promise<{ resp: Record<string, any>; data: Buffer; chunks: number; replies: string[] }> {
  const deliver = `backup.${stream}.${Date.now()}`;
  const parts: Buffer[] = [];
  const replies: string[] = [];
  const sub = nc.subscribe(deliver);
  const done = (async () => {
    for await (const m of sub) {
      if (m.data.length === 0) break;
      parts.push(Buffer.from(m.data));
      replies.push(m.reply ?? "");
      m.respond();
    }
  })();
  const resp = await api(nc, `$JS.API.STREAM.SNAPSHOT.${stream}`, { deliver_subject: deliver, chunk_size: chunkSize });
  await done;
  return { resp, data: Buffer.concat(parts), chunks: parts.length, replies };
}

async function restore(nc: NatsConnection, stream: string, config: unknown, data: Buffer): Promise<Record<string, any>> {
  const r = await api(nc, `$JS.API.STREAM.RESTORE.${stream}`, { config, state: {} });
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  for (let off = 0; off < data.length; off += 4096) {
    const ack = await nc.request(r.deliver_subject, data.subarray(off, off + 4096), { timeout: 2000 });
    assert.equal(ack.data.length, 0);
  }
  const fin = await nc.request(r.deliver_subject, new Uint8Array(0), { timeout: 5000 });
  return JSON.parse(fin.string()) as Record<string, any>;
}

describe("snapshot and restore", () => {
  it("backs a stream up in acknowledged chunks and restores it with sequences, times and headers", async (t) => {
    const env = await embeddedJs(t);
    const events: string[] = [];
    const adv = env.nc.subscribe("$JS.EVENT.ADVISORY.STREAM.>", {
      callback: (_e, m) => {
        events.push(m.subject);
      },
    });
    await env.jsm.streams.add({ name: "BK", subjects: ["bk.*"], max_msgs_per_subject: 10 });
    for (let i = 0; i < 300; i++) await env.js.publish(`bk.${i % 5}`, `payload-${i}-${"x".repeat(50)}`, { msgID: `id-${i}` });
    await env.jsm.streams.deleteMessage("BK", 299);
    const before = await env.jsm.streams.info("BK", { subjects_filter: ">" });
    const { resp, data, chunks, replies } = await backup(env.nc, "BK", 1024);
    assert.equal(resp.type, "io.nats.jetstream.api.v1.stream_snapshot_response");
    assert.equal(resp.config.name, "BK");
    assert.equal(resp.state.messages, before.state.messages);
    assert.ok(chunks > 2);
    assert.match(replies[0]!, /^\$JS\.SNAPSHOT\.ACK\.BK\.\w+\.1024\.1$/);

    const exists = await api(env.nc, "$JS.API.STREAM.RESTORE.BK", { config: resp.config, state: {} });
    assert.deepEqual(exists.error, { code: 400, err_code: 10130, description: "stream name already in use, cannot restore" });
    assert.equal(exists.deliver_subject, "");

    await env.jsm.streams.delete("BK");
    const created = await restore(env.nc, "BK", resp.config, data);
    assert.equal(created.type, "io.nats.jetstream.api.v1.stream_create_response");
    const after = await env.jsm.streams.info("BK", { subjects_filter: ">" });
    assert.deepEqual(after.state.subjects, before.state.subjects);
    assert.equal(after.state.first_seq, before.state.first_seq);
    assert.equal(after.state.last_seq, before.state.last_seq);
    assert.equal(after.state.bytes, before.state.bytes);
    const m = await env.jsm.streams.getMessage("BK", { seq: 298 });
    assert.equal(m?.string(), `payload-297-${"x".repeat(50)}`);
    assert.equal(m?.header.get("Nats-Msg-Id"), "id-297");
    // The restored stream takes publishes after its last sequence, and remembers message ids.
    const dup = await env.js.publish("bk.0", "again", { msgID: "id-297" });
    assert.equal(dup.duplicate, true);
    assert.equal((await env.js.publish("bk.0", "next")).seq, 301);
    await env.nc.flush();
    adv.unsubscribe();
    for (const s of ["SNAPSHOT_CREATE", "SNAPSHOT_COMPLETE", "RESTORE_CREATE", "RESTORE_COMPLETE"]) {
      assert.ok(events.includes(`$JS.EVENT.ADVISORY.STREAM.${s}.BK`), `${s} advisory`);
    }
  });

  it("restores into memory storage and refuses bad requests", async (t) => {
    const env = await embeddedJs(t);
    await env.jsm.streams.add({ name: "MEMSRC", subjects: ["memsrc"] });
    for (let i = 0; i < 10; i++) await env.js.publish("memsrc", String(i));
    const { resp, data } = await backup(env.nc, "MEMSRC", 4096);
    const created = await restore(env.nc, "MEMCOPY", { ...resp.config, name: "MEMCOPY", subjects: ["memcopy"], storage: "memory" }, data);
    assert.equal(created.config.storage, "memory");
    assert.equal(created.state.messages, 10);
    assert.equal((await api(env.nc, "$JS.API.STREAM.SNAPSHOT.MEMSRC", {})).error.err_code, 10003);
    assert.equal((await api(env.nc, "$JS.API.STREAM.SNAPSHOT.MEMSRC", { deliver_subject: "a.*" })).error.err_code, 10015);
    assert.equal((await api(env.nc, "$JS.API.STREAM.SNAPSHOT.NOPE", { deliver_subject: "a" })).error.err_code, 10059);
    assert.equal((await api(env.nc, "$JS.API.STREAM.RESTORE.X", "")).error.err_code, 10003);
    assert.equal((await api(env.nc, "$JS.API.STREAM.RESTORE.X", { config: { name: "Y" } })).error.err_code, 10056);
  });

  it("a damaged archive fails the restore and leaves no stream behind", async (t) => {
    const env = await embeddedJs(t);
    await env.jsm.streams.add({ name: "DMG", subjects: ["dmg"] });
    for (let i = 0; i < 10; i++) await env.js.publish("dmg", String(i));
    const { resp, data } = await backup(env.nc, "DMG", 4096);
    await env.jsm.streams.delete("DMG");
    const broken = Buffer.from(data);
    broken[broken.length - 20] ^= 0xff;
    const r = await restore(env.nc, "DMG", resp.config, broken);
    assert.equal(r.error?.err_code, 10062);
    assert.equal((await api(env.nc, "$JS.API.STREAM.INFO.DMG")).error.err_code, 10059);
  });
});
