/**
 * Writing a file store: storeMsg encodes the record straight into the active block's in-memory buffer
 * (which is also the read cache for recent messages) and returns; group-commit.ts writes and
 * fdatasyncs the batch this layer hands it (takeBatch) at the end of the loop turn. Removals are
 * records too: a tombstone per removed message, or one floor record per batch when removals only
 * advanced the first sequence (limits, age, purge). A secure delete also overwrites the record on disk
 * (Erased), in the same batch as its tombstone, or once a saved state no longer needs it.
 *
 * Invariants:
 * - an acknowledged message (sync() resolved) is in a record that was fdatasync'ed, in a file whose
 *   directory entry was fsync'ed (group-commit.ts; dirChanged asks for the directory);
 * - the active block's header carries the last sequence and floor at its creation, so lastSeq never
 *   goes back even when every other record about it was compacted away;
 * - batchesDurable counts only batches group-commit reported durable, so a removal whose batch is
 *   above it is still only a promise (upkeep-store.ts relies on it).
 */
import fs from "node:fs";
import { join } from "node:path";
import { StoreError } from "../errors.js";
import { fileStoreMsgSize } from "../msg-size.js";
import { FIXED, RecordKind, eraseRecord, markerRecordLength, msgRecordLength, readRecord, writeMarkerRecord, writeMsgRecord } from "../record.js";
import { Block } from "./block.js";
import { BlockIndex } from "./block-index.js";
import type { Batch, BatchSource, WriteOp } from "./group-commit.js";
import { preadSync } from "./io.js";
import { ReadingStore } from "./reading-store.js";
import { STATE_FILE } from "./state-file.js";
import { StateSaver, type PendingState } from "./state-saver.js";

export const HEADER_LEN = markerRecordLength(true);
const MAX_SUBJECT_BYTES = 0xffff;
const PREALLOC_MIN = 64 * 1024;
const PREALLOC_MAX = 1024 * 1024;
let zeros: Buffer | undefined;

/** An erased record that replaces bytes of a block's pending data write. */
interface Patch {
  block: Block;
  pos: number;
  buf: Buffer;
}

export abstract class AppendingStore extends ReadingStore implements BatchSource {
  /** Floor to persist; floor in the last batch taken; floor known durable. */
  protected floor = 0;
  protected writtenFloor = 0;
  protected durableFloor = 0;
  /**
   * Batches taken so far, and the newest one known durable. A removal in memory is only a promise
   * until the batch carrying its record (floor or tombstone) is durable: a removal by a limit may be
   * caused by an append that a crash loses, and then the removed message must still be on disk. So
   * upkeep deletes or compacts a block only when the batch of its latest removal is durable.
   */
  protected batchesTaken = 0;
  protected batchesDurable = 0;
  /** Secure deletes to carry out: the message and the batch that carries its removal. */
  protected erases: { seq: number; batch: number }[] = [];
  protected dirChanged = false;
  protected readonly saver = new StateSaver(
    join(this.dir, STATE_FILE),
    () => this.commit.syncDir(),
    () => {
      this.upkeepDue = true;
      if (!this.closed) this.commit.poke();
    },
  );

  protected msgSize(subjectBytes: number, hdrLen: number, dataLen: number): number {
    return fileStoreMsgSize(subjectBytes, hdrLen, dataLen);
  }

  protected persistMsg(
    seq: number,
    time: number,
    subject: string,
    subjectBytes: number,
    hdr: Buffer | undefined,
    data: Buffer,
    ttl: number | undefined,
  ): number {
    if (subjectBytes > MAX_SUBJECT_BYTES) throw new StoreError("msg_too_large", "subject too long");
    const hdrLen = hdr === undefined ? 0 : hdr.length;
    const len = msgRecordLength(subjectBytes, hdrLen, data.length, ttl !== undefined);
    const b = this.roomFor(len);
    const off = b.size;
    writeMsgRecord(b.buf!, off, seq, time, ttl, subject, hdr, data);
    if (hdrLen > 0) b.hdrs = true;
    b.index!.add(seq, off, time, fileStoreMsgSize(subjectBytes, hdrLen, data.length), subject);
    b.lastRecOff = off;
    b.size += len;
    this.noteChange(len);
    return off;
  }

  protected released(seq: number): void {
    const b = this.set.blockFor(seq);
    if (b === undefined) return;
    b.removedInBatch = this.batchesTaken + 1;
    if (b !== this.active && (b.live === 0 || b.live * 2 < b.physMsgs)) this.upkeepDue = true;
  }

  protected persistRemoval(seq: number, _ref: number | undefined, floor: number, erase: boolean): void {
    if (floor > 0) this.floor = Math.max(this.floor, floor);
    else this.appendTombstone(seq);
    if (erase) this.erases.push({ seq, batch: this.batchesTaken + 1 });
    this.noteChange(0);
  }

  protected persistFloor(floor: number): void {
    this.floor = Math.max(this.floor, floor);
    this.noteChange(0);
  }

