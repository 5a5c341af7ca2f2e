/**
 * storage: file. A directory of block files (block.ts) holding records (record.ts); all indexes live
 * in memory (BaseStore) and are rebuilt from the blocks at open (scan.ts checks every record,
 * repair.ts cuts or quarantines damage, recovery.ts derives sequences, floor and deletions).
 *
 * Writing: storeMsg encodes the record straight into the active block's in-memory buffer (which is
 * also the read cache for recent messages) and returns; group-commit.ts writes and fdatasyncs the
 * batch at the end of the loop turn. Removals are records too: a tombstone per removed message, or one
 * floor record per batch when removals only advanced the first sequence (limits, age, purge).
 * A secure delete also overwrites the record on disk (Erased), in the same batch as its tombstone.
 *
 * Reading: from the block's buffer when cached, else by a small synchronous pread with a 64 KiB
 * read-ahead window (reader.ts), checksum verified. Synchronous because the JetStream layer's reads are
 * synchronous (consumers, direct get) and a pread of a few hundred bytes from the page cache costs
 * microseconds, less than a round trip through the thread pool; sequential catch-up reads hit the
 * window and cost one syscall per ~64 KiB.
 *
 * Upkeep (between batches, never concurrently with one): a sealed block with no live message is
 * deleted once none of its tombstones is needed; a sealed block with more dead than live messages is
 * rewritten (compaction.ts; temp file, fdatasync, rename, directory fsync); a sealed block gives back
 * the zeros written ahead of its data.
 *
 * Durability invariants:
 * - an acknowledged message (sync() resolved) is in a record that was fdatasync'ed, in a file whose
 *   directory entry was fsync'ed;
 * - a removal is never lost while the removed record may still be on disk: its tombstone (or a floor
 *   above it) is kept until the record is physically gone; blocks are deleted in an order that keeps this;
 * - a message leaves the disk (block deletion, compaction) only once its removal's record is durable:
 *   a removal by a limit comes from an append, and a crash that loses the append must not lose the
 *   message it pushed out;
 * - the active block's header carries the last sequence and floor at its creation, so lastSeq never
 *   goes back even when every other record about it was compacted away.
 */
import fs from "node:fs";
import { mkdir, readdir, readFile, rename, rm, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fsyncDir } from "../../util/atomic-file.js";
import { StoreError } from "../errors.js";
import { fileStoreMsgSize } from "../msg-size.js";
import {
  FIXED,
  RecordKind,
  eraseRecord,
  markerRecordLength,
  msgRecordLength,
  readRecord,
  writeMarkerRecord,
  writeMsgRecord,
} from "../record.js";
import { BaseStore, type MsgPayload } from "../store-core.js";
import type { StoreOptions } from "../types.js";
import { Block, blockFileName, parseBlockFileName } from "./block.js";
import { compactBlockBytes } from "./compaction.js";
import { GroupCommit, type Batch, type BatchSource, type WriteOp } from "./group-commit.js";
import { ftruncate, preadSync } from "./io.js";
import { ReadAhead, payloadOf } from "./reader.js";
import { analyzeScans, lostSequences } from "./recovery.js";
import { repairBlock, writeSynced } from "./repair.js";
import { scanBlock, type BlockScan, type ProblemKind } from "./scan.js";

export const DEFAULT_BLOCK_SIZE = 8 * 1024 * 1024;
const HEADER_LEN = markerRecordLength(true);
const MAX_SUBJECT_BYTES = 0xffff;
/** At most this many lost sequences are listed in state().lost. */
const MAX_LOST_LISTED = 100_000;
const PREALLOC_MIN = 64 * 1024;
const PREALLOC_MAX = 1024 * 1024;
const ZEROS = Buffer.alloc(PREALLOC_MAX);

export interface StoreReport {
  kind: ProblemKind | "corrupt-read" | "io-error";
  file: string;
  offset?: number;
  bytes?: number;
  /** Where a damaged block's original bytes were copied for inspection. */
  quarantined?: string;
  detail: string;
}

