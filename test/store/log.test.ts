/**
 * The durable log (store/log): entries come back as written, a torn tail is cut back wherever the crash
 * cut the last frame, damage in the middle is reported and never served, truncateAfter and compaction
 * hold across reopening, a compaction interrupted at any step leaves the old or the new log whole, and
 * group commit serves many sync() calls with one fdatasync (none in lazy mode).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { join } from "node:path";
import { DurableLog, LogFormatError, type LogOptions } from "../../src/store/log/durable-log.js";
import { HEAD, HEADER } from "../../src/store/log/format.js";
import { prng, tempDir } from "./helpers.js";

function entry(i: number, size = 1 + (i % 37)): Buffer {
  return Buffer.from(`${i}:${"x".repeat(size)}`);
}

function texts(bufs: Buffer[]): string[] {
  return bufs.map((b) => b.toString());
}

function expected(from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(entry(i).toString());
  return out;
}

/** A closed log at a fresh path with entries 1..n, appended over several turns. */
async function written(n: number, opts: LogOptions = {}): Promise<string> {
  const path = join(tempDir("tsnats-log-"), "test.log");
  const log = await DurableLog.create(path, opts);
  for (let i = 1; i <= n; i++) {
    assert.equal(log.append(entry(i)), i);
    if (i % 7 === 0) await log.sync();
  }
  await log.close();
  return path;
}

function reopen(path: string, opts: LogOptions = {}) {
  return DurableLog.open(path, opts);
}

test("entries come back after reopening, and read back by range before and after", async () => {
  const path = join(tempDir("tsnats-log-"), "a.log");
  const log = await DurableLog.create(path);
  for (let i = 1; i <= 50; i++) log.append(entry(i));
  // Not yet written: served from memory.
  assert.deepEqual(texts(log.entries(10, 12)), expected(10, 12));
  await log.sync();
  for (let i = 51; i <= 60; i++) log.append(entry(i));
  // Spans the file and what is pending.
  assert.deepEqual(texts(log.entries(45, 55)), expected(45, 55));
  await log.close();

  const { log: again, snapshot, entries, damagedCopy } = reopen(path);
  assert.equal(snapshot, undefined);
  assert.equal(damagedCopy, undefined);
  assert.deepEqual(texts(entries), expected(1, 60));
  assert.equal(again.firstIndex, 1);
  assert.equal(again.lastIndex, 60);
  assert.deepEqual(texts(again.entries(1, 60)), expected(1, 60));
  assert.equal(again.append(entry(61)), 61);
  await again.close();
  assert.deepEqual(texts(reopen(path).entries), expected(1, 61));
});

test("a file that is not a log is refused, a missing one is an error", async () => {
  const dir = tempDir("tsnats-log-");
  fs.writeFileSync(join(dir, "old.log"), Buffer.from([5, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9, 9, 9]));
  assert.throws(() => reopen(join(dir, "old.log")), LogFormatError);
  fs.writeFileSync(join(dir, "empty.log"), "");
  assert.throws(() => reopen(join(dir, "empty.log")), LogFormatError);
  assert.throws(() => reopen(join(dir, "none.log")), { code: "ENOENT" });
});

test("a torn last frame is cut back at every byte offset, and the log goes on from there", async () => {
  const path = await written(5);
  const whole = fs.readFileSync(path);
  const lastStart = whole.length - (HEAD + entry(5).length);
  for (let cut = lastStart; cut < whole.length; cut++) {
    fs.writeFileSync(path, whole.subarray(0, cut));
    const { log, entries, damagedCopy } = reopen(path);
    assert.equal(damagedCopy, undefined, `cut at ${cut}: a torn tail is not damage`);
    assert.deepEqual(texts(entries), expected(1, 4), `cut at ${cut}`);
    assert.equal(fs.statSync(path).size, lastStart, `cut at ${cut}: the file is cut back`);
    assert.equal(log.append(Buffer.from("new")), 5);
    await log.close();
    assert.deepEqual(texts(reopen(path).entries), [...expected(1, 4), "new"]);
  }
  // A tail of zeros (the file grew, its data never came) is a torn tail too.
  fs.writeFileSync(path, Buffer.concat([whole, Buffer.alloc(4096)]));
  const z = reopen(path);
  assert.equal(z.damagedCopy, undefined);
  assert.deepEqual(texts(z.entries), expected(1, 5));
  await z.log.close();
});

