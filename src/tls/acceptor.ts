/**
 * The server side of the client TLS handshake on an already accepted TCP socket (NATS upgrades the same
 * connection after INFO, or before it with handshake_first). One TLS server per configuration does the
 * work: sockets are handed to it as connections, and its results are matched back to the waiting
 * handshake by the connection's address 4-tuple, which is what identifies a TCP connection.
 */
import type { Socket } from "node:net";
import type { SecureContextOptions, Server as TlsServer, TLSSocket } from "node:tls";
import type { TlsOptions } from "../config/tls-options.js";
import { loadTlsSettings, nodeTls } from "./context.js";
import { describeSession, type TlsSession } from "./session.js";

/** The first byte of every TLS record that starts a handshake. */
export const TLS_HANDSHAKE_RECORD = 0x16;

export interface SecuredConnection {
  socket: TLSSocket;
  session: TlsSession;
}

/** Why a handshake failed, in the words nats-server logs after "TLS handshake error: ". */
export class TlsHandshakeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TlsHandshakeError";
  }
}

interface Waiting {
  first: boolean;
  resolve(c: SecuredConnection): void;
  reject(e: TlsHandshakeError): void;
}

function connectionKey(s: Socket): string | undefined {
  if (s.remotePort === undefined || s.localPort === undefined) return undefined;
  return `${s.remoteAddress}|${s.remotePort}|${s.localAddress}|${s.localPort}`;
}

export class TlsAcceptor {
  /** Certificate, key, CA, ciphers and curves, also used by the HTTPS monitor. */
  readonly settings: SecureContextOptions;
  private readonly server: TlsServer;
  private readonly waiting = new Map<string, Waiting>();
  private readonly verify: boolean;
  private readonly pins: ReadonlySet<string> | undefined;
  private windowStart = 0;
  private inWindow = 0;

  /** Throws TlsConfigError when the certificate files cannot be used. */
  constructor(readonly options: TlsOptions) {
    this.settings = loadTlsSettings(options);
    this.verify = options.verify || options.verifyAndMap;
    this.pins = options.pinnedCerts && new Set(options.pinnedCerts);
    // Client certificates are checked here, after the handshake, rather than by Node (rejectUnauthorized):
    // that way every failure arrives while the connection can still be matched, with its reason.
    this.server = nodeTls().createServer({ ...this.settings, requestCert: this.verify, rejectUnauthorized: false, handshakeTimeout: options.timeoutMs });
    this.server.on("secureConnection", (t: TLSSocket) => this.secured(t));
    this.server.on("tlsClientError", (err: Error, t: TLSSocket) => this.failed(t, new TlsHandshakeError(err.message)));
  }

  /** connection_rate_limit: whether one more TLS connection may start in the current second. */
  admit(now = Date.now()): boolean {
    const limit = this.options.connectionRateLimit;
    if (limit <= 0) return true;
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    return ++this.inWindow <= limit;
  }

  /**
   * Runs the handshake on `raw`, whose reading is paused and whose first bytes (a TLS hello) have been
   * unshifted back. Rejects with TlsHandshakeError; the caller owns timeouts and closing.
   */
  handshake(raw: Socket, first: boolean): Promise<SecuredConnection> {
    const key = connectionKey(raw);
    if (key === undefined) return Promise.reject(new TlsHandshakeError("EOF"));
    return new Promise<SecuredConnection>((resolve, reject) => {
      this.waiting.set(key, { first, resolve, reject });
      raw.once("close", () => {
        if (this.waiting.get(key)?.reject === reject) {
          this.waiting.delete(key);
          reject(new TlsHandshakeError("EOF"));
        }
      });
      this.server.emit("connection", raw);
    });
  }

  private take(t: TLSSocket): Waiting | undefined {
    const key = connectionKey(t);
    const w = key === undefined ? undefined : this.waiting.get(key);
    if (w !== undefined) this.waiting.delete(key!);
    return w;
  }

  private secured(t: TLSSocket): void {
    const w = this.take(t);
    if (w === undefined) return void t.destroy();
    const session = describeSession(t, w.first);
    const problem = this.verify ? this.verifyProblem(t, session) : undefined;
    if (problem !== undefined) {
      t.destroy();
      w.reject(new TlsHandshakeError(problem));
      return;
    }
    if (this.pins !== undefined && !this.pins.has(session.peerCerts[0]?.spkiSha256 ?? "")) {
      t.destroy();
      w.reject(new TlsHandshakeError("peer certificate not in the pinned_certs list"));
      return;
    }
    w.resolve({ socket: t, session });
  }

  private verifyProblem(t: TLSSocket, session: TlsSession): string | undefined {
    if (session.peerCerts.length === 0) return "tls: client didn't provide a certificate";
    if (!t.authorized) return `tls: failed to verify certificate: ${String(t.authorizationError)}`;
    return undefined;
  }

  private failed(t: TLSSocket, e: TlsHandshakeError): void {
    const w = this.take(t);
    if (w !== undefined) w.reject(e);
  }
}
