/**
 * Crash test of the durable log: a child process appends, syncs and compacts; it is SIGKILLed at random
 * moments, again and again on the same file. After each kill the log must open whole: the snapshot and
 * every entry where they belong (each names its own index), nothing lost that a resolved sync() covered,
 * no temp file left.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DurableLog } from "../../src/store/log/durable-log.js";
import { prng, tempDir } from "./helpers.js";

const WRITER = fileURLToPath(new URL("./fixtures/log-writer.js", import.meta.url));
const RUNS = 12;

const root = tempDir("tsnats-log-crash-");
after(() => rmSync(root, { recursive: true, force: true }));

/** Runs the writer until `killAfterMs` after its first acknowledgement; returns the highest one. */
function runAndKill(path: string, seed: number, killAfterMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, path, String(seed)], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let stderr = "";
    let armed = false;
    const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (!armed) {
        armed = true;
        setTimeout(() => child.kill("SIGKILL"), killAfterMs);
      }
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(killer);
      if (signal !== "SIGKILL") return reject(new Error(`writer ended with ${code ?? signal}: ${stderr}`));
      const lines = out.slice(0, out.lastIndexOf("\n") + 1).split("\n").filter((l) => l.length > 0);
      resolve(lines.length === 0 ? 0 : Number(lines[lines.length - 1]));
    });
  });
}

test("SIGKILL during appends and compactions: the log opens whole, with everything acknowledged", { timeout: 120_000 }, async () => {
  const rnd = prng(7);
  const path = join(root, "crash.log");
  let acked = 0;
  let compacted = 0;
  for (let run = 0; run < RUNS; run++) {
    const last = await runAndKill(path, run + 1, 20 + rnd.int(300));
    acked = Math.max(acked, last);
    const { log, snapshot, entries, damagedCopy } = DurableLog.open(path);
    assert.equal(damagedCopy, undefined, `run ${run}: a crash is no damage`);
    assert.equal(existsSync(`${path}.tmp`), false);
    if (snapshot !== undefined) {
      assert.equal(snapshot.data.toString(), `S${snapshot.index}`);
      compacted++;
    }
    entries.forEach((e, k) => assert.ok(e.toString().startsWith(`${log.firstIndex + k}:`), `run ${run}: entry ${log.firstIndex + k}`));
    assert.ok(log.lastIndex >= acked, `run ${run}: acknowledged up to ${acked}, the log ends at ${log.lastIndex}`);
    acked = log.lastIndex;
    await log.close();
  }
  assert.ok(compacted > 0, "some runs ended after a compaction");
});
