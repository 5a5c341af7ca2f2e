/**
 * A pull consumer of one account read from another through service imports (issue #15 D12), set up as
 * nats.js's "jetstream - cross account pull": account A imports JS's `$JS.API.>` as `IPA.>` and its
 * `$JS.ACK.>` (both exported with response_type stream), and A's inbox prefix is a stream JS exports to
 * A. The request reaches JS with a mapped reply (`_R_...`); the messages, heartbeats and the final 408
 * must all come back to A's inbox, and the messages keep their ack subject. Passes on nats-server 2.9.10;
 * tsnats lost the messages (only the status messages came back: "heartbeats missed").
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { connect } from "@nats-io/transport-node";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { IMPL, serverFor } from "../e2e/support.js";
import { until } from "./consumer-helpers.js";

function config(): string {
  return `
jetstream { store_dir: "${mkdtempSync(join(tmpdir(), "tsnats-xpull-"))}" }
accounts {
  JS { jetstream: enabled, users: [{user: js, password: js}], exports: [
    {service: "$JS.API.>", response_type: stream}, {service: "$JS.ACK.>", response_type: stream}, {stream: "A.>", accounts: [A]} ] }
  A { users: [{user: a, password: a}], imports: [
    {service: {subject: "$JS.API.>", account: JS}, to: "IPA.>"}, {service: {subject: "$JS.ACK.>", account: JS}}, {stream: {subject: "A.>", account: JS}} ] }
}
`;
}

test(`pull consumer across accounts: messages, acks and the timeout reach the importer [${IMPL}]`, { timeout: 20_000 }, async (t) => {
  const srv = await serverFor(t, { config: config() });
  const admin = await connect({ servers: srv.url, user: "js", pass: "js" });
  const nc = await connect({ servers: srv.url, user: "a", pass: "a", inboxPrefix: "A" });
  t.after(() => Promise.all([admin.close(), nc.close()]));
  const jsm = await jetstreamManager(admin);
  await jsm.streams.add({ name: "S", subjects: ["s.>"] });
  await jetstream(admin).publish("s.a", "1");
  await jetstream(admin).publish("s.b", "2");
  await jsm.consumers.add("S", { durable_name: "me", ack_policy: AckPolicy.Explicit });

  const c = await jetstream(nc, { apiPrefix: "IPA" }).consumers.get("S", "me");
  const first = await c.next({ expires: 2000 });
  assert.equal(first?.seq, 1);
  assert.equal(first?.subject, "s.a");
  assert.equal(await first!.ackAck(), true, "acked through the $JS.ACK import");
  const second = await c.next({ expires: 2000 });
  assert.equal(second?.seq, 2);
  second!.ack();
  await until(async () => (await jsm.consumers.info("S", "me")).ack_floor.stream_seq === 2, 3000, "both acks reach JS");
  const t0 = Date.now();
  assert.equal(await c.next({ expires: 1000 }), null, "the request ends with its 408");
  assert.ok(Date.now() - t0 < 1900, "ended by the server's timeout, not by missed heartbeats");
});
