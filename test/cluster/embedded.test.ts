/**
 * startCluster(): n servers in this process, joined by routes — what an application test of clustered
 * behaviour needs: messages and queue groups across servers, and a client failing over when its
 * server stops.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { startCluster, startServer } from "../../src/index.js";
import { routed } from "./support.js";
import { waitUntil } from "../e2e/support.js";

test("startCluster(3): a meshed cluster in-process, and a client that fails over", async (t) => {
  const cluster = await startCluster(3);
  t.after(() => cluster.close());
  assert.equal(cluster.urls.length, 3);
  for (const s of cluster.servers) assert.equal(s.server.routes?.remoteCount(), 2);

  const a = await connect({ servers: cluster.urls[0], reconnectTimeWait: 50, maxReconnectAttempts: -1 });
  const b = await connect({ servers: cluster.urls[2], reconnect: false });
  t.after(() => a.close().catch(() => undefined));
  t.after(() => b.close());
  const got: string[] = [];
  b.subscribe("emb.x", { queue: "q", callback: (_e, m) => void got.push(m.string()) });
  await routed(a, [b]);
  a.publish("emb.x", "one");
  await routed(a, [b]);
  assert.deepEqual(got, ["one"]);

  // The client learnt the other servers from INFO; it moves to one of them when its own stops.
  await cluster.servers[0]!.close();
  await waitUntil(() => a.getServer() !== cluster.urls[0]!.replace("nats://", ""), 10_000, "failover");
  await routed(a, [b], 10_000);
  a.publish("emb.x", "two");
  await routed(a, [b]);
  assert.deepEqual(got, ["one", "two"]);
});

test("startServer({ cluster }) takes route URLs as strings; a bad one is refused", async (t) => {
  const first = await startServer({ serverName: "e1", cluster: { name: "e", port: -1 } });
  t.after(() => first.close());
  const second = await startServer({ serverName: "e2", cluster: { name: "e", port: -1, routes: [`nats://127.0.0.1:${first.server.routes!.port}`] } });
  t.after(() => second.close());
  await waitUntil(() => first.server.routes!.remoteCount() === 1, 5000, "the route");
  await assert.rejects(startServer({ cluster: { port: -1, routes: ["nats://bad host:1"] } }), /cluster route/);
});
