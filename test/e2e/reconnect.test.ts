/**
 * Reconnect through nats.js: the server stops and a new one starts on the same port; the client
 * reconnects by itself, its subscriptions are re-sent, and request/reply works again.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Status } from "@nats-io/transport-node";
import { IMPL, clientFor, serverFor, settle, waitUntil } from "./support.js";

test(`a client reconnects across a server restart on the same port and its subscription resumes [${IMPL}]`, async (t) => {
  const first = await serverFor(t);
  const nc = await clientFor(t, first, {
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 100,
    reconnectJitter: 0,
  });
  const statuses: Status["type"][] = [];
  void (async () => {
    for await (const s of nc.status()) statuses.push(s.type);
  })();
  const got: string[] = [];
  nc.subscribe("rc.t", { callback: (_e, m) => void got.push(m.string()) });
  nc.subscribe("rc.svc", { callback: (_e, m) => void m.respond(`re:${m.string()}`) });
  const pub1 = await clientFor(t, first);
  pub1.publish("rc.t", "before");
  await settle(pub1, nc);
  assert.deepEqual(got, ["before"]);
  await pub1.close();

  await first.stop();
  await waitUntil(() => statuses.includes("disconnect"), 5000, "a disconnect status");
  const second = await serverFor(t, { port: first.port });
  await waitUntil(() => statuses.includes("reconnect"), 10_000, "a reconnect status");
  await nc.flush();

  const pub2 = await clientFor(t, second);
  pub2.publish("rc.t", "after");
  await settle(pub2, nc);
  assert.deepEqual(got, ["before", "after"]);
  const answer = await pub2.request("rc.svc", "ping", { timeout: 5000 });
  assert.equal(answer.string(), "re:ping");
  const mine = await nc.request("rc.svc", "self", { timeout: 5000 });
  assert.equal(mine.string(), "re:self");
});
