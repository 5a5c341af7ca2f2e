import { test } from "node:test";
import assert from "node:assert/strict";
import { FlagError, parseFlags, usage } from "../../src/config/flags.js";
import { defaultTlsOptions } from "../../src/config/tls-options.js";

function flagError(argv: string[]): FlagError {
  try {
    parseFlags(argv);
  } catch (e) {
    assert.ok(e instanceof FlagError, String(e));
    return e;
  }
  assert.fail(`no error for ${argv.join(" ")}`);
}

test("both Go styles: -x v, --x v, -x=v, --x=v", () => {
  for (const argv of [["-p", "4333"], ["--p", "4333"], ["-p=4333"], ["--p=4333"], ["-port", "4333"], ["--port=4333"]]) {
    assert.deepEqual(parseFlags(argv).set, { port: 4333 }, argv.join(" "));
  }
  assert.deepEqual(parseFlags(["-sd=/tmp/x"]).set, { jetstream: { storeDir: "/tmp/x" } });
  assert.deepEqual(parseFlags(["-sd", "/tmp/x"]).set, { jetstream: { storeDir: "/tmp/x" } });
});

test("server flags and their aliases", () => {
  const r = parseFlags([
    "-a", "127.0.0.1", "-p", "-1", "-n", "s1", "-P", "/tmp/p.pid", "-m", "8222", "-ms", "8443",
    "--client_advertise", "h:1", "--ports_file_dir", "/tmp/ports",
  ]);
  assert.deepEqual(r.set, {
    host: "127.0.0.1",
    port: -1,
    serverName: "s1",
    pidFile: "/tmp/p.pid",
    httpPort: 8222,
    httpsPort: 8443,
    clientAdvertise: "h:1",
    portsFileDir: "/tmp/ports",
  });
  assert.deepEqual(parseFlags(["--addr", "h1"]).set, { host: "h1" });
  assert.deepEqual(parseFlags(["--net", "h2"]).set, { host: "h2" });
  assert.deepEqual(parseFlags(["--name", "x"]).set, { serverName: "x" });
  assert.deepEqual(parseFlags(["-server_name", "y"]).set, { serverName: "y" });
  assert.deepEqual(parseFlags(["--pid", "f"]).set, { pidFile: "f" });
  assert.deepEqual(parseFlags(["--http_port", "-1"]).set, { httpPort: -1 });
  assert.deepEqual(parseFlags(["--https_port=1"]).set, { httpsPort: 1 });
});

test("the last of repeated flags wins, whichever name it used", () => {
  assert.deepEqual(parseFlags(["-p", "1", "--port", "2"]).set, { port: 2 });
});

test("config file: -c, --config, -config", () => {
  for (const argv of [["-c", "a.conf"], ["--config", "a.conf"], ["-config", "a.conf"], ["-c=a.conf"]]) {
    const r = parseFlags(argv);
    assert.equal(r.configFile, "a.conf");
    assert.deepEqual(r.set, {});
    assert.deepEqual(r.action, { kind: "run" });
  }
});

test("boolean flags: bare means true, =value takes Go's boolean words", () => {
  assert.deepEqual(parseFlags(["-js"]).set, { jetstream: { enabled: true } });
  assert.deepEqual(parseFlags(["--jetstream"]).set, { jetstream: { enabled: true } });
  assert.deepEqual(parseFlags(["-js=false"]).set, { jetstream: { enabled: false } });
  assert.deepEqual(parseFlags(["-T"]).set, { logtime: true });
  assert.deepEqual(parseFlags(["-T=false"]).set, { logtime: false });
  assert.deepEqual(parseFlags(["--logtime=0"]).set, { logtime: false });
  assert.deepEqual(parseFlags(["-js=T"]).set, { jetstream: { enabled: true } });
  assert.deepEqual(parseFlags(["--logtime_utc"]).set, { logtimeUTC: true });
  assert.equal(flagError(["-js=yes"]).message, 'invalid boolean value "yes" for -js: parse error');
});

test("-T false: the value is not the flag's, it is an unknown command", () => {
  const e = flagError(["-T", "false"]);
  assert.equal(e.message, 'unrecognized command: "false"');
  assert.equal(e.showUsage, false);
  assert.equal(e.exitCode, 1);
});

