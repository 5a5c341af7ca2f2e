/**
 * A durable append-only log of entries addressed by a monotonically increasing index, in one file
 * (format.ts): consumer state uses it now, the RAFT log next.
 *
 * - append(data) takes the next index; the entry is written to the page cache at the end of the loop
 *   turn, and sync() resolves once it is durable (group-sync.ts: one fdatasync per batch, lazy mode).
 * - truncateAfter(index) drops the entries after `index` (a RAFT follower discarding what was never
 *   committed). The cut is fdatasync'ed before anything is written after it, so a crash can never
 *   bring back a dropped entry next to a newer one.
 * - compact(index, snapshot) drops every entry up to `index` in favour of a snapshot frame: the new
 *   file (header, snapshot, the entries kept) is written beside the log, fdatasync'ed, renamed over it
 *   and the directory fsync'ed. A crash at any point leaves the old file or the new one, each whole;
 *   a leftover temp file is removed on open.
 * - open() reads the file back: a torn tail is cut off, and damage (valid frames after bytes that are
 *   not one) is reported, the file copied aside, and the log cut back to what precedes it: what follows
 *   damage is never served.
 *
 * Invariants:
 * - entries are contiguous: [first, last] with first = snapshot index + 1; the file holds, after the
 *   header and the optional snapshot frame, the frames pFirst .. pFirst + offs.length - 1 in order, and
 *   the pending entries (pendFirst ..) are written right after the last of them;
 * - a physical cut or compaction always completes before the entries appended after it are written.
 */
import fs from "node:fs";
import { rename } from "node:fs/promises";
import { dirname } from "node:path";
import { assert } from "../../util/assert.js";
import { fsyncDir } from "../../util/atomic-file.js";
import { fdatasync, pwriteAllSync } from "../../util/file-io.js";
import { ENTRY, frameAt, frameHead, HEAD, HEADER, MAX_INDEX, SNAPSHOT } from "./format.js";
import { GroupSync } from "./group-sync.js";
import { scanLog } from "./scan.js";

/** What nobody waited for reaches the disk within this, in the default (not lazy) mode. */
const SYNC_EVERY_MS = 1000;

export interface LogOptions {
  /** nats-server's sync_interval: sync() does not wait for the disk; fdatasync runs on this timer. */
  syncIntervalMs?: number;
  /** A write or sync failed; reported once, and the log writes nothing more. */
  onError?: (err: unknown) => void;
}

export interface Snapshot {
  index: number;
  data: Buffer;
}

export interface OpenedLog {
  log: DurableLog;
  /** The snapshot the log starts from, if it was compacted. */
  snapshot: Snapshot | undefined;
  /** The entries after it, from log.firstIndex on (views of the file read at open). */
  entries: Buffer[];
  /** When the file was damaged: the path of the copy kept of it (the log holds what precedes the damage). */
  damagedCopy: string | undefined;
}

/** The file is not a log of this format (another format, or not a log at all). */
export class LogFormatError extends Error {
  override readonly name = "LogFormatError";
}

/**
 * Writes a whole log file atomically at `path` and returns a read-write descriptor of it. The steps of
 * util/atomic-file's writeFileAtomic, kept here because the log needs the descriptor of the new file,
 * and a fixed temp name that open() can find and remove without listing the directory (batches run
 * one at a time, so two writers never share it).
 */
