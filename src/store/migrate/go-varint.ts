/**
 * Reads Go's `encoding/binary` varints (Uvarint: 7 bits a byte, low first; Varint: zig-zag), as
 * nats-server writes them in block indexes and consumer state. Values are numbers: sequences and
 * counts stay far below 2^53; nanosecond times above it lose their last bits, which nothing here uses.
 */
import { NatsStoreError } from "./errors.js";

export class GoVarintReader {
  constructor(
    private readonly buf: Buffer,
    /** For errors: the file being read. */
    private readonly file: string,
    public off = 0,
  ) {}

  get remaining(): number {
    return this.buf.length - this.off;
  }

  uvarint(what: string): number {
    let v = 0;
    let mul = 1;
    const start = this.off;
    for (let i = 0; i < 10; i++) {
      if (this.off >= this.buf.length) throw new NatsStoreError(this.file, start, `truncated ${what}`);
      const b = this.buf[this.off++]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
    throw new NatsStoreError(this.file, start, `bad varint for ${what}`);
  }

  varint(what: string): number {
    const u = this.uvarint(what);
    // Zig-zag: even values are non-negative. Division keeps precision above 2^32.
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  bytes(n: number, what: string): Buffer {
    if (this.off + n > this.buf.length) throw new NatsStoreError(this.file, this.off, `truncated ${what}`);
    const b = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return b;
  }
}
