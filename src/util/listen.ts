/** Starting a listener the same way for clients, routes, leaf nodes, WebSocket and monitoring. */
import type { Server } from "node:net";
import { listenHost } from "./listen-host.js";

/**
 * Starts `srv` listening on host:port (a negative port: any free one; any address: both IPv4 and IPv6,
 * see listen-host.ts) and resolves with the port it got; rejects with the listen error (a busy port, an
 * address not on this host).
 */
export function listenOn(srv: Server, host: string, port: number): Promise<number> {
  return new Promise<number>((res, rej) => {
    srv.once("error", rej);
    srv.listen(port < 0 ? 0 : port, listenHost(host), () => {
      srv.off("error", rej);
      const addr = srv.address();
      res(addr !== null && typeof addr === "object" ? addr.port : port);
    });
  });
}