export interface FileStoreOptions extends StoreOptions {
  /** The store's own directory (created if missing); it holds nothing else. */
  dir: string;
  /** Block files roll over at this size (default 8 MiB, like nats-server). */
  blockSize?: number;
  /** nats-server's sync_interval: acknowledge without waiting, fdatasync on this timer. */
  syncIntervalMs?: number;
  /** Sealed blocks kept in memory as read cache (default 2). */
  cacheBlocks?: number;
  /** Damage found at open or on read, and I/O failures; defaults to a console warning. */
  report?: (r: StoreReport) => void;
}

export async function openFileStore(opts: FileStoreOptions): Promise<FileStore> {
  const store = new FileStore(opts);
  await store.load();
  return store;
}

/** An erased record that replaces bytes of a block's pending data write. */
interface Patch {
  block: Block;
  pos: number;
  buf: Buffer;
}


export class FileStore extends BaseStore<never> implements BatchSource {
  readonly kind = "file" as const;
  readonly dir: string;
  private readonly blockSize: number;
  private readonly cacheBlocks: number;
  private readonly report: (r: StoreReport) => void;
  private readonly opts: FileStoreOptions;
  private blocks: Block[] = [];
  private active!: Block;
  private commit!: GroupCommit;
  /** Floor to persist; floor in the last batch taken; floor known durable. */
  private floor = 0;
  private writtenFloor = 0;
  private durableFloor = 0;
  /**
   * Batches taken so far, and the newest one known durable. A removal in memory is only a promise
   * until the batch carrying its record (floor or tombstone) is durable: a removal by a limit may be
   * caused by an append that a crash loses, and then the removed message must still be on disk. So
   * upkeep deletes or compacts a block only when the batch of its latest removal is durable.
   */
  private batchesTaken = 0;
  private batchesDurable = 0;
  private erases: number[] = [];
  private dirChanged = false;
  private upkeepDue = false;
  private lastHit: Block | undefined;
  private readonly reader = new ReadAhead();

  constructor(opts: FileStoreOptions) {
    super(false, opts);
    this.opts = opts;
    this.dir = opts.dir;
    this.blockSize = opts.blockSize ?? DEFAULT_BLOCK_SIZE;
    this.cacheBlocks = opts.cacheBlocks ?? 2;
    this.report = opts.report ?? ((r) => console.warn(`[store] ${r.kind} in ${r.file}: ${r.detail}`));
  }

  // ---- open and recovery --------------------------------------------------------------------------

  async load(): Promise<void> {
    const made = await mkdir(this.dir, { recursive: true });
    if (made !== undefined) {
      // New directories exist durably only once their parents are synced.
      for (let d = this.dir; ; d = dirname(d)) {
        await fsyncDir(dirname(d));
        if (d === made) break;
      }
    }
    const names = await readdir(this.dir);
    for (const n of names) if (n.endsWith(".tmp")) await unlink(join(this.dir, n));
    const ids = names.map(parseBlockFileName).filter((id): id is number => id !== undefined).sort((a, b) => a - b);
    const scans: BlockScan[] = [];
    for (const id of ids) {
      const block = new Block(this.dir, id, -1);
      const scan = scanBlock(await readFile(block.path));
      await repairBlock(block.path, scan, this.report);
      block.fd = fs.openSync(block.path, "r+");
      block.size = block.written = scan.data.length;
      block.fileSize = fs.fstatSync(block.fd).size;
      this.blocks.push(block);
      scans.push(scan);
    }
    this.rebuild(scans);
    this.commit = new GroupCommit(this, this.dir, this.opts.syncIntervalMs, (err) => this.failed(err));
    this.openActive(scans.at(-1));
    this.enforceLoadedLimits();
    this.startExpiry();
    this.upkeepDue = true;
    this.commit.poke();
  }

