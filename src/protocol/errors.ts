/**
 * The -ERR texts nats-server sends to clients, byte for byte (clients match on them: spec §1.5),
 * and the ones among them after which the connection stays open.
 */
export const ERR = {
  unknownOp: "Unknown Protocol Operation",
  maxControlLine: "maximum control line exceeded",
  maxPayload: "Maximum Payload Violation",
  maxConnections: "maximum connections exceeded",
  maxSubscriptions: "maximum subscriptions exceeded",
  invalidSubject: "Invalid Subject",
  invalidPublishSubject: "Invalid Publish Subject",
  invalidProtocol: "invalid client protocol",
  noRespondersNeedsHeaders: "no responders requires headers support",
  authViolation: "Authorization Violation",
  authTimeout: "Authentication Timeout",
  staleConnection: "Stale Connection",
  tlsRequired: "Secure Connection - TLS Required",
} as const;

/** `-ERR 'text'\r\n` as bytes. */
export function errLine(text: string): Buffer {
  return Buffer.from(`-ERR '${text}'\r\n`, "latin1");
}

export const OK_LINE = Buffer.from("+OK\r\n");
export const PING_LINE = Buffer.from("PING\r\n");
export const PONG_LINE = Buffer.from("PONG\r\n");
