/**
 * A client without a certificate on a `verify: true` server. nats-server 2.9.10 (Go's TLS) fails the
 * handshake with alert 42, so the client reports `bad certificate`. tsnats completes the TLS 1.3
 * handshake, then finds no certificate and closes the connection, logging the reason nats-server logs:
 * Node's TLS server cannot send an alert for this one case without giving up the reasons it logs for the
 * others (an untrusted certificate, pinned_certs). A known difference, documented in the README; this
 * test pins both behaviours so that a change to either shows.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { natsServerAvailable, type Impl } from "../helpers/server-process.js";
import { connectError, tlsBlock, tlsOpts, tlsServer } from "./support.js";

const IMPLS: Impl[] = natsServerAvailable() ? ["tsnats", "nats-server"] : ["tsnats"];

describe("no client certificate on verify: true", () => {
  for (const impl of IMPLS) {
    it(`${impl}: the client is refused ${impl === "nats-server" ? "with TLS alert 42" : "after the handshake"}`, async (t) => {
      const srv = await tlsServer(t, tlsBlock("verify: true"), impl);
      const e = (await connectError(srv, tlsOpts())) as Error & { code?: string };
      if (impl === "nats-server") {
        // Go sends the alert and closes at once: a client may read the reset before the alert (1 run in 3
        // with two test files at a time). A reset is that race; the alert must show within a few tries.
        const alert42 = (x: Error & { code?: string }) => /alert bad certificate|SSL alert number 42/.test(`${x.message} ${x.code ?? ""}`);
        const seen = [e];
        while (!seen.some(alert42) && seen.length < 4) seen.push((await connectError(srv, tlsOpts())) as Error & { code?: string });
        assert.ok(seen.some(alert42), seen.map((x) => x.message).join("; "));
        for (const x of seen) assert.ok(alert42(x) || x.code === "ECONNRESET", x.message);
      } else {
        assert.doesNotMatch(e.message, /bad certificate/, "tsnats sends no alert (see above)");
      }
      const deadline = Date.now() + 5000;
      while (!/TLS handshake error: tls: client didn't provide a certificate/.test(srv.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.match(srv.output(), /TLS handshake error: tls: client didn't provide a certificate/);
    });
  }
});
