/**
 * The STREAM.* management API through @nats-io/jetstream's jetstreamManager(), plus the raw JSON where
 * the client hides a field (did_create, paging, error codes).
 */
import assert from "node:assert/strict";
import { before, after, describe, it } from "node:test";
import { JetStreamApiError, RetentionPolicy, StorageType, DiscardPolicy } from "@nats-io/jetstream";
import { api, embeddedJs, until, type JsEnv } from "./support.js";
import { suiteCleanup } from "../e2e/support.js";

const cleanup = suiteCleanup();
let env: JsEnv;

before(async () => {
  env = await embeddedJs(cleanup);
});
after(() => cleanup.run());

async function apiError(p: Promise<unknown>): Promise<{ code: number; err_code: number; description: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof JetStreamApiError) return { code: e.apiError().code, err_code: e.apiError().err_code, description: e.apiError().description };
    throw e;
  }
  assert.fail("expected an API error");
}

describe("account info", () => {
  it("reports limits, usage and API counters", async () => {
    const info = await env.jsm.getAccountInfo();
    assert.equal(info.limits.max_streams, -1);
    assert.equal(info.limits.max_memory, -1);
    assert.ok(info.api.total >= 1);
    const raw = await api(env.nc, "$JS.API.INFO");
    assert.equal(raw.type, "io.nats.jetstream.api.v1.account_info_response");
    assert.deepEqual(Object.keys(raw), ["type", "memory", "storage", "reserved_memory", "reserved_storage", "streams", "consumers", "limits", "api"]);
  });

  it("INFO advertises jetstream to clients, and the API level (api_lvl, as nats-server 2.12+)", () => {
    assert.equal(env.nc.info?.jetstream, true);
    assert.equal((env.nc.info as unknown as Record<string, unknown>).api_lvl, 1);
  });
});

