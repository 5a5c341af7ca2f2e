/**
 * What a replicated stream answers while its leadership moves (3 in-process servers over real routes):
 * a publish the leader can no longer propose is answered with nats-server 2.9.10's 503 at once, not
 * left to the client's timeout; a new leader answers its stream's API calls only once it has applied
 * its log.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { jetstream } from "@nats-io/jetstream";
import { createInbox } from "@nats-io/transport-node";
import type { RunningServer } from "../../../src/index.js";
import { jetStreamOf } from "../../../src/jetstream/jetstream.js";
import { tempDir } from "../../store/helpers.js";
import { api, jsCluster, waitUntil } from "./meta-support.js";
import { streamConfig, TestCluster } from "./stream-group-kit.js";

async function cluster(t: { after(fn: () => Promise<void>): void }): Promise<TestCluster> {
  const root = tempDir("tsnats-lc-");
  const c = await TestCluster.start(root);
  t.after(async () => {
    await c.close();
    rmSync(root, { recursive: true, force: true });
  });
  return c;
}

test("a publish reaching the leader as it hands over its leadership is answered with a 503", async (t) => {
  const c = await cluster(t);
  await c.place(streamConfig({ name: "LC", subjects: ["lc.>"] }));
  const leader = await c.elect();
  const nc = await c.connect(leader);
  const inbox = createInbox();
  const sub = nc.subscribe(inbox, { max: 1 });
  await nc.flush();
  // The publish is taken as the leader (its proposal waits for the turn's batch), then the leader
  // starts handing over before that batch is proposed: the group refuses it.
  leader.replica!.publish("lc.a", inbox, undefined, Buffer.from("x"));
  leader.replica!.stepDown();
  const answer = await Promise.race([
    (async () => {
      for await (const m of sub) return JSON.parse(m.string()) as Record<string, unknown>;
      return undefined;
    })(),
    new Promise<undefined>((r) => setTimeout(r, 3000)),
  ]);
  assert.deepEqual(answer, { error: { code: 503, description: "raft: not leader" }, stream: "LC", seq: 0 });
});

test("a new stream leader answers CONSUMER.INFO only once it has applied its log, never with a follower's empty state", async (t) => {
  const c = await jsCluster(t);
  const nc = c.ncs[0]!;
  assert.equal((await api(nc, "STREAM.CREATE.CI", { name: "CI", subjects: ["ci.>"], num_replicas: 3 })).error, undefined);
  const replicaOf = (s: RunningServer) => jetStreamOf(s.server)?.meta?.applier.replica("$G", "CI");
  await waitUntil(() => c.cluster.servers.some((s) => replicaOf(s)?.isLeader === true), 5000, "a stream leader");
  assert.equal((await api(nc, "CONSUMER.DURABLE.CREATE.CI.W", { stream_name: "CI", config: { durable_name: "W", ack_policy: "explicit" } })).error, undefined);
  const js = jetstream(nc);
  for (let i = 0; i < 5; i++) await js.publish("ci.a", `m${i}`);
  const consumer = await js.consumers.get("CI", "W");
  const batch = await consumer.fetch({ max_messages: 3, expires: 2000 });
  for await (const m of batch) await m.ackAck();

  // The moment a replica becomes leader (its election's no-op not yet committed, so not applied),
  // a CONSUMER.INFO reaches its server: it must be answered from the group's state, not the stand-by's.
  const inbox = createInbox();
  const infos: Record<string, unknown>[] = [];
  const sub = nc.subscribe(inbox, { callback: (_e, m) => void infos.push(JSON.parse(m.string()) as Record<string, unknown>) });
  await nc.flush();
  for (const s of c.cluster.servers) {
    replicaOf(s)!.onLeaderChange((leads) => {
      if (leads) s.server.publishInternal(s.server.globalAccount, "$JS.API.CONSUMER.INFO.CI.W", inbox, "");
    });
  }
  const leader = c.cluster.servers.find((s) => replicaOf(s)?.isLeader === true)!;
  assert.equal((await api(nc, "STREAM.LEADER.STEPDOWN.CI")).success, true);
  await waitUntil(() => infos.length > 0, 5000, "the new leader's consumer info");
  await new Promise((r) => setTimeout(r, 200));
  sub.unsubscribe();
  assert.ok(replicaOf(leader)?.isLeader !== true, "the leadership moved");
  assert.equal(infos.length, 1, "one answer");
  const info = infos[0]!;
  assert.deepEqual([(info.delivered as { stream_seq: number }).stream_seq, (info.ack_floor as { stream_seq: number }).stream_seq, info.num_pending], [3, 3, 2], JSON.stringify(info));
});
