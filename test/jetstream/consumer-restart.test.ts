/**
 * Consumer state across restarts: a clean stop and a SIGKILL, including kills in the middle of a busy
 * consume loop. Nothing whose ack was confirmed comes back, nothing unacknowledged is lost, no consumer
 * stalls, and info counts are right afterwards.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { api, jsServer, NS, record, sleep, until } from "./consumer-helpers.js";

async function client(url: string, t: { after(fn: () => unknown): void }): Promise<NatsConnection> {
  const nc = await connect({ servers: url, reconnect: false });
  t.after(() => nc.close().catch(() => undefined));
  return nc;
}

for (const signal of ["SIGTERM", "SIGKILL"] as const) {
  test(`consumer state survives a restart (${signal})`, { timeout: 60_000 }, async (t) => {
    const { srv, storeDir } = await jsServer(t);
    const nc = await client(srv.url, t);
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    await jsm.streams.add({ name: "R", subjects: ["r.>"] });
    for (let i = 1; i <= 100; i++) await js.publish(`r.${i % 5}`, String(i));
    await jsm.consumers.add("R", { durable_name: "pull", ack_policy: AckPolicy.Explicit, ack_wait: 500 * NS });
    await jsm.consumers.add("R", { durable_name: "none", ack_policy: AckPolicy.None, deliver_subject: "r.none.out".replace("r.", "x.") });
    const c = await js.consumers.get("R", "pull");
    const acked = new Set<number>();
    let k = 0;
    for await (const m of await c.fetch({ max_messages: 30, expires: 1000 })) {
      if (++k <= 20) {
        assert.equal(await m.ackAck(), true);
        acked.add(m.seq);
      }
    }
    const none = record(nc, "x.none.out");
    await until(() => none.msgs.length === 100, 2000, "the push consumer's messages");
    none.stop();
    await nc.close();

    const exited = await Promise.race([srv.stop(signal).then(() => true), sleep(10_000).then(() => false)]);
    assert.ok(exited, `the server exits on ${signal}`);
    const again = await jsServer(t, { storeDir, port: srv.port });
    const nc2 = await client(again.srv.url, t);
    const info = await api(nc2, "CONSUMER.INFO.R.pull");
    assert.equal(info.error, undefined, JSON.stringify(info.error));
    assert.equal(info.delivered.stream_seq, 30);
    assert.equal(info.ack_floor.stream_seq, 20);
    assert.equal(info.num_ack_pending, 10);
    assert.equal(info.num_pending, 70);
    assert.equal(info.config.ack_wait, 500 * NS);
    const ni = await api(nc2, "CONSUMER.INFO.R.none");
    assert.equal(ni.delivered.stream_seq, signal === "SIGTERM" ? 100 : ni.delivered.stream_seq);
    assert.ok(ni.delivered.stream_seq <= 100);

    const js2 = jetstream(nc2);
    const c2 = await js2.consumers.get("R", "pull");
    const got = new Map<number, number>();
    const it = await c2.consume({ max_messages: 20, expires: 1000 });
    const reading = (async () => {
      for await (const m of it) {
        got.set(m.seq, m.info.deliveryCount);
        await m.ackAck();
        if (got.size === 80) break;
      }
    })();
    await Promise.race([reading, sleep(15_000)]);
    it.stop();
    assert.equal(got.size, 80, `after the restart: ${[...got.keys()].sort((x, y) => x - y).join(",")}`);
    for (const s of acked) assert.equal(got.has(s), false, `acknowledged ${s} came back`);
    for (let s = 21; s <= 30; s++) assert.equal(got.get(s), 2, `unacknowledged ${s} redelivered once`);
    for (let s = 31; s <= 100; s++) assert.equal(got.get(s), 1, `${s} delivered`);
    const end = await api(nc2, "CONSUMER.INFO.R.pull");
    assert.equal(end.num_ack_pending, 0);
    assert.equal(end.num_pending, 0);
    assert.equal(end.num_redelivered, 0);
    assert.deepEqual([end.ack_floor.stream_seq, end.delivered.stream_seq], [100, 100]);
  });
}

// A recovered consumer counts what is left to deliver when first asked, not at start (issue #10): the
// messages stored and removed between the restart and the first request must be counted all the same,
// and the running count kept in step afterwards. The ack subject's pending token reads the running count.
test("num_pending after a restart counts what was stored and removed before the first request", { timeout: 30_000 }, async (t) => {
  const { srv, storeDir } = await jsServer(t);
  const nc = await client(srv.url, t);
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  await jsm.streams.add({ name: "P", subjects: ["p.>"] });
  for (let i = 0; i < 20; i++) await js.publish(`p.${i % 2}`, String(i));
  await jsm.consumers.add("P", { durable_name: "f", ack_policy: AckPolicy.Explicit, filter_subject: "p.1" });
  const c = await js.consumers.get("P", "f");
  for await (const m of await c.fetch({ max_messages: 2, expires: 1000 })) assert.equal(await m.ackAck(), true);
  await nc.close();
  await srv.stop("SIGTERM");

  const again = await jsServer(t, { storeDir, port: srv.port });
  const nc2 = await client(again.srv.url, t);
  const js2 = jetstream(nc2);
  // 10 matching stored, 2 delivered; then 3 more matching and 2 not, and one undelivered match removed.
  for (let i = 0; i < 3; i++) await js2.publish("p.1", "late");
  for (let i = 0; i < 2; i++) await js2.publish("p.0", "late");
  const jsm2 = await jetstreamManager(nc2);
  assert.equal(await jsm2.streams.deleteMessage("P", 6), true); // seq 6 is p.1, not yet delivered
  const c2 = await js2.consumers.get("P", "f");
  const first = await c2.next({ expires: 2000 });
  assert.equal(first?.seq, 8);
  assert.equal(first?.info.pending, 9, "left after the first delivery: 12 matching - 3 delivered");
  await js2.publish("p.1", "later");
  await js2.publish("p.0", "later");
  const second = await c2.next({ expires: 2000 });
  assert.equal(second?.seq, 10);
  assert.equal(second?.info.pending, 9, "one more stored, one more delivered");
  const info = await api(nc2, "CONSUMER.INFO.P.f");
  assert.equal(info.num_pending, 9);
});

test("SIGKILL during a busy consume loop: no confirmed ack comes back, nothing is lost, no stall", { timeout: 90_000 }, async (t) => {
  const { srv, storeDir } = await jsServer(t);
  let current = srv;
  const TOTAL = 3000;
  {
    const nc = await client(srv.url, t);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "K", subjects: ["k"] });
    // ack_wait is long enough that nothing is redelivered while a round is working through its batch.
    await jsm.consumers.add("K", { durable_name: "w", ack_policy: AckPolicy.Explicit, ack_wait: 2000 * NS, max_ack_pending: 200 });
    const js = jetstream(nc);
    const acks = [];
    for (let i = 0; i < TOTAL; i++) acks.push(js.publish("k", String(i)));
    await Promise.all(acks);
    await nc.close();
  }
  /** The round in which each sequence's ack was confirmed by the server. */
  const confirmedIn = new Map<number, number>();
  for (let round = 0; round < 4; round++) {
    const nc = await client(current.url, t);
    const c = await jetstream(nc).consumers.get("K", "w");
    const it = await c.consume({ max_messages: 50, expires: 1000 });
    let violation: string | undefined;
    const loop = (async () => {
      try {
        for await (const m of it) {
          const was = confirmedIn.get(m.seq);
          if (was !== undefined && was < round) violation ??= `${m.seq}, confirmed in round ${was}, delivered again in round ${round}`;
          if (await m.ackAck().catch(() => false)) confirmedIn.set(m.seq, round);
        }
      } catch {
        // the connection died under the loop
      }
    })();
    if (round < 3) {
      await sleep(150 + round * 100);
      await current.stop("SIGKILL");
      // The client notices the dead connection in its own time; the loop is not what is tested here.
      await Promise.race([nc.closed(), sleep(2000)]);
      it.stop();
      await nc.close().catch(() => undefined);
      await Promise.race([loop, sleep(3000)]);
      current = (await jsServer(t, { storeDir, port: current.port })).srv;
    } else {
      const info = await until(
        async () => {
          const i = await api(nc, "CONSUMER.INFO.K.w");
          return i.ack_floor?.stream_seq === TOTAL ? i : undefined;
        },
        20_000,
        "every message acknowledged",
      );
      assert.equal(info!.num_pending, 0);
      assert.equal(info!.num_ack_pending, 0);
      it.stop();
    }
    assert.equal(violation, undefined);
  }
  assert.ok(confirmedIn.size >= TOTAL - 5, `nearly every ack confirmed to the client (${confirmedIn.size})`);
});

