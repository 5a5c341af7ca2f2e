/**
 * /metrics' traffic counters per stream and consumer: messages and bytes in, deliveries, acks and
 * redeliveries, counted exactly, typed as counters, and never falling between scrapes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AckPolicy } from "@nats-io/jetstream";
import { embeddedJs } from "../jetstream/support.js";
import { get } from "./support.js";
import { parsePrometheus, sampleOf } from "./prometheus-parse.js";

const STREAM_COUNTERS = ["tsnats_jetstream_stream_received_messages_total", "tsnats_jetstream_stream_received_bytes_total"];
const CONSUMER_COUNTERS = [
  "tsnats_jetstream_consumer_delivered_messages_total",
  "tsnats_jetstream_consumer_acked_messages_total",
  "tsnats_jetstream_consumer_redelivered_messages_total",
];

describe("/metrics traffic counters", () => {
  it("count messages and bytes in, deliveries, acks and redeliveries per stream and consumer", async (t) => {
    const env = await embeddedJs(t, { server: { httpPort: -1 } });
    const mport = env.server!.monitorPort!;
    const scrape = async () => parsePrometheus((await get(mport, "/metrics")).text);

    // Declared before any stream exists, so dashboards' queries always name a family.
    const empty = await scrape();
    for (const f of [...STREAM_COUNTERS, ...CONSUMER_COUNTERS]) {
      assert.equal(empty.get(f)?.type, "counter", f);
      assert.equal(empty.get(f)!.samples.length, 0, f);
    }

    await env.jsm.streams.add({ name: "S", subjects: ["s.>"] });
    await env.jsm.streams.add({ name: "OTHER", subjects: ["o.>"] });
    for (let i = 0; i < 5; i++) await env.js.publish("s.x", "12345678"); // 8 bytes each
    const hdrs = (await import("@nats-io/transport-node")).headers();
    hdrs.set("K", "v");
    await env.js.publish("s.y", "abc", { headers: hdrs });
    await env.jsm.consumers.add("S", { durable_name: "W", ack_policy: AckPolicy.Explicit, ack_wait: 60_000_000_000 });
    const c = await env.js.consumers.get("S", "W");
    const msgs = await c.fetch({ max_messages: 6, expires: 2000 });
    const got = [];
    for await (const m of msgs) got.push(m);
    assert.equal(got.length, 6);
    for (const m of got.slice(0, 3)) await m.ackAck();
    got[3]!.nak(); // redelivered at once
    const again = await c.next({ expires: 2000 });
    assert.equal(again?.seq, 4);
    assert.equal(again?.info.deliveryCount, 2);
    await env.nc.flush();

    const fams = await scrape();
    const s = { stream_name: "S", account: "$G", server_id: env.server!.server.id };
    assert.equal(sampleOf(fams, "tsnats_jetstream_stream_received_messages_total", s).value, 6);
    const hdrLen = got[5]!.headers!.toString().length; // the stored header block, as the client got it
    assert.ok(hdrLen > 0);
    assert.equal(sampleOf(fams, "tsnats_jetstream_stream_received_bytes_total", s).value, 5 * 8 + 3 + hdrLen);
    assert.equal(sampleOf(fams, "tsnats_jetstream_stream_received_messages_total", { stream_name: "OTHER" }).value, 0);
    const w = { ...s, consumer_name: "W" };
    assert.equal(sampleOf(fams, "tsnats_jetstream_consumer_delivered_messages_total", w).value, 7);
    assert.equal(sampleOf(fams, "tsnats_jetstream_consumer_acked_messages_total", w).value, 3);
    assert.equal(sampleOf(fams, "tsnats_jetstream_consumer_redelivered_messages_total", w).value, 1);
    // delivered is the consumer sequence the exporter's gauge shows.
    assert.equal(sampleOf(fams, "jetstream_consumer_delivered_consumer_seq", { consumer_name: "W" }).value, 7);

    // Acking a message twice counts it once; counters only grow.
    await again!.ackAck();
    await again!.ackAck();
    await env.js.publish("s.x", "z");
    await env.nc.flush();
    const later = await scrape();
    assert.equal(sampleOf(later, "tsnats_jetstream_consumer_acked_messages_total", w).value, 4);
    for (const f of [...STREAM_COUNTERS, ...CONSUMER_COUNTERS]) {
      for (const before of fams.get(f)!.samples) {
        const now = sampleOf(later, f, before.labels).value;
        assert.ok(now >= before.value, `${f} ${JSON.stringify(before.labels)} fell from ${before.value} to ${now}`);
      }
    }
    assert.equal(sampleOf(later, "tsnats_jetstream_stream_received_messages_total", s).value, 7);
  });

  it("counts an ack-all as every message it acknowledges", async (t) => {
    const env = await embeddedJs(t, { server: { httpPort: -1 } });
    await env.jsm.streams.add({ name: "A", subjects: ["a"] });
    for (let i = 0; i < 4; i++) await env.js.publish("a", "x");
    await env.jsm.consumers.add("A", { durable_name: "ALL", ack_policy: AckPolicy.All });
    const c = await env.js.consumers.get("A", "ALL");
    const got = [];
    for await (const m of await c.fetch({ max_messages: 4, expires: 2000 })) got.push(m);
    await got[2]!.ackAck(); // acknowledges 1..3
    const fams = parsePrometheus((await get(env.server!.monitorPort!, "/metrics")).text);
    assert.equal(sampleOf(fams, "tsnats_jetstream_consumer_acked_messages_total", { consumer_name: "ALL" }).value, 3);
  });
});
