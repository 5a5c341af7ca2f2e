import { test } from "node:test";
import assert from "node:assert/strict";
import { parseConfigText } from "../../src/config/conf-parser.js";
import { ConfigError } from "../../src/config/config-error.js";
import { optionsFromConfig, type ConfigOptions } from "../../src/config/from-config.js";

function read(text: string): ConfigOptions {
  return optionsFromConfig(parseConfigText(text, "c.conf", { env: {} }));
}

function errorOf(text: string): string {
  try {
    read(text);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message;
  }
  assert.fail(`no error for ${JSON.stringify(text)}`);
}

test("listen address: listen/host/net and port", () => {
  assert.deepEqual(read("listen: 127.0.0.1:4333").patch, { host: "127.0.0.1", port: 4333 });
  assert.deepEqual(read('listen: "[::1]:4222"').patch, { host: "::1", port: 4222 });
  assert.deepEqual(read('listen: ":4222"').patch, { port: 4222 });
  assert.deepEqual(read("listen: 4555").patch, { port: 4555 });
  assert.deepEqual(read("host: 127.0.0.1\nport: -1").patch, { host: "127.0.0.1", port: -1 });
  assert.deepEqual(read("net: 10.0.0.1").patch, { host: "10.0.0.1" });
  assert.equal(errorOf('listen: "127.0.0.1"'), 'c.conf:1:0: could not parse address string "127.0.0.1"');
  assert.equal(errorOf('listen: "a:b"'), 'c.conf:1:0: could not parse port "b"');
});

test("monitoring: http/https in port or host:port form, http_port/monitor_port/https_port", () => {
  assert.deepEqual(read('http: "127.0.0.1:-1"').patch, { httpHost: "127.0.0.1", httpPort: -1 });
  assert.deepEqual(read("http: 8222").patch, { httpPort: 8222 });
  assert.deepEqual(read("http: -1").patch, { httpPort: -1 });
  assert.deepEqual(read("http_port: 8222").patch, { httpPort: 8222 });
  assert.deepEqual(read("monitor_port: 8223").patch, { httpPort: 8223 });
  assert.deepEqual(read("https: 127.0.0.2:8443").patch, { httpHost: "127.0.0.2", httpsPort: 8443 });
  assert.deepEqual(read("https_port: 8444").patch, { httpsPort: 8444 });
  assert.deepEqual(read('http_base_path: "/nats"').patch, { httpBasePath: "/nats" });
  assert.equal(errorOf('http: "8222"'), 'c.conf:1:0: could not parse address string "8222"');
  assert.match(errorOf("http: true"), /^c\.conf:1:0: expected port or host:port, got a boolean$/);
});

test("identity, limits and logging fields", () => {
  const { patch } = read(`
server_name: "srv-1"
server_tags: ["a:1", "b"]
client_advertise: "10.0.0.1:4222"
max_payload: 2MB
max_control_line: 8k
max_pending: 100MB
max_connections: 100
max_subscriptions: 10
max_sub_tokens: 16
max_traced_msg_len: 64
max_closed_clients: 5
ping_max: 3
no_header_support: true
disable_sublist_cache: yes
debug: true
trace: on
trace_verbose: false
logtime: false
logtime_utc: true
logfile: /tmp/x.log
logfile_size_limit: 1MB
syslog: true
remote_syslog: "udp://127.0.0.1:514"
pidfile: /tmp/x.pid
ports_file_dir: /tmp
connect_error_reports: 10
reconnect_error_reports: 2
prof_port: 6060
no_auth_user: a
system_account: SYS
`);
  assert.deepEqual(patch, {
    serverName: "srv-1",
    serverTags: ["a:1", "b"],
    clientAdvertise: "10.0.0.1:4222",
    maxPayload: 2 * 1024 * 1024,
    maxControlLine: 8000,
    maxPending: 100 * 1024 * 1024,
    maxConnections: 100,
    maxSubscriptions: 10,
    maxSubTokens: 16,
    maxTracedMsgLen: 64,
    maxClosedClients: 5,
    pingMax: 3,
    noHeaderSupport: true,
    disableSublistCache: true,
    debug: true,
    trace: true,
    traceVerbose: false,
    logtime: false,
    logtimeUTC: true,
    logFile: "/tmp/x.log",
    logFileSizeLimit: 1024 * 1024,
    syslog: true,
    remoteSyslog: "udp://127.0.0.1:514",
    pidFile: "/tmp/x.pid",
    portsFileDir: "/tmp",
    connectErrorReports: 10,
    reconnectErrorReports: 2,
    profPort: 6060,
    noAuthUser: "a",
    systemAccount: "SYS",
  });
});

