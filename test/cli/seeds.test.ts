/**
 * The issue's seed command lines, verbatim with `tsnats` for `nats`, over seed 000's setup: TLS with a
 * private CA and a user/password login, against tsnats and nats-server 2.9.10 alike. The lines that carry
 * no connection flags use a selected context, as an operator's shell would.
 */
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServerProcess, type ServerProcess } from "../helpers/server-process.js";
import { pki } from "../tls/pki.js";
import { IMPLS, freshConfigHome, runCli, stable, type CliResult } from "./support.js";

function ok(r: CliResult): CliResult {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return r;
}

for (const impl of IMPLS) {
  describe(`seed command lines against ${impl} over TLS with user/password`, () => {
    let srv: ServerProcess;
    const home = freshConfigHome();
    const cli = (line: string[]) => runCli(line, { configHome: home });

    before(async () => {
      const certs = pki();
      const store = mkdtempSync(join(tmpdir(), "tsnats-cli-seed-"));
      srv = await startServerProcess({
        impl,
        config: `
          tls { cert_file: "${certs.server.cert}", key_file: "${certs.server.key}" }
          jetstream { store_dir: "${store}" }
          accounts {
            APP: { jetstream: enabled, users: [ { user: app, password: "strong-secret" } ] }
            SYS: { users: [ { user: sys, password: "sys-secret" } ] }
          }
          system_account: SYS
        `,
      });
      const url = `tls://127.0.0.1:${srv.port}`;
      ok(await cli(["context", "add", "sys", "--server", url, "--tlsca", certs.ca.cert, "--user", "sys", "--password", "sys-secret"]));
      ok(await cli(["context", "add", "app", "--server", url, "--tlsca", certs.ca.cert, "--user", "app", "--password", "strong-secret", "--select"]));
    });
    after(() => srv.stop("SIGKILL"));

    test("nats account info --server tls://… --tlsca ca.pem --user app --password strong-secret", async () => {
      const r = ok(await runCli(["account", "info", "--server", `tls://127.0.0.1:${srv.port}`, "--tlsca", pki().ca.cert,
        "--user", "app", "--password", "strong-secret"]));
      assert.match(r.stdout, /^Account Information\n\n/);
      assert.match(r.stdout, /\n +TLS Connection: yes\n/);
      assert.match(r.stdout, new RegExp(`\\n +Connected URL: tls://127\\.0\\.0\\.1:${srv.port}\\n`));
      assert.match(r.stdout, /\nJetStream Account Information:\n\nAccount Usage:\n\n +Storage: 0 B\n +Memory: 0 B\n +Streams: 0\n +Consumers: 0\n/);
      assert.match(r.stdout, /\n {2}Tier: Default:\n/);
    });

    test("nats stream add APP_EVENTS --subjects \"events.*\" --storage file --retention limits --max-msgs=-1 --max-bytes=20GB --max-age=168h --dupe-window=2m --ack", async () => {
      const r = ok(await cli(["stream", "add", "APP_EVENTS", "--subjects", "events.*", "--storage", "file", "--retention", "limits",
        "--max-msgs=-1", "--max-bytes=20GB", "--max-age=168h", "--dupe-window=2m", "--ack"]));
      assert.equal(stable(r.stdout), [
        "Stream APP_EVENTS was created",
        "",
        "Information for Stream APP_EVENTS created <TIME>",
        "",
        "              Subjects: events.*",
        "              Replicas: 1",
        "               Storage: File",
        "",
        "Options:",
        "",
        "             Retention: Limits",
        "       Acknowledgments: true",
        "        Discard Policy: Old",
        "      Duplicate Window: 2m0s",
        "            Direct Get: true",
        "     Allows Msg Delete: true",
        "          Allows Purge: true",
        "        Allows Rollups: false",
        "",
        "Limits:",
        "",
        "      Maximum Messages: unlimited",
        "   Maximum Per Subject: unlimited",
        "         Maximum Bytes: 20 GiB",
        "           Maximum Age: 7d0h0m0s",
        "  Maximum Message Size: unlimited",
        "     Maximum Consumers: unlimited",
        "",
        "State:",
        "",
        "              Messages: 0",
        "                 Bytes: 0 B",
        "        First Sequence: 0",
        "         Last Sequence: 0",
        "      Active Consumers: 0",
        "",
        "",
      ].join("\n"));
    });

    test("nats consumer add APP_EVENTS WORKER_A --deliver=all --ack explicit --filter \"events.work\" --max-pending=2048 --pull --backoff 1s,2s,5s,10s", async () => {
      const r = ok(await cli(["consumer", "add", "APP_EVENTS", "WORKER_A", "--deliver=all", "--ack", "explicit", "--filter", "events.work",
        "--max-pending=2048", "--pull", "--backoff", "1s,2s,5s,10s"]));
      assert.match(r.stdout, /^Information for Consumer APP_EVENTS > WORKER_A created \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n\nConfiguration:\n\n/);
      for (const row of ["Name: WORKER_A", "Pull Mode: true", "Filter Subject: events.work", "Deliver Policy: All",
        "Ack Policy: Explicit", "Replay Policy: Instant", "Maximum Deliveries: 5", "Max Ack Pending: 2,048",
        "Backoff: 1.00s, 2.00s, 5.00s, 10.00s", "Unprocessed Messages: 0", "Outstanding Acks: 0 out of maximum 2,048"]) {
        assert.match(r.stdout, new RegExp(`\\n +${row.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n`), row);
      }
    });

    test("nats pub events.work \"task-1\", then nats consumer next APP_EVENTS WORKER_A --batch 50 --ack", async () => {
      const pub = ok(await cli(["pub", "events.work", "task-1"]));
      assert.match(pub.stderr, /Published 6 bytes to "events\.work"/);
      const next = ok(await cli(["consumer", "next", "APP_EVENTS", "WORKER_A", "--batch", "50", "--ack"]));
      assert.match(next.stdout, /^\[\d\d:\d\d:\d\d\] subj: events\.work \/ tries: 1 \/ cons seq: 1 \/ str seq: 1 \/ pending: 0\n\ntask-1\n\nAcknowledged message\n\n$/);
      const info = ok(await cli(["consumer", "info", "APP_EVENTS", "WORKER_A", "--json"]));
      const ci = JSON.parse(info.stdout) as { num_ack_pending: number; ack_floor: { stream_seq: number } };
      assert.equal(ci.num_ack_pending, 0, "the message was acknowledged");
      assert.equal(ci.ack_floor.stream_seq, 1);
    });

    test("nats stream list / nats stream info ORDERS / nats consumer list ORDERS", async () => {
      ok(await cli(["stream", "add", "ORDERS", "--subjects", "orders.>", "--defaults"]));
      ok(await cli(["consumer", "add", "ORDERS", "shipping", "--pull", "--defaults"]));
      const ls = ok(await cli(["stream", "list"])).stdout.split("\n");
      assert.equal(ls.length, 9, ls.join("\n"));
      assert.match(ls[0]!, /^╭─+╮$/);
      assert.match(ls[1]!, /^│ +Streams +│$/);
      assert.match(ls[2]!, /^├─+┬─+┬─+┬─+┬─+┬─+┤$/);
      assert.match(ls[3]!, /^│ Name +│ Description │ Created +│ Messages │ Size +│ Last Message │$/);
      assert.match(ls[5]!, /^│ APP_EVENTS │ +│ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d │ 1 +│ \d+ B │ [\d.]+m?s +│$/);
      assert.match(ls[6]!, /^│ ORDERS +│ +│ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d │ 0 +│ 0 B +│ never +│$/);
      assert.match(ls[7]!, /^╰─+┴─+┴─+┴─+┴─+┴─+╯$/);
      assert.equal(new Set(ls.slice(0, 8).map((l) => [...l].length)).size, 1, "every line is as wide as the box");

      const info = ok(await cli(["stream", "info", "ORDERS"]));
      assert.match(info.stdout, /^Information for Stream ORDERS created \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n\n +Subjects: orders\.>\n/);
      assert.match(info.stdout, /\n +Active Consumers: 1\n/);
      const cons = ok(await cli(["consumer", "list", "ORDERS"])).stdout;
      assert.match(cons, /│ +Consumers +│/);
      assert.match(cons, /│ Name +│ Description │ Created +│ Ack Pending │ Unprocessed │ Last Delivery │/);
      assert.match(cons, /│ shipping │ +│ [\d: -]+ │ 0 +│ 0 +│ never +│/);
    });

    test("nats server list --js (as the system user)", async () => {
      const r = ok(await cli(["server", "list", "--js", "--context", "sys"]));
      const lines = r.stdout.split("\n");
      assert.match(lines[1]!, /^│ +Server Overview +│$/);
      assert.match(lines[3]!, /^│ Name +│ Cluster │ Host +│ Version +│ JS +│ Conns │ Subs │ Routes │ GWs │ Mem +│ CPU % │ Cores │ Slow │ Uptime +│ RTT +│$/);
      assert.match(lines[5]!, /│ yes │/);
      assert.match(lines[7]!, /^│ +│ 0 +│ 1 +│ +│ 1 +│/, "the footer counts one server with JetStream");
      const denied = await cli(["server", "list", "--js"]);
      assert.equal(denied.code, 1);
      assert.equal(denied.stderr, "tsnats: error: no results received, ensure the account used has system privileges and appropriate permissions\n");
    });

    test("nats stream add LOGS --subjects \"logs.>\" --storage file --replicas 3 (not clustered: the server refuses)", async () => {
      const r = await cli(["stream", "add", "LOGS", "--subjects", "logs.>", "--storage", "file", "--replicas", "3"]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, "tsnats: error: could not create Stream: replicas > 1 not supported in non-clustered mode (10074)\n");
    });

    test("nats consumer add LOGS pull-worker --ack explicit --max-pending 50000 --deliver-group pull-group", async () => {
      ok(await cli(["stream", "add", "LOGS", "--subjects", "logs.>", "--storage", "file"]));
      // Without --target and without a terminal the consumer is a pull consumer; the group is sent as given
      // (as the nats CLI sends it) and both servers keep it.
      const r = ok(await cli(["consumer", "add", "LOGS", "pull-worker", "--ack", "explicit", "--max-pending", "50000", "--deliver-group", "pull-group"]));
      assert.match(r.stdout, /\n +Pull Mode: true\n/);
      assert.match(r.stdout, /\n +Max Ack Pending: 50,000\n/);
      const info = JSON.parse(ok(await cli(["consumer", "info", "LOGS", "pull-worker", "--json"])).stdout) as { config: Record<string, unknown> };
      assert.equal(info.config["deliver_group"], "pull-group");
      assert.equal(info.config["deliver_subject"], undefined);
      assert.equal(info.config["ack_policy"], "explicit");
    });
  });
}