describe("create", () => {
  it("fills nats-server's defaults", async () => {
    const si = await env.jsm.streams.add({ name: "DEF" });
    assert.deepEqual(si.config.subjects, ["DEF"]);
    assert.equal(si.config.retention, RetentionPolicy.Limits);
    assert.equal(si.config.storage, StorageType.File);
    assert.equal(si.config.discard, DiscardPolicy.Old);
    assert.equal(si.config.max_msgs, -1);
    assert.equal(si.config.max_bytes, -1);
    assert.equal(si.config.max_msg_size, -1);
    assert.equal(si.config.max_msgs_per_subject, -1);
    assert.equal(si.config.max_consumers, -1);
    assert.equal(si.config.num_replicas, 1);
    assert.equal(si.config.duplicate_window, 120_000_000_000);
    assert.equal(si.state.messages, 0);
    assert.equal(si.state.first_ts, "0001-01-01T00:00:00Z");
  });

  it("is idempotent for the same config and refuses a different one (10058)", async () => {
    const a = await api(env.nc, "$JS.API.STREAM.CREATE.IDEM", { name: "IDEM", subjects: ["idem.>"] });
    assert.equal(a.did_create, true);
    const b = await api(env.nc, "$JS.API.STREAM.CREATE.IDEM", { name: "IDEM", subjects: ["idem.>"] });
    assert.equal(b.error, undefined);
    assert.equal(b.created, a.created);
    const c = await api(env.nc, "$JS.API.STREAM.CREATE.IDEM", { name: "IDEM", subjects: ["other"] });
    assert.deepEqual(c.error, { code: 400, err_code: 10058, description: "stream name already in use with a different configuration" });
  });

  it("shortens the duplicate window to max_age", async () => {
    const si = await env.jsm.streams.add({ name: "SHORT", max_age: 1_000_000_000 });
    assert.equal(si.config.duplicate_window, 1_000_000_000);
  });

  it("checks the name in the subject, JSON and the config", async () => {
    assert.equal((await api(env.nc, "$JS.API.STREAM.CREATE.X1", { name: "X2" })).error.err_code, 10056);
    assert.deepEqual((await api(env.nc, "$JS.API.STREAM.CREATE.X1", "")).error, { code: 400, err_code: 10025, description: "invalid JSON" });
    assert.equal((await api(env.nc, "$JS.API.STREAM.CREATE.X1", "{nope")).error.err_code, 10025);
    assert.equal((await api(env.nc, "$JS.API.STREAM.CREATE.X1", { name: "X1", retention: "forever" })).error.err_code, 10025);
    assert.equal((await api(env.nc, "$JS.API.STREAM.CREATE.X1", { name: "X1", max_msgs: "5" })).error.err_code, 10025);
  });

  it("validates the config with nats-server's texts", async () => {
    const cases: [Record<string, unknown>, number, number, string][] = [
      [{ subjects: ["a.."] }, 500, 10052, "invalid subject"],
      [{ subjects: ["v1", "v1"] }, 500, 10052, "duplicate subjects detected"],
      [{ subjects: ["v.*", "v.b"] }, 500, 10052, 'subject "v.*" overlaps with "v.b"'],
      [{ num_replicas: 3 }, 500, 10074, "replicas > 1 not supported in non-clustered mode"],
      [{ num_replicas: -1 }, 400, 10133, "replicas count cannot be negative"],
      [{ max_age: 1000 }, 500, 10052, "max age needs to be >= 100ms"],
      [{ duplicate_window: 1000 }, 500, 10052, "duplicates window needs to be >= 100ms"],
      [{ max_age: 60e9, duplicate_window: 120e9 }, 500, 10052, "duplicates window can not be larger then max age"],
      [{ max_age: -1 }, 500, 10052, "duplicates window can not be negative"],
      [{ discard_new_per_subject: true }, 500, 10052, "discard new per subject requires discard new policy to be set"],
      [{ discard: "new", discard_new_per_subject: true }, 500, 10052, "discard new per subject requires max msgs per subject > 0"],
      [{ subjects: ["$JS.API.>"] }, 500, 10052, "subjects overlap with jetstream api"],
      [{ deny_purge: true, allow_rollup_hdrs: true }, 500, 10052, "roll-ups require the purge permission"],
      [{ mirror: { name: "S" }, subjects: ["q"] }, 400, 10034, "stream mirrors can not contain subjects"],
      [{ mirror: { name: "S" }, sources: [{ name: "S" }] }, 400, 10031, "stream mirrors can not also contain other sources"],
      [{ sealed: true }, 500, 10052, "stream configuration for create can not be sealed"],
      [{ mirror_direct: true }, 500, 10052, "stream has no mirror but does have mirror direct"],
      [{ subjects: ["r.>"], republish: { src: "r.>", dest: "r.x.>" } }, 500, 10052, "stream configuration for republish destination forms a cycle"],
      // nats-server 2.10+ wording (2.9.10: "stream configuration for republish not valid").
      [{ subjects: ["r21.*"], republish: { src: "r21.*", dest: "q21.>" } }, 500, 10052, "stream configuration for republish with transform from 'r21.*' to 'q21.>' not valid"],
      [{ sources: [{ name: "VAL" }] }, 500, 10052, "detected cycle"],
    ];
    for (const [extra, code, errCode, description] of cases) {
      const r = await api(env.nc, "$JS.API.STREAM.CREATE.VAL", { name: "VAL", ...extra });
      assert.deepEqual(r.error, { code, err_code: errCode, description }, JSON.stringify(extra));
    }
    const bad = await api(env.nc, "$JS.API.STREAM.CREATE.A*B", { name: "A*B" });
    assert.deepEqual(bad.error, { code: 500, err_code: 10052, description: "stream name is required and can not contain '.', '*', '>'" });
  });

  // nats-server 2.10+ (pinned: 2.14.5) no longer checks a RePublish source against the stream's
  // subjects: `>` on a KV stream (`$KV.x.>`) and a source that selects nothing are both accepted.
  it("accepts any RePublish source, as nats-server 2.10+", async () => {
    const kv = await api(env.nc, "$JS.API.STREAM.CREATE.KV_rp", { name: "KV_rp", subjects: ["$KV.rp.>"], republish: { src: ">", dest: "repub.>" } });
    assert.equal(kv.error, undefined, JSON.stringify(kv.error));
    assert.deepEqual(kv.config.republish, { src: ">", dest: "repub.>" });
    const none = await api(env.nc, "$JS.API.STREAM.CREATE.RP2", { name: "RP2", subjects: ["r20.*"], republish: { src: "q21", dest: "r20x" } });
    assert.equal(none.error, undefined, JSON.stringify(none.error));
    const got: string[] = [];
    const sub = env.nc.subscribe("repub.>", { callback: (_e, m) => void got.push(m.subject) });
    await env.nc.flush();
    const ack = await env.js.publish("$KV.rp.k1", "v");
    assert.equal(ack.stream, "KV_rp");
    await until(() => got.length === 1, 2000, "the republished message");
    assert.deepEqual(got, ["repub.$KV.rp.k1"]);
    sub.unsubscribe();
  });

  it("refuses subjects that overlap another stream (10065)", async () => {
    await env.jsm.streams.add({ name: "OV1", subjects: ["ov.>"] });
    const e = await apiError(env.jsm.streams.add({ name: "OV2", subjects: ["ov.a.*"] }));
    assert.deepEqual(e, { code: 400, err_code: 10065, description: "subjects overlap with an existing stream" });
  });

  it("turns 0 limits into -1 and keeps negative ones", async () => {
    const r = await api(env.nc, "$JS.API.STREAM.CREATE.ZERO", { name: "ZERO", max_msgs: 0, max_bytes: 0, max_msg_size: 0, max_msgs_per_subject: 0, max_consumers: 0 });
    assert.equal(r.config.max_msgs, -1);
    assert.equal(r.config.max_consumers, -1);
    const n = await api(env.nc, "$JS.API.STREAM.CREATE.NEG", { name: "NEG", max_msgs: -5 });
    assert.equal(n.config.max_msgs, -5);
  });
});

