/** Opens the NATS connection a command asks for, from resolved settings (flags, env, context). */
import { readFileSync } from "node:fs";
import { connect, credsAuthenticator, nkeyAuthenticator, type NatsConnection, type NodeConnectionOptions } from "@nats-io/transport-node";
import type { ConnectionSettings } from "./global-options.js";
import { CLOSED_IN_HANDSHAKE, probeTls } from "./tls-probe.js";
import { CliError } from "./errors.js";

export function connectionOptions(s: ConnectionSettings): NodeConnectionOptions {
  const servers = s.url.split(",").map((u) => u.trim()).filter(Boolean);
  const opts: NodeConnectionOptions = {
    servers,
    name: s.connectionName,
    timeout: s.timeoutMs,
    // A CLI command should fail fast rather than wait out reconnect attempts.
    maxReconnectAttempts: 0,
  };
  // As the nats CLI: a user without a password is a token.
  if (s.user && s.password) Object.assign(opts, { user: s.user, pass: s.password });
  else if (s.user) opts.token = s.user;
  if (s.token) opts.token = s.token;
  if (s.creds) opts.authenticator = credsAuthenticator(readFileSync(s.creds));
  else if (s.nkey) opts.authenticator = nkeyAuthenticator(new TextEncoder().encode(readFileSync(s.nkey, "utf8").trim()));
  if (s.inbox_prefix) opts.inboxPrefix = s.inbox_prefix;
  const wantsTls = servers.some((u) => u.startsWith("tls://")) || s.cert || s.key || s.ca || s.tls_first;
  if (wantsTls) {
    opts.tls = {};
    if (s.cert) opts.tls.certFile = s.cert;
    if (s.key) opts.tls.keyFile = s.key;
    if (s.ca) opts.tls.caFile = s.ca;
    if (s.tls_first) opts.tls.handshakeFirst = true;
  }
  return opts;
}

export async function open(s: ConnectionSettings): Promise<NatsConnection> {
  const opts = connectionOptions(s);
  try {
    return await connect(opts);
  } catch (err) {
    if (!opts.tls) throw err;
    const tlsError = await probeTls(s);
    if (!tlsError) throw err;
    // Servers refuse a missing certificate with "certificate required" (TLS 1.3) or "bad certificate".
    const said = `${tlsError.message} ${(tlsError as { code?: string }).code}`;
    if (!s.cert && /certificate required|CERTIFICATE_REQUIRED|bad certificate|alert number (42|116)\b/i.test(said)) {
      throw new CliError("TLS handshake failed: the server requires a client certificate (use --tlscert and --tlskey)");
    }
    if ((tlsError as { code?: string }).code === CLOSED_IN_HANDSHAKE) {
      throw new CliError(s.cert
        ? "TLS handshake failed: the server rejected the client certificate (it closed the connection)"
        : "TLS handshake failed: the server requires a client certificate (use --tlscert and --tlskey)");
    }
    throw new Error((err as Error).message, { cause: tlsError });
  }
}
