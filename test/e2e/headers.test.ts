/**
 * Message headers through the server: nats.js set/get, repeated keys, and key case kept byte for byte
 * (checked on the wire with a raw subscriber as well).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { headers } from "@nats-io/transport-node";
import { RawClient } from "./raw-client.js";
import { IMPL, clientFor, serverFor, settle } from "./support.js";

test(`headers: set/get, repeated keys and key case survive the server [${IMPL}]`, async (t) => {
  const srv = await serverFor(t);
  const pub = await clientFor(t, srv);
  const sub = await clientFor(t, srv);
  const raw = await RawClient.open(srv.port);
  t.after(() => raw.destroy());
  raw.send("SUB hdr.t 1\r\n");
  await raw.sync();
  const s = sub.subscribe("hdr.t", { max: 2 });
  await sub.flush();

  const h = headers();
  h.set("Content-Type", "text/plain");
  h.append("X-Repeat", "one");
  h.append("X-Repeat", "two");
  h.set("mIxEd-CaSe", "Value With  Spaces");
  pub.publish("hdr.t", "body", { headers: h });
  const empty = headers();
  empty.set("Only-Header", "yes");
  pub.publish("hdr.t", "", { headers: empty });
  await settle(pub, sub);

  const got = [];
  for await (const m of s) got.push(m);
  assert.equal(got.length, 2);
  const [first, second] = got;
  assert.equal(first!.string(), "body");
  assert.equal(first!.headers?.get("Content-Type"), "text/plain");
  assert.deepEqual(first!.headers?.values("X-Repeat"), ["one", "two"]);
  assert.equal(first!.headers?.get("mIxEd-CaSe"), "Value With  Spaces");
  assert.deepEqual(first!.headers?.keys().sort(), ["Content-Type", "X-Repeat", "mIxEd-CaSe"].sort());
  assert.equal(second!.data.length, 0);
  assert.equal(second!.headers?.get("Only-Header"), "yes");

  await raw.sync();
  const frames = raw.messages();
  assert.deepEqual(
    frames.map((f) => f.op),
    ["HMSG", "HMSG"],
  );
  const hmsg = frames[0]!;
  assert.ok(hmsg.op === "HMSG");
  const wire = hmsg.headers.toString("latin1");
  assert.match(wire, /^NATS\/1\.0\r\n/);
  assert.ok(wire.includes("\r\nX-Repeat: one\r\nX-Repeat: two\r\n"), wire);
  assert.ok(wire.includes("\r\nmIxEd-CaSe: Value With  Spaces\r\n"), wire);
  assert.ok(wire.endsWith("\r\n\r\n"), wire);
  assert.equal(hmsg.payload.toString(), "body");
});

test(`a raw HPUB with only the status line and an empty body is delivered as HMSG [${IMPL}]`, async (t) => {
  const srv = await serverFor(t);
  const raw = await RawClient.open(srv.port);
  t.after(() => raw.destroy());
  raw.send("SUB hdr.raw 9\r\nHPUB hdr.raw 12 12\r\nNATS/1.0\r\n\r\n\r\nHPUB hdr.raw 12 14\r\nNATS/1.0\r\n\r\nhi\r\n");
  await raw.sync();
  const frames = raw.messages();
  assert.deepEqual(
    frames.map((f) => f.line),
    ["HMSG hdr.raw 9 12 12", "HMSG hdr.raw 9 12 14"],
  );
  assert.equal(frames[1]!.payload.toString(), "hi");
});
