/**
 * nats-server's start-up checks of the `websocket` block (validateWebsocketOptions), with its texts.
 */
import { parseGoUrl } from "../util/go-url.js";
import { parseOrigin } from "../util/ws-origin.js";
import { noAuthUserError } from "./no-auth-user-check.js";
import type { Options } from "./options.js";

const RESERVED_HEADERS = new Set(["host", "content-length", "connection", "upgrade", "nats-no-masking"]);

export function websocketErrors(o: Options): string[] {
  const w = o.websocket;
  if (w === undefined || w.port === 0) return [];
  const errors: string[] = [];
  if (w.tls === undefined && !w.noTls) errors.push("websocket requires TLS configuration");
  for (const ao of w.allowedOrigins) {
    const u = parseGoUrl(ao);
    if (!u.ok) errors.push(`unable to parse allowed origin: ${u.error}`);
    else if (u.url.scheme !== "http" && u.url.scheme !== "https")
      errors.push(`unable to parse allowed origin ${JSON.stringify(ao)}: allowed origins must be absolute URLs with http or https scheme`);
    else if (u.url.host === "") errors.push(`unable to parse allowed origin ${JSON.stringify(ao)}: host is required`);
    else {
      const p = parseOrigin(ao);
      if (!p.ok) errors.push(`unable to parse allowed origin: ${p.error}`);
    }
  }
  if (w.noAuthUser !== undefined) {
    const err = noAuthUserError(o, w.noAuthUser);
    if (err !== undefined) errors.push(err);
  }
  if ((o.users ?? []).length > 0 || (o.nkeys ?? []).length > 0) {
    if (w.username !== undefined) errors.push("websocket authentication username not compatible with presence of users/nkeys");
    if (w.token !== undefined) errors.push("websocket authentication token not compatible with presence of users/nkeys");
  }
  if (w.jwtCookie !== undefined && (o.operatorJwts ?? []).length === 0 && (o.trustedKeys ?? []).length === 0)
    errors.push(`trusted operators or trusted keys configuration is required for JWT authentication via cookie ${JSON.stringify(w.jwtCookie)}`);
  for (const key of Object.keys(w.headers ?? {})) {
    const k = key.toLowerCase();
    if (RESERVED_HEADERS.has(k)) errors.push(`websocket: invalid header ${JSON.stringify(key)} not allowed`);
    else if (k.startsWith("sec-websocket-")) errors.push(`websocket: invalid header ${JSON.stringify(key)}, "Sec-WebSocket-" prefix not allowed`);
  }
  return errors;
}
