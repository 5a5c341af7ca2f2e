/** File store behaviour beyond the shared contract: persistence, blocks, upkeep, erase, sync modes. */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import fs, { openSync, readSync, readdirSync, readFileSync, rmSync, statSync, writeSync, closeSync } from "node:fs";
import { basename, join } from "node:path";
import { BlockCache, MemoryStore, isStoreError, openFileStore, restoreStore, type FileStore, type FileStoreOptions, type StreamStore } from "../../src/store/index.js";
import { buf, reportSink, sleep, tempDir, waitFor } from "./helpers.js";

const root = tempDir();
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

async function open(opts: Partial<FileStoreOptions> = {}, dir = join(root, `s${++n}`)): Promise<FileStore> {
  return openFileStore({ report: () => undefined, ...opts, dir });
}

async function reopen(s: FileStore, opts: Partial<FileStoreOptions> = {}): Promise<FileStore> {
  await s.stop();
  return open(opts, s.dir);
}

function contents(s: StreamStore): string[] {
  const out: string[] = [];
  for (let m = s.loadNextMsg(">", 1); m; m = s.loadNextMsg(">", m.seq + 1)) out.push(`${m.seq}:${m.subject}:${m.data.toString()}`);
  return out;
}

function copyDir(dir: string): string {
  const to = join(root, `copy${++n}`);
  fs.cpSync(dir, to, { recursive: true });
  return to;
}

function dirBytes(dir: string): Buffer {
  return Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir, f))));
}

describe("file store persistence", () => {
  it("brings back messages, headers, TTLs, deletes and sequences after a restart", async () => {
    let s = await open();
    const hdr = buf("NATS/1.0\r\nX: 1\r\n\r\n");
    s.storeMsg("a", hdr, buf("one"), { ttl: 3600e9 });
    s.storeMsg("b", undefined, buf("two"));
    s.storeMsg("a", undefined, buf("three"));
    s.storeMsg("c", undefined, buf("four"));
    s.removeMsg(2);
    s.skipTo(6);
    await s.sync();
    const before = s.state();
    s = await reopen(s);
    assert.deepEqual(s.state(), before);
    assert.deepEqual(contents(s), ["1:a:one", "3:a:three", "4:c:four"]);
    assert.deepEqual(s.loadMsg(1)!.hdr, hdr);
    assert.equal(s.loadMsg(1)!.ttl, 3600e9);
    assert.deepEqual(s.deletedSeqs(), [2, 5, 6]);
    assert.equal(s.storeMsg("a", undefined, buf("five")).seq, 7);
    await s.stop();
  });

  it("keeps the sequence after a purge of everything, and a purge to a future sequence", async () => {
    let s = await open({ blockSize: 512 });
    for (let i = 0; i < 40; i++) s.storeMsg("a", undefined, Buffer.alloc(20, i));
    s.purge();
    await s.settle();
    assert.equal(s.blockFiles().length, 1, "every block but the active one is gone");
    s = await reopen(s, { blockSize: 512 });
    assert.deepEqual([s.state().firstSeq, s.state().lastSeq, s.state().msgs], [41, 40, 0]);
    s.purge({ seq: 1000 });
    s = await reopen(s, { blockSize: 512 });
    assert.deepEqual([s.state().firstSeq, s.state().lastSeq], [1000, 999]);
    assert.equal(s.storeMsg("a", undefined, buf("x")).seq, 1000);
    await s.stop();
  });

  it("keeps first_seq of a new store", async () => {
    let s = await open({ firstSeq: 50 });
    s = await reopen(s);
    assert.deepEqual([s.state().firstSeq, s.state().lastSeq], [50, 49]);
    assert.equal(s.storeMsg("a", undefined, buf("x")).seq, 50);
    await s.stop();
  });

  it("applies limits that changed while stopped", async () => {
    let s = await open();
    for (let i = 0; i < 10; i++) s.storeMsg("a", undefined, buf(String(i)));
    s = await reopen(s, { limits: { maxMsgs: 3 } });
    assert.deepEqual(contents(s), ["8:a:7", "9:a:8", "10:a:9"]);
    s = await reopen(s);
    assert.equal(s.state().msgs, 3, "the removals were persisted");
    await s.stop();
  });

  it("expires TTLs and max_age of messages found at open", async () => {
    let s = await open();
    // 1 s: long enough to outlast a reopen on a loaded machine, so it is found live and expires by timer.
    s.storeMsg("a", undefined, buf("ttl"), { ttl: 1e9 });
    s.storeMsg("a", undefined, buf("old"), { time: Date.now() * 1e6 - 10e9 });
    s.storeMsg("a", undefined, buf("keep"));
    s = await reopen(s, { limits: { maxAge: 5e9 } });
    assert.deepEqual(contents(s).map((c) => c.split(":")[2]), ["ttl", "keep"]);
    assert.ok(await waitFor(() => s.state().msgs === 1));
    assert.deepEqual(contents(s), ["3:a:keep"]);
    await s.stop();
  });

  it("restores a snapshot across storage types", async () => {
    const mem = new MemoryStore();
    for (let i = 0; i < 50; i++) mem.storeMsg(`k.${i % 7}`, undefined, Buffer.alloc(i * 10, i));
    mem.removeMsg(10);
    const file = await open({ blockSize: 1024 });
    await restoreStore(file, mem.snapshot(700));
    assert.deepEqual(contents(file), contents(mem));
    const again = new MemoryStore();
    await restoreStore(again, file.snapshot());
    assert.deepEqual(contents(again), contents(mem));
    assert.deepEqual(again.state(), { ...mem.state(), lastTime: again.state().lastTime });
    await file.stop();
  });
});

