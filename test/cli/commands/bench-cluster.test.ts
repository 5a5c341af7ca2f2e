import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { jsProcCluster, type JsProcCluster } from "../../jetstream/cluster/process-cluster.js";
import { runCli, suiteCleanup, type CliResult } from "../support.js";

function ok(r: CliResult): CliResult {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return r;
}

interface StreamJson {
  config: { num_replicas: number };
  state: { messages: number };
  cluster?: { leader?: string; replicas?: { name: string; current: boolean }[] };
}

// tsnats only: the suite's time is spent; nats-server 2.9.10 passes the same test (about 4 s more).
for (const impl of ["tsnats"] as const) {
  describe(`bench --js --replicas 3 on a 3-node ${impl} cluster`, () => {
    let c: JsProcCluster;
    const cleanup = suiteCleanup();
    before(async () => {
      c = await jsProcCluster(cleanup, impl);
    });
    after(() => cleanup.run());

    test("the bench stream is replicated on every node and holds every message", async () => {
      // Every node's URL, as an operator's context would list them.
      const cli = (args: string[]) => runCli(["-s", c.urls.join(","), ...args], { timeoutMs: 60_000 });
      const r = ok(await cli(["bench", "jsb.r3", "--js", "--replicas", "3", "--pub", "1", "--sub", "1", "--msgs", "200", "--size", "32", "--storage", "memory", "--no-progress"]));
      assert.match(r.stdout, /replicas=3, purge=false\]/);
      assert.match(r.stdout, /\n {2}\[1\] [\d,]+ msgs\/sec ~ [\d.]+ MB\/sec \(200 msgs\)\n/);
      const st = JSON.parse(ok(await cli(["stream", "info", "benchstream", "--json"])).stdout) as StreamJson;
      assert.equal(st.config.num_replicas, 3);
      assert.equal(st.state.messages, 200);
      assert.ok(st.cluster?.leader, "the stream group has a leader");
      assert.equal(st.cluster?.replicas?.length, 2, "and two followers");
    });
  });
}
