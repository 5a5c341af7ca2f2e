/**
 * A connection's outbound bytes for the current loop turn. Small items are copied into fixed-size slabs
 * (a copy of a few hundred bytes is far cheaper than a socket write of its own); a large payload is kept
 * as a zero-copy slice. `take()` hands everything over for a single corked socket write.
 *
 * Slabs come from one pool shared by all connections and go back to it once the socket has written
 * them. Without reuse every turn allocates fresh memory that V8 frees only at its next GC, which it
 * runs late for external memory: under fan-out tens of MB of dead output stayed resident, and the
 * malloc heap they left behind stayed with the process after the burst.
 *
 * Invariant: a slab is never written again while the socket may still be sending from it. Each take()
 * is one flush; `written()` is called once per flush, in order, when the socket is done with it.
 */
type Latin1Buffer = Buffer & { latin1Write(s: string, offset: number): number };

/** Payloads at least this long are not copied. */
const BIG = 32 * 1024;
const SLAB = 64 * 1024;
/** Free slabs kept for reuse (4 MB); beyond that a returned slab is left to the GC. */
const MAX_FREE = 64;
const CRLF = Buffer.from("\r\n");
const NONE: readonly Latin1Buffer[] = [];

/** Free slabs, shared: the server runs on one thread, and idle connections hold none. */
const pool: Latin1Buffer[] = [];

function slab(n: number): Latin1Buffer {
  if (n > SLAB) return Buffer.allocUnsafeSlow(n) as Latin1Buffer;
  return pool.pop() ?? (Buffer.allocUnsafeSlow(SLAB) as Latin1Buffer);
}

function release(b: Latin1Buffer): void {
  if (b.length === SLAB && pool.length < MAX_FREE) pool.push(b);
}

/** Free slabs in the shared pool (for tests). */
export function pooledSlabs(): number {
  return pool.length;
}

/** Writes a latin1 string at `pos` (the caller made room); returns the position after it. */
function ascii(b: Buffer, pos: number, s: string): number {
  const n = s.length;
  if (n > 48) return pos + (b as Latin1Buffer).latin1Write(s, pos);
  for (let i = 0; i < n; i++) b[pos + i] = s.charCodeAt(i);
  return pos + n;
}

export class Outbound {
  /**
   * The slab being filled: this turn's bytes in it start at `start`, the next byte goes to `len`. It
   * stays current across turns until full (earlier flushes may still be sending from its head).
   */
  private buf: Latin1Buffer | undefined;
  private start = 0;
  private len = 0;
  /** Buffers already complete in this turn, in order, before `buf`'s part. */
  private chunks: Buffer[] | undefined;
  /** Slabs given up in this turn: free once this turn's flush, the last to use them, is written. */
  private retired: Latin1Buffer[] = [];
  /** Per flush handed out and not yet written, in order: the slabs it frees. */
  private readonly inflight: (readonly Latin1Buffer[])[] = [];
  /** Bytes queued in this turn. */
  size = 0;

  /** A slab with at least `n` bytes free after `len`. */
  private room(n: number): Latin1Buffer {
    const b = this.buf;
    if (b !== undefined && b.length - this.len >= n) return b;
    if (b !== undefined) {
      if (this.len > this.start) (this.chunks ??= []).push(b.subarray(this.start, this.len));
      this.retired.push(b);
    }
    const fresh = (this.buf = slab(n));
    this.start = this.len = 0;
    return fresh;
  }

  /** Appends a latin1 string (protocol text: subjects, sids, numbers). */
  str(s: string): void {
    const b = this.room(s.length);
    this.len += b.latin1Write(s, this.len);
    this.size += s.length;
  }

  /**
   * Appends one message: the control line `<verb><subject> <sid><tail>` (`<verb><subject><tail>` with an
   * empty sid: a route's RMSG names no sid), the payload and CRLF, with a
   * single capacity check. The line is written byte by byte from its parts, never joined into one
   * string first: for the short strings of a control line that is several times cheaper than a native
   * string write, and a subject that changes with every message (PubAcks, replies) costs no allocation.
   */
  message(verb: string, subject: string, sid: string, tail: string, payload: Buffer): void {
    const n = payload.length;
    const sep = sid.length > 0 ? 1 : 0;
    if (n >= BIG) {
      this.str(sep === 1 ? verb + subject + " " + sid + tail : verb + subject + tail);
      this.bytes(payload);
      this.bytes(CRLF);
      return;
    }
    const total = verb.length + subject.length + sep + sid.length + tail.length + n + 2;
    const b = this.room(total);
    let pos = this.len;
    pos = ascii(b, pos, verb);
    pos = ascii(b, pos, subject);
    if (sep === 1) {
      b[pos++] = 32;
      pos = ascii(b, pos, sid);
    }
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
      const b = this.buf;
      if (b !== undefined && this.len > this.start) {
        (this.chunks ??= []).push(b.subarray(this.start, this.len));
        this.start = this.len;
      }
      (this.chunks ??= []).push(p);
    } else if (n > 0) {
      const b = this.room(n);
      b.set(p, this.len);
      this.len += n;
    }
    this.size += n;
  }

  /** Everything queued in this turn, in order, as one flush; the outbound is empty afterwards. */
  take(): Buffer[] {
    const out = this.chunks ?? [];
    const b = this.buf;
    if (b !== undefined && this.len > this.start) out.push(b.subarray(this.start, this.len));
    this.start = this.len;
    if (this.retired.length === 0) this.inflight.push(NONE);
    else {
      this.inflight.push(this.retired);
      this.retired = [];
    }
    this.chunks = undefined;
    this.size = 0;
    return out;
  }

  /**
   * The socket is done with the oldest flush not yet reported: its slabs are free again, unless the
   * write failed (`ok` false: the connection is going away, and its memory goes with it).
   */
  written(ok: boolean): void {
    const slabs = this.inflight.shift();
    if (slabs === undefined || !ok) return;
    for (let i = 0; i < slabs.length; i++) release(slabs[i]!);
    // Nothing in flight and nothing queued: the current slab is unused, and an idle connection keeps none.
    const b = this.buf;
    if (b !== undefined && this.inflight.length === 0 && this.size === 0) {
      this.buf = undefined;
      this.start = this.len = 0;
      release(b);
    }
  }
}
