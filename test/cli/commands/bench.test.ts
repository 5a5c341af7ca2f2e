import { test } from "node:test";
import assert from "node:assert/strict";
import { startServerProcess } from "../../helpers/server-process.js";
import { IMPLS, runCli } from "../support.js";

for (const impl of IMPLS) {
  test(`bench with small counts reports pub and sub figures as the nats CLI does [${impl}]`, async (t) => {
    const srv = await startServerProcess({ impl });
    t.after(() => srv.stop("SIGKILL"));
    const r = await runCli(["-s", srv.url, "bench", "foo", "--pub", "2", "--sub", "2", "--msgs", "2000", "--size", "64"]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assert.equal(lines[0], "Starting Core NATS pub/sub benchmark [subject=foo, msgs=2,000, msgsize=64 B, pubs=2, subs=2]");
    const rate = String.raw`[\d,]+ msgs/sec ~ \d+\.\d\d MB/sec`;
    assert.match(lines[2]!, new RegExp(`^NATS Pub/Sub stats: ${rate}$`));
    assert.match(lines[3]!, new RegExp(`^ Pub stats: ${rate}$`));
    assert.match(lines[4]!, new RegExp(`^ {2}\\[1\\] ${rate} \\(1000 msgs\\)$`));
    assert.match(lines[5]!, new RegExp(`^ {2}\\[2\\] ${rate} \\(1000 msgs\\)$`));
    assert.match(lines[6]!, /^ {2}min [\d,]+ \| avg [\d,]+ \| max [\d,]+ \| stddev [\d,]+ msgs$/);
    assert.match(lines[7]!, new RegExp(`^ Sub stats: ${rate}$`));
    assert.match(lines[8]!, new RegExp(`^ {2}\\[1\\] ${rate} \\(2000 msgs\\)$`), "every subscriber gets every message");
    assert.match(lines[9]!, new RegExp(`^ {2}\\[2\\] ${rate} \\(2000 msgs\\)$`));
  });
}

test("bench refuses nonsense counts on one line", async () => {
  const r = await runCli(["bench", "foo", "--pub", "0", "--sub", "0"]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "tsnats: error: nothing to do: --pub and --sub are both 0\n");
});
