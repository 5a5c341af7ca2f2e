/**
 * Web origins as nats-server compares them for a WebSocket upgrade: scheme, lower-cased host, and the
 * port (80 or 443 when the URL names none, by its scheme). Shared by the config check of
 * `allowed_origins` and the listener's same_origin/allowed_origins test.
 */
import { parseGoUrl, splitGoHostPort } from "./go-url.js";

export interface Origin {
  scheme: string;
  host: string;
  port: string;
}

export type OriginResult = { ok: true; origin: Origin } | { ok: false; error: string };

/** Host and port of `host[:port]`, the port defaulting by `tls` (nats-server's wsGetHostAndPort). */
export function originHostPort(tls: boolean, hostport: string): { ok: true; host: string; port: string } | { ok: false; error: string } {
  const hp = splitGoHostPort(hostport);
  if (hp.ok) return { ok: true, host: hp.host.toLowerCase(), port: hp.port };
  if (hp.error.endsWith("missing port in address")) return { ok: true, host: hostport.toLowerCase(), port: tls ? "443" : "80" };
  return hp;
}

/** An `Origin` header or an `allowed_origins` entry. */
export function parseOrigin(raw: string): OriginResult {
  const u = parseGoUrl(raw);
  if (!u.ok) return u;
  const hp = originHostPort(u.url.scheme === "https", u.url.host);
  if (!hp.ok) return hp;
  return { ok: true, origin: { scheme: u.url.scheme, host: hp.host, port: hp.port } };
}