test("a flipped bit in a middle frame is reported, never served, and the damaged file is kept", async () => {
  const path = await written(6);
  const whole = fs.readFileSync(path);
  // Frame k starts after the header and the frames before it.
  const starts: number[] = [];
  let off = HEADER.length;
  for (let i = 1; i <= 6; i++) {
    starts.push(off);
    off += HEAD + entry(i).length;
  }
  for (let k = 0; k < 5; k++) {
    const end = starts[k + 1]!;
    for (let pos = starts[k]!; pos < end; pos++) {
      for (const bit of [0, 5]) {
        const bad = Buffer.from(whole);
        bad[pos] ^= 1 << bit;
        fs.writeFileSync(path, bad);
        const { log, entries, damagedCopy } = reopen(path);
        assert.ok(damagedCopy !== undefined, `frame ${k + 1}, byte ${pos}, bit ${bit}: damage must be reported`);
        assert.deepEqual(texts(entries), expected(1, k), `frame ${k + 1}, byte ${pos}: only what precedes the damage`);
        assert.ok(fs.readFileSync(damagedCopy).equals(bad), "the copy holds the damaged file as found");
        assert.equal(log.lastIndex, k);
        await log.close();
        fs.rmSync(damagedCopy);
      }
    }
  }
  // The same flip in the last frame is a torn tail: nothing valid follows it.
  const bad = Buffer.from(whole);
  bad[starts[5]! + HEAD] ^= 1;
  fs.writeFileSync(path, bad);
  const last = reopen(path);
  assert.equal(last.damagedCopy, undefined);
  assert.deepEqual(texts(last.entries), expected(1, 5));
  await last.log.close();
  // And in the header, the file is no log at all.
  const hdr = Buffer.from(whole);
  hdr[3] ^= 1;
  fs.writeFileSync(path, hdr);
  assert.throws(() => reopen(path), LogFormatError);
});

test("a valid frame out of place (an index that does not follow) is damage", async () => {
  const path = await written(4);
  const whole = fs.readFileSync(path);
  const f2 = HEADER.length + HEAD + entry(1).length;
  const f3 = f2 + HEAD + entry(2).length;
  // Frame 3 removed: frame 4 follows frame 2.
  fs.writeFileSync(path, Buffer.concat([whole.subarray(0, f3), whole.subarray(f3 + HEAD + entry(3).length)]));
  const { log, entries, damagedCopy } = reopen(path);
  assert.ok(damagedCopy !== undefined);
  assert.deepEqual(texts(entries), expected(1, 2));
  await log.close();
});

test("truncateAfter drops what follows, written or pending, and appends continue from the cut", async () => {
  const path = join(tempDir("tsnats-log-"), "t.log");
  const log = await DurableLog.create(path);
  for (let i = 1; i <= 10; i++) log.append(entry(i));
  await log.sync();
  for (let i = 11; i <= 15; i++) log.append(entry(i));
  // Inside what is pending.
  await log.truncateAfter(13);
  assert.equal(log.lastIndex, 13);
  // Inside the file, with pending appends after it in the same turn.
  const cut = log.truncateAfter(6);
  assert.equal(log.append(Buffer.from("b7")), 7);
  assert.equal(log.append(Buffer.from("b8")), 8);
  await cut;
  await log.sync();
  assert.deepEqual(texts(log.entries(5, 8)), ["5:xxxxxx", "6:xxxxxxx", "b7", "b8"]);
  // A cut at or after the end changes nothing.
  await log.truncateAfter(20);
  assert.equal(log.lastIndex, 8);
  await log.close();
  const again = reopen(path);
  assert.deepEqual(texts(again.entries), [...expected(1, 6), "b7", "b8"]);
  // Cutting everything.
  await again.log.truncateAfter(0);
  assert.equal(again.log.lastIndex, 0);
  assert.equal(again.log.append(Buffer.from("c1")), 1);
  await again.log.close();
  assert.deepEqual(texts(reopen(path).entries), ["c1"]);
});

