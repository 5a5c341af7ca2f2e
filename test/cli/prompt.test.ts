/**
 * The questions `tsnats` asks on a terminal: the tool runs under util-linux's `script`, which gives it
 * a pseudo-terminal, and the test types the answers as each question appears.
 */
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import type { ServerProcess } from "../helpers/server-process.js";
import { CLI_BIN, freshConfigHome, jsServer, runCli, suiteCleanup } from "./support.js";

const HAVE_SCRIPT = spawnSync("script", ["--version"]).status === 0;

/** Each step waits for its question on the terminal, then types its answer ("\r" is Enter). */
type Step = [question: string, answer: string];

/** ANSI escapes out, so questions and answers read as text. */
const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");

function onTerminal(args: string[], steps: Step[]): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, CLI_BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const env = { ...process.env, XDG_CONFIG_HOME: freshConfigHome(), TZ: "UTC" };
  const child = spawn("script", ["-qfec", command, "/dev/null"], { env, stdio: ["pipe", "pipe", "pipe"] });
  let screen = "";
  let at = 0;
  let seen = 0;
  const next = () => {
    if (at >= steps.length) return;
    const [question, answer] = steps[at]!;
    const found = plain(screen).indexOf(question, seen);
    if (found < 0) return;
    seen = found + question.length;
    at++;
    // Give the prompt a moment to start reading keys before typing.
    setTimeout(() => {
      child.stdin.write(answer);
      next();
    }, 400);
  };
  child.stdout.on("data", (d: Buffer) => {
    screen += d.toString();
    next();
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  return new Promise((resolve) => child.once("close", (code) => {
    clearTimeout(timer);
    resolve({ code, screen: plain(screen) });
  }));
}

describe("prompts on a terminal", { skip: HAVE_SCRIPT ? false : "util-linux script is not installed" }, () => {
  let srv: ServerProcess;
  const cleanup = suiteCleanup();
  before(async () => {
    srv = await jsServer(cleanup, "tsnats");
  });
  after(() => cleanup.run());

  test("stream add asks for the name and every setting not given, with the nats CLI's defaults", async () => {
    const r = await onTerminal(["-s", srv.url, "stream", "add", "--storage", "memory"], [
      ["Stream Name", "ASKED\r"], ["Subjects", "asked.>\r"], ["Replication", "\r"], ["Retention Policy", "\r"],
      ["Discard Policy", "\r"], ["Stream Messages Limit", "100\r"], ["Per Subject Messages Limit", "\r"], ["Total Stream Size", "\r"],
      ["Message TTL", "1h\r"], ["Max Message Size", "\r"], ["Duplicate tracking time window", "\r"], ["Allow message Roll-ups", "y\r"],
      ["Allow message deletion", "n\r"], ["Allow purging subjects or the entire stream", "\r"],
    ]);
    assert.equal(r.code, 0, r.screen);
    assert.doesNotMatch(r.screen, /\? Storage/, "a setting given as a flag is not asked");
    assert.match(r.screen, /Stream ASKED was created/);
    const j = JSON.parse((await runCli(["-s", srv.url, "stream", "info", "ASKED", "--json"])).stdout) as { config: Record<string, unknown> };
    assert.deepEqual(j.config["subjects"], ["asked.>"]);
    assert.equal(j.config["storage"], "memory");
    assert.equal(j.config["max_msgs"], 100);
    assert.equal(j.config["max_age"], 3600e9);
    assert.equal(j.config["allow_rollup_hdrs"], true);
    assert.equal(j.config["deny_delete"], true);
    assert.equal(j.config["deny_purge"], false);
  });

  test("consumer info chooses the stream and consumer from lists; stream rm asks before deleting", async () => {
    assert.equal((await runCli(["-s", srv.url, "consumer", "add", "ASKED", "C1", "--pull", "--defaults"])).code, 0);
    const r = await onTerminal(["-s", srv.url, "consumer", "info"], [["Select a Stream", "\r"], ["Select a Consumer", "\r"]]);
    assert.equal(r.code, 0, r.screen);
    assert.match(r.screen, /Information for Consumer ASKED > C1 created /);
    const no = await onTerminal(["-s", srv.url, "stream", "rm", "ASKED"], [["Really delete Stream ASKED", "\r"]]);
    assert.equal(no.code, 0, no.screen);
    assert.equal((await runCli(["-s", srv.url, "stream", "info", "ASKED", "--json"])).code, 0, "the default answer is no");
  });

  test("kv status chooses the bucket from a list; kv del asks the nats CLI's question and acts on yes", async () => {
    assert.equal((await runCli(["-s", srv.url, "kv", "add", "ASKKV"])).code, 0);
    const st = await onTerminal(["-s", srv.url, "kv", "status"], [["Select a Bucket", "\r"]]);
    assert.equal(st.code, 0, st.screen);
    assert.match(st.screen, /Information for Key-Value Store Bucket ASKKV/);
    const del = await onTerminal(["-s", srv.url, "kv", "del", "ASKKV"], [["Delete bucket ASKKV?", "y\r"]]);
    assert.equal(del.code, 0, del.screen);
    assert.equal((await runCli(["-s", srv.url, "kv", "ls", "--names"])).stdout, "", "the bucket is gone");
  });

  test("without a terminal nothing is asked: a missing name is the usual one-line error", async () => {
    const r = await runCli(["-s", srv.url, "consumer", "info"]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "tsnats: error: missing required argument 'stream'\n");
    const kv = await runCli(["-s", srv.url, "kv", "status"]);
    assert.equal(kv.stderr, "tsnats: error: missing required argument 'bucket'\n");
    const del = await runCli(["-s", srv.url, "kv", "del", "NOPE"]);
    assert.equal(del.stderr, "tsnats: error: Delete bucket NOPE?: cannot ask without a terminal, use --force\n");
  });
});
