/**
 * Reads the certificate, key and CA files of a `tls` block into the settings Node's TLS takes, and
 * checks them as nats-server does when it starts (or reloads): unreadable files and a key that does
 * not belong to the certificate are errors with nats-server's wording.
 */
import { readFileSync } from "node:fs";
import type * as Tls from "node:tls";
import type { SecureContextOptions } from "node:tls";
import { CURVES, DEFAULT_CURVES, DEFAULT_TLS12_CIPHER_SUITES, TLS12_CIPHER_SUITES, TLS13_CIPHER_SUITES } from "../config/tls-names.js";
import type { TlsOptions } from "../config/tls-options.js";
import { lazyRequire } from "../util/lazy-require.js";

/**
 * Loaded by the first TLS configuration. Without it and without node:http(s) (monitor/https.ts), an idle
 * server holds 0.6 MiB less.
 */
export const nodeTls = lazyRequire<typeof Tls>("node:tls");

export class TlsConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TlsConfigError";
  }
}

/** Go's wording for the usual file errors (`open x.pem: no such file or directory`). */
const ERRNO_TEXT: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EISDIR: "is a directory",
};

function readFile(path: string, prefix: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new TlsConfigError(`${prefix}open ${path}: ${ERRNO_TEXT[err.code ?? ""] ?? err.message}`);
  }
}

/** `cipher_suites` as an OpenSSL cipher string; TLS 1.3 suites are always appended (Go cannot turn them off). */
function cipherString(suites: readonly string[] | undefined): string {
  const tls12 = (suites ?? DEFAULT_TLS12_CIPHER_SUITES).flatMap((n) => TLS12_CIPHER_SUITES.get(n) ?? []);
  return [...TLS13_CIPHER_SUITES, ...new Set(tls12)].join(":");
}

/** The secure-context settings for `o`; throws TlsConfigError when a file is missing or does not fit. */
export function loadTlsSettings(o: TlsOptions): SecureContextOptions {
  const settings: SecureContextOptions = {
    ciphers: cipherString(o.cipherSuites),
    ecdhCurve: (o.curvePreferences ?? DEFAULT_CURVES).map((c) => CURVES.get(c)!).join(":"),
    minVersion: o.minVersion === "1.3" ? "TLSv1.3" : "TLSv1.2",
  };
  if (o.certFile !== undefined && o.keyFile !== undefined) {
    const pairError = "error parsing X509 certificate/key pair: ";
    settings.cert = readFile(o.certFile, pairError);
    settings.key = readFile(o.keyFile, pairError);
    try {
      nodeTls().createSecureContext({ cert: settings.cert, key: settings.key });
    } catch (e) {
      const msg = (e as Error).message;
      throw new TlsConfigError(pairError + (/key values mismatch/.test(msg) ? "tls: private key does not match public key" : msg));
    }
  }
  if (o.caFile !== undefined) {
    settings.ca = readFile(o.caFile, "");
    try {
      nodeTls().createSecureContext({ ca: settings.ca });
    } catch {
      throw new TlsConfigError("failed to parse root certificate");
    }
  }
  return settings;
}
