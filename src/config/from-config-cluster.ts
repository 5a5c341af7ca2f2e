/**
 * The `cluster` block with nats-server's keys, aliases and error texts. `pool_size`, `accounts`,
 * `compression`, `connect_backoff`, `ping_interval`, `ping_max` and `write_deadline` are nats-server
 * 2.10 keys, accepted here (2.9.10 refuses them as unknown) because tsnats speaks the newer route
 * protocol to peers that offer it.
 */
import type { ConfEntry, ConfValue } from "./conf-tree.js";
import { goTypeName, kindName, readFields, type FieldHandler, type FieldReader } from "./field-reader.js";
import { readAuthFields } from "./from-config-auth.js";
import { readPermissions } from "./from-config-permissions.js";
import { readTlsBlock } from "./from-config-tls.js";
import { readListenAddress } from "./listen-address.js";
import type { ClusterOptions, OptionsPatch, PermissionsSpec, RouteCompression, RoutePermissions, RouteUrl } from "./options.js";
import { parseRouteUrl } from "./route-url.js";
import { DurationError, parseGoDuration } from "../util/duration.js";

const COMPRESSION_ON = "s2_fast";
/** nats-server caps a route's ping interval so that a dead route is found soon. */
const MAX_ROUTE_PING_INTERVAL_MS = 30_000;

interface ClusterFields {
  c: Partial<ClusterOptions>;
  /** Permissions of the deprecated `authorization { permissions }` form; the block's own win. */
  authPermissions?: RoutePermissions;
}

const str =
  (set: (c: Partial<ClusterOptions>, v: string) => void): FieldHandler<ClusterFields> =>
  (e, r, f) => {
    const v = r.string(e);
    if (v !== undefined) set(f.c, v);
  };
const int =
  (set: (c: Partial<ClusterOptions>, v: number) => void): FieldHandler<ClusterFields> =>
  (e, r, f) => {
    const v = r.int(e);
    if (v !== undefined) set(f.c, v);
  };

function routePermissions(p: PermissionsSpec): RoutePermissions {
  return { ...(p.publish && { import: p.publish }), ...(p.subscribe && { export: p.subscribe }) };
}

const HANDLERS: Record<string, FieldHandler<ClusterFields>> = {
  name: str((c, v) => (c.name = v)),
  listen: (e, r, f) => {
    const a = readListenAddress(e, r);
    if (!a) return;
    f.c.port = a.port;
    // nats-server sets the host even when the field gave none (":6222" listens on every interface).
    f.c.host = a.host ?? "";
  },
  port: int((c, v) => (c.port = v)),
  host: str((c, v) => (c.host = v)),
  authorization: (e, r, f) => {
    const a = readAuthFields(e, r);
    if (!a) return;
    if (a.lists) return void r.error(e.keyPos, "Cluster authorization does not allow multiple users");
    if (a.token !== undefined) return void r.error(e.keyPos, "Cluster authorization does not support tokens");
    if (a.user !== undefined) f.c.username = a.user;
    if (a.password !== undefined) f.c.password = a.password;
    if (a.timeoutMs !== undefined) f.c.authTimeoutMs = a.timeoutMs;
    if (a.defaultPermissions) {
      r.warn(e.keyPos, `invalid use of field "${e.key}": setting "permissions" within cluster authorization block is deprecated`);
      f.authPermissions = routePermissions(a.defaultPermissions);
    }
  },
  routes: (e, r, f) => {
    if (e.value.kind !== "array") return void r.error(e.keyPos, `invalid value for "${e.key}": expected an array, got ${kindName(e.value)}`);
    f.c.routes = readRoutes(e.value.value, r);
  },
  tls: (e, r, f) => {
    const t = readTlsBlock(e, r, "route");
    if (t) f.c.tls = t;
  },
  advertise: str((c, v) => (c.advertise = v)),
  no_advertise: (e, r, f) => {
    const v = r.bool(e);
    if (v !== undefined) f.c.noAdvertise = v;
  },
  connect_retries: int((c, v) => (c.connectRetries = v)),
  permissions: (e, r, f) => {
    const p = readPermissions(e, r);
    if (!p) return;
    if (p.responses) return void r.error(e.keyPos, "Cluster permissions do not support dynamic responses");
    f.c.permissions = routePermissions(p);
  },
  pool_size: int((c, v) => (c.poolSize = v)),
  accounts: (e, r, f) => {
    const v = r.stringList(e);
    if (v) f.c.pinnedAccounts = v;
  },
  connect_backoff: (e, r, f) => {
    const v = r.bool(e);
    if (v !== undefined) f.c.connectBackoff = v;
  },
  ping_interval: (e, r, f) => {
    const v = r.duration(e, true);
    if (v === undefined) return;
    if (v > MAX_ROUTE_PING_INTERVAL_MS) r.warn(e.keyPos, "Cluster 'ping_interval' will reset to 30s which is the max for routes");
    f.c.pingIntervalMs = Math.min(v, MAX_ROUTE_PING_INTERVAL_MS);
  },
  ping_max: int((c, v) => (c.pingMax = v)),
  write_deadline: (e, r, f) => {
    const v = r.duration(e, true);
    if (v !== undefined) f.c.writeDeadlineMs = v;
  },
  compression: (e, r, f) => {
    const c = readCompression(e, r);
    if (c) f.c.compression = c;
  },
};
HANDLERS.net = HANDLERS.host!;
HANDLERS.cluster_advertise = HANDLERS.advertise!;

