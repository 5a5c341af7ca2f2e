/**
 * The saved state (state.dat) and index files: a clean restart reads the state and the active block
 * only; a crash restart also replays what was written after the state; a state or index file that is
 * damaged, from another generation, or half written is never trusted over the blocks. In every case
 * the store serves exactly what it held.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BlockCache, openFileStore, type FileStore, type FileStoreOptions, type StoreReport } from "../../src/store/index.js";
import { prng, reportSink, tempDir } from "./helpers.js";

const root = tempDir();
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const OPTS = { blockSize: 2048, cache: new BlockCache(0) } satisfies Partial<FileStoreOptions>;

async function open(dir: string, reports?: StoreReport[]): Promise<FileStore> {
  return openFileStore({ ...OPTS, dir, report: (r) => reports?.push(r) });
}

/** Everything a reader can see of a store. */
function view(s: FileStore): unknown {
  const st = s.state();
  const msgs: unknown[] = [];
  for (let seq = s.nextSeq("", 1); seq > 0; seq = s.nextSeq("", seq + 1)) {
    const m = s.loadMsg(seq)!;
    msgs.push([m.seq, m.subject, m.time, m.data.toString("hex"), m.hdr?.toString(), m.ttl]);
  }
  const subjects = [...s.subjectsState(">")].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const lasts = subjects.map(([subj]) => s.loadLastMsg(subj)?.seq);
  return { st, msgs, subjects, lasts, deleted: s.deletedSeqs(), pending: s.numPending(st.firstSeq + 5, "s.*", false) };
}

/** Stores, deletes, purges and skips at random, so that blocks are sealed, compacted and deleted. */
function churn(s: FileStore, seed: number, steps: number): void {
  const r = prng(seed);
  for (let i = 0; i < steps; i++) {
    const x = r.int(100);
    const st = s.state();
    if (x < 70) s.storeMsg(`s.${r.int(12)}`, r.chance(0.1) ? Buffer.from("NATS/1.0\r\nA: b\r\n\r\n") : undefined, Buffer.alloc(r.int(90), i), r.chance(0.05) ? { ttl: 3600e9 } : undefined);
    else if (x < 85 && st.msgs > 0) s.removeMsg(st.firstSeq + r.int(st.lastSeq - st.firstSeq + 1), { erase: r.chance(0.2) });
    else if (x < 92) s.purge({ filter: `s.${r.int(12)}`, keep: r.int(3) });
    else if (x < 96) s.skipMsg();
    else if (st.msgs > 20) s.compact(st.firstSeq + r.int(10));
  }
}

async function made(seed: number): Promise<{ dir: string; s: FileStore }> {
  const dir = join(root, `s${++n}`);
  const s = await open(dir);
  churn(s, seed, 600);
  await s.settle();
  return { dir, s };
}

function copy(dir: string): string {
  const to = join(root, `c${++n}`);
  cpSync(dir, to, { recursive: true });
  return to;
}

