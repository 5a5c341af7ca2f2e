/**
 * The record format of the file store's block files, also used as the snapshot byte stream.
 *
 *   off  size
 *   0    4   length of the whole record (u32 LE)
 *   4    4   crc32 of bytes [8,length), seeded with the length (see checksum)
 *   8    1   kind (RecordKind)
 *   9    1   flags (bit 0: a TTL field follows the fixed part)
 *   10   2   subject length in bytes (u16 LE)
 *   12   4   header length in bytes (u32 LE)
 *   16   8   sequence (u64 LE)
 *   24   8   time, ns since the epoch (u64 LE)
 *   32   8   TTL in ns as f64 LE (-1 = never), only with flag bit 0
 *   ..       subject, header, payload (the payload is whatever remains up to length)
 *
 * A record of length 0 marks the end of written data (never-written, preallocated space is zeros).
 * The checksum covers the length too, so a damaged length is caught like damaged data.
 */
import { randomFillSync } from "node:crypto";
import { crc32 } from "../util/crc32.js";

export const enum RecordKind {
  /** A message. */
  Msg = 1,
  /** "Message seq is deleted"; also persists a skipped sequence. */
  Tombstone = 2,
  /** "Every sequence below seq is gone" (purge, compact, removals at the head). */
  Floor = 3,
  /** A message overwritten in place by a secure delete: same length, garbage body. */
  Erased = 4,
  /** First record of every block: seq = the store's last sequence when the block was made, payload = floor (u64). */
  BlockHeader = 5,
  /** First record of a snapshot: seq = last sequence, payload = first sequence (u64). */
  SnapshotHeader = 6,
}

export const FIXED = 32;
const TTL_BYTES = 8;
const FLAG_TTL = 1;
const TWO32 = 4294967296;
/** No block record is this long; a larger length is damage, not data. */
export const MAX_RECORD = 1 << 30;

export interface RecordView {
  kind: RecordKind;
  len: number;
  seq: number;
  time: number;
  ttl: number | undefined;
  subjectStart: number;
  subjectLen: number;
  hdrStart: number;
  hdrLen: number;
  dataStart: number;
  dataLen: number;
}

export function msgRecordLength(subjectBytes: number, hdrLen: number, dataLen: number, hasTtl: boolean): number {
  return FIXED + (hasTtl ? TTL_BYTES : 0) + subjectBytes + hdrLen + dataLen;
}

/** Writes a message record at buf[off..]; buf must have room for msgRecordLength(...). Returns its length. */
export function writeMsgRecord(
  buf: Buffer,
  off: number,
  seq: number,
  time: number,
  ttl: number | undefined,
  subject: string,
  hdr: Buffer | undefined,
  data: Buffer,
): number {
  const hasTtl = ttl !== undefined && ttl !== 0;
  let p = off + FIXED;
  if (hasTtl) {
    buf.writeDoubleLE(ttl, p);
    p += TTL_BYTES;
  }
  const subjectBytes = putUtf8(buf, p, subject);
  p += subjectBytes;
  const hdrLen = hdr === undefined ? 0 : hdr.length;
  if (hdrLen > 0) {
    buf.set(hdr!, p);
    p += hdrLen;
  }
  buf.set(data, p);
  p += data.length;
  const len = p - off;
  putU32(buf, off, len);
  buf[off + 8] = RecordKind.Msg;
  buf[off + 9] = hasTtl ? FLAG_TTL : 0;
  putU16(buf, off + 10, subjectBytes);
  putU32(buf, off + 12, hdrLen);
  putU64(buf, off + 16, seq);
  putU64(buf, off + 24, time);
  putU32(buf, off + 4, checksum(buf, off, len));
  return len;
}

/** Writes `s` as UTF-8 at buf[pos..]; returns the byte count. A short ASCII subject, the usual case, byte by byte. */
function putUtf8(buf: Buffer, pos: number, s: string): number {
  const n = s.length;
  if (n <= 64) {
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) break;
      buf[pos + i] = c;
    }
    if (i === n) return n;
  }
  return buf.write(s, pos, "utf8");
}

/** Writes a record without subject or header; `payload` is optional. Returns its length. */
export function writeMarkerRecord(buf: Buffer, off: number, kind: RecordKind, seq: number, time: number, payloadU64?: number): number {
  const len = FIXED + (payloadU64 === undefined ? 0 : 8);
  putU32(buf, off, len);
  buf[off + 8] = kind;
  buf[off + 9] = 0;
  putU16(buf, off + 10, 0);
  putU32(buf, off + 12, 0);
  putU64(buf, off + 16, seq);
  putU64(buf, off + 24, time);
  if (payloadU64 !== undefined) putU64(buf, off + FIXED, payloadU64);
  putU32(buf, off + 4, checksum(buf, off, len));
  return len;
}

