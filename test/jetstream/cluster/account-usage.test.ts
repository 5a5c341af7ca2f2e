/**
 * $JS.API.INFO in a cluster reports the account's usage across the servers (every replica's copy
 * counted, as nats-server does), not the meta leader's own share.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { jetstream } from "@nats-io/jetstream";
import type { RunningServer } from "../../../src/index.js";
import { jetStreamOf } from "../../../src/jetstream/jetstream.js";
import { raftNodeId } from "../../../src/raft/node-id.js";
import { api, jsCluster, metaOf, waitUntil } from "./meta-support.js";

const local = (s: RunningServer) => jetStreamOf(s.server)!.accountOf(s.server.globalAccount)!;

test("account info sums the account's storage and API counts over every server; stream info names the replicas", async (t) => {
  const c = await jsCluster(t);
  const nc = c.ncs[0]!;
  assert.equal((await api(nc, "STREAM.CREATE.ONE", { name: "ONE", subjects: ["one"], num_replicas: 1 })).error, undefined);
  const created = await api(nc, "STREAM.CREATE.THREE", { name: "THREE", subjects: ["three"], num_replicas: 3 });
  assert.equal(created.error, undefined);
  // Stream info, the create answer's too, names every replica by its server name (a group learns names
  // lazily; the peer directory knows them).
  const names = new Set(c.cluster.servers.map((s) => s.server.name));
  const createdCluster = created.cluster as { replicas?: { name: string }[] };
  assert.ok((createdCluster.replicas ?? []).every((r) => names.has(r.name)), JSON.stringify(createdCluster));
  const js = jetstream(nc);
  for (let i = 0; i < 10; i++) {
    await js.publish("one", "x".repeat(100));
    await js.publish("three", "y".repeat(200));
  }
  const holder = c.cluster.servers.find((s) => local(s).streams.has("ONE"))!;
  // The meta leader answers: make it a server without the R1 stream, whose own share is not the whole.
  const other = c.cluster.servers.find((s) => s !== holder)!;
  if (metaOf(holder).isLeader) {
    metaOf(holder).stepDown(raftNodeId(other.server.name));
    await waitUntil(() => metaOf(other).isLeader, 5000, "the meta leadership to move");
  }
  const sum = () => c.cluster.servers.reduce((n, s) => n + local(s).usage().storage, 0);
  await waitUntil(() => c.cluster.servers.every((s) => local(s).streams.get("THREE")?.store.state().msgs === 10), 5000, "every replica to hold THREE");
  const info = await api(c.ncs[1]!, "INFO");
  assert.equal(info.error, undefined);
  assert.ok(local(holder).usage().storage > 0 && sum() > local(holder).usage().storage * 2);
  assert.equal(info.storage, sum(), "storage of every server's copies");
  assert.equal(info.streams, 2);
  const apiTotal = c.cluster.servers.reduce((n, s) => n + local(s).apiStats.total, 0);
  // The INFO call itself is counted after its answer.
  assert.equal((info.api as { total: number }).total, apiTotal - 1, "API calls answered by every server");
  const si = await api(c.ncs[2]!, "STREAM.INFO.THREE");
  const cl = si.cluster as { leader: string; replicas: { name: string }[] };
  assert.ok(names.has(cl.leader) && cl.replicas.length === 2 && cl.replicas.every((r) => names.has(r.name)), JSON.stringify(cl));
});