describe("saved state", () => {
  it("a clean restart reads the state and the active block only", async () => {
    const { dir, s } = await made(1);
    const before = view(s);
    assert.ok(s.blockFiles().length > 3);
    await s.stop();
    const again = await open(dir);
    assert.deepEqual(again.opened, { fromState: true, blocksRead: 1 });
    // Single reads in an order that never walks a block, answered from index-file slots.
    const msgs = (before as { msgs: unknown[][] }).msgs;
    for (const m of [...msgs].reverse()) {
      const got = again.loadMsg(m[0] as number)!;
      assert.deepEqual([got.seq, got.subject, got.time, got.data.toString("hex"), got.hdr?.toString(), got.ttl], m);
    }
    assert.deepEqual(view(again), before);
    await again.stop();
  });

  it("a crash restart replays what was written after the state", async () => {
    for (const seed of [2, 3, 4, 5]) {
      const { s } = await made(seed);
      churn(s, seed * 31, 300);
      await s.flush(); // written and synced, no newer state: what a crash right now leaves
      const crashed = copy(s.dir);
      const expected = view(s);
      const reports: StoreReport[] = [];
      const after = await open(crashed, reports);
      assert.equal(after.opened.fromState, true, `seed ${seed}`);
      assert.deepEqual(reports, []);
      assert.deepEqual(view(after), expected, `seed ${seed}`);
      // And it goes on from there: more changes, another restart.
      churn(after, seed * 7, 100);
      const later = view(after);
      await after.stop();
      const third = await open(crashed);
      assert.deepEqual(view(third), later, `seed ${seed}, second restart`);
      await Promise.all([s.stop(), third.stop()]);
    }
  });

  it("a damaged state is reported and the store is rebuilt from its blocks", async () => {
    const { dir, s } = await made(6);
    await s.stop();
    const pristine = readFileSync(join(dir, "state.dat"));
    const expected = view(await open(copy(dir)));
    const damages: [string, Buffer][] = [
      ["empty", Buffer.alloc(0)],
      ["truncated", pristine.subarray(0, pristine.length >> 1)],
      ["one byte short", pristine.subarray(0, pristine.length - 1)],
    ];
    for (let at = 0; at < pristine.length; at += Math.max(1, pristine.length >> 4)) {
      const flipped = Buffer.from(pristine);
      flipped[at]! ^= 0x10;
      damages.push([`bit flip at ${at}`, flipped]);
    }
    for (const [what, bytes] of damages) {
      const d = copy(dir);
      writeFileSync(join(d, "state.dat"), bytes);
      const reports: StoreReport[] = [];
      const again = await open(d, reports);
      assert.equal(again.opened.fromState, false, what);
      assert.deepEqual(reports.map((r) => r.kind), ["bad-state"], what);
      assert.deepEqual(view(again), expected, what);
      await again.stop();
      // The rebuilt store saved a good state again.
      const third = await open(d);
      assert.equal(third.opened.fromState, true, what);
      await third.stop();
    }
  });

  it("a state from an older generation is not trusted where blocks changed since", async () => {
    const { dir, s } = await made(7);
    const old = readFileSync(join(dir, "state.dat"));
    // Enough churn that blocks the old state describes are compacted or deleted, with newer states saved.
    for (let i = 0; i < 5; i++) {
      churn(s, 70 + i, 300);
      await s.settle();
    }
    const expected = view(s);
    await s.stop();
    const d = copy(dir);
    writeFileSync(join(d, "state.dat"), old);
    const reports: StoreReport[] = [];
    const again = await open(d, reports);
    assert.deepEqual(view(again), expected);
    assert.deepEqual(reports.map((r) => r.kind), ["bad-state"]);
    await again.stop();
  });

  it("a half-written state (a crash during its write) leaves the previous one in force", async () => {
    const { dir, s } = await made(8);
    const expected = view(s);
    await s.flush();
    const d = copy(dir);
    writeFileSync(join(d, "state.dat.tmp"), Buffer.from("half a state"));
    const again = await open(d);
    assert.equal(again.opened.fromState, true);
    assert.equal(existsSync(join(d, "state.dat.tmp")), false);
    assert.deepEqual(view(again), expected);
    await Promise.all([again.stop(), s.stop()]);
  });

  it("a store without a state (written by an earlier tsnats) is opened from its blocks and upgraded", async () => {
    const { dir, s } = await made(9);
    const expected = view(s);
    await s.stop();
    for (const f of readdirSync(dir)) if (!f.endsWith(".blk")) rmSync(join(dir, f));
    const again = await open(dir);
    assert.equal(again.opened.fromState, false);
    assert.deepEqual(view(again), expected);
    await again.stop();
    assert.ok(readdirSync(dir).includes("state.dat"));
    assert.ok(readdirSync(dir).some((f) => f.endsWith(".idx")), "index files written");
    const third = await open(dir);
    assert.deepEqual(third.opened, { fromState: true, blocksRead: 1 });
    assert.deepEqual(view(third), expected);
    await third.stop();
  });
});

describe("state versions", () => {
  it("a state of version 1 (subjects listed one by one) is reported, the store rebuilt from its blocks and saved anew", async () => {
    // Written by the tsnats before subject totals were kept as arrays (fixtures/v1-store: 60 messages on
    // 7 subjects, some of them non-ASCII or 300 bytes long, in 1 KiB blocks; two removed, the 8 of s.2 purged).
    const fixture = fileURLToPath(new URL("../../../test/store/fixtures/v1-store", import.meta.url));
    const state = readFileSync(join(fixture, "state.dat"));
    assert.equal(state.readUInt32LE(4), 1, "the fixture's state is of version 1");
    const d = copy(fixture);
    const blocksOnly = copy(fixture);
    rmSync(join(blocksOnly, "state.dat"));
    const expected = view(await open(blocksOnly));
    const reports: StoreReport[] = [];
    const again = await open(d, reports);
    assert.equal(again.opened.fromState, false);
    assert.deepEqual(reports.map((r) => [r.kind, r.detail]), [["bad-state", "not a state file of this version; rebuilding from the blocks"]]);
    assert.deepEqual(view(again), expected);
    const st = again.state();
    assert.deepEqual([st.msgs, st.numSubjects], [50, 6]);
    assert.equal(again.loadLastMsg("kv.\u00e9t\u00e9")?.data.toString(), "m57");
    assert.equal(again.subjectsState("kv.>").get(`kv.${"x".repeat(300)}`)?.msgs, 9);
    await again.stop();
    assert.equal(readFileSync(join(d, "state.dat")).readUInt32LE(4), 2, "saved in the current version");
    const third = await open(d);
    assert.equal(third.opened.fromState, true);
    assert.deepEqual(view(third), expected);
    await third.stop();
  });
});

