/**
 * The protocol parser: an incremental state machine over the bytes a connection receives, driven by the
 * op table of the connection's kind (client-ops.ts for clients; routes, leaf nodes and gateways bring
 * their own). The parser finds control lines, matches op names, enforces the line limits, and reads
 * payloads; each op parses its own arguments and says whether a payload follows.
 *
 * Control lines are found with a native newline search; op names are matched case-insensitively the way
 * nats-server does (an op whose name is followed by "nothing" ignores the rest of its line; "args" ops
 * need a space or tab after the name). A payload that lies wholly inside the chunk is handed over as a
 * zero-copy slice of it; only a payload that spans reads is assembled into a buffer of its own.
 *
 * Invariants: after the handler closes the connection (`handler.closed`), nothing more is parsed; a
 * partial control line is never longer than the limit that applies to its op; `payload` slices handed
 * to the handler stay valid (socket chunks are never reused by Node), so they may be queued for output.
 */
import { ERR } from "./errors.js";

/** What the parser itself needs from a connection, whatever its kind. Strings are latin1 (byte-exact). */
export interface ParserHandler {
  readonly closed: boolean;
  /** The peer's CONNECT was accepted. */
  readonly connected: boolean;
  /** Called before an op not marked `beforeConnect` while not connected: false stops parsing. */
  allowOpBeforeConnect(): boolean;
  readonly maxControlLine: number;
  /** A protocol error: send `-ERR 'err'` first when err is given, then close. `detail` is for the log. */
  onProtocolError(err: string | undefined, detail: string): void;
  /** Protocol tracing (-V) is on: the parser reports each op as received. */
  readonly tracing: boolean;
  /** `op` in upper case and its argument text as received (nats-server's `<<- [OP args]`). */
  traceIn(op: string, arg: string): void;
  /** The payload of a message op, for tracing. */
  tracePayload(payload: Buffer): void;
}

/**
 * The arguments of the message op whose payload is being read (PUB, HPUB; RMSG and LMSG add the account
 * and queue names). An op fills what it has before calling expectPayload; the payload's sink reads them.
 */
export class MessageArgs {
  /** Kept from one message to the next: see Parser.subjectAt. */
  subject = "";
  reply: string | undefined;
  /** Header length; -1 without headers. */
  hdr = -1;
  /** The account of a route or leaf message ("" for clients). */
  account = "";
  /** Queue groups a route message is for (RMSG's `| q1 q2`), if any. */
  queues: string[] | undefined;
}

/** Takes a message op's payload (headers then body); `m` holds the op's arguments. */
export type PayloadSink<H extends ParserHandler> = (h: H, payload: Buffer, m: MessageArgs) => void;

/** One op of a connection kind's protocol. */
export interface Op<H extends ParserHandler> {
  /** The name as on the wire, upper case (`PUB`, `+OK`, `RS+`). Letters match in any case. */
  readonly name: string;
  /**
   * What follows the name: "args" needs a space or tab then arguments; "anything" takes the rest of the
   * line as its argument, separated or not (CONNECT); "nothing" ignores the rest of the line (PING).
   */
  readonly follows: "args" | "anything" | "nothing";
  /**
   * The line is bounded by max_control_line (checked by the op on its argument, and by the parser on a
   * line not yet ended); unbounded ops (CONNECT, INFO: they may carry JWTs) get MAX_FREE_LINE.
   */
  readonly bounded: boolean;
  /** The op is taken before the connection is connected without asking (CONNECT itself). */
  readonly beforeConnect: boolean;
  /**
   * Handles the op; [s, e) is its argument without CR/LF: what follows the name and, for "args" ops, the
   * one space or tab after it (more may follow).
   */
  run(p: Parser<H>, h: H, buf: Buffer, s: number, e: number): void;
}

