import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfigText } from "../../src/config/conf-parser.js";
import { ConfigError } from "../../src/config/config-error.js";
import { parseFlags } from "../../src/config/flags.js";
import { optionsFromConfig } from "../../src/config/from-config.js";
import { withDefaults } from "../../src/config/options.js";
import { resolveOptions } from "../../src/config/resolve.js";
import { defaultTlsOptions } from "../../src/config/tls-options.js";
import { validateOptions } from "../../src/config/validate.js";

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

function confFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "tsnats-cluster-conf-")), "server.conf");
  writeFileSync(path, text);
  return path;
}

test("the seed's cluster block: name, port, routes", () => {
  const { patch, warnings } = read(`cluster {
  name: nats-cluster-hk
  port: 6222
  routes = [
    nats://nats-1:6222
    "nats://ruser:T0pS3cr3t@nats-2:6222"
  ]
}`);
  assert.deepEqual(warnings, []);
  assert.deepEqual(withDefaults(patch).cluster, {
    name: "nats-cluster-hk",
    host: "0.0.0.0",
    port: 6222,
    noAdvertise: false,
    connectRetries: 0,
    routes: [
      { text: "nats://nats-1:6222", hostPort: "nats-1:6222" },
      { text: "nats://ruser:T0pS3cr3t@nats-2:6222", hostPort: "nats-2:6222", username: "ruser", password: "T0pS3cr3t" },
    ],
  });
});

test("every key of the cluster block", () => {
  const { patch } = read(`cluster {
  listen: "127.0.0.1:-1"
  advertise: "10.0.0.1:6222"
  no_advertise: true
  connect_retries: 7
  authorization { user: ru, password: rp, timeout: 0.5 }
  tls { cert_file: "s.pem", key_file: "s.key", ca_file: "ca.pem", verify: true, verify_cert_and_check_known_urls: true }
  permissions { import: ["a.>"], export: { allow: "b.>", deny: "b.x" } }
  pool_size: 3
  compression: { mode: s2_auto, rtt_thresholds: ["10ms", "50ms"] }
  accounts: [A, B]
  connect_backoff: true
  ping_interval: "10s"
  ping_max: 3
  write_deadline: "2s"
}`);
  assert.deepEqual(patch.cluster, {
    host: "127.0.0.1",
    port: -1,
    advertise: "10.0.0.1:6222",
    noAdvertise: true,
    connectRetries: 7,
    username: "ru",
    password: "rp",
    authTimeoutMs: 500,
    tls: { ...defaultTlsOptions(), certFile: "s.pem", keyFile: "s.key", caFile: "ca.pem", verify: true, checkKnownUrls: true },
    permissions: { import: { allow: ["a.>"] }, export: { allow: ["b.>"], deny: ["b.x"] } },
    poolSize: 3,
    compression: { mode: "s2_auto", rttThresholdsMs: [10, 50] },
    pinnedAccounts: ["A", "B"],
    connectBackoff: true,
    pingIntervalMs: 10_000,
    pingMax: 3,
    writeDeadlineMs: 2000,
  });
  // A route's ping interval is capped, with nats-server's warning.
  const capped = read('cluster {\n ping_interval: "2m"\n}\n');
  assert.equal(capped.patch.cluster?.pingIntervalMs, 30_000);
  assert.deepEqual(capped.warnings, ["c.conf:2:2: Cluster 'ping_interval' will reset to 30s which is the max for routes"]);
  // Aliases, and the other listen forms.
  assert.deepEqual(read("cluster { net: h, port: 1, cluster_advertise: x }").patch.cluster, { host: "h", port: 1, advertise: "x" });
  // A bare port listens on every interface, replacing a host given earlier in the block (as nats-server).
  assert.deepEqual(read("cluster { host: h, listen: 6222 }").patch.cluster, { host: "", port: 6222 });
  assert.deepEqual(read("cluster { compression: true }").patch.cluster, { compression: { mode: "s2_fast" } });
  assert.deepEqual(read("cluster { compression: off }").patch.cluster, { compression: { mode: "off" } });
});

test("bad cluster blocks get nats-server's errors at its positions", () => {
  assert.equal(errorOf("cluster: 5\n"), "c.conf:1:0: Expected map to define cluster, got int64");
  assert.equal(errorOf("cluster {\n port: -1\n bogus: 3\n}\n"), 'c.conf:3:2: unknown field "bogus"');
  assert.equal(errorOf("cluster {\n port: -1\n authorization { token: x }\n}\n"), "c.conf:3:2: Cluster authorization does not support tokens");
  assert.equal(
    errorOf("cluster {\n port: -1\n authorization { users: [{user: a, password: b}] }\n}\n"),
    "c.conf:3:2: Cluster authorization does not allow multiple users",
  );
  assert.equal(
    errorOf('cluster {\n port: -1\n permissions { import: "a", export: "b", allow_responses: true }\n}\n'),
    "c.conf:3:2: Cluster permissions do not support dynamic responses",
  );
  assert.equal(errorOf('cluster {\n name: x\n port: -1\n routes: ["nats://a:x"]\n}\n'), 'c.conf:4:12: error parsing route url ["nats://a:x"]');
  assert.equal(errorOf('cluster {\n listen: "127.0.0.1:-1"\n tls { cert_file: a }\n}\n'), "c.conf:3:2: missing 'key_file' in TLS configuration");
  assert.equal(errorOf('cluster {\n listen: "bad"\n}\n'), 'c.conf:2:2: could not parse address string "bad"');
  // Wrong kinds: nats-server panics into a Go type error; the position is what matters.
  assert.match(errorOf("cluster {\n name: 5\n}\n"), /^c\.conf:2:2: /);
  assert.match(errorOf('cluster {\n routes: "nats://a:1"\n}\n'), /^c\.conf:2:2: /);
  assert.match(errorOf('cluster {\n port: "x"\n}\n'), /^c\.conf:2:2: /);
  // The client listener's tls block still refuses the route-only key.
  assert.match(errorOf("tls { verify_cert_and_check_known_urls: true }\n"), /verify_cert_and_check_known_urls not supported in this context/);
});

