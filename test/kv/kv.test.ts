/**
 * @nats-io/kv against the server: buckets, values, CAS, deletes and purges, history, keys, watchers and
 * TTLs. KV is a client-side layer over streams; these tests check that every piece it relies on works.
 */
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Kvm, KvWatchInclude, type KV, type KvEntry } from "@nats-io/kv";
import { suiteCleanup } from "../e2e/support.js";
import { IMPL, jsEnv, sleep, until, type JsEnv } from "../jetstream/consumer-helpers.js";

const NEW = IMPL === "tsnats";

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("key-value store", () => {
  const cleanup = suiteCleanup();
  let env: JsEnv;
  let kvm: Kvm;
  before(async () => {
    env = await jsEnv(cleanup);
    kvm = new Kvm(env.nc);
  });
  after(() => cleanup.run());

  test("bucket create, status, update, delete", async () => {
    const kv = await kvm.create("cfg", { history: 5, description: "settings", max_bytes: 1 << 20 });
    const st = await kv.status();
    assert.equal(st.bucket, "cfg");
    assert.equal(st.history, 5);
    assert.equal(st.values, 0);
    assert.equal(st.streamInfo.config.name, "KV_cfg");
    assert.deepEqual(st.streamInfo.config.subjects, ["$KV.cfg.>"]);
    await kv.put("a", "1");
    assert.equal((await kv.status()).values, 1);
    const again = await kvm.open("cfg");
    assert.equal((await again.get("a"))?.string(), "1");
    const names = await collect(kvm.list());
    assert.ok(names.some((s) => s.bucket === "cfg"));
    assert.equal(await kv.destroy(), true);
    await assert.rejects(env.jsm.streams.info("KV_cfg"), /stream not found/);
  });

  test("put, get, revisions, create and update (CAS)", async () => {
    const kv = await kvm.create("cas", { history: 3 });
    const r1 = await kv.put("k", "v1");
    const e = await kv.get("k");
    assert.equal(e?.string(), "v1");
    assert.equal(e?.revision, r1);
    assert.equal(e?.operation, "PUT");
    assert.equal(e?.key, "k");
    await assert.rejects(kv.create("k", "again"), /wrong last sequence/);
    const r2 = await kv.update("k", "v2", r1);
    await assert.rejects(kv.update("k", "v3", r1), /wrong last sequence/);
    assert.equal((await kv.get("k"))?.string(), "v2");
    assert.equal((await kv.get("k", { revision: r1 }))?.string(), "v1");
    const r3 = await kv.create("fresh", "x");
    assert.ok(r3 > r2);
    assert.equal(await kv.get("missing"), null);
    await kv.put("k", "v3", { previousSeq: r2 });
    await assert.rejects(kv.put("k", "v4", { previousSeq: r2 }));
  });

  test("delete and purge; create after delete; purgeDeletes", async () => {
    const kv = await kvm.create("del", { history: 10 });
    await kv.put("a", "1");
    await kv.put("a", "2");
    await kv.delete("a");
    const d = await kv.get("a");
    assert.equal(d?.operation, "DEL");
    assert.equal(d?.length, 0);
    await kv.create("a", "3");
    assert.equal((await kv.get("a"))?.string(), "3");
    await kv.put("b", "1");
    await kv.purge("b");
    assert.equal((await kv.get("b"))?.operation, "PURGE");
    assert.equal((await collect(await kv.history({ key: "b" }))).length, 1, "purge leaves only its marker");
    await (kv as unknown as { purgeDeletes(olderMillis: number): Promise<unknown> }).purgeDeletes(0);
    assert.equal(await kv.get("b"), null);
  });

  test("history of a key, in order", async () => {
    const kv = await kvm.create("hist", { history: 4 });
    for (let i = 1; i <= 6; i++) await kv.put("x", String(i));
    await kv.put("y", "other");
    const h = await collect(await kv.history({ key: "x" }));
    assert.deepEqual(h.map((e) => e.string()), ["3", "4", "5", "6"]);
    assert.deepEqual(h.map((e) => e.delta), [3, 2, 1, 0]);
    const all = await collect(await kv.history());
    assert.equal(all.length, 5);
  });

  test("keys with and without filters", async () => {
    const kv = await kvm.create("keys");
    for (const k of ["a.1", "a.2", "b.1", "c"]) await kv.put(k, "v");
    await kv.put("a.1", "again");
    await kv.delete("c");
    assert.deepEqual((await collect(await kv.keys())).sort(), ["a.1", "a.2", "b.1"]);
    assert.deepEqual((await collect(await kv.keys("a.*"))).sort(), ["a.1", "a.2"]);
    if (NEW) assert.deepEqual((await collect(await kv.keys(["a.2", "b.*"]))).sort(), ["a.2", "b.1"]);
    const empty = await kvm.create("nokeys");
    assert.deepEqual(await collect(await empty.keys()), []);
  });

  async function watchInto(kv: KV, opts: Parameters<KV["watch"]>[0], until: (seen: KvEntry[]) => boolean): Promise<KvEntry[]> {
    const w = await kv.watch(opts);
    const seen: KvEntry[] = [];
    const done = (async () => {
      for await (const e of w) {
        seen.push(e);
        if (until(seen)) break;
      }
    })();
    return Promise.race([done.then(() => seen), sleep(5000).then(() => seen)]).finally(() => w.stop());
  }

  test("watch: last values, then updates; history; updates only; ignore deletes", async () => {
    const kv = await kvm.create("watch", { history: 5 });
    await kv.put("a", "1");
    await kv.put("a", "2");
    await kv.put("b", "1");
    await kv.delete("b");

    const last = watchInto(kv, {}, (s) => s.length === 3);
    await sleep(200);
    await kv.put("c", "new");
    const l = await last;
    assert.deepEqual(l.map((e) => `${e.key}:${e.operation}:${e.string()}`), ["a:PUT:2", "b:DEL:", "c:PUT:new"]);

    const hist = await watchInto(kv, { include: KvWatchInclude.AllHistory }, (s) => s.length === 5);
    assert.deepEqual(hist.map((e) => `${e.key}=${e.string()}`), ["a=1", "a=2", "b=1", "b=", "c=new"]);

    const upd = watchInto(kv, { include: KvWatchInclude.UpdatesOnly }, (s) => s.length === 1);
    await sleep(200);
    await kv.put("d", "only");
    assert.deepEqual((await upd).map((e) => e.key), ["d"]);

    const nodel = await watchInto(kv, { ignoreDeletes: true }, (s) => s.length === 3);
    assert.deepEqual(nodel.map((e) => e.key).sort(), ["a", "c", "d"]);

    const filtered = await watchInto(kv, { key: "a" }, (s) => s.length === 1);
    assert.deepEqual(filtered.map((e) => e.string()), ["2"]);
  });

  test("watch resumes from a revision; an empty bucket's watcher sees the first put", async () => {
    const kv = await kvm.create("resume");
    const r1 = await kv.put("k", "1");
    await kv.put("k", "2");
    const from = await watchInto(kv, { resumeFromRevision: r1 + 1 }, (s) => s.length === 1);
    assert.deepEqual(from.map((e) => e.string()), ["2"]);
    const empty = await kvm.create("emptywatch");
    const w = watchInto(empty, {}, (s) => s.length === 1);
    await sleep(200);
    await empty.put("x", "y");
    assert.deepEqual((await w).map((e) => e.key), ["x"]);
  });

  // Issue #15 D15: nats.js subscribes to the deliver subject after the consumer exists, and the next put
  // can share the SUB's TCP chunk. Delivery must start at the SUB, before that put replaces the key's only
  // kept value (history 1). nats-server 2.9.10 races here (its consumer goroutine wakes on the SUB and
  // usually, not always, delivers first: 1 round in 5 lost "1" in a run here); tsnats is pinned to the
  // outcome nats.js's watcher tests expect, every time.
  test("a key watcher sees the value it started on and the puts right behind its start", { skip: !NEW && "nats-server races here" }, async () => {
    for (let round = 0; round < 5; round++) {
      const kv = await kvm.create(`behind${round}`);
      await kv.put("k", "1");
      const seen: string[] = [];
      const it = await kv.watch({ key: "k" });
      const done = (async () => {
        for await (const e of it) seen.push(e.string());
      })();
      await kv.put("k", "2");
      await kv.put("k", "3");
      await until(() => seen.includes("3"), 3000, "the last put");
      await sleep(50);
      it.stop();
      await done;
      assert.deepEqual(seen, ["1", "2", "3"], `round ${round}`);
    }
  });

  test("bucket TTL expires values", async () => {
    const kv = await kvm.create("ttl", { ttl: 500 });
    await kv.put("t", "v");
    assert.equal((await kv.get("t"))?.string(), "v");
    await until(async () => (await kv.get("t")) === null, 3000, "expiry");
  });

  test("per-key TTL and delete markers (2.11)", { skip: !NEW }, async () => {
    const kv = await kvm.create("keyttl", { markerTTL: 2000 });
    const st = await kv.status();
    assert.equal(st.markerTTL, 2000);
    // nats-server accepts per-message TTLs of a second or more.
    await kv.create("short", "v", "1s");
    await kv.put("long", "v");
    assert.equal((await kv.get("short"))?.string(), "v");
    await until(async () => {
      const e = await kv.get("short");
      return e === null || e.operation !== "PUT";
    }, 3000, "the key to expire");
    assert.equal((await kv.get("long"))?.string(), "v");
  });

  // nats-server 2.11+ (pinned: 2.14.5): when a key's own TTL expires and it was the subject's last
  // message, a delete marker (Nats-Marker-Reason: MaxAge) takes its place, and a watcher sees it as a
  // purge. The marker's own expiry leaves no further marker.
  test("per-key TTL expiry: a watcher sees the delete marker (2.11)", { skip: !NEW }, async () => {
    const kv = await kvm.create("ttlwatch", { markerTTL: 1000 });
    const seen = watchInto(kv, { include: KvWatchInclude.UpdatesOnly }, (s) => s.length === 2);
    await sleep(200);
    await kv.create("k", "v", "1s");
    const got = await seen;
    assert.deepEqual(got.map((e) => [e.key, e.operation]), [["k", "PUT"], ["k", "PURGE"]]);
    assert.equal(got[1]!.revision, 2);
    // The marker expires after markerTTL without leaving another.
    await until(async () => (await env.jsm.streams.info("KV_ttlwatch")).state.messages === 0, 4000, "the marker to expire");
    await sleep(300);
    assert.equal((await env.jsm.streams.info("KV_ttlwatch")).state.last_seq, 2);
  });

  test("many keys: keys() and a watcher see all of them", async () => {
    const kv = await kvm.create("many");
    const puts = [];
    for (let i = 0; i < 2000; i++) puts.push(kv.put(`k.${i}`, String(i)));
    await Promise.all(puts);
    const keys = await collect(await kv.keys());
    assert.equal(keys.length, 2000);
    const w = await watchInto(kv, {}, (s) => s.length === 2000);
    assert.equal(w.length, 2000);
    assert.equal(new Set(w.map((e) => e.key)).size, 2000);
  });
});