  protected persistSkip(seq: number): void {
    this.appendTombstone(seq);
    this.noteChange(0);
  }

  protected noteChange(bytes: number): void {
    this.saver.noteChange(bytes);
    this.commit.noteWrite();
  }

  protected appendTombstone(seq: number): void {
    const len = markerRecordLength(false);
    const b = this.roomFor(len);
    b.lastRecOff = b.size;
    writeMarkerRecord(b.buf!, b.size, RecordKind.Tombstone, seq, this.lastTime);
    b.size += len;
    b.index!.tombs.push(seq);
  }

  /** The active block, rolled over first if the record would not fit; with buffer room for len bytes. */
  private roomFor(len: number): Block {
    let b = this.active;
    if (b.size + len > this.blockSize && b.size > HEADER_LEN) {
      // The block before filled up, so this one likely will too: it gets its whole size at once rather
      // than growing by doubling, which copies up to half a block at a time on the event loop.
      b = this.newActive(b.id + 1, this.blockSize);
    }
    b.ensureCapacity(b.size + len, Math.max(this.blockSize, b.size + len));
    return b;
  }

  protected newActive(id: number, capacity = 0): Block {
    const sealed = this.blocks.at(-1);
    const b = new Block(this.dir, id, this);
    b.fd = fs.openSync(b.path, "w+");
    b.index = new BlockIndex();
    if (capacity > 0) b.ensureCapacity(capacity, capacity);
    this.writeHeader(b);
    this.blocks.push(b);
    this.active = b;
    const older = this.blocks.at(-3);
    if (older !== undefined && older.written === older.size) older.buf = undefined;
    if (sealed !== undefined) {
      // Sealed: its index goes to a file, its bytes to the disk with the next batch.
      sealed.tailHead = this.tailOf(sealed).lastRecHead;
      sealed.indexDue = sealed.lastRecOff >= 0;
      sealed.indexRead = false;
      this.cache.admit(sealed);
    }
    this.dirChanged = true;
    this.upkeepDue = true; // the block just sealed gives back its zeros once written
    return b;
  }

  protected writeHeader(b: Block): void {
    b.ensureCapacity(HEADER_LEN, this.blockSize);
    b.lastRecOff = b.size;
    b.size += writeMarkerRecord(b.buf!, b.size, RecordKind.BlockHeader, this.lastSeq, this.lastTime, this.floor);
    b.createdLastSeq = this.lastSeq;
    this.commit.noteWrite();
  }

  // ---- group commit source ------------------------------------------------------------------------

  /** Upkeep between batches (upkeep-store.ts). */
  abstract maintain(): Promise<void> | undefined;

  takeBatch(): Batch & { floor: number; id: number } {
    if (this.floor > this.writtenFloor) {
      const len = markerRecordLength(false);
      const b = this.roomFor(len);
      b.lastRecOff = b.size;
      b.size += writeMarkerRecord(b.buf!, b.size, RecordKind.Floor, this.floor, this.lastTime);
      this.writtenFloor = this.floor;
    }
    const writes: WriteOp[] = [];
    const fds = new Set<number>();
    const patches: Patch[] = [];
    if (this.erases.length > 0) {
      const later = this.erases.filter((e) => !this.erasableNow(e));
      for (const e of this.erases) if (!later.includes(e)) this.eraseInPlace(e.seq, writes, fds, patches);
      this.erases = later;
      if (later.length > 0) this.saver.wanted = this.saver.forced = true;
    }
    for (const b of this.blocks) {
      if (b.size === b.written) continue;
      this.dataWrites(b, patches, writes);
      b.written = b.size;
      b.fileSize = Math.max(b.fileSize, b.size);
      fds.add(b.fd);
      // Once handed to the disk (the writes hold them until then) a sealed block keeps its bytes only
      // while it is the newest one, which consumers just behind the head still read; older ones are
      // read through the page cache. So memory holds two blocks per stream, not a budget's worth.
      if (b !== this.active && b !== this.blocks.at(-2)) b.buf = undefined;
    }
    // Zeros ahead only pay off where every batch is fdatasynced (lazy mode syncs every few minutes).
    if (!this.commit.lazy) this.preallocate(this.active, writes, fds);
    const dir = this.dirChanged;
    this.dirChanged = false;
    const id = ++this.batchesTaken;
    if (this.saver.wanted) {
      this.saver.wanted = false;
      this.saver.pending = this.takeState(id);
    }
    return { writes, fds: [...fds], dir, floor: this.writtenFloor, id };
  }

  batchDone(batch: Batch & { floor?: number; id?: number }, synced: boolean): void {
    if (synced && batch.floor !== undefined) this.durableFloor = Math.max(this.durableFloor, batch.floor);
    // In lazy mode (sync_interval) nothing is promised past the page cache, which a crash keeps.
    if ((synced || this.commit.lazy) && batch.id !== undefined) this.batchesDurable = Math.max(this.batchesDurable, batch.id);
    if (this.saver.pending !== undefined && this.saver.pending.batch <= this.batchesDurable) this.upkeepDue = true;
  }

