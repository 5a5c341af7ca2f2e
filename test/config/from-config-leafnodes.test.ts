/**
 * The `leafnodes` block: the seeds' remote block, the hub's listener and authorization (single user or
 * users bound to accounts), remotes with their denies, and the errors for what is not served.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseConfigText } from "../../src/config/conf-parser.js";
import { ConfigError } from "../../src/config/config-error.js";
import { optionsFromConfig } from "../../src/config/from-config.js";

function read(text: string) {
  return optionsFromConfig(parseConfigText(text, "c.conf", { env: {} }));
}

function errorOf(text: string): string {
  try {
    read(text);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  assert.fail("expected a ConfigError");
}

test("the seeds' block: one remote, the default port, no listener", () => {
  const { patch, warnings } = read(`leafnodes { remotes = [{ url: "nats://main-cluster:7422" }] }`);
  assert.deepEqual(warnings, []);
  assert.deepEqual(patch.leafnodes, {
    host: "0.0.0.0",
    port: 0,
    noAdvertise: false,
    users: [],
    remotes: [{ urls: ["nats://main-cluster:7422"], denyImports: [], denyExports: [], hub: false, tlsRequired: false }],
    reconnectMs: 1000,
  });
  assert.deepEqual(read(`leaf { remotes = [{ url: "hub.example" }] }`).patch.leafnodes?.remotes[0]?.urls, ["nats://hub.example:7422"]);
});

test("a hub: listen, authorization users bound to accounts; remotes with urls, account, denies", () => {
  const { patch } = read(`leafnodes {
  listen: "127.0.0.1:7422"
  authorization { users = [ { user: a, password: pa, account: A }, { user: b, password: pb } ], timeout: 3 }
  reconnect: 5
  remotes = [ { urls: ["nats://u:p@h1:7000", "nats://h2"], account: X, credentials: "/c.creds", deny_imports: ["i.>"], deny_exports: ["e.*"] } ]
}`);
  const o = patch.leafnodes!;
  assert.equal(o.host, "127.0.0.1");
  assert.equal(o.port, 7422);
  assert.equal(o.authTimeoutMs, 3000);
  assert.equal(o.reconnectMs, 5000);
  assert.deepEqual(o.users, [
    { user: "a", password: "pa", account: "A" },
    { user: "b", password: "pb" },
  ]);
  assert.deepEqual(o.remotes, [
    { urls: ["nats://u:p@h1:7000", "nats://h2:7422"], account: "X", credentials: "/c.creds", denyImports: ["i.>"], denyExports: ["e.*"], hub: false, tlsRequired: false },
  ]);
});

test("tls: the hub's block, a remote's block, a tls:// URL; handshake_first is warned about", () => {
  const { patch, warnings } = read(`leafnodes {
  listen: 7422
  tls { cert_file: "/s.pem", key_file: "/s-key.pem", ca_file: "/ca.pem", verify: true, timeout: 3 }
  remotes = [ { url: "nats://h1", tls { ca_file: "/ca.pem" } }, { url: "tls://h2" }, { url: "nats://h3" } ]
}`);
  const o = patch.leafnodes!;
  assert.deepEqual(warnings, []);
  assert.equal(o.tls?.certFile, "/s.pem");
  assert.equal(o.tls?.verify, true);
  assert.equal(o.tls?.timeoutMs, 3000);
  assert.deepEqual(
    o.remotes.map((r) => [r.tlsRequired, r.tls?.caFile]),
    [
      [true, "/ca.pem"],
      [true, undefined],
      [false, undefined],
    ],
  );
  const hf = read(`leafnodes { listen: 7422, tls { cert_file: "/s.pem", key_file: "/k.pem", handshake_first: true } }`);
  assert.equal(hf.warnings.length, 1);
  assert.match(hf.warnings[0]!, /handshake_first/);
});

test("errors: a remote without url, a single user beside a users list, websocket remotes, unknown fields", () => {
  assert.match(errorOf(`leafnodes { remotes = [ { account: A } ] }`), /remote leafnode entry requires a url/);
  assert.match(errorOf(`leafnodes { authorization { user: a, password: b, users = [ { user: c, password: d } ] } }`), /single user\/pass and a users array/);
  assert.match(errorOf(`leafnodes { remotes = [ { url: "ws://h:443" } ] }`), /websocket leafnode remotes are not served/);
  assert.match(errorOf(`leafnodes { bogus: 1 }`), /unknown field "bogus"/);
});
