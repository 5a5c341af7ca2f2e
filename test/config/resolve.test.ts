import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../src/config/config-error.js";
import { parseFlags } from "../../src/config/flags.js";
import { resolveOptions } from "../../src/config/resolve.js";
import { defaultOptions, mergePatches, withDefaults } from "../../src/config/options.js";
import { defaultTlsOptions } from "../../src/config/tls-options.js";
import { validateOptions } from "../../src/config/validate.js";

function confFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "tsnats-resolve-"));
  const path = join(dir, "server.conf");
  writeFileSync(path, text);
  return path;
}

test("no flags, no file: nats-server's defaults", () => {
  const { options, warnings } = resolveOptions(parseFlags([]));
  assert.deepEqual(options, defaultOptions());
  assert.deepEqual(warnings, []);
  assert.equal(options.port, 4222);
  assert.equal(options.host, "0.0.0.0");
  assert.equal(options.maxPayload, 1024 * 1024);
  assert.equal(options.pingIntervalMs, 120_000);
  assert.equal(options.jetstream.enabled, false);
  assert.equal(options.jetstream.storeDir, join(tmpdir(), "nats"));
  assert.equal(options.configFile, undefined);
});

test("-js without a store dir uses nats-server's default store dir", () => {
  const { options } = resolveOptions(parseFlags(["-js"]));
  assert.equal(options.jetstream.enabled, true);
  assert.equal(options.jetstream.storeDir, join(tmpdir(), "nats"));
  assert.equal(resolveOptions(parseFlags(["-sd", "/data/x"])).options.jetstream.storeDir, "/data/x");
  // -sd alone does not turn JetStream on (as nats-server).
  assert.equal(resolveOptions(parseFlags(["-sd", "/data/x"])).options.jetstream.enabled, false);
});

test("flags > file > defaults, field by field", () => {
  const file = confFile(`
port: 5000
server_name: from-file
debug: true
max_payload: 2MB
jetstream { store_dir: "/from/file", max_mem: 1G }
authorization { user: fu, password: fp }
tls { cert_file: "file.pem", key_file: "file.key", ca_file: "file-ca.pem", verify: true, timeout: 5 }
cluster { name: c-file, listen: "127.0.0.1:6222" }
`);
  const { options } = resolveOptions(
    parseFlags(["-c", file, "-p", "6000", "-DV", "-js", "-sd", "/from/flag", "--user", "cu", "--tlscert", "flag.pem", "--tlskey", "flag.key", "--cluster_name", "c-flag"]),
  );
  assert.equal(options.configFile, file);
  assert.equal(options.port, 6000); // flag
  assert.equal(options.serverName, "from-file"); // file
  assert.equal(options.debug, true);
  assert.equal(options.trace, true); // flag
  assert.equal(options.maxPayload, 2 * 1024 * 1024); // file
  assert.equal(options.maxPending, 64 * 1024 * 1024); // default
  assert.deepEqual(options.jetstream, { enabled: true, storeDir: "/from/flag", maxMemory: 1e9, maxStore: -1 });
  assert.equal(options.username, "cu");
  assert.equal(options.password, "fp");
  // As nats-server: the TLS flags replace the file's certificate, key, CA and verify as a group.
  assert.deepEqual(options.tls, { ...defaultTlsOptions(), certFile: "flag.pem", keyFile: "flag.key", timeoutMs: 5000 });
  assert.equal(options.authTimeoutMs, 6000); // TLS timeout + 1s when the file sets none
  assert.deepEqual(options.cluster, { name: "c-flag", host: "127.0.0.1", port: 6222, noAdvertise: false, routes: [], connectRetries: 0 });
});

test("a flag turning something off beats the file turning it on", () => {
  const file = confFile("jetstream: enabled\nlogtime: true\n");
  const { options } = resolveOptions(parseFlags(["-c", file, "-js=false", "-T=false"]));
  assert.equal(options.jetstream.enabled, false);
  assert.equal(options.logtime, false);
  // And -js beats `jetstream: disabled`.
  assert.equal(resolveOptions(parseFlags(["-c", confFile("jetstream: disabled\n"), "-js"])).options.jetstream.enabled, true);
});

