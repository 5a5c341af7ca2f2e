/**
 * The server's options model: what flags and the config file turn into, with nats-server's defaults.
 * Durations are milliseconds, sizes are bytes. A field that is undefined means "not set": defaults are
 * applied once, by `withDefaults`, so that "flags override the file" can be decided field by field.
 */

export interface UserEntry {
  user: string;
  password: string;
  permissions?: unknown;
  account?: string;
}

export interface JetStreamOptions {
  enabled: boolean;
  storeDir: string;
  maxMemory: number; // -1 = dynamic (share of system memory)
  maxStore: number; // -1 = dynamic (share of disk)
  domain?: string;
  /** nats-server's lazy sync interval; undefined = tsnats default: fsync before every ack (group commit). */
  syncIntervalMs?: number;
  syncAlways?: boolean;
}

export interface Options {
  configFile?: string;
  serverName: string;
  host: string;
  port: number; // -1 = random
  clientAdvertise?: string;
  serverTags: string[];

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

  // auth (the core issue only needs these; accounts/nkeys/JWT come with security)
  username?: string;
  password?: string;
  authToken?: string;
  users?: UserEntry[];
  noAuthUser?: string;

  // logging
  debug: boolean;
  trace: boolean;
  traceVerbose: boolean;
  logtime: boolean;
  logtimeUTC: boolean;
  logFile?: string;
  maxTracedMsgLen: number;

  pidFile?: string;
  portsFileDir?: string;

  jetstream: JetStreamOptions;

  /** Config sections accepted for compatibility and not served yet (e.g. leafnodes, websocket): section -> value. */
  unsupported: Record<string, unknown>;
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
    maxTracedMsgLen: 0,
    jetstream: { enabled: false, storeDir: "", maxMemory: -1, maxStore: -1 },
    unsupported: {},
  };
}
