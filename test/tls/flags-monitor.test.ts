/**
 * The --tls* flags, -t with certificate files, and the HTTPS monitor (-ms / https), against tsnats and
 * nats-server alike.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, NATS_SERVER_BIN, natsServerAvailable, TSNATS_BIN, type Impl } from "../helpers/server-process.js";
import { pki } from "./pki.js";
import { httpsGet, infoOf, tlsClient, tlsOpts, tlsServer } from "./support.js";

const IMPLS: Impl[] = natsServerAvailable() ? ["tsnats", "nats-server"] : ["tsnats"];
if (!natsServerAvailable()) test("nats-server differential cases", { skip: "nats-server is not installed" }, () => {});

const bin = (impl: Impl) => (impl === "tsnats" ? TSNATS_BIN : NATS_SERVER_BIN);

/** Runs the server binary to completion (for commands that must fail at once). */
function run(impl: Impl, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(bin(impl), args, { encoding: "utf8", timeout: 10_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Polls an HTTPS monitor until it answers (it may start just after the client port). */
async function httpsJson(port: number, path: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      const r = await httpsGet(port, path);
      assert.equal(r.status, 200);
      return JSON.parse(r.body) as Record<string, unknown>;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((res) => setTimeout(res, 50));
    }
  }
}

for (const impl of IMPLS) {
  test(`${impl}: --tlscert --tlskey --tlsverify --tlscacert make a mutual-TLS listener`, async (t) => {
    const p = pki();
    const srv = await tlsServer(t, "", impl, ["--tlscert", p.server.cert, "--tlskey", p.server.key, "--tlsverify", "--tlscacert", p.ca.cert]);
    const info = await infoOf(srv.port);
    assert.deepEqual([info.tls_required, info.tls_verify], [true, true]);
    await (await tlsClient(t, srv, tlsOpts(p.alice))).flush();
  });

  test(`${impl}: TLS flags without a certificate and key of their own are refused`, () => {
    const p = pki();
    const conf = join(p.dir, "with-tls.conf");
    writeFileSync(conf, `tls { cert_file: "${p.server.cert}", key_file: "${p.server.key}" }\n`);
    for (const [args, text] of [
      [["--tlsverify"], "TLS Server certificate must be present and valid"],
      [["--tls", "--tlscert", p.server.cert], "TLS Server private key must be present and valid"],
      [["-c", conf, "--tlsverify"], "TLS Server certificate must be present and valid"],
    ] as const) {
      const r = run(impl, ["-a", "127.0.0.1", "-p", "-1", ...args]);
      assert.equal(r.status, 1, r.out);
      assert.match(r.out, new RegExp(`^nats-server: ${text}$`, "m"));
    }
  });

  test(`${impl}: -t reads the certificate files`, () => {
    const p = pki();
    const conf = join(p.dir, `missing-${impl}.conf`);
    writeFileSync(conf, `tls {\n  cert_file: "/nonexistent/server.pem"\n  key_file: "${p.server.key}"\n}\n`);
    const missing = run(impl, ["-t", "-c", conf]);
    assert.equal(missing.status, 1);
    assert.match(missing.out, /error parsing X509 certificate\/key pair: open \/nonexistent\/server\.pem: no such file or directory/);
    writeFileSync(conf, `tls {\n  cert_file: "${p.server.cert}"\n  key_file: "${p.alice.key}"\n}\n`);
    const mismatch = run(impl, ["-t", "-c", conf]);
    assert.equal(mismatch.status, 1);
    assert.match(mismatch.out, /error parsing X509 certificate\/key pair: tls: private key does not match public key/);
  });

  test(`${impl}: -ms serves the monitor over HTTPS with the tls certificate, asking no client certificate`, async (t) => {
    const p = pki();
    const ms = await freePort();
    await tlsServer(t, "", impl, ["-ms", String(ms), "--tlscert", p.server.cert, "--tlskey", p.server.key, "--tlsverify", "--tlscacert", p.ca.cert]);
    const varz = await httpsJson(ms, "/varz");
    assert.equal(varz.https_port, ms);
    assert.equal(varz.http_port, 0);
    assert.deepEqual([varz.tls_required, varz.tls_verify], [true, true]);
  });

  test(`${impl}: HTTPS monitoring needs TLS, and excludes HTTP`, async () => {
    const p = pki();
    const [m, ms] = [await freePort(), await freePort()];
    const none = run(impl, ["-a", "127.0.0.1", "-p", "-1", "-ms", String(ms)]);
    assert.equal(none.status, 1);
    assert.match(none.out, /Can't start monitoring: TLS cert and key required for HTTPS/);
    const both = run(impl, ["-a", "127.0.0.1", "-p", "-1", "-m", String(m), "-ms", String(ms), "--tlscert", p.server.cert, "--tlskey", p.server.key]);
    assert.equal(both.status, 1);
    assert.match(both.out, new RegExp(`Can't start monitoring: can't specify both HTTP \\(${m}\\) and HTTPs \\(${ms}\\) ports`));
  });
}
