/**
 * Upkeep against crashes, deterministically: an append arrives while upkeep runs and removes, by
 * max_msgs, a message of the block being deleted or compacted; then the process dies before the batch
 * with that append is written. The append is lost, so the removal it caused must be lost too: the
 * removed message was acknowledged and max_msgs had not removed it yet as far as the disk knows.
 *
 * The crash is a copy of the directory taken when the group commit takes that batch: a SIGKILL leaves
 * what was written (the page cache survives it) and nothing of the batch not yet written.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { cpSync, rmSync } from "node:fs";
import { join } from "node:path";
import { BlockCache, openFileStore, type FileStore } from "../../src/store/index.js";
import { tempDir } from "./helpers.js";

const root = tempDir();
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

const payload = (seq: number): Buffer => Buffer.from(`m${seq}|`.padEnd(100, "x"));
/** Header record (40 bytes) plus exactly ten 133-byte message records on subject "s". */
const BLOCK_SIZE = 40 + 10 * 133;

/** 25 messages in three blocks (1-10, 11-20, 21-25), synced, nothing cached, no limits yet. */
async function filled(): Promise<FileStore> {
  const s = await openFileStore({ dir: join(root, `d${++n}`), blockSize: BLOCK_SIZE, cache: new BlockCache(0), report: () => undefined });
  for (let seq = 1; seq <= 25; seq++) s.storeMsg("s", undefined, payload(seq));
  await s.settle();
  assert.equal(s.blockFiles().length, 3);
  return s;
}

/**
 * At the store's next upkeep step, appends one message (before the step starts, or once it is under
 * way), and copies the directory when the batch carrying that append is taken. Resolves to the copy.
 */
function crashAfterUpkeep(s: FileStore, append: "before" | "during"): { crashed: Promise<string>; upkeepStarted: () => boolean } {
  const maintain = s.maintain.bind(s);
  const takeBatch = s.takeBatch.bind(s);
  let started = false;
  let armed = false;
  let done!: (dir: string) => void;
  const crashed = new Promise<string>((resolve) => (done = resolve));
  s.maintain = () => {
    s.maintain = maintain;
    if (append === "before") s.storeMsg("s", undefined, payload(0));
    const step = maintain();
    started = step !== undefined;
    if (append === "during") s.storeMsg("s", undefined, payload(0));
    armed = true;
    // Keep the commit loop going to the batch with the append even when there was nothing to do.
    return step ?? Promise.resolve();
  };
  s.takeBatch = () => {
    if (armed) {
      s.takeBatch = takeBatch;
      const copy = join(root, `crash${++n}`);
      cpSync(s.dir, copy, { recursive: true });
      done(copy);
    }
    return takeBatch();
  };
  return { crashed, upkeepStarted: () => started };
}

/** Opens the crashed copy without limits and checks that exactly first..25 are there. */
async function assertAfterCrash(dir: string, first: number): Promise<void> {
  const s = await openFileStore({ dir, blockSize: BLOCK_SIZE, report: () => undefined });
  try {
    const st = s.state();
    assert.equal(st.firstSeq, first, "the first acknowledged message still there");
    assert.equal(st.lastSeq, 25, "the lost append is not there");
    for (let seq = first; seq <= 25; seq++) assert.deepEqual(s.loadMsg(seq)?.data, payload(seq), `sequence ${seq}`);
  } finally {
    await s.stop();
  }
}

describe("file store upkeep and a crash that loses the append behind a removal", () => {
  it("does not delete a block whose last message was removed by an append not yet written", async () => {
    const s = await filled();
    s.updateLimits({ maxMsgs: 16 }); // 1-9 go; block 1 keeps only 10 and is compacted down to it
    await s.settle();
    const { crashed } = crashAfterUpkeep(s, "before"); // the append removes 10: block 1 is empty
    await s.settle();
    await assertAfterCrash(await crashed, 10);
    await s.stop();
  });

  it("does not compact away a message removed by an append not yet written", async () => {
    const s = await filled();
    const { crashed } = crashAfterUpkeep(s, "before"); // after the batch of the new floor (7)
    s.updateLimits({ maxMsgs: 19 }); // 1-6 go: block 1 (7-10 live) is sparse; the append removes 7
    await s.settle();
    await assertAfterCrash(await crashed, 7);
    await s.stop();
  });

  it("keeps a message removed while the compaction of its block is under way", async () => {
    const s = await filled();
    const { crashed, upkeepStarted } = crashAfterUpkeep(s, "during");
    s.updateLimits({ maxMsgs: 19 }); // 1-6 go; block 1 (7-10 live) is compacted; meanwhile 7 goes
    await s.settle();
    const copy = await crashed;
    assert.ok(upkeepStarted(), "the compaction of block 1 was under way");
    await assertAfterCrash(copy, 7);
    await s.stop();
  });
});
