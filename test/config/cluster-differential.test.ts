/**
 * Cluster configuration refused by both servers with the same words: the same command line (and
 * config file) given to nats-server 2.9.10 and to tsnats-server, whose first stderr line must be equal.
 * Each case states nats-server's text, so the file also documents it. Cases that would start a server
 * are not here: every one fails before listening.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NATS_SERVER_BIN, natsServerAvailable, TSNATS_BIN } from "../helpers/server-process.js";

interface Case {
  args: string[];
  conf?: string;
  /** nats-server's message, after its `nats-server: ` prefix. */
  says: string;
}

const CASES: Case[] = [
  { args: ["-js", "-cluster=nats://127.0.0.1:-1", "-p", "-1"], says: "jetstream cluster requires `server_name` to be set" },
  { args: ["-js", "-cluster=nats://127.0.0.1:-1", "-p", "-1", "-n", "a"], says: "jetstream cluster requires `cluster.name` to be set" },
  { args: ["-c", "c.conf", "-p", "-1"], conf: "jetstream: true\nserver_name: a\ncluster {\n port: -1\n}\n", says: "jetstream cluster requires `cluster.name` to be set" },
  { args: ["-routes=nats://a:1", "-p", "-1"], says: "solicited routes require cluster capabilities, e.g. --cluster" },
  { args: ["-cluster=", "-routes=nats://a:1", "-p", "-1"], says: "solicited routes require cluster capabilities, e.g. --cluster" },
  { args: ["-cluster=bogus", "-p", "-1"], says: "missing port in address" },
  { args: ["-cluster=nats://u@127.0.0.1:-1", "-p", "-1"], says: "expected cluster password to be set" },
  { args: ["-cluster=nats://127.0.0.1", "-p", "-1"], says: "address 127.0.0.1: missing port in address" },
  { args: ["--cluster_listen=nats://127.0.0.1:x", "-p", "-1"], says: 'parse "nats://127.0.0.1:x": invalid port ":x" after host' },
  { args: ["-cluster=:: bad", "-p", "-1"], says: 'parse ":: bad": missing protocol scheme' },
  { args: ["-cluster=127.0.0.1:6222", "-p", "-1"], says: 'parse "127.0.0.1:6222": first path segment in URL cannot contain colon' },
  { args: ["-cluster=nats://h:", "-p", "-1"], says: "EOF" },
  { args: ["-c", "c.conf", "-t"], conf: 'cluster {\n name: x\n port: -1\n routes: ["nats://a:x"]\n}\n', says: 'c.conf:4:12: error parsing route url ["nats://a:x"]' },
  // A route without a scheme is refused; `host-1:6222` reads as scheme `host-1` (accepted, fails when dialled).
  { args: ["-c", "c.conf", "-t"], conf: 'cluster {\n port: -1\n routes: ["127.0.0.1:6222"]\n}\n', says: 'c.conf:3:12: error parsing route url ["127.0.0.1:6222"]' },
  {
    args: ["-c", "c.conf", "-t"],
    conf: 'cluster {\n port: -1\n routes: ["nats-1:6222", "nats://[::1]:1", "nats://a b:1"]\n}\n',
    says: 'c.conf:3:45: error parsing route url ["nats://a b:1"]',
  },
  { args: ["-c", "c.conf", "-t"], conf: 'cluster {\n routes: ["nats://a:1", "nats://a:1"]\n}\n', says: 'c.conf:2:26: invalid use of field "nats://a:1": Duplicate route entry detected' },
  { args: ["-c", "c.conf", "-t"], conf: "cluster {\n port: -1\n authorization { token: x }\n}\n", says: "c.conf:3:2: Cluster authorization does not support tokens" },
  { args: ["-c", "c.conf", "-t"], conf: "cluster {\n authorization { users: [{user: a, password: b}] }\n}\n", says: "c.conf:2:2: Cluster authorization does not allow multiple users" },
  { args: ["-c", "c.conf", "-t"], conf: "cluster {\n permissions { import: a, allow_responses: true }\n}\n", says: "c.conf:2:2: Cluster permissions do not support dynamic responses" },
  { args: ["-c", "c.conf", "-t"], conf: "cluster {\n port: -1\n bogus: 3\n}\n", says: 'c.conf:3:2: unknown field "bogus"' },
  { args: ["-c", "c.conf", "-t"], conf: "cluster: 5\n", says: "c.conf:1:0: Expected map to define cluster, got int64" },
  { args: ["-c", "c.conf", "-t"], conf: 'cluster {\n listen: "bad"\n}\n', says: 'c.conf:2:2: could not parse address string "bad"' },
  { args: ["-c", "c.conf", "-t"], conf: "cluster {\n tls { cert_file: a }\n}\n", says: "c.conf:2:2: missing 'key_file' in TLS configuration" },
  {
    args: ["-c", "c.conf", "-t"],
    conf: "cluster {\n authorization { user: a, password: b, permissions: { import: a } }\n}\n",
    says: 'c.conf:2:2: invalid use of field "authorization": setting "permissions" within cluster authorization block is deprecated',
  },
];

