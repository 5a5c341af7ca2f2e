/**
 * The host a listener binds for a configured address. nats-server (Go) binds `0.0.0.0` and `::` as one
 * dual-stack socket, so a client that resolves `localhost` to `::1` reaches it too; node binds
 * `0.0.0.0` to IPv4 only. Node's own default (no host) is the dual-stack `::` where IPv6 exists and
 * `0.0.0.0` where it does not, which is Go's behaviour.
 */
export function listenHost(host: string): string | undefined {
  return host === "0.0.0.0" || host === "::" || host === "" ? undefined : host;
}
