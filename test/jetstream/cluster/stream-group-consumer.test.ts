/**
 * Consumers of a replicated stream, carried by the stream's group: a pull consumer with explicit acks
 * keeps its acknowledgements across a leader change (nothing acked comes again, nothing is lost), and
 * workqueue removals by acks apply on every replica.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { jetstream } from "@nats-io/jetstream";
import { consumerEnv } from "../../../src/jetstream/api/consumer-env.js";
import { decodeConsumerConfig } from "../../../src/jetstream/consumer/config.js";
import { addConsumer } from "../../../src/jetstream/consumer/factory.js";
import { jetStreamOf } from "../../../src/jetstream/jetstream.js";
import { tempDir } from "../../store/helpers.js";
import { streamConfig, TestCluster, waitFor, type Node } from "./stream-group-kit.js";

async function cluster(t: { after(fn: () => Promise<void>): void }): Promise<TestCluster> {
  const root = tempDir("tsnats-sgc-");
  const c = await TestCluster.start(root);
  t.after(async () => {
    await c.close();
    rmSync(root, { recursive: true, force: true });
  });
  return c;
}

/** Creates the consumer on every replica, the leader first (as the meta group's assignment would). */
async function addEverywhere(c: TestCluster, raw: Record<string, unknown>): Promise<void> {
  const order = [c.leader()!, ...c.followers()];
  for (const n of order) {
    const jsa = jetStreamOf(n.server.server)!.accountOf(n.server.server.globalAccount)!;
    const s = n.replica!.stream;
    await addConsumer(s, consumerEnv(jsa, s), decodeConsumerConfig(raw), "create", false);
  }
}

function committedFloor(n: Node, name: string): number {
  return n.replica!.consumers.states()[name]?.ackFloorStream ?? -1;
}

test("a pull consumer with acks across a leader change: nothing acked redelivered, nothing lost", async (t) => {
  const c = await cluster(t);
  await c.place(streamConfig({ name: "CS", subjects: ["cs.>"] }));
  const first = await c.elect();
  await addEverywhere(c, { durable_name: "W", ack_policy: "explicit", ack_wait: 2e9 });
  const survivor = c.followers()[0]!;
  const pub = jetstream(await c.connect(survivor));
  for (let i = 1; i <= 200; i++) await pub.publish("cs.x", `m${i}`);

  const received = new Map<number, number>();
  const acked = new Set<number>();
  const drain = async (n: Node, want: number): Promise<void> => {
    const nc = await c.connect(n);
    const js = jetstream(nc);
    const consumer = await js.consumers.get("CS", "W");
    const deadline = Date.now() + 15000;
    while (acked.size < want && Date.now() < deadline) {
      try {
        const batch = await consumer.fetch({ max_messages: 20, expires: 1000 });
        for await (const m of batch) {
          received.set(m.seq, (received.get(m.seq) ?? 0) + 1);
          assert.ok(!acked.has(m.seq), `sequence ${m.seq} came again after it was acked`);
          m.ack();
          acked.add(m.seq);
          if (acked.size >= want) break;
        }
      } catch (e) {
        // A request that reached the new leader before its consumers took over goes unanswered
        // (missed heartbeats): clients re-issue it, as with nats-server.
        if (e instanceof assert.AssertionError) throw e;
      }
    }
    await nc.flush();
  };
  await drain(first, 100);
  assert.equal(acked.size, 100);
  for (const n of c.nodes) await waitFor(() => committedFloor(n, "W") === 100, 5000, `${n.name} to hold the acks of 1..100`);
  const followerConsumer = c.followers()[0]!.replica!.stream.consumers.get("W");
  assert.ok(followerConsumer !== undefined, "the follower has the consumer, standing by");

  await c.stopNode(first);
  const next = await c.elect();
  assert.notEqual(next, first);
  await drain(next, 200);
  assert.deepEqual([...acked].sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i + 1), "every message delivered and acked");
  for (const [seq, times] of received) assert.equal(times, 1, `sequence ${seq} delivered ${times} times`);
  for (const n of c.live()) await waitFor(() => committedFloor(n, "W") === 200, 5000, `${n.name} to hold every ack`);
});

test("workqueue acks remove the messages on every replica; an ack answers once committed", async (t) => {
  const c = await cluster(t);
  await c.place(streamConfig({ name: "WQ", subjects: ["wq.>"], retention: "workqueue" }));
  const leader = await c.elect();
  await addEverywhere(c, { durable_name: "J", ack_policy: "explicit" });
  const js = jetstream(await c.connect(leader));
  for (let i = 0; i < 50; i++) await js.publish("wq.job", `j${i}`);
  const consumer = await js.consumers.get("WQ", "J");
  let n = 0;
  while (n < 50) {
    const batch = await consumer.fetch({ max_messages: 25, expires: 1000 });
    for await (const m of batch) {
      await m.ackAck();
      n++;
      // The ack's reply comes once the ack is committed: the leader has applied it.
      assert.equal(committedFloor(leader, "J"), m.seq, "an acked ack is committed");
    }
  }
  for (const x of c.nodes) await waitFor(() => x.replica!.stream.store.state().msgs === 0, 5000, `${x.name} to remove the acked jobs`);
  for (const x of c.nodes) assert.equal(x.replica!.stream.store.state().lastSeq, 50);
});