test("logging flags: -D -V -VV -DV -DVV -l -s -r and limits", () => {
  assert.deepEqual(parseFlags(["-D"]).set, { debug: true });
  assert.deepEqual(parseFlags(["-V"]).set, { trace: true });
  assert.deepEqual(parseFlags(["-VV"]).set, { trace: true, traceVerbose: true });
  assert.deepEqual(parseFlags(["-DV"]).set, { debug: true, trace: true });
  assert.deepEqual(parseFlags(["-DVV"]).set, { debug: true, trace: true, traceVerbose: true });
  assert.deepEqual(parseFlags(["--debug", "--trace"]).set, { debug: true, trace: true });
  assert.deepEqual(parseFlags(["-l", "/tmp/x.log", "-s", "-r", "udp://h:514"]).set, {
    logFile: "/tmp/x.log",
    syslog: true,
    remoteSyslog: "udp://h:514",
  });
  assert.deepEqual(parseFlags(["--log=/tmp/y.log", "--syslog", "--remote_syslog=udp://h"]).set, {
    logFile: "/tmp/y.log",
    syslog: true,
    remoteSyslog: "udp://h",
  });
  assert.deepEqual(parseFlags(["--log_size_limit", "1024", "--max_traced_msg_len", "10"]).set, {
    logFileSizeLimit: 1024,
    maxTracedMsgLen: 10,
  });
});

test("JetStream and auth flags", () => {
  assert.deepEqual(parseFlags(["-js", "-sd", "/data"]).set, { jetstream: { enabled: true, storeDir: "/data" } });
  assert.deepEqual(parseFlags(["--store_dir", "/d2"]).set, { jetstream: { storeDir: "/d2" } });
  assert.deepEqual(parseFlags(["--user", "u", "--pass", "p"]).set, { username: "u", password: "p" });
  assert.deepEqual(parseFlags(["-user", "u", "-pass", "p"]).set, { username: "u", password: "p" });
  assert.deepEqual(parseFlags(["--auth", "tok"]).set, { authToken: "tok" });
});

test("TLS flags give the tls options; they need a certificate and key of their own", () => {
  const r = parseFlags(["--tls", "--tlscert", "s.pem", "--tlskey", "k.pem", "--tlscacert", "ca.pem", "--tlsverify"]);
  assert.deepEqual(r.set, { tls: { ...defaultTlsOptions(), certFile: "s.pem", keyFile: "k.pem", caFile: "ca.pem", verify: true } });
  assert.deepEqual(parseFlags(["--tlscert", "s.pem", "--tlskey", "k.pem"]).set, { tls: { ...defaultTlsOptions(), certFile: "s.pem", keyFile: "k.pem" } });
  assert.deepEqual(parseFlags(["--tls=false"]).set, {});
  for (const [args, message] of [
    [["--tls"], "TLS Server certificate must be present and valid"],
    [["--tlsverify", "--tlskey", "k.pem"], "TLS Server certificate must be present and valid"],
    [["--tlscert", "s.pem"], "TLS Server private key must be present and valid"],
  ] as const) {
    const e = flagError([...args]);
    assert.deepEqual([e.message, e.showUsage, e.exitCode], [message, false, 1]);
  }
  // version and help still win.
  assert.equal(parseFlags(["--tls", "-v"]).action.kind, "version");
});

