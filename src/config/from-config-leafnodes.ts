/**
 * The `leafnodes` block with nats-server's keys and aliases: `listen`/`host`/`port`, `authorization {
 * user, password, account, users, timeout }`, `advertise`, `no_advertise`, `reconnect`, `remotes`.
 * A remote is `{ url | urls, account, credentials, deny_imports, deny_exports, hub, tls }`; a `tls://` URL
 * or a `tls` block makes the remote's link TLS-only.
 */
import type { ConfEntry, ConfMap } from "./conf-tree.js";
import { goTypeName, kindName, readFields, type FieldHandler, type FieldReader } from "./field-reader.js";
import { readTlsBlock } from "./from-config-tls.js";
import { readListenAddress } from "./listen-address.js";
import { DEFAULT_LEAF_PORT, type LeafNodeOptions, type LeafRemote, type LeafUser } from "./leafnode-options.js";
import type { OptionsPatch } from "./options.js";
import type { TlsOptions } from "./tls-options.js";

const AUTH: Record<string, FieldHandler<LeafNodeOptions>> = {
  user: (e, r, o) => void (o.username = r.string(e)),
  password: (e, r, o) => void (o.password = r.string(e)),
  account: (e, r, o) => void (o.account = r.string(e)),
  timeout: (e, r, o) => {
    const v = e.value;
    o.authTimeoutMs = v.kind === "int" || v.kind === "float" ? v.value * 1000 : r.duration(e, false);
  },
  users: (e, r, o) => {
    if (e.value.kind !== "array") return void r.error(e.keyPos, `Expected users field to be an array, got ${kindName(e.value)}`);
    for (const item of e.value.value) {
      if (item.kind !== "map") {
        r.error(item.pos, `Expected user entry to be a map/struct, got ${kindName(item)}`);
        continue;
      }
      const u: Partial<LeafUser> = {};
      readFields(item.value, USER, r, u);
      if (u.user === undefined) r.error(item.pos, "User entry requires a user");
      else o.users.push({ user: u.user, password: u.password ?? "", ...(u.account !== undefined && { account: u.account }) });
    }
  },
};
AUTH.username = AUTH.user!;
AUTH.pass = AUTH.password!;

const USER: Record<string, FieldHandler<Partial<LeafUser>>> = {
  user: (e, r, u) => void (u.user = r.string(e)),
  password: (e, r, u) => void (u.password = r.string(e)),
  account: (e, r, u) => void (u.account = r.string(e)),
};
USER.username = USER.user!;
USER.pass = USER.password!;

/** A leaf link's `tls` block; nats-server 2.9 has no handshake_first there: INFO always goes first. */
function readLeafTls(e: ConfEntry, r: FieldReader): TlsOptions | undefined {
  const t = readTlsBlock(e, r, "route");
  if (t?.handshakeFirst) r.warn(e.keyPos, "handshake_first is not served on leafnode connections: the INFO goes first, then the TLS handshake");
  return t;
}

const REMOTE: Record<string, FieldHandler<LeafRemote>> = {
  url: (e, r, rm) => {
    const v = r.string(e);
    if (v !== undefined) rm.urls.push(...checkUrls([v], e, r));
  },
  urls: (e, r, rm) => {
    const v = r.stringList(e);
    if (v !== undefined) rm.urls.push(...checkUrls(v, e, r));
  },
  account: (e, r, rm) => void (rm.account = r.string(e)),
  local: (e, r, rm) => void (rm.account = r.string(e)),
  credentials: (e, r, rm) => void (rm.credentials = r.string(e)),
  deny_imports: (e, r, rm) => void (rm.denyImports = r.stringList(e) ?? []),
  deny_exports: (e, r, rm) => void (rm.denyExports = r.stringList(e) ?? []),
  hub: (e, r, rm) => void (rm.hub = r.bool(e) ?? false),
  tls: (e, r, rm) => {
    const t = readLeafTls(e, r);
    if (t === undefined) return;
    rm.tls = t;
    rm.tlsRequired = true;
  },
};
REMOTE.import = REMOTE.deny_imports!;
REMOTE.export = REMOTE.deny_exports!;