/** Route URLs; a repeated one is a warning (kept once), as in nats-server. */
function readRoutes(items: ConfValue[], r: FieldReader): RouteUrl[] {
  const seen = new Set<string>();
  const out: RouteUrl[] = [];
  for (const item of items) {
    if (item.kind !== "string") {
      r.error(item.pos, `invalid value in "routes": expected a string, got ${kindName(item)}`);
      continue;
    }
    if (seen.has(item.value)) {
      r.warn(item.pos, `invalid use of field ${JSON.stringify(item.value)}: Duplicate route entry detected`);
      continue;
    }
    seen.add(item.value);
    const url = parseRouteUrl(item.value);
    if (typeof url === "string") r.error(item.pos, url);
    else out.push(url);
  }
  return out;
}


/** `compression`: a mode name, a boolean (on = s2_fast), or `{ mode, rtt_thresholds }`. */
function readCompression(e: ConfEntry, r: FieldReader): RouteCompression | undefined {
  const v = e.value;
  if (v.kind === "string") return { mode: v.value };
  if (v.kind === "bool") return { mode: v.value ? COMPRESSION_ON : "off" };
  if (v.kind !== "map") return r.error(e.keyPos, `field "${e.key}" should be a boolean or a structure, got ${kindName(v)}`);
  const out: RouteCompression = { mode: "" };
  for (const f of v.value.values()) {
    const k = f.key.toLowerCase();
    if (k === "mode") {
      const m = r.string(f);
      if (m !== undefined) out.mode = m;
    } else if (k === "rtt_thresholds" || k === "thresholds" || k === "rtts" || k === "rtt") {
      const list = r.stringList(f);
      if (!list) continue;
      try {
        out.rttThresholdsMs = list.map(parseGoDuration);
      } catch (err) {
        if (!(err instanceof DurationError)) throw err;
        r.error(f.keyPos, err.message);
      }
    } else if (!f.usedAsVariable) r.error(f.keyPos, `unknown field ${JSON.stringify(f.key)}`);
  }
  return out;
}

export function readCluster(e: ConfEntry, r: FieldReader, patch: OptionsPatch): void {
  if (e.value.kind !== "map") return void r.error(e.keyPos, `Expected map to define cluster, got ${goTypeName(e.value)}`);
  const f: ClusterFields = { c: {} };
  readFields(e.value.value, HANDLERS, r, f);
  if (f.c.permissions === undefined && f.authPermissions !== undefined) f.c.permissions = f.authPermissions;
  patch.cluster = f.c;
}
