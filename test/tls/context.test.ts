import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { defaultTlsOptions, type TlsOptions } from "../../src/config/tls-options.js";
import { loadTlsSettings, TlsConfigError } from "../../src/tls/context.js";
import { pki } from "./pki.js";

function opts(o: Partial<TlsOptions>): TlsOptions {
  return { ...defaultTlsOptions(), ...o };
}

function errorOf(o: Partial<TlsOptions>): string {
  try {
    loadTlsSettings(opts(o));
  } catch (e) {
    assert.ok(e instanceof TlsConfigError, String(e));
    return e.message;
  }
  assert.fail("no error");
}

test("a certificate, its key and a CA load; ciphers default to nats-server's, TLS 1.3 suites always on", () => {
  const p = pki();
  const s = loadTlsSettings(opts({ certFile: p.server.cert, keyFile: p.server.key, caFile: p.ca.cert }));
  assert.ok(Buffer.isBuffer(s.cert) && Buffer.isBuffer(s.key) && Buffer.isBuffer(s.ca));
  assert.equal(s.minVersion, "TLSv1.2");
  assert.equal(s.ecdhCurve, "X25519:P-256:P-384:P-521");
  assert.equal(
    s.ciphers,
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305",
  );
});

test("cipher_suites, curve_preferences and min_version in OpenSSL's names", () => {
  const s = loadTlsSettings(opts({ cipherSuites: ["TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"], curvePreferences: ["CurveP384"], minVersion: "1.3" }));
  assert.equal(s.ciphers, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:ECDHE-ECDSA-AES128-SHA");
  assert.equal(s.ecdhCurve, "P-384");
  assert.equal(s.minVersion, "TLSv1.3");
});

test("file problems in nats-server's words", () => {
  const p = pki();
  assert.equal(errorOf({ certFile: "/nope/s.pem", keyFile: p.server.key }), "error parsing X509 certificate/key pair: open /nope/s.pem: no such file or directory");
  assert.equal(errorOf({ certFile: p.server.cert, keyFile: p.alice.key }), "error parsing X509 certificate/key pair: tls: private key does not match public key");
  assert.equal(errorOf({ caFile: "/nope/ca.pem" }), "open /nope/ca.pem: no such file or directory");
  const junk = join(p.dir, "junk.pem");
  writeFileSync(junk, "not a certificate\n");
  assert.match(errorOf({ certFile: junk, keyFile: p.server.key }), /^error parsing X509 certificate\/key pair: /);
});
