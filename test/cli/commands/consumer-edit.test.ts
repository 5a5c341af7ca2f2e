import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import type { ServerProcess } from "../../helpers/server-process.js";
import { IMPLS, jsServer, runCli, suiteCleanup, type CliResult } from "../support.js";

function ok(r: CliResult): CliResult {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return r;
}

interface ConsumerJson { config: Record<string, unknown>; num_ack_pending: number; num_pending: number; ack_floor: { stream_seq: number } }

for (const impl of IMPLS) {
  describe(`consumer edit, sub and report against ${impl}`, () => {
    let srv: ServerProcess;
    const cleanup = suiteCleanup();
    const cli = (args: string[]) => runCli(["-s", srv.url, ...args]);
    const info = async (name: string) => JSON.parse(ok(await cli(["consumer", "info", "CE", name, "--json"])).stdout) as ConsumerJson;
    before(async () => {
      srv = await jsServer(cleanup, impl);
      ok(await cli(["stream", "add", "CE", "--subjects", "ce.>", "--defaults"]));
      for (let i = 1; i <= 4; i++) ok(await cli(["pub", `ce.${i}`, `m${i}`, "-q"]));
      ok(await cli(["consumer", "add", "CE", "PULL", "--pull", "--defaults"]));
      ok(await cli(["consumer", "add", "CE", "PUSH", "--target", "deliver.ce.push", "--ack", "explicit", "--defaults"]));
    });
    after(() => cleanup.run());

    test("consumer edit shows the differences, needs --force without a terminal, and --dry-run changes nothing", async () => {
      const dry = ok(await cli(["consumer", "edit", "CE", "PULL", "--description", "worker", "--max-deliver", "5", "--dry-run"]));
      assert.equal(dry.stdout, "Differences (-old +new):\n+  description: \"worker\"\n-  max_deliver: -1\n+  max_deliver: 5\n");
      assert.equal((await info("PULL")).config["max_deliver"], -1);
      const asked = await cli(["consumer", "edit", "CE", "PULL", "--max-deliver", "5"]);
      assert.equal(asked.code, 1);
      assert.match(asked.stderr, /^tsnats: error: Really edit Consumer CE > PULL: cannot ask without a terminal, use --force\n$/);
      const r = ok(await cli(["consumer", "edit", "CE", "PULL", "--description", "worker", "--max-deliver", "5", "--wait", "10s", "-f"]));
      assert.match(r.stdout, /\n +Description: worker\n/);
      assert.match(r.stdout, /\n +Maximum Deliveries: 5\n/);
      const c = await info("PULL");
      assert.equal(c.config["ack_wait"], 10e9);
      assert.equal(ok(await cli(["consumer", "edit", "CE", "PULL", "--max-deliver", "5", "-f"])).stdout, "No difference in configuration\n");
      const bad = await cli(["consumer", "edit", "CE", "PULL", "--max-pending", "abc", "-f"]);
      assert.equal(bad.code, 1);
      assert.equal(bad.stderr, "tsnats: error: could not create new configuration for Consumer PULL: invalid number \"abc\" for --max-pending\n");
    });

    test("consumer sub reads a pull consumer and acknowledges; a push consumer likewise; --no-ack leaves them pending", async () => {
      const pull = ok(await cli(["consumer", "sub", "CE", "PULL", "--count", "2"]));
      assert.match(pull.stdout, /^\[\d\d:\d\d:\d\d\] subj: ce\.1 \/ tries: 1 \/ cons seq: 1 \/ str seq: 1 \/ pending: 3\n\nm1\n\nAcknowledged message\n\n\[\d\d:\d\d:\d\d\] subj: ce\.2 \/ tries: 1 \/ cons seq: 2 \/ str seq: 2 \/ pending: 2\n\nm2\n\nAcknowledged message\n\n$/);
      const c = await info("PULL");
      assert.equal(c.ack_floor.stream_seq, 2);
      assert.equal(c.num_ack_pending, 0, "only --count messages were asked for");
      const push = ok(await cli(["consumer", "sub", "CE", "PUSH", "--count", "4", "--raw", "--no-ack"]));
      assert.equal(push.stdout, "m1\nm2\nm3\nm4\n");
      assert.equal((await info("PUSH")).num_ack_pending, 4);
    });

    test("consumer report: mode, ack policy and backlog per consumer", async () => {
      const r = ok(await cli(["consumer", "report", "CE"]));
      const lines = r.stdout.split("\n");
      assert.match(lines[1]!, /^│ +Consumer report for CE with 2 consumers +│$/);
      assert.match(lines[3]!, /^│ Consumer +│ Mode +│ Ack Policy +│ Ack Wait +│ Ack Pending +│ Redelivered +│ Unprocessed +│ Ack Floor +│ Cluster +│$/);
      assert.match(lines[5]!, /^│ PULL +│ Pull +│ Explicit +│ 10\.00s +│ 0 +│ 0 +│ 2 \/ 50% +│ 2 +│ +│$/);
      assert.match(lines[6]!, /^│ PUSH +│ Push +│ Explicit +│ 30\.00s +│ 4 +│ 0 +│ 0 +│ 0 +│ +│$/);
      const j = JSON.parse(ok(await cli(["consumer", "report", "CE", "--json"])).stdout) as { name: string }[];
      assert.deepEqual(j.map((c) => c.name), ["PULL", "PUSH"]);
    });
  });
}
