import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConsumerState, snapshotOf } from "../../src/jetstream/consumer-state.js";
import { FileConsumerStore } from "../../src/jetstream/consumer-store.js";
import type { ConsumerConfig } from "../../src/jetstream/consumer-config.js";

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