/** Longest line accepted for ops without an argument limit (CONNECT may carry a JWT). */
const MAX_FREE_LINE = 1024 * 1024;

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** An op with its name's bytes prepared for matching. */
interface Entry<H extends ParserHandler> {
  readonly op: Op<H>;
  /** The name's bytes, letters in lower case. */
  readonly lower: Uint8Array;
  /** Per byte of the name: compare with the 0x20 bit set (a letter) or exactly. */
  readonly fold: Uint8Array;
  /**
   * The name's first (up to) 4 bytes as a little-endian word, letters in lower case; `fold4` sets the
   * 0x20 bit of the letters among them, `mask4` keeps the name's bytes. One comparison matches every
   * name of 4 bytes or fewer.
   */
  readonly word4: number;
  readonly fold4: number;
  readonly mask4: number;
  readonly needsSep: boolean;
  /** Where the op's argument starts, from the line's start: after the name and its one separator. */
  readonly argAt: number;
}

/**
 * A connection kind's ops, indexed by their name's first byte (both cases of a letter), so that finding
 * the op of a line costs a lookup and a comparison of its name.
 */
export class OpTable<H extends ParserHandler> {
  private readonly byFirst: (Entry<H>[] | undefined)[] = new Array(256).fill(undefined);
  /** An unfinished line starting with this byte is bounded by max_control_line (+8 for the op name). */
  readonly boundedFirst = new Uint8Array(256);

  constructor(ops: readonly Op<H>[]) {
    for (const op of ops) {
      const n = op.name.length;
      const lower = new Uint8Array(n);
      const fold = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const c = op.name.charCodeAt(i);
        fold[i] = isLetter(c) ? 0x20 : 0;
        lower[i] = c | fold[i]!;
      }
      const needsSep = op.follows === "args";
      let word4 = 0;
      let fold4 = 0;
      let mask4 = 0;
      for (let i = 0; i < Math.min(n, 4); i++) {
        word4 |= lower[i]! << (8 * i);
        fold4 |= fold[i]! << (8 * i);
        mask4 |= 0xff << (8 * i);
      }
      const entry: Entry<H> = { op, lower, fold, word4: word4 >>> 0, fold4: fold4 >>> 0, mask4: mask4 >>> 0, needsSep, argAt: n + (needsSep ? 1 : 0) };
      const firsts = fold[0] === 0 ? [lower[0]!] : [lower[0]!, lower[0]! & ~0x20];
      for (const f of firsts) {
        const list = (this.byFirst[f] ??= []);
        if (list.some((x) => x.op.name === op.name)) throw new Error(`op ${op.name} twice in a table`);
        list.push(entry);
      }
    }
    for (let b = 0; b < 256; b++) {
      const list = this.byFirst[b];
      // As nats-server: a line whose op takes no bounded argument may run to MAX_FREE_LINE.
      this.boundedFirst[b] = list !== undefined && list.every((x) => x.op.bounded) ? 1 : 0;
    }
  }

  /** The op of the line [s, e), or undefined (an unknown op, or a known name without its separator). */
  find(b: Buffer, s: number, e: number): Entry<H> | undefined {
    const list = this.byFirst[b[s] ?? 0];
    if (list === undefined) return undefined;
    // The line's first 4 bytes (fewer near the end of a buffer: missing bytes read as 0, masked off).
    const w = (b[s]! | (b[s + 1]! << 8) | (b[s + 2]! << 16) | (b[s + 3]! << 24)) >>> 0;
    for (let k = 0; k < list.length; k++) {
      const x = list[k]!;
      const lower = x.lower;
      const n = lower.length;
      if (s + n > e || ((w | x.fold4) & x.mask4) >>> 0 !== x.word4) continue;
      if (n > 4) {
        const fold = x.fold;
        let i = 4;
        while (i < n && (b[s + i]! | fold[i]!) === lower[i]) i++;
        if (i < n) continue;
      }
      if (x.needsSep && !(s + n < e && (b[s + n] === SPACE || b[s + n] === TAB))) return undefined;
      return x;
    }
    return undefined;
  }
}

const enum State {
  Line,
  Payload,
}

type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

