/**
 * Limits from the config file, seen through nats.js and raw connections: max_payload (client-side check
 * from INFO, server-side close), max_connections, max_subscriptions, and the slow-consumer cut-off
 * (max_pending) that protects everybody else.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, errors, headers, type Status } from "@nats-io/transport-node";
import { RawClient } from "./raw-client.js";
import { IMPL, clientFor, eventually, serverFor, settle, waitUntil, within } from "./support.js";

test(`max_payload from INFO is enforced by nats.js before sending [${IMPL}]`, async (t) => {
  const srv = await serverFor(t, { config: "max_payload: 1024\n" });
  const nc = await clientFor(t, srv);
  assert.equal(nc.info?.max_payload, 1024);
  const got: number[] = [];
  nc.subscribe("mp.t", { callback: (_e, m) => void got.push(m.data.length) });
  nc.publish("mp.t", new Uint8Array(1024));
  assert.throws(() => nc.publish("mp.t", new Uint8Array(1025)), errors.InvalidArgumentError);
  const h = headers();
  h.set("X-Pad", "x".repeat(100));
  assert.throws(() => nc.publish("mp.t", new Uint8Array(1000), { headers: h }), errors.InvalidArgumentError);
  nc.publish("mp.t", new Uint8Array(10));
  await nc.flush();
  assert.deepEqual(got, [1024, 10]);
});

test(`a PUB over max_payload gets -ERR 'Maximum Payload Violation' and the connection is closed [${IMPL}]`, async (t) => {
  const srv = await serverFor(t, { config: "max_payload: 1024\n" });
  const raw = await RawClient.open(srv.port);
  t.after(() => raw.destroy());
  assert.equal(raw.info().max_payload, 1024);
  await raw.sync();
  raw.send(`PUB mp.raw 1025\r\n${"x".repeat(1025)}\r\n`);
  await raw.waitClosed();
  const lines = raw.frames().map((f) => f.line);
  assert.deepEqual(lines.slice(1), ["PONG", "-ERR 'Maximum Payload Violation'"]);
});

test(`max_connections: the connection over the limit is refused with -ERR and closed [${IMPL}]`, async (t) => {
  const srv = await serverFor(t, { config: "max_connections: 2\n" });
  const first = await clientFor(t, srv);
  await clientFor(t, srv);
  // nats.js reports either the -ERR or the EPIPE of its CONNECT, whichever it meets first; the raw
  // connection below checks the reason itself.
  await assert.rejects(connect({ servers: srv.url, reconnect: false }));

  const raw = await RawClient.open(srv.port, null);
  t.after(() => raw.destroy());
  await raw.waitClosed();
  assert.match(raw.text(), /-ERR 'maximum connections exceeded'\r\n/);

  await first.close();
  // The freed slot is usable again; the server may take a moment to account for the close.
  const again = await eventually(
    () => connect({ servers: srv.url, reconnect: false }).catch(() => undefined),
    5000,
    "a connection to be accepted after one closed",
  );
  await again.close();
});

test(`max_subscriptions: the SUB over the limit gets -ERR, the connection stays usable [${IMPL}]`, async (t) => {
  const srv = await serverFor(t, { config: "max_subscriptions: 3\n" });
  const raw = await RawClient.open(srv.port);
  t.after(() => raw.destroy());
  raw.send("SUB ms.1 1\r\nSUB ms.2 2\r\nSUB ms.3 3\r\nSUB ms.4 4\r\n");
  await raw.sync();
  assert.deepEqual(
    raw.frames().slice(1).map((f) => f.line),
    ["-ERR 'maximum subscriptions exceeded'", "PONG"],
  );
  raw.send("PUB ms.3 1\r\na\r\nPUB ms.4 1\r\nb\r\n");
  await raw.sync();
  assert.deepEqual(
    raw.messages().map((m) => m.line),
    ["MSG ms.3 3 1"],
  );
  assert.equal(raw.ended, false);

  const nc = await clientFor(t, srv);
  const statuses: Status[] = [];
  void (async () => {
    for await (const s of nc.status()) statuses.push(s);
  })();
  for (let i = 1; i <= 4; i++) nc.subscribe(`ms.nats.${i}`);
  await nc.flush();
  await waitUntil(() => statuses.some((s) => s.type === "error"), 5000, "an error status");
  const e = statuses.find((s) => s.type === "error");
  assert.match(String(e?.type === "error" ? e.error : ""), /maximum subscriptions exceeded/i);
  assert.equal(nc.isClosed(), false);
  await within(nc.flush(), 5000, "flush after the refused SUB");
});

test(`slow consumer: a subscriber that never reads is cut off, another keeps every message [${IMPL}]`, async (t) => {
  const srv = await serverFor(t, { config: "max_payload: 65536\nmax_pending: 1048576\nwrite_deadline: \"1s\"\n" });
  const stuck = await RawClient.open(srv.port);
  t.after(() => stuck.destroy());
  stuck.send("SUB sc.t 1\r\n");
  await stuck.sync();
  stuck.socket.pause();

  const good = await clientFor(t, srv);
  const pub = await clientFor(t, srv);
  let received = 0;
  let inOrder = true;
  good.subscribe("sc.t", {
    callback: (_e, m) => {
      if (m.data[0] !== received % 256) inOrder = false;
      received++;
    },
  });
  await good.flush();

  // Far more than any socket buffers can hold for the stuck reader.
  const n = 4000;
  for (let i = 0; i < n; i++) {
    const payload = new Uint8Array(8192);
    payload[0] = i % 256;
    pub.publish("sc.t", payload);
    if (i % 200 === 0) await pub.flush();
  }
  await within(settle(pub, good), 30_000, "the publisher and the good subscriber to settle");
  assert.equal(received, n);
  assert.ok(inOrder, "the good subscriber saw messages out of order");

  // Reading now shows what the server did meanwhile: it closed the stuck connection.
  stuck.socket.resume();
  await stuck.waitClosed(10_000);
  assert.ok(stuck.messages().length < n, `the stuck reader got all ${n} messages`);
});
