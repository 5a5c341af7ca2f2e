/**
 * nats-server's command line, parsed the way Go's `flag` package does it: `-x v`, `--x v`, `-x=v`,
 * `--x=v`; boolean flags take no separate value (`-T=false` to turn one off); parsing stops at the first
 * non-flag argument or `--`. What follows is a command: `version` or `help`, anything else is an error.
 */
import type { ClusterOptions, OptionsPatch, RouteUrl } from "./options.js";
import { parseRouteUrl } from "./route-url.js";
import { defaultTlsOptions, type TlsOptions } from "./tls-options.js";
import { parseGoUrl, splitGoHostPort } from "../util/go-url.js";

// The command line and its help text in one place (resolve.ts, which imports this file, lays it over the file).
export { usage } from "./usage.js";

export type SignalCommand = "ldm" | "stop" | "quit" | "term" | "reopen" | "reload";
const SIGNAL_COMMANDS: readonly SignalCommand[] = ["ldm", "stop", "quit", "term", "reopen", "reload"];

export type FlagAction =
  | { kind: "run" }
  /** `-t`: check the config file and exit (warnings count as errors). */
  | { kind: "test" }
  | { kind: "version" }
  | { kind: "help" }
  | { kind: "help_tls" }
  /** `-sl cmd[=target]`: signal a running server; `target` is a PID or a PID file path, absent = find it. */
  | { kind: "signal"; command: SignalCommand; target?: string };

export interface FlagResult {
  /** Only what the flags gave. */
  set: OptionsPatch;
  /** `-routes` was given a non-empty list (nats-server then requires a cluster listener, see resolve.ts). */
  routesGiven: boolean;
  configFile?: string;
  action: FlagAction;
}

/**
 * A command line nats-server would refuse. `showUsage` errors are Go flag-package errors, after which
 * nats-server prints the usage and exits with `exitCode` 0; the others print `nats-server: <message>`
 * and exit 1.
 */
export class FlagError extends Error {
  constructor(
    message: string,
    readonly showUsage: boolean,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = "FlagError";
  }
}

interface State {
  set: OptionsPatch;
  configFile?: string;
  test: boolean;
  version: boolean;
  help: boolean;
  helpTls: boolean;
  signal?: string;
  /** The TLS the TLS flags describe; created by any of them. */
  tls?: TlsOptions;
  cluster: Partial<ClusterOptions>;
  /** The last `-cluster`/`--cluster_listen` value: applied after parsing, as nats-server does. */
  clusterListen?: string;
  routes?: string;
}

type FlagDef =
  | { type: "bool"; apply: (s: State, v: boolean) => void }
  | { type: "int"; apply: (s: State, v: number) => void }
  | { type: "string"; apply: (s: State, v: string) => void };

const boolFlag = (apply: (s: State, v: boolean) => void): FlagDef => ({ type: "bool", apply });
const intFlag = (apply: (s: State, v: number) => void): FlagDef => ({ type: "int", apply });
const strFlag = (apply: (s: State, v: string) => void): FlagDef => ({ type: "string", apply });
const js = (s: State) => (s.set.jetstream ??= {});