test("compaction keeps the snapshot and the entries after it; appends during it are kept", async () => {
  const path = join(tempDir("tsnats-log-"), "c.log");
  const log = await DurableLog.create(path);
  for (let i = 1; i <= 20; i++) log.append(entry(i));
  await log.sync();
  const before = fs.statSync(path).size;
  const done = log.compact(15, Buffer.from("snap15"));
  assert.equal(log.firstIndex, 16);
  assert.throws(() => log.entries(15, 16));
  assert.throws(() => log.truncateAfter(14), /inside the snapshot/);
  assert.equal(log.append(entry(21)), 21);
  await done;
  log.append(entry(22));
  await log.sync();
  assert.ok(fs.statSync(path).size < before);
  assert.deepEqual(texts(log.entries(16, 22)), expected(16, 22));
  // Everything, with entries appended but not yet written.
  log.append(entry(23));
  await log.compact(23, Buffer.from("snap23"));
  assert.equal(log.lastIndex, 23);
  log.append(entry(24));
  await log.close();
  const again = reopen(path);
  assert.deepEqual(again.snapshot, { index: 23, data: Buffer.from("snap23") });
  assert.deepEqual(texts(again.entries), expected(24, 24));
  assert.equal(again.log.firstIndex, 24);
  // The cut may end exactly at the snapshot.
  await again.log.truncateAfter(23);
  assert.equal(again.log.lastIndex, 23);
  await again.log.close();
  assert.equal(reopen(path).entries.length, 0);
  assert.equal(fs.existsSync(`${path}.tmp`), false);
});

test("a compaction interrupted at any step leaves the old log or the new one, whole", async () => {
  const path = await written(10);
  const old = fs.readFileSync(path);
  // The new file as the compaction writes it: header, snapshot frame, entries after the snapshot.
  const probe = join(tempDir("tsnats-log-"), "probe.log");
  fs.copyFileSync(path, probe);
  const p = reopen(probe);
  await p.log.compact(8, Buffer.from("snap8"));
  await p.log.close();
  const compacted = fs.readFileSync(probe);
  const tmp = `${path}.tmp`;

  // Crashed while writing the temp file (any length of it) or before the rename: the old log.
  for (const len of [0, 5, HEADER.length, HEADER.length + 3, compacted.length - 1, compacted.length]) {
    fs.writeFileSync(path, old);
    fs.writeFileSync(tmp, compacted.subarray(0, len));
    const r = reopen(path);
    assert.equal(r.snapshot, undefined, `temp file of ${len} bytes`);
    assert.deepEqual(texts(r.entries), expected(1, 10));
    assert.equal(fs.existsSync(tmp), false, "the leftover temp file is removed");
    await r.log.close();
  }
  // Renamed (whether or not the directory was synced, the name now points to a whole file): the new log.
  fs.writeFileSync(path, compacted);
  const r = reopen(path);
  assert.deepEqual(r.snapshot, { index: 8, data: Buffer.from("snap8") });
  assert.deepEqual(texts(r.entries), expected(9, 10));
  await r.log.close();
});

/** Counts fdatasync calls made through node:fs while `fn` runs. */
async function countingSyncs<T>(fn: () => Promise<T>): Promise<{ result: T; syncs: number }> {
  const real = fs.fdatasync;
  let syncs = 0;
  (fs as { fdatasync: unknown }).fdatasync = (fd: number, cb: (e: Error | null) => void) => {
    syncs++;
    real(fd, cb);
  };
  try {
    return { result: await fn(), syncs };
  } finally {
    (fs as { fdatasync: unknown }).fdatasync = real;
  }
}