test("cluster flags give the cluster options", () => {
  const r = parseFlags([
    "--cluster_name", "c1", "-cluster", "nats://127.0.0.1:6222", "-routes", "nats://a:1, nats://b:2,nats://u:p@c:3",
    "--cluster_advertise", "h:6222", "--no_advertise", "--connect_retries", "5",
  ]);
  assert.deepEqual(r.set, {
    cluster: {
      name: "c1",
      host: "127.0.0.1",
      port: 6222,
      username: "",
      password: "",
      routes: [
        { text: "nats://a:1", hostPort: "a:1" },
        { text: "nats://b:2", hostPort: "b:2" },
        { text: "nats://u:p@c:3", hostPort: "c:3", username: "u", password: "p" },
      ],
      advertise: "h:6222",
      noAdvertise: true,
      connectRetries: 5,
    },
  });
  assert.equal(r.routesGiven, true);
  assert.deepEqual(parseFlags(["--cluster_listen", "nats://h:1"]).set.cluster, { host: "h", port: 1, username: "", password: "" });
  assert.deepEqual(parseFlags(["--cluster=nats://a:b@[::1]:-1"]).set.cluster, { host: "::1", port: -1, username: "a", password: "b" });
  // An empty -cluster turns clustering off; an empty -routes clears the file's routes.
  assert.deepEqual(parseFlags(["-cluster="]).set.cluster, { port: 0 });
  assert.deepEqual(parseFlags(["-routes="]).set.cluster, { routes: [] });
  assert.equal(parseFlags(["-routes="]).routesGiven, false);
});

test("bad -cluster and -routes values get nats-server's errors", () => {
  for (const [args, message] of [
    [["-cluster=bogus"], "missing port in address"],
    [["-cluster=nats://127.0.0.1"], "address 127.0.0.1: missing port in address"],
    [["-cluster=nats://h:"], "EOF"],
    [["-cluster=nats://127.0.0.1:x"], 'parse "nats://127.0.0.1:x": invalid port ":x" after host'],
    [["-cluster=:: bad"], 'parse ":: bad": missing protocol scheme'],
    [["-cluster=nats://h h:1"], 'parse "nats://h h:1": invalid character " " in host name'],
    [["-cluster=127.0.0.1:6222"], 'parse "127.0.0.1:6222": first path segment in URL cannot contain colon'],
    [["-cluster=nats://a%zz@h:1"], 'parse "nats://a%zz@h:1": invalid URL escape "%zz"'],
    [["-cluster=nats://u@127.0.0.1:-1"], "expected cluster password to be set"],
    // nats-server crashes on this one later; the file's error instead.
    [["-routes=nats://a:1,::bad"], 'error parsing route url ["::bad"]'],
  ] as const) {
    const e = flagError([...args]);
    assert.deepEqual([e.message, e.showUsage, e.exitCode], [message, false, 1], args.join(" "));
  }
  assert.equal(flagError(["--connect_retries=x"]).message, 'invalid value "x" for flag -connect_retries: parse error');
});

test("--profile sets the profiling port", () => {
  assert.deepEqual(parseFlags(["--profile", "6060"]).set, { profPort: 6060 });
});

test("integers as Go reads them: sign, 0x, octal, underscores", () => {
  assert.equal(parseFlags(["-p", "0x10"]).set.port, 16);
  assert.equal(parseFlags(["-p", "010"]).set.port, 8);
  assert.equal(parseFlags(["-p", "1_000"]).set.port, 1000);
  assert.equal(parseFlags(["-p", "+5"]).set.port, 5);
  assert.equal(parseFlags(["-p", "0"]).set.port, 0);
  assert.equal(flagError(["-p", "abc"]).message, 'invalid value "abc" for flag -p: parse error');
  assert.equal(flagError(["--port", "1MB"]).message, 'invalid value "1MB" for flag -port: parse error');
  assert.equal(flagError(["-p", "1__0"]).message, 'invalid value "1__0" for flag -p: parse error');
  assert.equal(flagError(["-p", "99999999999999999999"]).message, 'invalid value "99999999999999999999" for flag -p: value out of range');
});

test("a value flag takes the next argument even if it looks like a flag", () => {
  assert.deepEqual(parseFlags(["-n", "-t"]).set, { serverName: "-t" });
  assert.deepEqual(parseFlags(["-n", "-t"]).action, { kind: "run" });
});

test("Go flag-package errors ask for the usage and exit 0, like nats-server", () => {
  const cases: [string[], string][] = [
    [["-bogus"], "flag provided but not defined: -bogus"],
    [["--bogus"], "flag provided but not defined: -bogus"],
    [["-P=x", "--Port", "1"], "flag provided but not defined: -Port"],
    [["-p"], "flag needs an argument: -p"],
    [["--addr"], "flag needs an argument: -addr"],
    [["---p", "1"], "bad flag syntax: ---p"],
    [["-=x"], "bad flag syntax: -=x"],
  ];
  for (const [argv, message] of cases) {
    const e = flagError(argv);
    assert.equal(e.message, message, argv.join(" "));
    assert.equal(e.showUsage, true);
    assert.equal(e.exitCode, 0);
  }
});

