/**
 * The server's options model: what flags and the config file turn into, with nats-server's defaults.
 * Durations are milliseconds, sizes are bytes. A field that is undefined means "not set": defaults are
 * applied once, by `withDefaults`, so that "flags override the file" can be decided field by field.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { authTimeoutWithTls, overrideTls, type TlsOptions } from "./tls-options.js";
import type { LeafNodeOptions } from "./leafnode-options.js";

/** One side of a permissions block: subjects (wildcards allowed; "subject queue" for queue groups). */
export interface SubjectPermissionSpec {
  allow?: string[];
  deny?: string[];
}

/** A `permissions` block as configured (or taken from a user JWT). */
export interface PermissionsSpec {
  publish?: SubjectPermissionSpec;
  subscribe?: SubjectPermissionSpec;
  /** `allow_responses`: publishing to the reply subjects of received requests. */
  responses?: { maxMsgs: number; expiresMs: number };
}

export interface UserEntry {
  user: string;
  /** Plain text or a bcrypt hash (`$2a$...`). */
  password: string;
  permissions?: PermissionsSpec;
  /** The account the user belongs to (set for users declared inside an `accounts` block). */
  account?: string;
  allowedConnectionTypes?: string[];
}

export interface NkeyUserEntry {
  nkey: string;
  permissions?: PermissionsSpec;
  account?: string;
  allowedConnectionTypes?: string[];
}

/** `response_type` of a service export. */
export type ResponseType = "Singleton" | "Stream" | "Chunked";

export interface StreamExport {
  kind: "stream";
  subject: string;
  /** Private export: only these accounts may import it (undefined = public). */
  accounts?: string[];
}

export interface ServiceExport {
  kind: "service";
  subject: string;
  accounts?: string[];
  responseType: ResponseType;
  /** How long a requester's reply stays mapped (nats-server's default is 2 minutes). */
  responseThresholdMs?: number;
  /** Service latency tracking: sampling percentage (1-100) and the subject results go to. */
  latency?: { sampling: number; subject: string };
}

export type ExportEntry = StreamExport | ServiceExport;

export interface ImportEntry {
  kind: "stream" | "service";
  /** The exporting account. */
  account: string;
  /** The subject as exported (in the exporting account). */
  subject: string;
  /** Stream: the subject in the importing account; service: the local subject requests are sent to. */
  to?: string;
  /** Stream import: prepended to the subject (`prefix.subject`). */
  prefix?: string;
  /** Service import: share the requester's details with the service (Nats-Request-Info). */
  share?: boolean;
}

/** Per-account limits (`limits` in an account block; JWT account limits). -1 or undefined: no limit. */
export interface AccountLimits {
  maxConnections?: number;
  maxSubscriptions?: number;
  maxPayload?: number;
  maxLeafnodes?: number;
}

/** One entry of the `accounts` block. */
export interface AccountConfig {
  name: string;
  /** Public nkey of the account, when configured. */
  nkey?: string;
  users: UserEntry[];
  nkeys: NkeyUserEntry[];
  exports: ExportEntry[];
  imports: ImportEntry[];
  limits: AccountLimits;
  defaultPermissions?: PermissionsSpec;
  /** Raw `jetstream` block or flag of the account, for the JetStream layer. */
  jetstream?: unknown;
  /** Raw `mappings` of the account. */
  mappings?: unknown;
}

/** Where account JWTs come from in operator mode. */
export interface ResolverOptions {
  /** `MEMORY`, the NATS-based `full`/`cache` directory resolvers, or `URL(...)`. */
  type: "memory" | "full" | "cache" | "url";
  dir?: string;
  url?: string;
  allowDelete: boolean;
  hardDelete: boolean;
  /** Most JWTs kept (`limit`, default 1000 for full). */
  limit: number;
  ttlMs?: number;
  intervalMs?: number;
  timeoutMs?: number;
}

