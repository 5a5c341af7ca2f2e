import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import type { ServerProcess } from "../../helpers/server-process.js";
import { IMPLS, jsServer, runCli, suiteCleanup, type CliResult } from "../support.js";

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
  });
}
