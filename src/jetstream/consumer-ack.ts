/**
 * The acknowledgement protocol: the reply subject each delivered message carries, and the bodies a
 * client publishes to it.
 *
 * Reply subject (nats-server's v1 format, the one it emits by default):
 *   `$JS.ACK.<stream>.<consumer>.<delivery count>.<stream seq>.<consumer seq>.<timestamp ns>.<pending>`
 * v2 (`$JS.ACK.<domain>.<account hash>.<stream>.<consumer>.…`, 11 or more tokens) is accepted too.
 */
import { parseGoDuration } from "../util/duration.js";

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

export function ackSubject(prefix: string, dc: number, sseq: number, cseq: number, tsNanos: number, pending: number): string {
  return `${prefix}${dc}.${sseq}.${cseq}.${nanosText(tsNanos)}.${pending}`;
}

/**
 * The decimal text of a ns timestamp. Present-day values are above 2^53, where number-to-string takes
 * V8's slow path; two halves below 2^31 each print fast, and this runs once per delivered message.
 */
export function nanosText(ns: number): string {
  if (ns < 1e15) return String(ns);
  let hi = Math.floor(ns / 1e9);
  let lo = ns - hi * 1e9;
  if (lo < 0) {
    hi -= 1;
    lo += 1e9;
  } else if (lo >= 1e9) {
    hi += 1;
    lo -= 1e9;
  }
  const l = String(lo);
  return `${hi}${"000000000".slice(l.length)}${l}`;
}

/**
 * Reads delivery count, stream and consumer sequence from an ack subject (v1: 9 tokens, v2: 11 or
 * more). Undefined for anything else, as nats-server then treats the ack as sequence 0 (ignored).
 * Runs once per acknowledgement, so it scans the subject in place instead of splitting it.
 */
export function parseAckSubject(subject: string): AckInfo | undefined {
  if (!subject.startsWith(ACK_PREFIX)) return undefined;
  // Dots after the prefix: v1 has 6 (stream.consumer.dc.sseq.cseq.ts.pending), v2 8 or more.
  let n = 0;
  for (let i = subject.indexOf(".", ACK_PREFIX.length); i !== -1; i = subject.indexOf(".", i + 1)) n++;
  if (n !== 6 && n < 8) return undefined;
  // The three numbers follow the consumer token, which ends at dot 1 (v1) or dot 3 (v2).
  let at = ACK_PREFIX.length - 1;
  for (let k = n === 6 ? 2 : 4; k > 0; k--) at = subject.indexOf(".", at + 1);
  const e1 = subject.indexOf(".", at + 1);
  const e2 = subject.indexOf(".", e1 + 1);
  const e3 = subject.indexOf(".", e2 + 1);
  const dc = num(subject, at + 1, e1);
  const sseq = num(subject, e1 + 1, e2);
  const cseq = num(subject, e2 + 1, e3);
  if (dc < 0 || sseq <= 0 || cseq < 0) return undefined;
  return { dc, sseq, cseq };
}

function num(s: string, from: number, to: number): number {
  if (to <= from || to - from > 16) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
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

export function classifyAck(body: Buffer): AckBody {
  const n = body.length;
  if (n === 0) return { kind: "ack", arg: EMPTY };
  if (body[0] === 0x2b /* + */) {
    if (n === 4 && startsWith(body, "+ACK")) return { kind: "ack", arg: EMPTY };
    if (n === 3 && startsWith(body, "+OK")) return { kind: "ack", arg: EMPTY };
    if (startsWith(body, "+NXT")) return { kind: "next", arg: body.subarray(4) };
    if (n === 4 && startsWith(body, "+WPI")) return { kind: "progress", arg: EMPTY };
    if (startsWith(body, "+TERM")) return { kind: "term", arg: body.subarray(5) };
  } else if (startsWith(body, "-NAK")) {
    return { kind: "nak", arg: body.subarray(4) };
  }
  return { kind: "unknown", arg: EMPTY };
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