export interface JetStreamOptions {
  enabled: boolean;
  /**
   * `store_dir` as configured (default `<os temp dir>/nats`). Like nats-server, JetStream keeps its files in
   * `<storeDir>/jetstream`, and that joined path is what /jsz and /varz report as `store_dir`.
   */
  storeDir: string;
  maxMemory: number; // -1 = dynamic (share of system memory)
  maxStore: number; // -1 = dynamic (share of disk)
  domain?: string;
  /** nats-server's lazy sync interval; undefined = tsnats default: fsync before every ack (group commit). */
  syncIntervalMs?: number;
  syncAlways?: boolean;
  /**
   * tsnats only (`store_cache`): the memory budget, in bytes, shared by all file streams for block
   * indexes and bytes loaded to serve reads; undefined = the store's default (64 MiB).
   */
  storeCacheBytes?: number;
  uniqueTag?: string;
  maxOutstandingCatchup?: number;
  maxBufferedSize?: number;
  maxBufferedMsgs?: number;
  requestQueueLimit?: number;
  strict?: boolean;
  /** Encryption at rest: `key`, `cipher` (chachapoly | aes), `prev_key`. */
  encryptionKey?: string;
  cipher?: string;
  prevEncryptionKey?: string;
  /** Raw `limits` block (max_ack_pending, max_ha_assets, max_request_batch, duplicate_window...). */
  limits?: Record<string, unknown>;
}

/** Route compression (nats-server 2.10+ `compression`); negotiated only with peers that offer it. */
export interface RouteCompression {
  /** `off`, `accept`, `s2_fast`, `s2_better`, `s2_best`, `s2_auto` (checked when routes start). */
  mode: string;
  /** `s2_auto`: the RTT steps at which the level drops. */
  rttThresholdsMs?: number[];
}

/** What a route may carry: `import` = messages it may send us, `export` = interest we show it. */
export interface RoutePermissions {
  import?: SubjectPermissionSpec;
  export?: SubjectPermissionSpec;
}

/**
 * The `websocket` block: a listener for clients speaking NATS inside WebSocket frames (browsers). It
 * runs only when `port` is not 0. `username`/`password`/`token`/`noAuthUser` replace the server's own
 * for WebSocket clients when any of them is set (nats-server's "auth override"); the server's users,
 * nkeys and accounts apply to them either way.
 */
export interface WebsocketOptions {
  host: string;
  port: number; // 0 = off, -1 = random
  advertise?: string;
  /** Plain ws:// without a `tls` block (nats-server refuses to start without one or the other). */
  noTls: boolean;
  tls?: TlsOptions;
  sameOrigin: boolean;
  allowedOrigins: string[];
  /** 0: no limit. */
  handshakeTimeoutMs: number;
  /** permessage-deflate, when the client offers it. */
  compression: boolean;
  username?: string;
  password?: string;
  token?: string;
  authTimeoutMs?: number;
  noAuthUser?: string;
  /** The cookie whose value is the user JWT when CONNECT carries none (operator mode). */
  jwtCookie?: string;
  userCookie?: string;
  passCookie?: string;
  tokenCookie?: string;
  /** Extra headers sent with the 101 answer. */
  headers?: Record<string, string>;
}

/**
 * The `cluster` block and the cluster flags. The server listens for routes, and solicits `routes`,
 * only when `port` is not 0 (as nats-server: a block without a port configures nothing that runs).
 */
export interface ClusterOptions {
  /** undefined: the server makes one up (a "dynamic" name) and adopts a peer's on first contact. */
  name?: string;
  host: string;
  port: number; // 0 = not clustered, -1 = random
  /** `host:port` given to peers (and through them to clients) instead of the listener's address. */
  advertise?: string;
  /** Keep this cluster's client URLs out of the INFO sent to clients. */
  noAdvertise: boolean;
  /** Explicit routes: solicited and retried for ever. Gossiped ones are retried `connectRetries` times. */
  routes: RouteUrl[];
  connectRetries: number;
  /** The credentials a peer's CONNECT must carry, and this server sends (unless the route URL has its own). */
  username?: string;
  password?: string;
  /** undefined: as the client listener computes it (the TLS timeout plus a second with TLS, else 2 s). */
  authTimeoutMs?: number;
  tls?: TlsOptions;
  permissions?: RoutePermissions;
  /** nats-server 2.10+: route connections per peer; kept for peers that negotiate pooling. */
  poolSize?: number;
  /** nats-server 2.10+: accounts given a route connection of their own (pooling). */
  pinnedAccounts?: string[];
  compression?: RouteCompression;
  /** nats-server 2.10+: double the delay between attempts to dial a route, up to 30 s. */
  connectBackoff?: boolean;
  /** nats-server 2.10+: the routes' own ping interval (at most 30 s), pings out and write deadline. */
  pingIntervalMs?: number;
  pingMax?: number;
  writeDeadlineMs?: number;
}

