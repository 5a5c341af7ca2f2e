/**
 * Request/reply through nats.js: the shared ("mux") reply inbox, per-request inboxes, many requests in
 * flight at once, and the no-responders status for a subject nobody serves.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { errors, headers, type NatsConnection } from "@nats-io/transport-node";
import type { ServerProcess } from "../helpers/server-process.js";
import { IMPL, clientFor, serverFor, suiteCleanup } from "./support.js";

describe(`request/reply through nats.js [${IMPL}]`, () => {
  let srv: ServerProcess;
  let service: NatsConnection;
  let client: NatsConnection;
  /** Reply subjects the echo service saw, in arrival order. */
  const replies: string[] = [];
  const suite = suiteCleanup();
  after(() => suite.run());

  before(async () => {
    srv = await serverFor(suite);
    service = await clientFor(suite, srv);
    client = await clientFor(suite, srv);
    service.subscribe("svc.echo", {
      callback: (_e, m) => {
        replies.push(m.reply ?? "");
        m.respond(m.data, { headers: m.headers });
      },
    });
    await service.flush();
  });

  test("a request gets the service's reply", async () => {
    const r = await client.request("svc.echo", "hello", { timeout: 5000 });
    assert.equal(r.string(), "hello");
  });

  test("requests share one wildcard inbox (the mux): same prefix, distinct last token", async () => {
    replies.length = 0;
    for (let i = 0; i < 5; i++) await client.request("svc.echo", String(i), { timeout: 5000 });
    assert.equal(replies.length, 5);
    const prefixes = new Set(replies.map((r) => r.slice(0, r.lastIndexOf("."))));
    assert.equal(prefixes.size, 1, `one mux prefix expected: ${replies.join(", ")}`);
    assert.match([...prefixes][0]!, /^_INBOX\.[A-Za-z0-9]+$/);
    assert.equal(new Set(replies).size, 5);
  });

  test("noMux requests use their own inbox subscription each", async () => {
    replies.length = 0;
    const a = await client.request("svc.echo", "a", { timeout: 5000, noMux: true });
    const b = await client.request("svc.echo", "b", { timeout: 5000, noMux: true });
    assert.deepEqual([a.string(), b.string()], ["a", "b"]);
    assert.equal(replies.length, 2);
    for (const r of replies) assert.match(r, /^_INBOX\.[A-Za-z0-9]+$/);
    assert.notEqual(replies[0], replies[1]);
  });

  test("500 concurrent requests each get their own answer", async () => {
    const n = 500;
    const answers = await Promise.all(
      Array.from({ length: n }, (_, i) => client.request("svc.echo", `req-${i}`, { timeout: 10_000 })),
    );
    assert.deepEqual(
      answers.map((m) => m.string()),
      Array.from({ length: n }, (_, i) => `req-${i}`),
    );
  });

  test("concurrent requests from several connections to a queue-grouped service", async (t) => {
    const workers = await Promise.all([0, 1, 2].map(() => clientFor(t, srv)));
    const served = [0, 0, 0];
    workers.forEach((w, i) =>
      w.subscribe("svc.q", {
        queue: "workers",
        callback: (_e, m) => {
          served[i]!++;
          m.respond(`${i}:${m.string()}`);
        },
      }),
    );
    await Promise.all(workers.map((w) => w.flush()));
    const callers = await Promise.all([0, 1].map(() => clientFor(t, srv)));
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) => callers[i % 2]!.request("svc.q", String(i), { timeout: 10_000 })),
    );
    answers.forEach((m, i) => assert.equal(m.string().split(":")[1], String(i)));
    assert.equal(
      served.reduce((a, b) => a + b, 0),
      300,
    );
  });

  test("a request to a subject nobody serves rejects with no responders, not a timeout", async () => {
    // The timeout is long on purpose: a server that sends no 503 status makes this a TimeoutError.
    const err = await client.request("nobody.home", "?", { timeout: 8000 }).then(
      () => assert.fail("request resolved"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof errors.RequestError, `RequestError expected, got ${String(err)}`);
    assert.ok(err.isNoResponders(), `no responders expected, got ${String(err)} (cause ${String(err.cause)})`);
  });

  test("no responders also for a noMux request", async () => {
    const err = await client.request("nobody.home.either", "?", { timeout: 8000, noMux: true }).then(
      () => assert.fail("request resolved"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof errors.NoRespondersError || (err instanceof errors.RequestError && err.isNoResponders()), String(err));
  });

  test("a reply carries headers both ways", async () => {
    const h = headers();
    h.set("X-Trace", "abc");
    const r = await client.request("svc.echo", "with headers", { timeout: 5000, headers: h });
    assert.equal(r.headers?.get("X-Trace"), "abc");
    assert.equal(r.string(), "with headers");
  });
});
