/**
 * A new connection on a TLS listener, up to the point where it speaks the protocol: INFO in plain text
 * (tls_required), then the client's TLS hello on the same socket — or, with handshake_first, the hello
 * before INFO. Everything must happen within the TLS timeout. A first byte that is not a TLS handshake
 * record ends the connection without a word, as nats-server does, unless allow_non_tls lets the client
 * go on in plain text.
 */
import { ClosedReason } from "./closed-reason.js";
import type { Client, ClientHost } from "./client.js";
import { TLS_HANDSHAKE_RECORD, type TlsAcceptor } from "../tls/acceptor.js";

/** nats-server's answer when connection_rate_limit is exceeded. */
export const THROTTLED = "Connection throttling is active. Please try again later.";

export function startTls(server: ClientHost, c: Client, acceptor: TlsAcceptor, info: string): void {
  const o = acceptor.options;
  const log = server.logger;
  if (server.authFor(c).required) c.armAuthTimer();
  if (!acceptor.admit()) {
    log.error(`${c.logPrefix} - Rejecting connection due to TLS connection rate limit`);
    c.queueStr(info);
    c.sendErrAndClose(THROTTLED, ClosedReason.MaxConnectionsExceeded);
    return;
  }
  const raw = c.socket;
  let infoSent = false;
  const sendInfo = () => {
    infoSent = true;
    c.queueStr(info);
  };
  let fallback: NodeJS.Timeout | undefined;
  let finished = false;
  const fail = (why: string) => {
    if (c.closed) return;
    log.error(`${c.logPrefix} - TLS handshake error: ${why}`);
    c.close(ClosedReason.TLSHandshakeError, true);
  };
  const deadline = setTimeout(() => fail("i/o timeout"), o.timeoutMs);
  deadline.unref();
  const done = () => {
    finished = true;
    clearTimeout(deadline);
    clearTimeout(fallback);
  };
  // Before the client's own close handler: a peer that leaves mid-handshake is a handshake error (EOF).
  raw.prependOnceListener("close", () => {
    if (!finished) fail("EOF");
    done();
  });

  log.debug(`${c.logPrefix} - Starting TLS client connection handshake`);
  if (!o.handshakeFirst) sendInfo();
  else if (o.handshakeFirstFallbackMs !== undefined) {
    // Clients that do not know handshake_first wait for INFO: after the delay they get it in plain text.
    fallback = setTimeout(sendInfo, o.handshakeFirstFallbackMs);
    fallback.unref();
  }
  raw.once("data", (head: Buffer) => {
    raw.pause();
    clearTimeout(fallback);
    raw.unshift(head);
    if (head[0] !== TLS_HANDSHAKE_RECORD) {
      if (!server.opts.allowNonTls) return fail("tls: first record does not look like a TLS handshake");
      done();
      c.startReading();
      raw.resume();
      c.armPingTimer();
      return;
    }
    acceptor.handshake(raw, !infoSent).then(
      (secured) => {
        done();
        if (c.closed) return void secured.socket.destroy();
        c.secured(secured);
        log.debug(`${c.logPrefix} - TLS handshake complete`);
        log.debug(`${c.logPrefix} - TLS version ${secured.session.version}, cipher suite ${secured.session.cipherSuite}`);
        if (!infoSent) sendInfo();
        c.armPingTimer();
      },
      (e: Error) => fail(e.message),
    );
  });
}