/** Every flag nats-server defines, by each of its names (names are case-sensitive: -p and -P differ). */
const FLAGS = new Map<string, FlagDef>();
function define(names: string[], def: FlagDef): void {
  for (const n of names) FLAGS.set(n, def);
}
define(["a", "addr", "net"], strFlag((s, v) => (s.set.host = v)));
define(["p", "port"], intFlag((s, v) => (s.set.port = v)));
define(["n", "name", "server_name"], strFlag((s, v) => (s.set.serverName = v)));
define(["P", "pid"], strFlag((s, v) => (s.set.pidFile = v)));
define(["m", "http_port"], intFlag((s, v) => (s.set.httpPort = v)));
define(["ms", "https_port"], intFlag((s, v) => (s.set.httpsPort = v)));
define(["c", "config"], strFlag((s, v) => (s.configFile = v)));
define(["t"], boolFlag((s, v) => (s.test = v)));
define(["sl", "signal"], strFlag((s, v) => (s.signal = v)));
define(["client_advertise"], strFlag((s, v) => (s.set.clientAdvertise = v)));
define(["ports_file_dir"], strFlag((s, v) => (s.set.portsFileDir = v)));
define(["l", "log"], strFlag((s, v) => (s.set.logFile = v)));
define(["T", "logtime"], boolFlag((s, v) => (s.set.logtime = v)));
define(["logtime_utc"], boolFlag((s, v) => (s.set.logtimeUTC = v)));
define(["s", "syslog"], boolFlag((s, v) => (s.set.syslog = v)));
define(["r", "remote_syslog"], strFlag((s, v) => (s.set.remoteSyslog = v)));
define(["D", "debug"], boolFlag((s, v) => (s.set.debug = v)));
define(["V", "trace"], boolFlag((s, v) => (s.set.trace = v)));
define(["VV"], boolFlag((s, v) => (s.set.trace = s.set.traceVerbose = v)));
define(["DV"], boolFlag((s, v) => (s.set.debug = s.set.trace = v)));
define(["DVV"], boolFlag((s, v) => (s.set.debug = s.set.trace = s.set.traceVerbose = v)));
define(["log_size_limit"], intFlag((s, v) => (s.set.logFileSizeLimit = v)));
define(["max_traced_msg_len"], intFlag((s, v) => (s.set.maxTracedMsgLen = v)));
define(["js", "jetstream"], boolFlag((s, v) => (js(s).enabled = v)));
define(["sd", "store_dir"], strFlag((s, v) => (js(s).storeDir = v)));
define(["user"], strFlag((s, v) => (s.set.username = v)));
define(["pass"], strFlag((s, v) => (s.set.password = v)));
define(["auth"], strFlag((s, v) => (s.set.authToken = v)));
const tls = (s: State) => (s.tls ??= defaultTlsOptions());
define(["tls"], boolFlag((s, v) => v && tls(s)));
define(["tlscert"], strFlag((s, v) => (tls(s).certFile = v)));
define(["tlskey"], strFlag((s, v) => (tls(s).keyFile = v)));
define(["tlsverify"], boolFlag((s, v) => (tls(s).verify = v)));
define(["tlscacert"], strFlag((s, v) => (tls(s).caFile = v)));
define(["routes"], strFlag((s, v) => (s.routes = v)));
define(["cluster", "cluster_listen"], strFlag((s, v) => (s.clusterListen = v)));
define(["cluster_name"], strFlag((s, v) => (s.cluster.name = v)));
define(["cluster_advertise"], strFlag((s, v) => (s.cluster.advertise = v)));
define(["no_advertise"], boolFlag((s, v) => (s.cluster.noAdvertise = v)));
define(["connect_retries"], intFlag((s, v) => (s.cluster.connectRetries = v)));
define(["profile"], intFlag((s, v) => (s.set.profPort = v)));
define(["h", "help"], boolFlag((s, v) => (s.help = v)));
define(["v", "version"], boolFlag((s, v) => (s.version = v)));
define(["help_tls"], boolFlag((s, v) => (s.helpTls = v)));

/**
 * `-routes a,b`. nats-server ignores a URL it cannot parse here and then crashes on it; a bad one is
 * refused with the config file's error instead.
 */
function routesFlag(v: string): RouteUrl[] {
  const out: RouteUrl[] = [];
  for (const part of v.split(",")) {
    if (part.trim() === "") continue;
    const url = parseRouteUrl(part);
    if (typeof url === "string") throw new FlagError(url, false, 1);
    out.push(url);
  }
  return out;
}

/**
 * `-cluster nats://[user:pass@]host:port`: the route listener, and the credentials peers must give
 * (none when the URL has none, clearing the file's). An empty value turns clustering off. Errors are
 * Go's url and address errors, as nats-server prints them.
 */
function clusterListenFlag(v: string, c: Partial<ClusterOptions>): void {
  if (v === "") {
    c.port = 0;
    return;
  }
  // Go's url.Parse refuses port -1, so nats-server asks for a random port through port 0.
  const random = v.endsWith(":-1");
  const text = random ? `${v.slice(0, -3)}:0` : v;
  const parsed = parseGoUrl(text);
  if (!parsed.ok) throw new FlagError(parsed.error, false, 1);
  const hp = splitGoHostPort(parsed.url.host);
  if (!hp.ok) throw new FlagError(hp.error, false, 1);
  // Go's fmt.Sscan of the port: "" is EOF; the url parser allowed digits only.
  if (hp.port === "") throw new FlagError("EOF", false, 1);
  c.host = hp.host;
  c.port = random ? -1 : Number(hp.port);
  const { username, password } = parsed.url;
  if (username !== undefined && password === undefined) throw new FlagError("expected cluster password to be set", false, 1);
  c.username = username ?? "";
  c.password = password ?? "";
}

/** Go's strconv.ParseBool. */
function parseGoBool(v: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(v)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(v)) return false;
  return undefined;
}