test("aliases map to the same option", () => {
  assert.deepEqual(read("max_conn: 7\nmax_subs: 8\nlog_file: a\npid_file: b\nlog_size_limit: 1k\nsystem: S").patch, {
    maxConnections: 7,
    maxSubscriptions: 8,
    logFile: "a",
    pidFile: "b",
    logFileSizeLimit: 1000,
    systemAccount: "S",
  });
});

test("keys match without regard to case", () => {
  assert.deepEqual(read("PORT: 1\nServer_Name: x").patch, { port: 1, serverName: "x" });
});

test("server_tags takes a single string too", () => {
  assert.deepEqual(read("server_tags: solo").patch, { serverTags: ["solo"] });
  assert.match(errorOf("server_tags: [a, 1]"), /expected a string, got an integer/);
});

test("limits out of range are errors with nats-server's wording", () => {
  assert.equal(errorOf("max_payload: 2147483648"), "c.conf:1:0: max_payload value is too big");
  assert.deepEqual(read("max_payload: 2147483647").patch, { maxPayload: 2147483647 });
  assert.equal(errorOf("max_control_line: 100GB"), "c.conf:1:0: max_control_line value is too big");
  assert.equal(errorOf("max_sub_tokens: 256"), "c.conf:1:0: max_sub_tokens value is too big");
  assert.equal(errorOf("max_sub_tokens: -1"), "c.conf:1:0: max_sub_tokens value can not be negative");
});

test("durations: Go syntax; a bare integer is seconds with nats-server's warning", () => {
  const d = read('ping_interval: "1m30s"\nwrite_deadline: "500ms"\nlame_duck_duration: "45s"\nlame_duck_grace_period: "3s"');
  assert.deepEqual(d.patch, { pingIntervalMs: 90_000, writeDeadlineMs: 500, lameDuckDurationMs: 45_000, lameDuckGracePeriodMs: 3000 });
  assert.deepEqual(d.warnings, []);
  const w = read("port: 1\nping_interval: 5\nwrite_deadline: 3");
  assert.deepEqual(w.patch, { port: 1, pingIntervalMs: 5000, writeDeadlineMs: 3000 });
  assert.deepEqual(w.warnings, [
    'c.conf:2:1: invalid use of field "ping_interval": ping_interval should be converted to a duration',
    'c.conf:3:1: invalid use of field "write_deadline": write_deadline should be converted to a duration',
  ]);
  assert.equal(errorOf('ping_interval: "1x"'), 'c.conf:1:0: error parsing ping_interval: time: unknown unit "x" in duration "1x"');
  assert.equal(errorOf('ping_interval: "5"'), 'c.conf:1:0: error parsing ping_interval: time: missing unit in duration "5"');
  assert.equal(errorOf('lame_duck_duration: "10s"'), "c.conf:1:0: invalid lame_duck_duration of 10s, minimum is 30 seconds");
  assert.match(errorOf("lame_duck_grace_period: 3"), /^c\.conf:1:0: invalid value for "lame_duck_grace_period": expected a duration string, got an integer$/);
});

test("wrong value kinds are errors at the key", () => {
  assert.match(errorOf('port: "4222"'), /^c\.conf:1:0: invalid value for "port": expected an integer, got a string$/);
  assert.match(errorOf("max_payload: 1.5"), /expected an integer, got a float/);
  assert.match(errorOf("debug: 1"), /expected a boolean, got an integer/);
  assert.match(errorOf('debug: "true"'), /expected a boolean, got a string/);
  assert.match(errorOf("server_name: 2021-01-01T00:00:00Z"), /expected a string, got a datetime/);
});

test("unknown fields: every one is reported with file:line:col", () => {
  assert.equal(errorOf("foo: 1"), 'c.conf:1:0: unknown field "foo"');
  assert.equal(errorOf("port: 1\n  foo = 1"), 'c.conf:2:3: unknown field "foo"');
  assert.equal(errorOf("port: 1; bar: 2; foo: 1"), 'c.conf:1:9: unknown field "bar"\nc.conf:1:17: unknown field "foo"');
  assert.equal(errorOf("authorization { foo: 1 }"), 'c.conf:1:16: unknown field "foo"');
  assert.equal(errorOf("jetstream { foo: 1 }"), 'c.conf:1:12: unknown field "foo"');
  assert.equal(errorOf('"a b": 1'), 'c.conf:1:1: unknown field "a b"');
});

