import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServerProcess } from "../../helpers/server-process.js";
import { IMPLS, jsServer, runCli, suiteCleanup, type CliResult } from "../support.js";

function ok(r: CliResult): CliResult {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return r;
}

const RATE = String.raw`[\d,]+ msgs/sec ~ \d+\.\d\d MB/sec`;
const LATENCY = /^ {1,2}latencies per operation min [\d,.]+us \| avg [\d,.]+us \| max [\d,.]+us \| stddev [\d,.]+us \| P50 [\d,.]+us \| P90 [\d,.]+us \| P99 [\d,.]+us \| P99\.9: [\d,.]+us$/;

interface StreamJson { config: { subjects: string[]; storage: string; num_replicas: number }; state: { messages: number; num_subjects?: number; consumer_count: number } }

for (const impl of IMPLS) {
  describe(`bench --js against ${impl}`, () => {
    let srv: ServerProcess;
    const cleanup = suiteCleanup();
    const cli = (args: string[]) => runCli(["-s", srv.url, ...args], { timeoutMs: 60_000 });
    const stream = async (name: string) => JSON.parse(ok(await cli(["stream", "info", name, "--json"])).stdout) as StreamJson;
    before(async () => {
      srv = await jsServer(cleanup, impl);
    });
    after(() => cleanup.run());

    test("async publishers and ordered subscribers: every subscriber reads every message; latency percentiles", async () => {
      const r = ok(await cli(["bench", "jsb.one", "--js", "--pub", "2", "--sub", "2", "--msgs", "2000", "--size", "64", "--storage", "memory"]));
      const lines = r.stdout.split("\n");
      assert.equal(lines[0], "Starting JetStream benchmark [subject=jsb.one, multisubject=false, multisubjectmax=100000, js=true, msgs=2,000, msgsize=64 B, pubs=2, subs=2, stream=benchstream, maxbytes=1.0 GiB, storage=memory, syncpub=false, pubbatch=100, jstimeout=30s, pull=false, consumerbatch=100, push=false, consumername=natscli-bench, replicas=1, purge=false]");
      assert.match(r.stderr, /JetStream ephemeral ordered push consumer mode, subscribers will not acknowledge the consumption of messages\n/);
      assert.match(lines[2]!, new RegExp(`^NATS Pub/Sub stats: ${RATE}$`));
      assert.match(lines[3]!, new RegExp(`^ Pub stats: ${RATE}$`));
      assert.match(lines[4]!, new RegExp(`^ {2}\\[1\\] ${RATE} \\(1000 msgs\\)$`));
      assert.match(lines[5]!, new RegExp(`^ {2}\\[2\\] ${RATE} \\(1000 msgs\\)$`));
      assert.match(lines[6]!, /^ {2}min [\d,]+ \| avg [\d,]+ \| max [\d,]+ \| stddev [\d,]+ msgs$/);
      assert.match(lines[7]!, LATENCY);
      assert.match(lines[8]!, new RegExp(`^ Sub stats: ${RATE}$`));
      assert.match(lines[9]!, new RegExp(`^ {2}\\[1\\] ${RATE} \\(2000 msgs\\)$`), "an ordered consumer each: every message");
      assert.match(lines[10]!, new RegExp(`^ {2}\\[2\\] ${RATE} \\(2000 msgs\\)$`));
      assert.doesNotMatch(lines[11]!, /latencies/, "subscribers time no operations");
      const st = await stream("benchstream");
      assert.equal(st.state.messages, 2000);
      assert.equal(st.config.storage, "memory");
      assert.deepEqual(st.config.subjects, ["jsb.one"]);
      assert.equal(st.state.consumer_count, 0, "ordered consumers are gone after the run");
      ok(await cli(["stream", "rm", "benchstream", "-f"]));
    });

    test("--pull and --push: subscribers share one durable consumer, acknowledge, and it is deleted after", async () => {
      for (const mode of ["--pull", "--push"]) {
        const r = ok(await cli(["bench", "jsb.shared", "--js", mode, "--pub", "1", "--sub", "2", "--msgs", "3001", "--purge", "--consumerbatch", "50"]));
        assert.match(r.stderr, new RegExp(`Defined durable explicitly acked ${mode.slice(2)} consumer: natscli-bench\\n[^]*Deleted durable consumer: natscli-bench\\n`));
        assert.match(r.stdout, new RegExp(`\\n {2}\\[1\\] ${RATE} \\(1501 msgs\\)\\n {2}\\[2\\] ${RATE} \\(1500 msgs\\)\\n {2}min [^\\n]+\\n\\n$`), "the shares add up to --msgs");
        const st = await stream("benchstream");
        assert.equal(st.state.messages, 3001, "--purge emptied the stream first");
        assert.equal(st.state.consumer_count, 0);
      }
      ok(await cli(["stream", "rm", "benchstream", "-f"]));
    });

    test("--syncpub --multisubject: one subject per message number, a latency per publish, and a CSV file", async () => {
      const csv = join(mkdtempSync(join(tmpdir(), "tsnats-bench-")), "run.csv");
      const r = ok(await cli(["bench", "jsb.multi", "--js", "--syncpub", "--multisubject", "--multisubjectmax", "7", "--msgs", "300", "--csv", csv]));
      assert.match(r.stdout, /^Starting JetStream benchmark \[subject=jsb\.multi\.\*, multisubject=true, multisubjectmax=7, .*syncpub=true/);
      assert.match(r.stdout, new RegExp(`\\nPub stats: ${RATE}\\n \\[1\\] ${RATE} \\(300 msgs\\)\\n min [^\\n]+\\n latencies per operation min`));
      assert.match(r.stdout, new RegExp(`\\nSaved metric data in csv file ${csv.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n$`));
      const st = await stream("benchstream");
      assert.deepEqual(st.config.subjects, ["jsb.multi.*"]);
      assert.equal(st.state.num_subjects, 7, "message numbers modulo --multisubjectmax");
      const rows = readFileSync(csv, "utf8").trim().split("\n");
      assert.equal(rows[0], "#RunID,ClientID,MsgCount,MsgBytes,MsgsPerSec,BytesPerSec,DurationSecs,MinLatencyMicroSecs,AvgLatencyMicroSecs,MaxLatencyMicroSecs,P50LatencyMicroSecs,P90LatencyMicroSecs,P99LatencyMicroSecs,P99.9LatencyMicroSecs,StdDevLatencyMicroSecs");
      assert.equal(rows.length, 2);
      assert.match(rows[1]!, /^\w{22},P0,300,38400,\d+,\d+\.\d{6},\d+\.\d{6}(,\d+\.\d{6}){8}$/);
      ok(await cli(["stream", "rm", "benchstream", "-f"]));
    });

    test("--replicas 3 on a server without a cluster fails as the server says", async () => {
      const r = await cli(["bench", "jsb.r3", "--js", "--replicas", "3", "--msgs", "10"]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, "tsnats: error: replicas > 1 not supported in non-clustered mode (10074). If you want to delete and re-define the stream use `nats stream delete benchstream`.\n");
    });
  });
}

test("bench refuses --pull with --push", async () => {
  const r = await runCli(["bench", "x", "--js", "--pull", "--push", "--sub", "1"]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "tsnats: error: The durable consumer must be either pull or push, it can not be both\n");
});
