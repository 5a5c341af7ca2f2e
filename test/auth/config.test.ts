/**
 * Security sections of the config file (permissions, accounts with exports/imports/limits, operator
 * mode): what they become, and for bad files the exact message `nats-server -t` prints (compared with the
 * reference where it is installed; the expected text is the one nats-server 2.9.10 printed).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseConfigFile } from "../../src/config/conf-parser.js";
import { ConfigError } from "../../src/config/config-error.js";
import { optionsFromConfig } from "../../src/config/from-config.js";
import { NATS_SERVER_BIN, natsServerAvailable } from "../helpers/server-process.js";

function file(conf: string): string {
  const dir = mkdtempSync(join(tmpdir(), "tsnats-authconf-"));
  const f = join(dir, "e.conf");
  writeFileSync(f, conf);
  return f;
}

function read(conf: string) {
  return optionsFromConfig(parseConfigFile(file(conf))).patch;
}

/** Our first error line, as `nats-server -t` prints it (file name only). */
function ours(conf: string): string {
  const f = file(conf);
  try {
    optionsFromConfig(parseConfigFile(f));
    return "valid";
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.message.split("\n")[0]!.replace(`${f}`, "e.conf");
  }
}

function reference(conf: string): string | undefined {
  if (!natsServerAvailable()) return undefined;
  const f = file(conf);
  const r = spawnSync(NATS_SERVER_BIN, ["-t", "-c", f], { encoding: "utf8" });
  if (r.status === 0) return "valid";
  return r.stderr.split("\n")[0]!.replace(/^nats-server: /, "").replace(f, "e.conf");
}

/** A file and nats-server's first error line (or the lines it prints, one per run: Go map order decides). */
const BAD: [string, string | string[]][] = [
  ['authorization { users: [ {user: a, password: b, permissions: {publish: {allow: "x", foo: 1}}} ] }', `e.conf:1:84: Unknown field name "foo" parsing subject permissions, only 'allow' or 'deny' are permitted`],
  ["authorization { users: [ {user: a, password: b, permissions: {pub: 5}} ] }", "Expected subject permissions to be a subject, or array of subjects, got int64"],
  ['authorization { users: [ {user: a, password: b, permissions: {bogus: "x"}} ] }', 'e.conf:1:62: Unknown field "bogus" parsing permissions'],
  ['authorization { users: [ {user: a, password: b, permissions: {publish: "a b c"}} ] }', 'subject "a b c" is not a valid subject'],
  ['authorization { users: [ {user: a, password: b, permissions: {subscribe: "foo..bar"}} ] }', 'subject "foo..bar" is not a valid subject'],
  ['authorization { users: [ {user: a, password: b, permissions: {allow_responses: {max: 2, expires: "1m", x: 1}}} ] }', 'e.conf:1:103: Unknown field "x" parsing permissions'],
  ["accounts { A: { users: [{user: a, password: b}], bogus: 1 } }", 'e.conf:1:49: unknown field "bogus"'],
  ["accounts { A: { users: [{user: a, password: b}] }, B: { users: [{user: a, password: c}] } }", ['e.conf:1:56: Duplicate user "a" detected', 'e.conf:1:16: Duplicate user "a" detected']],
  ["authorization { users: [{user: a, password: b}] }\naccounts { A: { users: [{user: a, password: b}] } }", ['e.conf:2:17: Duplicate user "a" detected', 'e.conf:1:0: Duplicate user "a" detected']],
  ["accounts { A: { imports: [ {service: {account: B, subject: x}} ] }, B: {} }", 'e.conf:1:0: Error adding service import "x": service import not authorized'],
  ["accounts { A: { imports: [ {stream: {account: Z, subject: x}} ] } }", 'e.conf:1:0: "Z" account not defined for stream import'],
  ['accounts { A: { exports: [ {stream: "x", bogus: 1} ] } }', 'e.conf:1:41: unknown field "bogus"'],
  ["accounts { A: { limits: {max_connections: 1, foo: 2} } }", 'e.conf:1:45: Unknown field "foo" parsing account limits'],
  ['authorization { users: [{nkey: "BADKEY"}] }', "e.conf:1:25: Not a valid public nkey for a user"],
  ['accounts { A: { exports: [ {service: "x", response_type: "weird"} ] } }', 'e.conf:1:42: Unknown response type: "weird"'],
  ['accounts { A: { exports: [ {stream: "x.*", accounts: [B, C]} ] }, B: {}, C: {imports: [ {stream: {account: A, subject: "x.>"}} ]} }', 'e.conf:1:0: Error adding stream import "x.>": stream import not authorized'],
  ['accounts { A: { exports: [ {stream: "x.*", accounts: [B]} ] } }', 'e.conf:1:0: "B" account not defined for stream export'],
  ['accounts { A: { exports: [{stream: "x.>"}], imports: [{stream: {account: B, subject: "x.>"}}] }, B: { exports: [{stream: "x.>"}], imports: [{stream: {account: A, subject: "x.>"}}] } }', 'e.conf:1:0: Error adding stream import "x.>": import forms a cycle'],
  ['accounts { A: { exports: [{service: "x.>"}], imports: [{service: {account: B, subject: "x.>"}}] }, B: { exports: [{service: "x.>"}], imports: [{service: {account: A, subject: "x.>"}}] } }', 'e.conf:1:0: Error adding service import "x.>": import forms a cycle'],
  ['operator: "nonexistent.jwt"', "e.conf:1:0: error parsing operator JWT: open nonexistent.jwt: no such file or directory"],
];

