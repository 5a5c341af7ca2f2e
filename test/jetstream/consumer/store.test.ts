import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConsumerState, snapshotOf, type StateSnapshot } from "../../../src/jetstream/consumer/state.js";
import { FileConsumerStore } from "../../../src/jetstream/consumer/store.js";
import type { ConsumerConfig } from "../../../src/jetstream/consumer/config.js";
import { HEAD, HEADER } from "../../../src/store/log/format.js";

const CFG: ConsumerConfig = { durable_name: "d", deliver_policy: "all", ack_policy: "explicit", replay_policy: "instant", num_replicas: 0 };

function dir(): string {
  return join(mkdtempSync(join(tmpdir(), "tsnats-cstore-")), "obs", "d");
}

test("state written through the log comes back after reopening", async () => {
  const d = dir();
  const s = new ConsumerState();
  const store = await FileConsumerStore.create(d, { name: "d", created: 1, config: CFG }, s);
  s.reset(1);
  for (let seq = 1; seq <= 100; seq++) s.deliver(seq, 1, 1000 + seq);
  for (let seq = 1; seq <= 100; seq += 2) s.ack(seq);
  s.deliver(2, 2, 5000);
  s.maxDelivered(4, 3);
  await store.sync();
  const want = snapshotOf(s);
  await store.stop();

  const meta = await FileConsumerStore.readMeta(d);
  assert.deepEqual(meta, { name: "d", created: 1, config: CFG });
  const r = new ConsumerState();
  const again = await FileConsumerStore.open(d, r);
  assert.deepEqual(snapshotOf(r), want);
  // The reopened log keeps appending.
  r.ack(2);
  await again.sync();
  await again.stop();
  const r2 = new ConsumerState();
  await (await FileConsumerStore.open(d, r2)).stop();
  assert.equal(r2.pending.has(2), false);
});

test("a torn tail frame is cut off, the frames before it are kept", async () => {
  const d = dir();
  const s = new ConsumerState();
  const store = await FileConsumerStore.create(d, { name: "d", created: 1, config: CFG }, s);
  s.reset(1);
  s.deliver(1, 1, 1);
  await store.sync();
  const before = snapshotOf(s);
  s.deliver(2, 1, 2);
  s.ack(1);
  await store.sync();
  await store.stop();
  const log = join(d, "state.log");
  const size = statSync(log).size;
  truncateSync(log, size - 3);
  const r = new ConsumerState();
  await (await FileConsumerStore.open(d, r)).stop();
  assert.deepEqual(snapshotOf(r), before);
  assert.ok(statSync(log).size < size - 3);
  // A flipped byte in the last frame fails its checksum the same way.
  const bytes = readFileSync(log);
  bytes[bytes.length - 1] ^= 0xff;
  writeFileSync(log, bytes);
  const r2 = new ConsumerState();
  await (await FileConsumerStore.open(d, r2)).stop();
  assert.deepEqual(snapshotOf(r2).sseq, 1);
});

test("a growing log is compacted into one snapshot frame", async () => {
  const d = dir();
  const s = new ConsumerState();
  const store = await FileConsumerStore.create(d, { name: "d", created: 1, config: CFG }, s);
  s.reset(1);
  let seq = 1;
  for (let turn = 0; turn < 40; turn++) {
    for (let i = 0; i < 10_000; i++, seq++) {
      s.deliver(seq, 1, Date.now());
      s.ack(seq);
    }
    s.deliver(seq++, 1, 7);
    await store.sync();
  }
  const log = join(d, "state.log");
  assert.ok(statSync(log).size < 2 << 20, `log of ${statSync(log).size} bytes should have been compacted`);
  const want = snapshotOf(s);
  await store.stop();
  const r = new ConsumerState();
  await (await FileConsumerStore.open(d, r)).stop();
  assert.deepEqual(snapshotOf(r), want);
  assert.equal(r.pending.size, 40);
});

/**
 * Fixtures written by the consumer store of commit b82b451, before state.log was a store/log log:
 * `legacy-frames` holds frames of every operation, `legacy-compacted` a compaction snapshot frame and
 * frames after it; legacy-expected.json is the state that code read back from each.
 */
const FIXTURES = join(import.meta.dirname, "../../../../test/jetstream/consumer/fixtures");
const LEGACY: Record<string, StateSnapshot> = JSON.parse(readFileSync(join(FIXTURES, "legacy-expected.json"), "utf8"));

for (const [name, want] of [
  ["legacy-frames", LEGACY.frames!],
  ["legacy-compacted", LEGACY.compacted!],
] as const) {
  test(`a state.log written by earlier versions (${name}) opens with its state and is upgraded in place`, async () => {
    const d = dir();
    await (await FileConsumerStore.create(d, { name: "d", created: 1, config: CFG }, new ConsumerState())).stop();
    const old = readFileSync(join(FIXTURES, `${name}.statelog`));
    // A torn tail after the last whole frame, as a crash of the old code could leave.
    writeFileSync(join(d, "state.log"), Buffer.concat([old, old.subarray(0, 11)]));
    const s = new ConsumerState();
    const store = await FileConsumerStore.open(d, s);
    assert.deepEqual(snapshotOf(s), want);
    assert.deepEqual(readFileSync(join(d, "state.log")).subarray(0, HEADER.length), HEADER, "the file is now a log");
    s.ack(want.pending[0]![0]);
    await store.sync();
    const after = snapshotOf(s);
    await store.stop();
    const r = new ConsumerState();
    await (await FileConsumerStore.open(d, r)).stop();
    assert.deepEqual(snapshotOf(r), after);
  });
}

test("a consumer whose state.log lost its file (crash while creating) opens empty", async () => {
  const d = dir();
  await (await FileConsumerStore.create(d, { name: "d", created: 1, config: CFG }, new ConsumerState())).stop();
  rmSync(join(d, "state.log"));
  const s = new ConsumerState();
  const store = await FileConsumerStore.open(d, s);
  assert.deepEqual(snapshotOf(s), snapshotOf(new ConsumerState()));
  s.reset(5);
  await store.sync();
  await store.stop();
  const r = new ConsumerState();
  await (await FileConsumerStore.open(d, r)).stop();
  assert.equal(r.sseq, 5);
});

test("damage in the middle of state.log: the state before it is restored, the damage is reported and kept", async () => {
  const d = dir();
  const s = new ConsumerState();
  const store = await FileConsumerStore.create(d, { name: "d", created: 1, config: CFG }, s);
  s.reset(1);
  for (let seq = 1; seq <= 10; seq++) s.deliver(seq, 1, seq);
  await store.sync();
  const before = snapshotOf(s);
  s.ack(3);
  await store.sync();
  s.ack(4);
  await store.sync();
  await store.stop();
  // The entries of ack(3) and ack(4) are the last two frames, two payload bytes each (op, sequence).
  const log = join(d, "state.log");
  const bytes = readFileSync(log);
  const ack3 = bytes.length - 2 * (HEAD + 2);
  bytes[ack3 + HEAD + 1] ^= 0x40;
  writeFileSync(log, bytes);
  const r = new ConsumerState();
  const again = await FileConsumerStore.open(d, r);
  assert.deepEqual(snapshotOf(r), before, "nothing from or after the damaged entry is applied");
  assert.ok(again.damagedCopy !== undefined && readFileSync(again.damagedCopy).equals(bytes));
  await again.stop();
});
