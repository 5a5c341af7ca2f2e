/**
 * A connection's outbound bytes for the current loop turn. Small items are copied into one contiguous
 * buffer (a copy of a few hundred bytes is far cheaper than a socket write of its own); a large payload
 * is kept as a zero-copy slice. `take()` hands everything over for a single corked socket write.
 *
 * Invariant: buffers returned by take() are never written again while the socket may still be sending
 * them: the allocation behind the last take() is reused only after `recycle()`, which the client calls
 * once the socket has written everything it was given.
 */
type Latin1Buffer = Buffer & { latin1Write(s: string, offset: number): number };

/** Payloads at least this long are not copied. */
const BIG = 32 * 1024;
const MIN_CAP = 1024;
const CRLF = Buffer.from("\r\n");

/** Writes a latin1 string at `pos` (the caller made room); returns the position after it. */
function ascii(b: Buffer, pos: number, s: string): number {
  const n = s.length;
  if (n > 48) return pos + (b as Latin1Buffer).latin1Write(s, pos);
  for (let i = 0; i < n; i++) b[pos + i] = s.charCodeAt(i);
  return pos + n;
}
const MAX_HINT = 1024 * 1024;

export class Outbound {
  private buf: Latin1Buffer | undefined;
  private len = 0;
  /** Buffers already complete in this turn, in order, before `buf`. */
  private chunks: Buffer[] | undefined;
  /** Bytes queued in this turn (chunks + buf). */
  size = 0;
  /** Capacity to start the next turn with: what the last turn needed, bounded. */
  private hint = MIN_CAP;
  /** The allocation `buf` lives in, the one handed to the socket by the last take(), and a free one. */
  private base: Buffer | undefined;
  private sent: Buffer | undefined;
  private spare: Buffer | undefined;

  private room(n: number): Latin1Buffer {
    let b = this.buf;
    if (b === undefined) {
      const want = Math.max(n, this.hint);
      const spare = this.spare;
      this.spare = undefined;
      b = this.buf = (spare !== undefined && spare.length >= want ? spare : Buffer.allocUnsafe(want)) as Latin1Buffer;
      this.base = b;
      this.len = 0;
    } else if (b.length - this.len < n) {
      if (this.len > 0) (this.chunks ??= []).push(b.subarray(0, this.len));
      b = this.buf = Buffer.allocUnsafe(Math.max(n, b.length * 2)) as Latin1Buffer;
      this.base = b;
      this.len = 0;
    }
    return b;
  }

  /** Appends a latin1 string (protocol text: subjects, sids, numbers). */
  str(s: string): void {
    const b = this.room(s.length);
    this.len += b.latin1Write(s, this.len);
    this.size += s.length;
  }

  /**
   * Appends one message: the control line `head + sid + tail`, the payload and CRLF, with a single
   * capacity check. The line is written byte by byte: for the short strings of a control line that is
   * several times cheaper than a native string write per part.
   */
  message(head: string, sid: string, tail: string, payload: Buffer): void {
    const n = payload.length;
    if (n >= BIG) {
      this.str(head + sid + tail);
      this.bytes(payload);
      this.bytes(CRLF);
      return;
    }
    const total = head.length + sid.length + tail.length + n + 2;
    const b = this.room(total);
    let pos = this.len;
    pos = ascii(b, pos, head);
    pos = ascii(b, pos, sid);
    pos = ascii(b, pos, tail);
    b.set(payload, pos);
    pos += n;
    b[pos++] = 13;
    b[pos++] = 10;
    this.len = pos;
    this.size += total;
  }

  /** Appends bytes; large ones are referenced, not copied. */
  bytes(p: Buffer): void {
    const n = p.length;
    if (n >= BIG) {
      if (this.buf !== undefined && this.len > 0) {
        (this.chunks ??= []).push(this.buf.subarray(0, this.len));
        this.buf = this.buf.subarray(this.len) as Latin1Buffer;
        this.len = 0;
      }
      (this.chunks ??= []).push(p);
    } else if (n > 0) {
      const b = this.room(n);
      b.set(p, this.len);
      this.len += n;
    }
    this.size += n;
  }

  /** Everything queued in this turn, in order; the outbound is empty afterwards. */
  take(): Buffer[] {
    const out = this.chunks ?? [];
    if (this.buf !== undefined && this.len > 0) out.push(this.buf.subarray(0, this.len));
    this.hint = Math.min(MAX_HINT, Math.max(MIN_CAP, this.size));
    this.sent = this.base;
    this.base = undefined;
    this.buf = undefined;
    this.chunks = undefined;
    this.len = 0;
    this.size = 0;
    return out;
  }

  /** The socket has written everything handed to it: the last allocation may be filled again. */
  recycle(): void {
    if (this.sent !== undefined && this.sent.length <= MAX_HINT) this.spare = this.sent;
    this.sent = undefined;
  }
}
