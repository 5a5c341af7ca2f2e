/**
 * The readers of nats-server's files, fed bytes directly: HighwayHash-64 against the reference vectors
 * and checksums nats-server 2.9.10 wrote; meta.inf/meta.sum; block indexes, records and consumer state,
 * good and damaged (the error names the file and the offset); S2 streams and tar archives.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HighwayHash64, highwayHash64, natsHashKey } from "../../../src/store/migrate/highwayhash.js";
import { memoryFiles } from "../../../src/store/migrate/files.js";
import { readMeta } from "../../../src/store/migrate/meta-file.js";
import { parseBlockIndex } from "../../../src/store/migrate/block-index.js";
import { blockRecords } from "../../../src/store/migrate/block-records.js";
import { parseConsumerState } from "../../../src/store/migrate/consumer-state.js";
import { decodeS2Block, isS2Stream, s2Decompress } from "../../../src/store/migrate/s2-stream.js";
import { readTar } from "../../../src/store/migrate/tar-reader.js";
import { NatsStoreError } from "../../../src/store/migrate/errors.js";
import { chunk, masked, record, STREAM_ID, uvarint, varint } from "./fixtures.js";

/** A meta.inf and its meta.sum as nats-server 2.9.10 wrote them. */
const EMPTY_META_INF =
  '{"Created":"2026-12-07T18:34:40.830741843Z","name":"EMPTY","subjects":["empty"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":-1,"max_msg_size":-1,"discard":"old","storage":"file","num_replicas":1,"duplicate_window":120000000000,"allow_direct":false,"mirror_direct":false,"sealed":false,"deny_delete":false,"deny_purge":false,"allow_rollup_hdrs":false}';
const EMPTY_META_SUM = "826a8c25af88f6d7";
/** The first record of block 1 of stream KV_cfg, as nats-server 2.9.10 wrote it: seq 1, `$KV.cfg.a`, "1". */
const KV_RECORD = Buffer.from("280000000100000000000000c895d9d3760cef180900244b562e6366672e61317524c807fe2acfd0", "hex");

describe("HighwayHash-64", () => {
  test("matches the reference vectors (key 0..31, data 0..n-1)", () => {
    const key = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
    const want: Record<number, string> = { 0: "907a56de22c26e53", 1: "7eab43aac7cddd78", 2: "b8d0569ab0b53d62" };
    for (const [n, hex] of Object.entries(want)) {
      const data = Buffer.from(Array.from({ length: Number(n) }, (_, i) => i));
      assert.equal(highwayHash64(key, data).readBigUInt64LE().toString(16).padStart(16, "0"), hex);
    }
  });

  test("matches the checksums nats-server wrote (meta.sum, a message record)", () => {
    assert.equal(highwayHash64(natsHashKey("EMPTY"), Buffer.from(EMPTY_META_INF)).toString("hex"), EMPTY_META_SUM);
    const recs = [...blockRecords(KV_RECORD, "1.blk", "KV_cfg", 1, () => true)];
    assert.equal(recs.length, 1);
    assert.deepEqual([recs[0]!.seq, recs[0]!.subject, recs[0]!.data.toString(), recs[0]!.live], [1, "$KV.cfg.a", "1", true]);
  });

  test("incremental writes give the one-shot digest at every split", () => {
    const key = natsHashKey("split");
    const data = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 37) & 255));
    for (let n = 0; n <= 100; n += 7) {
      const whole = highwayHash64(key, data.subarray(0, n));
      for (let a = 0; a <= n; a += 3) {
        const h = new HighwayHash64(key).write(data.subarray(0, a)).write(data.subarray(a, n));
        assert.ok(h.sum().equals(whole), `n=${n} split=${a}`);
      }
    }
  });
});

describe("meta.inf and meta.sum", () => {
  test("a verified meta.inf gives the config and the creation time", async () => {
    const files = memoryFiles(new Map([["meta.inf", Buffer.from(EMPTY_META_INF)], ["meta.sum", Buffer.from(EMPTY_META_SUM)]]), "t");
    const m = await readMeta(files, "", (j) => String(j.name));
    assert.equal(m.config.name, "EMPTY");
    assert.equal(m.config.Created, undefined);
    assert.equal(m.created, Number(BigInt(Date.parse("2026-12-07T18:34:40Z")) * 1000000n + 830741843n));
  });

  test("a changed byte, a missing sum and an encryption key are refused by file name", async () => {
    const changed = EMPTY_META_INF.replace('"max_age":0', '"max_age":1');
    const bad = memoryFiles(new Map([["meta.inf", Buffer.from(changed)], ["meta.sum", Buffer.from(EMPTY_META_SUM)]]), "t");
    await assert.rejects(readMeta(bad, "", (j) => String(j.name)), /^NatsStoreError: t:meta\.inf: checksum [0-9a-f]{16} does not match meta\.sum/);
    const nosum = memoryFiles(new Map([["meta.inf", Buffer.from(EMPTY_META_INF)]]), "t");
    await assert.rejects(readMeta(nosum, "", (j) => String(j.name)), /t:meta\.sum: missing/);
    const enc = memoryFiles(new Map([["meta.inf", Buffer.from(EMPTY_META_INF)], ["meta.key", Buffer.from("k")]]), "t");
    await assert.rejects(readMeta(enc, "", (j) => String(j.name)), /t:meta\.key: the store is encrypted/);
  });
});