  /** Builds sequences, floor, index and per-block bookkeeping from the scanned records. */
  private rebuild(scans: BlockScan[]): void {
    const rec = analyzeScans(scans);
    if (rec.lastSeq === 0 && this.opts.firstSeq !== undefined && this.opts.firstSeq > 1) {
      rec.lastSeq = this.opts.firstSeq - 1;
      rec.floor = this.opts.firstSeq;
    }
    let prevMsg = 0;
    scans.forEach(({ data, records }, i) => {
      const block = this.blocks[i]!;
      block.createdLastSeq = rec.createdLastSeq[i]!;
      for (const { view, off } of records) {
        if (view.kind === RecordKind.Tombstone) block.tombs.push(view.seq);
        if (view.kind !== RecordKind.Msg && view.kind !== RecordKind.Erased) continue;
        if (view.seq <= prevMsg) continue; // cannot happen with our writer; never serve a duplicate
        prevMsg = view.seq;
        block.addMsg(view.seq, off);
        if (view.kind !== RecordKind.Msg || view.seq < rec.floor || rec.deleted.has(view.seq)) continue;
        const subject = data.toString("utf8", view.subjectStart, view.subjectStart + view.subjectLen);
        this.recoverMsg(view.seq, subject, view.time, fileStoreMsgSize(view.subjectLen, view.hdrLen, view.dataLen), view.ttl, undefined);
        block.liveMsgs++;
      }
    });
    this.lastSeq = rec.lastSeq;
    this.lastTime = rec.lastTime;
    this.floor = this.writtenFloor = this.durableFloor = rec.floor;
    const firstSeqAfter = this.blocks.map((_, i) => this.blocks.slice(i + 1).find((b) => b.base > 0)?.base ?? 0);
    this.lost = lostSequences(scans, firstSeqAfter, rec, (seq) => this.index.find(seq) >= 0, MAX_LOST_LISTED);
    // Keep the newest blocks' bytes as cache, drop the rest.
    scans.forEach((scan, i) => {
      this.blocks[i]!.buf = i >= scans.length - 1 - this.cacheBlocks ? scan.data : undefined;
    });
  }

  /** Reuses the last block for appends when it has room, else starts a new one. */
  private openActive(lastScan: BlockScan | undefined): void {
    const last = this.blocks.at(-1);
    if (last !== undefined && lastScan !== undefined && last.size < this.blockSize) {
      this.active = last;
      last.buf = lastScan.data;
      if (last.size === 0) this.writeHeader(last);
      return;
    }
    this.newActive(last === undefined ? 1 : last.id + 1);
  }

