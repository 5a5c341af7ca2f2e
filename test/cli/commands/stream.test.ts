import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ServerProcess } from "../../helpers/server-process.js";
import { IMPLS, freshConfigHome, jsServer, runCli, suiteCleanup, type CliResult } from "../support.js";

function ok(r: CliResult): CliResult {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return r;
}

for (const impl of IMPLS) {
  describe(`stream verbs against ${impl}`, () => {
    let srv: ServerProcess;
    const cleanup = suiteCleanup();
    const cli = (args: string[], input?: string) => runCli(["-s", srv.url, ...args], input === undefined ? {} : { input });
    before(async () => {
      srv = await jsServer(cleanup, impl);
      ok(await cli(["stream", "add", "S1", "--subjects", "s1.*", "--storage", "memory", "--max-msgs-per-subject", "10",
        "--max-msg-size", "1k", "--discard", "new", "--retention", "limits", "--defaults"]));
      for (const body of ["one", "two", "three"]) ok(await cli(["pub", "s1.a", body, "-H", "K:V"]));
      ok(await cli(["pub", "s1.b", "four"]));
    });
    after(() => cleanup.run());

    test("stream add --json prints the server's stream info; the flags reach the config", async () => {
      const r = ok(await cli(["stream", "add", "J1", "--subjects", "j1.>,j1b.>", "--max-age", "1h", "--max-bytes", "2MB",
        "--dupe-window", "30s", "--no-ack", "--replicas", "1", "--json"]));
      const info = JSON.parse(r.stdout) as { config: Record<string, unknown>; state: { messages: number } };
      assert.deepEqual(info.config["subjects"], ["j1.>", "j1b.>"]);
      assert.equal(info.config["max_age"], 3600e9);
      assert.equal(info.config["max_bytes"], 2 * 1024 * 1024);
      assert.equal(info.config["duplicate_window"], 30e9);
      assert.equal(info.config["no_ack"], true);
      assert.equal(info.config["storage"], "file");
      assert.equal(info.state.messages, 0);
    });

    test("stream info shows the limits as the nats CLI words them, and the state", async () => {
      const r = ok(await cli(["stream", "info", "S1"]));
      for (const row of ["Storage: Memory", "Discard Policy: New", "Maximum Per Subject: 10", "Maximum Message Size: 1.0 KiB",
        "Maximum Messages: unlimited", "Messages: 4", "Active Consumers: 0", "Number of Subjects: 2"]) {
        assert.match(r.stdout, new RegExp(`\\n +${row.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n`), row);
      }
      assert.match(r.stdout, /\n +First Sequence: 1 @ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n +Last Sequence: 4 @ /);
      const j = JSON.parse(ok(await cli(["--json", "stream", "info", "S1"])).stdout) as { state: { messages: number; last_seq: number } };
      assert.equal(j.state.messages, 4);
      assert.equal(j.state.last_seq, 4);
    });

    test("stream ls --names and --json list the streams by name", async () => {
      const names = ok(await cli(["stream", "ls", "--names"])).stdout.split("\n").filter(Boolean);
      assert.ok(names.includes("S1"), names.join(","));
      const json = JSON.parse(ok(await cli(["stream", "ls", "--json"])).stdout) as string[];
      assert.deepEqual(json, [...json].sort());
      assert.ok(json.includes("S1"));
    });

    test("stream get by sequence and by --last-for, with headers", async () => {
      const r = ok(await cli(["stream", "get", "S1", "2"]));
      assert.match(r.stdout, /^Item: S1#2 received \S+ \([^)]+\) on Subject s1\.a\n\nHeaders:\n {2}K: V\n\ntwo\n$/);
      const last = ok(await cli(["stream", "get", "S1", "--last-for", "s1.a", "--json"]));
      const m = JSON.parse(last.stdout) as { seq: number; subject: string; data: string };
      assert.equal(m.seq, 3);
      assert.equal(Buffer.from(m.data, "base64").toString(), "three");
      const missing = await cli(["stream", "get", "S1", "99"]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /^tsnats: error: could not retrieve S1#99: no message found \(10037\)\n$/);
    });

    test("stream rmm removes one message; without --force and a terminal it refuses", async () => {
      const refused = await cli(["stream", "rmm", "S1", "1"]);
      assert.equal(refused.code, 1);
      assert.equal(refused.stderr, "tsnats: error: Really remove message 1 from Stream S1: cannot ask without a terminal, use --force\n");
      ok(await cli(["stream", "rmm", "S1", "1", "-f"]));
      const j = JSON.parse(ok(await cli(["stream", "info", "S1", "-j"])).stdout) as { state: { messages: number; first_seq: number } };
      assert.equal(j.state.messages, 3);
      assert.equal(j.state.first_seq, 2);
    });

    test("stream edit changes the given flags and keeps the rest; --config reads a JSON file", async () => {
      const r = ok(await cli(["stream", "edit", "S1", "--max-msgs", "100", "--description", "edited", "-f"]));
      assert.match(r.stdout, /^Stream S1 was updated\n\n/);
      assert.match(r.stdout, /\n +Description: edited\n/);
      assert.match(r.stdout, /\n +Maximum Messages: 100\n/);
      assert.match(r.stdout, /\n +Maximum Per Subject: 10\n/, "untouched settings stay");
      const file = join(freshConfigHome(), "cfg.json");
      writeFileSync(file, JSON.stringify({ name: "ignored", subjects: ["fromfile.>"], retention: "limits", storage: "memory",
        max_consumers: -1, max_msgs: -1, max_bytes: -1, max_age: 0, max_msg_size: -1, discard: "old", num_replicas: 1 }));
      const fromFile = JSON.parse(ok(await cli(["stream", "add", "F1", "--config", file, "--json"])).stdout) as { config: { name: string; subjects: string[] } };
      assert.equal(fromFile.config.name, "F1");
      assert.deepEqual(fromFile.config.subjects, ["fromfile.>"]);
    });

    test("stream purge --subject and then all; stream rm; errors name the stream API's reason", async () => {
      const p1 = ok(await cli(["stream", "purge", "S1", "--subject", "s1.b", "-f"]));
      assert.match(p1.stdout, /^Purged 1 messages from S1\n\n/);
      ok(await cli(["stream", "purge", "S1", "-f"]));
      const j = JSON.parse(ok(await cli(["stream", "info", "S1", "-j"])).stdout) as { state: { messages: number } };
      assert.equal(j.state.messages, 0);
      ok(await cli(["stream", "rm", "S1", "-f"]));
      const gone = await cli(["stream", "info", "S1"]);
      assert.equal(gone.code, 1);
      assert.equal(gone.stderr, "tsnats: error: could not request Stream info: stream not found (10059)\n");
      const bad = await cli(["stream", "add", "BAD", "--storage", "tape"]);
      assert.equal(bad.code, 1);
      assert.equal(bad.stderr, "tsnats: error: enum value must be one of file,f,memory,m, got 'tape' for --storage\n");
    });
  });
}
