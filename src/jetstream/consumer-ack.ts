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
  return `${prefix}${dc}.${sseq}.${cseq}.${tsNanos}.${pending}`;
}

/**
 * Reads delivery count, stream and consumer sequence from an ack subject (v1: 9 tokens, v2: 11 or
 * more). Undefined for anything else, as nats-server then treats the ack as sequence 0 (ignored).
 */
export function parseAckSubject(subject: string): AckInfo | undefined {
  const t = subject.split(".");
  if ((t.length !== 9 && t.length < 11) || t[0] !== "$JS" || t[1] !== "ACK") return undefined;
  const off = t.length >= 11 ? 4 : 2;
  const dc = num(t[off + 2]!);
  const sseq = num(t[off + 3]!);
  const cseq = num(t[off + 4]!);
  if (dc < 0 || sseq <= 0 || cseq < 0) return undefined;
  return { dc, sseq, cseq };
}

function num(s: string): number {
  if (s.length === 0 || s.length > 16) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
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
const ACK = Buffer.from("+ACK");
const OK = Buffer.from("+OK");
const NAK = Buffer.from("-NAK");
const WPI = Buffer.from("+WPI");
const NXT = Buffer.from("+NXT");
const TERM = Buffer.from("+TERM");

function startsWith(b: Buffer, p: Buffer): boolean {
  return b.length >= p.length && b.compare(p, 0, p.length, 0, p.length) === 0;
}

export function classifyAck(body: Buffer): AckBody {
  if (body.length === 0 || body.equals(ACK) || body.equals(OK)) return { kind: "ack", arg: EMPTY };
  if (startsWith(body, NXT)) return { kind: "next", arg: body.subarray(NXT.length) };
  if (startsWith(body, NAK)) return { kind: "nak", arg: body.subarray(NAK.length) };
  if (body.equals(WPI)) return { kind: "progress", arg: EMPTY };
  if (startsWith(body, TERM)) return { kind: "term", arg: body.subarray(TERM.length) };
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
