/**
 * Draining through nats.js: a drained subscription or connection still processes every message the server
 * routed to it before the drain, and nothing after.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { errors } from "@nats-io/transport-node";
import { IMPL, clientFor, delay, serverFor, within } from "./support.js";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

test(`draining a subscription delivers every message published before it, then closes it [${IMPL}]`, async (t) => {
  const srv = await serverFor(t);
  const sub = await clientFor(t, srv);
  const pub = await clientFor(t, srv);
  const s = sub.subscribe("drain.sub");
  const seen: number[] = [];
  const consumed = (async () => {
    for await (const m of s) {
      seen.push(Number(m.string()));
      // A slow consumer keeps messages queued in the client while the drain starts.
      if (seen.length % 100 === 0) await delay(5);
    }
  })();
  await sub.flush();
  for (let i = 0; i < 1000; i++) pub.publish("drain.sub", String(i));
  await pub.flush();
  await within(s.drain(), 10_000, "subscription drain");
  await within(consumed, 10_000, "the iterator to end");
  assert.deepEqual(seen, range(1000));
  assert.equal(s.isClosed(), true);

  pub.publish("drain.sub", "late");
  await pub.flush();
  await sub.flush();
  assert.equal(seen.length, 1000);
});

test(`draining a connection finishes all its subscriptions without loss, then closes it [${IMPL}]`, async (t) => {
  const srv = await serverFor(t);
  const sub = await clientFor(t, srv);
  const pub = await clientFor(t, srv);
  const a: number[] = [];
  const b: number[] = [];
  const iterated = sub.subscribe("drain.conn.b");
  sub.subscribe("drain.conn.a", { callback: (_e, m) => void a.push(Number(m.string())) });
  const consumed = (async () => {
    for await (const m of iterated) {
      b.push(Number(m.string()));
      if (b.length % 50 === 0) await delay(2);
    }
  })();
  await sub.flush();
  for (let i = 0; i < 500; i++) {
    pub.publish("drain.conn.a", String(i));
    pub.publish("drain.conn.b", String(i));
  }
  await pub.flush();
  await within(sub.drain(), 10_000, "connection drain");
  await within(consumed, 10_000, "the iterator to end");
  assert.deepEqual(a, range(500));
  assert.deepEqual(b, range(500));
  assert.equal(sub.isClosed(), true);
  // The server dropped the drained connection's interest: nobody answers on its subjects any more.
  await assert.rejects(
    pub.request("drain.conn.a", "", { timeout: 8000 }),
    (e: unknown) => e instanceof errors.RequestError && e.isNoResponders(),
  );
});
