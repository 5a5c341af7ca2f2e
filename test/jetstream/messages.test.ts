/**
 * Message-level operations: STREAM.PURGE (all, filter, seq, keep), STREAM.MSG.GET (seq, last_by_subj,
 * next_by_subj), STREAM.MSG.DELETE (erase, no_erase, deny_delete), and DIRECT.GET in all its forms.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { JetStreamApiError } from "@nats-io/jetstream";
import type { Msg } from "@nats-io/transport-node";
import { api, embeddedJs, rawRequest, type JsEnv } from "./support.js";
import { suiteCleanup } from "../e2e/support.js";

const cleanup = suiteCleanup();
let env: JsEnv;

before(async () => {
  env = await embeddedJs(cleanup);
});
after(() => cleanup.run());

async function fill(name: string, subjects: string[], extra: Record<string, unknown> = {}): Promise<void> {
  await env.jsm.streams.add({ name, subjects: [`${name.toLowerCase()}.>`], ...extra });
  for (const s of subjects) await env.js.publish(`${name.toLowerCase()}.${s}`, s);
}

describe("purge", () => {
  it("all", async () => {
    await fill("PA", ["a", "b", "c"]);
    const r = await env.jsm.streams.purge("PA");
    assert.deepEqual([r.success, r.purged], [true, 3]);
    const s = (await env.jsm.streams.info("PA")).state;
    assert.deepEqual([s.messages, s.first_seq, s.last_seq], [0, 4, 3]);
  });

  it("by subject filter, with keep, and up to a sequence", async () => {
    await fill("PF", ["a", "b", "a", "a", "c", "a"]);
    assert.equal((await env.jsm.streams.purge("PF", { filter: "pf.a", keep: 1 })).purged, 3);
    assert.equal((await env.jsm.streams.purge("PF", { seq: 5 })).purged, 1);
    const si = await env.jsm.streams.info("PF", { subjects_filter: ">" });
    assert.deepEqual(si.state.subjects, { "pf.a": 1, "pf.c": 1 });
    assert.equal((await env.jsm.streams.purge("PF", { keep: 1 })).purged, 1);
    assert.equal((await env.jsm.streams.info("PF")).state.first_seq, 6);
  });

  it("refuses seq with keep, and purging a deny_purge stream", async () => {
    await fill("PX", ["a"], { deny_purge: true });
    const r = await api(env.nc, "$JS.API.STREAM.PURGE.PX", { seq: 3, keep: 1 });
    assert.deepEqual(r, { type: "io.nats.jetstream.api.v1.stream_purge_response", error: { code: 400, err_code: 10003, description: "bad request" }, purged: 0 });
    const d = await api(env.nc, "$JS.API.STREAM.PURGE.PX", {});
    assert.equal(d.error.err_code, 10110);
    assert.equal((await api(env.nc, "$JS.API.STREAM.PURGE.NONE", {})).error.err_code, 10059);
  });
});

describe("get and delete", () => {
  before(() => fill("GD", ["a", "b", "a", "c.d"]));

  it("gets by sequence, last and next by subject, with headers and data", async () => {
    const m = await env.jsm.streams.getMessage("GD", { seq: 2 });
    assert.deepEqual([m?.subject, m?.seq, m?.string()], ["gd.b", 2, "b"]);
    assert.equal((await env.jsm.streams.getMessage("GD", { last_by_subj: "gd.a" }))?.seq, 3);
    assert.equal((await env.jsm.streams.getMessage("GD", { last_by_subj: "gd.*" }))?.seq, 3);
    assert.equal((await api(env.nc, "$JS.API.STREAM.MSG.GET.GD", { next_by_subj: "gd.a", seq: 2 })).message.seq, 3);
    assert.equal((await api(env.nc, "$JS.API.STREAM.MSG.GET.GD", { next_by_subj: "gd.a" })).message.seq, 1);
    const raw = await api(env.nc, "$JS.API.STREAM.MSG.GET.GD", { seq: 1 });
    assert.deepEqual(Object.keys(raw.message), ["subject", "seq", "data", "time"]);
    assert.equal(raw.message.data, Buffer.from("a").toString("base64"));
  });

  it("answers 10037 for no message and 10003 for a bad request", async () => {
    assert.deepEqual((await api(env.nc, "$JS.API.STREAM.MSG.GET.GD", { seq: 99 })).error, { code: 404, err_code: 10037, description: "no message found" });
    assert.equal((await api(env.nc, "$JS.API.STREAM.MSG.GET.GD", {})).error.err_code, 10003);
    assert.equal((await api(env.nc, "$JS.API.STREAM.MSG.GET.GD", { seq: 1, last_by_subj: "gd.a" })).error.err_code, 10003);
  });

  it("deletes, erasing by default or not with no_erase", async () => {
    assert.equal(await env.jsm.streams.deleteMessage("GD", 1), true);
    assert.equal(await env.jsm.streams.deleteMessage("GD", 2, false), true);
    // File storage words a missing sequence by where it is, as nats-server's file store does.
    const below = await api(env.nc, "$JS.API.STREAM.MSG.DELETE.GD", { seq: 2 });
    assert.deepEqual(below.error, { code: 500, err_code: 10057, description: "no message found" });
    const beyond = await api(env.nc, "$JS.API.STREAM.MSG.DELETE.GD", { seq: 99 });
    assert.deepEqual(beyond.error, { code: 500, err_code: 10057, description: "stream store EOF" });
    await env.js.publish("gd.x", "x");
    await env.jsm.streams.deleteMessage("GD", 4);
    const inside = await api(env.nc, "$JS.API.STREAM.MSG.DELETE.GD", { seq: 4 });
    assert.deepEqual(inside.error, { code: 400, err_code: 10043, description: "sequence 4 not found" });
    const s = (await env.jsm.streams.info("GD")).state;
    assert.deepEqual([s.messages, s.first_seq, s.num_deleted ?? 0], [2, 3, 1]);
    assert.equal(await env.jsm.streams.getMessage("GD", { seq: 1 }), null);
  });

  it("refuses deletes on deny_delete streams", async () => {
    await fill("DD", ["a"], { deny_delete: true });
    await assert.rejects(env.jsm.streams.deleteMessage("DD", 1), (e: unknown) => e instanceof JetStreamApiError && e.code === 10057);
  });
});

describe("direct get", () => {
  before(() => fill("DG", ["a", "b", "a", "c.d"], { allow_direct: true }));

  const hdr = (m: Msg, k: string): string | undefined => m.headers?.get(k);

  it("by sequence, last and next by subject, with the stream headers after the message's own", async () => {
    const m = await env.jsm.direct.getMessage("DG", { seq: 2 });
    assert.deepEqual([m?.subject, m?.seq, m?.header.get("Nats-Stream"), m?.string()], ["dg.b", 2, "DG", "b"]);
    assert.equal((await env.jsm.direct.getMessage("DG", { last_by_subj: "dg.a" }))?.seq, 3);
    assert.equal((await env.jsm.direct.getMessage("DG", { next_by_subj: "dg.a", seq: 2 }))?.seq, 3);
    const raw = await rawRequest(env.nc, "$JS.API.DIRECT.GET.DG", { seq: 1 });
    assert.deepEqual([...(raw.headers?.keys() ?? [])], ["Nats-Stream", "Nats-Subject", "Nats-Sequence", "Nats-Time-Stamp"]);
    assert.equal(hdr(raw, "Nats-Sequence"), "1");
  });

  it("the subject form gives the last message of that subject", async () => {
    const m = await rawRequest(env.nc, "$JS.API.DIRECT.GET.DG.dg.a");
    assert.equal(hdr(m, "Nats-Sequence"), "3");
    assert.equal(m.string(), "a");
    const wild = await rawRequest(env.nc, "$JS.API.DIRECT.GET.DG.dg.*");
    assert.equal(hdr(wild, "Nats-Sequence"), "3");
  });

  it("status replies: 404, 408 empty/malformed/bad", async () => {
    const cases: [string, unknown, number, string][] = [
      ["$JS.API.DIRECT.GET.DG", { seq: 99 }, 404, "Message Not Found"],
      ["$JS.API.DIRECT.GET.DG", "", 408, "Empty Request"],
      ["$JS.API.DIRECT.GET.DG", {}, 408, "Empty Request"],
      ["$JS.API.DIRECT.GET.DG", "nope", 408, "Malformed Request"],
      ["$JS.API.DIRECT.GET.DG", { seq: 1, last_by_subj: "dg.a" }, 408, "Bad Request"],
      ["$JS.API.DIRECT.GET.DG.dg.a", "x", 408, "Bad Request"],
      ["$JS.API.DIRECT.GET.DG.dg.zz", "", 404, "Message Not Found"],
      // nats-server 2.11+ (processDirectGetRequest): a batch size alone says not where to start, and a
      // start sequence excludes a start time (nats.js "direct - batch").
      ["$JS.API.DIRECT.GET.DG", { batch: 3 }, 408, "Empty Request"],
      ["$JS.API.DIRECT.GET.DG", { seq: 1, start_time: "2020-01-01T00:00:00Z", batch: 3 }, 408, "Bad Request"],
      ["$JS.API.DIRECT.GET.DG", { next_by_subj: "dg.a", multi_last: ["dg.a"] }, 408, "Bad Request"],
    ];
    for (const [subject, body, code, text] of cases) {
      const m = await rawRequest(env.nc, subject, body);
      assert.equal(m.headers?.code, code, `${subject} ${JSON.stringify(body)}`);
      assert.equal(m.headers?.description, text);
    }
  });

  it("is not served without allow_direct", async () => {
    await fill("NODG", ["a"]);
    await assert.rejects(rawRequest(env.nc, "$JS.API.DIRECT.GET.NODG", { seq: 1 }, undefined, 500), /503|no responders/i);
  });

  it("batch: several replies with Nats-Num-Pending and Nats-Last-Sequence, then 204 EOB", async () => {
    const it = await env.jsm.direct.getBatch("DG", { seq: 1, batch: 3 });
    const got: [number, string][] = [];
    for await (const m of it) got.push([m.seq, m.header.get("Nats-Num-Pending")]);
    assert.deepEqual(got, [
      [1, "3"],
      [2, "2"],
      [3, "1"],
    ]);
    // max_bytes counts subject, headers and data, and the message that reaches it is the last (2.11+):
    // "dg.a" + "a" is 5 bytes.
    const capped = await env.jsm.direct.getBatch("DG", { seq: 1, batch: 10, max_bytes: 5 } as Parameters<typeof env.jsm.direct.getBatch>[1]);
    const cappedSeqs: number[] = [];
    for await (const m of capped) cappedSeqs.push(m.seq);
    assert.deepEqual(cappedSeqs, [1]);
    const filtered = await env.jsm.direct.getBatch("DG", { seq: 1, batch: 10, next_by_subj: "dg.a" });
    const seqs: number[] = [];
    for await (const m of filtered) seqs.push(m.seq);
    assert.deepEqual(seqs, [1, 3]);
  });

  // nats-server 2.11+ (stream.go getDirectRequest/getDirectMulti); nats.js "direct - callback" relies on it.
  it("a batch that finds nothing is 404 Message Not Found; a multi_last that matches nothing, 404 No Results", async () => {
    const b = await rawRequest(env.nc, "$JS.API.DIRECT.GET.DG", { seq: 100, batch: 5 });
    assert.deepEqual([b.headers?.code, b.headers?.description], [404, "Message Not Found"]);
    const ml = await rawRequest(env.nc, "$JS.API.DIRECT.GET.DG", { multi_last: ["dg.none"] });
    assert.deepEqual([ml.headers?.code, ml.headers?.description], [404, "No Results"]);
  });

  it("multi_last: the last message of each matching subject", async () => {
    const it = await env.jsm.direct.getLastMessagesFor("DG", { multi_last: ["dg.a", "dg.c.>"] });
    const got: [string, number][] = [];
    for await (const m of it) got.push([m.subject, m.seq]);
    assert.deepEqual(got, [
      ["dg.a", 3],
      ["dg.c.d", 4],
    ]);
  });
});
