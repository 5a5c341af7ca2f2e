/**
 * The `websocket` block with nats-server's keys and aliases. Its `authorization` takes a single user,
 * a token and a timeout only (users lists come from the server's own authorization and accounts), as
 * nats-server's does.
 */
import type { ConfEntry } from "./conf-tree.js";
import { goTypeName, readFields, type FieldHandler, type FieldReader } from "./field-reader.js";
import { readAuthFields } from "./from-config-auth.js";
import { readTlsBlock } from "./from-config-tls.js";
import { readListenAddress } from "./listen-address.js";
import type { OptionsPatch, WebsocketOptions } from "./options.js";

type Ws = Partial<WebsocketOptions>;

const str =
  (set: (w: Ws, v: string) => void): FieldHandler<Ws> =>
  (e, r, w) => {
    const v = r.string(e);
    if (v !== undefined) set(w, v);
  };
const bool =
  (set: (w: Ws, v: boolean) => void): FieldHandler<Ws> =>
  (e, r, w) => {
    const v = r.bool(e);
    if (v !== undefined) set(w, v);
  };

const HANDLERS: Record<string, FieldHandler<Ws>> = {
  listen: (e, r, w) => {
    const a = readListenAddress(e, r);
    if (!a) return;
    w.port = a.port;
    w.host = a.host ?? "";
  },
  port: (e, r, w) => {
    const v = r.int(e);
    if (v !== undefined) w.port = v;
  },
  host: str((w, v) => (w.host = v)),
  advertise: str((w, v) => (w.advertise = v)),
  no_tls: bool((w, v) => (w.noTls = v)),
  tls: (e, r, w) => {
    const t = readTlsBlock(e, r, "client");
    if (t) w.tls = t;
  },
  same_origin: bool((w, v) => (w.sameOrigin = v)),
  allowed_origins: (e, r, w) => {
    const v = r.stringList(e);
    if (v) w.allowedOrigins = v;
  },
  // nats-server: a bare integer is seconds here, without the "convert to a duration" warning.
  handshake_timeout: (e, r, w) => {
    if (e.value.kind === "int") w.handshakeTimeoutMs = e.value.value * 1000;
    else {
      const v = r.duration(e, false);
      if (v !== undefined) w.handshakeTimeoutMs = v;
    }
  },
  compression: bool((w, v) => (w.compression = v)),
  authorization: (e, r, w) => {
    const a = readAuthFields(e, r);
    if (!a) return;
    if (a.lists) return void r.error(e.keyPos, `unknown field "users"`);
    if (a.user !== undefined) w.username = a.user;
    if (a.password !== undefined) w.password = a.password;
    if (a.token !== undefined) w.token = a.token;
    if (a.timeoutMs !== undefined) w.authTimeoutMs = a.timeoutMs;
  },
  jwt_cookie: str((w, v) => (w.jwtCookie = v)),
  user_cookie: str((w, v) => (w.userCookie = v)),
  pass_cookie: str((w, v) => (w.passCookie = v)),
  token_cookie: str((w, v) => (w.tokenCookie = v)),
  no_auth_user: str((w, v) => (w.noAuthUser = v)),
  headers: (e, r, w) => {
    const m = r.map(e);
    if (!m) return;
    const out: Record<string, string> = {};
    for (const h of m.values()) {
      const v = r.string(h);
      if (v !== undefined) out[h.key] = v;
    }
    w.headers = out;
  },
  // Accepted (nats-server 2.11 key); WebSocket clients use the server's ping interval.
  ping_interval: (e, r) => void r.duration(e, true),
};
HANDLERS.net = HANDLERS.host!;
HANDLERS.authentication = HANDLERS.authorization!;
HANDLERS.compress = HANDLERS.compression!;
for (const alias of ["allowed_origin", "allow_origins", "allow_origin", "origins", "origin"]) HANDLERS[alias] = HANDLERS.allowed_origins!;

export function readWebsocket(e: ConfEntry, r: FieldReader, patch: OptionsPatch): void {
  if (e.value.kind !== "map") return void r.error(e.keyPos, `Expected websocket to be a map, got ${goTypeName(e.value)}`);
  const w: Ws = {};
  readFields(e.value.value, HANDLERS, r, w);
  patch.websocket = { host: "0.0.0.0", port: 0, noTls: false, sameOrigin: false, allowedOrigins: [], handshakeTimeoutMs: 0, compression: false, ...w };
}
