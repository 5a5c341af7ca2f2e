/**
 * CRC-32 (IEEE, zlib's), with zlib's seeding: crc32(b, s, e, crc32(a, ...)) is the crc of a then b.
 *
 * Short spans are computed here, eight bytes per step from eight tables: for the ~200-byte records the
 * file store checksums once per message, that takes about half the time of node:zlib's crc32, whose cost
 * there is mostly the call (argument checks, a subarray to pass) rather than the bytes. Long spans go
 * to zlib, which is faster per byte.
 */
import { crc32 as zlibCrc32 } from "node:zlib";

/** From this many bytes on, zlib's per-byte speed wins over the call it costs. */
const NATIVE_FROM = 512;

/** T[k * 256 + b]: the crc of byte b followed by k zero bytes (slicing-by-8 tables). */
const T = new Int32Array(8 * 256);
for (let b = 0; b < 256; b++) {
  let c = b;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  T[b] = c;
}
for (let k = 1; k < 8; k++) {
  for (let b = 0; b < 256; b++) {
    const prev = T[(k - 1) * 256 + b]!;
    T[k * 256 + b] = (prev >>> 8) ^ T[prev & 255]!;
  }
}

/** crc32 of bytes [start, end) of `buf` (all of it by default), continuing from `seed` (0 for a fresh crc). */
export function crc32(buf: Uint8Array, start = 0, end = buf.length, seed = 0): number {
  if (end - start >= NATIVE_FROM) return zlibCrc32(buf.subarray(start, end), seed);
  let c = ~seed;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const lo = (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24)) ^ c;
    c =
      T[7 * 256 + (lo & 255)]! ^
      T[6 * 256 + ((lo >>> 8) & 255)]! ^
      T[5 * 256 + ((lo >>> 16) & 255)]! ^
      T[4 * 256 + (lo >>> 24)]! ^
      T[3 * 256 + buf[i + 4]!]! ^
      T[2 * 256 + buf[i + 5]!]! ^
      T[256 + buf[i + 6]!]! ^
      T[buf[i + 7]!]!;
  }
  for (; i < end; i++) c = T[(c ^ buf[i]!) & 255]! ^ (c >>> 8);
  return ~c >>> 0;
}
