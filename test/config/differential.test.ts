/**
 * Config files checked by the reference `nats-server -t -c FILE` and by our parser + options mapping:
 * both must accept the same files, and for a bad file both must blame the same line. Under `-t`
 * nats-server counts warnings as errors, so ours do too here.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfigFile } from "../../src/config/conf-parser.js";
import { ConfigError } from "../../src/config/config-error.js";
import { optionsFromConfig } from "../../src/config/from-config.js";
import { NATS_SERVER_BIN, natsServerAvailable } from "../helpers/server-process.js";

interface Case {
  name: string;
  conf: string;
  /** Other files beside c.conf. */
  files?: Record<string, string>;
  env?: Record<string, string>;
  /** For a bad file: the line both must blame (in whichever file the problem is). */
  /** The line nats-server names; several when it names any one of them (see duplicate store_dir). */
  badLine?: number | number[];
}

const GOOD: Case[] = [
  { name: "listen and identity", conf: "host: 127.0.0.1\nport: 4222\nserver_name: s1\nserver_tags: [a, b]\n" },
  { name: "every separator and terminator", conf: "port 4222\nmax_payload = 1MB; debug: true, trace: false\n\"server_name\": x\n" },
  { name: "comments", conf: "# a comment\nport: 4222 # after a value\n// slashes\nauthorization { user: a // inside\n password: b }\n" },
  { name: "strings", conf: "server_name: \"a\\tb\\x41\\\"\"\nlogfile: '/tmp/x\\y.log'\npidfile: /tmp/x.pid\n" },
  { name: "multi-line strings", conf: 'server_name: "two\nlines"\n' },
  { name: "sizes", conf: "max_payload: 2MB\nmax_pending: 1g\nmax_control_line: 8kb\n" },
  { name: "booleans", conf: "debug: yes\ntrace: off\nlogtime: TRUE\nno_header_support: On\n" },
  { name: "arrays over lines", conf: "server_tags: [\n  a\n  \"b\",\n  c,\n]\n" },
  { name: "negative numbers", conf: "port: -1\nmax_connections: -1\n" },
  { name: "monitoring forms", conf: 'http: "127.0.0.1:-1"\nhttps_port: 8443\nhttp_base_path: /m\n' },
  { name: "durations", conf: 'ping_interval: "1m30s"\nwrite_deadline: "500ms"\nlame_duck_duration: "30s"\nlame_duck_grace_period: "1s"\n' },
  {
    name: "authorization users with permissions",
    conf: 'authorization {\n  timeout: 1.5\n  users: [\n    {user: a, password: "$2a$11$abcdefghijklmnopqrstuv"}\n    {user: b, pass: c, permissions: {publish: {allow: ["x.>"], deny: "y"}, subscribe: "z"}}\n  ]\n}\n',
  },
  { name: "unquoted bcrypt password", conf: "authorization { user: a, password: $2a$11$abcdefghijklmnop }\n" },
  { name: "token", conf: "authorization { token: s3cr3t }\n" },
  { name: "jetstream enabled", conf: "jetstream: enabled\n" },
  { name: "jetstream block", conf: 'jetstream {\n  store_dir: "/tmp/tsnats-js"\n  max_mem: 1G\n  max_file_store: "2G"\n  domain: hub\n}\n' },
  { name: "store_dir at top level", conf: "store_dir: /tmp/x\njetstream: true\n" },
  { name: "variables", conf: "p = 4333\nport: $p\nu = x\nauthorization { pw = y\n user: $u, password: $pw }\n" },
  { name: "environment variable", conf: "port: $TSNATS_DIFF_PORT\nmax_payload: $TSNATS_DIFF_SIZE\n", env: { TSNATS_DIFF_PORT: "4333", TSNATS_DIFF_SIZE: "1k" } },
  { name: "environment variable through another", conf: "port: $TSNATS_DIFF_A\n", env: { TSNATS_DIFF_A: "$TSNATS_DIFF_B", TSNATS_DIFF_B: "4333" } },
  {
    name: "includes, relative and inside maps",
    conf: "port: 1\ninclude sub/a.conf\nauthorization {\n  include sub/users.conf\n}\n",
    files: { "sub/a.conf": "server_name: s2\ninclude b.conf\n", "sub/b.conf": "debug: true\n", "sub/users.conf": "user: a\npassword: b\n" },
  },
  { name: "block string through a variable", conf: "v = (\n  some text\n)\nserver_name: $v\n" },
  { name: "sections for later layers", conf: 'leafnodes {\n  listen: "127.0.0.1:-1"\n}\nwebsocket {\n  port: -1\n  no_tls: true\n}\ncluster {\n  name: c\n  listen: "127.0.0.1:-1"\n  routes: ["nats://127.0.0.1:6222"]\n}\nmqtt { port: -1 }\n' },
  { name: "case-insensitive keys", conf: "PORT: 4222\nServer_Name: x\n" },
  { name: "CRLF line ends", conf: "port: 4222\r\nserver_name: x\r\n" },
  { name: "empty file", conf: "" },
];

