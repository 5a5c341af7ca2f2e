/**
 * Consumer lifecycles: inactivity cleanup of pull ephemerals (and durables that ask for it), moving a
 * push consumer to another deliver subject, memory-backed consumers, and the config nats.js sends back
 * on update.
 */
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { AckPolicy } from "@nats-io/jetstream";
import { suiteCleanup } from "../e2e/support.js";
import { api, fill, jsEnv, NS, record, sleep, until, type JsEnv } from "./consumer-helpers.js";

describe("consumer lifecycle", () => {
  const cleanup = suiteCleanup();
  let env: JsEnv;
  before(async () => {
    env = await jsEnv(cleanup);
    await env.jsm.streams.add({ name: "L", subjects: ["l.>"] });
    await fill(env.js, (i) => `l.${i}`, 5);
  });
  after(() => cleanup.run());

  test("a pull ephemeral without requests is deleted after its inactive threshold; requests keep it", async () => {
    const r = await api(env.nc, "CONSUMER.CREATE.L", { stream_name: "L", config: { ack_policy: "explicit", inactive_threshold: 400 * NS } });
    assert.equal(r.error, undefined);
    const keep = record(env.nc, "life.keep");
    for (let i = 0; i < 4; i++) {
      env.nc.publish(`$JS.API.CONSUMER.MSG.NEXT.L.${r.name}`, JSON.stringify({ batch: 1, expires: 300 * NS }), { reply: "life.keep" });
      await sleep(250);
    }
    assert.equal((await api(env.nc, `CONSUMER.INFO.L.${r.name}`)).error, undefined, "kept alive by requests and acks");
    for (const m of keep.msgs) if (m.data.length > 0) m.respond();
    keep.stop();
    await until(async () => (await api(env.nc, `CONSUMER.INFO.L.${r.name}`)).error?.err_code === 10014, 4000, "deletion");
  });

  test("a durable with an inactive threshold goes too; one without stays", async () => {
    await api(env.nc, "CONSUMER.DURABLE.CREATE.L.dt", { stream_name: "L", config: { durable_name: "dt", ack_policy: "explicit", inactive_threshold: 300 * NS } });
    await api(env.nc, "CONSUMER.DURABLE.CREATE.L.stay", { stream_name: "L", config: { durable_name: "stay", ack_policy: "explicit" } });
    await until(async () => (await api(env.nc, "CONSUMER.INFO.L.dt")).error?.err_code === 10014, 4000, "deletion");
    assert.equal((await api(env.nc, "CONSUMER.INFO.L.stay")).error, undefined);
  });

  test("moving a push consumer to another deliver subject redelivers what was pending there", async () => {
    const first = record(env.nc, "life.one");
    await env.nc.flush();
    await api(env.nc, "CONSUMER.DURABLE.CREATE.L.mv", { stream_name: "L", config: { durable_name: "mv", ack_policy: "explicit", deliver_subject: "life.one" } });
    await until(() => first.msgs.length === 5, 2000, "five messages");
    first.msgs[0]!.respond();
    first.stop();
    const second = record(env.nc, "life.two");
    await env.nc.flush();
    const u = await api(env.nc, "CONSUMER.DURABLE.CREATE.L.mv", { stream_name: "L", config: { durable_name: "mv", ack_policy: "explicit", deliver_subject: "life.two" } });
    assert.equal(u.error, undefined, JSON.stringify(u.error));
    await until(() => second.msgs.length === 4, 2000, "the four pending again");
    assert.deepEqual(second.msgs.map((m) => m.string()), ["m1", "m2", "m3", "m4"]);
    assert.equal(Number(second.msgs[0]!.reply!.split(".")[4]), 2);
    second.stop();
  });

  test("mem_storage consumers work on a file stream; consumers of a memory stream too", async () => {
    await env.jsm.consumers.add("L", { durable_name: "mem", ack_policy: AckPolicy.Explicit, mem_storage: true });
    const c = await env.js.consumers.get("L", "mem");
    let n = 0;
    for await (const m of await c.fetch({ max_messages: 5, expires: 1000 })) {
      n++;
      m.ack();
    }
    assert.equal(n, 5);
    await env.jsm.streams.add({ name: "M", subjects: ["mem.>"], storage: "memory" as never });
    await fill(env.js, (i) => `mem.${i}`, 3);
    await env.jsm.consumers.add("M", { durable_name: "d", ack_policy: AckPolicy.Explicit });
    const mc = await env.js.consumers.get("M", "d");
    const got: string[] = [];
    for await (const m of await mc.fetch({ max_messages: 3, expires: 1000 })) {
      got.push(m.string());
      m.ack();
    }
    assert.deepEqual(got, ["m0", "m1", "m2"]);
  });

  test("nats.js update sends back the reported config with changes", async () => {
    await env.jsm.consumers.add("L", { durable_name: "upd", ack_policy: AckPolicy.Explicit, max_deliver: 5 });
    const ci = await env.jsm.consumers.update("L", "upd", { description: "changed", max_ack_pending: 10 });
    assert.equal(ci.config.description, "changed");
    assert.equal(ci.config.max_ack_pending, 10);
    assert.equal(ci.config.max_deliver, 5);
    await assert.rejects(env.jsm.consumers.update("L", "nope", { description: "x" }));
  });
});
