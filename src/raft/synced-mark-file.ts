/**
 * The synced mark's own file (`mark`, beside the hard state's `state`): the index through which the
 * log was fdatasynced (hard-state-file.ts says what it is for). Under load the mark rises every
 * MARK_EVERY_MS; replacing the state file whole for it (a temp file, two fsyncs, a rename, the
 * directory's fsync) cost about 1 ms of CPU per write; a write in place and one fdatasync cost far less.
 *
 * Layout: two slots of SLOT bytes, the first for even seqs, the second for odd; each holds u32 crc32
 * of the slot's other bytes, u32 zero, f64 seq (one more on every write), f64 mark. The slot with the
 * higher seq whose checksum holds is the mark: a write torn by a crash leaves the other slot.
 *
 * Invariants:
 * - writes run one at a time (the caller chains them), each fdatasynced before the next begins: so
 *   one slot at most is being written, and the other holds a durable mark;
 * - the file exists, fdatasynced and its directory entry fsynced, before its first write (open): a
 *   reader never falls back to the state file's older mark while this one was lowered.
 */
import fs from "node:fs";
import { dirname } from "node:path";
import { crc32 } from "../util/crc32.js";
import { fsyncDirSync } from "../util/atomic-file.js";
import { fdatasync, pwriteAllSync } from "../util/file-io.js";
import type { Index } from "./types.js";

const SLOT = 24;

function encodeSlot(seq: number, mark: Index): Buffer {
  const b = Buffer.alloc(SLOT);
  b.writeDoubleLE(seq, 8);
  b.writeDoubleLE(mark, 16);
  b.writeUInt32LE(crc32(b, 4, SLOT), 0);
  return b;
}

function decodeSlot(buf: Buffer, off: number): { seq: number; mark: Index } | undefined {
  if (buf.length < off + SLOT) return undefined;
  if (crc32(buf, off + 4, off + SLOT) !== buf.readUInt32LE(off)) return undefined;
  return { seq: buf.readDoubleLE(off + 8), mark: buf.readDoubleLE(off + 16) };
}

export class SyncedMarkFile {
  private seq: number;
  private closed = false;

  private constructor(
    private readonly fd: number,
    seq: number,
  ) {
    this.seq = seq;
  }

  /**
   * Opens the mark file at `path`, creating it (durably) with `initial` when it is missing or holds no
   * valid slot. Returns it with the mark it holds (`initial` for a new file).
   */
  static open(path: string, initial: Index): { file: SyncedMarkFile; mark: Index } {
    let buf: Buffer | undefined;
    try {
      buf = fs.readFileSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    const a = buf && decodeSlot(buf, 0);
    const b = buf && decodeSlot(buf, SLOT);
    const newest = a && b ? (a.seq > b.seq ? a : b) : (a ?? b);
    const fd = fs.openSync(path, buf === undefined ? "w+" : "r+");
    if (newest !== undefined) return { file: new SyncedMarkFile(fd, newest.seq), mark: newest.mark };
    try {
      const image = Buffer.concat([encodeSlot(0, initial), encodeSlot(1, initial)]);
      pwriteAllSync(fd, image, 0, image.length, 0);
      fs.fdatasyncSync(fd);
      fsyncDirSync(dirname(path));
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
    return { file: new SyncedMarkFile(fd, 1), mark: initial };
  }

  /** Writes `mark` into the older slot; resolves once it is fdatasynced (one write at a time). */
  write(mark: Index): Promise<void> {
    if (this.closed) return Promise.reject(new Error("synced mark file closed"));
    this.seq++;
    const slot = encodeSlot(this.seq, mark);
    pwriteAllSync(this.fd, slot, 0, SLOT, (this.seq % 2) * SLOT);
    return fdatasync(this.fd);
  }

  /** Closes the file (once; call when no write is running). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}
