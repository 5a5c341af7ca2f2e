/**
 * Process signals through real clients: SIGUSR2 lame duck mode, SIGTERM shutdown, SIGHUP config reload.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { connect, type Status } from "@nats-io/transport-node";
import { tempFile } from "../helpers/server-process.js";
import { RawClient } from "./raw-client.js";
import { IMPL, clientFor, eventually, reportedVersion, serverFor, versionAtLeast, waitUntil, within } from "./support.js";

test(`SIGUSR2: lame duck mode reaches the client as an ldm status, then the server exits [${IMPL}]`, async (t) => {
  // 30s is the smallest lame_duck_duration nats-server accepts; with one client the server closes it
  // right after the grace period and exits then, not after the whole duration.
  const srv = await serverFor(t, { config: 'lame_duck_duration: "30s"\nlame_duck_grace_period: "1s"\n' });
  const nc = await clientFor(t, srv);
  const statuses: Status[] = [];
  void (async () => {
    for await (const s of nc.status()) statuses.push(s);
  })();
  const exited = srv.stop("SIGUSR2");
  await waitUntil(() => statuses.some((s) => s.type === "ldm"), 5000, "an ldm status");
  // New connections are refused from now on.
  await assert.rejects(connect({ servers: srv.url, reconnect: false, timeout: 2000 }));
  const code = await within(exited, 15_000, "the server to exit after lame duck");
  assert.equal(code, 0, srv.output());
  await within(nc.closed(), 5000, "the client to notice the close");
});

test(`SIGTERM: the server flushes what it routed, then exits cleanly [${IMPL}]`, async (t) => {
  const { version } = reportedVersion();
  assert.ok(version, "the binary reports a version");
  // nats-server exits 1 on SIGTERM before 2.11 (nats-server#2103) and 0 from 2.11 (#6336).
  const expectedCode = versionAtLeast(version, [2, 11, 0]) ? 0 : 1;
  const srv = await serverFor(t);
  const reader = await RawClient.open(srv.port);
  t.after(() => reader.destroy());
  reader.send("SUB term.t 1\r\n");
  await reader.sync();
  const pub = await clientFor(t, srv);
  // The reader stops reading while 10 MB are routed to it, more than socket buffers hold, so part of it
  // still sits in the server's own buffers when SIGTERM arrives.
  const n = 10000;
  reader.socket.pause();
  for (let i = 0; i < n; i++) pub.publish("term.t", new Uint8Array(1000).fill(i % 256));
  await pub.flush();
  const exited = srv.stop("SIGTERM");
  reader.socket.resume();
  const code = await within(exited, 10_000, "the server to exit on SIGTERM");
  await within(reader.closed, 10_000, "the reader to see the close");
  assert.equal(reader.messages().length, n, "messages routed before SIGTERM were all written out");
  assert.equal(code, expectedCode, srv.output());
});

test(`SIGHUP: a changed max_payload is reloaded and new connections see it in INFO [${IMPL}]`, async (t) => {
  const conf = tempFile("reload.conf", "max_payload: 2048\n");
  const srv = await serverFor(t, { args: ["-c", conf] });
  const before = await clientFor(t, srv);
  assert.equal(before.info?.max_payload, 2048);

  writeFileSync(conf, "max_payload: 4096\ndebug: true\n");
  process.kill(srv.pid, "SIGHUP");
  await eventually(
    async () => {
      const raw = await RawClient.open(srv.port, null);
      raw.destroy();
      return raw.info().max_payload === 4096 ? true : undefined;
    },
    5000,
    "a new connection's INFO to carry the reloaded max_payload",
  );
  const after = await clientFor(t, srv);
  assert.equal(after.info?.max_payload, 4096);
  // The reload kept the server and its existing connections alive.
  await within(before.flush(), 5000, "flush on the connection made before the reload");
  assert.equal(srv.child.exitCode, null);
});