/**
 * A route URL, checked as nats-server checks it (Go's url.Parse): `text` is what the operator wrote
 * (trimmed), `hostPort` what is dialled. A URL without a port is accepted, as by nats-server, and fails
 * when dialled.
 */
export interface RouteUrl {
  text: string;
  hostPort: string;
  username?: string;
  password?: string;
}

export interface Options {
  configFile?: string;
  serverName: string;
  host: string;
  port: number; // -1 = random
  clientAdvertise?: string;
  serverTags: string[];
  serverMetadata?: Record<string, string>;

  httpHost: string;
  httpPort: number; // 0 = off, -1 = random
  httpsPort: number;
  httpBasePath: string;

  maxConnections: number;
  maxSubscriptions: number; // 0 = unlimited
  maxPayload: number;
  maxControlLine: number;
  maxPending: number;
  maxSubTokens: number; // 0 = unlimited
  pingIntervalMs: number;
  pingMax: number;
  writeDeadlineMs: number;
  authTimeoutMs: number;
  lameDuckDurationMs: number;
  lameDuckGracePeriodMs: number;
  noHeaderSupport: boolean;
  disableSublistCache: boolean;
  maxClosedClients: number;

  // auth
  username?: string;
  password?: string;
  authToken?: string;
  users?: UserEntry[];
  nkeys?: NkeyUserEntry[];
  /** `default_permissions` of the authorization block (for its users without their own). */
  defaultPermissions?: PermissionsSpec;
  noAuthUser?: string;
  systemAccount?: string;
  noSystemAccount: boolean;
  /** The `accounts` block, in file order. */
  accounts?: AccountConfig[];
  /** Operator mode: the operator JWTs (file contents, armour removed). */
  operatorJwts?: string[];
  /** `trusted_keys`: operator public keys trusted without an operator JWT. */
  trustedKeys?: string[];
  resolver?: ResolverOptions;
  /** `resolver_preload`: account public key -> account JWT. */
  resolverPreload?: Record<string, string>;

  // logging
  debug: boolean;
  trace: boolean;
  traceVerbose: boolean;
  logtime: boolean;
  logtimeUTC: boolean;
  traceHeaders: boolean;
  logFile?: string;
  logFileSizeLimit: number; // 0 = no limit
  logFileMaxNum: number; // 0 = keep all
  syslog: boolean;
  remoteSyslog?: string;
  maxTracedMsgLen: number;
  connectErrorReports: number;
  reconnectErrorReports: number;
  profPort: number; // 0 = off

  pidFile?: string;
  portsFileDir?: string;

  /** The client listener's TLS; undefined = plain TCP. */
  tls?: TlsOptions;
  /** With `tls`: plain-text clients are served too (INFO says tls_available instead of tls_required). */
  allowNonTls: boolean;

  jetstream: JetStreamOptions;

  /** Set when the file has a `cluster` block or a cluster flag is given. */
  cluster?: ClusterOptions;

  /** Set when the file has a `leafnodes` block. */
  leafnodes?: LeafNodeOptions;

  /** Set when the file has a `websocket` block. */
  websocket?: WebsocketOptions;

  /**
   * Config sections accepted for compatibility and not served yet, as plain data under their canonical
   * name (`leafnodes`, `websocket`, ...).
   */
  unsupported: Record<string, unknown>;
}

/** What one source (the file, the flags) sets: only the fields it names; jetstream and cluster field by field. */
export type OptionsPatch = Partial<Omit<Options, "jetstream" | "cluster">> & {
  jetstream?: Partial<JetStreamOptions>;
  cluster?: Partial<ClusterOptions>;
};

/** nats-server's default store_dir: `<os temp dir>/nats` (its files then live in `.../nats/jetstream`). */
export function defaultStoreDir(): string {
  return join(tmpdir(), "nats");
}

export const DEFAULT_PORT = 4222;
export const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
export const DEFAULT_MAX_PENDING = 64 * 1024 * 1024;