const BAD: Case[] = [
  { name: "unknown field", conf: "port: 1\n\n  bogus: 2\n", badLine: 3 },
  { name: "unknown field in authorization", conf: "authorization {\n  user: a\n  bogus: 1\n}\n", badLine: 3 },
  { name: "unknown field in jetstream", conf: "jetstream {\n  bogus: 1\n}\n", badLine: 2 },
  { name: "unused variable", conf: "a = 1\nport: $a\nb = 2\n", badLine: 3 },
  { name: "integer duration warns", conf: "port: 1\nping_interval: 5\n", badLine: 2 },
  { name: "bad duration", conf: 'port: 1\nwrite_deadline: "1x"\n', badLine: 2 },
  { name: "lame duck too short", conf: 'lame_duck_duration: "10s"\n', badLine: 1 },
  { name: "undefined variable", conf: "port: 1\nmax_payload: $nope\n", badLine: 2 },
  { name: "undefined environment variable", conf: "\nport: $TSNATS_DIFF_UNSET\n", badLine: 2 },
  { name: "variable from an inner map", conf: "authorization { u = x }\nserver_name: $u\n", badLine: 2 },
  { name: "bad escape", conf: 'port: 1\nserver_name: "a\\qb"\n', badLine: 2 },
  { name: "array terminator", conf: "port: 1\nserver_tags: [a b]\n", badLine: 2 },
  { name: "map terminator", conf: "authorization {\n  user: a password: b\n}\n", badLine: 2 },
  { name: "two values on a line", conf: "port: 1 2\n", badLine: 1 },
  { name: "key separator without key", conf: "port: 1\n= 2\n", badLine: 2 },
  { name: "string for an int", conf: 'port: 1\nmax_payload: "1MB"\n', badLine: 2 },
  { name: "int for a bool", conf: "debug: 1\n", badLine: 1 },
  { name: "float for an int", conf: "port: 1\nmax_connections: 1.5\n", badLine: 2 },
  { name: "payload too big", conf: "max_payload: 3GB\n", badLine: 1 },
  { name: "sub tokens too many", conf: "\nmax_sub_tokens: 300\n", badLine: 2 },
  { name: "jetstream string", conf: "jetstream: maybe\n", badLine: 1 },
  { name: "jetstream size string", conf: 'jetstream {\n  max_mem: "1Z"\n}\n', badLine: 2 },
  // nats-server walks the top-level keys in Go map order, so it blames either store_dir (about 1 run in 6: line 1).
  { name: "duplicate store_dir", conf: "store_dir: /a\njetstream {\n  store_dir: /b\n}\n", badLine: [1, 3] },
  { name: "token and user", conf: "\nauthorization { token: t, user: u }\n", badLine: 2 },
  { name: "address without port", conf: 'port: 1\nhttp: "8222"\n', badLine: 2 },
  { name: "value missing after a separator", conf: "port: 1\nmax_payload =\n4222\n", badLine: 3 },
  { name: "unterminated string", conf: 'port: 1\nserver_name: "abc\n', badLine: 3 },
  { name: "unterminated map", conf: "authorization {\n  user: a\n", badLine: 3 },
  { name: "unterminated block", conf: "v = (\nfoo\n", badLine: 3 },
  { name: "missing include", conf: "port: 1\ninclude nope.conf\n" },
  { name: "unknown field in an included file", conf: "port: 1\ninclude inc.conf\n", files: { "inc.conf": "\n\nbogus: 1\n" }, badLine: 3 },
];

function run(kind: "good" | "bad", c: Case) {
  const dir = mkdtempSync(join(tmpdir(), "tsnats-diff-"));
  for (const [path, text] of Object.entries({ "c.conf": c.conf, ...c.files })) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const env = { ...process.env, ...c.env };
  const ref = spawnSync(NATS_SERVER_BIN, ["-t", "-c", "c.conf"], { cwd: dir, env, encoding: "utf8", timeout: 10_000 });
  const refOk = ref.status === 0;
  const refLine = /:(\d+):\d+: |on line (\d+)/.exec(ref.stderr);

  let ourError: string | undefined;
  let ourLine: number | undefined;
  try {
    const { warnings } = optionsFromConfig(parseConfigFile(join(dir, "c.conf"), { env }));
    if (warnings.length > 0) {
      ourError = warnings.join("\n");
      ourLine = Number(/:(\d+):\d+: /.exec(warnings[0]!)![1]);
    }
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    ourError = e.message;
    ourLine = e.pos?.line;
  }

  const context = `nats-server said: ${ref.stderr.trim()}\ntsnats said: ${ourError ?? "valid"}`;
  assert.equal(refOk, kind === "good", `nats-server disagrees with the case itself.\n${context}`);
  assert.equal(ourError === undefined, refOk, context);
  if (kind === "bad" && c.badLine !== undefined) {
    const lines = Array.isArray(c.badLine) ? c.badLine : [c.badLine];
    const refAt = Number(refLine?.[1] ?? refLine?.[2]);
    assert.ok(lines.includes(refAt), `nats-server's line ${refAt} is not one of ${lines.join(", ")}.\n${context}`);
    assert.ok(ourLine !== undefined && lines.includes(ourLine), `our line ${ourLine} is not one of ${lines.join(", ")}.\n${context}`);
  }
}

for (const [kind, cases] of [["good", GOOD], ["bad", BAD]] as const) {
  for (const c of cases) {
    test(`nats-server -t agrees (${kind}): ${c.name}`, (t) => {
      if (!natsServerAvailable()) return t.skip("nats-server not installed");
      run(kind, c);
    });
  }
}