describe("index files", () => {
  it("damaged, truncated or stale index files are rebuilt from their blocks", async () => {
    const { dir, s } = await made(10);
    const expected = view(s);
    await s.stop();
    const idx = readdirSync(dir).filter((f) => f.endsWith(".idx")).sort();
    assert.ok(idx.length >= 2);
    const d = copy(dir);
    const r = prng(10);
    idx.forEach((f, i) => {
      const p = join(d, f);
      const bytes = readFileSync(p);
      if (i % 3 === 0) writeFileSync(p, bytes.subarray(0, r.int(bytes.length)));
      else if (i % 3 === 1) {
        bytes[r.int(bytes.length)]! ^= 1 << r.int(8);
        writeFileSync(p, bytes);
      } else {
        // Another block's index under this block's name.
        writeFileSync(p, readFileSync(join(d, idx[(i + 1) % idx.length]!)));
      }
    });
    const sink = reportSink();
    const again = await openFileStore({ ...OPTS, dir: d, report: sink.report });
    // Random single reads first (each may take a slot from an index file alone), then the whole view.
    const msgs = (expected as { msgs: unknown[][] }).msgs;
    const shuffled = [...msgs].sort((a, b) => ((a[0] as number) * 7919) % 101 - ((b[0] as number) * 7919) % 101);
    for (const m of shuffled) {
      const got = again.loadMsg(m[0] as number)!;
      assert.deepEqual([got.seq, got.subject, got.time, got.data.toString("hex"), got.hdr?.toString(), got.ttl], m);
    }
    assert.deepEqual(view(again), expected);
    assert.deepEqual(sink.reports, []);
    await again.stop();
  });

  it("a record damaged after the state is reported as lost, not as deleted, and stays so after a clean restart", async () => {
    const dir = join(root, `s${++n}`);
    const s = await open(dir);
    const body = (seq: number): Buffer => Buffer.from(`payload-${String(seq).padStart(5, "0")}`.padEnd(60, "."));
    for (let seq = 1; seq <= 30; seq++) s.storeMsg(`s.${seq % 4}`, undefined, body(seq));
    await s.settle();
    for (let seq = 31; seq <= 100; seq++) s.storeMsg(`s.${seq % 4}`, undefined, body(seq));
    s.removeMsg(60); // a tombstone in the tail: deleted, not lost
    await s.flush();
    const crashed = copy(dir);
    await s.stop();
    const victim = 70;
    const file = readdirSync(crashed).filter((f) => f.endsWith(".blk")).map((f) => join(crashed, f)).find((f) => readFileSync(f).includes(body(victim)))!;
    const bytes = readFileSync(file);
    const at = bytes.indexOf(body(victim));
    assert.ok(bytes.includes(body(victim + 1)), "valid records follow the victim in its block");
    bytes[at + 20]! ^= 0x5a;
    writeFileSync(file, bytes);
    const reports: StoreReport[] = [];
    const again = await open(crashed, reports);
    assert.equal(again.opened.fromState, true);
    assert.deepEqual(reports.map((r) => r.kind), ["corrupt-middle"]);
    assert.equal(again.loadMsg(victim), undefined);
    for (const seq of [1, 30, 31, 69, 71, 100]) assert.deepEqual(again.loadMsg(seq)!.data, body(seq));
    const st = again.state();
    assert.equal(st.msgs, 98);
    assert.deepEqual(st.lost?.msgs, [victim]);
    assert.ok(st.lost!.bytes > 0);
    await again.stop();
    const third = await open(crashed);
    assert.deepEqual(third.state().lost?.msgs, [victim], "the saved state keeps it");
    await third.stop();
  });
});
