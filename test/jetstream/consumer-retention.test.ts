/**
 * Operator scenarios: a workqueue drained by a durable pull consumer with backoff and max_deliver whose
 * failures land in a dead-letter stream through the MAX_DELIVERIES advisory; interest retention; a push
 * consumer with a queue group and a pull consumer on the same stream at once.
 */
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { AckPolicy, RetentionPolicy, type JsMsg } from "@nats-io/jetstream";
import { suiteCleanup } from "../e2e/support.js";
import { api, IMPL, jsEnv, NS, record, sleep, until, type JsEnv } from "./consumer-helpers.js";

describe("retention and operator scenarios", () => {
  const cleanup = suiteCleanup();
  let env: JsEnv;
  before(async () => {
    env = await jsEnv(cleanup);
  });
  after(() => cleanup.run());

  test("workqueue + backoff + max_deliver + dead-letter stream fed by the advisory", async () => {
    await env.jsm.streams.add({ name: "JOBS", subjects: ["jobs.>"], retention: RetentionPolicy.Workqueue });
    await env.jsm.streams.add({ name: "DLQ", subjects: ["$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.JOBS.*"] });
    // The operator's `--ack explicit --max-pending 2048 --pull --backoff 1s,2s,5s,10s`, in milliseconds.
    const backoff = [100, 200, 300, 400].map((ms) => ms * NS);
    await env.jsm.consumers.add("JOBS", { durable_name: "worker", ack_policy: AckPolicy.Explicit, max_ack_pending: 2048, backoff, max_deliver: 5 });
    for (let i = 0; i < 30; i++) await env.js.publish(`jobs.${i}`, JSON.stringify({ id: i }));

    const worker = await env.js.consumers.get("JOBS", "worker");
    const attempts = new Map<number, number>();
    const it = await worker.consume({ max_messages: 10, expires: 2000 });
    const done = (async () => {
      for await (const m of it) {
        const { id } = m.json<{ id: number }>();
        attempts.set(id, (attempts.get(id) ?? 0) + 1);
        assert.equal(m.info.deliveryCount, attempts.get(id));
        if (id % 10 === 3) continue; // poison: never acknowledged
        await m.ackAck();
      }
    })();
    await until(async () => (await env.jsm.streams.info("DLQ")).state.messages === 3, 6000, "three dead letters");
    it.stop();
    await done;
    for (const id of [3, 13, 23]) assert.equal(attempts.get(id), 5, `job ${id} tried max_deliver times`);
    const info = await env.jsm.streams.info("JOBS");
    assert.equal(info.state.messages, 3, "only the poison messages stay in the work queue");
    const ci = await worker.info();
    assert.equal(ci.num_ack_pending, 0);
    assert.equal(ci.num_pending, 0);

    // The dead-letter handler finds each original through the advisory and removes it.
    const dlq = await env.js.consumers.get("DLQ");
    const seen: number[] = [];
    for await (const m of await dlq.fetch({ max_messages: 3, expires: 1000 })) {
      const adv = m.json<{ stream: string; consumer: string; stream_seq: number; deliveries: number }>();
      assert.equal(adv.stream, "JOBS");
      assert.equal(adv.consumer, "worker");
      assert.equal(adv.deliveries, 5);
      const orig = await env.jsm.streams.getMessage("JOBS", { seq: adv.stream_seq });
      seen.push(orig!.json<{ id: number }>().id);
      await env.jsm.streams.deleteMessage("JOBS", adv.stream_seq);
    }
    assert.deepEqual(seen.sort((a, b) => a - b), [3, 13, 23]);
    assert.equal((await env.jsm.streams.info("JOBS")).state.messages, 0);
    if (IMPL === "tsnats") assert.equal((await worker.info()).num_redelivered, 0, "deleted messages leave no redelivery count (2.10+)");
  });

  test("interest retention keeps a message until every interested consumer acked it", async () => {
    await env.jsm.streams.add({ name: "INT", subjects: ["int.>"], retention: RetentionPolicy.Interest });
    await env.js.publish("int.a", "nobody listens");
    assert.equal((await env.jsm.streams.info("INT")).state.messages, 0, "no consumer: not kept");
    await env.jsm.consumers.add("INT", { durable_name: "all", ack_policy: AckPolicy.Explicit });
    await env.jsm.consumers.add("INT", { durable_name: "onlyb", ack_policy: AckPolicy.Explicit, filter_subject: "int.b" });
    await env.js.publish("int.a", "1");
    await env.js.publish("int.b", "2");
    assert.equal((await env.jsm.streams.info("INT")).state.messages, 2);
    const all = await env.js.consumers.get("INT", "all");
    for await (const m of await all.fetch({ max_messages: 2, expires: 1000 })) await m.ackAck();
    assert.equal((await env.jsm.streams.info("INT")).state.messages, 1, "int.b is still wanted by onlyb");
    const onlyb = await env.js.consumers.get("INT", "onlyb");
    for await (const m of await onlyb.fetch({ max_messages: 1, expires: 1000 })) await m.ackAck();
    await until(async () => (await env.jsm.streams.info("INT")).state.messages === 0, 2000, "an empty stream");
    // Deleting the last interested consumer releases what it held.
    await env.js.publish("int.b", "3");
    await env.jsm.consumers.delete("INT", "onlyb");
    await env.jsm.consumers.delete("INT", "all");
    await until(async () => (await env.jsm.streams.info("INT")).state.messages === 0, 2000, "released messages");
  });

  test("a push consumer with a queue group and a pull consumer on one stream, at once", async () => {
    await env.jsm.streams.add({ name: "MIX", subjects: ["mix"] });
    const a = record(env.nc, "mix.deliver", { queue: "g" });
    const b = record(env.nc, "mix.deliver", { queue: "g" });
    await env.nc.flush();
    await env.jsm.consumers.add("MIX", { durable_name: "push", deliver_subject: "mix.deliver", deliver_group: "g", ack_policy: AckPolicy.Explicit });
    await env.jsm.consumers.add("MIX", { durable_name: "pull", ack_policy: AckPolicy.Explicit });
    const pulled: number[] = [];
    const pc = await env.js.consumers.get("MIX", "pull");
    const it = await pc.consume({ max_messages: 50 });
    const pulling = (async () => {
      for await (const m of it) {
        pulled.push(m.seq);
        m.ack();
        if (pulled.length === 500) break;
      }
    })();
    const pubs = [];
    for (let i = 0; i < 500; i++) pubs.push(env.js.publish("mix", String(i)));
    await Promise.all(pubs);
    await until(() => a.msgs.length + b.msgs.length >= 500, 5000, "push deliveries");
    for (const m of [...a.msgs, ...b.msgs]) m.respond();
    await pulling;
    const pushed = [...a.msgs, ...b.msgs].map((m) => Number(m.reply!.split(".")[5])).sort((x, y) => x - y);
    assert.deepEqual(pushed, Array.from({ length: 500 }, (_, i) => i + 1), "every message once through the queue group");
    assert.ok(a.msgs.length > 50 && b.msgs.length > 50, `both members worked (${a.msgs.length}/${b.msgs.length})`);
    assert.deepEqual(pulled, Array.from({ length: 500 }, (_, i) => i + 1), "the pull consumer got all, in order");
    await sleep(100);
    const pi = await api(env.nc, "CONSUMER.INFO.MIX.push");
    assert.equal(pi.num_ack_pending, 0);
    assert.equal(pi.num_redelivered, 0);
    a.stop();
    b.stop();
  });

  test("a ack-none consumer on a workqueue stream is refused, an ack-none push consumer on interest removes on delivery", async () => {
    const r = await api(env.nc, "CONSUMER.CREATE.JOBS", { stream_name: "JOBS", config: { ack_policy: "none" } });
    assert.equal(r.error?.err_code, 10084);
    await env.jsm.streams.add({ name: "INT2", subjects: ["int2"], retention: RetentionPolicy.Interest });
    const rec = record(env.nc, "int2.out");
    await env.nc.flush();
    await api(env.nc, "CONSUMER.CREATE.INT2", { stream_name: "INT2", config: { deliver_subject: "int2.out", ack_policy: "none" } });
    await env.js.publish("int2", "x");
    await until(() => rec.msgs.length === 1, 2000, "delivery");
    await until(async () => (await env.jsm.streams.info("INT2")).state.messages === 0, 2000, "removal on delivery");
    rec.stop();
  });

  void ({} as JsMsg);
});