test("re-resolving after the file changed (SIGHUP) keeps the flags on top", () => {
  const file = confFile("port: 1\ndebug: false\n");
  const flags = parseFlags(["-c", file, "-D"]);
  assert.equal(resolveOptions(flags).options.debug, true);
  writeFileSync(file, "port: 1\ndebug: false\ntrace: true\n");
  const again = resolveOptions(flags).options;
  assert.equal(again.debug, true);
  assert.equal(again.trace, true);
});

test("warnings from the file are returned", () => {
  const { options, warnings } = resolveOptions(parseFlags(["-c", confFile("ping_interval: 5\n")]));
  assert.equal(options.pingIntervalMs, 5000);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /server\.conf:1:0: invalid use of field "ping_interval": ping_interval should be converted to a duration$/);
});

test("a bad or missing file is a ConfigError", () => {
  assert.throws(() => resolveOptions(parseFlags(["-c", confFile("port: 1\nbogus: 2\n")])), (e: unknown) => e instanceof ConfigError && /:2:1: unknown field "bogus"$/.test(e.message));
  assert.throws(() => resolveOptions(parseFlags(["-c", "/nonexistent.conf"])), /open \/nonexistent\.conf: no such file or directory/);
});

test("environment variables reach the file through resolveOptions", () => {
  const { options } = resolveOptions(parseFlags(["-c", confFile("port: $TSNATS_TEST_PORT\n")]), { env: { TSNATS_TEST_PORT: "4999" } });
  assert.equal(options.port, 4999);
});

test("everything the client test harnesses put in a config is accepted", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsnats-harness-"));
  const file = confFile(`
# what nats.js, nats.c, nats.py and nats.deno test launchers write
host: 127.0.0.1
port: -1
http: "127.0.0.1:-1"
server_name: "srv-1"
server_tags: ["id:0123456789"]
ports_file_dir: "${dir}"
max_payload: 2MB
debug: true
trace: false
leafnodes {
  listen: "127.0.0.1:-1"
  remotes: [ { url: "nats://127.0.0.1:7422", account: B } ]
}
websocket {
  port: -1
  no_tls: true
}
jetstream {
  store_dir: "${dir}/js"
  max_file_store: 1G
  max_mem_store: 512M
  domain: hub
}
cluster {
  name: "cluster-1"
  listen: "127.0.0.1:-1"
  routes: ["nats://127.0.0.1:6222", "nats://127.0.0.1:6223"]
}
accounts {
  A: {
    users: [ {user: a, password: a} ]
    exports: [ {service: "q.>", response_type: stream}, {stream: "s.>"} ]
    jetstream: enabled
  }
  B: {
    users: [ {user: b, password: b, permissions: {publish: {allow: ["x.>"], deny: ["y"]}, subscribe: "z", allow_responses: true}} ]
    imports: [ {service: {account: A, subject: "q.>"}}, {stream: {account: A, subject: "s.>"}} ]
  }
}
no_auth_user: a
authorization {
  timeout: 2
}
operator: "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJhdWQiOiJOQVRTIiwibmFtZSI6InRlc3Qtb3AiLCJzdWIiOiJPQTIyTU00NkhDSkkzRzVUMzY1RURTVFZUTEJBSFg3WUdISk1TSUtIMlBWWTZCN0hDV0RLVU9XTSIsIm5hdHMiOnsidHlwZSI6Im9wZXJhdG9yIiwidmVyc2lvbiI6Mn0sImlzcyI6Ik9BMjJNTTQ2SENKSTNHNVQzNjVFRFNUVlRMQkFIWDdZR0hKTVNJS0gyUFZZNkI3SENXREtVT1dNIiwiaWF0IjoxNzk1MjQ0ODc4LCJqdGkiOiJaQUdya3F0ZmtWRVk1SG8zZXFjOEFFS2NyRHlQRVlISUpPMmVFVlJFWDdLSU9Lb0ZHQkRvM2t2d2t3bE1ZZEc1Yldpay9DL1BDK0MyMDVMejhPK2VlQT09In0.kZbtFjApLD_IMdt_zJ8pV4OgWu-MlDmvMELSBnCtRFjDN07gJB4AuA5CV5qpAta1-ghLhRmUwHO8DJN9ewIfBw"
resolver: MEMORY
resolver_preload: { ADLG6BJFGOXVGC2MFOSAMWIE5MSPE2MNU4ZIRSGR6F3TDCRFVLSWQ2SS: "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.x.y" }
system_account: SYS
tls {
  cert_file: "./certs/server.pem"
  key_file: "./certs/key.pem"
  ca_file: "./certs/ca.pem"
  verify: true
  verify_and_map: true
  timeout: 2
  handshake_first: true
}
allow_non_tls: true
mqtt { port: -1 }
`);
  const { options, warnings } = resolveOptions(parseFlags(["-c", file, "-a", "127.0.0.1", "-p", "-1"]));
  assert.deepEqual(warnings, []);
  assert.equal(options.host, "127.0.0.1");
  assert.equal(options.port, -1);
  assert.equal(options.httpHost, "127.0.0.1");
  assert.equal(options.httpPort, -1);
  assert.deepEqual(options.serverTags, ["id:0123456789"]);
  assert.equal(options.portsFileDir, dir);
  assert.equal(options.jetstream.enabled, true);
  assert.equal(options.jetstream.storeDir, `${dir}/js`);
  assert.equal(options.jetstream.maxStore, 1e9);
  assert.equal(options.jetstream.maxMemory, 512e6);
  assert.equal(options.jetstream.domain, "hub");
  assert.equal(options.authTimeoutMs, 2000);
  assert.equal(options.systemAccount, "SYS");
  assert.deepEqual(options.accounts?.map((a) => a.name), ["A", "B"]);
  assert.equal(options.operatorJwts?.length, 1);
  assert.equal(options.resolver?.type, "memory");
  assert.deepEqual(Object.keys(options.unsupported).sort(), ["mqtt"]);
  assert.deepEqual(options.leafnodes?.remotes.map((r) => [r.urls, r.account]), [[["nats://127.0.0.1:7422"], "B"]]);
  assert.equal(options.websocket?.port, -1);
  assert.equal(options.websocket?.noTls, true);
  assert.equal(options.cluster?.name, "cluster-1");
  assert.deepEqual(options.tls, {
    ...defaultTlsOptions(),
    certFile: "./certs/server.pem",
    keyFile: "./certs/key.pem",
    caFile: "./certs/ca.pem",
    verify: true,
    verifyAndMap: true,
    handshakeFirst: true,
  });
  assert.equal(options.allowNonTls, true);
});

