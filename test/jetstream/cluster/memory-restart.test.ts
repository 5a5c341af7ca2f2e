/**
 * A memory-storage R3 stream after a total loss (every replica's server restarted): it comes back
 * empty, elects a leader and takes publishes, as nats-server's does (its memory streams keep their
 * RAFT log in memory). Before, the log on disk named messages no replica held, and the group stalled.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { jetstream } from "@nats-io/jetstream";
import { tempDir } from "../../store/helpers.js";
import { lastSeq, streamConfig, TestCluster, waitFor } from "./stream-group-kit.js";

test("a memory-storage R3 stream whose replicas all restarted comes back empty with a leader and takes publishes", async (t) => {
  const root = tempDir("tsnats-mem-");
  const c = await TestCluster.start(root);
  t.after(async () => {
    await c.close();
    rmSync(root, { recursive: true, force: true });
  });
  await c.place(streamConfig({ name: "M", subjects: ["m.>"], storage: "memory" }));
  const leader = await c.elect();
  const js = jetstream(await c.connect(leader));
  for (let i = 0; i < 20; i++) await js.publish("m.a", `a${i}`);
  for (const n of c.nodes) await waitFor(() => lastSeq(n) === 20, 5000, `${n.name} to apply 20`);
  // Snapshots name the messages: replaying the log cannot bring them back.
  for (const n of c.nodes) await n.replica!.snapshotNow();
  for (const n of c.nodes) await c.stopNode(n);
  for (const n of c.nodes) await c.restartServer(n);
  for (const n of c.nodes) await c.open(n);
  const next = await c.elect(5000);
  for (const n of c.nodes) assert.equal(lastSeq(n), 0, `${n.name} comes back empty`);
  const ack = await jetstream(await c.connect(next)).publish("m.b", "after", { timeout: 3000 });
  assert.equal(ack.seq, 1);
  for (const n of c.nodes) await waitFor(() => lastSeq(n) === 1, 5000, `${n.name} to apply the new publish`);
});
