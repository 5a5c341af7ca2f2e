/**
 * Config tree -> options, with nats-server's key names, aliases and checks. Keys match without regard to
 * case. Every problem is collected and thrown together as one ConfigError; unknown top-level fields are
 * errors, as in nats-server. Sections that later layers will serve are accepted and kept as plain data in
 * `unsupported` under their canonical name.
 */
import type { ConfMap } from "./conf-tree.js";
import { toPlain } from "./conf-tree.js";
import { FieldReader, readFields, type FieldHandler } from "./field-reader.js";
import { readAccounts } from "./from-config-accounts.js";
import { readAuthorization } from "./from-config-auth.js";
import { readOperator, readResolver, readResolverPreload, readTrustedKeys } from "./from-config-operator.js";
import { readJetStream, setStoreDir } from "./from-config-jetstream.js";
import { readCluster } from "./from-config-cluster.js";
import { readLeafnodes } from "./from-config-leafnodes.js";
import { readWebsocket } from "./from-config-websocket.js";
import { readListenAddress } from "./listen-address.js";
import { readTls } from "./from-config-tls.js";
import type { OptionsPatch } from "./options.js";
import { formatGoDuration } from "../util/duration.js";

export interface ConfigOptions {
  /** Only the fields the file sets. */
  patch: OptionsPatch;
  /** Non-fatal findings as `file:line:col: message` (nats-server turns them into errors under `-t`). */
  warnings: string[];
}

const MAX_INT32 = 2147483647;
const MAX_SUB_TOKENS = 255;
const MIN_LAME_DUCK_MS = 30_000;

type Handler = FieldHandler<OptionsPatch>;
type Setter<T> = (p: OptionsPatch, v: T) => void;

const str =
  (set: Setter<string>): Handler =>
  (e, r, p) => {
    const v = r.string(e);
    if (v !== undefined) set(p, v);
  };
const int =
  (set: Setter<number>): Handler =>
  (e, r, p) => {
    const v = r.int(e);
    if (v !== undefined) set(p, v);
  };
const bool =
  (set: Setter<boolean>): Handler =>
  (e, r, p) => {
    const v = r.bool(e);
    if (v !== undefined) set(p, v);
  };
/** An integer no larger than what nats-server keeps in an int32. */
const int32 =
  (set: Setter<number>): Handler =>
  (e, r, p) => {
    const v = r.int(e);
    if (v === undefined) return;
    if (v > MAX_INT32) r.error(e.keyPos, `${e.key} value is too big`);
    else set(p, v);
  };
const duration =
  (set: Setter<number>, intSecondsWarns: boolean): Handler =>
  (e, r, p) => {
    const v = r.duration(e, intSecondsWarns);
    if (v !== undefined) set(p, v);
  };
/** Kept as plain data for the layer that will serve it. */
const raw =
  (section: string): Handler =>
  (e, _r, p) => {
    p.unsupported = { ...p.unsupported, [section]: toPlain(e.value) };
  };

/** `listen`, `http`, `https`: a port number or a "host:port" string. */
const address =
  (set: (p: OptionsPatch, port: number, host?: string) => void): Handler =>
  (e, r, p) => {
    const a = readListenAddress(e, r);
    if (a) set(p, a.port, a.host);
  };

