/**
 * The client TLS handshake end to end: INFO then upgrade, handshake_first, allow_non_tls, what plain
 * clients and openssl s_client get, versions and ciphers. Where nats-server 2.9.10 has the feature, the
 * same test runs against it too.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { freePort, natsServerAvailable, type Impl } from "../helpers/server-process.js";
import { pki } from "./pki.js";
import { connectError, connz, infoOf, monitorJson, plainSession, sClient, tlsBlock, tlsClient, tlsOpts, tlsServer } from "./support.js";

const IMPLS: Impl[] = natsServerAvailable() ? ["tsnats", "nats-server"] : ["tsnats"];
if (!natsServerAvailable()) test("nats-server differential cases", { skip: "nats-server is not installed" }, () => {});

test("TLS required: INFO says so, nats.js upgrades, messages flow, /connz shows version and cipher", async (t) => {
  const mon = await freePort();
  const srv = await tlsServer(t, tlsBlock(), "tsnats", ["-m", String(mon)]);
  const info = await infoOf(srv.port);
  assert.equal(info.tls_required, true);
  assert.equal(info.tls_verify, undefined);
  assert.equal(info.tls_available, undefined);
  const nc = await tlsClient(t, srv, tlsOpts());
  const sub = nc.subscribe("tls.>", { max: 2 });
  nc.publish("tls.a", "one");
  nc.publish("tls.b", "two");
  const got: string[] = [];
  for await (const m of sub) got.push(`${m.subject}:${m.string()}`);
  assert.deepEqual(got, ["tls.a:one", "tls.b:two"]);
  const [c] = await connz(mon, "");
  assert.equal(c!.tls_version, "1.3");
  assert.equal(c!.tls_cipher_suite, "TLS_AES_128_GCM_SHA256");
  assert.equal(c!.tls_peer_certs, undefined);
  assert.equal(c!.tls_first, undefined);
});

test("large payloads both ways over TLS, and output flushes without 'drain' (no false write-deadline)", async (t) => {
  const srv = await tlsServer(t, `write_deadline: "1s"\n${tlsBlock()}`);
  const nc = await tlsClient(t, srv, tlsOpts());
  const big = Buffer.alloc(512 * 1024, 7);
  nc.subscribe("echo", {
    callback: (_e, m) => {
      m.respond(m.data);
    },
  });
  for (let i = 0; i < 5; i++) assert.ok(Buffer.from((await nc.request("echo", big, { timeout: 5000 })).data).equals(big));
  // Small writes leave bytes queued in the TLS socket without a 'drain' to follow; idle past
  // write_deadline after them, the connection must still be there.
  assert.equal((await nc.request("echo", "small", { timeout: 2000 })).string(), "small");
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await nc.request("echo", "again", { timeout: 2000 })).string(), "again");
});

for (const impl of IMPLS) {
  test(`${impl}: a plain-text client gets INFO, then the connection ends without a word`, async (t) => {
    const srv = await tlsServer(t, tlsBlock(), impl);
    const s = await plainSession(srv.port, "CONNECT {}\r\nPING\r\n", 5000);
    assert.equal(s.closed, true);
    const text = s.bytes.toString("latin1");
    assert.match(text, /^INFO \{.*"tls_required":true.*\} \r\n$/);
  });

  test(`${impl}: a client that never starts TLS is dropped after the TLS timeout, silently`, async (t) => {
    const srv = await tlsServer(t, tlsBlock("timeout: 0.5"), impl);
    const s = await plainSession(srv.port, "", 5000);
    assert.equal(s.closed, true);
    assert.ok(s.ms >= 400, `closed after ${s.ms} ms, before the 0.5s TLS timeout`);
    assert.match(s.bytes.toString("latin1"), /^INFO .*\r\n$/);
  });

  test(`${impl}: openssl s_client -connect fails when INFO comes first (no handshake_first)`, async (t) => {
    const srv = await tlsServer(t, tlsBlock(), impl);
    const r = await sClient(srv.port, ["-CAfile", pki().ca.cert], "");
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /wrong version number/);
  });

  test(`${impl}: allow_non_tls serves plain and TLS clients; INFO says tls_available`, async (t) => {
    const mon = await freePort();
    const srv = await tlsServer(t, `allow_non_tls: true\n${tlsBlock()}`, impl, ["-m", String(mon)]);
    const info = await infoOf(srv.port);
    assert.equal(info.tls_required, undefined);
    assert.equal(info.tls_available, true);
    const plain = await plainSession(srv.port, "CONNECT {\"verbose\":false}\r\nPING\r\n", 1000);
    assert.match(plain.bytes.toString("latin1"), /\r\nPONG\r\n$/);
    await tlsClient(t, srv, tlsOpts());
    const conns = await connz(mon, "");
    assert.ok(conns.some((c) => c.tls_version === "1.3"), JSON.stringify(conns));
  });

  test(`${impl}: auth_timeout defaults to the TLS timeout plus one second`, async (t) => {
    const mon = await freePort();
    const srv = await tlsServer(t, tlsBlock("timeout: 0.5"), impl, ["-m", String(mon)]);
    void srv;
    const varz = await monitorJson(mon, "/varz");
    assert.equal(varz.tls_timeout, 0.5);
    assert.equal(varz.auth_timeout, 1.5);
    assert.equal(varz.tls_required, true);
  });
}

test("handshake_first: TLS before INFO; nats.js with handshakeFirst connects, one without does not", async (t) => {
  const mon = await freePort();
  const srv = await tlsServer(t, tlsBlock("handshake_first: true\ntimeout: 0.5"), "tsnats", ["-m", String(mon)]);
  const nc = await tlsClient(t, srv, tlsOpts(undefined, { handshakeFirst: true }));
  assert.equal(nc.info?.tls_required, true);
  await nc.flush();
  const [c] = await connz(mon, "");
  assert.equal(c!.tls_first, true);
  await connectError(srv, tlsOpts());
  // A plain client hears nothing at all.
  const s = await plainSession(srv.port, "", 3000);
  assert.deepEqual([s.closed, s.bytes.length], [true, 0]);
});

test("handshake_first with mTLS: `openssl s_client -connect ... -verify_return_error` succeeds and speaks NATS", async (t) => {
  const p = pki();
  const srv = await tlsServer(t, tlsBlock("verify: true\nhandshake_first: true"));
  const r = await sClient(srv.port, ["-CAfile", p.ca.cert, "-cert", p.alice.cert, "-key", p.alice.key], 'CONNECT {"verbose":false}\r\nPING\r\n');
  assert.match(r.out, /Verify return code: 0 \(ok\)/);
  assert.match(r.out, /INFO \{.*"tls_required":true.*\} \r?\n/);
  assert.match(r.out, /PONG/);
  // Without a client certificate the server ends it.
  const refused = await sClient(srv.port, ["-CAfile", p.ca.cert], 'CONNECT {"verbose":false}\r\nPING\r\n');
  assert.doesNotMatch(refused.out, /PONG/);
});

test("handshake_first: auto falls back to INFO in plain text for clients that wait for it", async (t) => {
  const mon = await freePort();
  const srv = await tlsServer(t, tlsBlock("handshake_first: auto"), "tsnats", ["-m", String(mon)]);
  const first = await tlsClient(t, srv, tlsOpts(undefined, { handshakeFirst: true }), { name: "first" });
  const later = await tlsClient(t, srv, tlsOpts(), { name: "later" });
  await first.flush();
  await later.flush();
  const byName = new Map((await connz(mon, "")).map((c) => [c.name, c]));
  assert.equal(byName.get("first")?.tls_first, true);
  assert.equal(byName.get("later")?.tls_first, undefined);
  assert.equal(byName.get("later")?.tls_version, "1.3");
  const r = await sClient(srv.port, ["-CAfile", pki().ca.cert], 'CONNECT {"verbose":false}\r\nPING\r\n');
  assert.match(r.out, /Verify return code: 0 \(ok\)/);
  assert.match(r.out, /PONG/);
});

test("min_version 1.3 refuses a TLS 1.2 client; cipher_suites limits TLS 1.2 suites", async (t) => {
  const only13 = await tlsServer(t, tlsBlock('min_version: "1.3"'));
  await connectError(only13, tlsOpts(undefined, { maxVersion: "TLSv1.2" }));
  await tlsClient(t, only13, tlsOpts());

  const mon = await freePort();
  const limited = await tlsServer(t, tlsBlock("cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]"), "tsnats", ["-m", String(mon)]);
  await connectError(limited, tlsOpts(undefined, { maxVersion: "TLSv1.2", ciphers: "ECDHE-ECDSA-AES128-GCM-SHA256" }));
  const nc = await tlsClient(t, limited, tlsOpts(undefined, { maxVersion: "TLSv1.2" }));
  await nc.flush();
  const [c] = await connz(mon, "");
  assert.deepEqual([c!.tls_version, c!.tls_cipher_suite], ["1.2", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"]);
});

test("connection_rate_limit: connections over the limit in a second are told to come back later", async (t) => {
  const srv = await tlsServer(t, tlsBlock("connection_rate_limit: 1"));
  const sessions = await Promise.all([0, 1, 2].map(() => plainSession(srv.port, "", 1000)));
  const throttled = sessions.filter((s) => s.bytes.toString("latin1").includes("-ERR 'Connection throttling is active. Please try again later.'\r\n"));
  assert.ok(throttled.length >= 1, sessions.map((s) => s.bytes.toString("latin1")).join("\n"));
  assert.ok(throttled.every((s) => s.closed));
});
