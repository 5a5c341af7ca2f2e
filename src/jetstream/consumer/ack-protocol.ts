/**
 * The acknowledgement protocol: the reply subject each delivered message carries, and the bodies a
 * client publishes to it.
 *
 * Reply subject (nats-server's v1 format, the one it emits by default):
 *   `$JS.ACK.<stream>.<consumer>.<delivery count>.<stream seq>.<consumer seq>.<timestamp ns>.<pending>`
 * (nats-server 2.14's opt-in v2 format is neither sent nor subscribed to.)
 */
import { parseGoDuration } from "../../util/duration.js";
import { digitCount, putDigits } from "../../util/decimal.js";

export const ACK_PREFIX = "$JS.ACK.";

/** The numbers an ack subject carries. */
export interface AckInfo {
  dc: number;
  sseq: number;
  cseq: number;
}

/** `$JS.ACK.<stream>.<consumer>.` — the per-consumer prefix of every reply subject it sends. */
export function ackPrefix(stream: string, consumer: string): string {
  return `${ACK_PREFIX}${stream}.${consumer}.`;
}

/**
 * The decimal text of a ns timestamp. Present-day values are above 2^53, where number-to-string takes
 * V8's slow path; two halves below 2^31 each print fast.
 */
export function nanosText(ns: number): string {
  if (ns < 1e15) return String(ns);
  const hi = secondsOf(ns);
  const l = String(ns - hi * 1e9);
  return `${hi}${"000000000".slice(l.length)}${l}`;
}

/** Whole seconds of a ns timestamp: the ns left below them are in [0, 1e9) (exact for present-day values). */
function secondsOf(ns: number): number {
  const hi = Math.floor(ns / 1e9);
  const lo = ns - hi * 1e9;
  return lo < 0 ? hi - 1 : lo >= 1e9 ? hi + 1 : hi;
}

type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string; latin1Write(s: string, offset: number): number };

/** Longest decimal text of a token: a safe integer has 16 digits, a timestamp's halves 10 + 9. */
const MAX_TOKEN = 24;

/**
 * The reply subjects of one consumer, `<prefix><dc>.<sseq>.<cseq>.<ts ns>.<pending>`, numbers as String()
 * prints them and the timestamp as nanosText() does. Digits are written into a reused buffer after the
 * prefix and read back as one flat string: one allocation per message, where string concatenation
 * would build several number strings and a rope that is flattened on the way out.
 */
export class AckSubjects {
  private readonly buf: Latin1Buffer;
  /** The same bytes as a plain Uint8Array: element writes to it are cheaper than to a Buffer. */
  private readonly bytes: Uint8Array;
  private readonly start: number;

  constructor(prefix: string) {
    this.buf = Buffer.allocUnsafe(prefix.length + 5 * (MAX_TOKEN + 1)) as Latin1Buffer;
    this.bytes = new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    this.start = this.buf.latin1Write(prefix, 0);
  }

  subject(dc: number, sseq: number, cseq: number, tsNanos: number, pending: number): string {
    const b = this.bytes;
    let pos = this.putUint(this.start, dc);
    b[pos++] = 0x2e;
    pos = this.putUint(pos, sseq);
    b[pos++] = 0x2e;
    pos = this.putUint(pos, cseq);
    b[pos++] = 0x2e;
    pos = this.putNanos(pos, tsNanos);
    b[pos++] = 0x2e;
    pos = this.putUint(pos, pending);
    return this.buf.latin1Slice(0, pos);
  }

  /** Writes the decimal text of `v` at `pos` as String(v) would; returns the position after it. */
  private putUint(pos: number, v: number): number {
    if ((v | 0) === v && v >= 0) return putDigits(this.bytes, pos, v, digitCount(v));
    return pos + this.buf.latin1Write(String(v), pos);
  }

