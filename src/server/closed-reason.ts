/** Why a connection ended, in nats-server's words (shown as `reason` in /connz?state=closed). */
export enum ClosedReason {
  ClientClosed = "Client Closed",
  AuthenticationTimeout = "Authentication Timeout",
  AuthenticationViolation = "Authentication Failure",
  SlowConsumerPendingBytes = "Slow Consumer (Pending Bytes)",
  SlowConsumerWriteDeadline = "Slow Consumer (Write Deadline)",
  WriteError = "Write Error",
  ReadError = "Read Error",
  ParseError = "Parse Error",
  StaleConnection = "Stale Connection",
  ProtocolViolation = "Protocol Violation",
  BadClientProtocolVersion = "Bad Client Protocol Version",
  MaxConnectionsExceeded = "Maximum Connections Exceeded",
  MaxPayloadExceeded = "Maximum Message Payload Exceeded",
  MaxControlLineExceeded = "Maximum Control Line Exceeded",
  ServerShutdown = "Server Shutdown",
  NoRespondersRequiresHeaders = "No Responders Requires Headers",
}
