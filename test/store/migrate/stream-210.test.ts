/**
 * The nats-server 2.10+ layout, from files this test writes by the documented format (fixtures.ts): the
 * stream state `msgs/index.db` in place of the `.idx` files, its encoded sequence sets of deletes,
 * S2-compressed blocks, erased records and tombstones; and what is refused, by file name.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { memoryFiles } from "../../../src/store/migrate/files.js";
import { openNatsStream } from "../../../src/store/migrate/nats-stream.js";
import { decodeSeqSet } from "../../../src/store/migrate/seq-set.js";
import { parseStreamState } from "../../../src/store/migrate/stream-state.js";
import { HDR, record, seqSet, stream210Files, streamState } from "./fixtures.js";

const NAME = "S210";

const store = (): Map<string, Buffer> => stream210Files(NAME);
async function read(files: Map<string, Buffer>): Promise<{ seq: number; subject: string; data: string; hdr: string | undefined }[]> {
  const ns = await openNatsStream(memoryFiles(files, "t"), NAME);
  const out = [];
  for await (const r of ns.messages()) out.push({ seq: r.seq, subject: r.subject, data: r.data.toString(), hdr: r.hdr?.toString() });
  return out;
}

describe("nats-server 2.10+ stream directories", () => {
  test("index.db, compressed and plain blocks, deletes, erased records and tombstones", async () => {
    const ns = await openNatsStream(memoryFiles(store(), "t"), NAME);
    assert.deepEqual([ns.name, ns.msgs, ns.firstSeq, ns.lastSeq, ns.config.compression], [NAME, 3, 1, 6, "s2"]);
    assert.deepEqual(await read(store()), [
      { seq: 1, subject: "s.a", data: "one", hdr: undefined },
      { seq: 5, subject: "s.d", data: "five", hdr: HDR },
      { seq: 6, subject: "s.e", data: "six", hdr: undefined },
    ]);
  });

  test("state versions 1-4 and both sequence-set encodings are read", () => {
    for (const version of [1, 2, 3, 4]) {
      const st = parseStreamState(streamState(NAME, {
        version, msgs: 2, first: 1, last: 4, subjects: [["a", 1, 1, 1], ["b", 3, 1, 1]],
        blocks: [{ index: 7, first: 1, last: 4, deleted: [2, 3] }], lastBlock: 7, lastChecksum: Buffer.alloc(8, 9),
      }), "index.db", NAME);
      assert.deepEqual([st.msgs, st.firstSeq, st.lastSeq, st.lastBlock, st.blocks[0]!.msgs, [...st.blocks[0]!.deleted]], [2, 1, 4, 7, 2, [2, 3]], `version ${version}`);
    }
    const seqs = [1, 63, 64, 2047, 2048, 4095, 4096, 10_000, 2 ** 40 + 5];
    for (const v of [1, 2] as const) {
      const enc = Buffer.concat([Buffer.from([0xaa]), seqSet(seqs, v), Buffer.from([0xbb])]);
      const got = decodeSeqSet(enc, 1, "index.db");
      assert.deepEqual([[...got.seqs].sort((a, b) => a - b), got.end], [seqs, enc.length - 1], `version ${v}`);
    }
    const lying = seqSet([5, 6]);
    lying.writeUInt32LE(3, 6);
    assert.throws(() => decodeSeqSet(lying, 0, "index.db"), /index\.db:0: sequence set holds 2 sequences, its header says 3/);
  });

  test("a stale, damaged or inconsistent state, a missing or damaged block and an encrypted block are refused by name", async () => {
    const refused = async (change: (f: Map<string, Buffer>) => void, why: RegExp) => {
      const f = store();
      change(f);
      await assert.rejects(read(f), why);
    };
    // A block nats-server started after it wrote index.db, and a last block with a record after it.
    await refused((f) => f.set("msgs/4.blk", record(NAME, 4, 7, "s.f", "seven")), /^NatsStoreError: t:msgs\/index\.db: is older than msgs\/4\.blk \(nats-server did not stop cleanly\)/);
    await refused((f) => f.set("msgs/3.blk", Buffer.concat([f.get("msgs/3.blk")!, record(NAME, 3, 7, "s.f", "seven")])), /t:msgs\/index\.db: does not match msgs\/3\.blk/);
    await refused((f) => {
      const s = Buffer.from(f.get("msgs/index.db")!);
      s[5] ^= 1;
      f.set("msgs/index.db", s);
    }, /t:msgs\/index\.db:\d+: checksum mismatch/);
    await refused((f) => f.set("msgs/index.db", streamState(NAME, { msgs: 5, first: 1, last: 6, blocks: [{ index: 3, first: 1, last: 6, deleted: [2, 3] }], lastBlock: 3, lastChecksum: Buffer.alloc(8) })),
      /t:msgs\/index\.db:2: the blocks hold 4 messages, the stream 5/);
    await refused((f) => f.delete("msgs/1.blk"), /t:msgs\/1\.blk: missing \(index\.db lists it\)/);
    await refused((f) => {
      const b = Buffer.from(f.get("msgs/1.blk")!);
      b[40] ^= 1;
      f.set("msgs/1.blk", b);
    }, /t:msgs\/1\.blk:\d+: cannot decompress: s2 stream at \d+: chunk checksum mismatch/);
    await refused((f) => f.set("msgs/3.key", Buffer.from("k")), /t:msgs\/3\.key: the store is encrypted/);
  });
});
