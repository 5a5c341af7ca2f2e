/**
 * Push consumers: delivery to deliver_subject while someone listens, queue groups sharing the work,
 * idle heartbeats and flow control, push_bound, nats.js push and ordered consumers, and the
 * inactivity cleanup of ephemerals.
 */
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { AckPolicy, DeliverPolicy } from "@nats-io/jetstream";
import { suiteCleanup } from "../e2e/support.js";
import { api, fill, IMPL, jsEnv, NS, record, sleep, status, until, type JsEnv } from "./consumer-helpers.js";

describe("push consumers", () => {
  const cleanup = suiteCleanup();
  let env: JsEnv;
  before(async () => {
    env = await jsEnv(cleanup);
    await env.jsm.streams.add({ name: "Q", subjects: ["q.>"] });
    await fill(env.js, (i) => `q.${i % 4}`, 40);
  });
  after(() => cleanup.run());

  const create = (name: string, cfg: Record<string, unknown>): Promise<Record<string, any>> =>
    api(env.nc, `CONSUMER.DURABLE.CREATE.Q.${name}`, { stream_name: "Q", config: { durable_name: name, ...cfg } });

  test("delivers to the deliver subject with the original subjects", async () => {
    const rec = record(env.nc, "push.all");
    await env.nc.flush();
    const r = await create("all", { deliver_subject: "push.all", ack_policy: "none" });
    assert.equal(r.error, undefined);
    await until(() => rec.msgs.length === 40, 3000, "40 messages");
    assert.deepEqual(rec.msgs.slice(0, 4).map((m) => m.subject), ["q.0", "q.1", "q.2", "q.3"]);
    assert.equal(rec.msgs[39]!.reply!.split(".")[8], "0");
    const info = await api(env.nc, "CONSUMER.INFO.Q.all");
    assert.equal(info.push_bound, true);
    assert.deepEqual(info.ack_floor, { ...info.ack_floor, stream_seq: 40, consumer_seq: 40 });
    rec.stop();
  });

  test("nothing goes out without interest; delivery starts when a subscriber comes", async () => {
    const r = await create("later", { deliver_subject: "push.later", ack_policy: "explicit" });
    assert.equal(r.error, undefined);
    assert.equal(r.push_bound, undefined);
    await sleep(200);
    let info = await api(env.nc, "CONSUMER.INFO.Q.later");
    assert.equal(info.delivered.consumer_seq, 0);
    const rec = record(env.nc, "push.later");
    await until(() => rec.msgs.length === 40, 3000, "delivery once bound");
    info = await api(env.nc, "CONSUMER.INFO.Q.later");
    assert.equal(info.push_bound, true);
    assert.equal(info.num_ack_pending, 40);
    rec.stop();
  });

  test("a deliver group shares the messages among queue subscribers", async () => {
    const a = record(env.nc, "push.q", { queue: "workers" });
    const b = record(env.nc, "push.q", { queue: "workers" });
    await env.nc.flush();
    const r = await create("grp", { deliver_subject: "push.q", deliver_group: "workers", ack_policy: "explicit" });
    assert.equal(r.error, undefined);
    await until(() => a.msgs.length + b.msgs.length === 40, 3000, "40 messages in total");
    assert.ok(a.msgs.length > 0 && b.msgs.length > 0, `both members work (${a.msgs.length}/${b.msgs.length})`);
    const seqs = [...a.msgs, ...b.msgs].map((m) => Number(m.reply!.split(".")[5])).sort((x, y) => x - y);
    assert.deepEqual(seqs, Array.from({ length: 40 }, (_, i) => i + 1), "each message once");
    a.stop();
    b.stop();
  });

  test("idle heartbeats carry the last sequences", async () => {
    const rec = record(env.nc, "push.hb");
    await env.nc.flush();
    const r = await create("hb", { deliver_subject: "push.hb", ack_policy: "none", idle_heartbeat: 200 * NS, deliver_policy: "last" });
    assert.equal(r.error, undefined);
    await until(() => rec.msgs.length >= 2, 2000, "a message and a heartbeat");
    assert.equal(rec.msgs[0]!.string(), "m39");
    const hb = rec.msgs[1]!;
    assert.deepEqual(status(hb), [100, "Idle Heartbeat"]);
    assert.equal(hb.headers!.get("Nats-Last-Consumer"), "1");
    assert.equal(hb.headers!.get("Nats-Last-Stream"), "40");
    rec.stop();
  });

  test("flow control: the server waits for the reply to its request", async () => {
    await env.jsm.streams.add({ name: "BIG", subjects: ["big"] });
    const payload = "x".repeat(64 * 1024);
    await fill(env.js, () => "big", 64, () => payload);
    const rec = record(env.nc, "push.fc");
    await env.nc.flush();
    const r = await api(env.nc, "CONSUMER.CREATE.BIG", { stream_name: "BIG", config: { deliver_subject: "push.fc", ack_policy: "none", flow_control: true, idle_heartbeat: 1000 * NS } });
    assert.equal(r.error, undefined);
    await until(() => rec.msgs.some((m) => status(m)[0] === 100 && m.headers!.description === "FlowControl Request"), 3000, "a flow control request");
    await sleep(200);
    const fc = rec.msgs.find((m) => status(m)[0] === 100 && m.headers!.description === "FlowControl Request")!;
    const before = rec.msgs.filter((m) => m.data.length > 0).length;
    assert.ok(before < 64, `stalled before the end (${before})`);
    assert.ok(fc.reply!.startsWith("$JS.FC.BIG."));
    fc.respond();
    await until(() => rec.msgs.filter((m) => m.data.length > 0).length === 64, 3000, "the rest after answering");
    rec.stop();
  });

  test("headers_only sends headers and Nats-Msg-Size", async () => {
    const rec = record(env.nc, "push.ho");
    await env.nc.flush();
    await create("ho", { deliver_subject: "push.ho", ack_policy: "none", headers_only: true, filter_subject: "q.1" });
    await until(() => rec.msgs.length === 10, 2000, "ten messages");
    const m = rec.msgs[0]!;
    assert.equal(m.data.length, 0);
    assert.equal(m.headers!.get("Nats-Msg-Size"), "2");
    rec.stop();
  });

  test("nats.js push consumer with acks, and an ordered push consumer", async () => {
    await env.jsm.consumers.add("Q", { durable_name: "jspush", deliver_subject: "push.js", ack_policy: AckPolicy.Explicit, filter_subject: "q.2" });
    const pc = await env.js.consumers.getPushConsumer("Q", "jspush");
    const it = await pc.consume();
    let count = 0;
    for await (const m of it) {
      m.ack();
      if (++count === 10) break;
    }
    assert.equal(count, 10);
    if (IMPL !== "tsnats") return; // nats.js needs 2.10 for the filtered ordered consumer below
    const oc = await env.js.consumers.getPushConsumer("Q", { deliver_policy: DeliverPolicy.All, filter_subjects: ["q.3"] });
    const oit = await oc.consume();
    const got: string[] = [];
    for await (const m of oit) {
      got.push(m.string());
      if (m.info.pending === 0) break;
    }
    assert.equal(got.length, 10);
    assert.equal(got[9], "m39");
  });

  test("an ephemeral push consumer is deleted after its inactive threshold without interest", async () => {
    const rec = record(env.nc, "push.eph");
    await env.nc.flush();
    const r = await api(env.nc, "CONSUMER.CREATE.Q", { stream_name: "Q", config: { deliver_subject: "push.eph", ack_policy: "none", inactive_threshold: 300 * NS } });
    assert.equal(r.error, undefined);
    await until(() => rec.msgs.length === 40, 2000, "delivery");
    await sleep(500);
    assert.equal((await api(env.nc, `CONSUMER.INFO.Q.${r.name}`)).error, undefined, "kept while bound");
    rec.stop();
    await until(async () => (await api(env.nc, `CONSUMER.INFO.Q.${r.name}`)).error?.err_code === 10014, 3000, "deletion");
  });

  test("rate_limit_bps paces delivery", async () => {
    // The burst is one maximum message: the stream's max_msg_size.
    await env.jsm.streams.add({ name: "RL", subjects: ["rl"], max_msg_size: 1100 });
    await fill(env.js, () => "rl", 10, () => "y".repeat(1000));
    const rec = record(env.nc, "push.rl");
    await env.nc.flush();
    const t0 = Date.now();
    // 80 kbit/s = 10 KB/s: ten messages of ~1 KB take most of a second after the first burst.
    await api(env.nc, "CONSUMER.CREATE.RL", { stream_name: "RL", config: { deliver_subject: "push.rl", ack_policy: "none", rate_limit_bps: 80_000 } });
    await until(() => rec.msgs.length === 10, 5000, "ten messages");
    assert.ok(Date.now() - t0 > 700, `paced (${Date.now() - t0} ms)`);
    rec.stop();
  });
});
