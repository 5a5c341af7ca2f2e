/**
 * Decompresses an S2 stream (klauspost/compress s2, the format nats-server writes snapshots in; Snappy's
 * framing format is a subset). Written from the published format description.
 *
 * Framing: chunks of type (1 byte) and length (3 bytes, little-endian). 0xff: stream identifier
 * ("S2sTwO", or "sNaPpY" for Snappy); 0x00: compressed block; 0x01: uncompressed data; both start with
 * the masked CRC-32C of their uncompressed bytes. 0x80-0xfe: skippable; 0x02-0x7f: reserved, an error.
 * Block: uvarint uncompressed length, then elements tagged by the low 2 bits of their first byte:
 * literal (length in the tag or 1-4 following bytes), copy with a 1-, 2- or 4-byte offset; S2 adds the
 * repeat, a 1-byte-offset copy with offset 0 that reuses the previous offset, its length extended by
 * 0-3 bytes.
 *
 * Invariant: every byte handed out belongs to a chunk whose CRC matched; any inconsistency throws with
 * the offset of the chunk in the compressed stream.
 */

const STREAM_ID = 0xff;
const COMPRESSED = 0x00;
const UNCOMPRESSED = 0x01;
const MAGIC_S2 = "S2sTwO";
const MAGIC_SNAPPY = "sNaPpY";
/** S2 blocks hold at most 4 MiB uncompressed. */
const MAX_BLOCK = 4 << 20;

export class S2Error extends Error {
  constructor(
    readonly offset: number,
    detail: string,
  ) {
    super(`s2 stream at ${offset}: ${detail}`);
    this.name = "S2Error";
  }
}

/** True when `head` starts like an S2 or Snappy framed stream. */
export function isS2Stream(head: Buffer): boolean {
  if (head.length < 10 || head[0] !== STREAM_ID) return false;
  const id = head.toString("latin1", 4, 10);
  return id === MAGIC_S2 || id === MAGIC_SNAPPY;
}

const CRC32C = new Int32Array(256);
for (let b = 0; b < 256; b++) {
  let c = b;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  CRC32C[b] = c;
}

function maskedCrc32c(buf: Uint8Array): number {
  let c = ~0;
  for (let i = 0; i < buf.length; i++) c = CRC32C[(c ^ buf[i]!) & 255]! ^ (c >>> 8);
  const crc = ~c >>> 0;
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/** Decodes one S2 (or Snappy) block. `at` is its offset in the stream, for errors. */
export function decodeS2Block(src: Buffer, at: number): Buffer {
  let s = 0;
  let n = 0;
  let mul = 1;
  for (;;) {
    if (s >= src.length || s >= 5) throw new S2Error(at, "bad block length");
    const b = src[s++]!;
    n += (b & 0x7f) * mul;
    if (b < 0x80) break;
    mul *= 128;
  }
  if (n > MAX_BLOCK) throw new S2Error(at, `block of ${n} bytes is too large`);
  const dst = Buffer.allocUnsafe(n);
  let d = 0;
  let offset = 0;
  const need = (k: number): void => {
    if (s + k > src.length) throw new S2Error(at, "block is truncated");
  };
  while (s < src.length) {
    const tag = src[s]!;
    let length: number;
    switch (tag & 3) {
      case 0: {
        let x = tag >>> 2;
        s++;
        if (x >= 60) {
          const k = x - 59;
          need(k);
          x = src.readUIntLE(s, k);
          s += k;
        }
        length = x + 1;
        need(length);
        if (d + length > n) throw new S2Error(at, "literal runs past the block length");
        src.copy(dst, d, s, s + length);
        s += length;
        d += length;
        continue;
      }
      case 1: {
        need(2);
        length = (tag >>> 2) & 7;
        const off = ((tag & 0xe0) << 3) | src[s + 1]!;
        s += 2;
        if (off === 0) {
          // S2 repeat: the previous offset again.
          if (length === 5) {
            need(1);
            length = src[s]! + 4;
            s += 1;
          } else if (length === 6) {
            need(2);
            length = src.readUInt16LE(s) + (1 << 8);
            s += 2;
          } else if (length === 7) {
            need(3);
            length = src.readUIntLE(s, 3) + (1 << 16);
            s += 3;
          }
        } else {
          offset = off;
        }
        length += 4;
        break;
      }
      case 2:
        need(3);
        length = (tag >>> 2) + 1;
        offset = src.readUInt16LE(s + 1);
        s += 3;
        break;
      default:
        need(5);
        length = (tag >>> 2) + 1;
        offset = src.readUInt32LE(s + 1);
        s += 5;
        break;
    }
    if (offset <= 0 || offset > d) throw new S2Error(at, `copy offset ${offset} outside the ${d} bytes decoded`);
    if (d + length > n) throw new S2Error(at, "copy runs past the block length");
    if (offset >= length) {
      dst.copy(dst, d, d - offset, d - offset + length);
      d += length;
    } else {
      // Overlapping: the copy repeats the bytes it is writing.
      for (let i = 0; i < length; i++, d++) dst[d] = dst[d - offset]!;
    }
  }
  if (d !== n) throw new S2Error(at, `block decodes to ${d} bytes, its header says ${n}`);
  return dst;
}

/** Decompresses an S2 stream given in chunks of any size; yields the uncompressed data, chunk by chunk. */
export async function* s2Decompress(src: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncGenerator<Buffer> {
  let pending: Buffer = Buffer.alloc(0);
  let pos = 0; // stream offset of pending[0]
  let seenId = false;
  for await (const b of src) {
    pending = pending.length === 0 ? b : Buffer.concat([pending, b]);
    let off = 0;
    while (pending.length - off >= 4) {
      const type = pending[off]!;
      const len = pending.readUIntLE(off + 1, 3);
      if (pending.length - off - 4 < len) break;
      const at = pos + off;
      const body = pending.subarray(off + 4, off + 4 + len);
      off += 4 + len;
      if (type === STREAM_ID) {
        const id = body.toString("latin1");
        if (id !== MAGIC_S2 && id !== MAGIC_SNAPPY) throw new S2Error(at, "bad stream identifier");
        seenId = true;
        continue;
      }
      if (!seenId) throw new S2Error(at, "no stream identifier");
      if (type === COMPRESSED || type === UNCOMPRESSED) {
        if (len < 4) throw new S2Error(at, "chunk too short for its checksum");
        const data = type === COMPRESSED ? decodeS2Block(body.subarray(4), at) : Buffer.from(body.subarray(4));
        if (maskedCrc32c(data) !== body.readUInt32LE(0)) throw new S2Error(at, "chunk checksum mismatch");
        yield data;
      } else if (type < 0x80) {
        throw new S2Error(at, `reserved chunk type 0x${type.toString(16)}`);
      }
    }
    pos += off;
    pending = pending.subarray(off);
  }
  if (pending.length > 0) throw new S2Error(pos, "stream is truncated");
  if (!seenId) throw new S2Error(0, "empty stream");
}
