/**
 * The bytes of a durable log file (durable-log.ts):
 *
 *   header  8 bytes   "\x89TSLOG\n" and the format version (1)
 *   frames  HEAD + payload each, back to back:
 *     0  u32  crc32 of bytes [4, HEAD + len): the rest of the head and the payload
 *     4  u32  len: payload bytes
 *     8  u8   kind: ENTRY, or SNAPSHOT (only as the first frame: it stands for every entry up to its index)
 *     9  u8   MARK, a constant: a cheap first test when looking for a frame after damage
 *    10  u48  index
 *
 * The checksum covers the length and the index, so a frame is either whole and where it belongs, or
 * rejected: a bit flip anywhere, a length torn by a crash, a frame left from another log all fail.
 */
import { crc32 } from "../../util/crc32.js";

export const HEADER = Buffer.from([0x89, 0x54, 0x53, 0x4c, 0x4f, 0x47, 0x0a, 0x01]);
export const HEAD = 16;
export const ENTRY = 1;
export const SNAPSHOT = 2;
export const MARK = 0xa7;
/** Indexes are stored in 48 bits. */
export const MAX_INDEX = 2 ** 48 - 1;

/** Writes the head of a frame for `payload` into a new buffer. */
export function frameHead(kind: number, index: number, payload: Uint8Array): Buffer {
  const h = Buffer.allocUnsafe(HEAD);
  h.writeUInt32LE(payload.length, 4);
  h[8] = kind;
  h[9] = MARK;
  h.writeUIntLE(index, 10, 6);
  h.writeUInt32LE(crc32(payload, 0, payload.length, crc32(h, 4, HEAD)), 0);
  return h;
}

/** A whole frame at `off` of `buf`, or undefined when the bytes there are not one. */
export function frameAt(buf: Buffer, off: number): { kind: number; index: number; end: number } | undefined {
  if (off + HEAD > buf.length || buf[off + 9] !== MARK) return undefined;
  const kind = buf[off + 8]!;
  if (kind !== ENTRY && kind !== SNAPSHOT) return undefined;
  const end = off + HEAD + buf.readUInt32LE(off + 4);
  if (end > buf.length) return undefined;
  if (crc32(buf, off + HEAD, end, crc32(buf, off + 4, off + HEAD)) !== buf.readUInt32LE(off)) return undefined;
  return { kind, index: buf.readUIntLE(off + 10, 6), end };
}
