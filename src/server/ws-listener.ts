/**
 * The WebSocket listener: an HTTP (or HTTPS, with the block's `tls`) server whose upgrade requests are
 * checked as nats-server checks them (ws-handshake.ts), then handed to the `ws` library for the 101
 * answer and permessage-deflate negotiation. Every other request, and every refused upgrade, gets
 * nats-server's bare status-text answer. What comes out is a socket and a WebSocket, which the server
 * turns into an ordinary client.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse, STATUS_CODES } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Socket } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import type { WebsocketOptions } from "../config/options.js";
import { loadTlsSettings } from "../tls/context.js";
import type { Logger } from "../util/logger.js";
import { listenOn } from "../util/listen.js";
import { checkUpgrade, cookieCredentials, OriginPolicy, type CookieCredentials } from "./ws-handshake.js";

/** nats-server does not compress output below this many bytes. */
const COMPRESS_THRESHOLD = 64;

export interface WebsocketHost {
  readonly logger: Logger;
  /** A client completed the upgrade. */
  acceptWebsocket(socket: Socket, ws: WebSocket, cookies: CookieCredentials, compress: boolean): void;
}

export class WebsocketListener {
  /** The port listened on (resolved when -1 asked for any). */
  port = 0;
  readonly tls: boolean;
  private readonly http: HttpServer;
  private readonly wss: WebSocketServer;
  private readonly origins: OriginPolicy;

  /** Throws TlsConfigError when the block's certificates cannot be used. */
  constructor(
    private readonly host: WebsocketHost,
    readonly options: WebsocketOptions,
  ) {
    this.tls = options.tls !== undefined;
    this.origins = new OriginPolicy(options.sameOrigin, options.allowedOrigins);
    this.http = options.tls !== undefined ? createHttpsServer(loadTlsSettings(options.tls)) : createHttpServer();
    if (options.handshakeTimeoutMs > 0) {
      this.http.requestTimeout = options.handshakeTimeoutMs;
      this.http.headersTimeout = options.handshakeTimeoutMs;
    }
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      // Server output is never masked; frames from clients must be (RFC 6455 §5.1).
      perMessageDeflate: options.compression
        ? { threshold: COMPRESS_THRESHOLD, serverNoContextTakeover: true, clientNoContextTakeover: true, zlibDeflateOptions: { level: 1 } }
        : false,
    });
    const extra = Object.entries(options.headers ?? {}).map(([k, v]) => `${k}: ${v}`);
    if (extra.length > 0) this.wss.on("headers", (headers: string[]) => headers.push(...extra));
    this.http.on("request", (req: IncomingMessage, res: ServerResponse) => this.plainRequest(req, res));
    this.http.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => this.upgrade(req, socket, head));
    this.http.on("clientError", (_e: Error, socket: Socket) => socket.destroy());
  }

  get scheme(): string {
    return this.tls ? "wss" : "ws";
  }

  async listen(): Promise<void> {
    const o = this.options;
    this.port = await listenOn(this.http, o.host, o.port);
    this.host.logger.info(`Listening for websocket clients on ${this.scheme}://${o.host}:${this.port}`);
    if (!this.tls) this.host.logger.warn("Websocket not configured with TLS. DO NOT USE IN PRODUCTION!");
  }

  /** Stops accepting; upgraded connections are clients of the server and close with it. */
  close(): Promise<void> {
    return new Promise((res) => this.http.close(() => res()));
  }

  /** A request without an upgrade is refused by the same checks (it fails one of them). */
  private plainRequest(req: IncomingMessage, res: ServerResponse): void {
    const check = checkUpgrade(req.method, req.headers, this.tls, this.origins);
    const [status, reason] = check.ok ? [400, "websocket upgrade not supported"] : [check.status, check.reason];
    this.logRefusal(req.socket, reason);
    const body = `${STATUS_CODES[status]}\n`;
    res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Sec-Websocket-Version": "13", "X-Content-Type-Options": "nosniff", "Content-Length": body.length });
    res.end(body);
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const check = checkUpgrade(req.method, req.headers, this.tls, this.origins);
    if (!check.ok) {
      this.logRefusal(socket, check.reason);
      const body = `${STATUS_CODES[check.status]}\n`;
      socket.end(
        `HTTP/1.1 ${check.status} ${STATUS_CODES[check.status]}\r\nContent-Type: text/plain; charset=utf-8\r\nSec-Websocket-Version: 13\r\n` +
          `X-Content-Type-Options: nosniff\r\nDate: ${new Date().toUTCString()}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
      return;
    }
    if (head.length > 0) {
      this.logRefusal(socket, "client sent data before handshake is complete");
      socket.destroy();
      return;
    }
    const cookies = cookieCredentials(req.headers, this.options);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const compress = ws.extensions.includes("permessage-deflate");
      this.host.acceptWebsocket(socket, ws, cookies, compress);
    });
  }

  private logRefusal(socket: Socket, reason: string): void {
    this.host.logger.error(`${socket.remoteAddress}:${socket.remotePort} - websocket handshake error: ${reason}`);
  }
}