test("warnings: a repeated route, permissions inside cluster authorization", () => {
  const dup = read('cluster {\n name: x\n port: -1\n routes: ["nats://a:1", "nats://a:1"]\n}\n');
  assert.deepEqual(dup.warnings, ['c.conf:4:26: invalid use of field "nats://a:1": Duplicate route entry detected']);
  assert.equal(dup.patch.cluster?.routes?.length, 1);
  const perms = read("cluster {\n authorization { user: a, password: b, permissions: { import: a } }\n}\n");
  assert.deepEqual(perms.warnings, [
    'c.conf:2:2: invalid use of field "authorization": setting "permissions" within cluster authorization block is deprecated',
  ]);
  assert.deepEqual(perms.patch.cluster?.permissions, { import: { allow: ["a"] } });
  // The block's own permissions win over the deprecated form, in either order.
  const both = read("cluster {\n permissions { export: b }\n authorization { user: a, password: b, permissions: { import: a } }\n}\n");
  assert.deepEqual(both.patch.cluster?.permissions, { export: { allow: ["b"] } });
});

test("the seed's command line forms a cluster configuration", () => {
  const { options } = resolveOptions(
    parseFlags(["-js", "-cluster_name=mycluster", "-cluster=nats://0.0.0.0:6222", "-routes=nats://nats-2:6222,nats://nats-3:6222", "-n", "n1"]),
  );
  assert.deepEqual(options.cluster, {
    name: "mycluster",
    host: "0.0.0.0",
    port: 6222,
    noAdvertise: false,
    connectRetries: 0,
    routes: [
      { text: "nats://nats-2:6222", hostPort: "nats-2:6222" },
      { text: "nats://nats-3:6222", hostPort: "nats-3:6222" },
    ],
  });
  assert.deepEqual(validateOptions(options).errors, []);
});

test("flags over the file's cluster block, field by field", () => {
  const file = confFile(`cluster {
  name: from-file
  listen: "127.0.0.1:7000"
  authorization { user: fu, password: fp }
  routes: ["nats://a:1"]
  connect_retries: 3
}`);
  const { options } = resolveOptions(parseFlags(["-c", file, "--cluster_name", "from-flag", "--routes", "nats://b:2"]));
  assert.equal(options.cluster?.name, "from-flag");
  assert.equal(options.cluster?.port, 7000);
  assert.equal(options.cluster?.username, "fu");
  assert.deepEqual(options.cluster?.routes.map((r) => r.text), ["nats://b:2"]);
  assert.equal(options.cluster?.connectRetries, 3);
  // -cluster replaces the listener and the credentials: none in the URL clears the file's.
  const over = resolveOptions(parseFlags(["-c", file, "-cluster", "nats://127.0.0.1:7001"])).options.cluster;
  assert.deepEqual([over?.host, over?.port, over?.username, over?.password], ["127.0.0.1", 7001, undefined, undefined]);
  const withCreds = resolveOptions(parseFlags(["-c", file, "-cluster", "nats://x:y@127.0.0.1:7001"])).options.cluster;
  assert.deepEqual([withCreds?.username, withCreds?.password], ["x", "y"]);
  // The file's routes stay when the flag gives none.
  assert.deepEqual(resolveOptions(parseFlags(["-c", file])).options.cluster?.routes.map((r) => r.text), ["nats://a:1"]);
});

test("routes on the command line need a cluster listener from the flags or the file", () => {
  assert.throws(() => resolveOptions(parseFlags(["-routes", "nats://a:1"])), {
    message: "solicited routes require cluster capabilities, e.g. --cluster",
  });
  assert.throws(() => resolveOptions(parseFlags(["-cluster=", "-routes", "nats://a:1"])), /solicited routes require/);
  assert.equal(resolveOptions(parseFlags(["-routes", "nats://a:1", "-c", confFile("cluster { port: 6222 }")])).options.cluster?.port, 6222);
  assert.equal(resolveOptions(parseFlags(["-routes="])).options.cluster?.routes.length, 0);
});

test("no cluster options without a block or a flag", () => {
  assert.equal(resolveOptions(parseFlags([])).options.cluster, undefined);
});

test("JetStream in a cluster needs a server name and a cluster name", () => {
  const errors = (args: string[]) => validateOptions(resolveOptions(parseFlags(args)).options).errors;
  assert.deepEqual(errors(["-js", "-cluster=nats://127.0.0.1:-1"]), ["jetstream cluster requires `server_name` to be set"]);
  assert.deepEqual(errors(["-js", "-cluster=nats://127.0.0.1:-1", "-n", "a"]), ["jetstream cluster requires `cluster.name` to be set"]);
  assert.deepEqual(errors(["-js", "-cluster=nats://127.0.0.1:-1", "-n", "a", "--cluster_name", "c"]), []);
  // Not clustered: a block without a port, or clustering off.
  assert.deepEqual(errors(["-js", "-c", confFile("cluster { name: c }")]), []);
  assert.deepEqual(errors(["-js", "-cluster="]), []);
  // A dynamic cluster name is fine without JetStream.
  assert.deepEqual(errors(["-cluster=nats://127.0.0.1:-1"]), []);
});
