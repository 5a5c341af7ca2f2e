/**
 * SIGHUP reads the certificate files again: new connections get the new certificate, open ones stay,
 * and certificates that cannot be used leave the running ones in place. Same test against nats-server.
 */
import { test } from "node:test";
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitUntil } from "../e2e/support.js";
import { natsServerAvailable, type Impl } from "../helpers/server-process.js";
import { pki, type CertFiles } from "./pki.js";
import { connectError, tlsClient, tlsOpts, tlsServer } from "./support.js";

const IMPLS: Impl[] = natsServerAvailable() ? ["tsnats", "nats-server"] : ["tsnats"];
if (!natsServerAvailable()) test("nats-server differential cases", { skip: "nats-server is not installed" }, () => {});

function install(from: CertFiles, to: CertFiles): void {
  copyFileSync(from.cert, to.cert);
  copyFileSync(from.key, to.key);
}

for (const impl of IMPLS) {
  test(`${impl}: SIGHUP reloads the certificate; bad files are refused and the old one stays`, async (t) => {
    const p = pki();
    const dir = mkdtempSync(join(tmpdir(), "tsnats-reload-"));
    const live = { cert: join(dir, "server.pem"), key: join(dir, "server-key.pem") };
    install(p.server, live);
    const srv = await tlsServer(t, `tls {\n  cert_file: "${live.cert}"\n  key_file: "${live.key}"\n}\n`, impl);
    const trustOther = { caFile: p.otherCa.cert };
    const old = await tlsClient(t, srv, tlsOpts());
    await connectError(srv, trustOther);

    // A key that does not belong to the certificate: refused, nothing changes.
    copyFileSync(p.alice.key, live.key);
    process.kill(srv.pid, "SIGHUP");
    await waitUntil(() => /Failed to reload server configuration: .*private key does not match public key/.test(srv.output()), 5000, "the failed reload");
    await (await tlsClient(t, srv, tlsOpts())).flush();

    // A certificate from the other CA: new connections see it, the open one carries on.
    install(p.server2, live);
    process.kill(srv.pid, "SIGHUP");
    await waitUntil(() => /Reloaded server configuration/.test(srv.output()), 5000, "the reload");
    await (await tlsClient(t, srv, trustOther)).flush();
    await connectError(srv, tlsOpts());
    await old.flush();
  });
}
