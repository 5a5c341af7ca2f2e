/**
 * The client-protocol parser: an incremental state machine over the bytes a connection receives.
 *
 * Control lines are found with a native newline search; op names are matched case-insensitively the way
 * nats-server does (PING/PONG/+OK ignore whatever follows them on the line; the other ops need a space or
 * tab after the name). A payload that lies wholly inside the chunk is handed over as a zero-copy slice of
 * it; only a payload that spans reads is assembled into a buffer of its own.
 *
 * Invariants: after the handler closes the connection (`handler.closed`), nothing more is parsed; a
 * partial control line is never longer than the limit that applies to its op; `payload` slices handed
 * to the handler stay valid (socket chunks are never reused by Node), so they may be queued for output.
 */
import { ERR } from "./errors.js";

/** The calls the parser makes; the client connection implements it. Strings are latin1 (byte-exact). */
export interface ProtocolHandler {
  readonly closed: boolean;
  /** Called before any op other than CONNECT: false stops parsing (auth required and not authed). */
  allowOpBeforeConnect(): boolean;
  onConnect(json: string): void;
  /** hdrLen < 0 for PUB; for HPUB the header is payload[0, hdrLen). */
  onPub(subject: string, reply: string | undefined, payload: Buffer, hdrLen: number): void;
  onSub(subject: string, queue: string | undefined, sid: string): void;
  onUnsub(sid: string, max: number): void;
  onPing(): void;
  onPong(): void;
  /** A protocol error: send `-ERR 'err'` first when err is given, then close. `detail` is for the log. */
  onProtocolError(err: string | undefined, detail: string): void;
  /** A PUB/HPUB header line was accepted and its payload is expected: check sizes before reading it. */
  checkPubSize(size: number): boolean;
  readonly headersEnabled: boolean;
  readonly maxControlLine: number;
  readonly connected: boolean;
  /** Protocol tracing (-V) is on: the parser reports each op as received. */
  readonly tracing: boolean;
  /** `op` in upper case and its argument text as received (nats-server's `<<- [OP args]`). */
  traceIn(op: string, arg: string): void;
  /** The payload of a PUB/HPUB, for tracing. */
  tracePayload(payload: Buffer): void;
}

const OP_NAMES = ["PUB", "HPUB", "SUB", "UNSUB", "CONNECT", "INFO", "PING", "PONG", "OK", "ERR"];

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

/** Longest line accepted for ops without an argument limit (CONNECT may carry a JWT). */
const MAX_FREE_LINE = 1024 * 1024;

const enum Op {
  Pub,
  HPub,
  Sub,
  Unsub,
  Connect,
  Info,
  Ping,
  Pong,
  Ok,
  Err,
}

const enum State {
  Line,
  Payload,
}

function lower(b: number): number {
  return b | 0x20;
}

/** b[i] (before e) is the letter `ch`, in either case. */
function is(b: Buffer, i: number, e: number, ch: number): boolean {
  return i < e && lower(b[i]!) === ch;
}

/** b[i..] (before e) spells the lower-case word `w`, in any case. */
function word(b: Buffer, i: number, e: number, w: string): boolean {
  for (let k = 0; k < w.length; k++) if (!is(b, i + k, e, w.charCodeAt(k))) return false;
  return true;
}

/** b[i] (before e) separates an op name from its arguments. */
function sep(b: Buffer, i: number, e: number): boolean {
  return i < e && (b[i] === SPACE || b[i] === TAB);
}

type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

