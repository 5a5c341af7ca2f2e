/**
 * Clustered JetStream across process deaths (3 tsnats-server processes): the meta leader SIGKILLed ->
 * a new one, assignments intact, the API works again; the killed server restarted reopens its
 * streams; a rolling restart of the three nodes one by one while clients publish (retrying with
 * Nats-Msg-Id) and consume from an R3 stream loses nothing acknowledged.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { api, waitUntil } from "./meta-support.js";
import { agreedLeader, healthy, jsProcCluster } from "./process-cluster.js";

async function connectAll(t: { after: (fn: () => Promise<void>) => void }, urls: string[]): Promise<NatsConnection> {
  const nc = await connect({ servers: urls, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  t.after(() => nc.close());
  return nc;
}

/** The answer to a request, retried (another server may be electing) until one comes. */
async function apiRetry(nc: NatsConnection, subject: string, body?: unknown, ms = 20_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const r = await api(nc, subject, body, 2000);
      const code = (r.error as { code?: number } | undefined)?.code;
      if (code !== 503 || Date.now() > deadline) return r;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

test("the meta leader SIGKILLed: a new leader, assignments intact, the API works; the restarted server reopens its streams", async (t) => {
  const c = await jsProcCluster(t, "tsnats");
  const nc = await connectAll(t, c.urls);
  const js = jetstream(nc);
  for (let i = 0; i < 3; i++) await apiRetry(nc, `STREAM.CREATE.S${i}`, { name: `S${i}`, subjects: [`s${i}`] });
  await apiRetry(nc, "STREAM.CREATE.LOGS", { name: "LOGS", subjects: ["logs"], num_replicas: 3 });
  for (let i = 0; i < 3; i++) for (let k = 0; k < 5; k++) await js.publish(`s${i}`, `m${k}`);
  for (let k = 0; k < 20; k++) await js.publish("logs", `l${k}`);

  const leader = await agreedLeader(c, [0, 1, 2]);
  const dead = c.cluster.nodes.findIndex((nd) => nd.name === leader);
  assert.ok(dead >= 0);
  await c.cluster.nodes[dead]!.proc.stop("SIGKILL");
  const survivors = [0, 1, 2].filter((i) => i !== dead);
  const next = await agreedLeader(c, survivors, 20_000, leader);
  assert.notEqual(next, leader, "a new meta leader");

  const names = await apiRetry(nc, "STREAM.NAMES");
  assert.deepEqual(names.streams, ["LOGS", "S0", "S1", "S2"], "the assignments survive the leader");
  // R3: the stream's group has a majority left; publishing goes on.
  await waitUntil(async () => {
    try {
      await js.publish("logs", "after", { timeout: 1000 });
      return true;
    } catch {
      return false;
    }
  }, 20_000, "a publish to the R3 stream after the kill");
  const info = await apiRetry(nc, "STREAM.INFO.LOGS");
  assert.equal((info.state as { messages: number }).messages, 21);
  // Once the dead server is seen offline, a new stream is placed on a live one.
  await new Promise((r) => setTimeout(r, 3500));
  const created = await apiRetry(nc, "STREAM.CREATE.NEW", { name: "NEW", subjects: ["new"] });
  assert.equal(created.did_create, true, JSON.stringify(created));

  await c.cluster.start(dead);
  await healthy(c, dead);
  const all = await apiRetry(nc, "STREAM.LIST");
  assert.equal(all.total, 5);
  assert.equal(all.missing, undefined, `every stream's leader answers: ${JSON.stringify(all.missing)}`);
  for (const s of all.streams as { config: { name: string }; state: { messages: number } }[]) {
    const want = s.config.name === "LOGS" ? 21 : s.config.name === "NEW" ? 0 : 5;
    assert.equal(s.state.messages, want, `${s.config.name} after the restart`);
  }
});

test("a rolling restart of the three nodes while clients publish and consume an R3 stream: nothing acknowledged lost", async (t) => {
  const c = await jsProcCluster(t, "tsnats");
  const nc = await connectAll(t, c.urls);
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: "ROLL", subjects: ["roll"], num_replicas: 3 });
  await jsm.consumers.add("ROLL", { durable_name: "C", ack_policy: AckPolicy.Explicit, ack_wait: 2_000_000_000 });
  const js = jetstream(nc);
  const acked = new Set<string>();
  const received = new Set<string>();
  let publishing = true;
  let n = 0;
  const publisher = (async () => {
    while (publishing) {
      const id = `id-${n++}`;
      for (;;) {
        try {
          await js.publish("roll", id, { msgID: id, timeout: 1500 });
          acked.add(id);
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
  })();
  let consuming = true;
  const consumer = (async () => {
    while (consuming) {
      try {
        const cons = await js.consumers.get("ROLL", "C");
        const batch = await cons.fetch({ max_messages: 50, expires: 1000 });
        for await (const m of batch) {
          received.add(m.string());
          m.ack();
        }
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  })();
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 1500));
    await c.cluster.nodes[i]!.proc.stop("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    await c.cluster.start(i);
    await healthy(c, i);
  }
  await new Promise((r) => setTimeout(r, 1000));
  publishing = false;
  await publisher;
  await waitUntil(() => [...acked].every((id) => received.has(id)), 60_000, `every acknowledged message consumed (${acked.size} acked)`).finally(() => {
    consuming = false;
  });
  await consumer;
  assert.ok(acked.size > 20, `publishing went on during the restarts (${acked.size} acked)`);
  const info = await api(nc, "STREAM.INFO.ROLL");
  const state = info.state as { messages: number; last_seq: number };
  const replicas = await Promise.all(c.httpPorts.map(async (p) => JSON.stringify(((await (await fetch(`http://127.0.0.1:${p}/jsz?streams=true`)).json()) as any).account_details?.[0]?.stream_detail?.[0]?.state)));
  assert.equal(state.messages, acked.size, `the stream holds each acknowledged message once (replicas: ${replicas.join(" | ")}; leader: ${JSON.stringify(info.cluster)})`);
});
