/**
 * Little-endian binary encoding for the small files the stores keep beside their data (saved states,
 * index files): a growable writer and a bounds-checked reader, so that a truncated or damaged file
 * is refused by a thrown BinaryError instead of being read past its end. Numbers up to 2^53 are kept
 * as float64, which holds them exactly.
 */
import { crc32 } from "./crc32.js";

export class BinaryError extends Error {
  override readonly name = "BinaryError";
}

export class BinWriter {
  private buf: Buffer;
  len = 0;

  /** `size`: the bytes expected (more may be written; a good guess saves the copies of growing). */
  constructor(size = 4096) {
    this.buf = Buffer.allocUnsafe(size);
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const b = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(b, 0, 0, this.len);
    this.buf = b;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.len++] = v;
  }

  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32LE(v, this.len);
    this.len += 4;
  }

  f64(v: number): void {
    this.room(8);
    this.buf.writeDoubleLE(v, this.len);
    this.len += 8;
  }

  str(s: string): void {
    const n = Buffer.byteLength(s);
    this.u32(n);
    this.room(n);
    this.buf.write(s, this.len, "utf8");
    this.len += n;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** Overwrites a u32 written earlier at pos (a count known only at the end). */
  patchU32(pos: number, v: number): void {
    this.buf.writeUInt32LE(v, pos);
  }

  /** The content followed by its crc32, ready to be written. */
  finishWithCrc(): Buffer {
    this.u32(crc32(this.buf, 0, this.len));
    return this.buf.subarray(0, this.len);
  }
}

export class BinReader {
  pos = 0;

  constructor(private readonly buf: Buffer) {}

  /** A reader over the content of a buffer that ends with its crc32 (see finishWithCrc); throws when they differ. */
  static checked(buf: Buffer): BinReader {
    if (buf.length < 4) throw new BinaryError("too short");
    const end = buf.length - 4;
    if (crc32(buf, 0, end) !== buf.readUInt32LE(end)) throw new BinaryError("checksum mismatch");
    return new BinReader(buf.subarray(0, end));
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new BinaryError(`truncated at ${this.pos}`);
  }

  get done(): boolean {
    return this.pos === this.buf.length;
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A non-negative integer below 2^53 stored as f64; anything else is damage. */
  uint(): number {
    const v = this.f64();
    if (!Number.isSafeInteger(v) || v < 0) throw new BinaryError(`bad integer at ${this.pos - 8}`);
    return v;
  }

  /** A time in ns since the epoch: beyond 2^53, so only finite and non-negative is checked. */
  time(): number {
    const v = this.f64();
    if (!Number.isFinite(v) || v < 0) throw new BinaryError(`bad time at ${this.pos - 8}`);
    return v;
  }

  str(): string {
    const n = this.u32();
    this.need(n);
    const s = this.buf.toString("utf8", this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}