describe("block index and records", () => {
  const idx = (msgs: number, first: number, last: number, dels: number[], lchk = Buffer.alloc(8)): Buffer =>
    Buffer.from([22, 1, ...uvarint(msgs), ...uvarint(msgs * 40), ...uvarint(first), ...varint(1), ...uvarint(last), ...varint(2), ...uvarint(dels.length), ...lchk, ...dels.flatMap((d) => uvarint(d - first))]);

  test("an index gives the range and the deleted sequences; an inconsistent one is refused", () => {
    const bi = parseBlockIndex(idx(3, 10, 14, [11, 13]), "1.idx");
    assert.deepEqual([bi.msgs, bi.firstSeq, bi.lastSeq, [...bi.deleted].sort()], [3, 10, 14, [11, 13]]);
    const empty = parseBlockIndex(idx(0, 26, 25, []), "1.idx");
    assert.deepEqual([empty.msgs, empty.firstSeq, empty.lastSeq], [0, 26, 25]);
    assert.throws(() => parseBlockIndex(idx(4, 10, 14, [11, 13]), "1.idx"), /1\.idx:2: inconsistent index: 4 messages in 10\.\.14 with 2 deleted/);
    assert.throws(() => parseBlockIndex(idx(3, 10, 14, [11, 13]).subarray(0, 12), "1.idx"), /1\.idx:\d+: truncated/);
    assert.throws(() => parseBlockIndex(Buffer.from([23, 1]), "1.idx"), /1\.idx:0: not a nats-server block index/);
  });

  test("records are read with headers; deleted ones are not checksummed; damage is reported at its offset", () => {
    const r1 = record("S", 1, 1, "a", "one");
    const r2 = record("S", 1, 2, "b", "two", "NATS/1.0\r\nX: y\r\n\r\n");
    const r3 = record("S", 1, 3, "c", "three");
    const blk = Buffer.concat([r1, r2, r3]);
    const all = [...blockRecords(blk, "1.blk", "S", 1, (s) => s !== 2)];
    assert.deepEqual(all.map((r) => [r.seq, r.subject, r.data.toString(), r.hdr?.toString(), r.live, r.offset]), [
      [1, "a", "one", undefined, true, 0],
      [2, "b", "two", "NATS/1.0\r\nX: y\r\n\r\n", false, r1.length],
      [3, "c", "three", undefined, true, r1.length + r2.length],
    ]);
    // The same bytes under another block's key: the checksum fails at the first record.
    assert.throws(() => [...blockRecords(blk, "2.blk", "S", 2, () => true)], /2\.blk:0: checksum mismatch in the record of sequence 1/);
    const flipped = Buffer.from(blk);
    flipped[r1.length + r2.length + 25] ^= 1;
    assert.throws(() => [...blockRecords(flipped, "1.blk", "S", 1, () => true)], new RegExp(`1\\.blk:${r1.length + r2.length}: checksum mismatch in the record of sequence 3`));
    // A deleted record's damage does not matter: nats-server does not read it either.
    const flipDeleted = Buffer.from(blk);
    flipDeleted[r1.length + 40] ^= 1;
    assert.equal([...blockRecords(flipDeleted, "1.blk", "S", 1, (s) => s !== 2)].length, 3);
    assert.throws(() => [...blockRecords(blk.subarray(0, blk.length - 3), "1.blk", "S", 1, () => true)], new RegExp(`1\\.blk:${r1.length + r2.length}: record of \\d+ bytes runs past the end`));
  });
});

describe("consumer state (o.dat)", () => {
  test("version 2: floors, delivered, pending with consumer sequences and times, redelivery counts", () => {
    const base = 1_800_000_000;
    const buf = Buffer.from([22, 2, ...uvarint(10), ...uvarint(13), ...uvarint(31), ...uvarint(36), ...uvarint(2), ...varint(base), ...uvarint(1), ...uvarint(1), ...varint(5), ...uvarint(3), ...uvarint(21), ...varint(0), ...uvarint(1), ...uvarint(3), ...uvarint(1)]);
    const s = parseConsumerState(buf, "o.dat");
    assert.deepEqual(s.ackFloor, { consumer: 10, stream: 13 });
    assert.deepEqual(s.delivered, { consumer: 31, stream: 36 });
    assert.deepEqual(s.pending, [
      { sseq: 14, cseq: 11, time: (base - 5) * 1e9 },
      { sseq: 16, cseq: 31, time: base * 1e9 },
    ]);
    assert.deepEqual([...s.redelivered], [[16, 1]]);
  });

  test("damage is refused with the offset", () => {
    assert.throws(() => parseConsumerState(Buffer.from([22, 2, 5, 5, 1, 1, 0, 0]), "o.dat"), /o\.dat:2: ack floor 5\/5 is past delivered 1\/1/);
    assert.throws(() => parseConsumerState(Buffer.from([22, 2, 0, 0, 3, 3, 1]), "o.dat"), /o\.dat:7: truncated pending base time/);
    assert.throws(() => parseConsumerState(Buffer.from([22, 2, 0, 0, 3, 3, 1, 0, 9, 0, 0, 0]), "o.dat"), /o\.dat:8: pending sequence 9 outside \(0, 3\]/);
    assert.throws(() => parseConsumerState(Buffer.from([22, 7]), "o.dat"), /o\.dat:1: unsupported consumer state version 7/);
    assert.ok(new NatsStoreError("f", 3, "x").message === "f:3: x");
  });
});