test("bad security sections: nats-server's message, position included", () => {
  for (const [conf, expected] of BAD) {
    const allowed = typeof expected === "string" ? [expected] : expected;
    assert.ok(allowed.includes(ours(conf)), `${conf}\n${ours(conf)}`);
    const ref = reference(conf);
    if (ref !== undefined) assert.ok(allowed.includes(ref), `nats-server now says otherwise for: ${conf}\n${ref}`);
  }
});

test("permissions: every form becomes allow/deny lists; allow_responses gets nats-server's defaults", () => {
  const p = read(`authorization { users: [
    {user: a, password: a, permissions: {publish: "x", subscribe: ["y", "z q"]}}
    {user: b, password: b, permissions: {pub: {allow: ["p.>"], deny: "p.secret"}, sub: {deny: ["s.>"]}, allow_responses: true}}
    {user: c, password: c, permissions: {allow_responses: {max: 5, expires: "30s"}}}
  ] }`);
  assert.deepEqual(
    p.users?.map((u) => u.permissions),
    [
      { publish: { allow: ["x"] }, subscribe: { allow: ["y", "z q"] } },
      { publish: { allow: ["p.>"], deny: ["p.secret"] }, subscribe: { deny: ["s.>"] }, responses: { maxMsgs: 1, expiresMs: 120_000 } },
      { responses: { maxMsgs: 5, expiresMs: 30_000 } },
    ],
  );
});

test("accounts: users, exports, imports, limits and default permissions become typed options", () => {
  const p = read(`accounts {
    A: {
      users: [ {user: a, password: a}, {nkey: UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4} ]
      exports: [ {stream: "s.>"}, {service: "q.*", accounts: [B], response_type: chunked, response_threshold: "5s"} ]
      limits: { max_conn: 3, max_subs: 10, max_payload: 1024 }
      default_permissions: { publish: "a.>" }
      jetstream: enabled
    }
    B: { users: [ {user: b, password: b} ], imports: [ {stream: {account: A, subject: "s.>"}, prefix: "from_a"}, {service: {account: A, subject: "q.*"}, to: "ask.*"} ] }
  }`);
  const [a, b] = p.accounts!;
  assert.deepEqual(a!.users, [{ user: "a", password: "a", account: "A" }]);
  assert.deepEqual(a!.nkeys, [{ nkey: "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4", account: "A" }]);
  assert.deepEqual(a!.exports, [
    { kind: "stream", subject: "s.>" },
    { kind: "service", subject: "q.*", accounts: ["B"], responseType: "Chunked", responseThresholdMs: 5000 },
  ]);
  assert.deepEqual(a!.limits, { maxConnections: 3, maxSubscriptions: 10, maxPayload: 1024 });
  assert.deepEqual(a!.defaultPermissions, { publish: { allow: ["a.>"] } });
  assert.equal(a!.jetstream, "enabled");
  assert.deepEqual(b!.imports, [
    { kind: "stream", account: "A", subject: "s.>", prefix: "from_a" },
    { kind: "service", account: "A", subject: "q.*", to: "ask.*" },
  ]);
});

test("operator mode: inline operator JWT, MEMORY and directory resolvers, preload", () => {
  const jwt =
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJhdWQiOiJOQVRTIiwibmFtZSI6InRlc3Qtb3AiLCJzdWIiOiJPQTIyTU00NkhDSkkzRzVUMzY1RURTVFZUTEJBSFg3WUdISk1TSUtIMlBWWTZCN0hDV0RLVU9XTSIsIm5hdHMiOnsidHlwZSI6Im9wZXJhdG9yIiwidmVyc2lvbiI6Mn0sImlzcyI6Ik9BMjJNTTQ2SENKSTNHNVQzNjVFRFNUVlRMQkFIWDdZR0hKTVNJS0gyUFZZNkI3SENXREtVT1dNIiwiaWF0IjoxNzk1MjQ0ODc4LCJqdGkiOiJaQUdya3F0ZmtWRVk1SG8zZXFjOEFFS2NyRHlQRVlISUpPMmVFVlJFWDdLSU9Lb0ZHQkRvM2t2d2t3bE1ZZEc1Yldpay9DL1BDK0MyMDVMejhPK2VlQT09In0.kZbtFjApLD_IMdt_zJ8pV4OgWu-MlDmvMELSBnCtRFjDN07gJB4AuA5CV5qpAta1-ghLhRmUwHO8DJN9ewIfBw";
  const armoured = file(`-----BEGIN NATS OPERATOR JWT-----\n${jwt}\n------END NATS OPERATOR JWT------\n`);
  const mem = read(`operator: "${armoured}"\nresolver: MEMORY\nresolver_preload: { ACCKEY: "eyJx.y.z" }\n`);
  assert.deepEqual(mem.operatorJwts, [jwt]);
  assert.equal(mem.resolver?.type, "memory");
  assert.deepEqual(mem.resolverPreload, { ACCKEY: "eyJx.y.z" });
  const full = read(`operator: "${jwt}"\nresolver: { type: full, dir: "/tmp/jwts", allow_delete: true, limit: 50, interval: "2m" }\n`);
  assert.deepEqual(full.resolver, { type: "full", dir: "/tmp/jwts", allowDelete: true, hardDelete: false, limit: 50, intervalMs: 120_000 });
});