/** The latin1 string of buf[s, e) (one char per byte: byte-exact). */
export function str(buf: Buffer, s: number, e: number): string {
  return (buf as Latin1Buffer).latin1Slice(s, e);
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

export class Parser<H extends ParserHandler> {
  private state = State.Line;
  /** A control line that has not ended yet. */
  private partial: Buffer | undefined;
  private payload: Buffer | undefined;
  private payloadFill = 0;
  private payloadSize = 0;
  private sink: PayloadSink<H> | undefined;
  /** The arguments of the message whose payload is expected (and of the previous one until then). */
  readonly msg = new MessageArgs();
  /** Token boundaries of the current argument line, filled by split: token i is [tok[2i], tok[2i+1]). */
  readonly tok = new Int32Array(2 * 16);

  constructor(
    private readonly h: H,
    private readonly table: OpTable<H>,
  ) {}

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
    const limit = this.table.boundedFirst[line[0] ?? 0] === 1 ? this.h.maxControlLine + 8 : MAX_FREE_LINE;
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
    const entry = this.table.find(buf, s, e);
    if (entry === undefined) {
      h.onProtocolError(ERR.unknownOp, `unknown op: ${JSON.stringify(str(buf, s, Math.min(e, s + 32)))}`);
      return;
    }
    const op = entry.op;
    if (h.tracing) h.traceIn(op.name, op.follows === "nothing" ? "" : str(buf, s + op.name.length, e).replace(/^[ \t]+/, ""));
    if (!op.beforeConnect && !h.connected && !h.allowOpBeforeConnect()) return;
    op.run(this, h, buf, s + entry.argAt, e);
  }

  /** An argument line longer than max_control_line is a protocol error (reported here: true). */
  argTooLong(s: number, e: number): boolean {
    if (e - s > this.h.maxControlLine) {
      this.h.onProtocolError(ERR.maxControlLine, `argument line of ${e - s} bytes`);
      return true;
    }
    return false;
  }

  /** Splits [s, e) on spaces and tabs into `tok`; returns the count, or max+1 if there are more than max (at most 16). */
  split(buf: Buffer, s: number, e: number, max: number): number {
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

  /** Token i of the last split, as a string. */
  token(buf: Buffer, i: number): string {
    return str(buf, this.tok[2 * i]!, this.tok[2 * i + 1]!);
  }

  /**
   * The message subject at [s, e): the previous message's string when the bytes are the same (a
   * publisher mostly repeats its subject), else a new one. A reused string costs no allocation, and the
   * Sublist cache finds it by a hash V8 has already computed.
   */
  subjectAt(buf: Buffer, s: number, e: number): string {
    const last = this.msg.subject;
    const n = e - s;
    if (last.length === n) {
      let i = 0;
      while (i < n && last.charCodeAt(i) === buf[s + i]) i++;
      if (i === n) return last;
    }
    return str(buf, s, e);
  }

  /** The current op carries a payload of `size` bytes (then CRLF): it goes to `sink` with `msg`. */
  expectPayload(size: number, sink: PayloadSink<H>): void {
    this.payloadSize = size;
    this.sink = sink;
    this.payload = undefined;
    this.payloadFill = 0;
    this.state = State.Payload;
  }

  /** Consumes payload bytes from chunk[pos..]; returns the new position. */
  private readPayload(chunk: Buffer, pos: number): number {
    const need = this.payloadSize + 2;
    if (this.payload === undefined && chunk.length - pos >= need) {
      const end = pos + this.payloadSize;
      this.state = State.Line;
      if (chunk[end] !== CR || chunk[end + 1] !== LF) {
        this.h.onProtocolError(ERR.unknownOp, "payload not followed by CRLF");
        return chunk.length;
      }
      this.deliver(chunk.subarray(pos, end));
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
      this.deliver(p.subarray(0, this.payloadSize));
    }
    return pos + take;
  }

  private deliver(payload: Buffer): void {
    const h = this.h;
    if (h.tracing) h.tracePayload(payload);
    this.sink!(h, payload, this.msg);
  }
}
