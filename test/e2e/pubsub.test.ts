/**
 * Core publish/subscribe through the official nats.js client: delivery, wildcards, echo, auto-unsubscribe,
 * flush and rtt. One server serves the whole file; every test uses its own subjects.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { NatsConnection } from "@nats-io/transport-node";
import type { ServerProcess } from "../helpers/server-process.js";
import { RawClient } from "./raw-client.js";
import { IMPL, clientFor, serverFor, settle, suiteCleanup, within } from "./support.js";

describe(`pub/sub through nats.js [${IMPL}]`, () => {
  let srv: ServerProcess;
  let pub: NatsConnection;
  let sub: NatsConnection;
  const suite = suiteCleanup();
  after(() => suite.run());

  before(async () => {
    srv = await serverFor(suite);
    pub = await clientFor(suite, srv);
    sub = await clientFor(suite, srv);
  });

  test("a published message reaches a subscriber on another connection, intact", async () => {
    const s = sub.subscribe("ps.basic");
    await sub.flush();
    const payload = new Uint8Array(4096).map((_, i) => i % 251);
    pub.publish("ps.basic", payload);
    pub.publish("ps.basic", "");
    const got = [];
    for await (const m of s) {
      got.push(m);
      if (got.length === 2) break;
    }
    assert.equal(got[0]!.subject, "ps.basic");
    assert.deepEqual(Buffer.from(got[0]!.data), Buffer.from(payload));
    assert.equal(got[1]!.data.length, 0);
    assert.equal(got[0]!.reply, "");
  });

  test("messages from one publisher arrive in publish order", async () => {
    const seen: number[] = [];
    sub.subscribe("ps.order", { callback: (_e, m) => void seen.push(Number(m.string())) });
    await sub.flush();
    for (let i = 0; i < 2000; i++) pub.publish("ps.order", String(i));
    await settle(pub, sub);
    assert.deepEqual(
      seen,
      Array.from({ length: 2000 }, (_, i) => i),
    );
  });

  test("wildcards: `*` matches exactly one token, `>` one or more trailing tokens", async () => {
    const patterns = ["wc.*", "wc.>", "wc.*.c", "wc.b.*", "wc.*.*.d", "wc.b.>"];
    const got = new Map<string, string[]>(patterns.map((p) => [p, []]));
    for (const p of patterns) sub.subscribe(p, { callback: (_e, m) => void got.get(p)!.push(m.subject) });
    await sub.flush();
    const subjects = ["wc", "wc.a", "wc.b", "wc.b.c", "wc.a.c", "wc.b.c.d", "wc.a.b.c.d", "wcx.a", "other.a"];
    for (const s of subjects) pub.publish(s, s);
    await settle(pub, sub);
    assert.deepEqual(Object.fromEntries(got), {
      "wc.*": ["wc.a", "wc.b"],
      "wc.>": ["wc.a", "wc.b", "wc.b.c", "wc.a.c", "wc.b.c.d", "wc.a.b.c.d"],
      "wc.*.c": ["wc.b.c", "wc.a.c"],
      "wc.b.*": ["wc.b.c"],
      "wc.*.*.d": ["wc.b.c.d"],
      "wc.b.>": ["wc.b.c", "wc.b.c.d"],
    });
  });

  test("a message matching several subscriptions of one connection is delivered once per subscription", async () => {
    let literal = 0;
    let wild = 0;
    sub.subscribe("multi.x", { callback: () => void literal++ });
    sub.subscribe("multi.*", { callback: () => void wild++ });
    await sub.flush();
    pub.publish("multi.x", "m");
    await settle(pub, sub);
    assert.deepEqual({ literal, wild }, { literal: 1, wild: 1 });
  });

  test("echo:false keeps a connection's own messages from itself, others still arrive", async (t) => {
    const quiet = await clientFor(t, srv, { noEcho: true });
    const fromQuiet: string[] = [];
    const fromEcho: string[] = [];
    quiet.subscribe("echo.t", { callback: (_e, m) => void fromQuiet.push(m.string()) });
    sub.subscribe("echo.t", { callback: (_e, m) => void fromEcho.push(m.string()) });
    await settle(quiet, sub);
    quiet.publish("echo.t", "own");
    pub.publish("echo.t", "other");
    await settle(quiet, sub);
    await settle(pub, quiet, sub);
    assert.deepEqual(fromQuiet, ["other"]);
    assert.deepEqual(fromEcho.sort(), ["other", "own"]);
  });

  test("echo is on by default: a connection receives what it publishes", async () => {
    const got: string[] = [];
    pub.subscribe("echo.default", { callback: (_e, m) => void got.push(m.string()) });
    pub.publish("echo.default", "self");
    await pub.flush();
    assert.deepEqual(got, ["self"]);
  });

  test("subscribe with max: exactly max messages, then the subscription closes", async () => {
    const s = sub.subscribe("max.client", { max: 3 });
    const unsubbed = sub.subscribe("max.client.later");
    unsubbed.unsubscribe(2);
    await sub.flush();
    for (let i = 0; i < 10; i++) {
      pub.publish("max.client", String(i));
      pub.publish("max.client.later", String(i));
    }
    await settle(pub, sub);
    const got: string[] = [];
    for await (const m of s) got.push(m.string());
    const later: string[] = [];
    for await (const m of unsubbed) later.push(m.string());
    assert.deepEqual(got, ["0", "1", "2"]);
    assert.deepEqual(later, ["0", "1"]);
    assert.equal(s.isClosed(), true);
  });

  test("UNSUB with max is enforced by the server: no more MSGs after max", async (t) => {
    const raw = await RawClient.open(srv.port);
    t.after(() => raw.destroy());
    raw.send("SUB max.raw 7\r\nUNSUB 7 2\r\nSUB max.raw.other 8\r\n");
    await raw.sync();
    for (let i = 0; i < 5; i++) pub.publish("max.raw", String(i));
    pub.publish("max.raw.other", "still subscribed");
    await pub.flush();
    await raw.sync();
    const msgs = raw.messages().map((m) => `${m.sid}:${m.payload.toString()}`);
    assert.deepEqual(msgs, ["7:0", "7:1", "8:still subscribed"]);
  });

  test("flush resolves after a round trip and rtt reports a duration", async () => {
    await within(pub.flush(), 5000, "flush");
    const rtt = await within(pub.rtt(), 5000, "rtt");
    assert.equal(typeof rtt, "number");
    assert.ok(Number.isFinite(rtt) && rtt >= 0, `rtt ${rtt}`);
  });

  test("INFO advertises what nats.js needs: headers, max_payload, a version, a client id", () => {
    const info = pub.info!;
    assert.equal(info.headers, true);
    assert.equal(info.max_payload, 1024 * 1024);
    assert.match(info.version, /^\d+\.\d+\.\d+/);
    assert.equal(typeof info.client_id, "number");
    assert.equal(typeof info.server_id, "string");
  });
});