test("keys used as variables are not unknown fields; unused ones are", () => {
  assert.deepEqual(read("p = 4222\nport = $p").patch, { port: 4222 });
  assert.equal(errorOf("p = 4222\nport = $p\nq = 5"), 'c.conf:3:1: unknown field "q"');
  assert.deepEqual(read("authorization { u = x\n user = $u, password = p }").patch, { username: "x", password: "p" });
});

test("jetstream: bool, enabled/disabled, or a block", () => {
  assert.deepEqual(read("jetstream: true").patch, { jetstream: { enabled: true } });
  assert.deepEqual(read("jetstream: enabled").patch, { jetstream: { enabled: true } });
  assert.deepEqual(read('jetstream: "disabled"').patch, { jetstream: { enabled: false } });
  assert.deepEqual(read("jetstream: {}").patch, { jetstream: { enabled: true } });
  assert.deepEqual(read("jetstream: {enabled: false}").patch, { jetstream: { enabled: false } });
  assert.equal(errorOf("jetstream: foo"), "c.conf:1:0: Expected 'enabled' or 'disabled' for string value, got 'foo'");
  assert.equal(errorOf("jetstream: 1"), "c.conf:1:0: Expected map, bool or string to define JetStream, got an integer");
});

test("jetstream block fields, aliases and size forms", () => {
  const { patch } = read(`jetstream {
    store_dir: "/data/js"
    max_mem: 1G
    max_file_store: "2G"
    domain: hub
    unique_tag: az
    sync_interval: "2m"
    max_outstanding_catchup: 32MB
    max_buffered_size: 1k
    max_buffered_msgs: 10
    request_queue_limit: 100
    strict: true
    cipher: aes
    key: secret
    limits { max_ack_pending: 100, duplicate_window: "1m" }
  }`);
  assert.deepEqual(patch, {
    jetstream: {
      enabled: true,
      storeDir: "/data/js",
      maxMemory: 1e9,
      maxStore: 2 * 1024 ** 3,
      domain: "hub",
      uniqueTag: "az",
      syncIntervalMs: 120_000,
      maxOutstandingCatchup: 32 * 1024 * 1024,
      maxBufferedSize: 1000,
      maxBufferedMsgs: 10,
      requestQueueLimit: 100,
      strict: true,
      cipher: "aes",
      encryptionKey: "secret",
      limits: { max_ack_pending: 100, duplicate_window: "1m" },
    },
  });
  assert.deepEqual(read("jetstream { max_memory_store: 5, max_file: 6, store: x }").patch.jetstream, {
    enabled: true,
    maxMemory: 5,
    maxStore: 6,
    storeDir: "x",
  });
  assert.deepEqual(read("jetstream { max_mem_store: -1, sync_interval: always }").patch.jetstream, {
    enabled: true,
    maxMemory: -1,
    syncAlways: true,
  });
  // tsnats's own: the shared budget for file streams' loaded blocks.
  assert.deepEqual(read('jetstream { store_cache: "256M" }').patch.jetstream, { enabled: true, storeCacheBytes: 256 * 1024 ** 2 });
  assert.equal(errorOf("jetstream { store_cache: true }"), "c.conf:1:12: store_cache must be int64 or string");
  assert.equal(errorOf('jetstream { max_mem: "1Z" }'), "c.conf:1:12: max_mem sizes defined as strings must end in K, M, G, T");
  assert.equal(errorOf("jetstream { max_mem: 1.5 }"), "c.conf:1:12: max_mem must be int64 or string");
  assert.match(errorOf("jetstream { cipher: rot13 }"), /Unknown cipher type/);
});

test("store_dir at top level, but not in both places", () => {
  assert.deepEqual(read("store_dir: /d\njetstream: enabled").patch, { jetstream: { storeDir: "/d", enabled: true } });
  assert.equal(errorOf("store_dir: /a\njetstream {store_dir: /c}"), "c.conf:2:12: Duplicate 'store_dir' configuration");
  assert.equal(errorOf("jetstream {store_dir: /c}\nstore_dir: /a"), "c.conf:2:1: Duplicate 'store_dir' configuration");
});