describe("file store blocks and upkeep", () => {
  it("rolls over blocks and reads across them, cached or not", async () => {
    let s = await open({ blockSize: 1024, cache: new BlockCache(0) });
    for (let i = 0; i < 200; i++) s.storeMsg(`s.${i % 3}`, undefined, Buffer.alloc(50, i % 251));
    await s.settle();
    assert.ok(s.blockFiles().length > 10);
    for (let seq = 1; seq <= 200; seq++) assert.deepEqual(s.loadMsg(seq)!.data, Buffer.alloc(50, (seq - 1) % 251));
    s = await reopen(s, { blockSize: 1024, cache: new BlockCache(0) });
    for (let seq = 200; seq >= 1; seq -= 7) assert.deepEqual(s.loadMsg(seq)!.data, Buffer.alloc(50, (seq - 1) % 251));
    await s.stop();
  });

  it("keeps no index of a sealed block that only the writer used, and loads one when a read walks the block", async () => {
    const cache = new BlockCache(1 << 20);
    const s = await open({ blockSize: 1024, cache });
    for (let i = 0; i < 400; i++) s.storeMsg(`s.${i % 3}`, undefined, Buffer.alloc(50, i % 251));
    await s.settle();
    assert.ok(s.blockFiles().length > 20);
    // At most the newest sealed block's bytes, kept for readers just behind the writer: no index.
    const held = cache.heldBytes();
    assert.ok(held <= 1024, `held ${held}`);
    for (let seq = 1; seq <= 3; seq++) assert.deepEqual(s.loadMsg(seq)!.data, Buffer.alloc(50, (seq - 1) % 251));
    assert.ok(cache.heldBytes() > held, "the walked block's index is cached");
    await s.stop();
  });

  it("never closes a block's file while its fdatasync runs, however hard reads press the cache", async () => {
    const reports = reportSink();
    let s = await open({ blockSize: 512, cache: new BlockCache(0), report: reports.report });
    const acked: Promise<void>[] = [];
    for (let round = 0; round < 150; round++) {
      // Appends roll blocks over; the sync of this batch starts at the end of the turn, and the reads of
      // older blocks right after load indexes, which under a zero budget evicts every block it may.
      for (let i = 0; i < 8; i++) s.storeMsg(`r.${i}`, undefined, Buffer.alloc(60, round));
      acked.push(s.sync());
      await new Promise<void>((r) => setImmediate(r));
      const last = s.state().lastSeq;
      for (let seq = 1; seq <= last; seq += 9) s.loadMsg(seq);
    }
    await Promise.all(acked);
    assert.deepEqual(reports.reports, []);
    const total = s.state().msgs;
    s = await reopen(s, { blockSize: 512, cache: new BlockCache(0) });
    assert.equal(s.state().msgs, total);
    await s.stop();
  });

  it("deletes blocks once nothing in them is live (discard old)", async () => {
    const s = await open({ blockSize: 1024, limits: { maxMsgs: 20 } });
    for (let i = 0; i < 500; i++) s.storeMsg("a", undefined, Buffer.alloc(40));
    await s.settle();
    assert.ok(s.blockFiles().length <= 3, `${s.blockFiles().length} blocks left`);
    // Nothing of the deleted blocks is left behind: only live blocks, their index files and the state.
    const live = new Set(s.blockFiles().map((f) => basename(f, ".blk")));
    for (const f of readdirSync(s.dir)) assert.ok(f === "state.dat" || live.has(f.replace(/\.(blk|idx)$/, "")), `${f} left behind`);
    await s.stop();
  });

  it("gives blocks back while appends keep arriving", async () => {
    const s = await open({ blockSize: 16 * 1024, limits: { maxMsgs: 20 } });
    // Appends every millisecond, whatever the disk does (like many publishers).
    const timer = setInterval(() => {
      for (let i = 0; i < 20; i++) s.storeMsg("a", undefined, Buffer.alloc(100));
    }, 1);
    const made = (): number => Number(s.blockFiles().at(-1)!.split("/").at(-1)!.slice(0, 10));
    // Watched while the appends go on: state saves (which deleting a block waits for) are spaced by
    // their cost, so on a loaded machine the first blocks go later than on a quiet one, but they go.
    const givenBack = await waitFor(() => made() > 20 && s.blockFiles().length < made() / 2, 10_000);
    clearInterval(timer);
    assert.ok(givenBack, `${s.blockFiles().length} of ${made()} blocks still there under load`);
    await s.stop();
  });

  it("compacts blocks whose messages are mostly removed (KV updates) and stays correct", async () => {
    let s = await open({ blockSize: 2048, limits: { maxMsgsPerSubject: 1 } });
    for (let i = 0; i < 1000; i++) s.storeMsg(`kv.${i % 5}`, undefined, buf(`value-${i}`));
    await s.settle();
    const total = s.blockFiles().reduce((n, f) => n + statSync(f).size, 0);
    assert.ok(total < 3 * 2048, `store holds ${total} bytes for 5 live keys`);
    const want = contents(s);
    assert.deepEqual(want, ["996:kv.0:value-995", "997:kv.1:value-996", "998:kv.2:value-997", "999:kv.3:value-998", "1000:kv.4:value-999"]);
    s = await reopen(s, { blockSize: 2048, limits: { maxMsgsPerSubject: 1 } });
    assert.deepEqual(contents(s), want);
    assert.equal(s.state().lastSeq, 1000);
    await s.stop();
  });

  it("keeps tombstones while the deleted record is still on disk", async () => {
    let s = await open({ blockSize: 1024 });
    for (let i = 0; i < 30; i++) s.storeMsg("a", undefined, Buffer.alloc(40, i));
    for (let seq = 2; seq <= 30; seq += 2) s.removeMsg(seq);
    for (let i = 0; i < 60; i++) s.storeMsg("b", undefined, Buffer.alloc(40));
    s.purge({ filter: "b" });
    await s.settle();
    const want = contents(s);
    s = await reopen(s, { blockSize: 1024 });
    assert.deepEqual(contents(s), want);
    assert.equal(s.state().msgs, 15);
    await s.stop();
  });
});

