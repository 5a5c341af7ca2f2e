import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import type { ServerProcess } from "../../helpers/server-process.js";
import { IMPLS, jsServer, runCli, startCli, suiteCleanup, type CliResult } from "../support.js";

function ok(r: CliResult): CliResult {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return r;
}

const JS_LINE = /^\[#(\d+)\] Received JetStream message: stream: (\w+) seq: (\d+) \/ pending: (\d+) \/ subject: ([\w.]+) \/ time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;

/** The summary lines of `sub`'s JetStream output, as [n, stream, seq, pending, subject]. */
function summaries(stdout: string): string[][] {
  return stdout.split("\n").map((l) => JS_LINE.exec(l)).filter((m) => m !== null).map((m) => m.slice(1));
}

for (const impl of IMPLS) {
  describe(`sub on JetStream against ${impl}`, () => {
    let srv: ServerProcess;
    const cleanup = suiteCleanup();
    const cli = (args: string[]) => runCli(["-s", srv.url, ...args]);
    before(async () => {
      srv = await jsServer(cleanup, impl);
      ok(await cli(["stream", "add", "SUBS", "--subjects", "ss.>", "--defaults"]));
      for (const [subj, body] of [["ss.a", "a1"], ["ss.b", "b1"], ["ss.a", "a2"]]) ok(await cli(["pub", subj!, body!, "-q"]));
    });
    after(() => cleanup.run());

    test("--all finds the stream by subject and prints every message with its metadata", async () => {
      const r = ok(await cli(["sub", "ss.>", "--all", "--count", "3"]));
      assert.match(r.stderr, /^\d\d:\d\d:\d\d Subscribing to subject ss\.> from first received message\n$/);
      assert.deepEqual(summaries(r.stdout), [["1", "SUBS", "1", "2", "ss.a"], ["2", "SUBS", "2", "1", "ss.b"], ["3", "SUBS", "3", "0", "ss.a"]]);
      assert.match(r.stdout, /ss\.b \/ time: [\d: -]+\nb1\n\n/);
      const cons = ok(await cli(["consumer", "ls", "SUBS", "--names"]));
      assert.equal(cons.stdout, "", "the ephemeral consumer is removed when sub ends");
    });

    test("--last, --start-sequence, --last-per-subject and --new start where they say", async () => {
      const last = ok(await cli(["sub", "ss.>", "--last", "--count", "1", "--raw"]));
      assert.equal(last.stdout, "a2\n");
      assert.equal(last.stderr, "", "--raw logs nothing");
      const seq = ok(await cli(["sub", "ss.>", "--start-sequence", "2", "-T"]));
      assert.deepEqual(summaries(seq.stdout).map((s) => s[2]), ["2", "3"], "-T stops once nothing is pending");
      const lps = ok(await cli(["sub", "--stream", "SUBS", "--last-per-subject", "-T", "--raw"]));
      assert.deepEqual(lps.stdout.split("\n").filter(Boolean).sort(), ["a2", "b1"]);
      const fresh = await startCli(["-s", srv.url, "sub", "ss.a", "--new", "--count", "1"], /for new messages/);
      ok(await cli(["pub", "ss.a", "a3", "-q"]));
      const got = await fresh.done;
      assert.deepEqual(summaries(got.stdout), [["1", "SUBS", "4", "0", "ss.a"]]);
      assert.match(got.stdout, /\na3\n/);
    });

    test("--since and --wait: messages of the last hour, then quits when idle", async () => {
      const r = ok(await cli(["sub", "ss.b", "--since", "1h", "--wait", "500ms"]));
      assert.match(r.stderr, /Subscribing to subject ss\.b since 1h0m0s\n/);
      assert.deepEqual(summaries(r.stdout).map((s) => s[4]), ["ss.b"]);
    });

    test("--durable creates an unacknowledged durable, and an existing explicit-ack one is acknowledged", async () => {
      ok(await cli(["sub", "--stream", "SUBS", "--durable", "D1", "--all", "--count", "2", "--raw"]));
      const d1 = JSON.parse(ok(await cli(["consumer", "info", "SUBS", "D1", "--json"])).stdout) as { config: { ack_policy: string } };
      assert.equal(d1.config.ack_policy, "none");
      ok(await cli(["consumer", "add", "SUBS", "ACKD", "--pull", "--ack", "explicit", "--filter", "ss.a", "--defaults"]));
      // ss.a holds a1, a2 and the a3 of the --new test.
      const r = ok(await cli(["sub", "--stream", "SUBS", "--durable", "ACKD", "--count", "3"]));
      assert.match(r.stderr, /using existing pull consumer "ACKD"/);
      assert.deepEqual(summaries(r.stdout).map((s) => s[2]), ["1", "3", "4"]);
      const info = JSON.parse(ok(await cli(["consumer", "info", "SUBS", "ACKD", "--json"])).stdout) as { num_ack_pending: number; ack_floor: { stream_seq: number } };
      assert.equal(info.num_ack_pending, 0);
      assert.equal(info.ack_floor.stream_seq, 4);
    });

    test("core sub --ack acknowledges a push consumer's deliveries", async () => {
      ok(await cli(["consumer", "add", "SUBS", "PUSHACK", "--target", "deliver.pa", "--ack", "explicit", "--deliver", "all", "--filter", "ss.b", "--defaults"]));
      const r = ok(await cli(["sub", "deliver.pa", "--ack", "--count", "1"]));
      assert.match(r.stderr, /Subscribing on deliver\.pa with acknowledgement of JetStream messages\n/);
      assert.match(r.stdout, /^\[#1\] Received on "ss\.b" with reply "\$JS\.ACK\.SUBS\.PUSHACK\.1\.2\.1\.\d+\.0"\nb1\n\n$/);
      const info = JSON.parse(ok(await cli(["consumer", "info", "SUBS", "PUSHACK", "--json"])).stdout) as { num_ack_pending: number };
      assert.equal(info.num_ack_pending, 0);
    });

    test("usage errors read as the nats CLI's", async () => {
      const none = await cli(["sub", "nothing.here", "--all"]);
      assert.equal(none.code, 1);
      assert.equal(none.stderr, "tsnats: error: no stream found with subject: nothing.here\n");
      const two = await cli(["sub", "ss.a", "ss.b", "--all"]);
      assert.equal(two.stderr, "tsnats: error: streams subscribe support only 1 subject\n");
      const q = await cli(["sub", "ss.a", "--all", "--queue", "g"]);
      assert.equal(q.stderr, "tsnats: error: queue group subscriptions are not supported with JetStream\n");
      const t = await cli(["sub", "ss.a", "-T"]);
      assert.equal(t.stderr, "tsnats: error: --terminate-at-end is only supported for JetStream subscriptions\n");
    });
  });
}
