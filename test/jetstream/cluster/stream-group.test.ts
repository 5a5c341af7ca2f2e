/**
 * Replicated streams on 3 in-process servers over real routes, replicas opened directly with
 * StreamGroup.open: publishes from any server acked only after commit, the same messages on every
 * replica, dedup and expected-sequence checks that give one answer under concurrency, purge and
 * delete through the group.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { jetstream, JetStreamApiError, type PubAck } from "@nats-io/jetstream";
import { headers } from "@nats-io/transport-node";
import { tempDir } from "../../store/helpers.js";
import { contents, lastSeq, streamConfig, TestCluster, waitFor } from "./stream-group-kit.js";

async function cluster(t: { after(fn: () => Promise<void>): void }): Promise<TestCluster> {
  const root = tempDir("tsnats-sg-");
  const c = await TestCluster.start(root);
  t.after(async () => {
    await c.close();
    rmSync(root, { recursive: true, force: true });
  });
  return c;
}

test("publishes to any server are acked after commit and every replica holds the same messages", async (t) => {
  const c = await cluster(t);
  await c.place(streamConfig({ name: "ORDERS", subjects: ["orders.>"] }));
  await c.elect();
  const jss = await Promise.all(c.nodes.map(async (n) => jetstream(await c.connect(n))));
  const acks: PubAck[] = [];
  await Promise.all(
    jss.map(async (js, i) => {
      for (let k = 0; k < 100; k++) acks.push(await js.publish(`orders.${i}`, `m${i}-${k}`));
    }),
  );
  const seqs = acks.map((a) => a.seq).sort((a, b) => a - b);
  assert.deepEqual(seqs, Array.from({ length: 300 }, (_, i) => i + 1), "300 distinct sequences");
  assert.ok(acks.every((a) => a.stream === "ORDERS" && !a.duplicate));
  for (const n of c.nodes) await waitFor(() => lastSeq(n) === 300, 5000, `${n.name} to apply 300`);
  const leaderContents = contents(c.leader()!);
  assert.equal(leaderContents.length, 300);
  for (const n of c.nodes) assert.deepEqual(contents(n), leaderContents, `${n.name} holds the leader's messages, times included`);

  // Without a majority nothing commits, so nothing is acked.
  const leader = c.leader()!;
  for (const f of c.followers()) await c.stopNode(f);
  const js = jetstream(await c.connect(leader));
  await assert.rejects(js.publish("orders.x", "lonely", { timeout: 1500 }), "no ack without a majority");
  assert.equal(lastSeq(leader), 300, "the leader applied nothing uncommitted");
});

test("Nats-Msg-Id and Nats-Expected-Last-Sequence under concurrency: one answer for all replicas", async (t) => {
  const c = await cluster(t);
  await c.place(streamConfig({ name: "D", subjects: ["d.>"], duplicate_window: 60e9 }));
  await c.elect();
  const jss = await Promise.all(c.nodes.map(async (n) => jetstream(await c.connect(n))));
  const dup = await Promise.all(jss.flatMap((js) => Array.from({ length: 5 }, () => js.publish("d.x", "same", { msgID: "id-1" }))));
  const stored = dup.filter((a) => !a.duplicate);
  assert.equal(stored.length, 1, "exactly one publish stored");
  assert.ok(dup.every((a) => a.seq === stored[0]!.seq), "every answer names the stored sequence");

  // Every server's publisher expects the last sequence to be 1: exactly one wins.
  const results = await Promise.allSettled(jss.map((js) => js.publish("d.y", "cas", { expect: { lastSequence: 1 } })));
  const won = results.filter((r) => r.status === "fulfilled");
  assert.equal(won.length, 1, "one compare-and-set wins");
  for (const r of results) if (r.status === "rejected") assert.ok(r.reason instanceof JetStreamApiError && /wrong last sequence/i.test(r.reason.message), String(r.reason));
  for (const n of c.nodes) await waitFor(() => lastSeq(n) === 2, 5000, `${n.name} to apply 2`);
  for (const n of c.nodes) assert.deepEqual(contents(n), contents(c.leader()!));
  for (const n of c.nodes) assert.equal(n.replica!.stream.lastMsgId, "", "the last message had no id, on every replica");
});

test("purge and message delete go through the group and apply on every replica", async (t) => {
  const c = await cluster(t);
  await c.place(streamConfig({ name: "P", subjects: ["p.>"] }));
  const leader = await c.elect();
  const js = jetstream(await c.connect(c.followers()[0]!));
  for (let i = 1; i <= 20; i++) {
    const h = headers();
    h.set("k", String(i));
    await js.publish(`p.${i % 2 === 0 ? "even" : "odd"}`, `v${i}`, { headers: h });
  }
  const s = leader.replica!.stream;
  assert.equal(await s.deleteMsg(3, true), true);
  assert.equal(await s.deleteMsg(3, true), false, "a second delete finds nothing");
  assert.equal(await s.purge({ filter: "p.even", keep: 2 }), 8);
  assert.equal(await s.purge({ seq: 6 }), 2, "1 and 5 go (2 and 4 purged, 3 deleted already)");
  for (const n of c.nodes) await waitFor(() => n.replica!.stream.store.state().msgs === s.store.state().msgs, 5000, `${n.name} to apply the purges`);
  for (const n of c.nodes) assert.deepEqual(contents(n), contents(leader));
  const follower = c.followers()[0]!.replica!.stream;
  await assert.rejects(follower.purge({}), (e: unknown) => e instanceof Error && /can not handle request/.test(e.message), "a follower does not purge");
});
