/**
 * One-line errors and the nats CLI's exit codes: any failure prints `tsnats: error: <what>` on stderr
 * and exits 1 (the nats CLI's framework does the same); usage errors also exit 1.
 */
import { errors } from "@nats-io/transport-node";
import { JetStreamApiError } from "@nats-io/jetstream";

export const EXIT_FAILURE = 1;

/** An error the command already worded for the user. */
export class CliError extends Error {}

/** A command that has printed its own outcome and ends with this exit status (`server check`'s 0-3). */
export class CliExit extends Error {
  constructor(readonly code: number) {
    super(`exit status ${code}`);
  }
}

function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e: unknown = err; e && out.length < 8; e = (e as { cause?: unknown }).cause) out.push(e);
  return out;
}

/** An OpenSSL error's reason without its file and line ("sslv3 alert bad certificate"). */
function sslReason(msg: string): string {
  const m = /:([^:]*(?:alert|certificate|wrong version|handshake)[^:]*):/i.exec(msg);
  return m ? m[1]!.trim() : msg;
}

function tlsText(err: unknown): string | undefined {
  for (const e of causes(err)) {
    const code = String((e as { code?: unknown }).code ?? "");
    const msg = e instanceof Error ? e.message : String(e);
    if (/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER_CERT|^CERT_/.test(code)) {
      return `TLS handshake failed: the server's certificate could not be verified: ${msg} (use --tlsca)`;
    }
    if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return `TLS handshake failed: ${msg}`;
    if (/bad certificate|unknown ca|certificate unknown|alert number (42|46|48)\b/i.test(msg)) {
      return `TLS handshake failed: the server rejected the client certificate (${sslReason(msg)})`;
    }
    if (/^ERR_SSL|^ERR_TLS/.test(code)) return `TLS handshake failed: ${sslReason(msg)}`;
  }
  return undefined;
}

/** The single line the user reads for a failure. */
export function describeError(err: unknown): string {
  if (err instanceof CliError) return err.message;
  const tls = tlsText(err);
  if (tls) return tls;
  if (err instanceof errors.NoRespondersError) return "nats: no responders available for request";
  if (err instanceof errors.TimeoutError) return "nats: timeout";
  if (err instanceof errors.PermissionViolationError) {
    return `nats: permissions violation for ${err.operation} to "${err.subject}"`;
  }
  if (err instanceof errors.AuthorizationError) return "nats: authorization violation";
  if (err instanceof JetStreamApiError) return `${err.apiError().description} (${err.apiError().err_code})`;
  for (const e of causes(err)) {
    if (e instanceof errors.NoRespondersError) return "nats: no responders available for request";
    if (e instanceof errors.TimeoutError) return "nats: timeout";
    if (e instanceof errors.PermissionViolationError) return describeError(e);
    const code = (e as { code?: string }).code;
    if (code === "ECONNREFUSED") return `nats: no servers available for connection: ${(e as Error).message}`;
  }
  return err instanceof Error ? err.message : String(err);
}
