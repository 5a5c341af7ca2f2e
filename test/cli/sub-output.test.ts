import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, headers } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import type { ServerProcess } from "../helpers/server-process.js";
import { bodyText, dumpJson, translateArgv } from "../../src/cli/sub-output.js";
import { jsServer, runCli, startCli, suiteCleanup, type CliResult } from "./support.js";

function ok(r: CliResult): CliResult {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return r;
}

const bytes = (s: string) => new TextEncoder().encode(s);

describe("sub's message forms", () => {
  test("--translate fills {{Subject}} and {{Stream}} and splits words as a shell would, expanding nothing", () => {
    assert.deepEqual(translateArgv(`jq -r '.name + " on {{Subject}}"' "$HOME"`, "a.b", "S"), ["jq", "-r", '.name + " on a.b"', "$HOME"]);
    assert.deepEqual(translateArgv("tool --stream {{ Stream }} *.txt", "x", "ORDERS"), ["tool", "--stream", "ORDERS", "*.txt"]);
    assert.throws(() => translateArgv("a | b", "x", ""), /could not be parsed/);
    assert.throws(() => translateArgv("tool {{Nope}}", "x", ""), /function "Nope" not defined/);
  });

  test("bodies: nil body for none, a translated body, a failing command's output and reason", () => {
    assert.equal(bodyText({ subject: "s", data: new Uint8Array() }, undefined), "nil body\n");
    assert.equal(bodyText({ subject: "s.x", data: bytes("abc") }, "sed s/b/{{Subject}}/"), "as.xc\n");
    assert.equal(bodyText({ subject: "s", data: bytes("abc") }, "sh -c 'echo no >&2; exit 3'"), '"no\\n"\nError while translating msg body: exit status 3\n\n');
  });

  test("--dump's JSON is the nats CLI's encoding of a message", () => {
    const h = headers();
    h.append("K", "v1");
    h.append("K", "v2");
    assert.deepEqual(JSON.parse(dumpJson({ subject: "a", reply: "r", headers: h, data: bytes("hi") }, undefined)),
      { Subject: "a", Reply: "r", Header: { K: ["v1", "v2"] }, Data: "aGk=", Sub: null });
    assert.deepEqual(JSON.parse(dumpJson({ subject: "a", data: new Uint8Array() }, undefined)), { Subject: "a", Reply: "", Header: null, Data: null, Sub: null });
  });

  describe("through sub against tsnats", () => {
    let srv: ServerProcess;
    const cleanup = suiteCleanup();
    const cli = (args: string[]) => runCli(["-s", srv.url, ...args]);
    before(async () => {
      srv = await jsServer(cleanup, "tsnats");
      const nc = await connect({ servers: srv.url });
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: "OUT", subjects: ["out.>"] });
      for (const [subj, body] of [["out.a", "one"], ["out.b", "two"], ["out.a", "three"]]) await jsm.jetstream().publish(subj!, body!);
      await nc.close();
    });
    after(() => cleanup.run());

    test("--dump DIR writes a file per message named by stream sequence; --dump - separates JSON with NUL", async () => {
      const dir = join(mkdtempSync(join(tmpdir(), "tsnats-dump-")), "msgs");
      const r = ok(await cli(["sub", "--stream", "OUT", "--all", "-T", "--dump", dir]));
      assert.equal(r.stderr, "", "dumping logs nothing");
      assert.deepEqual(readdirSync(dir).sort(), ["1.json", "2.json", "3.json"]);
      const m = JSON.parse(readFileSync(join(dir, "2.json"), "utf8")) as { Subject: string; Data: string };
      assert.equal(m.Subject, "out.b");
      assert.equal(Buffer.from(m.Data, "base64").toString(), "two");
      const out = ok(await cli(["sub", "--stream", "OUT", "--all", "--count", "2", "--dump", "-"]));
      const parts = out.stdout.split("\0");
      assert.equal(parts.pop(), "", "each record ends with NUL");
      assert.deepEqual(parts.map((p) => (JSON.parse(p) as { Subject: string }).Subject), ["out.a", "out.b"]);
    });

    test("--translate with --raw prints the command's output per message", async () => {
      const r = ok(await cli(["sub", "--stream", "OUT", "--all", "-T", "--raw", "--translate", "tr a-z A-Z"]));
      assert.equal(r.stdout, "ONE\nTWO\nTHREE\n");
    });

    test("--report-subjects counts subjects (--report-subscriptions the subscriptions) and shows the last table at the end", async () => {
      const subjects = await startCli(["-s", srv.url, "sub", "rep.>", "--report-subjects", "--report-top", "2", "--count", "4"], /Subscribing on rep\.>/);
      const subs = await startCli(["-s", srv.url, "sub", "rep.>", "--report-subscriptions", "--count", "4"], /Subscribing on rep\.>/);
      const nc = await connect({ servers: srv.url });
      for (const s of ["a", "b", "a", "c"]) nc.publish(`rep.${s}`, "12345");
      await nc.flush();
      await nc.close();
      const last = (text: string) => text.slice(text.lastIndexOf("\x1b[2J\x1b[H") + 7);
      const r = ok(await subjects.done);
      assert.equal(last(r.stdout), [
        "╭─────────────────────────────────╮",
        "│  Top 2 Active Subjects Report   │",
        "├─────────┬───────────────┬───────┤",
        "│ Subject │ Message Count │ Bytes │",
        "├─────────┼───────────────┼───────┤",
        "│ rep.a   │ 2             │ 10 B  │",
        "│ rep.b   │ 1             │ 5 B   │",
        "├─────────┼───────────────┼───────┤",
        "│ Totals  │ 3             │ 15 B  │",
        "╰─────────┴───────────────┴───────╯",
        ""].join("\n"));
      assert.match(last(ok(await subs.done).stdout), /│ rep\.> +│ 4 +│ 20 B +│/);
    });
  });
});
