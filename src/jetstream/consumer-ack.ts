/**
 * The acknowledgement protocol: the reply subject each delivered message carries, and the bodies a
 * client publishes to it.
 *
 * Reply subject (nats-server's v1 format, the one it emits by default):
 *   `$JS.ACK.<stream>.<consumer>.<delivery count>.<stream seq>.<consumer seq>.<timestamp ns>.<pending>`
 * (nats-server 2.14's opt-in v2 format is neither sent nor subscribed to.)
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
 * The numbers of an ack subject known to start with `prefix` (`$JS.ACK.<stream>.<consumer>.`), as a
 * consumer's own subscription guarantees: only the dc, sseq and cseq tokens after it are read.
 */
export function parseAckAfter(subject: string, prefixLen: number): AckInfo | undefined {
  const len = subject.length;
  let i = prefixLen;
  const read = (): number => {
    let v = 0;
    const start = i;
    for (; i < len; i++) {
      const c = subject.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      v = v * 10 + c;
    }
    if (i === start || i - start > 16 || subject.charCodeAt(i) !== 46) return -1;
    i++;
    return v;
  };
  const dc = read();
  const sseq = dc < 0 ? -1 : read();
  const cseq = sseq <= 0 ? -1 : read();
  return cseq < 0 ? undefined : { dc, sseq, cseq };
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
