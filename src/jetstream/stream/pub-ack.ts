/**
 * The PubAck a stream sends for each stored message: `{"stream":<name>[, "domain":<domain>], "seq":<n>}`,
 * spaced exactly as nats-server writes it. One is built per acknowledged publish, so the fixed head is
 * kept as bytes and the sequence is written after it as digits: one exact-size allocation per ack, no
 * string to build and encode.
 */
import { digitCount, MAX_DIGITS_VALUE, putDigits } from "../../util/decimal.js";
import { goJson } from "../../util/go-json.js";

const CLOSE_BRACE = 0x7d;

export class PubAckFormat {
  /** Everything before the sequence, as text (for the rarer acks built as strings). */
  private readonly head: string;
  private readonly headBytes: Buffer;

  constructor(stream: string, domain: string | undefined) {
    this.head = domain ? `{"stream":${goJson(stream)}, "domain":${goJson(domain)}, "seq":` : `{"stream":${goJson(stream)}, "seq":`;
    this.headBytes = Buffer.from(this.head);
  }

  /** The PubAck of a message stored under `seq`. */
  stored(seq: number): Buffer {
    if (seq > MAX_DIGITS_VALUE) return Buffer.from(`${this.head}${seq}}`);
    const head = this.headBytes;
    const n = head.length;
    const digits = digitCount(seq);
    const b = Buffer.allocUnsafe(n + digits + 1);
    b.set(head, 0);
    putDigits(b, n, seq, digits);
    b[n + digits] = CLOSE_BRACE;
    return b;
  }

  /** The PubAck of a publish found to repeat the message stored under `seq` (Nats-Msg-Id). */
  duplicate(seq: number): string {
    return `${this.head}${seq},"duplicate": true}`;
  }
}
