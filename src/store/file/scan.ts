/**
 * Reading a block file back at startup: every record is checked (length, kind, checksum). What is
 * not a whole, valid record is never served:
 *
 * - a torn tail (the last record incomplete: a crash during a write) is cut off; nothing after it was
 *   acknowledged, because acknowledgements wait for the fdatasync of the whole batch;
 * - damage in the middle (a bad record followed by valid ones) is skipped: the scan resynchronises on
 *   the next offset where a valid record starts and is followed by another valid record (or the end),
 *   with a sequence above the last good one; the caller reports it and quarantines the file;
 * - damage at the end (a complete-length record with a bad checksum and nothing valid after it) is cut
 *   like a torn tail but reported as corruption.
 *
 * Zero bytes where a record should start mean "never written" (preallocated or sparse space) and end
 * the data without complaint.
 */
import { FIXED, MAX_RECORD, RecordKind, readRecord, type RecordView } from "../record.js";

export interface ScannedRecord {
  /** Offset in the block's data after repair. */
  off: number;
  view: RecordView;
}

export type ProblemKind = "torn-tail" | "corrupt-tail" | "corrupt-middle";

export interface Problem {
  kind: ProblemKind;
  /** Offset in the original file. */
  offset: number;
  /** Damaged bytes skipped or cut. */
  bytes: number;
  /** Last good message sequence before the damage (0 if none) and first after it (0 if none). */
  prevSeq: number;
  nextSeq: number;
}

export interface BlockScan {
  /** The block's valid data: the original bytes when nothing was wrong, else the repaired content. */
  data: Buffer;
  records: ScannedRecord[];
  problems: Problem[];
  /** "truncate": data is a prefix of the file; "rewrite": data skips damage in the middle. */
  repair: "none" | "truncate" | "rewrite";
}

export function scanBlock(file: Buffer): BlockScan {
  const end = file.length;
  // Offsets in the file; the same as in the data unless damage in the middle is skipped (a rewrite).
  const good: ScannedRecord[] = [];
  const problems: Problem[] = [];
  let lastMsgSeq = 0;
  let off = 0;
  let cutAt = end;
  while (off < end) {
    if (isZeroFrom(file, off, end)) {
      cutAt = off;
      break;
    }
    const v = readRecord(file, off, end);
    if (v !== undefined) {
      good.push({ off, view: v });
      if (v.kind === RecordKind.Msg || v.kind === RecordKind.Erased) lastMsgSeq = v.seq;
      off += v.len;
      continue;
    }
    const next = resync(file, off + 1, end, lastMsgSeq);
    if (next < 0) {
      problems.push({ kind: isIncomplete(file, off, end) ? "torn-tail" : "corrupt-tail", offset: off, bytes: end - off, prevSeq: lastMsgSeq, nextSeq: 0 });
      cutAt = off;
      break;
    }
    const after = readRecord(file, next, end)!;
    problems.push({ kind: "corrupt-middle", offset: off, bytes: next - off, prevSeq: lastMsgSeq, nextSeq: after.kind === RecordKind.Msg ? after.seq : 0 });
    off = next;
  }
  const skipped = problems.some((p) => p.kind === "corrupt-middle");
  if (!skipped) {
    return {
      data: cutAt === end ? file : file.subarray(0, cutAt),
      records: good,
      problems,
      repair: problems.length > 0 ? "truncate" : "none",
    };
  }
  // Rebuild the data from the good records only; views are re-read at their new offsets.
  const data = Buffer.allocUnsafe(good.reduce((n, g) => n + g.view.len, 0));
  const records: ScannedRecord[] = [];
  let at = 0;
  for (const g of good) {
    file.copy(data, at, g.off, g.off + g.view.len);
    records.push({ off: at, view: readRecord(data, at, data.length, false)! });
    at += g.view.len;
  }
  return { data, records, problems, repair: "rewrite" };
}

/** The next offset in [from, end) where a plausible chain of valid records starts, or -1. */
function resync(file: Buffer, from: number, end: number, lastMsgSeq: number): number {
  for (let y = from; y + FIXED <= end; y++) {
    const len = file.readUInt32LE(y);
    if (len < FIXED || len > end - y || len > MAX_RECORD) continue;
    const kind = file[y + 8]!;
    if (kind < RecordKind.Msg || kind > RecordKind.BlockHeader) continue;
    const v = readRecord(file, y, end);
    if (v === undefined) continue;
    if ((kind === RecordKind.Msg || kind === RecordKind.Erased) && v.seq <= lastMsgSeq) continue;
    const after = y + v.len;
    if (after === end || isZeroFrom(file, after, end) || readRecord(file, after, end) !== undefined) return y;
  }
  return -1;
}

/**
 * True when the bad record at off looks like an interrupted write: too few bytes left, a length past
 * the end, or a record whose span runs into the zeros that end the file (written ahead by the store).
 * A complete record whose payload ends in zeros and got damaged is misnamed torn; it is cut all the same.
 */
function isIncomplete(file: Buffer, off: number, end: number): boolean {
  if (end - off < FIXED) return true;
  const len = file.readUInt32LE(off);
  if (len > end - off) return true;
  let data = end;
  while (data > off && file[data - 1] === 0) data--;
  return data < off + len;
}

function isZeroFrom(file: Buffer, from: number, end: number): boolean {
  if (end - from >= 4 && file.readUInt32LE(from) !== 0) return false;
  for (let i = from; i < end; i++) if (file[i] !== 0) return false;
  return true;
}