// Issue #15 D15: nats-server (2.9.10 and later) keeps ephemeral consumers on disk, so a KV watcher (an
// ordered push consumer with a 30 s heartbeat) carries on at once after a restart. Without the consumer
// the client only notices after two missed heartbeats: 60 s.
test("an ephemeral consumer survives a restart: a KV watcher sees the next put at once", { timeout: 60_000 }, async (t) => {
  const { srv, storeDir } = await jsServer(t);
  const nc = await connect({ servers: srv.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  t.after(() => nc.close().catch(() => undefined));
  const kv = await new Kvm(nc).create("restart");
  await kv.put("k", "before");
  const seen: string[] = [];
  const it = await kv.watch({ key: "k" });
  void (async () => {
    for await (const e of it) seen.push(e.string());
  })();
  await until(() => seen.includes("before"), 3000, "the value before the restart");
  await srv.stop("SIGKILL");
  await jsServer(t, { storeDir, port: srv.port });
  await until(async () => (await kv.put("k", "after").then(() => true, () => false)), 10_000, "a put after the restart");
  const putAt = Date.now();
  await until(() => seen.includes("after"), 10_000, "the watcher's update after the restart");
  assert.ok(Date.now() - putAt < 3000, `the watcher took ${Date.now() - putAt} ms`);
  it.stop();
});
