import { test } from "node:test";
import assert from "node:assert/strict";
import { parseConfigText } from "../../src/config/conf-parser.js";
import { ConfigError } from "../../src/config/config-error.js";
import { optionsFromConfig } from "../../src/config/from-config.js";
import { withDefaults } from "../../src/config/options.js";
import { defaultTlsOptions, type TlsOptions } from "../../src/config/tls-options.js";

function tls(block: string): TlsOptions | undefined {
  return optionsFromConfig(parseConfigText(`tls ${block}`, "c.conf", { env: {} })).patch.tls;
}

function errorOf(text: string): string {
  try {
    optionsFromConfig(parseConfigText(text, "c.conf", { env: {} }));
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message;
  }
  assert.fail(`no error for ${JSON.stringify(text)}`);
}

test("every key of the tls block, with nats-server's defaults for the rest", () => {
  assert.deepEqual(tls("{}"), defaultTlsOptions());
  assert.deepEqual(
    tls(`{
  cert_file: "s.pem", key_file: "k.pem", ca_file: "ca.pem", verify: true, timeout: 0.5
  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256]
  curve_preferences: [X25519, CurveP256]
  min_version: "1.3"
  pinned_certs: ["A00000000000000000000000000000000000000000000000000000000000000B"]
  insecure: true
  connection_rate_limit: 5
}`),
    {
      ...defaultTlsOptions(),
      certFile: "s.pem",
      keyFile: "k.pem",
      caFile: "ca.pem",
      verify: true,
      timeoutMs: 500,
      cipherSuites: ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256"],
      curvePreferences: ["X25519", "CurveP256"],
      minVersion: "1.3",
      pinnedCerts: ["a00000000000000000000000000000000000000000000000000000000000000b"],
      insecure: true,
      connectionRateLimit: 5,
    },
  );
});

test("timeout: seconds (integer or fractional) or a duration string", () => {
  assert.equal(tls("{ timeout: 3 }")?.timeoutMs, 3000);
  assert.equal(tls("{ timeout: 0.25 }")?.timeoutMs, 250);
  assert.equal(tls('{ timeout: "1500ms" }')?.timeoutMs, 1500);
});

test("verify_and_map implies verify", () => {
  const t = tls("{ verify_and_map: true }");
  assert.equal(t?.verifyAndMap, true);
  assert.equal(t?.verify, true);
});

test("handshake_first (or first, immediate): true, false, auto (50ms fallback) or a fallback duration", () => {
  assert.deepEqual([tls("{ handshake_first: true }")?.handshakeFirst, tls("{ handshake_first: true }")?.handshakeFirstFallbackMs], [true, undefined]);
  assert.equal(tls("{ first: false }")?.handshakeFirst, false);
  assert.equal(tls('{ immediate: "on" }')?.handshakeFirst, true);
  const auto = tls("{ handshake_first: auto }");
  assert.deepEqual([auto?.handshakeFirst, auto?.handshakeFirstFallbackMs], [true, 50]);
  const delay = tls('{ handshake_first: "300ms" }');
  assert.deepEqual([delay?.handshakeFirst, delay?.handshakeFirstFallbackMs], [true, 300]);
  assert.match(errorOf('tls { handshake_first: "soon" }'), /^c\.conf:1:6: error parsing tls config, /);
  assert.match(errorOf("tls { handshake_first: 1 }"), /^c\.conf:1:6: error parsing tls config, 'handshake_first' should be a boolean or a string$/);
});

test("allow_non_tls is an option of its own", () => {
  assert.deepEqual(optionsFromConfig(parseConfigText("allow_non_tls: true", "c.conf", { env: {} })).patch, { allowNonTls: true });
});

test("errors in nats-server 2.9.10's words and places", () => {
  // Texts and positions as `nats-server -t` prints them for the same lines.
  const base = "tls { cert_file: server.pem, key_file: server-key.pem, ";
  assert.equal(errorOf("tls { cert_file: server.pem }"), "c.conf:1:0: missing 'key_file' in TLS configuration");
  assert.equal(errorOf("tls { key_file: server-key.pem }"), "c.conf:1:0: missing 'cert_file' in TLS configuration");
  assert.equal(errorOf(`${base}foo: 1 }`), 'c.conf:1:55: error parsing tls config, unknown field ["foo"]');
  assert.equal(errorOf(`${base}cipher_suites: [TLS_FOO] }`), "c.conf:1:71: unrecognized cipher TLS_FOO");
  assert.equal(errorOf(`${base}curve_preferences: [Foo] }`), "c.conf:1:75: unrecognized curve preference Foo");
  assert.equal(errorOf(`${base}verify: "yes" }`), "c.conf:1:55: error parsing tls config, expected 'verify' to be a boolean");
  assert.equal(errorOf(`${base}verify_cert_and_check_known_urls: true }`), "c.conf:1:55: verify_cert_and_check_known_urls not supported in this context");
  assert.match(errorOf(`${base}pinned_certs: ["abc"] }`), /error parsing tls config, 'pinned_certs' key abc does not look like hex-encoded sha256 of DER encoded SubjectPublicKeyInfo$/);
  assert.match(errorOf(`${base}min_version: "1.1" }`), /unsupported TLS version: 1\.1$/);
  assert.match(errorOf(`${base}min_version: "1.4" }`), /unknown version: 1\.4$/);
  assert.match(errorOf(`${base}cipher_suites: [] }`), /'cipher_suites' cannot be empty$/);
  assert.match(errorOf(`${base}timeout: true }`), /'timeout' wrong type$/);
  assert.match(errorOf("tls: true"), /^c\.conf:1:0: error parsing tls config, expected a map/);
});

test("auth_timeout defaults to the TLS timeout plus a second, unless configured", () => {
  const opts = (text: string) => withDefaults(optionsFromConfig(parseConfigText(text, "c.conf", { env: {} })).patch);
  assert.equal(opts("port: 1").authTimeoutMs, 2000);
  assert.equal(opts("tls {}").authTimeoutMs, 3000);
  assert.equal(opts("tls { timeout: 0.5 }").authTimeoutMs, 1500);
  assert.equal(opts("tls {}\nauthorization { timeout: 4 }").authTimeoutMs, 4000);
});