/** nats-server takes nats://, nats-leaf://, tls://, ws:// and wss:// URLs; the port defaults to 7422. */
function checkUrls(list: string[], e: ConfEntry, r: FieldReader): string[] {
  const out: string[] = [];
  for (const text of list) {
    let u: URL;
    try {
      u = new URL(text.includes("://") ? text : `nats://${text}`);
    } catch {
      r.error(e.keyPos, `error parsing remote leafnode URL ${JSON.stringify(text)}`);
      continue;
    }
    if (u.protocol === "ws:" || u.protocol === "wss:") {
      r.error(e.keyPos, `websocket leafnode remotes are not served by tsnats yet: ${JSON.stringify(text)}`);
      continue;
    }
    if (u.port === "") u.port = String(DEFAULT_LEAF_PORT);
    out.push(u.toString());
  }
  return out;
}

function readRemotes(e: ConfEntry, r: FieldReader): LeafRemote[] {
  if (e.value.kind !== "array") return r.error(e.keyPos, `Expected remotes field to be an array, got ${goTypeName(e.value)}`) ?? [];
  const out: LeafRemote[] = [];
  for (const item of e.value.value) {
    if (item.kind !== "map") {
      r.error(item.pos, `Expected remote leafnode entry to be a map/struct, got ${kindName(item)}`);
      continue;
    }
    const rm: LeafRemote = { urls: [], denyImports: [], denyExports: [], hub: false, tlsRequired: false };
    readFields(item.value as ConfMap, REMOTE, r, rm);
    if (rm.urls.some((u) => u.startsWith("tls:"))) rm.tlsRequired = true;
    if (rm.urls.length === 0) r.error(item.pos, "remote leafnode entry requires a url");
    out.push(rm);
  }
  return out;
}

const HANDLERS: Record<string, FieldHandler<LeafNodeOptions>> = {
  listen: (e, r, o) => {
    const a = readListenAddress(e, r);
    if (!a) return;
    o.port = a.port;
    o.host = a.host ?? "0.0.0.0";
  },
  host: (e, r, o) => void (o.host = r.string(e) ?? o.host),
  port: (e, r, o) => void (o.port = r.int(e) ?? o.port),
  authorization: (e, r, o) => {
    const m = r.map(e);
    if (m) readFields(m, AUTH, r, o);
  },
  advertise: (e, r, o) => void (o.advertise = r.string(e)),
  no_advertise: (e, r, o) => void (o.noAdvertise = r.bool(e) ?? false),
  reconnect: (e, r, o) => {
    const v = e.value;
    const ms = v.kind === "int" || v.kind === "float" ? v.value * 1000 : r.duration(e, false);
    if (ms !== undefined) o.reconnectMs = ms;
  },
  remotes: (e, r, o) => void (o.remotes = readRemotes(e, r)),
  tls: (e, r, o) => void (o.tls = readLeafTls(e, r)),
};
HANDLERS.net = HANDLERS.host!;
HANDLERS.reconnect_interval = HANDLERS.reconnect!;

export function readLeafnodes(e: ConfEntry, r: FieldReader, patch: OptionsPatch): void {
  if (e.value.kind !== "map") return void r.error(e.keyPos, `Expected map to define a leafnode, got ${goTypeName(e.value)}`);
  const o: LeafNodeOptions = { host: "0.0.0.0", port: 0, noAdvertise: false, users: [], remotes: [], reconnectMs: 1000 };
  readFields(e.value.value, HANDLERS, r, o);
  if (o.username !== undefined && o.users.length > 0) r.error(e.keyPos, "can not have a single user/pass and a users array");
  patch.leafnodes = o;
}
