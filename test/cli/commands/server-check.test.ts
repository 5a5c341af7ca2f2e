import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServerProcess, type ServerProcess } from "../../helpers/server-process.js";
import { IMPLS, jsServer, runCli, suiteCleanup } from "../support.js";

const SECONDS = "[\\d.]+s;";

for (const impl of IMPLS) {
  describe(`server check against ${impl}`, () => {
    let js: ServerProcess;
    let plain: ServerProcess;
    const cleanup = suiteCleanup();
    before(async () => {
      js = await jsServer(cleanup, impl);
      plain = await startServerProcess({ impl });
      cleanup.after(() => plain.stop("SIGKILL"));
    });
    after(() => cleanup.run());

    test("connection: OK with exit 0 and Nagios performance data", async () => {
      const r = await runCli(["-s", js.url, "server", "check", "connection"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      assert.match(r.stdout, new RegExp(`^OK Connection OK:connected to 127\\.0\\.0\\.1:${js.port} in \\S+ OK:rtt time \\S+ ` +
        `OK:round trip took [\\d.]+s \\| connect_time=${SECONDS}0\\.5000;1\\.0000 rtt=${SECONDS}0\\.5000;1\\.0000 ` +
        `request_time=${SECONDS}0\\.5000;1\\.0000\\n$`));
    });

    test("connection: a threshold crossed is WARNING (exit 1) or CRITICAL (exit 2)", async () => {
      const warn = await runCli(["-s", js.url, "server", "check", "conn", "--req-warn", "0s"]);
      assert.equal(warn.code, 1);
      assert.match(warn.stdout, /^WARNING Connection Warn:round trip took [\d.]+s OK:connected/);
      const crit = await runCli(["-s", js.url, "server", "check", "conn", "--connect-critical", "0s", "--format", "json"]);
      assert.equal(crit.code, 2);
      const body = JSON.parse(crit.stdout) as { status: string; criticals: string[]; oks: string[] };
      assert.equal(body.status, "CRITICAL");
      assert.match(body.criticals[0]!, /^connected to 127\.0\.0\.1:\d+ in /);
      assert.equal(body.oks.length, 2);
    });

    test("connection: an unreachable server is CRITICAL with exit 2, not an error", async () => {
      const r = await runCli(["-s", "nats://127.0.0.1:1", "server", "check", "connection"]);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, "");
      assert.match(r.stdout, /^CRITICAL Connection Crit:connection failed: nats: no servers available for connection: .*ECONNREFUSED.*\n$/);
    });

    test("jetstream: usage against the account's limits; CRITICAL where JetStream is off", async () => {
      const add = await runCli(["-s", js.url, "stream", "add", "CHK", "--subjects", "chk.>", "--defaults"]);
      assert.equal(add.code, 0, add.stderr);
      const r = await runCli(["-s", js.url, "server", "check", "jetstream"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^OK JetStream OK:memory 0 B of unlimited OK:storage \d+ B of unlimited OK:streams 1 of unlimited OK:consumers 0 of unlimited \| /);
      assert.match(r.stdout, / memory=0B memory_pct=0%;75;90 storage=\d+B storage_pct=0%;75;90 streams=1 streams_pct=0%;-1;-1 consumers=0 consumers_pct=0%;-1;-1\n$/);
      const off = await runCli(["-s", plain.url, "server", "check", "js"]);
      assert.equal(off.code, 2);
      assert.match(off.stdout, /^CRITICAL JetStream Crit:JetStream not available: /);
    });
  });
}
