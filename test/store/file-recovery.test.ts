/**
 * Recovery of damaged block files: a torn tail at every byte of the last record, a flipped byte at
 * every position of a record in the middle, damage at the very end, zero-filled tails.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, cpSync, existsSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openFileStore, type FileStore, type StoreReport } from "../../src/store/index.js";
import { reportSink, tempDir } from "./helpers.js";

const root = tempDir();
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

const payload = (seq: number): Buffer => Buffer.from(`msg-${seq}-${"x".repeat(seq % 17)}`);

/**
 * A store directory with `count` messages on subject s.<seq % 3>, as a crash before any saved state
 * leaves it: every record written, no state.dat (so the blocks alone are recovered; a saved state
 * that disagrees with damaged blocks is the business of file-state.test.ts).
 */
async function makeStore(count: number, blockSize = 1 << 20): Promise<string> {
  const dir = join(root, `pristine${++n}`);
  const s = await openFileStore({ dir, blockSize, report: () => undefined });
  for (let seq = 1; seq <= count; seq++) s.storeMsg(`s.${seq % 3}`, undefined, payload(seq));
  await s.stop();
  rmSync(join(dir, "state.dat"));
  return dir;
}

function copyOf(dir: string): string {
  const to = join(root, `copy${++n}`);
  cpSync(dir, to, { recursive: true });
  return to;
}

async function openWith(dir: string, blockSize = 1 << 20): Promise<{ s: FileStore; reports: StoreReport[] }> {
  const sink = reportSink();
  const s = await openFileStore({ dir, blockSize, report: sink.report });
  return { s, reports: sink.reports };
}

function blocks(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".blk"))
    .sort()
    .map((f) => join(dir, f));
}

/** Offsets of the record that holds `needle` (found by its payload) in a block file. */
function recordSpan(file: string, needle: Buffer): { start: number; end: number } {
  const bytes = readFileSync(file);
  const at = bytes.indexOf(needle);
  assert.ok(at > 0);
  // Walk records from the start to find the one that contains `at`.
  for (let off = 0; off < bytes.length; ) {
    const len = bytes.readUInt32LE(off);
    if (at >= off && at < off + len) return { start: off, end: off + len };
    off += len;
  }
  throw new Error("record not found");
}

function assertServed(s: FileStore, seqs: number[]): void {
  for (const seq of seqs) assert.deepEqual(s.loadMsg(seq)?.data, payload(seq), `sequence ${seq}`);
}

describe("torn tail", () => {
  let pristine: string;
  before(async () => {
    pristine = await makeStore(20);
  });

  /** Opens a damaged copy and checks the outcome of a torn message 20 (cut at `cut`, record at `start`). */
  async function checkTorn(dir: string, cut: number, start: number): Promise<void> {
    const { s, reports } = await openWith(dir);
    const st = s.state();
    assert.deepEqual([st.msgs, st.lastSeq], [19, 19], `cut at ${cut}`);
    assert.equal(s.loadMsg(20), undefined);
    assertServed(s, [1, 10, 19]);
    if (cut === start) assert.deepEqual(reports, [], "a cut on a record boundary is a clean end");
    else assert.deepEqual(reports.map((r) => r.kind), ["torn-tail"], `cut at ${cut}`);
    const left = readFileSync(blocks(dir).at(-1)!);
    assert.ok(left.length === start || left.subarray(start).every((b) => b === 0), "no torn byte stays in the file");
    // The store goes on: a new message takes sequence 20 and survives another restart.
    s.storeMsg("s.new", undefined, Buffer.from("after"));
    await s.stop();
    const again = await openWith(dir);
    assert.deepEqual(again.reports, []);
    assert.equal(again.s.loadMsg(20)!.data.toString(), "after");
    assert.equal(again.s.state().msgs, 20);
    await again.s.stop();
    rmSync(dir, { recursive: true });
  }

  it("cuts the last record at every byte offset back to the previous whole record (short file)", async () => {
    const file = blocks(pristine).at(-1)!;
    const { start, end } = recordSpan(file, payload(20));
    for (let cut = start; cut < end; cut++) {
      const dir = copyOf(pristine);
      truncateSync(blocks(dir).at(-1)!, cut);
      await checkTorn(dir, cut, start);
    }
  });

  it("cuts a last record written only up to every byte offset (zeros written ahead)", async () => {
    const file = blocks(pristine).at(-1)!;
    const { start, end } = recordSpan(file, payload(20));
    assert.ok(readFileSync(file).length > end, "the store wrote zeros ahead of its data");
    for (let cut = start; cut < end; cut++) {
      const dir = copyOf(pristine);
      const target = blocks(dir).at(-1)!;
      const bytes = readFileSync(target);
      bytes.fill(0, cut, end);
      writeFileSync(target, bytes);
      await checkTorn(dir, cut, start);
    }
  });

  it("treats zero bytes after the data as never written", async () => {
    const dir = copyOf(pristine);
    appendFileSync(blocks(dir).at(-1)!, Buffer.alloc(10_000));
    const { s, reports } = await openWith(dir);
    assert.deepEqual(reports, []);
    assert.equal(s.state().msgs, 20);
    s.storeMsg("s.0", undefined, payload(21));
    await s.stop();
    const again = await openWith(dir);
    assert.deepEqual(again.reports, []);
    assertServed(again.s, [1, 20, 21]);
    await again.s.stop();
  });
});

