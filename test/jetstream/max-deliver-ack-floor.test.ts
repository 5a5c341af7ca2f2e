/**
 * Where the ack floor stands once a message has had all its max_deliver deliveries and was never acked.
 *
 * nats-server 2.9.10 (and 2.10, 2.11, up to 2.12.13 and 2.14.2) leaves the floor below the message: its
 * ack_floor never passes it although nothing will deliver it again, so `num_ack_pending` is 0 while the
 * floor lags, and a workqueue stream keeps the message. nats-server 2.12.14 and 2.14.3 fixed that ("Move
 * ack floor if MaxDeliver exceeded"): the floor moves past it. tsnats implements the NATS 2.11 level, and
 * a 2.11-level client cannot tell a lagging floor from unfinished work, so tsnats takes the fixed
 * behaviour and moves the floor; this test pins it, and pins 2.9.10's as the difference it is.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AckPolicy } from "@nats-io/jetstream";
import { natsServerAvailable, type Impl } from "../helpers/server-process.js";
import { processJs } from "./support.js";

const IMPLS: Impl[] = natsServerAvailable() ? ["tsnats", "nats-server"] : ["tsnats"];

describe("the ack floor after max_deliver", () => {
  for (const impl of IMPLS) {
    it(`${impl}: ${impl === "tsnats" ? "moves past" : "2.9.10 leaves"} a message that ran out of deliveries`, async (t) => {
      const env = await processJs(t, impl);
      await env.jsm.streams.add({ name: "MD", subjects: ["md"] });
      for (let i = 0; i < 3; i++) await env.js.publish("md", `m${i}`);
      await env.jsm.consumers.add("MD", { durable_name: "C", ack_policy: AckPolicy.Explicit, max_deliver: 2, ack_wait: 300_000_000 });
      const c = await env.js.consumers.get("MD", "C");
      // Message 1 is delivered twice and never acked; 2 and 3 are acked at once.
      const deliveries: number[] = [];
      const deadline = Date.now() + 8000;
      while (deliveries.filter((s) => s === 1).length < 2 && Date.now() < deadline) {
        const batch = await c.fetch({ max_messages: 3, expires: 1000 });
        for await (const m of batch) {
          deliveries.push(m.seq);
          if (m.seq !== 1) await m.ackAck();
        }
      }
      assert.equal(deliveries.filter((s) => s === 1).length, 2, `deliveries ${deliveries}`);
      // Past the second ack wait: no third delivery, nothing pending any more.
      await new Promise((r) => setTimeout(r, 700));
      const none = await c.fetch({ max_messages: 1, expires: 1000 });
      for await (const m of none) assert.fail(`delivered ${m.seq} again`);
      const info = await env.jsm.consumers.info("MD", "C");
      assert.equal(info.num_ack_pending, 0);
      assert.equal(info.delivered.stream_seq, 3);
      assert.equal(info.ack_floor.stream_seq, impl === "tsnats" ? 3 : 0, JSON.stringify(info.ack_floor));
    });
  }
});