test("authorization: single user, token, timeout", () => {
  assert.deepEqual(read("authorization { user: a, password: b, timeout: 1.5 }").patch, {
    username: "a",
    password: "b",
    authTimeoutMs: 1500,
  });
  assert.deepEqual(read("authorization { username: a, pass: b, timeout: 3 }").patch, {
    username: "a",
    password: "b",
    authTimeoutMs: 3000,
  });
  assert.deepEqual(read('authorization { token: "s3cr3t", timeout: "500ms" }').patch, { authToken: "s3cr3t", authTimeoutMs: 500 });
  assert.equal(errorOf("authorization { token: abc, user: a }"), "c.conf:1:0: Cannot have a user/pass and token");
});

test("authorization: users list with permissions and nkeys, defaults", () => {
  const { patch } = read(`authorization {
    default_permissions: { publish: ">" }
    users: [
      {user: a, password: "$2a$11$abc"}
      {user: b, pass: c, permissions: {publish: {allow: ["x.>"], deny: "y"}, subscribe: "z", allow_responses: true}}
      {user: d, allowed_connection_types: ["STANDARD", "WEBSOCKET"]}
      {nkey: UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4, permissions: {subscribe: "n.>"}}
    ]
  }`);
  assert.deepEqual(patch, {
    defaultPermissions: { publish: { allow: [">"] } },
    users: [
      { user: "a", password: "$2a$11$abc" },
      {
        user: "b",
        password: "c",
        permissions: { publish: { allow: ["x.>"], deny: ["y"] }, subscribe: { allow: ["z"] }, responses: { maxMsgs: 1, expiresMs: 120000 } },
      },
      { user: "d", password: "", allowedConnectionTypes: ["STANDARD", "WEBSOCKET"] },
    ],
    nkeys: [{ nkey: "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4", permissions: { subscribe: { allow: ["n.>"] } } }],
  });
});

// nats-server 2.9.10 (and 2.11): `permission` is a synonym of `permissions` in a user entry, not in the
// authorization block itself (there `unknown field "permission"`).
test("authorization: `permission` synonym in a user entry", () => {
  const { patch } = read(`authorization { users: [ {user: a, password: b, permission: {publish: "foo", subscribe: {deny: "bar"}}} ] }`);
  assert.deepEqual(patch, {
    users: [{ user: "a", password: "b", permissions: { publish: { allow: ["foo"] }, subscribe: { deny: ["bar"] } } }],
  });
  const accounts = read(`accounts { A { users: [ {user: a, password: b, permission: {publish: "foo"}} ] } }`).patch;
  assert.deepEqual(accounts.accounts?.[0]?.users[0]?.permissions, { publish: { allow: ["foo"] } });
  assert.equal(errorOf('authorization { permission: {publish: "foo"}, users: [{user: a, password: b}] }'), 'c.conf:1:16: unknown field "permission"');
});

test("authorization errors with nats-server's wording", () => {
  assert.equal(errorOf("authorization { user: a, users: [{user: b, password: c}] }"), "c.conf:1:0: Can not have a single user/pass and a users array");
  assert.equal(errorOf("authorization { users: [{password: b}] }"), "c.conf:1:24: User entry requires a user");
  assert.equal(errorOf("authorization { users: [{user: a, password: b}, {user: a, password: c}] }"), 'c.conf:1:16: Duplicate user "a" detected');
  assert.match(errorOf("authorization { users: {user: a} }"), /^c\.conf:1:16: Expected users field to be an array, got a map$/);
  assert.match(errorOf("authorization { users: [a] }"), /^c\.conf:1:24: Expected user entry to be a map\/struct, got "a"$/);
  assert.equal(errorOf("authorization { users: [{user: a, foo: 1}] }"), 'c.conf:1:34: unknown field "foo"');
  assert.match(errorOf("authorization: 5"), /expected a map, got an integer/);
});

test("sections for later layers are accepted and kept raw under their canonical name (leafnodes is served)", () => {
  const { patch } = read(`
leafnodes { listen: "127.0.0.1:-1", remotes: [{url: "nats://h:7422", account: A}] }
gateway { name: g, port: -1 }
mqtt { port: -1 }
maps { "a.*": "b.$1" }
`);
  assert.deepEqual([patch.leafnodes?.port, patch.leafnodes?.remotes[0]?.account], [-1, "A"]);
  assert.deepEqual(patch.unsupported, {
    gateway: { name: "g", port: -1 },
    mqtt: { port: -1 },
    mappings: { "a.*": "b.$1" },
  });
});
