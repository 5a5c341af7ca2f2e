/**
 * A stream far larger than what the store keeps in memory: 2M small messages (about 110 MB on disk,
 * in 8 MiB blocks). A clean restart reads the saved state and the active block only, a crash restart
 * the tail written since the last state as well; memory after either is a small fraction of the data,
 * and reads across the whole stream stay within the cache budget. What is asserted is work and memory,
 * not time (times are the benchmark's business: scripts/store-scale.mjs).
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { cpSync, rmSync } from "node:fs";
import { join } from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import { BlockCache, openFileStore, type FileStore } from "../../src/store/index.js";
import { tempDir } from "./helpers.js";

const MSGS = 2_000_000;
const SUBJECTS = 1000;
const CACHE = 16 * 1024 * 1024;
const root = tempDir();
after(() => rmSync(root, { recursive: true, force: true }));

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
}

async function open(dir: string): Promise<FileStore> {
  return openFileStore({ dir, cache: new BlockCache(CACHE), report: (r) => assert.fail(`${r.kind}: ${r.detail}`) });
}

describe("file store at scale (2M messages)", () => {
  const dir = join(root, "big");
  const payload = Buffer.alloc(16, 7);

  it("writes 2M messages", async () => {
    const s = await open(dir);
    for (let i = 1; i <= MSGS; i++) {
      s.storeMsg(`big.${i % SUBJECTS}`, undefined, payload);
      if (i % 50_000 === 0) await s.sync();
      // A state saved here for sure; the last 100k messages (5.6 MB) are the tail a crash replays.
      if (i === MSGS - 100_000) await s.settle();
    }
    await s.flush();
    // A crash now: the directory as the disk holds it, with whatever state was saved along the way.
    cpSync(dir, join(root, "crashed"), { recursive: true });
    await s.stop();
  });

  for (const [name, sub] of [
    ["clean restart", "big"],
    ["restart after a crash", "crashed"],
  ] as const) {
    it(`${name}: reads the state and the tail only, holds a fraction of the data in memory`, async () => {
      const before = heapUsed();
      const s = await open(join(root, sub));
      const grown = heapUsed() - before;
      const st = s.state();
      assert.deepEqual([st.msgs, st.firstSeq, st.lastSeq, st.numSubjects], [MSGS, 1, MSGS, SUBJECTS]);
      assert.equal(s.opened.fromState, true);
      // A crash replays the block active at the last state and the ones after it: 5.6 MB span at most 3.
      assert.ok(s.opened.blocksRead <= (sub === "big" ? 1 : 3), `${s.opened.blocksRead} blocks read`);
      // The index of every message would be ~40 MB; the store holds the active block and summaries.
      assert.ok(grown < 24 * 1024 * 1024, `open grew memory by ${(grown / 1048576).toFixed(1)} MB`);
      // KV-style reads: the last message of a subject from its totals plus one block.
      assert.equal(s.loadLastMsg("big.7")!.seq, MSGS - SUBJECTS + 7);
      assert.equal(s.subjectsState("big.7").get("big.7")!.msgs, MSGS / SUBJECTS);
      assert.equal(s.numPending(1, "big.7", false), MSGS / SUBJECTS);
      await s.stop();
    });
  }

  it("a sequential read of the whole stream stays within the cache budget", async () => {
    const s = await open(dir);
    const before = heapUsed();
    let n = 0;
    let peak = 0;
    for (let seq = 1; seq <= MSGS; seq++) {
      const m = s.loadMsg(seq)!;
      assert.equal(m.data.length, 16);
      n++;
      if (seq % 250_000 === 0) peak = Math.max(peak, heapUsed() - before);
    }
    assert.equal(n, MSGS);
    assert.ok(peak < CACHE + 24 * 1024 * 1024, `reading grew memory by ${(peak / 1048576).toFixed(1)} MB`);
    await s.stop();
  });
});

describe("a KV bucket at scale (200k keys)", () => {
  const KEYS = 200_000;
  const NEW_KEYS = 20_000;
  const dir = join(root, "kv");
  const key = (i: number): string => `$KV.B.k${i}`;
  const value = (i: number, v: number): Buffer => Buffer.from(`k${i}:v${v}`.padEnd(32, "."));
  const kvOpen = (d: string): Promise<FileStore> =>
    openFileStore({ dir: d, blockSize: 256 * 1024, limits: { maxMsgsPerSubject: 1 }, cache: new BlockCache(CACHE), report: (r) => assert.fail(`${r.kind}: ${r.detail}`) });
  /** Keys alive at the end, and the version of each value. */
  const versions = new Map<number, number>();

  it("writes, updates and deletes keys, and saves a state; more keys after it are the tail", async () => {
    const s = await kvOpen(dir);
    for (let i = 0; i < KEYS; i++) {
      s.storeMsg(key(i), undefined, value(i, 0));
      versions.set(i, 0);
      if (i % 50_000 === 0) await s.sync();
    }
    for (let i = 0; i < KEYS; i += 10) {
      s.storeMsg(key(i), undefined, value(i, 1));
      versions.set(i, 1);
    }
    for (let i = 1; i < KEYS; i += 1000) {
      assert.equal(s.purge({ filter: key(i) }), 1);
      versions.delete(i);
    }
    // A group of keys under one more token, gone by a wildcard purge.
    for (let i = 0; i < 1000; i++) s.storeMsg(`$KV.B.x.${i}`, undefined, value(i, 9));
    assert.equal(s.purge({ filter: "$KV.B.x.*" }), 1000);
    await s.settle();
    for (let i = KEYS; i < KEYS + NEW_KEYS; i++) {
      s.storeMsg(key(i), undefined, value(i, 0));
      versions.set(i, 0);
    }
    await s.flush();
    cpSync(dir, join(root, "kv-crashed"), { recursive: true });
    assert.equal(s.state().numSubjects, versions.size);
    await s.stop();
  });

  for (const [name, sub] of [
    ["clean restart", "kv"],
    ["restart after a crash", "kv-crashed"],
  ] as const) {
    it(`${name}: every key from the state, no JS object per key`, async () => {
      const before = heapUsed();
      const heapBefore = process.memoryUsage().heapUsed;
      const s = await kvOpen(join(root, sub));
      const grown = heapUsed() - before;
      const heapGrown = process.memoryUsage().heapUsed - heapBefore;
      assert.equal(s.opened.fromState, true);
      const st = s.state();
      assert.deepEqual([st.msgs, st.numSubjects], [versions.size, versions.size]);
      // One JS object (string and map entry) per key was about 200 B of heap; arrays are about 80 B a key.
      const perKey = (b: number): string => `${(b / versions.size).toFixed(1)} B per key`;
      assert.ok(heapGrown < 24 * versions.size, `heap grew by ${perKey(heapGrown)}`);
      assert.ok(grown < 120 * versions.size, `memory grew by ${perKey(grown)}`);
      for (let i = 0; i < KEYS + NEW_KEYS; i += 97) {
        const m = s.loadLastMsg(key(i));
        const v = versions.get(i);
        assert.equal(m?.data.toString(), v === undefined ? undefined : value(i, v).toString(), key(i));
      }
      assert.equal(s.subjectsState("$KV.B.x.*").size, 0);
      const all = s.subjectsState("$KV.B.>");
      assert.equal(all.size, versions.size);
      assert.equal(all.get(key(10))?.msgs, 1);
      assert.equal(all.has(key(1001)), false);
      // Still a working table: a new key, an update, a delete.
      s.storeMsg(key(1001), undefined, value(1001, 5));
      s.storeMsg(key(20), undefined, value(20, 5));
      assert.equal(s.purge({ filter: key(30) }), 1);
      assert.equal(s.loadLastMsg(key(1001))?.data.toString(), value(1001, 5).toString());
      assert.equal(s.loadLastMsg(key(20))?.data.toString(), value(20, 5).toString());
      assert.equal(s.state().numSubjects, versions.size);
      await s.stop();
    });
  }
});
