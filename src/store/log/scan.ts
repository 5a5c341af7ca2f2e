/**
 * Reading a log file back (format.ts): which frames are the log, where it ends, and whether what
 * follows the end is a torn tail or damage.
 *
 * Only the tail can be torn by a crash: every write goes to the end of the file, and an fdatasync
 * covers all earlier writes (truncation and compaction are made durable before anything is written
 * after them). So bytes that are not a frame followed by nothing valid are a write the crash cut off,
 * which nobody was told is durable; bytes that are not a frame (or a frame out of place) followed by a
 * valid frame are damage: the log cannot be read past them, and they must not be mistaken for a tail.
 */
import { frameAt, HEAD, HEADER, SNAPSHOT } from "./format.js";

export interface LogScan {
  /** The snapshot frame the log starts with, if it was compacted. */
  snapshot: { index: number; data: Buffer } | undefined;
  /** Index of entries[0]: snapshot index + 1, or 1. */
  first: number;
  /** Entry payloads (views of the scanned buffer), in index order. */
  entries: Buffer[];
  /** File offset of each entry's frame. */
  offsets: number[];
  /** End of the last frame that belongs to the log. */
  end: number;
  /** True when valid frames follow `end`: the bytes there are damage, not a torn tail. */
  damaged: boolean;
}

/** Scans a whole log file; `buf` starts with HEADER (the caller checked). */
export function scanLog(buf: Buffer): LogScan {
  const out: LogScan = { snapshot: undefined, first: 1, entries: [], offsets: [], end: HEADER.length, damaged: false };
  let off = HEADER.length;
  for (;;) {
    const f = frameAt(buf, off);
    if (f === undefined) break;
    if (f.kind === SNAPSHOT) {
      if (off !== HEADER.length) break;
      out.snapshot = { index: f.index, data: buf.subarray(off + HEAD, f.end) };
      out.first = f.index + 1;
    } else {
      if (f.index !== out.first + out.entries.length) break;
      out.entries.push(buf.subarray(off + HEAD, f.end));
      out.offsets.push(off);
    }
    off = f.end;
  }
  out.end = off;
  for (let p = off; p + HEAD <= buf.length; p++) {
    if (frameAt(buf, p) !== undefined) {
      out.damaged = true;
      break;
    }
  }
  return out;
}