export function defaultOptions(): Options {
  return {
    serverName: "",
    host: "0.0.0.0",
    port: DEFAULT_PORT,
    serverTags: [],
    httpHost: "0.0.0.0",
    httpPort: 0,
    httpsPort: 0,
    httpBasePath: "",
    maxConnections: 64 * 1024,
    maxSubscriptions: 0,
    maxPayload: DEFAULT_MAX_PAYLOAD,
    maxControlLine: 4096,
    maxPending: DEFAULT_MAX_PENDING,
    maxSubTokens: 0,
    pingIntervalMs: 2 * 60 * 1000,
    pingMax: 2,
    writeDeadlineMs: 10 * 1000,
    authTimeoutMs: 2 * 1000,
    lameDuckDurationMs: 2 * 60 * 1000,
    lameDuckGracePeriodMs: 10 * 1000,
    noHeaderSupport: false,
    disableSublistCache: false,
    maxClosedClients: 10000,
    debug: false,
    trace: false,
    traceVerbose: false,
    logtime: true,
    logtimeUTC: false,
    traceHeaders: false,
    logFileSizeLimit: 0,
    logFileMaxNum: 0,
    syslog: false,
    maxTracedMsgLen: 0,
    connectErrorReports: 3600,
    reconnectErrorReports: 1,
    profPort: 0,
    noSystemAccount: false,
    allowNonTls: false,
    jetstream: { enabled: false, storeDir: defaultStoreDir(), maxMemory: -1, maxStore: -1 },
    unsupported: {},
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/**
 * `over` on top of `base`, field by field: a field `over` sets wins; jetstream and cluster are merged
 * per field (so `--cluster_name` replaces only the name of the file's block) and each `unsupported`
 * section per key; TLS flags replace the file's certificate settings as a group (see overrideTls).
 */
export function mergePatches(base: OptionsPatch, over: OptionsPatch): OptionsPatch {
  const out: OptionsPatch = { ...base };
  for (const [k, v] of Object.entries(over) as [keyof OptionsPatch, unknown][]) {
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  if (base.jetstream || over.jetstream) out.jetstream = mergeDefined(base.jetstream ?? {}, over.jetstream ?? {});
  if (base.cluster || over.cluster) out.cluster = mergeDefined(base.cluster ?? {}, over.cluster ?? {});
  if (base.tls && over.tls) out.tls = overrideTls(base.tls, over.tls);
  if (base.unsupported || over.unsupported) {
    const sections: Record<string, unknown> = { ...base.unsupported };
    for (const [name, v] of Object.entries(over.unsupported ?? {})) {
      const was = sections[name];
      sections[name] = isPlainObject(was) && isPlainObject(v) ? { ...was, ...v } : v;
    }
    out.unsupported = sections;
  }
  return out;
}

function mergeDefined<T extends object>(base: T, over: T): T {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** The full options: nats-server's defaults with the patch applied (an empty store_dir means the default). */
export function withDefaults(patch: OptionsPatch): Options {
  const merged = mergePatches(defaultOptions() as OptionsPatch, patch) as Options;
  if (!merged.jetstream.storeDir) merged.jetstream.storeDir = defaultStoreDir();
  // As in nats-server: port 0 means the default port (-1 asks for a random one), and the monitor
  // listens on the client listener's host unless told otherwise.
  if (merged.port === 0) merged.port = DEFAULT_PORT;
  if (patch.httpHost === undefined) merged.httpHost = merged.host;
  if (patch.authTimeoutMs === undefined && merged.tls) merged.authTimeoutMs = authTimeoutWithTls(merged.tls);
  if (patch.cluster) merged.cluster = clusterWithDefaults(patch.cluster);
  return merged;
}

function clusterWithDefaults(patch: Partial<ClusterOptions>): ClusterOptions {
  const c: ClusterOptions = { host: "0.0.0.0", port: 0, noAdvertise: false, routes: [], connectRetries: 0, ...dropUndefined(patch) };
  // The flags clear the file's credentials with empty strings (a -cluster URL without any); "" is unset.
  if (c.username === "") delete c.username;
  if (c.password === "") delete c.password;
  if (c.host === "") c.host = "0.0.0.0";
  return c;
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