  // ---- appending ----------------------------------------------------------------------------------

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
  ): undefined {
    if (subjectBytes > MAX_SUBJECT_BYTES) throw new StoreError("msg_too_large", "subject too long");
    const len = msgRecordLength(subjectBytes, hdr === undefined ? 0 : hdr.length, data.length, ttl !== undefined);
    const b = this.roomFor(len);
    writeMsgRecord(b.buf!, b.size, seq, time, ttl, subject, hdr, data);
    b.addMsg(seq, b.size);
    b.liveMsgs++;
    b.size += len;
    this.commit.noteWrite();
    return undefined;
  }

  protected released(seq: number): void {
    const b = this.blockFor(seq);
    if (b === undefined) return;
    b.liveMsgs--;
    b.removedInBatch = this.batchesTaken + 1;
    if (b !== this.active && (b.liveMsgs === 0 || b.liveMsgs * 2 < b.physMsgs)) this.upkeepDue = true;
  }

  protected persistRemoval(seq: number, _ref: undefined, floor: number, erase: boolean): void {
    if (floor > 0) this.floor = Math.max(this.floor, floor);
    else this.appendTombstone(seq);
    if (erase) this.erases.push(seq);
    this.commit.noteWrite();
  }

  protected persistFloor(floor: number): void {
    this.floor = Math.max(this.floor, floor);
    this.commit.noteWrite();
  }

  protected persistSkip(seq: number): void {
    this.appendTombstone(seq);
    this.commit.noteWrite();
  }

  private appendTombstone(seq: number): void {
    const len = markerRecordLength(false);
    const b = this.roomFor(len);
    writeMarkerRecord(b.buf!, b.size, RecordKind.Tombstone, seq, this.lastTime);
    b.size += len;
    b.tombs.push(seq);
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

  private newActive(id: number, capacity = 0): Block {
    const b = new Block(this.dir, id, fs.openSync(join(this.dir, blockFileName(id)), "w+"));
    if (capacity > 0) b.ensureCapacity(capacity, capacity);
    this.writeHeader(b);
    this.blocks.push(b);
    this.active = b;
    this.dirChanged = true;
    this.upkeepDue = true; // the block just sealed gives back its zeros once written
    return b;
  }

  private writeHeader(b: Block): void {
    b.ensureCapacity(HEADER_LEN, this.blockSize);
    b.size += writeMarkerRecord(b.buf!, b.size, RecordKind.BlockHeader, this.lastSeq, this.lastTime, this.floor);
    b.createdLastSeq = this.lastSeq;
    this.commit.noteWrite();
  }

  // ---- group commit source ------------------------------------------------------------------------

  takeBatch(): Batch & { floor: number; id: number } {
    if (this.floor > this.writtenFloor) {
      const len = markerRecordLength(false);
      const b = this.roomFor(len);
      b.size += writeMarkerRecord(b.buf!, b.size, RecordKind.Floor, this.floor, this.lastTime);
      this.writtenFloor = this.floor;
    }
    const writes: WriteOp[] = [];
    const fds = new Set<number>();
    const patches: Patch[] = [];
    for (const seq of this.erases) this.eraseInPlace(seq, writes, fds, patches);
    this.erases = [];
    for (const b of this.blocks) {
      if (b.size === b.written) continue;
      this.dataWrites(b, patches, writes);
      b.written = b.size;
      b.fileSize = Math.max(b.fileSize, b.size);
      fds.add(b.fd);
    }
    // Zeros ahead only pay off where every batch is fdatasynced (lazy mode syncs every few minutes).
    if (!this.commit.lazy) this.preallocate(this.active, writes, fds);
    const dir = this.dirChanged;
    this.dirChanged = false;
    return { writes, fds: [...fds], dir, floor: this.writtenFloor, id: ++this.batchesTaken };
  }

  batchDone(batch: Batch & { floor?: number; id?: number }, synced: boolean): void {
    if (synced && batch.floor !== undefined) this.durableFloor = Math.max(this.durableFloor, batch.floor);
    // In lazy mode (sync_interval) nothing is promised past the page cache, which a crash keeps.
    if ((synced || this.commit.lazy) && batch.id !== undefined) this.batchesDurable = Math.max(this.batchesDurable, batch.id);
    this.trimCache();
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
    writes.push({ fd: b.fd, buf: ZEROS, off: 0, len, pos: b.fileSize });
    b.fileSize += len;
    fds.add(b.fd);
  }

  /**
   * Writes an Erased copy of a removed message's record over it on disk. The cached bytes are left
   * alone (readers may hold views of them); when the record is not yet written, the copy is patched
   * into the batch's data write so the plain bytes never reach the disk.
   */
  private eraseInPlace(seq: number, writes: WriteOp[], fds: Set<number>, patches: Patch[]): void {
    const b = this.blockFor(seq);
    const off = b?.offsetOf(seq) ?? -1;
    if (b === undefined || off < 0) return;
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

  private trimCache(): void {
    let kept = 0;
    for (let i = this.blocks.length - 1; i >= 0; i--) {
      const b = this.blocks[i]!;
      if (b === this.active || b.buf === undefined) continue;
      if (kept < this.cacheBlocks || b.written < b.size) kept++;
      else b.buf = undefined;
    }
  }

  // ---- upkeep -------------------------------------------------------------------------------------

  maintain(): Promise<void> | undefined {
    if (!this.upkeepDue || this.closed) return undefined;
    this.upkeepDue = false;
    const settled = (b: Block): boolean => b !== this.active && b.written === b.size && b.removedInBatch <= this.batchesDurable;
    const doomed = this.blocks.filter((b) => settled(b) && b.liveMsgs === 0 && this.tombsUnneeded(b));
    const padded = this.blocks.filter((b) => b !== this.active && b.liveMsgs > 0 && b.fileSize > b.size && b.written === b.size);
    if (doomed.length > 0 || padded.length > 0) return this.releaseSpace(doomed, padded);
    const sparse = this.blocks.find((b) => settled(b) && b.physMsgs > 0 && b.liveMsgs * 2 < b.physMsgs);
    if (sparse !== undefined) return this.compactBlock(sparse);
    // Nothing to do yet; look again after the next batch if that batch can settle a block worth upkeep.
    this.upkeepDue =
      this.floor > this.durableFloor ||
      this.blocks.some((b) => b !== this.active && (b.liveMsgs === 0 || b.liveMsgs * 2 < b.physMsgs) && (b.written < b.size || b.removedInBatch > this.batchesDurable));
    return undefined;
  }

  /** A tombstone must stay while its target record may be on disk in another block and no durable floor covers it. */
  private tombsUnneeded(b: Block): boolean {
    for (const t of b.tombs) if (t >= this.durableFloor && this.heldElsewhere(t, b)) return false;
    return true;
  }

  /** Whether a message record for seq is physically in a block other than b. */
  private heldElsewhere(seq: number, b: Block): boolean {
    const holder = this.blockFor(seq);
    return holder !== undefined && holder !== b && holder.has(seq);
  }

  /** Deletes blocks with nothing left in them and gives back the zeros written ahead into sealed ones. */
  private async releaseSpace(doomed: Block[], padded: Block[]): Promise<void> {
    for (const b of padded) {
      // No sync needed: zeros past the data are harmless if the truncation is lost.
      await ftruncate(b.fd, b.size);
      b.fileSize = b.size;
    }
    if (doomed.length > 0) {
      for (const b of doomed) {
        this.commit.forgetFd(b.fd);
        fs.closeSync(b.fd);
        b.fd = -1;
        this.reader.forget(b);
        await unlink(b.path);
      }
      const gone = new Set(doomed);
      this.blocks = this.blocks.filter((b) => !gone.has(b));
      if (this.lastHit !== undefined && gone.has(this.lastHit)) this.lastHit = undefined;
      await this.commit.syncDir();
    }
    // Deleting these may have made tombstones elsewhere unneeded.
    this.upkeepDue = true;
  }

  /** Rewrites a sealed block with only its live messages and still-needed tombstones. */
  private async compactBlock(b: Block): Promise<void> {
    // What to keep is decided now, while every removal from b is durable (maintain checked that):
    // appends during the awaits below can remove more of b by limits, and a crash that loses those
    // appends must find the removed messages still on disk.
    const keep = new Set<number>();
    for (let seq = b.base; b.base > 0 && seq <= b.lastMsgSeq; seq++) if (b.has(seq) && this.index.find(seq) >= 0) keep.add(seq);
    const src = b.buf ?? (await readFile(b.path)).subarray(0, b.size);
    const result = compactBlockBytes({
      src,
      size: b.size,
      createdLastSeq: b.createdLastSeq,
      lastTime: this.lastTime,
      floor: this.durableFloor,
      isLive: (seq) => keep.has(seq),
      tombNeeded: (seq) => this.heldElsewhere(seq, b),
    });
    if ("badOffset" in result) {
      this.report({ kind: "corrupt-read", file: b.path, offset: result.badOffset, detail: "record unreadable during compaction; block left as is" });
      return;
    }
    const tmp = `${b.path}.tmp`;
    await writeSynced(tmp, result.data);
    await rename(tmp, b.path);
    await this.commit.syncDir();
    const fd = fs.openSync(b.path, "r+");
    this.commit.forgetFd(b.fd);
    fs.closeSync(b.fd);
    b.fd = fd;
    b.resetMsgs();
    b.liveMsgs = 0;
    // Messages removed while the new file was written stay in it as dead records; their tombstones
    // or the floor are in the active block.
    for (const [seq, off] of result.msgs) {
      b.addMsg(seq, off);
      if (this.index.find(seq) >= 0) b.liveMsgs++;
    }
    b.tombs = result.tombs;
    b.size = b.written = b.fileSize = result.data.length;
    if (b.buf !== undefined) b.buf = result.data;
    b.generation++;
    this.upkeepDue = true;
  }

  // ---- reading ------------------------------------------------------------------------------------

  protected loadPayload(seq: number): MsgPayload {
    const b = this.blockFor(seq);
    const off = b?.offsetOf(seq) ?? -1;
    if (b === undefined || off < 0) throw new StoreError("corrupt", `no record for sequence ${seq}`);
    if (b.buf !== undefined && off + FIXED <= b.size) return payloadOf(b.buf, readRecord(b.buf, off, b.size, false)!);
    const got = this.reader.read(b, off);
    if (got === undefined || got.view.kind !== RecordKind.Msg || got.view.seq !== seq) {
      this.reader.forget(b);
      this.report({ kind: "corrupt-read", file: b.path, offset: off, detail: `record of sequence ${seq} failed its checksum; not served` });
      throw new StoreError("corrupt", `sequence ${seq}`);
    }
    return payloadOf(got.buf, got.view);
  }

  /** The block whose message range holds seq: binary search by first sequence (blocks without messages skipped). */
  private blockFor(seq: number): Block | undefined {
    const hit = this.lastHit;
    if (hit !== undefined && hit.base > 0 && seq >= hit.base && seq <= hit.lastMsgSeq) return hit;
    const blocks = this.blocks;
    let lo = 0;
    let hi = blocks.length - 1;
    let found: Block | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      let j = mid;
      while (j >= lo && blocks[j]!.base === 0) j--;
      if (j < lo) {
        lo = mid + 1;
      } else if (blocks[j]!.base <= seq) {
        found = blocks[j];
        lo = mid + 1;
      } else {
        hi = j - 1;
      }
    }
    if (found === undefined || seq > found.lastMsgSeq) return undefined;
    this.lastHit = found;
    return found;
  }

  // ---- durability and lifecycle -------------------------------------------------------------------

  sync(): Promise<void> {
    return this.commit.sync();
  }

  flush(): Promise<void> {
    return this.commit.flush();
  }

  /** Waits for pending batches and upkeep (tests, benchmarks). */
  async settle(): Promise<void> {
    this.upkeepDue = true;
    this.commit.poke();
    await this.commit.settle();
  }

  /** Files of this store, for diagnostics and tests. */
  blockFiles(): string[] {
    return this.blocks.map((b) => b.path);
  }

  async stop(): Promise<void> {
    if (this.closed) return;
    this.shutdown();
    if (this.failure === undefined) await this.commit.flush().catch(() => undefined);
    // Also after a failure: no file may be closed under an fdatasync still running.
    await this.commit.settle();
    this.commit.close();
    for (const b of this.blocks) if (b.fd >= 0) fs.closeSync(b.fd);
    this.blocks = [];
    this.reader.forget();
    this.lastHit = undefined;
  }

  async delete(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  private failed(err: unknown): void {
    this.failure = new StoreError("io", err instanceof Error ? err.message : String(err), { cause: err });
    this.report({ kind: "io-error", file: this.dir, detail: this.failure.message });
  }
}
