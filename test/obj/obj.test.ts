/**
 * @nats-io/obj against the server: large multi-chunk objects, info, list, links, replacement, update,
 * watch, delete, seal and destroy. The object store is a client-side layer over one stream.
 */
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Objm, type ObjectWatchInfo } from "@nats-io/obj";
import { suiteCleanup } from "../e2e/support.js";
import { jsEnv, sleep, type JsEnv } from "../jetstream/consumer-helpers.js";

function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

describe("object store", () => {
  const cleanup = suiteCleanup();
  let env: JsEnv;
  let objm: Objm;
  before(async () => {
    env = await jsEnv(cleanup);
    objm = new Objm(env.nc);
  });
  after(() => cleanup.run());

  test("a large object in many chunks comes back byte for byte", async () => {
    const os = await objm.create("files", { description: "test files" });
    const data = bytes(3 * 1024 * 1024 + 12345, 7);
    const info = await os.putBlob({ name: "big.bin", description: "big", options: { max_chunk_size: 64 * 1024 } }, data);
    assert.equal(info.size, data.length);
    assert.equal(info.chunks, Math.ceil(data.length / (64 * 1024)));
    assert.match(info.digest, /^SHA-256=/);
    const back = await os.getBlob("big.bin");
    assert.ok(back);
    assert.equal(back.length, data.length);
    assert.equal(sha(back), sha(data));
    const r = await os.get("big.bin");
    assert.ok(r);
    const chunks: Uint8Array[] = [];
    const reader = r.data.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    assert.ok(!(await r.error), "no read error");
    assert.equal(chunks.reduce((n, c) => n + c.length, 0), data.length);
    const st = await os.status();
    assert.equal(st.bucket, "files");
    assert.ok(st.size >= data.length);
  });

  test("info, list, replace, update metadata, delete", async () => {
    const os = await objm.create("docs");
    await os.putBlob({ name: "a.txt" }, new TextEncoder().encode("alpha"));
    await os.putBlob({ name: "b.txt" }, new TextEncoder().encode("beta"));
    const a = await os.info("a.txt");
    assert.equal(a?.size, 5);
    assert.equal(a?.deleted, false);
    assert.deepEqual((await os.list()).map((o) => o.name).sort(), ["a.txt", "b.txt"]);
    // Replacing an object purges its old chunks.
    await os.putBlob({ name: "a.txt" }, bytes(200_000, 3));
    assert.equal((await os.info("a.txt"))?.size, 200_000);
    const si = await env.jsm.streams.info("OBJ_docs");
    assert.equal(si.state.messages, 1 + 1 + Math.ceil(200_000 / (128 * 1024)) + 1, "old chunks are gone");
    await os.update("b.txt", { name: "b2.txt", description: "renamed" });
    assert.equal(await os.info("b.txt"), null);
    assert.equal((await os.info("b2.txt"))?.description, "renamed");
    assert.equal(new TextDecoder().decode((await os.getBlob("b2.txt"))!), "beta");
    await os.delete("a.txt");
    const gone = await os.info("a.txt");
    assert.equal(gone?.deleted, true);
    assert.equal(await os.getBlob("a.txt"), null);
    assert.deepEqual((await os.list()).map((o) => o.name), ["b2.txt"]);
  });

  test("links to objects and to other stores", async () => {
    const os = await objm.create("linked");
    const target = await os.putBlob({ name: "target" }, new TextEncoder().encode("pointed at"));
    await os.link("alias", target);
    const alias = await os.info("alias");
    assert.equal(alias?.options?.link?.name, "target");
    assert.equal(new TextDecoder().decode((await os.getBlob("alias"))!), "pointed at");
    const other = await objm.create("other");
    await os.linkStore("other-store", other);
    assert.equal((await os.info("other-store"))?.options?.link?.bucket, "other");
  });

  test("watch: existing entries, then changes", async () => {
    const os = await objm.create("watched");
    await os.putBlob({ name: "one" }, new TextEncoder().encode("1"));
    const w = await os.watch({ includeHistory: true });
    const seen: ObjectWatchInfo[] = [];
    const done = (async () => {
      for await (const e of w) {
        if (e === null) continue;
        seen.push(e);
        if (seen.length === 3) break;
      }
    })();
    await sleep(200);
    await os.putBlob({ name: "two" }, new TextEncoder().encode("2"));
    await os.delete("one");
    await Promise.race([done, sleep(5000)]);
    w.stop();
    assert.deepEqual(seen.map((e) => `${e.name}:${e.deleted}`), ["one:false", "two:false", "one:true"]);
  });

  test("seal makes the store read-only; destroy removes it", async () => {
    const os = await objm.create("sealme");
    await os.putBlob({ name: "x" }, new TextEncoder().encode("x"));
    const st = await os.seal();
    assert.equal(st.sealed, true);
    await assert.rejects(os.putBlob({ name: "y" }, new TextEncoder().encode("y")));
    assert.equal(new TextDecoder().decode((await os.getBlob("x"))!), "x");
    assert.equal(await os.destroy(), true);
    await assert.rejects(env.jsm.streams.info("OBJ_sealme"), /stream not found/);
  });

  test("an empty object and many small objects", async () => {
    const os = await objm.create("small");
    const e = await os.putBlob({ name: "empty" }, new Uint8Array(0));
    assert.equal(e.size, 0);
    assert.equal((await os.getBlob("empty"))?.length, 0);
    for (let i = 0; i < 50; i++) await os.putBlob({ name: `o${i}` }, bytes(100 + i, i));
    const list = await os.list();
    assert.equal(list.length, 51);
    assert.equal(sha((await os.getBlob("o42"))!), sha(bytes(142, 42)));
  });
});
