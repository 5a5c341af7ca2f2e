/** One-line errors with exit status 1, as the nats CLI gives them, for the failures operators meet. */
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServerProcess, type ServerProcess } from "../helpers/server-process.js";
import { pki } from "../tls/pki.js";
import { IMPLS, runCli, startCli } from "./support.js";

for (const impl of IMPLS) {
  describe(`errors against ${impl}`, () => {
    let plain: ServerProcess;
    let mtls: ServerProcess;
    before(async () => {
      const c = pki();
      plain = await startServerProcess({
        impl,
        config: `authorization { users: [
          { user: limited, password: pw, permissions: { publish: { allow: ["ok.>", "_INBOX.>"] }, subscribe: { allow: ["ok.>", "_INBOX.>"] } } }
        ] }`,
      });
      mtls = await startServerProcess({
        impl,
        config: `tls { cert_file: "${c.server.cert}", key_file: "${c.server.key}", ca_file: "${c.ca.cert}", verify: true }`,
      });
    });
    after(async () => {
      await plain.stop("SIGKILL");
      await mtls.stop("SIGKILL");
    });

    const login = () => ["-s", plain.url, "--user", "limited", "--password", "pw"];

    test("a publish the user may not make is a permissions violation", async () => {
      const r = await runCli([...login(), "pub", "secret.x", "hi"]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr.split("\n").filter(Boolean).pop(), 'tsnats: error: nats: permissions violation for publish to "secret.x"');
      assert.equal((await runCli([...login(), "pub", "ok.x", "hi"])).code, 0);
    });

    test("a subscription the user may not make is a permissions violation", async () => {
      const sub = await startCli([...login(), "sub", "secret.>"], undefined);
      const r = await sub.done;
      assert.equal(r.code, 1);
      assert.equal(r.stderr.split("\n").filter(Boolean).pop(), 'tsnats: error: nats: permissions violation for subscription to "secret.>"');
    });

    test("a wrong password is an authorization violation; nobody listening is said plainly", async () => {
      const r = await runCli(["-s", plain.url, "--user", "limited", "--password", "nope", "pub", "ok.x", "hi"]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, "tsnats: error: nats: authorization violation\n");
      const none = await runCli(["-s", "nats://127.0.0.1:1", "pub", "x", "y"]);
      assert.equal(none.code, 1);
      assert.match(none.stderr, /^tsnats: error: nats: no servers available for connection: .*ECONNREFUSED.*\n$/);
    });

    test("a missing client certificate is named, not reported as a timeout or refusal", async () => {
      const r = await runCli(["--timeout", "1s", "-s", `tls://127.0.0.1:${mtls.port}`, "--tlsca", pki().ca.cert, "pub", "x", "y"]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, "tsnats: error: TLS handshake failed: the server requires a client certificate (use --tlscert and --tlskey)\n");
      const withCert = await runCli(["--timeout", "1s", "-s", `tls://127.0.0.1:${mtls.port}`, "--tlsca", pki().ca.cert,
        "--tlscert", pki().alice.cert, "--tlskey", pki().alice.key, "pub", "x", "y"]);
      assert.equal(withCert.code, 0, withCert.stderr);
    });

    test("a server certificate from an unknown CA is named; a certificate from another CA is rejected", async () => {
      const r = await runCli(["--timeout", "1s", "-s", `tls://127.0.0.1:${mtls.port}`, "pub", "x", "y"]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^tsnats: error: TLS handshake failed: the server's certificate could not be verified: .* \(use --tlsca\)\n$/);
      const other = await runCli(["--timeout", "1s", "-s", `tls://127.0.0.1:${mtls.port}`, "--tlsca", pki().ca.cert,
        "--tlscert", pki().mallory.cert, "--tlskey", pki().mallory.key, "pub", "x", "y"]);
      assert.equal(other.code, 1);
      assert.match(other.stderr, /^tsnats: error: TLS handshake failed: the server rejected the client certificate \(.+\)\n$/);
    });
  });
}

test("usage errors print one line and exit 1; --help exits 0", async () => {
  const r = await runCli(["stream", "add"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^tsnats: error: missing required argument 'stream'\n/);
  const unknown = await runCli(["frobnicate"]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^tsnats: error: unknown command 'frobnicate'\n/);
  const help = await runCli(["--help"]);
  assert.equal(help.code, 0);
  for (const verb of ["context", "pub", "sub", "req", "reply", "stream", "consumer", "kv", "server", "account"]) {
    assert.match(help.stdout, new RegExp(`\\n  ${verb}\\b`), verb);
  }
});
