/**
 * The checks nats-server makes on a WebSocket upgrade request (RFC 6455 §4.2.1, then the origin
 * policy), with its reasons. A refusal is answered with the bare HTTP status text, as nats-server's
 * http.Error does; the reason goes to the log only.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { WebsocketOptions } from "../config/options.js";
import { originHostPort, parseOrigin, type Origin } from "../util/ws-origin.js";

export type HandshakeCheck = { ok: true } | { ok: false; status: number; reason: string };

/** True when header `name` has the comma-separated token `value` (case-insensitive). */
function headerHas(headers: IncomingHttpHeaders, name: string, value: string): boolean {
  const v = headers[name];
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
  return list.some((s) => s.split(",").some((t) => t.trim().toLowerCase() === value.toLowerCase()));
}

/** same_origin and allowed_origins, prepared once per configuration. */
export class OriginPolicy {
  private readonly allowed = new Map<string, Origin[]>();

  constructor(private readonly sameOrigin: boolean, allowedOrigins: readonly string[]) {
    for (const raw of allowedOrigins) {
      const p = parseOrigin(raw);
      // The configuration check refused unparsable entries already.
      if (!p.ok) continue;
      const list = this.allowed.get(p.origin.host) ?? [];
      list.push(p.origin);
      this.allowed.set(p.origin.host, list);
    }
  }

  /** undefined when the request may go on, else why not. A request without Origin is accepted (RFC 6455 §1.6). */
  check(headers: IncomingHttpHeaders, tls: boolean): string | undefined {
    if (!this.sameOrigin && this.allowed.size === 0) return undefined;
    const raw = (headers.origin as string | undefined) || (headers["sec-websocket-origin"] as string | undefined);
    if (raw === undefined || raw === "") return undefined;
    const p = parseOrigin(raw);
    if (!p.ok) return p.error;
    const o = p.origin;
    if (this.sameOrigin) {
      const h = originHostPort(tls, headers.host ?? "");
      if (!h.ok) return h.error;
      if (o.host !== h.host || o.port !== h.port || o.scheme !== (tls ? "https" : "http")) return "not same origin";
    }
    if (this.allowed.size > 0 && !(this.allowed.get(o.host) ?? []).some((a) => a.scheme === o.scheme && a.port === o.port)) return "not in the allowed list";
    return undefined;
  }
}

export function checkUpgrade(method: string | undefined, headers: IncomingHttpHeaders, tls: boolean, origins: OriginPolicy): HandshakeCheck {
  const no = (status: number, reason: string): HandshakeCheck => ({ ok: false, status, reason });
  if (method !== "GET") return no(405, "request method must be GET");
  if (!headers.host) return no(400, "'Host' missing in request");
  if (!headerHas(headers, "upgrade", "websocket")) return no(400, "invalid value for header 'Upgrade'");
  if (!headerHas(headers, "connection", "upgrade")) return no(400, "invalid value for header 'Connection'");
  const key = headers["sec-websocket-key"];
  if (key === undefined || key === "") return no(400, "key missing");
  if (!/^[A-Za-z0-9+/]{22}==$/.test(key)) return no(400, "invalid websocket key");
  if (!headerHas(headers, "sec-websocket-version", "13")) return no(400, "invalid version");
  const bad = origins.check(headers, tls);
  if (bad !== undefined) return no(403, `origin not allowed: ${bad}`);
  return { ok: true };
}

/** The cookies of a request, by name (the last of a repeated name wins, as nats-server reads them). */
export function requestCookies(headers: IncomingHttpHeaders): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    let v = part.slice(eq + 1).trim();
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    out.set(part.slice(0, eq).trim(), v);
  }
  return out;
}

/** The credentials a WebSocket client's cookies carry, by the names the configuration gives them. */
export interface CookieCredentials {
  jwt?: string;
  user?: string;
  pass?: string;
  token?: string;
}

export function cookieCredentials(headers: IncomingHttpHeaders, o: WebsocketOptions): CookieCredentials {
  const c = requestCookies(headers);
  const pick = (name: string | undefined) => (name === undefined ? undefined : c.get(name));
  const out: CookieCredentials = {};
  const jwt = pick(o.jwtCookie);
  if (jwt !== undefined) out.jwt = jwt;
  const user = pick(o.userCookie);
  if (user !== undefined) out.user = user;
  const pass = pick(o.passCookie);
  if (pass !== undefined) out.pass = pass;
  const token = pick(o.tokenCookie);
  if (token !== undefined) out.token = token;
  return out;
}
