import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServerProcess, type ServerProcess } from "../../helpers/server-process.js";
import { IMPLS, runCli } from "../support.js";

for (const impl of IMPLS) {
  describe(`server list and account info against ${impl}`, () => {
    let srv: ServerProcess;
    before(async () => {
      srv = await startServerProcess({
        impl,
        args: ["--server_name", "n1"],
        config: `
          accounts {
            APP: { users: [ { user: app, password: app } ] }
            SYS: { users: [ { user: sys, password: sys } ] }
          }
          system_account: SYS
        `,
      });
    });
    after(() => srv.stop("SIGKILL"));

    test("server list as the system user: one row per server, totals in the footer; --json gives the answers", async () => {
      const r = await runCli(["-s", srv.url, "--user", "sys", "--password", "sys", "server", "list"]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.split("\n");
      assert.equal(lines.length, 10, r.stdout);
      assert.match(lines[5]!, /^│ n1 +│ +│ [\d.]+ +│ \d+\.\d+\.\d+\S* +│ no +│ 1 +│ \d+ +│ 0 +│ 0 +│ [\d.]+ [KMG]iB │ \d+ +│ \d+ +│ 0 +│ [\d.]+m?s +│ \d+m?s +│$/);
      assert.match(lines[7]!, /^│ +│ 0 +│ 1 +│ +│ 0 +│ 1 +│ \d+ +│ +│ +│ [\d.]+ [KMG]iB │ +│ +│ 0 +│ +│ +│$/);
      const j = await runCli(["-s", srv.url, "--user", "sys", "--password", "sys", "server", "list", "1", "--json"]);
      const answers = JSON.parse(j.stdout) as { server: { name: string }; statsz: { connections: number } }[];
      assert.equal(answers.length, 1);
      assert.equal(answers[0]!.server.name, "n1");
    });

    test("server ping: one line per server with its rtt, then the statistics; a non-system user is told why not", async () => {
      const r = await runCli(["-s", srv.url, "--user", "sys", "--password", "sys", "server", "ping"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^n1${" ".repeat(58)} rtt=[\\d.]+(ms|µs|s)\n\n---- ping statistics ----\n1 replies max: \\d+\\.00 min: \\d+\\.00 avg: \\d+\\.00\n$`));
      const id = await runCli(["-s", srv.url, "--user", "sys", "--password", "sys", "server", "ping", "1", "--id"]);
      assert.match(id.stdout, /^N[A-Z0-9]{55} n1 +rtt=/);
      const missing = await runCli(["-s", srv.url, "--user", "sys", "--password", "sys", "--timeout", "300ms", "server", "ping", "2"]);
      assert.equal(missing.code, 0, missing.stderr);
      assert.match(missing.stdout, /\n1 replies max: [\d.]+ min: [\d.]+ avg: [\d.]+\n\nMissing 1 server\(s\)\n$/);
      const app = await runCli(["-s", srv.url, "--user", "app", "--password", "app", "server", "ping"]);
      assert.equal(app.code, 1);
      assert.equal(app.stderr, "tsnats: error: 503 status from $SYS.REQ.SERVER.PING, ensure a system account is used with appropriate permissions\n");
    });

    test("account info without JetStream says so and shows the connection", async () => {
      const r = await runCli(["-s", srv.url, "--user", "app", "--password", "app", "account", "info"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Account Information\n\n/);
      assert.match(r.stdout, new RegExp(`\\n +Connected URL: nats://127\\.0\\.0\\.1:${srv.port}\\n`));
      assert.match(r.stdout, /\n +Connected Server Name: n1\n/);
      assert.match(r.stdout, /\n +TLS Connection: no\n/);
      assert.match(r.stdout, /\n {3}JetStream is not supported in this account\n\n$/);
    });
  });
}
