/**
 * A client over WebSocket: the client kind unchanged (parser, delivery, permissions), with its bytes
 * carried in WebSocket messages. The frame layer is the `ws` library's; it reads frames off the TCP (or
 * TLS) socket, unmasks and, with permessage-deflate, inflates them. The connection base keeps the raw
 * socket, so pausing, draining, write deadlines and slow-consumer checks work on the real stream.
 *
 * Output stays one write per loop turn: each flush is one binary WebSocket message, its parts sent as
 * fragments of that message (zero copy), compressed when the client negotiated permessage-deflate.
 *
 * Invariant: every flush hands at least one part (the base never flushes an empty outbound), so each
 * message sent is finished (`fin`) before the next begins and fragments never interleave.
 */
import type { Socket } from "node:net";
import type { WebSocket } from "ws";
import type { ConnectInfo } from "../protocol/connect.js";
import type { Account } from "./account.js";
import { Client, type ClientHost } from "./client.js";
import { ClosedReason } from "./closed-reason.js";
import type { CookieCredentials } from "./ws-handshake.js";
import { assert } from "../util/assert.js";

/** RFC 6455 close codes nats-server sends for each reason. */
const NORMAL = 1000;
const GOING_AWAY = 1001;
const PROTOCOL_ERROR = 1002;
const POLICY_VIOLATION = 1008;
const MESSAGE_TOO_BIG = 1009;
const INTERNAL_ERROR = 1011;
/** A close frame's payload is at most 125 bytes: 2 for the code, the rest for the reason. */
const MAX_CLOSE_REASON = 123;

function closeCode(reason: ClosedReason): number {
  switch (reason) {
    case ClosedReason.ClientClosed:
      return NORMAL;
    case ClosedReason.AuthenticationTimeout:
    case ClosedReason.AuthenticationViolation:
    case ClosedReason.SlowConsumerPendingBytes:
    case ClosedReason.SlowConsumerWriteDeadline:
    case ClosedReason.MaxAccountConnectionsExceeded:
    case ClosedReason.MaxConnectionsExceeded:
    case ClosedReason.MaxControlLineExceeded:
    case ClosedReason.AuthenticationExpired:
    case ClosedReason.Revocation:
      return POLICY_VIOLATION;
    case ClosedReason.ParseError:
    case ClosedReason.ProtocolViolation:
    case ClosedReason.BadClientProtocolVersion:
      return PROTOCOL_ERROR;
    case ClosedReason.MaxPayloadExceeded:
      return MESSAGE_TOO_BIG;
    case ClosedReason.WriteError:
    case ClosedReason.ReadError:
    case ClosedReason.StaleConnection:
    case ClosedReason.ServerShutdown:
      return GOING_AWAY;
    default:
      return INTERNAL_ERROR;
  }
}

interface SendOptions {
  binary: boolean;
  fin: boolean;
  compress: boolean;
}

export class WsClient extends Client {
  private readonly fragment: SendOptions;
  private readonly final: SendOptions;

  constructor(
    server: ClientHost,
    socket: Socket,
    cid: number,
    account: Account,
    private readonly ws: WebSocket,
    private readonly cookies: CookieCredentials,
    /** permessage-deflate was negotiated: output is compressed. */
    readonly compressed: boolean,
  ) {
    // Nothing is read until the WebSocket layer is attached below.
    super(server, socket, cid, account, true);
    this.fragment = { binary: true, fin: false, compress: compressed };
    this.final = { binary: true, fin: true, compress: compressed };
    // Frame errors (bad masking, bad opcode, too large) end the connection; ws has sent its close frame.
    ws.on("error", () => this.close(ClosedReason.ProtocolViolation, true));
    ws.on("close", () => this.close(ClosedReason.ClientClosed));
    this.startReading();
  }

  override get connectionType(): string {
    return "WEBSOCKET";
  }

  override startReading(): void {
    this.ws.on("message", (d: Buffer) => this.onData(d));
  }

  /** The websocket block's authorization timeout, when it sets one. */
  protected override get authTimeoutMs(): number {
    return this.server.opts.websocket?.authTimeoutMs ?? super.authTimeoutMs;
  }

  protected override addTransportCredentials(o: ConnectInfo): void {
    const c = this.cookies;
    if (c.jwt !== undefined && o.jwt === undefined) o.jwt = c.jwt;
    if (c.user !== undefined && o.user === undefined) o.user = c.user;
    if (c.pass !== undefined && o.pass === undefined) o.pass = c.pass;
    if (c.token !== undefined && o.authToken === undefined) o.authToken = c.token;
  }

  protected override writeOut(parts: Buffer[], done: (err?: Error | null) => void): void {
    const ws = this.ws;
    const last = parts.length - 1;
    assert(last >= 0, "a WebSocket flush without output");
    for (let i = 0; i < last; i++) ws.send(parts[i]!, this.fragment);
    ws.send(parts[last]!, this.final, done);
  }

  protected override endOutput(parts: Buffer[], reason: ClosedReason): void {
    if (parts.length > 0) this.writeOut(parts, () => {});
    // ws ends the socket once the peer answers the close frame; the base destroys it if it never does.
    this.ws.close(closeCode(reason), reason.slice(0, MAX_CLOSE_REASON));
  }
}