describe("update", () => {
  it("changes limits and subjects", async () => {
    await env.jsm.streams.add({ name: "UP", subjects: ["up.a"] });
    const si = await env.jsm.streams.update("UP", { subjects: ["up.a", "up.b"], max_msgs: 10 });
    assert.deepEqual(si.config.subjects, ["up.a", "up.b"]);
    assert.equal(si.config.max_msgs, 10);
    await env.js.publish("up.b", "x");
    assert.equal((await env.jsm.streams.info("UP")).state.messages, 1);
  });

  it("refuses what may not change", async () => {
    await env.jsm.streams.add({ name: "FIX", subjects: ["fix"], deny_delete: true, deny_purge: true });
    const base = { name: "FIX", subjects: ["fix"], deny_delete: true, deny_purge: true };
    const cases: [Record<string, unknown>, number, string][] = [
      [{ storage: "memory" }, 10052, "stream configuration update can not change storage type"],
      [{ retention: "workqueue" }, 10052, "stream configuration update can not change retention policy to/from workqueue"],
      [{ deny_delete: false }, 10052, "stream configuration update can not cancel deny message deletes"],
      [{ deny_purge: false }, 10052, "stream configuration update can not cancel deny purge"],
      [{ mirror: { name: "X" }, subjects: undefined }, 10055, "stream mirror configuration can not be updated"],
    ];
    for (const [extra, errCode, description] of cases) {
      const r = await api(env.nc, "$JS.API.STREAM.UPDATE.FIX", { ...base, ...extra });
      assert.equal(r.error?.err_code, errCode, JSON.stringify(extra));
      assert.equal(r.error.description, description);
    }
    // A standalone update to 3 replicas is accepted and stored, as nats-server 2.9.10 (and 2.14.5) do.
    const r3 = await api(env.nc, "$JS.API.STREAM.UPDATE.FIX", { ...base, num_replicas: 3 });
    assert.equal(r3.error, undefined, JSON.stringify(r3.error));
    assert.equal(r3.config.num_replicas, 3);
    assert.equal((await api(env.nc, "$JS.API.STREAM.INFO.FIX")).config.num_replicas, 3);
    assert.equal((await api(env.nc, "$JS.API.STREAM.UPDATE.NOPE", { name: "NOPE" })).error.err_code, 10059);
    assert.equal((await api(env.nc, "$JS.API.STREAM.UPDATE.FIX", { name: "OTHER" })).error.err_code, 10056);
  });

  it("may switch between limits and interest retention", async () => {
    await env.jsm.streams.add({ name: "RET", subjects: ["ret"] });
    const si = await api(env.nc, "$JS.API.STREAM.UPDATE.RET", { name: "RET", subjects: ["ret"], retention: "interest" });
    assert.equal(si.config.retention, RetentionPolicy.Interest);
  });

  it("seals: discard new, deny delete and purge, no unsealing, no publishing", async () => {
    await env.jsm.streams.add({ name: "SEAL", subjects: ["seal"] });
    await env.js.publish("seal", "a");
    const si = await env.jsm.streams.update("SEAL", { sealed: true } as Parameters<typeof env.jsm.streams.update>[1]);
    assert.equal(si.config.sealed, true);
    assert.equal(si.config.discard, DiscardPolicy.New);
    assert.equal(si.config.deny_delete, true);
    assert.equal(si.config.deny_purge, true);
    const r = await api(env.nc, "$JS.API.STREAM.UPDATE.SEAL", { ...si.config, sealed: false });
    assert.equal(r.error.description, "stream configuration update can not unseal a sealed stream");
    const ack = await api(env.nc, "seal", "b");
    assert.deepEqual(ack, { error: { code: 400, err_code: 10109, description: "invalid operation on sealed stream" }, stream: "SEAL", seq: 0 });
  });
});

