/**
 * Interest and work-queue retention, driven by real consumers (the consumer side's durable pull
 * consumers through nats.js): what is kept without consumers, what an ack removes, and what deleting
 * a consumer releases. Also the StreamHandle seam itself, through a minimal ConsumerHandle.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AckPolicy, RetentionPolicy } from "@nats-io/jetstream";
import { embeddedJs, until, type JsEnv } from "./support.js";
import { suiteCleanup } from "../e2e/support.js";
import { jetStreamOf } from "../../src/jetstream/jetstream.js";
import type { ConsumerHandle } from "../../src/jetstream/contracts.js";
import type { StoredMsg } from "../../src/store/index.js";

const cleanup = suiteCleanup();
let env: JsEnv;

before(async () => {
  env = await embeddedJs(cleanup);
});
after(() => cleanup.run());

const messages = async (name: string): Promise<number> => (await env.jsm.streams.info(name)).state.messages;

describe("interest retention", () => {
  it("keeps nothing while no consumer is interested, but consumes sequences", async () => {
    await env.jsm.streams.add({ name: "INT0", subjects: ["int0"], retention: RetentionPolicy.Interest });
    const a = await env.js.publish("int0", "1");
    const b = await env.js.publish("int0", "2");
    assert.deepEqual([a.seq, b.seq], [1, 2]);
    const s = (await env.jsm.streams.info("INT0")).state;
    assert.deepEqual([s.messages, s.first_seq, s.last_seq], [0, 3, 2]);
  });

  it("keeps a message until every interested consumer acknowledged it", async () => {
    await env.jsm.streams.add({ name: "INT", subjects: ["int.*"], retention: RetentionPolicy.Interest });
    await env.jsm.consumers.add("INT", { durable_name: "all", ack_policy: AckPolicy.Explicit });
    await env.jsm.consumers.add("INT", { durable_name: "only_a", ack_policy: AckPolicy.Explicit, filter_subject: "int.a" });
    await env.js.publish("int.a", "1");
    await env.js.publish("int.b", "2");
    assert.equal(await messages("INT"), 2);
    const all = await env.js.consumers.get("INT", "all");
    for await (const m of await all.fetch({ max_messages: 2, expires: 2000 })) await m.ackAck();
    // int.b had only "all" interested: gone; int.a waits for "only_a".
    await until(async () => (await messages("INT")) === 1, 3000, "int.b removed");
    const onlyA = await env.js.consumers.get("INT", "only_a");
    for await (const m of await onlyA.fetch({ max_messages: 1, expires: 2000 })) await m.ackAck();
    await until(async () => (await messages("INT")) === 0, 3000, "int.a removed");
  });

  it("deleting a consumer releases what only it needed", async () => {
    await env.jsm.streams.add({ name: "INTD", subjects: ["intd"], retention: RetentionPolicy.Interest });
    await env.jsm.consumers.add("INTD", { durable_name: "c", ack_policy: AckPolicy.Explicit });
    await env.js.publish("intd", "1");
    await env.js.publish("intd", "2");
    assert.equal(await messages("INTD"), 2);
    await env.jsm.consumers.delete("INTD", "c");
    await until(async () => (await messages("INTD")) === 0, 3000, "messages released");
  });
});

describe("work-queue retention", () => {
  it("keeps messages without consumers and removes each on ack", async () => {
    await env.jsm.streams.add({ name: "WQ", subjects: ["wq"], retention: RetentionPolicy.Workqueue });
    for (let i = 0; i < 3; i++) await env.js.publish("wq", String(i));
    assert.equal(await messages("WQ"), 3);
    await env.jsm.consumers.add("WQ", { durable_name: "w", ack_policy: AckPolicy.Explicit });
    const c = await env.js.consumers.get("WQ", "w");
    const got: string[] = [];
    for await (const m of await c.fetch({ max_messages: 2, expires: 2000 })) {
      got.push(m.string());
      await m.ackAck();
    }
    assert.deepEqual(got, ["0", "1"]);
    await until(async () => (await messages("WQ")) === 1, 3000, "acked messages removed");
    assert.equal((await env.jsm.streams.info("WQ")).state.first_seq, 3);
  });
});

describe("the StreamHandle seam", () => {
  it("onStored runs once per durable message in order; consumerDone and needs drive interest retention", async () => {
    await env.jsm.streams.add({ name: "SEAM", subjects: ["seam.*"], retention: RetentionPolicy.Interest });
    const js = jetStreamOf(env.server!.server)!;
    const stream = js.accountOf(env.server!.server.globalAccount)!.stream("SEAM")!;
    assert.equal(stream.alive, true);
    assert.equal(stream.config.retention, "interest");
    const seen: number[] = [];
    const done = new Set<number>();
    const handle: ConsumerHandle = {
      name: "probe",
      config: { filter_subject: "seam.keep" },
      needs: (seq, subject) => subject === "seam.keep" && !done.has(seq),
      stop: async () => undefined,
    };
    stream.consumers.set("probe", handle);
    const off = stream.onStored((m: StoredMsg) => seen.push(m.seq));
    const removed: [number, string][] = [];
    const offRemoved = stream.onRemoved((seq, _subject, reason) => removed.push([seq, reason]));
    await env.js.publish("seam.keep", "1");
    await env.js.publish("seam.drop", "2");
    await env.js.publish("seam.keep", "3");
    assert.deepEqual(seen, [1, 3]);
    assert.equal(await messages("SEAM"), 2);
    done.add(1);
    stream.consumerDone(handle, 1);
    assert.deepEqual(removed, [[1, "delete"]]);
    stream.consumers.delete("probe");
    await until(async () => (await messages("SEAM")) === 0, 2000, "interest check after the consumer left");
    off();
    offRemoved();
    await env.jsm.streams.delete("SEAM");
    assert.equal(stream.alive, false);
  });
});
