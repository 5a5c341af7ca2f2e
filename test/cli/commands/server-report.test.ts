import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServerProcess, type ServerProcess } from "../../helpers/server-process.js";
import { IMPLS, runCli, startCli } from "../support.js";

for (const impl of IMPLS) {
  describe(`server info and server report against ${impl}`, () => {
    let srv: ServerProcess;
    const sys = (args: string[]) => runCli(["-s", srv.url, "--user", "sys", "--password", "sys", ...args]);
    const app = (args: string[]) => runCli(["-s", srv.url, "--user", "app", "--password", "app", ...args]);
    before(async () => {
      srv = await startServerProcess({
        impl,
        args: ["--server_name", "n1", "-m", "0"],
        config: `
          jetstream { store_dir: "${mkdtempSync(join(tmpdir(), "tsnats-cli-report-"))}" }
          accounts {
            APP: { jetstream: enabled, users: [ { user: app, password: app } ] }
            SYS: { users: [ { user: sys, password: sys } ] }
          }
          system_account: SYS
        `,
      });
    });
    after(() => srv.stop("SIGKILL"));

    test("server info: the connected server's process, connection, JetStream, limits and statistics", async () => {
      const r = await sys(["server", "info"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Server information for n1 \(N[A-Z0-9]{55}\)\n\nProcess Details:\n\n/);
      for (const row of ["Auth Required: true", "TLS Required: false", "Maximum Payload: 1.0 MiB", "Slow Consumers: 0"]) {
        assert.match(r.stdout, new RegExp(`\\n +${row.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n`), row);
      }
      assert.match(r.stdout, /\nJetStream:\n\n +Domain: *\n +Storage Directory: \/.*tsnats-cli-report-/);
      assert.match(r.stdout, /\n +Messages: [\d,]+ in [\d,]+ out\n/);
      const byName = await sys(["server", "info", "n1", "--json"]);
      assert.equal(byName.code, 0, byName.stderr);
      const v = JSON.parse(byName.stdout) as { server_name: string; max_payload: number };
      assert.equal(v.server_name, "n1");
      assert.equal(v.max_payload, 1024 * 1024);
      const denied = await app(["server", "info"]);
      assert.equal(denied.code, 1);
      assert.equal(denied.stderr, "tsnats: error: no results received, ensure the account used has system privileges and appropriate permissions\n");
    });

    test("server report connections and accounts: the top connections with totals, connections per server and per account", async () => {
      const sub = await startCli(["-s", srv.url, "--user", "app", "--password", "app", "--connection-name", "watcher", "sub", "rep.a", "rep.b"], /Subscribing on/);
      try {
        // The tool logs before it subscribes: wait until the server lists both subscriptions.
        for (let tries = 0; ; tries++) {
          const j = JSON.parse((await sys(["server", "report", "connections", "--json"])).stdout) as { subscriptions: number }[];
          if (j.some((c) => c.subscriptions === 2)) break;
          assert.ok(tries < 20, "the sub's two subscriptions never showed");
          await new Promise((res) => setTimeout(res, 200));
        }
        const r = await sys(["server", "report", "connections", "--sort", "subs", "--reverse"]);
        assert.equal(r.code, 0, r.stderr);
        const lines = r.stdout.split("\n");
        assert.match(lines[1]!, /^│ +Top 2 Connections out of 2 by subs +│$/);
        assert.match(lines[3]!, /^│ CID +│ Name +│ Server +│ Cluster +│ IP +│ Account +│ Uptime +│ In Msgs +│ Out Msgs +│ In Bytes +│ Out Bytes +│ Subs +│$/);
        assert.match(lines[5]!, /^│ \d+ +│ watcher +│ n1 +│ +│ 127\.0\.0\.1:\d+ +│ APP +│ \S+ +│ \d+ +│ \d+ +│ .+ │ 2 +│$/, "most subscriptions first with --reverse");
        assert.match(lines[6]!, /^│ \d+ +│ NATS CLI Version \d+\.\d+\.\d+ +│ n1 +│ +│ 127\.0\.0\.1:\d+ +│ SYS +│ .+ │ 1 +│$/, "the report's own connection, with its reply inbox");
        assert.match(lines[8]!, /^│ +│ Totals for 2 connections +│/);
        assert.match(r.stdout, /Connections per server +│\n.*\n│ Server +│ Cluster +│ Connections │\n.*\n│ n1 +│ +│ 2 +│\n/);
        const j = JSON.parse((await sys(["server", "report", "connections", "--json"])).stdout) as { name?: string; subscriptions: number }[];
        assert.deepEqual(j.map((c) => c.subscriptions).sort(), [1, 2]);
        const acc = await sys(["server", "report", "accounts"]);
        assert.equal(acc.code, 0, acc.stderr);
        const al = acc.stdout.split("\n");
        assert.match(al[1]!, /^│ +2 Accounts Overview +│$/);
        assert.match(al[3]!, /^│ Account │ Connections │ In Msgs │ Out Msgs │ In Bytes │ Out Bytes │ Subs │$/);
        assert.match(al[5]!, /^│ SYS +│ 1 +│ [\d,]+ +│ [\d,]+ +│ .+ B +│ .+ B +│ 1 +│$/, "ascending by subscriptions: the biggest last");
        assert.match(al[6]!, /^│ APP +│ 1 +│ 0 +│ 0 +│ 0 B +│ 0 B +│ 2 +│$/);
        const top = JSON.parse((await sys(["server", "report", "accounts", "--top", "1", "--json"])).stdout) as { account: string }[];
        assert.deepEqual(top.map((a) => a.account), ["APP"]);
        const one = JSON.parse((await sys(["server", "report", "accounts", "APP", "--json"])).stdout) as
          { account: string; connections: number; subscriptions: number; connection_info: { name: string }[]; server: { name: string }[] };
        assert.deepEqual([one.account, one.connections, one.subscriptions, one.connection_info[0]!.name, one.server[0]!.name], ["APP", 1, 2, "watcher", "n1"]);
        const none = await sys(["server", "report", "accounts", "NOPE"]);
        assert.equal(none.stderr, "tsnats: error: did not receive any results for account NOPE\n");
      } finally {
        sub.stop();
        await sub.done;
      }
    });

    test("server report jetstream: streams, consumers and API use per server, with totals", async () => {
      assert.equal((await app(["stream", "add", "REP", "--subjects", "rep.>", "--defaults"])).code, 0);
      assert.equal((await app(["pub", "rep.x", "hello", "-q"])).code, 0);
      const r = await sys(["server", "report", "jetstream"]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.split("\n");
      assert.match(lines[1]!, /^│ +JetStream Summary +│$/);
      assert.match(lines[3]!, /^│ Server +│ Cluster +│ Streams +│ Consumers +│ Messages +│ Bytes +│ Memory +│ File +│ API Req \/ Errors +│ Pending +│$/);
      assert.match(lines[5]!, /^│ n1 +│ +│ 1 +│ 0 +│ 1 +│ \d+ B +│ 0 B +│ \d+ B +│ \d+ \/ \d+ +│ 0 +│$/);
      const j = JSON.parse((await sys(["server", "report", "jetstream", "--json"])).stdout) as { server: { name: string }; data: { streams: number } }[];
      assert.deepEqual(j.map((a) => [a.server.name, a.data.streams]), [["n1", 1]]);
    });
  });
}