test("group commit: every sync() of one turn shares one fdatasync; one during a sync waits for the next", async () => {
  const path = join(tempDir("tsnats-log-"), "g.log");
  const log = await DurableLog.create(path);
  const { syncs } = await countingSyncs(async () => {
    const waits: Promise<void>[] = [];
    for (let i = 1; i <= 100; i++) {
      log.append(entry(i));
      waits.push(log.sync());
    }
    await Promise.all(waits);
  });
  assert.equal(syncs, 1);
  // Nothing new: sync() resolves at once, without the disk.
  assert.equal((await countingSyncs(() => log.sync())).syncs, 0);

  const second = await countingSyncs(async () => {
    log.append(entry(101));
    const first = log.sync();
    let firstDone = false;
    void first.then(() => (firstDone = true));
    // Let the first batch start its fdatasync, then append behind it.
    await new Promise((r) => setImmediate(r));
    log.append(entry(102));
    const next = log.sync();
    await next;
    assert.ok(firstDone, "batches resolve in order");
  });
  assert.equal(second.syncs, 2);
  await log.close();
  assert.deepEqual(texts(reopen(path).entries), expected(1, 102));
});

test("lazy mode: sync() does not wait for the disk; the interval timer syncs what was written", async () => {
  const path = join(tempDir("tsnats-log-"), "l.log");
  const log = await DurableLog.create(path, { syncIntervalMs: 30 });
  const { syncs } = await countingSyncs(async () => {
    for (let i = 1; i <= 10; i++) log.append(entry(i));
    await log.sync();
    // Written to the file (page cache) already.
    assert.equal(fs.statSync(path).size > HEADER.length, true);
  });
  assert.equal(syncs, 0);
  const later = await countingSyncs(() => new Promise((r) => setTimeout(r, 120)));
  assert.equal(later.syncs, 1, "one timed fdatasync for what was written, none while idle");
  await log.close();
  assert.deepEqual(texts(reopen(path).entries), expected(1, 10));
});

test("a failed fdatasync rejects its waiters and every later one, and is reported once", async () => {
  const path = join(tempDir("tsnats-log-"), "f.log");
  const errors: unknown[] = [];
  const log = await DurableLog.create(path, { onError: (e) => errors.push(e) });
  const real = fs.fdatasync;
  (fs as { fdatasync: unknown }).fdatasync = (_fd: number, cb: (e: Error | null) => void) => cb(Object.assign(new Error("EIO"), { code: "EIO" }));
  try {
    log.append(entry(1));
    await assert.rejects(log.sync(), /EIO/);
  } finally {
    (fs as { fdatasync: unknown }).fdatasync = real;
  }
  assert.ok(log.failed instanceof Error);
  await assert.rejects(log.sync(), /EIO/);
  assert.equal(errors.length, 1);
  await log.close();
});

test("random operations agree with an array model across reopenings", async () => {
  const rnd = prng(10).next;
  const path = join(tempDir("tsnats-log-"), "m.log");
  let log = await DurableLog.create(path);
  let model: { snap: number; snapData: string; entries: string[] } = { snap: 0, snapData: "", entries: [] };
  let n = 0;
  for (let step = 0; step < 400; step++) {
    const r = rnd();
    if (r < 0.6) {
      const data = `e${n++}`;
      log.append(Buffer.from(data));
      model.entries.push(data);
    } else if (r < 0.7 && model.entries.length > 0) {
      const keep = Math.floor(rnd() * (model.entries.length + 1));
      void log.truncateAfter(model.snap + keep);
      model.entries.length = keep;
    } else if (r < 0.78) {
      const upto = Math.floor(rnd() * (model.entries.length + 1));
      const data = `s${step}`;
      void log.compact(model.snap + upto, Buffer.from(data));
      model = { snap: model.snap + upto, snapData: data, entries: model.entries.slice(upto) };
    } else if (r < 0.9) {
      await log.sync();
    } else {
      await log.close();
      const o = reopen(path);
      log = o.log;
      assert.equal(o.snapshot?.index ?? 0, model.snap);
      if (model.snap > 0 && o.snapshot !== undefined) assert.equal(o.snapshot.data.toString(), model.snapData);
      assert.deepEqual(texts(o.entries), model.entries, `step ${step}`);
    }
    assert.equal(log.lastIndex, model.snap + model.entries.length);
    if (model.entries.length > 0) assert.deepEqual(texts(log.entries(model.snap + 1, log.lastIndex)), model.entries);
  }
  await log.close();
});