const HANDLERS: Record<string, Handler> = {
  listen: address((p, port, host) => {
    p.port = port;
    if (host !== undefined) p.host = host;
  }),
  host: str((p, v) => (p.host = v)),
  port: int((p, v) => (p.port = v)),
  client_advertise: str((p, v) => (p.clientAdvertise = v)),
  server_name: str((p, v) => (p.serverName = v)),
  server_tags: (e, r, p) => {
    const v = r.stringList(e);
    if (v) p.serverTags = v;
  },
  server_metadata: (e, r, p) => {
    const m = r.map(e);
    if (!m) return;
    const md: Record<string, string> = {};
    for (const item of m.values()) {
      const s = r.string(item);
      if (s !== undefined) md[item.key] = s;
    }
    p.serverMetadata = md;
  },

  http: address((p, port, host) => {
    p.httpPort = port;
    if (host !== undefined) p.httpHost = host;
  }),
  http_port: int((p, v) => (p.httpPort = v)),
  https: address((p, port, host) => {
    p.httpsPort = port;
    if (host !== undefined) p.httpHost = host;
  }),
  https_port: int((p, v) => (p.httpsPort = v)),
  http_base_path: str((p, v) => (p.httpBasePath = v)),

  max_payload: int32((p, v) => (p.maxPayload = v)),
  max_control_line: int32((p, v) => (p.maxControlLine = v)),
  max_pending: int((p, v) => (p.maxPending = v)),
  max_connections: int((p, v) => (p.maxConnections = v)),
  max_subscriptions: int((p, v) => (p.maxSubscriptions = v)),
  max_sub_tokens: (e, r, p) => {
    const v = r.int(e);
    if (v === undefined) return;
    if (v > MAX_SUB_TOKENS) r.error(e.keyPos, "max_sub_tokens value is too big");
    else if (v < 0) r.error(e.keyPos, "max_sub_tokens value can not be negative");
    else p.maxSubTokens = v;
  },
  max_traced_msg_len: int((p, v) => (p.maxTracedMsgLen = v)),
  max_closed_clients: int((p, v) => (p.maxClosedClients = v)),
  ping_interval: duration((p, v) => (p.pingIntervalMs = v), true),
  ping_max: int((p, v) => (p.pingMax = v)),
  write_deadline: duration((p, v) => (p.writeDeadlineMs = v), true),
  lame_duck_duration: (e, r, p) => {
    const v = r.duration(e, false);
    if (v === undefined) return;
    if (v < MIN_LAME_DUCK_MS) r.error(e.keyPos, `invalid lame_duck_duration of ${formatGoDuration(v)}, minimum is 30 seconds`);
    else p.lameDuckDurationMs = v;
  },
  lame_duck_grace_period: duration((p, v) => (p.lameDuckGracePeriodMs = v), false),
  no_header_support: bool((p, v) => (p.noHeaderSupport = v)),
  disable_sublist_cache: bool((p, v) => (p.disableSublistCache = v)),
  connect_error_reports: int((p, v) => (p.connectErrorReports = v)),
  reconnect_error_reports: int((p, v) => (p.reconnectErrorReports = v)),

  debug: bool((p, v) => (p.debug = v)),
  trace: bool((p, v) => (p.trace = v)),
  trace_verbose: bool((p, v) => (p.traceVerbose = v)),
  trace_headers: bool((p, v) => (p.traceHeaders = v)),
  logtime: bool((p, v) => (p.logtime = v)),
  logtime_utc: bool((p, v) => (p.logtimeUTC = v)),
  logfile: str((p, v) => (p.logFile = v)),
  logfile_size_limit: int((p, v) => (p.logFileSizeLimit = v)),
  logfile_max_num: int((p, v) => (p.logFileMaxNum = v)),
  syslog: bool((p, v) => (p.syslog = v)),
  remote_syslog: str((p, v) => (p.remoteSyslog = v)),
  pidfile: str((p, v) => (p.pidFile = v)),
  ports_file_dir: str((p, v) => (p.portsFileDir = v)),
  prof_port: int((p, v) => (p.profPort = v)),

  authorization: readAuthorization,
  no_auth_user: str((p, v) => (p.noAuthUser = v)),
  system_account: str((p, v) => (p.systemAccount = v)),
  no_system_account: bool((p, v) => (p.noSystemAccount = v)),

  tls: readTls,
  allow_non_tls: bool((p, v) => (p.allowNonTls = v)),

  jetstream: readJetStream,
  store_dir: (e, r, p) => {
    const js = { ...p.jetstream };
    setStoreDir(e, r, js);
    p.jetstream = js;
  },

  // Served by later layers; accepted now because client test suites put them in every config.
  accounts: readAccounts,
  mappings: raw("mappings"),
  ocsp: raw("ocsp"),
  ocsp_cache: raw("ocsp_cache"),
  cluster: readCluster,
  gateway: raw("gateway"),
  leafnodes: readLeafnodes,
  websocket: readWebsocket,
  mqtt: raw("mqtt"),
  operator: readOperator,
  resolver: readResolver,
  resolver_tls: raw("resolver_tls"),
  resolver_preload: readResolverPreload,
  resolver_pinned_accounts: raw("resolver_pinned_accounts"),
  trusted_keys: readTrustedKeys,
  default_sentinel: raw("default_sentinel"),
  default_js_domain: raw("default_js_domain"),
  proxies: raw("proxies"),
  proxy_protocol: raw("proxy_protocol"),
  feature_flags: raw("feature_flags"),
  write_timeout: raw("write_timeout"),
  no_fast_producer_stall: raw("no_fast_producer_stall"),
  prof_block_rate: raw("prof_block_rate"),
};

const ALIASES: Record<string, string> = {
  net: "host",
  monitor_port: "http_port",
  max_conn: "max_connections",
  max_subs: "max_subscriptions",
  log_file: "logfile",
  log_size_limit: "logfile_size_limit",
  pid_file: "pidfile",
  system: "system_account",
  maps: "mappings",
  leaf: "leafnodes",
  ws: "websocket",
  operators: "operator",
  trusted: "trusted_keys",
};
for (const [alias, name] of Object.entries(ALIASES)) HANDLERS[alias] = HANDLERS[name]!;

/** Maps a parsed config file onto options; throws a ConfigError listing every problem. */
export function optionsFromConfig(doc: ConfMap): ConfigOptions {
  const r = new FieldReader();
  const patch: OptionsPatch = {};
  readFields(doc, HANDLERS, r, patch);
  r.throwIfAny();
  return { patch, warnings: r.warnings };
}