describe("S2 streams", () => {
  test("literals, copies with 1-, 2- and 4-byte offsets, overlapping copies and S2 repeats", () => {
    // "abcd" literal; copy1 offset 4 len 4; copy2 offset 2 len 6 (overlapping); repeat (offset 2) len 4;
    // repeat with a 1-byte length (5 + 4 + 4 = 13 bytes); copy4 offset 1 len 2.
    const blk = Buffer.from([
      ...uvarint(4 + 4 + 6 + 4 + 13 + 2),
      (3 << 2) | 0, 0x61, 0x62, 0x63, 0x64,
      (0 << 2) | 1, 4,
      (5 << 2) | 2, 2, 0,
      (0 << 2) | 1, 0,
      (5 << 2) | 1, 0, 5,
      (1 << 2) | 3, 1, 0, 0, 0,
    ]);
    const want = "abcdabcd" + "cdcdcd" + "cdcd" + "cdcdcdcdcdcdc" + "cc";
    assert.equal(decodeS2Block(blk, 0).toString(), want);
    assert.throws(() => decodeS2Block(Buffer.from([8, (0 << 2) | 1, 9]), 7), /s2 stream at 7: copy offset 9 outside the 0 bytes decoded/);
  });

  test("framed: checksums verified, uncompressed and padding chunks, chunks split anywhere", async () => {
    const data = Buffer.from("hello, s2 world");
    const comp = Buffer.from([...uvarint(data.length), ((data.length - 1) << 2) | 0, ...data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32LE(masked(data));
    const stream = Buffer.concat([STREAM_ID, chunk(0x00, Buffer.concat([crc, comp])), chunk(0xfe, Buffer.alloc(3)), chunk(0x01, Buffer.concat([crc, data]))]);
    assert.ok(isS2Stream(stream));
    for (const cut of [1, 5, 13, stream.length - 1]) {
      const out: Buffer[] = [];
      for await (const b of s2Decompress([stream.subarray(0, cut), stream.subarray(cut)])) out.push(b);
      assert.equal(Buffer.concat(out).toString(), data.toString() + data.toString());
    }
    const bad = Buffer.from(stream);
    bad[STREAM_ID.length + 4] ^= 1;
    await assert.rejects(async () => {
      for await (const _ of s2Decompress([bad])) void _;
    }, /s2 stream at 10: chunk checksum mismatch/);
    await assert.rejects(async () => {
      for await (const _ of s2Decompress([Buffer.concat([STREAM_ID, chunk(0x05, Buffer.alloc(1))])])) void _;
    }, /reserved chunk type 0x5/);
    await assert.rejects(async () => {
      for await (const _ of s2Decompress([stream.subarray(0, stream.length - 2)])) void _;
    }, /stream is truncated/);
  });
});

describe("tar archives", () => {
  test("regular files by path, long names through PAX headers; a damaged header is refused", { skip: spawnSync("tar", ["--version"]).status === 0 ? false : "no tar" }, () => {
    const dir = mkdtempSync(join(tmpdir(), "tsnats-tar-"));
    const long = `obs/${"c".repeat(120)}`;
    mkdirSync(join(dir, "src", long), { recursive: true });
    mkdirSync(join(dir, "src", "msgs"));
    writeFileSync(join(dir, "src", "meta.inf"), "{}");
    writeFileSync(join(dir, "src", "msgs", "1.blk"), Buffer.alloc(1500, 7));
    writeFileSync(join(dir, "src", long, "o.dat"), "state");
    const r = spawnSync("tar", ["--format=pax", "-cf", join(dir, "a.tar"), "-C", join(dir, "src"), "."]);
    assert.equal(r.status, 0, r.stderr.toString());
    const tar = readFileSync(join(dir, "a.tar"));
    const files = readTar(tar);
    assert.deepEqual([...files.keys()].sort(), ["meta.inf", `${long}/o.dat`, "msgs/1.blk"].sort());
    assert.equal(files.get("msgs/1.blk")!.length, 1500);
    assert.equal(files.get(`${long}/o.dat`)!.toString(), "state");
    const bad = Buffer.from(tar);
    bad[0] ^= 1;
    assert.throws(() => readTar(bad), /tar archive at 0: header checksum mismatch/);
    assert.throws(() => readTar(tar.subarray(0, 1024)), /tar archive at \d+: /);
  });
});
