import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import type { ServerProcess } from "../../helpers/server-process.js";
import { IMPLS, jsServer, runCli, suiteCleanup, type CliResult } from "../support.js";

function ok(r: CliResult): CliResult {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return r;
}

for (const impl of IMPLS) {
  describe(`consumer verbs against ${impl}`, () => {
    let srv: ServerProcess;
    const cleanup = suiteCleanup();
    const cli = (args: string[]) => runCli(["-s", srv.url, ...args]);
    before(async () => {
      srv = await jsServer(cleanup, impl);
      ok(await cli(["stream", "add", "C1", "--subjects", "c1.>", "--defaults"]));
      for (let i = 1; i <= 3; i++) ok(await cli(["pub", `c1.${i % 2 ? "odd" : "even"}`, `m${i}`, "-q"]));
    });
    after(() => cleanup.run());

    test("consumer add: push consumers with --target, a queue group, or heartbeat and flow control", async () => {
      const r = ok(await cli(["consumer", "add", "C1", "PUSH", "--target", "deliver.push", "--deliver-group", "g1",
        "--deliver", "last", "--replay", "original", "--max-deliver", "3", "--wait", "10s"]));
      for (const row of ["Delivery Subject: deliver.push", "Deliver Policy: Last", "Deliver Queue Group: g1", "Ack Policy: None",
        "Replay Policy: Original", "Flow Control: false", "Active Interest: No interest"]) {
        assert.match(r.stdout, new RegExp(`\\n +${row.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n`), row);
      }
      const j = JSON.parse(ok(await cli(["consumer", "info", "C1", "PUSH", "--json"])).stdout) as { config: Record<string, unknown> };
      assert.equal(j.config["max_deliver"], -1, "ack none means unlimited deliveries, as the nats CLI sets it");
      const fc = ok(await cli(["consumer", "add", "C1", "PUSHFC", "--target", "deliver.fc", "--heartbeat", "5s", "--flow-control", "--ack", "explicit"]));
      assert.match(fc.stdout, /\n +Idle Heartbeat: 5\.00s\n +Flow Control: true\n/);
      const both = await cli(["consumer", "add", "C1", "BOTH", "--target", "deliver.both", "--deliver-group", "g", "--flow-control", "--heartbeat", "1s"]);
      assert.equal(both.code, 1, "flow control and a delivery group do not go together");
      assert.match(both.stderr, /^tsnats: error: Consumer creation failed: .*flow_control.*deliver_group.*\n$/);
    });

    test("consumer add: start by sequence and by age; filters; a bad policy is refused before connecting", async () => {
      const seq = JSON.parse(ok(await cli(["consumer", "add", "C1", "BYSEQ", "--pull", "--deliver", "2", "--filter", "c1.odd", "--json"])).stdout) as { config: Record<string, unknown>; num_pending: number };
      assert.equal(seq.config["deliver_policy"], "by_start_sequence");
      assert.equal(seq.config["opt_start_seq"], 2);
      assert.equal(seq.config["filter_subject"], "c1.odd");
      assert.equal(seq.num_pending, 1, "only m3 is odd from sequence 2 on");
      const age = JSON.parse(ok(await cli(["consumer", "add", "C1", "BYAGE", "--pull", "--deliver", "1h", "--json"])).stdout) as { config: Record<string, unknown> };
      assert.equal(age.config["deliver_policy"], "by_start_time");
      const bad = await runCli(["-s", "nats://127.0.0.1:1", "consumer", "add", "C1", "X", "--ack", "sometimes"]);
      assert.equal(bad.code, 1);
      assert.equal(bad.stderr, "tsnats: error: enum value must be one of none,all,explicit, got 'sometimes' for --ack\n");
    });

    test("consumer next pulls, acknowledges, and --no-ack leaves the message pending", async () => {
      ok(await cli(["consumer", "add", "C1", "PULL", "--pull", "--defaults"]));
      const first = ok(await cli(["consumer", "next", "C1", "PULL", "--no-ack"]));
      assert.match(first.stdout, /^\[\d\d:\d\d:\d\d\] subj: c1\.odd \/ tries: 1 \/ cons seq: 1 \/ str seq: 1 \/ pending: 2\n\nm1\n$/);
      const j = JSON.parse(ok(await cli(["consumer", "info", "C1", "PULL", "-j"])).stdout) as { num_ack_pending: number };
      assert.equal(j.num_ack_pending, 1);
      const raw = ok(await cli(["consumer", "next", "C1", "PULL", "--count", "5", "--raw"]));
      assert.equal(raw.stdout, "m2\nm3\n", "--count stops once the consumer has nothing ready");
    });

    test("consumer next on an empty consumer fails on one line", async () => {
      ok(await cli(["consumer", "add", "C1", "EMPTY", "--pull", "--deliver", "new", "--defaults"]));
      const r = await runCli(["-s", srv.url, "--timeout", "500ms", "consumer", "next", "C1", "EMPTY"]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, "tsnats: error: no message received: nats: timeout\n");
    });

    test("consumer ls as a table, --names and --json; consumer rm", async () => {
      const ls = ok(await cli(["consumer", "ls", "C1"])).stdout;
      assert.match(ls, /│ +Consumers +│/);
      assert.match(ls, /│ PUSH +│ +│ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d │ 0 +│ \d +│ never +│/);
      const names = JSON.parse(ok(await cli(["consumer", "ls", "C1", "--json"])).stdout) as string[];
      assert.deepEqual(names, ["BYAGE", "BYSEQ", "EMPTY", "PULL", "PUSH", "PUSHFC"]);
      ok(await cli(["consumer", "rm", "C1", "PUSH", "-f"]));
      const after = ok(await cli(["consumer", "ls", "C1", "--names"])).stdout;
      assert.equal(after, "BYAGE\nBYSEQ\nEMPTY\nPULL\nPUSHFC\n");
      const gone = await cli(["consumer", "info", "C1", "PUSH"]);
      assert.equal(gone.code, 1);
      assert.equal(gone.stderr, "tsnats: error: could not load Consumer C1 > PUSH: consumer not found (10014)\n");
    });
  });
}