/** Go's strconv.ParseInt(v, 0, 64): decimal, 0x/0o/0b prefixes, a leading 0 for octal, `_` between digits. */
function parseGoInt(v: string): number | "syntax" | "range" {
  const m = /^([+-]?)(0[xX](_?[0-9a-fA-F])+|0[bB](_?[01])+|0[oO](_?[0-7])+|0(_?[0-7])*|[1-9](_?[0-9])*)$/.exec(v);
  if (!m) return "syntax";
  const body = m[2]!.replace(/_/g, "");
  const digits = /^0[xXbBoO]/.test(body)
    ? body
    : body.length > 1 && body[0] === "0"
      ? "0o" + body.slice(1)
      : body;
  const n = BigInt(digits) * (m[1] === "-" ? -1n : 1n);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return "range";
  return Number(n);
}

/** Parses argv (without node and the script); throws FlagError. */
export function parseFlags(argv: readonly string[]): FlagResult {
  const s: State = { set: {}, test: false, version: false, help: false, helpTls: false, cluster: {} };
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i]!;
    if (arg.length < 2 || arg[0] !== "-") break;
    let minuses = 1;
    if (arg[1] === "-") {
      minuses = 2;
      if (arg.length === 2) {
        i++;
        break;
      }
    }
    let name = arg.slice(minuses);
    if (name.length === 0 || name[0] === "-" || name[0] === "=") throw new FlagError(`bad flag syntax: ${arg}`, true, 0);
    i++;
    let value: string | undefined;
    const eq = name.indexOf("=", 1);
    if (eq > 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const def = FLAGS.get(name);
    if (!def) throw new FlagError(`flag provided but not defined: -${name}`, true, 0);
    if (def.type === "bool") {
      const b = value === undefined ? true : parseGoBool(value);
      if (b === undefined) throw new FlagError(`invalid boolean value ${JSON.stringify(value)} for -${name}: parse error`, true, 0);
      def.apply(s, b);
      continue;
    }
    if (value === undefined) {
      if (i >= argv.length) throw new FlagError(`flag needs an argument: -${name}`, true, 0);
      value = argv[i++]!;
    }
    if (def.type === "string") {
      def.apply(s, value);
      continue;
    }
    const n = parseGoInt(value);
    if (typeof n !== "number")
      throw new FlagError(`invalid value ${JSON.stringify(value)} for flag -${name}: ${n === "range" ? "value out of range" : "parse error"}`, true, 0);
    def.apply(s, n);
  }
  return finish(s, argv.slice(i));
}

function finish(s: State, commands: readonly string[]): FlagResult {
  const set = s.set;
  if (s.tls) set.tls = s.tls;
  const result = (action: FlagAction): FlagResult => ({
    set,
    action,
    routesGiven: s.routes !== undefined && s.routes !== "",
    ...(s.configFile !== undefined && { configFile: s.configFile }),
  });
  // nats-server's order: version, help and TLS help win over everything else, then commands, then signals.
  if (s.version) return result({ kind: "version" });
  if (s.help) return result({ kind: "help" });
  if (s.helpTls) return result({ kind: "help_tls" });
  const command = commands[0];
  if (command === "version") return result({ kind: "version" });
  if (command === "help") return result({ kind: "help" });
  if (command !== undefined) throw new FlagError(`unrecognized command: ${JSON.stringify(command)}`, false, 1);
  if (s.signal !== undefined) return result(signalAction(s.signal));
  if (s.clusterListen !== undefined) clusterListenFlag(s.clusterListen, s.cluster);
  if (s.routes !== undefined) s.cluster.routes = routesFlag(s.routes);
  if (Object.keys(s.cluster).length > 0) set.cluster = s.cluster;
  // The TLS flags stand alone: a certificate and key in the file do not complete them (as in nats-server).
  if (s.tls && s.tls.certFile === undefined) throw new FlagError("TLS Server certificate must be present and valid", false, 1);
  if (s.tls && s.tls.keyFile === undefined) throw new FlagError("TLS Server private key must be present and valid", false, 1);
  if (s.test) {
    if (s.configFile === undefined)
      throw new FlagError("must specify [-c, --config] option to check configuration file syntax", false, 1);
    return result({ kind: "test" });
  }
  return result({ kind: "run" });
}

function signalAction(spec: string): FlagAction {
  const eq = spec.indexOf("=");
  const command = eq < 0 ? spec : spec.slice(0, eq);
  const target = eq < 0 ? undefined : spec.slice(eq + 1);
  if (!SIGNAL_COMMANDS.includes(command as SignalCommand)) throw new FlagError(`unknown signal ${JSON.stringify(command)}`, false, 1);
  return { kind: "signal", command: command as SignalCommand, ...(target !== undefined && { target }) };
}