function firstLine(bin: string, c: Case): string {
  const dir = mkdtempSync(join(tmpdir(), "tsnats-cluster-diff-"));
  if (c.conf !== undefined) writeFileSync(join(dir, "c.conf"), c.conf);
  const r = spawnSync(bin, c.args, { cwd: dir, encoding: "utf8", timeout: 10_000 });
  assert.notEqual(r.status, 0, `${bin} accepted ${c.args.join(" ")}:\n${r.stderr}`);
  return r.stderr.split("\n")[0]!;
}

for (const c of CASES) {
  test(`both refuse: ${c.args.join(" ")}${c.conf ? ` with ${JSON.stringify(c.conf)}` : ""}`, (t) => {
    if (!natsServerAvailable()) return t.skip("nats-server not installed");
    assert.equal(firstLine(NATS_SERVER_BIN, c), `nats-server: ${c.says}`);
    assert.equal(firstLine(TSNATS_BIN, c), `nats-server: ${c.says}`);
  });
}

test("both accept the seeds' forms (checked with -t; a cluster block with routes)", (t) => {
  if (!natsServerAvailable()) return t.skip("nats-server not installed");
  const dir = mkdtempSync(join(tmpdir(), "tsnats-cluster-diff-"));
  writeFileSync(
    join(dir, "c.conf"),
    'server_name: n1\njetstream: true\ncluster {\n  name: nats-cluster-hk\n  port: 6222\n  routes = [\n    nats://nats-1:6222\n    "nats://ruser:pw@nats-2:6222"\n  ]\n  connect_retries: 5\n  no_advertise: true\n  advertise: "10.0.0.1:6222"\n  authorization { user: ruser, password: pw, timeout: 2 }\n  permissions { import: ["a.>"], export: { allow: "b.>" } }\n}\n',
  );
  for (const bin of [NATS_SERVER_BIN, TSNATS_BIN]) {
    const r = spawnSync(bin, ["-c", "c.conf", "-t"], { cwd: dir, encoding: "utf8", timeout: 10_000 });
    assert.equal(r.stderr.trim(), "nats-server: configuration file c.conf is valid", bin);
  }
});

test("both read the cluster's certificates under -t (tsnats names no position, as for the client tls block)", (t) => {
  if (!natsServerAvailable()) return t.skip("nats-server not installed");
  const c: Case = {
    args: ["-c", "c.conf", "-t"],
    conf: 'cluster {\n port: -1\n tls { cert_file: "/nonexistent.pem", key_file: "/nonexistent.key" }\n}\n',
    says: "",
  };
  const reason = "error parsing X509 certificate/key pair: open /nonexistent.pem: no such file or directory";
  assert.equal(firstLine(NATS_SERVER_BIN, c), `nats-server: c.conf:3:2: ${reason}`);
  assert.equal(firstLine(TSNATS_BIN, c), `nats-server: ${reason}`);
});
