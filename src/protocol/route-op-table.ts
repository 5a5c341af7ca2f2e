/**
 * The route protocol's op table (spec §7.1): INFO, CONNECT, PING, PONG, RS+/RS-, LS+/LS-, RMSG/HMSG/LMSG
 * and -ERR, and what a route connection implements to be driven by it. The arguments are read as
 * route-ops.ts reads them; a routed message's common forms (no queue groups) are read straight from the
 * line's tokens, the rest through the general parser.
 *
 * Malformed route ops are logged and the route closed, without -ERR, as nats-server does.
 */
import { OpTable, parseSize, str, type MessageArgs, type Op, type Parser, type ParserHandler } from "./parser.js";
import { parseHmsg, parseLmsg, parseRemoteSub, parseRemoteUnsub, parseRmsg, type RemoteSub, type RemoteUnsub, type RoutedMsg } from "./route-ops.js";

export interface RouteOpHandler extends RoutedMsgHandler {
  onRouteConnect(json: string): void;
  onRouteInfo(json: string): void;
  onRemoteSub(sub: RemoteSub): void;
  onRemoteUnsub(unsub: RemoteUnsub): void;
  onPing(): void;
  onPong(): void;
  /** The peer sent `-ERR`: nats-server logs it and closes the route. */
  onPeerError(text: string): void;
}

type RouteOp = Op<RouteOpHandler>;

/** What a connection kind that takes routed messages (routes, leaf nodes) implements for them. */
export interface RoutedMsgHandler extends ParserHandler {
  /** A routed message; `m` holds account, subject, reply, header length (-1: none) and queue names. */
  onRoutedMsg(payload: Buffer, m: MessageArgs): void;
}

const toRouted = (h: RoutedMsgHandler, payload: Buffer, m: MessageArgs): void => h.onRoutedMsg(payload, m);

/**
 * The largest routed payload taken: nats-server's ceiling for max_payload (64 MB), which no server's
 * clients can exceed. A bigger size is a broken or hostile peer, and is not buffered.
 */
const MAX_ROUTED_PAYLOAD = 64 * 1024 * 1024;

function tooBig(h: RoutedMsgHandler, size: number): boolean {
  if (size <= MAX_ROUTED_PAYLOAD) return false;
  h.onProtocolError(undefined, `Maximum Payload Violation: routed message of ${size} bytes`);
  return true;
}

/** Starts reading a routed message's payload with the fields `r` parsed. */
export function expectRouted<H extends RoutedMsgHandler>(p: Parser<H>, h: H, r: RoutedMsg): void {
  const m = p.msg;
  m.account = r.account;
  m.subject = r.subject;
  m.reply = r.reply;
  m.hdr = r.headerSize;
  m.queues = r.queues.length > 0 ? r.queues : undefined;
  if (!tooBig(h, r.size)) p.expectPayload(r.size, toRouted);
}

/**
 * RMSG/HMSG read from the line's tokens: `<account> <subject> [reply] [hdr] <size>`, or with queue groups
 * `<account> <subject> | <queue>... [hdr] <size>` and `<account> <subject> + <reply> <queue>... [hdr]
 * <size>`. A leaf connection's LMSG/HMSG are the same without the account (`withAccount` false: the
 * connection's bound account is the message's). The queue list is reused while it repeats (a queue
 * group's stream of messages names the same groups). Anything malformed gets route-ops' parser for
 * nats-server's error text.
 */
export function routedArgs<H extends RoutedMsgHandler>(
  p: Parser<H>,
  h: H,
  buf: Buffer,
  s: number,
  e: number,
  headers: boolean,
  slow: (arg: string) => RoutedMsg | string,
  withAccount = true,
): void {
  if (p.argTooLong(s, e)) return;
  const sizes = headers ? 2 : 1;
  // Token index of the subject; the account, when there is one, is token 0.
  const a = withAccount ? 1 : 0;
  const n = p.split(buf, s, e, 16);
  const t = p.tok;
  const malformed = (): void => {
    const r = slow(str(buf, s, e));
    if (typeof r === "string") h.onProtocolError(undefined, r);
    else expectRouted(p, h, r);
  };
  if (n < 1 + a + sizes || n > 16) return malformed();
  const last = n - 1;
  const size = parseSize(buf, t[2 * last]!, t[2 * last + 1]!);
  const hdr = headers ? parseSize(buf, t[2 * last - 2]!, t[2 * last - 1]!) : -1;
  if (size < 0 || (headers && (hdr < 0 || hdr > size))) return malformed();
  const m = p.msg;
  const mi = a + 1;
  const marker = n > 1 + a + sizes && t[2 * mi + 1]! - t[2 * mi]! === 1 ? buf[t[2 * mi]!] : 0;
  let reply: string | undefined;
  let firstQueue = 0;
  if (marker === PIPE) firstQueue = mi + 1;
  else if (marker === PLUS) {
    if (n < 4 + a + sizes) return malformed();
    reply = p.token(buf, mi + 1);
    firstQueue = mi + 2;
  } else if (n === 2 + a + sizes) reply = p.token(buf, mi);
  else if (n !== 1 + a + sizes) return malformed();
  let queues: string[] | undefined;
  if (firstQueue > 0) {
    const count = n - sizes - firstQueue;
    if (count < 1) return malformed();
    queues = sameQueues(buf, t, firstQueue, count, m.queues) ? m.queues : collectQueues(p, buf, firstQueue, count);
  }
  m.account = withAccount ? p.token(buf, 0) : "";
  m.subject = p.subjectAt(buf, t[2 * a]!, t[2 * a + 1]!);
  m.reply = reply;
  m.hdr = hdr;
  m.queues = queues;
  if (!tooBig(h, size)) p.expectPayload(size, toRouted);
}

