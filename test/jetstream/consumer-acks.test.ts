/**
 * Acknowledgements and redelivery: +ACK, -NAK (with delay), +WPI, +TERM (reason), +NXT, the empty reply
 * to an ack sent as a request, ack_wait and backoff timing, max_deliver with its advisory,
 * max_ack_pending, ack policy all, and the NAK / TERMINATED / ack-metric events.
 */
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import type { Msg } from "@nats-io/transport-node";
import { suiteCleanup } from "../e2e/support.js";
import { api, fill, IMPL, jsEnv, NS, record, sleep, until, type JsEnv } from "./consumer-helpers.js";

describe("acks and redelivery", () => {
  const cleanup = suiteCleanup();
  let env: JsEnv;
  let n = 0;
  before(async () => {
    env = await jsEnv(cleanup);
  });
  after(() => cleanup.run());

  /** A stream of its own with `count` messages and a durable pull consumer on it. */
  async function setup(cfg: Record<string, unknown>, count = 3): Promise<{ stream: string; pull(batch: number, expiresMs?: number): ReturnType<typeof record> }> {
    const stream = `A${++n}`;
    await env.jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
    await fill(env.js, (i) => `${stream}.${i}`, count);
    const r = await api(env.nc, `CONSUMER.DURABLE.CREATE.${stream}.c`, { stream_name: stream, config: { durable_name: "c", ack_policy: "explicit", ...cfg } });
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    let k = 0;
    return {
      stream,
      pull(batch: number, expiresMs = 5000) {
        const reply = `${stream}.inbox.${++k}`.replace(`${stream}.`, `in.${stream}.`);
        const rec = record(env.nc, reply);
        env.nc.publish(`$JS.API.CONSUMER.MSG.NEXT.${stream}.c`, JSON.stringify({ batch, expires: expiresMs * NS }), { reply });
        return rec;
      },
    };
  }

  const data = (msgs: Msg[]): string[] => msgs.filter((m) => m.headers?.code === undefined || m.headers.code === 0).map((m) => m.string());
  const dcOf = (m: Msg): number => Number(m.reply!.split(".")[4]);

  test("ack removes a message for good; unacked ones come back after ack_wait", async () => {
    const s = await setup({ ack_wait: 300 * NS });
    const r = s.pull(10, 2000);
    await until(() => data(r.msgs).length === 3, 2000, "three messages");
    r.msgs[0]!.respond(); // empty body = ack
    r.msgs[1]!.respond("+ACK");
    await until(() => data(r.msgs).length === 4, 2000, "the redelivery");
    const again = r.msgs.filter((m) => m.headers?.code === undefined)[3]!;
    assert.equal(again.string(), "m2");
    assert.equal(dcOf(again), 2);
    assert.equal(again.reply!.split(".")[6], "4", "a redelivery takes a new consumer sequence");
    const info = await api(env.nc, `CONSUMER.INFO.${s.stream}.c`);
    assert.equal(info.num_redelivered, 1);
    assert.equal(info.num_ack_pending, 1);
    assert.deepEqual(info.ack_floor, { ...info.ack_floor, consumer_seq: 2, stream_seq: 2 });
    r.stop();
  });

  test("an ack sent as a request gets an empty reply (double ack)", async () => {
    const s = await setup({});
    const r = s.pull(1);
    await until(() => r.msgs.length === 1, 2000, "a message");
    const reply = await env.nc.request(r.msgs[0]!.reply!, "+ACK", { timeout: 2000 });
    assert.equal(reply.data.length, 0);
    const info = await api(env.nc, `CONSUMER.INFO.${s.stream}.c`);
    assert.equal(info.num_ack_pending, 0);
    assert.equal(info.ack_floor.stream_seq, 1);
    r.stop();
  });

  test("-NAK redelivers at once; -NAK with a delay waits; +WPI extends ack_wait", async () => {
    const s = await setup({ ack_wait: 1000 * NS }, 3);
    const naks = record(env.nc, `$JS.EVENT.ADVISORY.CONSUMER.MSG_NAKED.${s.stream}.c`);
    await env.nc.flush();
    const r = s.pull(10, 4000);
    await until(() => data(r.msgs).length === 3, 2000, "three messages");
    const [m1, m2, m3] = r.msgs;
    const t0 = Date.now();
    m1!.respond("-NAK");
    m2!.respond(`-NAK {"delay": ${400 * NS}}`);
    await until(() => data(r.msgs).length === 4, 1000, "the first redelivery");
    assert.equal(data(r.msgs)[3], "m0");
    assert.ok(Date.now() - t0 < 300, "a plain NAK comes back at once");
    await until(() => data(r.msgs).length === 5, 2000, "the delayed redelivery");
    assert.equal(data(r.msgs)[4], "m1");
    assert.ok(Date.now() - t0 >= 350, `a NAK delay is honoured (${Date.now() - t0} ms)`);
    // m3 is kept in progress past its ack wait.
    for (let i = 0; i < 4; i++) {
      await sleep(400);
      m3!.respond("+WPI");
    }
    assert.ok(!data(r.msgs).slice(3).includes("m2"), "in-progress message not redelivered");
    await until(() => naks.msgs.length === 2, 1000, "two NAK advisories");
    const a = naks.msgs[0]!.json<Record<string, unknown>>();
    assert.equal(a.type, "io.nats.jetstream.advisory.v1.nak");
    assert.equal(a.stream_seq, 1);
    assert.equal(a.consumer_seq, 1);
    assert.equal(a.deliveries, 1);
    r.stop();
    naks.stop();
  });

  // nats-server 2.9.10 knows only a bare +TERM; reasons came with 2.10.
  test("+TERM stops redelivery and sends the terminated advisory with its reason", { skip: IMPL !== "tsnats" }, async () => {
    const s = await setup({ ack_wait: 200 * NS }, 1);
    const adv = record(env.nc, `$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.${s.stream}.c`);
    await env.nc.flush();
    const r = s.pull(5, 1500);
    await until(() => r.msgs.length === 1, 2000, "a message");
    r.msgs[0]!.respond("+TERM bad payload");
    await until(() => adv.msgs.length === 1, 2000, "the advisory");
    const a = adv.msgs[0]!.json<Record<string, unknown>>();
    assert.equal(a.type, "io.nats.jetstream.advisory.v1.terminated");
    assert.equal(a.reason, "bad payload");
    assert.equal(a.stream_seq, 1);
    await sleep(500);
    assert.equal(data(r.msgs).length, 1, "no redelivery after TERM");
    r.stop();
    adv.stop();
  });

  test("+NXT acks and asks for the next message on the ack's reply", async () => {
    const s = await setup({}, 3);
    const r = s.pull(1);
    await until(() => r.msgs.length === 1, 2000, "a message");
    const nxt = record(env.nc, "nxt.inbox");
    env.nc.publish(r.msgs[0]!.reply!, "+NXT", { reply: "nxt.inbox" });
    await until(() => nxt.msgs.length === 1, 2000, "the next message");
    assert.equal(nxt.msgs[0]!.string(), "m1");
    env.nc.publish(nxt.msgs[0]!.reply!, `+NXT {"batch":2}`, { reply: "nxt.inbox" });
    await until(() => nxt.msgs.length === 2, 2000, "one more");
    const info = await api(env.nc, `CONSUMER.INFO.${s.stream}.c`);
    assert.equal(info.ack_floor.stream_seq, 2);
    r.stop();
    nxt.stop();
  });

  test("backoff sets the wait before each redelivery; max_deliver ends it with an advisory", async () => {
    const s = await setup({ backoff: [100 * NS, 300 * NS, 600 * NS], max_deliver: 4 }, 1);
    const adv = record(env.nc, `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${s.stream}.c`);
    await env.nc.flush();
    const r = s.pull(10, 4000);
    const times: number[] = [];
    await until(() => {
      while (times.length < r.msgs.length) times.push(Date.now());
      return adv.msgs.length === 1;
    }, 4000, "the max deliveries advisory");
    const d = data(r.msgs);
    assert.equal(d.length, 4, "delivered max_deliver times");
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // Never early; the upper bounds leave room for a loaded machine.
    // Times are taken where the client reads, so a late first read shortens the first gap a little.
    assert.ok(gaps[0]! >= 60 && gaps[0]! < 1000, `first wait ~100ms (${gaps})`);
    assert.ok(gaps[1]! >= 250 && gaps[1]! < 1300, `second wait ~300ms (${gaps})`);
    assert.ok(gaps[2]! >= 530, `third wait ~600ms (${gaps})`);
    assert.ok(gaps[0]! + gaps[1]! + gaps[2]! >= 950, `the waits add up to the backoff (${gaps})`);
    const a = adv.msgs[0]!.json<Record<string, unknown>>();
    assert.equal(a.type, "io.nats.jetstream.advisory.v1.max_deliver");
    assert.equal(a.stream, s.stream);
    assert.equal(a.consumer, "c");
    assert.equal(a.stream_seq, 1);
    assert.equal(a.deliveries, 4);
    const info = await api(env.nc, `CONSUMER.INFO.${s.stream}.c`);
    assert.equal(info.num_ack_pending, 0);
    assert.equal(info.num_redelivered, 1);
    r.stop();
    adv.stop();
  });

  test("max_ack_pending holds back deliveries until acks arrive", async () => {
    const s = await setup({ max_ack_pending: 2 }, 5);
    const r = s.pull(5, 3000);
    await until(() => r.msgs.length === 2, 2000, "two messages");
    await sleep(200);
    assert.equal(r.msgs.length, 2, "no third while two are pending");
    r.msgs[0]!.respond("+ACK");
    await until(() => r.msgs.length === 3, 2000, "a third after an ack");
    const info = await api(env.nc, `CONSUMER.INFO.${s.stream}.c`);
    assert.equal(info.num_ack_pending, 2);
    assert.equal(info.num_pending, 2);
    r.stop();
  });

  test("ack policy all: one ack covers everything before it", async () => {
    const s = await setup({ ack_policy: "all" }, 5);
    const r = s.pull(5);
    await until(() => r.msgs.length === 5, 2000, "five messages");
    r.msgs[3]!.respond("+ACK");
    await until(async () => (await api(env.nc, `CONSUMER.INFO.${s.stream}.c`)).num_ack_pending === 1, 2000, "acks applied");
    const info = await api(env.nc, `CONSUMER.INFO.${s.stream}.c`);
    assert.deepEqual([info.ack_floor.stream_seq, info.ack_floor.consumer_seq], [4, 4]);
    r.stop();
  });

  test("sampled ack metrics", async () => {
    const s = await setup({ sample_freq: "100%" }, 1);
    const metric = record(env.nc, `$JS.EVENT.METRIC.CONSUMER.ACK.${s.stream}.c`);
    await env.nc.flush();
    const r = s.pull(1);
    await until(() => r.msgs.length === 1, 2000, "a message");
    r.msgs[0]!.respond("+ACK");
    await until(() => metric.msgs.length === 1, 2000, "the metric");
    const m = metric.msgs[0]!.json<Record<string, unknown>>();
    assert.equal(m.type, "io.nats.jetstream.metric.v1.consumer_ack");
    assert.equal(m.stream_seq, 1);
    assert.equal(m.deliveries, 1);
    assert.ok(typeof m.ack_time === "number" && m.ack_time >= 0);
    r.stop();
    metric.stop();
  });
});
