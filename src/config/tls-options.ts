/**
 * The client listener's `tls` block (and the --tls* flags), as options. Certificates are named by path
 * here; the tls layer reads them when the server starts or reloads.
 */
import type { TlsVersion } from "./tls-names.js";

export interface TlsOptions {
  certFile?: string;
  keyFile?: string;
  caFile?: string;
  /** Require a client certificate signed by a trusted CA. */
  verify: boolean;
  /** `verify` plus: the certificate's email, DNS, URI or subject names the user (no password). */
  verifyAndMap: boolean;
  /** From accept to the end of the handshake. */
  timeoutMs: number;
  /** Go names of the allowed TLS 1.2 suites; undefined = nats-server's defaults. */
  cipherSuites?: string[];
  /** Go curve names in preference order; undefined = nats-server's defaults. */
  curvePreferences?: string[];
  minVersion?: TlsVersion;
  /** Hex SHA-256 of the DER SubjectPublicKeyInfo of each accepted client certificate. */
  pinnedCerts?: string[];
  /** TLS handshake before INFO (nats-server 2.10 `handshake_first`). */
  handshakeFirst: boolean;
  /**
   * With `handshakeFirst`: how long to wait for the client's TLS hello before falling back to sending INFO
   * in plain text (`handshake_first: auto` or a duration). Undefined: TLS first only.
   */
  handshakeFirstFallbackMs?: number;
  /** TLS handshakes accepted per second; 0 = no limit. */
  connectionRateLimit: number;
  /** Only meaningful for outgoing connections; accepted and kept. */
  insecure: boolean;
  /**
   * Routes only (`verify_cert_and_check_known_urls`): a peer's certificate must also name one of the
   * configured route URLs' hosts.
   */
  checkKnownUrls?: boolean;
}

/** nats-server's TLS handshake timeout. */
export const DEFAULT_TLS_TIMEOUT_MS = 2000;
/** nats-server's fallback delay for `handshake_first: auto`. */
export const DEFAULT_TLS_FIRST_FALLBACK_MS = 50;

export function defaultTlsOptions(): TlsOptions {
  return { verify: false, verifyAndMap: false, timeoutMs: DEFAULT_TLS_TIMEOUT_MS, handshakeFirst: false, connectionRateLimit: 0, insecure: false };
}

/**
 * The command line's TLS over the file's, as nats-server does it: any TLS flag replaces the certificate,
 * key, CA and verify settings as a group (an unset flag clears the file's value); the rest of the file's
 * block (timeout, verify_and_map, ciphers...) stays.
 */
export function overrideTls(file: TlsOptions | undefined, flags: TlsOptions): TlsOptions {
  const out: TlsOptions = { ...(file ?? defaultTlsOptions()), verify: flags.verify };
  for (const k of ["certFile", "keyFile", "caFile"] as const) {
    if (flags[k] === undefined) delete out[k];
    else out[k] = flags[k];
  }
  return out;
}

/** nats-server's auth_timeout when TLS is on and none is configured: the TLS timeout plus a second. */
export function authTimeoutWithTls(tls: TlsOptions): number {
  return tls.timeoutMs + 1000;
}
