/**
 * A client without a certificate on a `verify: true` server is refused during the TLS handshake, with a
 * TLS alert, so it reports a certificate error (not a closed connection), and the server logs
 * nats-server's reason. The alert differs: nats-server 2.9.10 (Go's TLS of its time) sends 42, "bad
 * certificate"; tsnats (OpenSSL) sends 116, "certificate required", the alert TLS 1.3 (RFC 8446 §4.4.2.4)
 * names for this case. Both are pinned here.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { natsServerAvailable, type Impl } from "../helpers/server-process.js";
import { connectError, tlsBlock, tlsOpts, tlsServer } from "./support.js";

const IMPLS: Impl[] = natsServerAvailable() ? ["tsnats", "nats-server"] : ["tsnats"];

describe("no client certificate on verify: true", () => {
  for (const impl of IMPLS) {
    it(`${impl}: the client is refused with TLS alert ${impl === "nats-server" ? "42, bad certificate" : "116, certificate required"}`, async (t) => {
      const srv = await tlsServer(t, tlsBlock("verify: true"), impl);
      const e = (await connectError(srv, tlsOpts())) as Error & { code?: string };
      if (impl === "nats-server") {
        assert.match(`${e.message} ${e.code ?? ""}`, /alert bad certificate|SSL alert number 42/, e.message);
      } else {
        assert.match(`${e.message} ${e.code ?? ""}`, /alert certificate required|SSL alert number 116/, e.message);
      }
      const deadline = Date.now() + 5000;
      while (!/TLS handshake error: tls: client didn't provide a certificate/.test(srv.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.match(srv.output(), /TLS handshake error: tls: client didn't provide a certificate/);
    });
  }
});
