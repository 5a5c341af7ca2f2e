/**
 * The HTTP monitoring listener (`http`/`-m`): nats-server's endpoints with its JSON field names, under
 * `http_base_path` when one is set. Any method is served the same way, as Go's mux does; paths match
 * exactly (no trailing slash); anything else is Go's plain-text 404. JSON answers carry
 * `Access-Control-Allow-Origin: *` and can be wrapped for JSONP with `?callback=`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { SecureContextOptions } from "node:tls";
import type { Server } from "../server/server.js";
import { accountz, accstatz } from "./accountz.js";
import { connz } from "./connz.js";
import { dashboardPage, dashboardScript, dashboardStyle } from "./dashboard-page.js";
import type { Endpoint, MonitorRequest, MonitorState, Reply } from "./endpoint.js";
import { goJson } from "../util/go-json.js";
import { healthz } from "./healthz.js";
import { MonitorStartError } from "./monitor-start-error.js";
import { raftz } from "./raftz.js";
import { indexPage } from "./index-page.js";
import { jsz } from "./jsz.js";
import { metrics } from "./metrics.js";
import { BadRequest } from "./query.js";
import { gatewayz, leafz, routez } from "./routez.js";
import { subsz } from "./subsz.js";
import { varz } from "./varz.js";
import { listenHost } from "../util/listen-host.js";

export interface Monitor {
  port: number;
  close(): Promise<void>;
}

interface Route {
  /** The name the request is counted under in /varz `http_req_stats`. */
  key: string;
  handle: Endpoint;
}

const ROOT: Route = { key: "/", handle: indexPage };

const ROUTES = new Map<string, Route>(
  (
    [
      ["/varz", varz],
      ["/connz", connz],
      ["/routez", routez],
      ["/gatewayz", gatewayz],
      ["/leafz", leafz],
      ["/subsz", subsz],
      ["/accountz", accountz],
      ["/accstatz", accstatz],
      ["/jsz", jsz],
      ["/healthz", healthz],
      ["/raftz", raftz],
      ["/metrics", metrics],
      ["/dashboard", dashboardPage],
      ["/dashboard/app.js", dashboardScript],
      ["/dashboard/app.css", dashboardStyle],
    ] as const
  ).map(([key, handle]) => [key, { key, handle }]),
);
ROUTES.set("/subscriptionsz", { key: "/subsz", handle: subsz });

/** A JSONP callback must name a function (`cb`, `ns.cb`); anything else would be script injection. */
const CALLBACK = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;

/** With `tls` the listener speaks HTTPS (`https`/`-ms`); it never asks for a client certificate. */
export async function startMonitor(server: Server, state: MonitorState, host: string, port: number, tls?: SecureContextOptions): Promise<Monitor> {
  const onRequest = (req: IncomingMessage, res: ServerResponse) => handle(server, state, req, res);
  const http = tls ? createHttpsServer(tls, onRequest) : createServer(onRequest);
  await new Promise<void>((res, rej) => {
    http.once("error", (e: NodeJS.ErrnoException) => rej(new MonitorStartError(`can't listen to the monitor port: ${listenError(e, host, port)}`)));
    http.listen(port < 0 ? 0 : port, listenHost(host), () => {
      http.off("error", rej);
      res();
    });
  });
  const addr = http.address();
  const actual = addr && typeof addr === "object" ? addr.port : port;
  server.logger.info(`Starting ${tls ? "https" : "http"} monitor on ${host}:${actual}`);
  return {
    port: actual,
    close: () =>
      new Promise<void>((res) => {
        http.closeAllConnections();
        http.close(() => res());
      }),
  };
}

/** A listen error as Go words it (`listen tcp 127.0.0.1:8222: bind: address already in use`). */
function listenError(e: NodeJS.ErrnoException, host: string, port: number): string {
  const why =
    e.code === "EADDRINUSE" ? "bind: address already in use" : e.code === "EACCES" ? "bind: permission denied" : e.code === "EADDRNOTAVAIL" ? "bind: cannot assign requested address" : e.message;
  return `listen tcp ${host}:${port}: ${why}`;
}

function resolve(basePath: string, path: string): Route | undefined {
  if (path === (basePath || "/")) return ROOT;
  if (!path.startsWith(`${basePath}/`)) return undefined;
  return ROUTES.get(path.slice(basePath.length));
}

function handle(server: Server, state: MonitorState, req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const query = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));
  let route: Route | undefined;
  try {
    route = resolve(state.basePath, decodeURIComponent(q < 0 ? url : url.slice(0, q)));
  } catch {
    route = undefined; // a malformed %-escape names no endpoint
  }
  if (route === undefined) {
    sendText(res, 404, "404 page not found\n", { "X-Content-Type-Options": "nosniff" });
    return;
  }
  const key = route.key;
  const request: MonitorRequest = {
    server,
    query,
    state,
    count: () => state.httpReqStats.set(key, (state.httpReqStats.get(key) ?? 0) + 1),
  };
  let reply: Reply;
  try {
    reply = route.handle(request);
  } catch (e) {
    if (e instanceof BadRequest) sendText(res, 400, e.message);
    else {
      server.logger.error(`Error answering ${key}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      sendText(res, 500, "Internal Server Error");
    }
    return;
  }
  send(res, query.get("callback") ?? "", reply);
}

function send(res: ServerResponse, callback: string, reply: Reply): void {
  if (reply.kind === "html") {
    write(res, 200, { "Content-Type": "text/html; charset=utf-8" }, reply.body);
    return;
  }
  if (reply.kind === "text") {
    write(res, reply.status ?? 200, { "Content-Type": reply.contentType }, reply.body);
    return;
  }
  const body = goJson(reply.body, reply.indent);
  const status = reply.status ?? 200;
  // nats-server writes an error status before its JSON headers, so Go drops those: such an answer goes
  // out as sniffed plain text, without CORS.
  const headers = (type: string): Record<string, string> =>
    status === 200 ? { "Content-Type": type, "Access-Control-Allow-Origin": "*" } : { "Content-Type": "text/plain; charset=utf-8" };
  if (callback === "") {
    write(res, status, headers("application/json"), body);
  } else if (CALLBACK.test(callback)) {
    write(res, status, headers("application/javascript"), `${callback}(${body})`);
  } else {
    sendText(res, 400, `invalid callback: ${callback}`);
  }
}

function sendText(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  write(res, status, { "Content-Type": "text/plain; charset=utf-8", ...extra }, text);
}

/** Answers with a Content-Length, as nats-server does, rather than chunked. */
function write(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  const bytes = Buffer.from(body, "utf8");
  res.writeHead(status, { ...headers, "Content-Length": String(bytes.length) });
  res.end(bytes);
}