test("parsing stops at '--' and at the first non-flag; commands version and help", () => {
  assert.deepEqual(parseFlags(["version"]).action, { kind: "version" });
  assert.deepEqual(parseFlags(["-p", "1", "help"]).action, { kind: "help" });
  assert.equal(flagError(["--", "-t"]).message, 'unrecognized command: "-t"');
  assert.equal(flagError(["-", "-v"]).message, 'unrecognized command: "-"');
  assert.equal(flagError(["-c", "x.conf", "foo"]).message, 'unrecognized command: "foo"');
});

test("actions and their order: version, help, help_tls, command, signal, test, run", () => {
  assert.deepEqual(parseFlags(["-v"]).action, { kind: "version" });
  assert.deepEqual(parseFlags(["--version"]).action, { kind: "version" });
  assert.deepEqual(parseFlags(["-h"]).action, { kind: "help" });
  assert.deepEqual(parseFlags(["--help"]).action, { kind: "help" });
  assert.deepEqual(parseFlags(["--help_tls"]).action, { kind: "help_tls" });
  assert.deepEqual(parseFlags(["-h", "-v"]).action, { kind: "version" });
  assert.deepEqual(parseFlags(["--help_tls", "-h"]).action, { kind: "help" });
  assert.deepEqual(parseFlags(["-v", "foo"]).action, { kind: "version" });
  assert.deepEqual(parseFlags(["-t", "-c", "c.conf", "version"]).action, { kind: "version" });
  assert.deepEqual(parseFlags(["-t", "-c", "c.conf"]).action, { kind: "test" });
  assert.deepEqual(parseFlags(["-sl", "reload=123", "-t", "-c", "c.conf"]).action, { kind: "signal", command: "reload", target: "123" });
  assert.deepEqual(parseFlags(["-c", "c.conf"]).action, { kind: "run" });
});

test("-t needs a config file", () => {
  const e = flagError(["-t"]);
  assert.equal(e.message, "must specify [-c, --config] option to check configuration file syntax");
  assert.equal(e.exitCode, 1);
  assert.equal(e.showUsage, false);
});

test("--signal: command, optional PID or PID file", () => {
  assert.deepEqual(parseFlags(["-sl", "reload"]).action, { kind: "signal", command: "reload" });
  assert.deepEqual(parseFlags(["--signal", "ldm=/var/run/nats.pid"]).action, { kind: "signal", command: "ldm", target: "/var/run/nats.pid" });
  for (const c of ["stop", "quit", "term", "reopen"]) assert.deepEqual(parseFlags([`--signal=${c}`]).action, { kind: "signal", command: c });
  const e = flagError(["-sl", "foo=123"]);
  assert.equal(e.message, 'unknown signal "foo"');
  assert.equal(e.exitCode, 1);
});

test("the usage lists every flag; TLS help shows a tls block", () => {
  const text = usage();
  assert.match(text, /^\nUsage: nats-server \[options\]\n/);
  for (const flag of [
    "--addr", "--port", "--server_name", "--pid", "--http_port", "--https_port", "--config", "-t ", "--signal",
    "--client_advertise", "--ports_file_dir", "--log ", "--logtime", "--syslog", "--remote_syslog", "--debug",
    "--trace", "-VV", "-DV", "-DVV", "--log_size_limit", "--max_traced_msg_len", "--jetstream", "--store_dir",
    "--user", "--pass", "--auth", "--tls ", "--tlscert", "--tlskey", "--tlsverify", "--tlscacert", "--routes",
    "--cluster ", "--cluster_name", "--no_advertise", "--cluster_advertise", "--connect_retries", "--cluster_listen",
    "--profile", "--help ", "--version", "--help_tls",
  ]) {
    assert.ok(text.includes(flag), flag);
  }
  assert.match(usage("help_tls"), /tls \{\n\s+cert_file:/);
});