function str(buf: Buffer, s: number, e: number): string {
  return (buf as Latin1Buffer).latin1Slice(s, e);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** nats-server's size parser: decimal digits only; anything else (or an int64 overflow) is -1. */
export function parseSize(buf: Buffer, s: number, e: number): number {
  if (e <= s || e - s > 19) return -1;
  let n = 0;
  for (let i = s; i < e; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n > 9223372036854775807 ? -1 : n;
}

export class Parser {
  private state = State.Line;
  /** A control line that has not ended yet. */
  private partial: Buffer | undefined;
  private payload: Buffer | undefined;
  private payloadFill = 0;
  private pubSize = 0;
  /** The subject of the current PUB/HPUB, and of the previous one until the next is parsed (subjectAt). */
  private pubSubject = "";
  private pubReply: string | undefined;
  private pubHdr = -1;
  /** Scratch token boundaries of the current argument line. */
  private readonly tok = new Int32Array(12);

  constructor(private readonly h: ProtocolHandler) {}

  parse(chunk: Buffer): void {
    const h = this.h;
    const len = chunk.length;
    let pos = 0;
    while (pos < len && !h.closed) {
      if (this.state === State.Payload) {
        pos = this.readPayload(chunk, pos);
        continue;
      }
      const nl = chunk.indexOf(LF, pos);
      if (nl < 0) {
        this.keepPartial(chunk, pos);
        return;
      }
      if (this.partial !== undefined) {
        const line = Buffer.concat([this.partial, chunk.subarray(pos, nl)]);
        this.partial = undefined;
        this.line(line, 0, line.length);
      } else {
        this.line(chunk, pos, nl);
      }
      pos = nl + 1;
    }
  }

  private keepPartial(chunk: Buffer, pos: number): void {
    const rest = chunk.subarray(pos);
    const prev = this.partial;
    const line = prev === undefined ? Buffer.from(rest) : Buffer.concat([prev, rest]);
    if (this.overLimit(line)) return;
    this.partial = line;
  }

  /** Enforces max_control_line on a line that has not ended yet, so a peer cannot grow it without bound. */
  private overLimit(line: Buffer): boolean {
    const b0 = lower(line[0] ?? 0);
    const argOp = b0 === 112 /* p */ || b0 === 104 /* h */ || b0 === 115 /* s */ || b0 === 117; /* u */
    const limit = argOp ? this.h.maxControlLine + 8 : MAX_FREE_LINE;
    if (line.length > limit) {
      this.h.onProtocolError(ERR.maxControlLine, `control line of ${line.length} bytes`);
      return true;
    }
    return false;
  }

  /** Handles one control line [s, nl); `nl` is the index of its LF. */
  private line(buf: Buffer, s: number, nl: number): void {
    const h = this.h;
    let e = nl;
    if (e > s && buf[e - 1] === CR) e--;
    const op = this.opOf(buf, s, e);
    if (op === undefined) {
      h.onProtocolError(ERR.unknownOp, `unknown op: ${JSON.stringify(str(buf, s, Math.min(e, s + 32)))}`);
      return;
    }
    if (h.tracing) {
      const name = OP_NAMES[op]!;
      const arg = op === Op.Ping || op === Op.Pong || op === Op.Ok ? "" : str(buf, s + name.length, e).replace(/^[ \t]+/, "");
      h.traceIn(name, arg);
    }
    if (op !== Op.Connect && !h.connected && !h.allowOpBeforeConnect()) return;
    switch (op) {
      case Op.Ping:
        h.onPing();
        return;
      case Op.Pong:
        h.onPong();
        return;
      case Op.Ok:
        return;
      case Op.Info:
        // A client's INFO is ignored, but it must be JSON (nats-server closes silently otherwise).
        if (!isJson(str(buf, Math.min(s + 4, e), e))) h.onProtocolError(undefined, "invalid INFO from client");
        return;
      case Op.Err:
        h.onProtocolError(undefined, `client sent -ERR ${str(buf, s + 4, e).trim()}`);
        return;
      case Op.Connect: {
        let a = s + 7;
        while (a < e && (buf[a] === SPACE || buf[a] === TAB)) a++;
        if (!this.argTooLong(a, e)) h.onConnect(str(buf, a, e));
        return;
      }
      case Op.Pub:
        this.pubArgs(buf, s + 4, e, false);
        return;
      case Op.HPub:
        if (!h.headersEnabled) h.onProtocolError(undefined, "HPUB from a client that did not negotiate headers");
        else this.pubArgs(buf, s + 5, e, true);
        return;
      case Op.Sub:
        this.subArgs(buf, s + 4, e);
        return;
      case Op.Unsub:
        this.unsubArgs(buf, s + 6, e);
        return;
    }
  }

  /** Identifies the op of the line [s, e), or undefined for a parse error. */
  private opOf(b: Buffer, s: number, e: number): Op | undefined {
    switch (lower(b[s] ?? 0)) {
      case 112: // p
        if (is(b, s + 1, e, 117) && is(b, s + 2, e, 98)) return sep(b, s + 3, e) ? Op.Pub : undefined;
        if (is(b, s + 1, e, 105) && is(b, s + 2, e, 110) && is(b, s + 3, e, 103)) return Op.Ping;
        if (is(b, s + 1, e, 111) && is(b, s + 2, e, 110) && is(b, s + 3, e, 103)) return Op.Pong;
        return undefined;
      case 104: // h
        return is(b, s + 1, e, 112) && is(b, s + 2, e, 117) && is(b, s + 3, e, 98) && sep(b, s + 4, e) ? Op.HPub : undefined;
      case 115: // s
        return is(b, s + 1, e, 117) && is(b, s + 2, e, 98) && sep(b, s + 3, e) ? Op.Sub : undefined;
      case 117: // u
        return word(b, s + 1, e, "nsub") && sep(b, s + 5, e) ? Op.Unsub : undefined;
      case 99: // c
        // Like nats-server, whatever follows CONNECT (even with no space, or nothing) is its argument.
        return word(b, s + 1, e, "onnect") ? Op.Connect : undefined;
      case 105: // i
        return word(b, s + 1, e, "nfo") ? Op.Info : undefined;
      case 43: // +
        return word(b, s + 1, e, "ok") ? Op.Ok : undefined;
      case 45: // -
        return word(b, s + 1, e, "err") && sep(b, s + 4, e) ? Op.Err : undefined;
      default:
        return undefined;
    }
  }

  /** Splits [s, e) on spaces and tabs into at most `max` tokens; returns the count, or max+1 if more. */
  private split(buf: Buffer, s: number, e: number, max: number): number {
    const t = this.tok;
    let n = 0;
    let start = -1;
    for (let i = s; i < e; i++) {
      const c = buf[i];
      if (c === SPACE || c === TAB) {
        if (start >= 0) {
          if (n === max) return max + 1;
          t[2 * n] = start;
          t[2 * n + 1] = i;
          n++;
          start = -1;
        }
      } else if (start < 0) start = i;
    }
    if (start >= 0) {
      if (n === max) return max + 1;
      t[2 * n] = start;
      t[2 * n + 1] = e;
      n++;
    }
    return n;
  }

  private argTooLong(s: number, e: number): boolean {
    if (e - s > this.h.maxControlLine) {
      this.h.onProtocolError(ERR.maxControlLine, `argument line of ${e - s} bytes`);
      return true;
    }
    return false;
  }

  /**
   * The PUB subject at [s, e): the previous one's string when the bytes are the same (a publisher
   * mostly repeats its subject), else a new one. A reused string costs no allocation, and the Sublist
   * cache finds it by a hash V8 has already computed.
   */
  private subjectAt(buf: Buffer, s: number, e: number): string {
    const last = this.pubSubject;
    const n = e - s;
    if (last.length === n) {
      let i = 0;
      while (i < n && last.charCodeAt(i) === buf[s + i]) i++;
      if (i === n) return last;
    }
    return str(buf, s, e);
  }

  private pubArgs(buf: Buffer, s: number, e: number, headers: boolean): void {
    if (this.argTooLong(s, e)) return;
    const t = this.tok;
    const n = this.split(buf, s, e, headers ? 4 : 3);
    let hdr = -1;
    let size: number;
    let reply: string | undefined;
    const want = headers ? 3 : 2;
    if (n !== want && n !== want + 1) {
      this.h.onProtocolError(undefined, `${headers ? "processHeaderPub" : "processPub"} Parse Error: '${str(buf, s, e).trim()}'`);
      return;
    }
    const subject = this.subjectAt(buf, t[0]!, t[1]!);
    let i = 1;
    if (n === want + 1) {
      reply = str(buf, t[2]!, t[3]!);
      i = 2;
    }
    if (headers) {
      hdr = parseSize(buf, t[2 * i]!, t[2 * i + 1]!);
      i++;
    }
    size = parseSize(buf, t[2 * i]!, t[2 * i + 1]!);
    if (size < 0 || (headers && (hdr < 0 || hdr > size))) {
      this.h.onProtocolError(undefined, `Bad or Missing Size: '${str(buf, s, e).trim()}'`);
      return;
    }
    if (!this.h.checkPubSize(size)) return;
    this.pubSubject = subject;
    this.pubReply = reply;
    this.pubHdr = hdr;
    this.pubSize = size;
    this.payload = undefined;
    this.payloadFill = 0;
    this.state = State.Payload;
  }

  /** Consumes payload bytes from chunk[pos..]; returns the new position. */
  private readPayload(chunk: Buffer, pos: number): number {
    const need = this.pubSize + 2;
    if (this.payload === undefined && chunk.length - pos >= need) {
      const end = pos + this.pubSize;
      if (chunk[end] !== CR || chunk[end + 1] !== LF) {
        this.state = State.Line;
        this.h.onProtocolError(ERR.unknownOp, "payload not followed by CRLF");
        return chunk.length;
      }
      this.state = State.Line;
      const payload = chunk.subarray(pos, end);
      if (this.h.tracing) this.h.tracePayload(payload);
      this.h.onPub(this.pubSubject, this.pubReply, payload, this.pubHdr);
      return end + 2;
    }
    if (this.payload === undefined) this.payload = Buffer.allocUnsafe(need);
    const take = Math.min(need - this.payloadFill, chunk.length - pos);
    chunk.copy(this.payload, this.payloadFill, pos, pos + take);
    this.payloadFill += take;
    if (this.payloadFill === need) {
      const p = this.payload;
      this.payload = undefined;
      this.state = State.Line;
      if (p[need - 2] !== CR || p[need - 1] !== LF) {
        this.h.onProtocolError(ERR.unknownOp, "payload not followed by CRLF");
        return chunk.length;
      }
      const payload = p.subarray(0, this.pubSize);
      if (this.h.tracing) this.h.tracePayload(payload);
      this.h.onPub(this.pubSubject, this.pubReply, payload, this.pubHdr);
    }
    return pos + take;
  }

  private subArgs(buf: Buffer, s: number, e: number): void {
    if (this.argTooLong(s, e)) return;
    const t = this.tok;
    const n = this.split(buf, s, e, 3);
    if (n === 2) {
      this.h.onSub(str(buf, t[0]!, t[1]!), undefined, str(buf, t[2]!, t[3]!));
    } else if (n === 3) {
      this.h.onSub(str(buf, t[0]!, t[1]!), str(buf, t[2]!, t[3]!), str(buf, t[4]!, t[5]!));
    } else {
      this.h.onProtocolError(undefined, `processSub Parse Error: '${str(buf, s, e).trim()}'`);
    }
  }

  private unsubArgs(buf: Buffer, s: number, e: number): void {
    if (this.argTooLong(s, e)) return;
    const t = this.tok;
    const n = this.split(buf, s, e, 2);
    if (n === 1) this.h.onUnsub(str(buf, t[0]!, t[1]!), 0);
    else if (n === 2) this.h.onUnsub(str(buf, t[0]!, t[1]!), parseSize(buf, t[2]!, t[3]!));
    else this.h.onProtocolError(undefined, `processUnsub Parse Error: '${str(buf, s, e).trim()}'`);
  }
}