export function markerRecordLength(withPayload: boolean): number {
  return FIXED + (withPayload ? 8 : 0);
}

/**
 * Turns the message record at buf[off..] into an Erased record of the same length: the subject,
 * header and payload bytes are overwritten with random bytes, the checksum is recomputed.
 */
export function eraseRecord(buf: Buffer, off: number): void {
  const len = getU32(buf, off);
  buf[off + 8] = RecordKind.Erased;
  randomFillSync(buf, off + FIXED, len - FIXED);
  buf[off + 9] = 0;
  putU32(buf, off + 4, checksum(buf, off, len));
}

/**
 * Parses and verifies the record at buf[off..end). Returns undefined when there is no valid record
 * there: too short, a length that does not fit, an unknown kind, inconsistent lengths or a checksum
 * mismatch. A zero length (end of written data) also gives undefined; see isZeroLength.
 */
export function readRecord(buf: Buffer, off: number, end: number, verify = true): RecordView | undefined {
  if (end - off < FIXED) return undefined;
  const len = getU32(buf, off);
  if (len < FIXED || len > end - off || len > MAX_RECORD) return undefined;
  const kind = buf[off + 8]!;
  if (kind < RecordKind.Msg || kind > RecordKind.SnapshotHeader) return undefined;
  const flags = buf[off + 9]!;
  if ((flags & ~FLAG_TTL) !== 0) return undefined;
  if (verify && getU32(buf, off + 4) !== checksum(buf, off, len)) return undefined;
  let p = off + FIXED;
  let ttl: number | undefined;
  if (flags & FLAG_TTL) {
    if (len < FIXED + TTL_BYTES) return undefined;
    ttl = buf.readDoubleLE(p);
    p += TTL_BYTES;
  }
  const subjectLen = getU16(buf, off + 10);
  const hdrLen = getU32(buf, off + 12);
  const dataStart = p + subjectLen + hdrLen;
  if (dataStart > off + len) return undefined;
  return {
    kind,
    len,
    seq: getU64(buf, off + 16),
    time: getU64(buf, off + 24),
    ttl,
    subjectStart: p,
    subjectLen,
    hdrStart: p + subjectLen,
    hdrLen,
    dataStart,
    dataLen: off + len - dataStart,
  };
}

/** The u64 payload of a BlockHeader or SnapshotHeader record. */
export function markerPayload(buf: Buffer, view: RecordView): number {
  return view.dataLen >= 8 ? getU64(buf, view.dataStart) : 0;
}

export function isZeroLength(buf: Buffer, off: number, end: number): boolean {
  return end - off < 4 || getU32(buf, off) === 0;
}

/** crc32 of bytes [8, len), started from the length instead of 0, so that the length is covered too. */
export function checksum(buf: Buffer, off: number, len: number): number {
  return crc32(buf, off + 8, off + len, len);
}

/*
 * Little-endian integers by single-byte stores and loads: several times cheaper than Buffer's
 * write/readUInt32LE (argument checks per call), and this runs a few times per stored message.
 * Callers keep offsets in range, as the record layout guarantees.
 */
function putU16(buf: Buffer, off: number, v: number): void {
  buf[off] = v;
  buf[off + 1] = v >>> 8;
}

function putU32(buf: Buffer, off: number, v: number): void {
  buf[off] = v;
  buf[off + 1] = v >>> 8;
  buf[off + 2] = v >>> 16;
  buf[off + 3] = v >>> 24;
}

function putU64(buf: Buffer, off: number, v: number): void {
  const hi = Math.floor(v / TWO32);
  putU32(buf, off, v - hi * TWO32);
  putU32(buf, off + 4, hi);
}

function getU16(buf: Buffer, off: number): number {
  return buf[off]! | (buf[off + 1]! << 8);
}

function getU32(buf: Buffer, off: number): number {
  return (buf[off]! | (buf[off + 1]! << 8) | (buf[off + 2]! << 16)) + buf[off + 3]! * 0x1000000;
}

function getU64(buf: Buffer, off: number): number {
  return getU32(buf, off + 4) * TWO32 + getU32(buf, off);
}