async function writeLogFile(path: string, image: Buffer, sync = true): Promise<number> {
  const tmp = tmpOf(path);
  const fd = fs.openSync(tmp, "w+");
  try {
    pwriteAllSync(fd, image, 0, image.length, 0);
    if (sync) await fdatasync(fd);
    await rename(tmp, path);
    if (sync) await fsyncDir(dirname(path));
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
  return fd;
}

function tmpOf(path: string): string {
  return `${path}.tmp`;
}

function snapshotFrame(s: Snapshot | undefined): Buffer[] {
  return s === undefined ? [] : [frameHead(SNAPSHOT, s.index, s.data), s.data];
}

export class DurableLog {
  private readonly gs: GroupSync;
  private closed = false;
  /** Logical bounds: entries [snapIndex + 1, last]. */
  private snapIndex: number;
  private last: number;
  /** In the file: offsets of the frames of entries pFirst.., and where the file ends. */
  private pFirst: number;
  private offs: number[];
  private end: number;
  /** Appended, not yet written: entries pendFirst... */
  private pend: Buffer[] = [];
  private pendFirst: number;
  private pendBytes = 0;
  /** Cut requested after this index, not yet done in the file. */
  private cutAfter: number | undefined;
  private compaction: Snapshot | undefined;

  private constructor(
    readonly path: string,
    /** Opened on first use: a recovered log that is never written costs no descriptor. */
    private fd: number | undefined,
    snapIndex: number,
    offs: number[],
    end: number,
    opts: LogOptions,
  ) {
    this.snapIndex = snapIndex;
    this.pFirst = snapIndex + 1;
    this.offs = offs;
    this.end = end;
    this.last = snapIndex + offs.length;
    this.pendFirst = this.last + 1;
    const lazy = opts.syncIntervalMs !== undefined;
    this.gs = new GroupSync((durable) => this.batch(durable), lazy, Math.max(1, opts.syncIntervalMs ?? SYNC_EVERY_MS), opts.onError ?? (() => undefined));
  }

  /** Creates a log at `path` (replacing any file there), empty or starting from `snapshot`. */
  static async create(path: string, opts: LogOptions = {}, snapshot?: Snapshot): Promise<DurableLog> {
    const image = Buffer.concat([HEADER, ...snapshotFrame(snapshot)]);
    // A lazily synced log (sync_interval) is not synced at creation either: its timer covers it.
    const fd = await writeLogFile(path, image, opts.syncIntervalMs === undefined);
    return new DurableLog(path, fd, snapshot?.index ?? 0, [], image.length, opts);
  }

  /**
   * Opens the log at `path` and reads it back (synchronously: it runs at start-up, where a thread-pool
   * round trip per file would cost more than the reads). Throws LogFormatError when the file is not a
   * log of this format, and the fs error when it cannot be read.
   */
  static open(path: string, opts: LogOptions = {}): OpenedLog {
    // Left by a compaction a crash interrupted. existsSync first: a failed unlink would cost an Error
    // object, for every consumer at start-up.
    if (fs.existsSync(tmpOf(path))) fs.unlinkSync(tmpOf(path));
    const buf = fs.readFileSync(path);
    if (buf.length < HEADER.length || !HEADER.equals(buf.subarray(0, HEADER.length))) throw new LogFormatError(`${path} is not a log`);
    const scan = scanLog(buf);
    let damagedCopy: string | undefined;
    let fd: number | undefined;
    if (scan.end < buf.length) {
      if (scan.damaged) {
        damagedCopy = `${path}.damaged-${Date.now()}`;
        fs.copyFileSync(path, damagedCopy);
      }
      fd = fs.openSync(path, "r+");
      try {
        fs.ftruncateSync(fd, scan.end);
        fs.fdatasyncSync(fd);
      } catch (e) {
        fs.closeSync(fd);
        throw e;
      }
    }
    const log = new DurableLog(path, fd, scan.first - 1, scan.offsets, scan.end, opts);
    return { log, snapshot: scan.snapshot, entries: scan.entries, damagedCopy };
  }

  /** Index of the first entry held (the snapshot's index + 1). */
  get firstIndex(): number {
    return this.snapIndex + 1;
  }

  /** Index of the last entry, snapshotIndex when there is none. */
  get lastIndex(): number {
    return this.last;
  }

  get snapshotIndex(): number {
    return this.snapIndex;
  }

  /** Bytes of the file once what is pending is written. */
  get size(): number {
    return this.end + this.pendBytes;
  }

  /** The failure that stopped the log, if any. */
  get failed(): unknown {
    return this.gs.error;
  }

  /** Appends an entry and returns its index; it is written at the end of the turn (sync() to wait). */
  append(data: Buffer): number {
    assert(!this.closed, () => `append to closed log ${this.path}`);
    assert(this.last < MAX_INDEX, () => `log ${this.path} is full`);
    this.pend.push(data);
    this.pendBytes += HEAD + data.length;
    this.gs.noteWrite();
    return ++this.last;
  }

  /** Resolves once everything appended before is durable (lazy mode: written). */
  sync(): Promise<void> {
    return this.closed ? Promise.resolve() : this.gs.sync();
  }

  /** Drops the entries after `index`; resolves once the cut is on disk. */
  truncateAfter(index: number): Promise<void> {
    assert(!this.closed, () => `truncate of closed log ${this.path}`);
    assert(index >= this.snapIndex, () => `log ${this.path}: cut after ${index} is inside the snapshot (${this.snapIndex})`);
    if (index >= this.last) return this.sync();
    if (index >= this.pendFirst - 1) {
      const keep = index + 1 - this.pendFirst;
      for (let i = keep; i < this.pend.length; i++) this.pendBytes -= HEAD + this.pend[i]!.length;
      this.pend.length = keep;
    } else {
      this.pend = [];
      this.pendBytes = 0;
      this.pendFirst = index + 1;
      this.cutAfter = Math.min(this.cutAfter ?? index, index);
    }
    this.last = index;
    this.gs.noteWrite();
    return this.gs.sync();
  }

  /**
   * Replaces every entry up to `index` by `snapshot` (the state those entries built); the entries after
   * it stay. Resolves once the compacted file has replaced the log.
   */
  compact(index: number, snapshot: Buffer): Promise<void> {
    assert(!this.closed, () => `compaction of closed log ${this.path}`);
    assert(index >= this.snapIndex && index <= this.last, () => `log ${this.path}: snapshot at ${index} outside ${this.snapIndex}..${this.last}`);
    this.compaction = { index, data: snapshot };
    this.snapIndex = index;
    this.gs.noteWrite();
    return this.gs.sync();
  }

  /** Entries [from, to] (payloads, checksums verified again). */
  entries(from: number, to: number): Buffer[] {
    assert(from > this.snapIndex && to <= this.last, () => `log ${this.path}: ${from}..${to} outside ${this.firstIndex}..${this.last}`);
    const out: Buffer[] = [];
    const fileTo = Math.min(to, this.pendFirst - 1);
    if (from <= fileTo) {
      const start = this.offs[from - this.pFirst]!;
      const stop = fileTo + 1 - this.pFirst < this.offs.length ? this.offs[fileTo + 1 - this.pFirst]! : this.end;
      const buf = Buffer.allocUnsafe(stop - start);
      const fd = this.file();
      for (let n = 0; n < buf.length; ) n += fs.readSync(fd, buf, n, buf.length - n, start + n);
      let off = 0;
      for (let i = from; i <= fileTo; i++) {
        const f = frameAt(buf, off);
        if (f === undefined || f.kind !== ENTRY || f.index !== i) throw new Error(`log ${this.path}: entry ${i} at byte ${start + off} is damaged`);
        out.push(buf.subarray(off + HEAD, f.end));
        off = f.end;
      }
    }
    for (let i = Math.max(from, this.pendFirst); i <= to; i++) out.push(this.pend[i - this.pendFirst]!);
    return out;
  }

  /** Writes out and fdatasyncs what is pending, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.gs.flush().catch(() => undefined);
    await this.release();
  }

  /** Closes the file without writing what is pending (the caller removes the log). */
  async drop(): Promise<void> {
    if (this.closed) return;
    this.pend = [];
    this.pendBytes = 0;
    this.pendFirst = this.last + 1;
    this.cutAfter = this.compaction = undefined;
    await this.release();
  }

  private async release(): Promise<void> {
    this.closed = true;
    await this.gs.settle();
    this.gs.stop(new Error(`log ${this.path} closed`));
    if (this.fd !== undefined) fs.closeSync(this.fd);
  }

  private file(): number {
    return (this.fd ??= fs.openSync(this.path, "r+"));
  }

  /** One group-commit batch: the cut, the pending entries, the compaction, then the sync. */
  private async batch(durable: boolean): Promise<void> {
    while (this.cutAfter !== undefined) {
      const k = this.cutAfter + 1 - this.pFirst;
      this.cutAfter = undefined;
      if (k < this.offs.length) {
        this.end = this.offs[k]!;
        this.offs.length = k;
        fs.ftruncateSync(this.file(), this.end);
        await fdatasync(this.file());
      }
    }
    this.writePending();
    const c = this.compaction;
    if (c !== undefined) {
      this.compaction = undefined;
      await this.rewrite(c);
    }
    if (durable) await fdatasync(this.file());
  }

  private writePending(): void {
    const n = this.pend.length;
    if (n === 0) return;
    const follows = this.pFirst + this.offs.length;
    assert(this.pendFirst === follows, () => `log ${this.path}: entry ${this.pendFirst} would not follow ${follows - 1}`);
    const parts: Buffer[] = [];
    let pos = this.end;
    for (let i = 0; i < n; i++) {
      const p = this.pend[i]!;
      parts.push(frameHead(ENTRY, this.pendFirst + i, p), p);
      this.offs.push(pos);
      pos += HEAD + p.length;
    }
    const image = Buffer.concat(parts, pos - this.end);
    pwriteAllSync(this.file(), image, 0, image.length, this.end);
    this.end = pos;
    this.pendFirst += n;
    this.pend = [];
    this.pendBytes = 0;
  }

  /** The compacted file: header, snapshot, the entries after it (read from the current file). */
  private async rewrite(s: Snapshot): Promise<void> {
    const k = s.index + 1 - this.pFirst;
    const from = k < this.offs.length ? this.offs[k]! : this.end;
    // Opened before the rename: reads meanwhile must see the file that offs describe.
    const old = this.file();
    const kept = Buffer.allocUnsafe(this.end - from);
    for (let n = 0; n < kept.length; ) n += fs.readSync(old, kept, n, kept.length - n, from + n);
    const head = Buffer.concat([HEADER, ...snapshotFrame(s)]);
    const fd = await writeLogFile(this.path, Buffer.concat([head, kept]));
    fs.closeSync(old);
    this.fd = fd;
    const delta = head.length - from;
    this.offs = k < this.offs.length ? this.offs.slice(k).map((o) => o + delta) : [];
    this.pFirst = s.index + 1;
    this.end = head.length + kept.length;
  }
}