  /** Writes nanosText(ns) at `pos`; returns the position after it. */
  private putNanos(pos: number, ns: number): number {
    if (ns < 1e15) return this.putUint(pos, ns);
    const hi = secondsOf(ns);
    const lo = ns - hi * 1e9;
    if (!Number.isInteger(lo)) return pos + this.buf.latin1Write(nanosText(ns), pos);
    return putDigits(this.bytes, this.putUint(pos, hi), lo, 9);
  }
}

/**
 * The numbers of an ack subject known to start with `prefix` (`$JS.ACK.<stream>.<consumer>.`), as a
 * consumer's own subscription guarantees: only the dc, sseq and cseq tokens after it are read.
 */
export function parseAckAfter(subject: string, prefixLen: number): AckInfo | undefined {
  const dcEnd = tokenEnd(subject, prefixLen);
  if (dcEnd < 0) return undefined;
  const sseqEnd = tokenEnd(subject, dcEnd + 1);
  if (sseqEnd < 0) return undefined;
  const cseqEnd = tokenEnd(subject, sseqEnd + 1);
  if (cseqEnd < 0) return undefined;
  const sseq = numberIn(subject, dcEnd + 1, sseqEnd);
  if (sseq === 0) return undefined;
  return { dc: numberIn(subject, prefixLen, dcEnd), sseq, cseq: numberIn(subject, sseqEnd + 1, cseqEnd) };
}

/** End of the run of 1 to 16 digits at `i` when a `.` follows it, else -1. */
function tokenEnd(s: string, i: number): number {
  const start = i;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
  }
  return i === start || i - start > 16 || s.charCodeAt(i) !== 46 ? -1 : i;
}

function numberIn(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (s.charCodeAt(i) - 48);
  return v;
}

export type AckKind = "ack" | "nak" | "progress" | "next" | "term" | "unknown";

/** What an ack body asks for. `arg` is the text after the keyword (NAK delay, NXT request, TERM reason). */
export interface AckBody {
  kind: AckKind;
  arg: Buffer;
}

const EMPTY = Buffer.alloc(0);

/** Does `b` start with the ASCII text `p`? (Byte loop: cheaper than Buffer methods for 3–5 bytes.) */
function startsWith(b: Buffer, p: string): boolean {
  if (b.length < p.length) return false;
  for (let i = 0; i < p.length; i++) if (b[i] !== p.charCodeAt(i)) return false;
  return true;
}

// Shared answers for the bodies without an argument (the common case: no allocation per ack).
const ACKED: AckBody = Object.freeze({ kind: "ack", arg: EMPTY });
const PROGRESS: AckBody = Object.freeze({ kind: "progress", arg: EMPTY });
const UNKNOWN: AckBody = Object.freeze({ kind: "unknown", arg: EMPTY });

export function classifyAck(body: Buffer): AckBody {
  const n = body.length;
  if (n === 0) return ACKED;
  if (body[0] === 0x2b /* + */) {
    if (n === 4 && startsWith(body, "+ACK")) return ACKED;
    if (n === 3 && startsWith(body, "+OK")) return ACKED;
    if (startsWith(body, "+NXT")) return { kind: "next", arg: body.subarray(4) };
    if (n === 4 && startsWith(body, "+WPI")) return PROGRESS;
    if (startsWith(body, "+TERM")) return { kind: "term", arg: body.subarray(5) };
  } else if (startsWith(body, "-NAK")) {
    return { kind: "nak", arg: body.subarray(4) };
  }
  return UNKNOWN;
}

/**
 * The delay of a `-NAK` in ns: `{"delay": ns}` or a Go duration (`-NAK 5s`). Undefined for a plain NAK,
 * and also for a delay that does not parse (nats-server then treats it as a plain NAK).
 */
export function nakDelay(arg: Buffer): number | undefined {
  const text = arg.toString("utf8").trim();
  if (text === "") return undefined;
  if (text.startsWith("{")) {
    try {
      const v = JSON.parse(text) as { delay?: unknown };
      return typeof v.delay === "number" && Number.isInteger(v.delay) ? v.delay : undefined;
    } catch {
      return undefined;
    }
  }
  try {
    return Math.round(parseGoDuration(text) * 1e6);
  } catch {
    return undefined;
  }
}
