import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import type { ServerProcess } from "../../helpers/server-process.js";
import { IMPLS, jsServer, runCli, startCli, suiteCleanup, waitUntil, type CliResult } from "../support.js";

function ok(r: CliResult): CliResult {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return r;
}

for (const impl of IMPLS) {
  describe(`kv verbs against ${impl}`, () => {
    let srv: ServerProcess;
    const cleanup = suiteCleanup();
    const cli = (args: string[], input?: string) => runCli(["-s", srv.url, ...args], input === undefined ? {} : { input });
    before(async () => {
      srv = await jsServer(cleanup, impl);
    });
    after(() => cleanup.run());

    test("kv add shows the bucket's status; put, get, del, ls, status and rm work on it", async () => {
      const add = ok(await cli(["kv", "add", "CFG", "--history", "5", "--ttl", "1h", "--max-value-size", "1k", "--description", "settings"]));
      assert.match(add.stdout, /^Information for Key-Value Store Bucket CFG created \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n\nConfiguration:\n\n/);
      for (const row of ["Bucket Name: CFG", "History Kept: 5", "Values Stored: 0", "Description: settings",
        "Maximum Value Size: 1.0 KiB", "Maximum Age: 1h0m0s", "JetStream Stream: KV_CFG", "Storage: File"]) {
        assert.match(add.stdout, new RegExp(`\\n +${row.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n`), row);
      }
      assert.equal(ok(await cli(["kv", "put", "CFG", "color", "blue"])).stdout, "blue\n");
      ok(await cli(["kv", "put", "CFG", "color", "green"]));
      ok(await cli(["kv", "put", "CFG", "size"], "XL"));
      const get = ok(await cli(["kv", "get", "CFG", "color"]));
      assert.match(get.stdout, /^CFG > color revision: 2 created @ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n\ngreen\n\n$/);
      assert.equal(ok(await cli(["kv", "get", "CFG", "color", "--revision", "1", "--raw"])).stdout, "blue\n");
      assert.equal(ok(await cli(["kv", "get", "CFG", "size", "--raw"])).stdout, "XL\n");
      assert.equal(ok(await cli(["kv", "ls", "CFG"])).stdout, "color\nsize\n");
      ok(await cli(["kv", "del", "CFG", "size", "-f"]));
      const missing = await cli(["kv", "get", "CFG", "size"]);
      assert.equal(missing.code, 1);
      assert.equal(missing.stderr, "tsnats: error: nats: key not found\n");
      const status = JSON.parse(ok(await cli(["kv", "status", "CFG", "--json"])).stdout) as { config: { name: string; max_msgs_per_subject: number } };
      assert.equal(status.config.name, "KV_CFG");
      assert.equal(status.config.max_msgs_per_subject, 5);
      const ls = ok(await cli(["kv", "ls"])).stdout;
      assert.match(ls, /│ +Key-Value Buckets +│/);
      assert.match(ls, /│ Bucket │ Description │ Created +│ Size +│ Values │ Last Update │/);
      assert.match(ls, /│ CFG +│ settings +│ [\d: -]+ │ \d+ B +│ 4 +│ [\d.]+m?s +│/);
      ok(await cli(["kv", "rm", "CFG", "-f"]));
      assert.equal(ok(await cli(["kv", "ls"])).stdout, "No Key-Value buckets found\n");
    });

    test("kv history lists every revision of a key in a table; purge leaves only the purge marker", async () => {
      ok(await cli(["kv", "add", "HIST", "--history", "10"]));
      ok(await cli(["kv", "put", "HIST", "k", "one"]));
      ok(await cli(["kv", "put", "HIST", "k", "x".repeat(50)]));
      ok(await cli(["kv", "del", "HIST", "k", "-f"]));
      const hist = ok(await cli(["kv", "history", "HIST", "k"])).stdout;
      assert.match(hist, /│ +History for HIST > k +│/);
      assert.match(hist, /│ Key │ Revision │ Op +│ Created +│ Length │ Value +│/);
      assert.match(hist, /│ k +│ 1 +│ PUT +│ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d │ 3 +│ one +│/);
      assert.match(hist, new RegExp(`│ k +│ 2 +│ PUT +│ [\\d: -]+ │ 50 +│ ${"x".repeat(15)}\\.\\.\\.${"x".repeat(15)} +│`));
      assert.match(hist, /│ k +│ 3 +│ DEL +│ [\d: -]+ │ 0 +│ +│/);
      const json = JSON.parse(ok(await cli(["kv", "history", "HIST", "k", "--json"])).stdout) as { revision: number; operation: string; value: string }[];
      assert.deepEqual(json.map((e) => [e.revision, e.operation]), [[1, "PUT"], [2, "PUT"], [3, "DEL"]]);
      assert.equal(Buffer.from(json[0]!.value, "base64").toString(), "one");

      const refused = await cli(["kv", "purge", "HIST", "k"]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /^tsnats: error: Purge key HIST > k: cannot ask without a terminal, use --force\n$/);
      ok(await cli(["kv", "purge", "HIST", "k", "-f"]));
      const after = JSON.parse(ok(await cli(["kv", "history", "HIST", "k", "--json"])).stdout) as { operation: string }[];
      assert.deepEqual(after.map((e) => e.operation), ["PURGE"]);
      const none = await cli(["kv", "history", "HIST", "nothing"]);
      assert.equal(none.code, 1);
      assert.equal(none.stderr, "tsnats: error: nats: key not found\n");
    });

    test("kv watch prints the current values, then every put, delete and purge as it happens", async () => {
      ok(await cli(["kv", "add", "WATCH"]));
      ok(await cli(["kv", "put", "WATCH", "a", "first"]));
      ok(await cli(["kv", "put", "WATCH", "other.x", "ignored"]));
      const w = await startCli(["-s", srv.url, "kv", "watch", "WATCH", "a"], undefined);
      try {
        await waitUntil(() => w.stdout().includes("first"), 10_000, "the watch's initial value");
        ok(await cli(["kv", "put", "WATCH", "a", "second"]));
        ok(await cli(["kv", "del", "WATCH", "a", "-f"]));
        ok(await cli(["kv", "purge", "WATCH", "a", "-f"]));
        await waitUntil(() => w.stdout().includes("PURGE"), 10_000, "the purge");
      } finally {
        w.stop();
      }
      const r = await w.done;
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.replace(/\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\]/g, "[T]");
      assert.equal(lines, "[T] PUT WATCH > a: first\n[T] PUT WATCH > a: second\n[T] DEL WATCH > a\n[T] PURGE WATCH > a\n");
    });
  });
}
