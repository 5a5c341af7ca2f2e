/**
 * Crash test of the durable log: a child process appends, syncs and compacts; it is SIGKILLed at random
 * moments, again and again on the same file. After each kill the log must open whole: the snapshot and
 * every entry where they belong (each names its own index), nothing lost that a resolved sync() covered,
 * no temp file left.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DurableLog } from "../../src/store/log/durable-log.js";
import { runAndKill } from "../helpers/kill-after.js";
import { prng, tempDir } from "./helpers.js";

const WRITER = fileURLToPath(new URL("./fixtures/log-writer.js", import.meta.url));
const RUNS = 12;

const root = tempDir("tsnats-log-crash-");
after(() => rmSync(root, { recursive: true, force: true }));

test("SIGKILL during appends and compactions: the log opens whole, with everything acknowledged", { timeout: 120_000 }, async () => {
  const rnd = prng(7);
  const path = join(root, "crash.log");
  let acked = 0;
  let compacted = 0;
  for (let run = 0; run < RUNS; run++) {
    const { lines, stderr } = await runAndKill(WRITER, [path, String(run + 1)], 20 + rnd.int(300));
    assert.equal(stderr, "");
    if (lines.length > 0) acked = Math.max(acked, Number(lines[lines.length - 1]));
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
