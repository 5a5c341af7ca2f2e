/**
 * The client protocol's op table: PUB HPUB SUB UNSUB CONNECT INFO PING PONG +OK -ERR, each parsing its
 * own arguments (the log details are nats-server's), and what a client connection must implement to be
 * driven by it.
 */
import { OpTable, parseSize, str, type MessageArgs, type Op, type Parser, type ParserHandler } from "./parser.js";

/** The calls the client op table makes; the client connection implements it. Strings are latin1, but CONNECT's JSON. */
export interface ClientOpHandler extends ParserHandler {
  onConnect(json: string): void;
  /** hdrLen < 0 for PUB; for HPUB the header is payload[0, hdrLen). */
  onPub(subject: string, reply: string | undefined, payload: Buffer, hdrLen: number): void;
  onSub(subject: string, queue: string | undefined, sid: string): void;
  onUnsub(sid: string, max: number): void;
  onPing(): void;
  onPong(): void;
  /** A PUB/HPUB header line was accepted and its payload is expected: check sizes before reading it. */
  checkPubSize(size: number): boolean;
  readonly headersEnabled: boolean;
}

type ClientOp = Op<ClientOpHandler>;
type P = Parser<ClientOpHandler>;

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const toPub = (h: ClientOpHandler, payload: Buffer, m: MessageArgs): void => h.onPub(m.subject, m.reply, payload, m.hdr);

/** PUB <subject> [reply] <size> and HPUB <subject> [reply] <hdr size> <total size>. */
function pubArgs(p: P, h: ClientOpHandler, buf: Buffer, s: number, e: number, headers: boolean): void {
  if (p.argTooLong(s, e)) return;
  const t = p.tok;
  const want = headers ? 3 : 2;
  const n = p.split(buf, s, e, want + 1);
  if (n !== want && n !== want + 1) {
    h.onProtocolError(undefined, `${headers ? "processHeaderPub" : "processPub"} Parse Error: '${str(buf, s, e).trim()}'`);
    return;
  }
  let i = 1;
  let reply: string | undefined;
  if (n === want + 1) {
    reply = str(buf, t[2]!, t[3]!);
    i = 2;
  }
  let hdr = -1;
  if (headers) {
    hdr = parseSize(buf, t[2 * i]!, t[2 * i + 1]!);
    i++;
  }
  const size = parseSize(buf, t[2 * i]!, t[2 * i + 1]!);
  if (size < 0 || (headers && (hdr < 0 || hdr > size))) {
    h.onProtocolError(undefined, `Bad or Missing Size: '${str(buf, s, e).trim()}'`);
    return;
  }
  if (!h.checkPubSize(size)) return;
  const m = p.msg;
  m.subject = p.subjectAt(buf, t[0]!, t[1]!);
  m.reply = reply;
  m.hdr = hdr;
  p.expectPayload(size, toPub);
}

const PUB: ClientOp = {
  name: "PUB",
  follows: "args",
  bounded: true,
  beforeConnect: false,
  run: (p, h, buf, s, e) => pubArgs(p, h, buf, s, e, false),
};

const HPUB: ClientOp = {
  name: "HPUB",
  follows: "args",
  bounded: true,
  beforeConnect: false,
  run(p, h, buf, s, e) {
    if (!h.headersEnabled) h.onProtocolError(undefined, "HPUB from a client that did not negotiate headers");
    else pubArgs(p, h, buf, s, e, true);
  },
};

const SUB: ClientOp = {
  name: "SUB",
  follows: "args",
  bounded: true,
  beforeConnect: false,
  run(p, h, buf, s, e) {
    if (p.argTooLong(s, e)) return;
    const n = p.split(buf, s, e, 3);
    if (n === 2) h.onSub(p.token(buf, 0), undefined, p.token(buf, 1));
    else if (n === 3) h.onSub(p.token(buf, 0), p.token(buf, 1), p.token(buf, 2));
    else h.onProtocolError(undefined, `processSub Parse Error: '${str(buf, s, e).trim()}'`);
  },
};

const UNSUB: ClientOp = {
  name: "UNSUB",
  follows: "args",
  bounded: true,
  beforeConnect: false,
  run(p, h, buf, s, e) {
    if (p.argTooLong(s, e)) return;
    const n = p.split(buf, s, e, 2);
    if (n === 1) h.onUnsub(p.token(buf, 0), 0);
    else if (n === 2) h.onUnsub(p.token(buf, 0), parseSize(buf, p.tok[2]!, p.tok[3]!));
    else h.onProtocolError(undefined, `processUnsub Parse Error: '${str(buf, s, e).trim()}'`);
  },
};

const CONNECT: ClientOp = {
  name: "CONNECT",
  // Like nats-server, whatever follows CONNECT (even with no space, or nothing) is its argument.
  follows: "anything",
  bounded: false,
  beforeConnect: true,
  run(p, h, buf, s, e) {
    let a = s;
    while (a < e && (buf[a] === 32 || buf[a] === 9)) a++;
    // JSON is UTF-8 (a password or a name may hold any character), unlike the rest of the protocol.
    if (!p.argTooLong(a, e)) h.onConnect(buf.toString("utf8", a, e));
  },
};

const INFO: ClientOp = {
  name: "INFO",
  follows: "anything",
  bounded: false,
  beforeConnect: false,
  run(_p, h, buf, s, e) {
    // A client's INFO is ignored, but it must be JSON (nats-server closes silently otherwise).
    if (!isJson(str(buf, s, e))) h.onProtocolError(undefined, "invalid INFO from client");
  },
};

const PING: ClientOp = { name: "PING", follows: "nothing", bounded: true, beforeConnect: false, run: (_p, h) => h.onPing() };
const PONG: ClientOp = { name: "PONG", follows: "nothing", bounded: true, beforeConnect: false, run: (_p, h) => h.onPong() };
const OK: ClientOp = { name: "+OK", follows: "nothing", bounded: false, beforeConnect: false, run: () => {} };

const ERR_OP: ClientOp = {
  name: "-ERR",
  follows: "args",
  bounded: false,
  beforeConnect: false,
  run: (_p, h, buf, s, e) => h.onProtocolError(undefined, `client sent -ERR ${str(buf, s, e).trim()}`),
};

export const CLIENT_OPS = new OpTable<ClientOpHandler>([PUB, HPUB, SUB, UNSUB, CONNECT, INFO, PING, PONG, OK, ERR_OP]);