describe("file store secure delete", () => {
  it("overwrites the payload on disk, in an old block and in the unwritten buffer", async () => {
    const s = await open({ blockSize: 512, cache: new BlockCache(0) });
    s.storeMsg("a", undefined, buf("SECRET-OLD-PAYLOAD"));
    for (let i = 0; i < 20; i++) s.storeMsg("a", undefined, Buffer.alloc(40));
    await s.flush();
    s.storeMsg("a", undefined, buf("SECRET-NEW-PAYLOAD"));
    s.removeMsg(1, { erase: true });
    s.removeMsg(22, { erase: true });
    await s.flush();
    const disk = dirBytes(s.dir);
    assert.equal(disk.indexOf("SECRET-OLD-PAYLOAD"), -1);
    assert.equal(disk.indexOf("SECRET-NEW-PAYLOAD"), -1);
    const reports = reportSink();
    const again = await open({ blockSize: 512, report: reports.report }, s.dir + "");
    assert.deepEqual(reports.reports, [], "an erased record is not damage");
    assert.equal(again.loadMsg(1), undefined);
    assert.equal(again.loadMsg(22), undefined);
    assert.equal(again.state().msgs, 20);
    await again.stop();
    await s.stop().catch(() => undefined);
  });

  it("overwrites a record that the saved state counts as live right after the next save", async () => {
    const s = await open({ blockSize: 512, cache: new BlockCache(0) });
    s.storeMsg("a", undefined, buf("SECRET-IN-STATE"));
    for (let i = 0; i < 20; i++) s.storeMsg("a", undefined, Buffer.alloc(40));
    await s.stop(); // saves a state in which message 1 is live
    const again = await open({ blockSize: 512, cache: new BlockCache(0) }, s.dir + "");
    again.removeMsg(1, { erase: true });
    await again.settle();
    assert.equal(dirBytes(again.dir).indexOf("SECRET-IN-STATE"), -1);
    // A crash now (the directory as it is) and a clean restart both serve the same 20 messages.
    const reports = reportSink();
    const crashed = await open({ blockSize: 512, report: reports.report }, copyDir(again.dir));
    assert.deepEqual(reports.reports, []);
    assert.equal(crashed.loadMsg(1), undefined);
    assert.equal(crashed.state().msgs, 20);
    await Promise.all([crashed.stop(), again.stop()]);
  });

  it("without erase the bytes stay until compaction (no_erase)", async () => {
    const s = await open();
    s.storeMsg("a", undefined, buf("PLAIN-DELETE"));
    s.storeMsg("a", undefined, buf("x"));
    s.removeMsg(1);
    await s.flush();
    assert.notEqual(dirBytes(s.dir).indexOf("PLAIN-DELETE"), -1);
    await s.stop();
  });
});

