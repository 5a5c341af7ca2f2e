import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { SyncedMarkFile } from "../../src/raft/synced-mark-file.js";

function markPath(): string {
  return join(mkdtempSync(join(tmpdir(), "mark-")), "mark");
}

test("a new mark file holds the initial mark; writes are read back, the last one winning, lowerings too", async () => {
  const path = markPath();
  const a = SyncedMarkFile.open(path, 7);
  assert.equal(a.mark, 7);
  for (const m of [10, 20, 30, 12]) await a.file.write(m);
  a.file.close();
  const b = SyncedMarkFile.open(path, 999);
  assert.equal(b.mark, 12, "the file's mark, not the initial one");
  await b.file.write(40);
  b.file.close();
  assert.equal(SyncedMarkFile.open(path, 0).mark, 40);
});

test("a torn newest slot leaves the mark before it; a file with no valid slot starts again from the initial mark", async () => {
  const path = markPath();
  const a = SyncedMarkFile.open(path, 0);
  await a.file.write(5); // seq 2: first slot
  await a.file.write(9); // seq 3: second slot
  a.file.close();
  const buf = readFileSync(path);
  buf[24 + 20]! ^= 0x01; // the newest (second) slot's mark bytes
  writeFileSync(path, buf);
  const b = SyncedMarkFile.open(path, 0);
  assert.equal(b.mark, 5);
  b.file.close();
  buf[20]! ^= 0x01;
  writeFileSync(path, buf);
  const c = SyncedMarkFile.open(path, 3);
  assert.equal(c.mark, 3);
  await c.file.write(4);
  c.file.close();
  assert.equal(SyncedMarkFile.open(path, 0).mark, 4);
});