test("mergePatches and withDefaults merge jetstream and sections field by field", () => {
  const merged = mergePatches(
    { port: 1, jetstream: { enabled: true, maxMemory: 5 }, unsupported: { tls: { a: 1, b: 2 }, ws: 1 } },
    { port: 2, jetstream: { storeDir: "/x" }, unsupported: { tls: { b: 3 } } },
  );
  assert.deepEqual(merged, {
    port: 2,
    jetstream: { enabled: true, maxMemory: 5, storeDir: "/x" },
    unsupported: { tls: { a: 1, b: 3 }, ws: 1 },
  });
  assert.equal(withDefaults({ jetstream: { storeDir: "" } }).jetstream.storeDir, join(tmpdir(), "nats"));
});

test("startup validation: nats-server's checks across options", () => {
  assert.deepEqual(validateOptions(defaultOptions()), { errors: [], warnings: [] });
  const big = withDefaults({ maxPayload: 100 * 1024 * 1024, maxPending: 1024 * 1024 });
  assert.deepEqual(validateOptions(big).errors, ["max_payload (104857600) cannot be higher than max_pending (1048576)"]);
  assert.deepEqual(validateOptions(withDefaults({ maxPayload: 9 * 1024 * 1024 })).warnings, [
    "Maximum payloads over 8.00 MB are generally discouraged and could lead to poor performance",
  ]);
  assert.deepEqual(validateOptions(withDefaults({ noAuthUser: "foo" })).errors, ['no_auth_user: "foo" present, but users are not defined']);
  assert.deepEqual(validateOptions(withDefaults({ noAuthUser: "foo", users: [{ user: "bar", password: "x" }] })).errors, [
    'no_auth_user: "foo" not present as user or nkey in authorization block or account configuration',
  ]);
  assert.deepEqual(validateOptions(withDefaults({ noAuthUser: "bar", users: [{ user: "bar", password: "x" }] })).errors, []);
});