describe("info, names, list, delete", () => {
  it("pages subjects and lists deleted sequences", async () => {
    await env.jsm.streams.add({ name: "INF", subjects: ["inf.*"] });
    for (const s of ["a", "b", "c", "a"]) await env.js.publish(`inf.${s}`, s);
    await env.jsm.streams.deleteMessage("INF", 2);
    const si = await env.jsm.streams.info("INF", { subjects_filter: ">", deleted_details: true });
    assert.deepEqual(si.state.subjects, { "inf.a": 2, "inf.c": 1 });
    assert.deepEqual(si.state.deleted, [2]);
    assert.equal(si.state.num_deleted, 1);
    const raw = await api(env.nc, "$JS.API.STREAM.INFO.INF", { subjects_filter: "inf.*", offset: 1 });
    assert.equal(raw.total, 2);
    assert.equal(raw.offset, 1);
    assert.equal(raw.limit, 100000);
    assert.deepEqual(raw.state.subjects, { "inf.c": 1 });
    const plain = await api(env.nc, "$JS.API.STREAM.INFO.INF");
    assert.equal(plain.state.subjects, undefined);
    assert.equal(plain.state.deleted, undefined);
    const missing = await api(env.nc, "$JS.API.STREAM.INFO.MISSING");
    assert.deepEqual(missing, {
      type: "io.nats.jetstream.api.v1.stream_info_response",
      error: { code: 404, err_code: 10059, description: "stream not found" },
      total: 0,
      offset: 0,
      limit: 0,
    });
  });

  it("names and lists streams with a subject filter and paging", async () => {
    await env.jsm.streams.add({ name: "NL1", subjects: ["nl.one"] });
    await env.jsm.streams.add({ name: "NL2", subjects: ["nl.two"] });
    const names: string[] = [];
    for await (const n of env.jsm.streams.names("nl.*")) names.push(n);
    assert.deepEqual(names.sort(), ["NL1", "NL2"]);
    const one = await api(env.nc, "$JS.API.STREAM.NAMES", { subject: "nl.two" });
    assert.deepEqual(one.streams, ["NL2"]);
    const none = await api(env.nc, "$JS.API.STREAM.NAMES", { subject: "nomatch.x" });
    assert.equal(none.streams, null);
    const all = await api(env.nc, "$JS.API.STREAM.LIST", {});
    assert.equal(all.limit, 256);
    assert.equal(all.streams.length, all.total);
    const far = await api(env.nc, "$JS.API.STREAM.LIST", { offset: 10_000 });
    assert.deepEqual(far.streams, []);
    const listed = [];
    for await (const si of env.jsm.streams.list("nl.one")) listed.push(si.config.name);
    assert.deepEqual(listed, ["NL1"]);
  });

  it("deletes a stream and frees its subjects", async () => {
    await env.jsm.streams.add({ name: "DEL", subjects: ["del.>"] });
    await env.js.publish("del.x", "1");
    assert.equal(await env.jsm.streams.delete("DEL"), true);
    const e = await apiError(env.jsm.streams.info("DEL"));
    assert.equal(e.err_code, 10059);
    const r = await api(env.nc, "$JS.API.STREAM.DELETE.DEL");
    assert.equal(r.error.err_code, 10059);
    await env.jsm.streams.add({ name: "DEL2", subjects: ["del.>"] });
    const notEmpty = await api(env.nc, "$JS.API.STREAM.DELETE.DEL2", "x");
    assert.equal(notEmpty.error.err_code, 10038);
  });
});

describe("requests the server does not serve", () => {
  it("answers clustered-only calls with 10010", async () => {
    const r = await api(env.nc, "$JS.API.STREAM.LEADER.STEPDOWN.DEF");
    assert.deepEqual(r, {
      type: "io.nats.jetstream.api.v1.stream_leader_stepdown_response",
      error: { code: 503, err_code: 10010, description: "JetStream clustering support required" },
    });
  });

  it("answers unknown API subjects instead of staying silent", async () => {
    const r = await api(env.nc, "$JS.API.NO.SUCH.THING");
    assert.equal(r.error.err_code, 10003);
  });
});
