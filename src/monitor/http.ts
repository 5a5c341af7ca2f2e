/**
 * The HTTP monitoring listener (`http`/`-m`): nats-server's endpoints with its JSON field names.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Server } from "../server/server.js";

export interface Monitor {
  port: number;
  close(): Promise<void>;
}

export async function startMonitor(server: Server, host: string, port: number): Promise<Monitor> {
  const http = createServer((req, res) => handle(server, req, res));
  await new Promise<void>((res, rej) => {
    http.once("error", rej);
    http.listen(port < 0 ? 0 : port, host, () => res());
  });
  const addr = http.address();
  const actual = addr && typeof addr === "object" ? addr.port : port;
  server.logger.info(`Starting http monitor on ${host}:${actual}`);
  return {
    port: actual,
    close: () => new Promise<void>((res) => {
      http.closeAllConnections();
      http.close(() => res());
    }),
  };
}

function handle(_server: Server, _req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { "Content-Type": "application/json" });
  res.end(JSON.stringify({ status: "ok" }));
}
