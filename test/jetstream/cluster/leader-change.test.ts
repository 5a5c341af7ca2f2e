/**
 * What a replicated stream answers while its leadership moves (3 in-process servers over real routes,
 * replicas opened directly with StreamGroup.open): a publish the leader can no longer propose is
 * answered with nats-server 2.9.10's 503 at once, not left to the client's timeout.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { createInbox } from "@nats-io/transport-node";
import { tempDir } from "../../store/helpers.js";
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
