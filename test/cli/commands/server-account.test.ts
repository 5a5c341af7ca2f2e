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