describe("damage in the middle of a block", () => {
  let pristine: string;
  before(async () => {
    pristine = await makeStore(60, 1024);
  });

  it("reports a flipped byte at every position of a record and never serves that record", async () => {
    assert.ok(blocks(pristine).length >= 3);
    const victim = 25;
    const file = blocks(pristine).find((f) => readFileSync(f).includes(payload(victim)))!;
    assert.notEqual(file, blocks(pristine).at(-1), "the victim sits in a sealed block");
    const { start, end } = recordSpan(file, payload(victim));
    const others = Array.from({ length: 60 }, (_, i) => i + 1).filter((seq) => seq !== victim);
    for (let pos = start; pos < end; pos++) {
      const dir = copyOf(pristine);
      const target = join(dir, file.split("/").at(-1)!);
      const bytes = readFileSync(target);
      bytes[pos] = bytes[pos]! ^ 0x5a;
      writeFileSync(target, bytes);
      const { s, reports } = await openWith(dir, 1024);
      assert.equal(reports.length, 1, `flip at ${pos - start}`);
      assert.equal(reports[0]!.kind, "corrupt-middle");
      assert.ok(reports[0]!.quarantined && existsSync(reports[0]!.quarantined), "the damaged original is kept aside");
      assert.equal(s.loadMsg(victim), undefined, `flip at ${pos - start}: not served`);
      assertServed(s, others);
      const st = s.state();
      assert.equal(st.msgs, 59);
      assert.ok(st.lost && st.lost.msgs.includes(victim), "reported as lost in the stream state");
      await s.stop();
      // Repaired: a second open finds nothing wrong and serves the same.
      const again = await openWith(dir, 1024);
      assert.deepEqual(again.reports, []);
      assert.equal(again.s.state().msgs, 59);
      assertServed(again.s, others);
      await again.s.stop();
      rmSync(dir, { recursive: true });
    }
  });

  it("reports damage in the last record of the last block as corruption and cuts it", async () => {
    const dir = copyOf(pristine);
    const file = blocks(dir).at(-1)!;
    const { start, end } = recordSpan(file, payload(60));
    const bytes = readFileSync(file);
    bytes[start + Math.floor((end - start) / 2)]! ^= 0xff;
    writeFileSync(file, bytes);
    const { s, reports } = await openWith(dir, 1024);
    assert.deepEqual(reports.map((r) => r.kind), ["corrupt-tail"]);
    assert.equal(s.loadMsg(60), undefined);
    assertServed(s, [1, 30, 59]);
    await s.stop();
  });

  it("survives damage in several blocks at once", async () => {
    const dir = copyOf(pristine);
    const files = blocks(dir);
    for (const f of files.slice(0, 2)) {
      const bytes = readFileSync(f);
      bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
      writeFileSync(f, bytes);
    }
    const { s, reports } = await openWith(dir, 1024);
    assert.equal(reports.filter((r) => r.kind === "corrupt-middle").length, 2);
    const st = s.state();
    assert.equal(st.msgs + st.lost!.msgs.length, 60, "every sequence is either served or listed as lost");
    for (let seq = 1; seq <= 60; seq++) {
      const m = s.loadMsg(seq);
      if (m) assert.deepEqual(m.data, payload(seq));
      else assert.ok(st.lost!.msgs.includes(seq));
    }
    await s.stop();
  });
});
