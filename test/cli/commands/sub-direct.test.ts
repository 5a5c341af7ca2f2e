import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import type { ServerProcess } from "../../helpers/server-process.js";
import { IMPLS, jsServer, runCli, startCli, suiteCleanup, type CliResult } from "../support.js";

function ok(r: CliResult): CliResult {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return r;
}

const DIRECT_LINE = /^\[#(\d+)\] Received JetStream message \(direct\): stream: (\w+) seq (\d+) \/ subject: ([\w.]+) \/ time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;

/** The title lines of direct output, as [n, stream, seq, subject]. */
function titles(stdout: string): string[][] {
  return stdout.split("\n").map((l) => DIRECT_LINE.exec(l)).filter((m) => m !== null).map((m) => m.slice(1));
}

for (const impl of IMPLS) {
  describe(`sub through direct gets against ${impl}`, () => {
    let srv: ServerProcess;
    const cleanup = suiteCleanup();
    const cli = (args: string[]) => runCli(["-s", srv.url, ...args]);
    before(async () => {
      srv = await jsServer(cleanup, impl);
      // Set up through the client: a tool run per step would cost seconds on a busy machine.
      const nc = await connect({ servers: srv.url });
      const jsm = await jetstreamManager(nc);
      const stream = (name: string, subject: string, retention: RetentionPolicy, allow_direct = true) =>
        jsm.streams.add({ name, subjects: [subject], retention, storage: StorageType.Memory, allow_direct });
      await stream("WORK", "work.>", RetentionPolicy.Workqueue);
      await stream("PLAIN", "plain.>", RetentionPolicy.Limits);
      await stream("NODIRECT", "nd.>", RetentionPolicy.Workqueue, false);
      const js = jsm.jetstream();
      for (const [subj, body] of [["work.a", "w1"], ["work.b", "w2"], ["work.a", "w3"], ["plain.x", "p1"], ["plain.y", "p2"]]) await js.publish(subj!, body!);
      await nc.close();
    });
    after(() => cleanup.run());

    if (impl === "tsnats") {
      test("a work-queue stream is read with direct gets: filtered by subject, headers shown, nothing consumed", async () => {
        const r = ok(await cli(["sub", "work.a", "--all", "-T"]));
        assert.match(r.stderr, /^\d\d:\d\d:\d\d Subscribing to JetStream Stream \(direct\) holding messages with subject work\.a starting with the first message received\n$/);
        assert.deepEqual(titles(r.stdout), [["1", "WORK", "1", "work.a"], ["2", "WORK", "3", "work.a"]]);
        assert.match(r.stdout, /\nNats-Stream: WORK\nNats-Subject: work\.a\nNats-Sequence: 1\n/);
        assert.match(r.stdout, /\n\nw3\n\n$/);
        const info = JSON.parse(ok(await cli(["stream", "info", "WORK", "--json"])).stdout) as { state: { messages: number; consumer_count: number } };
        assert.equal(info.state.messages, 3, "direct gets take nothing from a work queue");
        assert.equal(info.state.consumer_count, 0);
      });

      test("--direct on a limits stream: --last-per-subject, --start-sequence, then --new waits for the next message", async () => {
        const lps = ok(await cli(["sub", "--stream", "PLAIN", "--direct", "--last-per-subject", "-T", "--raw"]));
        assert.equal(lps.stdout, "p1\np2\n");
        const seq = ok(await cli(["sub", "--stream", "PLAIN", "--direct", "--start-sequence", "2", "-T", "--subjects-only"]));
        assert.deepEqual(titles(seq.stdout), [["1", "PLAIN", "2", "plain.y"]]);
        const fresh = await startCli(["-s", srv.url, "sub", "plain.>", "--direct", "--new", "--count", "1"], /delivering any new messages received/);
        ok(await cli(["pub", "plain.z", "p3", "-q"]));
        const got = ok(await fresh.done);
        assert.deepEqual(titles(got.stdout), [["1", "PLAIN", "3", "plain.z"]]);
        assert.match(got.stdout, /\n\np3\n\n$/);
      });
    } else {
      test("nats-server 2.9 has no batch direct gets: refused as the nats CLI refuses it", async () => {
        const r = await cli(["sub", "work.a", "--all"]);
        assert.equal(r.code, 1);
        assert.equal(r.stderr, "tsnats: error: subscribing using direct get requires NATS Server 2.11\n");
      });
    }

    test("direct gets need allow_direct and no durable", async () => {
      const nd = await cli(["sub", "nd.x", "--all"]);
      assert.equal(nd.stderr, "tsnats: error: cannot enable direct gets: allow_direct is not set to true for stream NODIRECT\n");
      const dur = await cli(["sub", "--stream", "PLAIN", "--direct", "--durable", "D"]);
      assert.equal(dur.stderr, "tsnats: error: cannot use direct get when a durable name is supplied\n");
    });
  });
}