const PIPE = 0x7c;
const PLUS = 0x2b;

/** Tokens [first, first + count) spell `prev` exactly. */
function sameQueues(buf: Buffer, t: Int32Array, first: number, count: number, prev: string[] | undefined): prev is string[] {
  if (prev === undefined || prev.length !== count) return false;
  for (let i = 0; i < count; i++) {
    const q = prev[i]!;
    const a = t[2 * (first + i)]!;
    if (t[2 * (first + i) + 1]! - a !== q.length) return false;
    for (let k = 0; k < q.length; k++) if (buf[a + k] !== q.charCodeAt(k)) return false;
  }
  return true;
}

function collectQueues<H extends ParserHandler>(p: Parser<H>, buf: Buffer, first: number, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(p.token(buf, first + i));
  return out;
}

const argOp = (name: string, run: RouteOp["run"]): RouteOp => ({ name, follows: "args", bounded: true, beforeConnect: false, run });

function interestOp(name: string, plus: boolean, origin: boolean): RouteOp {
  return argOp(name, (p, h, buf, s, e) => {
    if (p.argTooLong(s, e)) return;
    const arg = str(buf, s, e);
    const r = plus ? parseRemoteSub(arg, origin) : parseRemoteUnsub(arg, origin);
    if (typeof r === "string") h.onProtocolError(undefined, r);
    else if (plus) h.onRemoteSub(r as RemoteSub);
    else h.onRemoteUnsub(r as RemoteUnsub);
  });
}

const CONNECT: RouteOp = {
  name: "CONNECT",
  follows: "anything",
  bounded: false,
  beforeConnect: true,
  run: (_p, h, buf, s, e) => h.onRouteConnect(str(buf, s, e).trim()),
};

/** A route's INFO may come before or after its CONNECT (the dialling side sends CONNECT first). */
const INFO: RouteOp = {
  name: "INFO",
  follows: "anything",
  bounded: false,
  beforeConnect: true,
  run: (_p, h, buf, s, e) => h.onRouteInfo(str(buf, s, e).trim()),
};

const PING: RouteOp = { name: "PING", follows: "nothing", bounded: true, beforeConnect: true, run: (_p, h) => h.onPing() };
const PONG: RouteOp = { name: "PONG", follows: "nothing", bounded: true, beforeConnect: true, run: (_p, h) => h.onPong() };
const ERR_OP: RouteOp = { name: "-ERR", follows: "args", bounded: false, beforeConnect: true, run: (_p, h, buf, s, e) => h.onPeerError(str(buf, s, e).trim()) };

export const ROUTE_OPS = new OpTable<RouteOpHandler>([
  CONNECT,
  INFO,
  PING,
  PONG,
  ERR_OP,
  interestOp("RS+", true, false),
  interestOp("RS-", false, false),
  // Leaf node interest and messages relayed by a peer: its leaf's origin is not used by this server.
  interestOp("LS+", true, true),
  interestOp("LS-", false, false),
  argOp("RMSG", (p, h, buf, s, e) => routedArgs(p, h, buf, s, e, false, parseRmsg)),
  argOp("HMSG", (p, h, buf, s, e) => routedArgs(p, h, buf, s, e, true, parseHmsg)),
  argOp("LMSG", (p, h, buf, s, e) => {
    if (p.argTooLong(s, e)) return;
    const r = parseLmsg(str(buf, s, e));
    if (typeof r === "string") h.onProtocolError(undefined, r);
    else expectRouted(p, h, r);
  }),
]);
