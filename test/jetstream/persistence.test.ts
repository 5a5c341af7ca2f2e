/**
 * Restart persistence: a server stopped and started again on the same store directory brings back every
 * file stream with its config, creation time and messages, and its duplicate window; memory streams do
 * not survive, as in nats-server. Also the store directory layout and the jetstream config options.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { StorageType } from "@nats-io/jetstream";
import { embeddedJs, processJs, tempDir } from "./support.js";

describe("restart on the same store directory", () => {
  it("brings back streams, configs, messages and the dedup window (embedded)", async (t) => {
    const dir = tempDir(t);
    const first = await embeddedJs(t, { dir });
    await first.jsm.streams.add({ name: "KEEP", subjects: ["keep.>"], max_msgs_per_subject: 5, description: "kept", metadata: { owner: "test" } });
    await first.jsm.streams.add({ name: "GONE", subjects: ["gone"], storage: StorageType.Memory });
    for (let i = 0; i < 50; i++) await first.js.publish(`keep.${i % 3}`, `m${i}`);
    await first.js.publish("keep.id", "x", { msgID: "dedup-1" });
    await first.js.publish("gone", "x");
    await first.jsm.streams.deleteMessage("KEEP", 46);
    const before = await first.jsm.streams.info("KEEP", { subjects_filter: ">" });
    await first.nc.close();
    await first.server!.close();

    const second = await embeddedJs(t, { dir });
    const after = await second.jsm.streams.info("KEEP", { subjects_filter: ">" });
    assert.deepEqual(after.config, before.config);
    assert.equal(after.created, before.created);
    assert.deepEqual(after.state.subjects, before.state.subjects);
    assert.equal(after.state.messages, before.state.messages);
    assert.equal(after.state.first_seq, before.state.first_seq);
    assert.equal(after.state.last_seq, before.state.last_seq);
    assert.equal(after.state.bytes, before.state.bytes);
    const m = await second.jsm.streams.getMessage("KEEP", { last_by_subj: "keep.2" });
    assert.equal(m?.string(), "m47");
    const dup = await second.js.publish("keep.id", "x", { msgID: "dedup-1" });
    assert.equal(dup.duplicate, true);
    assert.equal(dup.seq, before.state.last_seq);
    const next = await second.js.publish("keep.id", "y", { expect: { lastMsgID: "dedup-1" } });
    assert.equal(next.seq, before.state.last_seq + 1);
    const names: string[] = [];
    for await (const n of second.jsm.streams.names()) names.push(n);
    assert.deepEqual(names, ["KEEP"]);
    assert.ok(existsSync(join(dir, "jetstream", "$G", "streams", "KEEP", "meta.json")));
  });

  it("a deleted stream stays deleted, and its directory is gone", async (t) => {
    const dir = tempDir(t);
    const a = await embeddedJs(t, { dir });
    await a.jsm.streams.add({ name: "TMP", subjects: ["tmp"] });
    await a.js.publish("tmp", "x");
    await a.jsm.streams.delete("TMP");
    await a.nc.close();
    await a.server!.close();
    assert.equal(existsSync(join(dir, "jetstream", "$G", "streams", "TMP")), false);
    const b = await embeddedJs(t, { dir });
    assert.equal((await b.jsm.getAccountInfo()).streams, 0);
  });

  it("the server binary: -js -sd, SIGTERM, restart", async (t) => {
    const dir = tempDir(t);
    const a = await processJs(t, "tsnats", { dir });
    assert.equal(a.nc.info?.jetstream, true);
    await a.jsm.streams.add({ name: "BIN", subjects: ["bin"] });
    for (let i = 0; i < 20; i++) await a.js.publish("bin", String(i));
    await a.nc.close();
    assert.equal(await a.proc!.stop("SIGTERM"), 0);
    const b = await processJs(t, "tsnats", { dir });
    const si = await b.jsm.streams.info("BIN");
    assert.equal(si.state.messages, 20);
    assert.equal((await b.jsm.streams.getMessage("BIN", { seq: 20 }))?.string(), "19");
  });

  it("the jetstream config block: store_dir, limits and domain", async (t) => {
    const dir = tempDir(t);
    const env = await embeddedJs(t, { dir, jetstream: { maxMemory: 1024 * 1024, maxStore: 2 * 1024 * 1024, domain: "hub" } });
    const info = await env.jsm.getAccountInfo();
    assert.equal(info.domain, "hub");
    await env.jsm.streams.add({ name: "DOM", subjects: ["dom"] });
    const ack = await env.nc.request("dom", "x");
    assert.equal(ack.string(), '{"stream":"DOM", "domain":"hub", "seq":1}');
    const viaDomain = await env.nc.request("$JS.hub.API.STREAM.INFO.DOM", "");
    assert.equal(JSON.parse(viaDomain.string()).config.name, "DOM");
    const big = JSON.parse((await env.nc.request("$JS.API.STREAM.CREATE.BIG", JSON.stringify({ name: "BIG", max_bytes: 3 * 1024 * 1024 }))).string());
    assert.equal(big.error.err_code, 10047);
  });
});
