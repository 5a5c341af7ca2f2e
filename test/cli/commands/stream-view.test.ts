import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import type { ServerProcess } from "../../helpers/server-process.js";
import { IMPLS, jsServer, runCli, stable, suiteCleanup, type CliResult } from "../support.js";

function ok(r: CliResult): CliResult {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return r;
}

for (const impl of IMPLS) {
  describe(`stream view, report and copy against ${impl}`, () => {
    let srv: ServerProcess;
    const cleanup = suiteCleanup();
    const cli = (args: string[]) => runCli(["-s", srv.url, ...args]);
    before(async () => {
      srv = await jsServer(cleanup, impl);
      ok(await cli(["stream", "add", "VIEW", "--subjects", "view.>", "--defaults"]));
      ok(await cli(["stream", "add", "BIG", "--subjects", "big", "--storage", "memory", "--defaults"]));
      ok(await cli(["pub", "view.a", "one", "-H", "K:V", "-q"]));
      ok(await cli(["pub", "view.b", "two", "-q"]));
      ok(await cli(["pub", "view.a", "three", "-q"]));
      ok(await cli(["pub", "big", "x".repeat(2000), "-q"]));
    });
    after(() => cleanup.run());

    test("stream view prints every page without a terminal; --id, --subject and --raw narrow it", async () => {
      const r = ok(await cli(["stream", "view", "VIEW", "2"]));
      assert.equal(stable(r.stdout), "[1] Subject: view.a Received: <TIME>\n\n  K: V\n\none\n\n[2] Subject: view.b Received: <TIME>\n\ntwo\n\n[3] Subject: view.a Received: <TIME>\n\nthree\n\n");
      assert.match(r.stderr, /^\d\d:\d\d:\d\d Reached apparent end of data\n$/);
      assert.equal(ok(await cli(["stream", "view", "VIEW", "--id", "2", "--raw"])).stdout, "two\nthree\n");
      assert.equal(ok(await cli(["stream", "view", "VIEW", "--subject", "view.a", "--raw"])).stdout, "one\nthree\n");
      const cons = ok(await cli(["consumer", "ls", "VIEW", "--names"]));
      assert.equal(cons.stdout, "", "the ordered consumer is removed");
      const missing = await cli(["stream", "view", "NOPE"]);
      assert.equal(missing.code, 1);
      assert.equal(missing.stderr, "tsnats: error: could not load Stream NOPE: stream not found (10059)\n");
    });

    test("stream report: the nats CLI's table, sorted by bytes unless told; --json", async () => {
      const r = ok(await cli(["stream", "report"]));
      const lines = r.stdout.split("\n");
      assert.equal(lines[0], "Obtaining Stream stats");
      assert.match(lines[5]!, /^│ Stream +│ Storage +│ Placement +│ Consumers +│ Messages +│ Bytes +│ Lost +│ Deleted +│ Replicas +│$/);
      assert.match(lines[7]!, /^│ VIEW +│ File +│ +│ 0 +│ 3 +│ \d+ B +│ 0 +│ 0 +│ +│$/);
      assert.match(lines[8]!, /^│ BIG +│ Memory +│ +│ 0 +│ 1 +│ 2\.\d KiB +│ 0 +│ 0 +│ +│$/);
      const byName = ok(await cli(["stream", "report", "-n"])).stdout.split("\n");
      assert.match(byName[7]!, /^│ BIG /);
      const j = JSON.parse(ok(await cli(["stream", "report", "--json"])).stdout) as { name: string; msgs: number; storage: string }[];
      assert.deepEqual(j.map((s) => [s.name, s.msgs, s.storage]), [["VIEW", 3, "File"], ["BIG", 1, "Memory"]]);
    });

    test("stream copy: the source's configuration under a new name, with the flags given", async () => {
      const r = ok(await cli(["stream", "copy", "VIEW", "VIEW2", "--subjects", "view2.>", "--max-msgs", "10"]));
      assert.match(r.stdout, /^Stream VIEW2 was created\n\nInformation for Stream VIEW2 created /);
      const j = JSON.parse(ok(await cli(["stream", "info", "VIEW2", "--json"])).stdout) as { config: { subjects: string[]; max_msgs: number; storage: string }; state: { messages: number } };
      assert.deepEqual(j.config.subjects, ["view2.>"]);
      assert.equal(j.config.max_msgs, 10);
      assert.equal(j.config.storage, "file");
      assert.equal(j.state.messages, 0, "data is not copied");
      const clash = await cli(["stream", "copy", "VIEW", "VIEW3"]);
      assert.equal(clash.code, 1);
      assert.match(clash.stderr, /^tsnats: error: could not create Stream: subjects overlap with an existing stream \(10065\)\n$/);
    });
  });
}
