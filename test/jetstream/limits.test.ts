/**
 * Stream limits through the client: max_msgs, max_bytes, max_age, max_msgs_per_subject, max_msg_size,
 * discard old and new (with nats-server's 10077 texts), discard_new_per_subject, memory storage, and
 * account limits (max_streams, max_bytes_required, storage quota).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DiscardPolicy, StorageType } from "@nats-io/jetstream";
import { api, embeddedJs, sleep, type JsEnv } from "./support.js";
import { suiteCleanup } from "../e2e/support.js";
import { jetStreamOf } from "../../src/jetstream/jetstream.js";
import { limitsFromConfig } from "../../src/jetstream/limits.js";

const cleanup = suiteCleanup();
let env: JsEnv;

before(async () => {
  env = await embeddedJs(cleanup);
});
after(() => cleanup.run());

async function state(name: string): Promise<{ messages: number; first_seq: number; last_seq: number; bytes: number }> {
  return (await env.jsm.streams.info(name)).state;
}

for (const storage of [StorageType.File, StorageType.Memory]) {
  describe(`limits on ${storage} storage`, () => {
    const p = storage === StorageType.File ? "F" : "M";

    it("max_msgs with discard old drops the oldest", async () => {
      await env.jsm.streams.add({ name: `${p}MM`, subjects: [`${p}mm`], storage, max_msgs: 3 });
      for (let i = 0; i < 5; i++) await env.js.publish(`${p}mm`, String(i));
      assert.deepEqual(await state(`${p}MM`).then((s) => [s.messages, s.first_seq, s.last_seq]), [3, 3, 5]);
    });

    it("max_msgs with discard new refuses (10077 maximum messages exceeded)", async () => {
      await env.jsm.streams.add({ name: `${p}MN`, subjects: [`${p}mn`], storage, max_msgs: 2, discard: DiscardPolicy.New });
      await env.js.publish(`${p}mn`, "1");
      await env.js.publish(`${p}mn`, "2");
      const r = await api(env.nc, `${p}mn`, "3");
      assert.deepEqual(r, { error: { code: 503, err_code: 10077, description: "maximum messages exceeded" }, stream: `${p}MN`, seq: 0 });
    });

    it("max_bytes with discard new refuses (maximum bytes exceeded); discard old makes room", async () => {
      await env.jsm.streams.add({ name: `${p}BN`, subjects: [`${p}bn`], storage, max_bytes: 300, discard: DiscardPolicy.New });
      const body = "x".repeat(100);
      await env.js.publish(`${p}bn`, body);
      await env.js.publish(`${p}bn`, body);
      const r = await api(env.nc, `${p}bn`, body);
      assert.deepEqual(r.error, { code: 503, err_code: 10077, description: "maximum bytes exceeded" });
      await env.jsm.streams.add({ name: `${p}BO`, subjects: [`${p}bo`], storage, max_bytes: 300 });
      for (let i = 0; i < 5; i++) await env.js.publish(`${p}bo`, body);
      const s = await state(`${p}BO`);
      assert.ok(s.bytes <= 300);
      assert.equal(s.last_seq, 5);
      assert.equal(s.messages, 2);
    });

    it("max_msgs_per_subject keeps the newest per subject", async () => {
      await env.jsm.streams.add({ name: `${p}PS`, subjects: [`${p}ps.*`], storage, max_msgs_per_subject: 2 });
      for (const s of ["a", "a", "a", "b", "a"]) await env.js.publish(`${p}ps.${s}`, s);
      const si = await env.jsm.streams.info(`${p}PS`, { subjects_filter: ">" });
      assert.deepEqual(si.state.subjects, { [`${p}ps.a`]: 2, [`${p}ps.b`]: 1 });
    });

    it("discard_new_per_subject refuses a subject at its limit", async () => {
      await env.jsm.streams.add({
        name: `${p}DP`,
        subjects: [`${p}dp.*`],
        storage,
        max_msgs_per_subject: 1,
        discard: DiscardPolicy.New,
        discard_new_per_subject: true,
      });
      await env.js.publish(`${p}dp.a`, "1");
      const r = await api(env.nc, `${p}dp.a`, "2");
      assert.deepEqual(r.error, { code: 503, err_code: 10077, description: "maximum messages per subject exceeded" });
      await env.js.publish(`${p}dp.b`, "1");
    });

    it("max_age expires messages", async () => {
      await env.jsm.streams.add({ name: `${p}AGE`, subjects: [`${p}age`], storage, max_age: 300_000_000 });
      await env.js.publish(`${p}age`, "1");
      await env.js.publish(`${p}age`, "2");
      assert.equal((await state(`${p}AGE`)).messages, 2);
      await sleep(600);
      const s = await state(`${p}AGE`);
      assert.equal(s.messages, 0);
      assert.equal(s.first_seq, 3);
    });

    it("max_msg_size refuses larger messages (10054)", async () => {
      await env.jsm.streams.add({ name: `${p}SZ`, subjects: [`${p}sz`], storage, max_msg_size: 8 });
      await env.js.publish(`${p}sz`, "12345678");
      const r = await api(env.nc, `${p}sz`, "123456789");
      assert.equal(r.error.err_code, 10054);
    });

    it("lowering a limit with update applies it at once", async () => {
      await env.jsm.streams.add({ name: `${p}LOW`, subjects: [`${p}low`], storage });
      for (let i = 0; i < 10; i++) await env.js.publish(`${p}low`, String(i));
      await env.jsm.streams.update(`${p}LOW`, { max_msgs: 4 });
      assert.deepEqual(await state(`${p}LOW`).then((s) => [s.messages, s.first_seq]), [4, 7]);
    });
  });
}

describe("account limits", () => {
  it("max_streams, max_bytes_required and the storage quota", async () => {
    const js = jetStreamOf(env.server!.server)!;
    const jsa = js.accountOf(env.server!.server.globalAccount)!;
    const saved = jsa.limits;
    try {
      jsa.limits = { ...saved!, maxStreams: jsa.streams.size };
      const r = await api(env.nc, "$JS.API.STREAM.CREATE.TOOMANY", { name: "TOOMANY" });
      assert.deepEqual(r.error, { code: 400, err_code: 10027, description: "maximum number of streams reached" });
      jsa.limits = { ...saved!, maxBytesRequired: true };
      const r2 = await api(env.nc, "$JS.API.STREAM.CREATE.NOMAX", { name: "NOMAX" });
      assert.deepEqual(r2.error, { code: 400, err_code: 10113, description: "account requires a stream config to have max bytes set" });
      const used = jsa.usage();
      jsa.limits = { ...saved!, maxStore: used.storage + used.reservedStorage + 1000 };
      const r3 = await api(env.nc, "$JS.API.STREAM.CREATE.BIG", { name: "BIG", max_bytes: 10_000 });
      assert.deepEqual(r3.error, { code: 500, err_code: 10047, description: "insufficient storage resources available" });
      await env.jsm.streams.add({ name: "QUOTA", subjects: ["quota"] });
      await env.js.publish("quota", "x".repeat(500));
      const r4 = await api(env.nc, "quota", "x".repeat(600));
      assert.equal(r4.error.err_code, 10047);
      const info = await env.jsm.getAccountInfo();
      assert.equal(info.limits.max_storage, used.storage + used.reservedStorage + 1000);
    } finally {
      jsa.limits = saved;
    }
  });
});

// The account block of nats.py's js-limits.conf, with nats-server's spellings (2.9.10 through 2.14.5):
// memory_max_stream_bytes / store_max_stream_bytes, and max_stream_bytes as a synonym of
// max_bytes_required. The per-stream byte limits and the requirement are enforced at create.
describe("account limits from the config file", () => {
  it("reads nats-server's key spellings and enforces the per-stream byte limits", async () => {
    const limits = limitsFromConfig({
      max_mem: 64 * 1024 * 1024,
      max_file: 32 * 1024 * 1024,
      max_streams: 10,
      max_consumers: 20,
      max_ack_pending: 100,
      memory_max_stream_bytes: 2048,
      store_max_stream_bytes: 4096,
      max_stream_bytes: true,
    })!;
    assert.deepEqual(limits, {
      maxMemory: 67108864,
      maxStore: 33554432,
      maxStreams: 10,
      maxConsumers: 20,
      maxAckPending: 100,
      memoryMaxStreamBytes: 2048,
      storeMaxStreamBytes: 4096,
      maxBytesRequired: true,
    });
    assert.deepEqual(limitsFromConfig({ Mem: "1K", DISK: "2K", Streams: 3, Consumers: 4, MEM_MAX_STREAM_BYTES: 5, DISK_MAX_STREAM_BYTES: 6, max_bytes: true }), {
      maxMemory: 1024,
      maxStore: 2048,
      maxStreams: 3,
      maxConsumers: 4,
      maxAckPending: -1,
      memoryMaxStreamBytes: 5,
      storeMaxStreamBytes: 6,
      maxBytesRequired: true,
    });

    const jsa = jetStreamOf(env.server!.server)!.accountOf(env.server!.server.globalAccount)!;
    const saved = jsa.limits;
    try {
      jsa.limits = { ...limits, maxStreams: -1 };
      const exceeded = { code: 400, err_code: 10122, description: "stream max bytes exceeds account limit max stream bytes" };
      assert.deepEqual((await api(env.nc, "$JS.API.STREAM.CREATE.AL1", { name: "AL1", subjects: ["al1"], max_bytes: 65536 })).error, exceeded);
      assert.deepEqual((await api(env.nc, "$JS.API.STREAM.CREATE.AL1", { name: "AL1", subjects: ["al1"], storage: "memory", max_bytes: 4096 })).error, exceeded);
      assert.equal((await api(env.nc, "$JS.API.STREAM.CREATE.AL1", { name: "AL1", subjects: ["al1"] })).error?.err_code, 10113);
      const ok = await api(env.nc, "$JS.API.STREAM.CREATE.AL1", { name: "AL1", subjects: ["al1"], max_bytes: 128 });
      assert.equal(ok.error, undefined, JSON.stringify(ok.error));
      const info = await api(env.nc, "$JS.API.INFO");
      assert.deepEqual(info.limits, {
        max_memory: 67108864,
        max_storage: 33554432,
        max_streams: -1,
        max_consumers: 20,
        max_ack_pending: 100,
        memory_max_stream_bytes: 2048,
        storage_max_stream_bytes: 4096,
        max_bytes_required: true,
      });
      await api(env.nc, "$JS.API.STREAM.DELETE.AL1");
    } finally {
      jsa.limits = saved;
    }
  });
});
