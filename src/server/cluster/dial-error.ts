/**
 * A failed route dial as nats-server logs it (Go's net.Dial errors), from Node's error codes, so that
 * "Error trying to connect to route (attempt N): ..." reads the same from either server.
 */

const CONNECT_ERRORS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  EHOSTUNREACH: "no route to host",
  ENETUNREACH: "network is unreachable",
  EADDRNOTAVAIL: "cannot assign requested address",
  ECONNRESET: "connection reset by peer",
};

/**
 * `address` is what was dialled (`ip:port`); `host` the name that was looked up, for lookup failures.
 * Unknown codes keep Node's message after Go's prefix.
 */
export function goDialError(address: string, err: { code?: string; message: string }, host?: string): string {
  const code = err.code ?? "";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `dial tcp: lookup ${host ?? address}: no such host`;
  if (code === "ETIMEDOUT" || code === "ETIMEOUT") return `dial tcp ${address}: i/o timeout`;
  const text = CONNECT_ERRORS[code];
  return text ? `dial tcp ${address}: connect: ${text}` : `dial tcp ${address}: ${err.message}`;
}