describe("file store durability modes", () => {
  it("sync() waits for the disk by default", async () => {
    const s = await open();
    s.storeMsg("a", undefined, buf("x"));
    let done = false;
    const p = s.sync().then(() => (done = true));
    await Promise.resolve();
    assert.equal(done, false, "not before write and fdatasync");
    await p;
    assert.equal(done, true);
    let empty = false;
    await s.sync().then(() => (empty = true));
    assert.equal(empty, true);
    await s.stop();
  });

  it("groups the appends of one loop turn into one batch: one fdatasync", async () => {
    const s = await open();
    await s.flush();
    let syncs = 0;
    const real = fs.fdatasync;
    fs.fdatasync = ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
      syncs++;
      real(fd, cb);
    }) as typeof fs.fdatasync;
    after(() => {
      fs.fdatasync = real;
    });
    const acks: number[] = [];
    const all: Promise<void>[] = [];
    for (let i = 0; i < 500; i++) {
      const { seq } = s.storeMsg("a", undefined, buf(String(i)));
      all.push(s.sync().then(() => void acks.push(seq)));
    }
    await Promise.all(all);
    assert.deepEqual(acks, Array.from({ length: 500 }, (_, i) => i + 1), "acks in order");
    fs.fdatasync = real;
    assert.equal(syncs, 1);
    await s.stop();
  });

  it("with sync_interval, acknowledges at once and syncs on the timer", async () => {
    let s = await open({ syncIntervalMs: 20 });
    s.storeMsg("a", undefined, buf("lazy"));
    let done = false;
    void s.sync().then(() => (done = true));
    await Promise.resolve();
    assert.equal(done, true);
    await sleep(60);
    const fd = openSync(s.blockFiles()[0]!, "r");
    const b = Buffer.alloc(4096);
    const got = readSync(fd, b, 0, 4096, 0);
    closeSync(fd);
    assert.notEqual(b.subarray(0, got).indexOf("lazy"), -1, "written to the file");
    assert.ok(got < 4096, `${got} bytes: no zeros written ahead, they only speed up per-batch fdatasyncs`);
    s = await reopen(s, { syncIntervalMs: 20 });
    assert.equal(s.loadMsg(1)!.data.toString(), "lazy");
    await s.stop();
  });

  it("refuses writes after a failed write and reports it", async () => {
    const reports = reportSink();
    const s = await open({ report: reports.report });
    s.storeMsg("a", undefined, buf("x"));
    await s.sync();
    // Make the next write fail: the active block's descriptor is closed behind the store's back.
    const fd = (s as unknown as { active: { fd: number } }).active.fd;
    closeSync(fd);
    s.storeMsg("a", undefined, buf("y"));
    await assert.rejects(s.sync());
    assert.throws(() => s.storeMsg("a", undefined, buf("z")), (e: unknown) => isStoreError(e, "io"));
    assert.equal(reports.reports.at(-1)?.kind, "io-error");
    (s as unknown as { active: { fd: number } }).active.fd = openSync("/dev/null", "r");
    await s.stop();
  });
});

describe("file store damage found on read", () => {
  it("never serves a record whose checksum fails; reports it", async () => {
    const reports = reportSink();
    const s = await open({ blockSize: 512, cache: new BlockCache(0), report: reports.report });
    for (let i = 0; i < 40; i++) s.storeMsg("a", undefined, buf(`payload-${String(i).padStart(3, "0")}`));
    await s.settle();
    const first = s.blockFiles()[0]!;
    const content = readFileSync(first);
    const at = content.indexOf("payload-002");
    assert.ok(at > 0);
    const fd = openSync(first, "r+");
    writeSync(fd, Buffer.from("X"), 0, 1, at + 3);
    closeSync(fd);
    assert.throws(() => s.loadMsg(3), (e: unknown) => isStoreError(e, "corrupt"));
    assert.equal(reports.reports[0]?.kind, "corrupt-read");
    assert.equal(s.loadMsg(2)!.data.toString(), "payload-001");
    assert.equal(s.loadMsg(4)!.data.toString(), "payload-003");
    await s.stop();
  });
});