  /**
   * Zero-fills the active block ahead of its data, in the same batch as data that lies before it.
   * fdatasync of data that lands in already-allocated, already-sized file space needs no journal
   * commit for the file's metadata, which on ext4 roughly halves its latency; so only the batch that
   * carries the zeros pays for the allocation, once per chunk.
   */
  private preallocate(b: Block, writes: WriteOp[], fds: Set<number>): void {
    const chunk = Math.min(PREALLOC_MAX, Math.max(PREALLOC_MIN, b.fileSize));
    if (b.fileSize - b.size >= chunk / 2 || b.fileSize >= this.blockSize) return;
    const len = Math.min(chunk, this.blockSize - b.fileSize);
    zeros ??= Buffer.alloc(PREALLOC_MAX);
    writes.push({ fd: b.fd, buf: zeros, off: 0, len, pos: b.fileSize });
    b.fileSize += len;
    fds.add(b.fd);
  }

  /**
   * Whether a secure delete may overwrite the record now. A restart replays the records after the
   * saved state by their subjects, and an erased record has none: so a record that a saved (or taken)
   * state still counts as live is overwritten only once a state that knows of its removal is on disk,
   * right after the next save (which the deferral asks for). Records after the newest state, and any
   * record while no state exists, are overwritten at once.
   */
  private erasableNow(e: { seq: number; batch: number }): boolean {
    const b = this.set.blockFor(e.seq);
    if (b === undefined) return true;
    const mark = this.saver.pending ?? { activeId: this.saver.activeId, activeSize: this.saver.activeSize };
    if (mark.activeId === 0 || b.id > mark.activeId) return true;
    if (b.id === mark.activeId && this.loadIndex(b).offsetOf(e.seq) >= mark.activeSize) return true;
    return e.batch <= this.saver.batch;
  }

  /**
   * Writes an Erased copy of a removed message's record over it on disk. The cached bytes are left
   * alone (readers may hold views of them); when the record is not yet written, the copy is patched
   * into the batch's data write so the plain bytes never reach the disk. The block's index file named
   * the message's subject, so it is written anew.
   */
  private eraseInPlace(seq: number, writes: WriteOp[], fds: Set<number>, patches: Patch[]): void {
    const b = this.set.blockFor(seq);
    if (b === undefined) return;
    const ix = this.loadIndex(b);
    const off = ix.offsetOf(seq);
    if (off < 0) return;
    let rec: Buffer;
    if (b.buf !== undefined && off + FIXED <= b.size) {
      if (b.buf[off + 8] !== RecordKind.Msg) return;
      rec = Buffer.from(b.buf.subarray(off, off + b.buf.readUInt32LE(off)));
    } else {
      const head = preadSync(b.fd, FIXED, off);
      if (head.length < FIXED) return;
      rec = preadSync(b.fd, head.readUInt32LE(0), off);
      if (readRecord(rec, 0, rec.length)?.kind !== RecordKind.Msg) return;
      this.reader.forget(b);
    }
    eraseRecord(rec, 0);
    ix.erase(seq);
    if (b !== this.active) {
      fs.rmSync(b.indexPath, { force: true });
      b.indexDue = true;
    }
    if (off >= b.written) {
      patches.push({ block: b, pos: off, buf: rec });
      return;
    }
    writes.push({ fd: b.fd, buf: rec, off: 0, len: rec.length, pos: off });
    fds.add(b.fd);
  }

  /** The data write of [b.written, b.size), split around erase patches. */
  private dataWrites(b: Block, patches: Patch[], writes: WriteOp[]): void {
    let from = b.written;
    for (const p of patches.filter((x) => x.block === b).sort((x, y) => x.pos - y.pos)) {
      if (p.pos > from) writes.push({ fd: b.fd, buf: b.buf!, off: from, len: p.pos - from, pos: from });
      writes.push({ fd: b.fd, buf: p.buf, off: 0, len: p.buf.length, pos: p.pos });
      from = p.pos + p.buf.length;
    }
    if (b.size > from) writes.push({ fd: b.fd, buf: b.buf!, off: from, len: b.size - from, pos: from });
  }

  // ---- state saving -------------------------------------------------------------------------------

  /** The store as of the end of batch `batch` (everything in memory is in that batch or before). */
  protected takeState(batch: number): PendingState {
    return this.saver.take(
      {
        lastSeq: this.lastSeq,
        lastTime: this.lastTime,
        floor: this.floor,
        bytes: this.totalBytes,
        activeId: this.active.id,
        activeSize: this.active.size,
        blocks: this.blocks.map((b) => ({ ...b.summary(), ...this.tailOf(b) })),
        subjects: this.totals.image(),
        ttls: [...this.liveTtls()],
        lost: this.lost,
      },
      batch,
    );
  }

  protected async writeState(ps: PendingState): Promise<void> {
    await this.saver.write(ps);
    // Secure deletes that waited for this state can be carried out now.
    if (this.erases.length > 0 && !this.closed) this.commit.noteWrite();
    this.upkeepDue = true;
  }
}
