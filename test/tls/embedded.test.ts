import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { startServer } from "../../src/index.js";
import { pki } from "./pki.js";

test("startServer takes partial tls options; auth_timeout follows the TLS timeout", async (t) => {
  const p = pki();
  const srv = await startServer({ tls: { certFile: p.server.cert, keyFile: p.server.key, timeoutMs: 1000 } });
  t.after(() => srv.close());
  assert.equal(srv.server.opts.authTimeoutMs, 2000);
  assert.equal(srv.server.opts.tls?.handshakeFirst, false);
  const nc = await connect({ servers: `127.0.0.1:${srv.port}`, reconnect: false, tls: { caFile: p.ca.cert } });
  assert.equal(nc.info?.tls_required, true);
  await nc.close();
});

test("startServer refuses unusable certificates", async () => {
  await assert.rejects(startServer({ tls: { certFile: "/nonexistent.pem", keyFile: "/nonexistent-key.pem" } }), /open \/nonexistent\.pem: no such file or directory/);
});
