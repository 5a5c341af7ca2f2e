/**
 * JetStream across routes with clustered JetStream (3 tsnats processes with -js and a cluster): the API
 * answers once the meta group has a leader (10008 before), a stream's subjects are announced like any
 * interest, so a message published on any server is stored by the stream's server and acknowledged
 * across the routes, and a push consumer delivers to a subscriber on another server — shown with the
 * stream subject, as nats-server sends it (the deliver subject on the route, the stream subject after
 * `@` in the ack reply) — whose acks come back over the routes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { clusterFor, connectTo, routed } from "./support.js";
import { waitUntil } from "../e2e/support.js";
import { waitUntil as waitFor } from "../jetstream/cluster/meta-support.js";

test("a stream on one server: publishes from another are stored and acknowledged; a push consumer delivers across a route and gets the acks [tsnats]", async (t) => {
  const c = await clusterFor(t, { impls: ["tsnats", "tsnats", "tsnats"], args: ["-js"], argsOf: (i) => ["-sd", `${process.env.TMPDIR ?? "/tmp"}/tsnats-cjs-${process.pid}-${Date.now()}-${i}`] });
  const home = await connectTo(t, c, 0);
  // The meta group forms after the routes: until it has a leader the API answers 10008.
  let jsm: Awaited<ReturnType<typeof jetstreamManager>> | undefined;
  await waitFor(async () => {
    jsm = await jetstreamManager(home).catch(() => undefined);
    return jsm !== undefined;
  }, 20_000, "the JetStream meta leader");
  if (jsm === undefined) throw new Error("no JetStream");
  await jsm.streams.add({ name: "ORDERS", subjects: ["orders.>"] });
  await jsm.consumers.add("ORDERS", { durable_name: "P", deliver_subject: "push.p", ack_policy: AckPolicy.Explicit });

  const far = await connectTo(t, c, 2);
  const got: string[] = [];
  far.subscribe("push.p", {
    callback: (_e, m) => {
      got.push(`${m.subject}:${m.string()}`);
      m.respond(); // +ACK
    },
  });
  const publisher = await connectTo(t, c, 1);
  await routed(publisher, [home]);
  await routed(home, [far]);
  const js = jetstream(publisher);
  for (let i = 1; i <= 5; i++) {
    const ack = await js.publish(`orders.${i}`, `o${i}`);
    assert.deepEqual([ack.stream, ack.seq], ["ORDERS", i]);
  }
  await waitUntil(() => got.length === 5, 5000, "five deliveries across the route");
  assert.deepEqual(got, ["orders.1:o1", "orders.2:o2", "orders.3:o3", "orders.4:o4", "orders.5:o5"]);
  // The acks come back over the route to the consumer's server.
  let floor = 0;
  for (let k = 0; k < 50 && floor < 5; k++) {
    floor = (await jsm.consumers.info("ORDERS", "P")).ack_floor.stream_seq;
    if (floor < 5) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(floor, 5);
});
