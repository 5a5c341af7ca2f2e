/**
 * Mutual TLS: client certificates required and verified against ca_file, what /connz shows of them
 * (compared with nats-server), and pinned_certs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { freePort, natsServerAvailable, type Impl, type ServerProcess } from "../helpers/server-process.js";
import { waitUntil } from "../e2e/support.js";
import { pki } from "./pki.js";
import { connectError, connz, infoOf, tlsBlock, tlsClient, tlsOpts, tlsServer } from "./support.js";

const IMPLS: Impl[] = natsServerAvailable() ? ["tsnats", "nats-server"] : ["tsnats"];
if (!natsServerAvailable()) test("nats-server differential cases", { skip: "nats-server is not installed" }, () => {});

/** Waits for the server's log to show `re` (log lines reach the test a moment after they are written). */
async function logged(srv: ServerProcess, re: RegExp): Promise<void> {
  await waitUntil(() => re.test(srv.output()), 5000, `a log line matching ${re}`).catch(() => assert.match(srv.output(), re));
}

function spkiSha256(pem: string): string {
  const spki = new X509Certificate(readFileSync(pem)).publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("hex");
}

function certSha256(pem: string): string {
  return createHash("sha256").update(new X509Certificate(readFileSync(pem)).raw).digest("hex");
}

for (const impl of IMPLS) {
  test(`${impl}: verify requires a client certificate from a trusted CA`, async (t) => {
    const p = pki();
    const srv = await tlsServer(t, tlsBlock("verify: true"), impl);
    const info = await infoOf(srv.port);
    assert.deepEqual([info.tls_required, info.tls_verify], [true, true]);
    const nc = await tlsClient(t, srv, tlsOpts(p.alice));
    await nc.flush();
    await connectError(srv, tlsOpts());
    await connectError(srv, tlsOpts(p.mallory));
  });

  test(`${impl}: /connz shows the client's chain with auth=1 only, leaf first`, async (t) => {
    const p = pki();
    const mon = await freePort();
    const srv = await tlsServer(t, tlsBlock("verify: true"), impl, ["-m", String(mon)]);
    await (await tlsClient(t, srv, tlsOpts(p.bob), { name: "bob" })).flush();
    const [plain] = await connz(mon, "");
    assert.equal(plain!.tls_peer_certs, undefined);
    assert.equal(plain!.tls_version, "1.3");
    const [c] = await connz(mon);
    assert.deepEqual(c!.tls_peer_certs, [
      {
        subject: "CN=bob,O=Acme,0.9.2342.19200300.100.1.25=#13076578616d706c65,0.9.2342.19200300.100.1.25=#13036f7267",
        spki_sha256: spkiSha256(p.bob.cert),
        cert_sha256: certSha256(p.bob.cert),
      },
      { subject: "CN=Test CA", spki_sha256: spkiSha256(p.ca.cert), cert_sha256: certSha256(p.ca.cert) },
    ]);
  });
}

test("pinned_certs: only clients whose public key is listed get in", async (t) => {
  const p = pki();
  const srv = await tlsServer(t, tlsBlock(`verify: true\npinned_certs: ["${spkiSha256(p.alice.cert)}"]`));
  await (await tlsClient(t, srv, tlsOpts(p.alice))).flush();
  await connectError(srv, tlsOpts(p.bob));
  await logged(srv, /TLS handshake error: peer certificate not in the pinned_certs list/);
});

test("handshake failures are logged with their reason and the connection closed as a TLS failure", async (t) => {
  const p = pki();
  const mon = await freePort();
  const srv = await tlsServer(t, tlsBlock("verify: true"), "tsnats", ["-m", String(mon)]);
  await connectError(srv, tlsOpts());
  await connectError(srv, tlsOpts(p.mallory));
  await logged(srv, /TLS handshake error: tls: client didn't provide a certificate/);
  await logged(srv, /TLS handshake error: tls: failed to verify certificate: /);
  // The launcher's readiness probe (connect, then hang up) is one too, as with nats-server ("EOF").
  const closed = await connz(mon, "state=closed");
  assert.ok(closed.length >= 3 && closed.every((c) => c.reason === "TLS Handshake Failure"), JSON.stringify(closed));
  await logged(srv, /TLS handshake error: EOF/);
});
