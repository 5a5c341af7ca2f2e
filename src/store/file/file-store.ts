/**
 * storage: file. A directory of block files (block.ts) holding records (record.ts). In memory, per
 * block, only a summary (sequence range, which are live, counts, times) and per subject only its
 * totals (subject-totals.ts); a block's index (block-index.ts) and bytes are loaded on demand and
 * dropped under a memory budget shared by all stores of a server (block-cache.ts). So memory grows
 * with the number of blocks and subjects, not of messages.
 *
 * Writing: storeMsg encodes the record straight into the active block's in-memory buffer (which is
 * also the read cache for recent messages) and returns; group-commit.ts writes and fdatasyncs the
 * batch at the end of the loop turn. Removals are records too: a tombstone per removed message, or one
 * floor record per batch when removals only advanced the first sequence (limits, age, purge).
 * A secure delete also overwrites the record on disk (Erased), in the same batch as its tombstone.
 *
 * Reading: from the block's buffer when cached, else by a small synchronous pread with a read-ahead
 * window (reader.ts), checksum verified. Synchronous because the JetStream layer's reads are
 * synchronous (consumers, direct get) and a pread from the page cache costs microseconds.
 *
 * Opening: from the saved state (state-file.ts) plus a replay of the records written after it (the
 * tail), so a restart reads one small file and the newest block. Without a usable state (none, damaged,
 * or disagreeing with the blocks) the store is rebuilt from the blocks, one block at a time: the data
 * always wins. Sealed blocks get index files (index-file.ts) so that loading one reads its index, not
 * its data.
 *
 * Upkeep (between batches, never concurrently with one): a sealed block with no live message is
 * deleted once none of its tombstones is needed; a sealed block with more dead than live messages is
 * rewritten (compaction.ts; temp file, fdatasync, rename, directory fsync); a sealed block gives back
 * the zeros written ahead of its data; index files are written; the state is saved.
 *
 * Durability invariants:
 * - an acknowledged message (sync() resolved) is in a record that was fdatasync'ed, in a file whose
 *   directory entry was fsync'ed;
 * - a removal is never lost while the removed record may still be on disk: its tombstone (or a floor
 *   above it) is kept until the record is physically gone; blocks are deleted in an order that keeps this;
 * - a message leaves the disk (block deletion, compaction) only once its removal's record is durable:
 *   a removal by a limit comes from an append, and a crash that loses the append must not lose the
 *   message it pushed out;
 * - a block leaves or is rewritten only when the saved state on disk already describes it that way
 *   (it was sealed before the state and its removals are in it), so that replaying the tail after that
 *   state never needs a record that is gone;
 * - the active block's header carries the last sequence and floor at its creation, so lastSeq never
 *   goes back even when every other record about it was compacted away.
 */
import fs from "node:fs";
import { mkdir, readdir, readFile, rename, rm, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fsyncDir } from "../../util/atomic-file.js";
import { BinaryError } from "../../util/binary.js";
import { StoreError } from "../errors.js";
import { fileStoreMsgSize } from "../msg-size.js";
import {
  FIXED,
  RecordKind,
  eraseRecord,
  markerPayload,
  markerRecordLength,
  msgRecordLength,
  readRecord,
  writeMarkerRecord,
  writeMsgRecord,
  type RecordView,
} from "../record.js";
import { BaseStore, type MsgPayload } from "../store-core.js";
import type { StoreOptions, StoredMsg } from "../types.js";
import { Block, parseBlockFileName, type BlockOwner, type BlockTail } from "./block.js";
import { BlockCache } from "./block-cache.js";
import { BlockIndex, NONE } from "./block-index.js";
import { BlockSet } from "./block-set.js";
import { compactBlockBytes } from "./compaction.js";
import { GroupCommit, type Batch, type BatchSource, type WriteOp } from "./group-commit.js";
import { decodeIndexFile, encodeIndexFile, slotOffset } from "./index-file.js";
import { ftruncate, preadSync } from "./io.js";
import { ReadAhead, payloadOf } from "./reader.js";
import { RecoveryAccumulator, lostSequences } from "./recovery.js";
import { repairBlock, writeSynced } from "./repair.js";
import { scanBlock, type BlockScan, type Problem, type ProblemKind } from "./scan.js";
import { hasHeaders, headerSeq, indexOfScan, relayout } from "./scanned-block.js";
import { STATE_FILE, encodeState, readState, type SavedState } from "./state-file.js";
import { SubjectTotals } from "./subject-totals.js";

export const DEFAULT_BLOCK_SIZE = 8 * 1024 * 1024;
const HEADER_LEN = markerRecordLength(true);
const MAX_SUBJECT_BYTES = 0xffff;
/** At most this many lost sequences are listed in state().lost. */
const MAX_LOST_LISTED = 100_000;
const PREALLOC_MIN = 64 * 1024;
const PREALLOC_MAX = 1024 * 1024;
let zeros: Buffer | undefined;
/** The state is saved once this much was written since the last one (bounds the tail a crash replays)... */
const STATE_EVERY_BYTES = 8 * 1024 * 1024;
/** ...or this long after a change; and never more often than MIN_STATE_GAP_MS times the cost of the last save. */
const STATE_EVERY_MS = 30_000;
const STATE_COST_FACTOR = 20;
const MIN_STATE_GAP_MS = 50;

/** One budget for every store that is not given its own (see DEFAULT_CACHE_BYTES). */
export const sharedBlockCache = new BlockCache();

export interface StoreReport {
  kind: ProblemKind | "corrupt-read" | "io-error" | "bad-state";
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
  /** The memory budget for loaded blocks, shared with other stores (default sharedBlockCache). */
  cache?: BlockCache;
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

/** A saved state as read back (its subjects went straight into the totals). */
type SavedFrame = Omit<SavedState, "subjects">;

/** A saved state taken at the end of a batch, to be written once that batch is durable. */
interface PendingState {
  data: Buffer;
  batch: number;
  activeId: number;
  activeSize: number;
}

export class FileStore extends BaseStore<number> implements BatchSource, BlockOwner {
  readonly kind = "file" as const;
  readonly dir: string;
  private readonly blockSize: number;
  private readonly cache: BlockCache;
  private readonly report: (r: StoreReport) => void;
  private readonly opts: FileStoreOptions;
  private readonly set: BlockSet;
  private readonly totals: SubjectTotals;
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
  /** The saved state on disk: the batch it covers and the block that was active then (0: none). */
  private stateBatch = 0;
  private stateActiveId = 0;
  private stateActiveSize = 0;
  private stateWanted = false;
  private pendingState: PendingState | undefined;
  private lastStateAt = 0;
  private lastStateCostMs = 0;
  private bytesSinceState = 0;
  private changedSinceState = false;
  private stateTimer: NodeJS.Timeout | undefined;
  /** Secure deletes to carry out: the message and the batch that carries its removal. */
  private erases: { seq: number; batch: number }[] = [];
  private dirChanged = false;
  private upkeepDue = false;
  private readonly reader = new ReadAhead();
  /** How the last open went: from the saved state or rebuilt from the blocks, and how many blocks it read whole. */
  readonly opened = { fromState: false, blocksRead: 0 };

  constructor(opts: FileStoreOptions) {
    // The index, the subject totals and the store refer to each other; the closures close the circle.
    let self: FileStore | undefined;
    const set: BlockSet = new BlockSet(
      (b) => self!.loadIndex(b),
      (subject) => totals.idOf(subject),
      (id) => totals.subjectOf(id),
    );
    const totals = new SubjectTotals(set);
    super(set, totals, opts);
    self = this;
    this.set = set;
    this.totals = totals;
    this.opts = opts;
    this.dir = opts.dir;
    this.blockSize = opts.blockSize ?? DEFAULT_BLOCK_SIZE;
    this.cache = opts.cache ?? sharedBlockCache;
    this.report = opts.report ?? ((r) => console.warn(`[store] ${r.kind} in ${r.file}: ${r.detail}`));
  }

  private get blocks(): Block[] {
    return this.set.blocks;
  }

  // ---- open ---------------------------------------------------------------------------------------

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
    const saved = names.includes(STATE_FILE) ? await this.readSavedState() : undefined;
    let lastScan = saved === undefined ? undefined : await this.openFromState(saved, ids);
    this.opened.fromState = lastScan !== undefined;
    if (lastScan === undefined) {
      if (saved !== undefined) this.resetForRebuild();
      lastScan = await this.rebuild(ids);
    }
    if (this.lastSeq === 0 && this.opts.firstSeq !== undefined && this.opts.firstSeq > 1) {
      this.lastSeq = this.opts.firstSeq - 1;
      this.floor = this.writtenFloor = this.durableFloor = this.opts.firstSeq;
    }
    this.commit = new GroupCommit(this, this.dir, this.opts.syncIntervalMs, (err) => this.failed(err));
    this.lastStateAt = Date.now();
    this.openActive(lastScan);
    this.enforceLoadedLimits();
    this.startExpiry();
    this.upkeepDue = true;
    this.commit.poke();
  }

  private async readSavedState(): Promise<SavedFrame | undefined> {
    const path = join(this.dir, STATE_FILE);
    try {
      return await readState(path, (img) => this.totals.load(img));
    } catch (err) {
      // RangeError: subject totals that cannot be right (SubjectTotals.load).
      if (!(err instanceof BinaryError || err instanceof RangeError)) throw err;
      this.forgetRecovered();
      this.report({ kind: "bad-state", file: path, detail: `${err.message}; rebuilding from the blocks` });
      return undefined;
    }
  }

  /**
   * Restores the saved state and replays the records written after it. Returns the scan of the last
   * block, or undefined when the state disagrees with the blocks (nothing is kept then).
   */
  private async openFromState(st: SavedFrame, ids: number[]): Promise<BlockScan | undefined> {
    const onDisk = new Set(ids);
    const bad = (why: string): undefined => {
      this.report({ kind: "bad-state", file: join(this.dir, STATE_FILE), detail: `${why}; rebuilding from the blocks` });
      return undefined;
    };
    const known = new Set(st.blocks.map((b) => b.id));
    if (!onDisk.has(st.activeId) || !known.has(st.activeId)) return bad(`active block ${st.activeId} is missing`);
    for (const b of st.blocks) if (!onDisk.has(b.id) && b.live > 0) return bad(`block ${b.id} with live messages is missing`);
    for (const id of ids) if (!known.has(id) && id < st.activeId) return bad(`block ${id} is not in the state`);
    for (const s of st.blocks) {
      if (!onDisk.has(s.id)) continue;
      const b = new Block(this.dir, s.id, this);
      b.restore(s);
      b.size = b.written = b.fileSize = s.dataLen;
      b.lastRecOff = s.lastRecOff;
      b.tailHead = s.lastRecHead;
      // A sealed block compacted since the state no longer ends as described: it must still hold every
      // message the state calls live (a state from an older generation may not, and is not trusted).
      if (s.id < st.activeId && !this.endsAsDescribed(b, s) && !(await this.stillHoldsLive(b))) return bad(`block ${s.id} lacks messages the state calls live`);
      this.blocks.push(b);
      this.set.live += s.live;
    }
    this.restoreTotals(st.bytes, st.ttls);
    this.lastSeq = st.lastSeq;
    this.lastTime = st.lastTime;
    this.floor = this.writtenFloor = this.durableFloor = st.floor;
    this.lost = st.lost;
    // The tail: the rest of the block active then, and every block after it.
    const liveAtState = new Map(this.blocks.map((b) => [b, b.live]));
    let lastScan: BlockScan | undefined;
    for (const id of ids.filter((x) => x >= st.activeId)) {
      const isNew = id !== st.activeId;
      let b = this.blocks.find((x) => x.id === id);
      if (b === undefined) {
        b = new Block(this.dir, id, this);
        this.blocks.push(b);
      }
      const scan = await this.scanAndRepair(b);
      if (scan === undefined) return undefined;
      const from = isNew ? 0 : st.activeSize;
      if (!isNew && !this.agreesWithState(b, scan, from)) return bad(`block ${id} does not match the state`);
      const ix = indexOfScan(scan);
      b.index = ix;
      b.size = b.written = scan.data.length;
      if (isNew) b.createdLastSeq = headerSeq(scan);
      for (const { view, off } of scan.records) if (off >= from) this.replay(b, scan, view);
      lastScan = scan;
    }
    // Blocks that lost messages in the tail are not as the state on disk describes them: upkeep may
    // delete or rewrite them only after a newer state (batch 1 or later) is saved.
    for (const [b, live] of liveAtState) if (b.live !== live) b.removedInBatch = 1;
    this.stateBatch = 0;
    this.stateActiveId = st.activeId;
    this.stateActiveSize = st.activeSize;
    // Lazily, by name: resolving a block of unique KV keys here would be a lookup per key for nothing.
    for (const b of this.blocks) b.index?.unresolve();
    return lastScan;
  }

  /**
   * For a sealed block rewritten after the state was saved: reads it, checks that every message the
   * state's summary calls live is there, and renews the summary from the records (same live messages,
   * new physical layout).
   */
  private async stillHoldsLive(b: Block): Promise<boolean> {
    const scan = await this.scanAndRepair(b);
    if (scan === undefined) return false;
    const live = b.liveSeqs();
    const held = new Set(scan.records.filter((r) => r.view.kind === RecordKind.Msg).map((r) => r.view.seq));
    for (const seq of live) if (!held.has(seq)) return false;
    relayout(b, scan, live);
    b.size = b.written = scan.data.length;
    b.indexDue = b.lastRecOff >= 0;
    this.cache.admit(b);
    this.stateWanted = true;
    return true;
  }

  /** Whether block b's data still ends with the record a state or index file names. */
  private endsAsDescribed(b: Block, tail: BlockTail): boolean {
    if (tail.lastRecOff < 0) return tail.dataLen === 0;
    if (tail.lastRecOff + 8 > tail.dataLen) return false;
    const wasOpen = b.fd >= 0;
    this.openFd(b);
    try {
      const head = preadSync(b.fd, 8, tail.lastRecOff);
      return head.length === 8 && head.equals(tail.lastRecHead) && tail.lastRecOff + head.readUInt32LE(0) === tail.dataLen;
    } finally {
      if (!wasOpen) this.closeFd(b);
    }
  }

  /** Where b's data ends, as a state or index file records it. */
  private tailOf(b: Block): BlockTail {
    let head = b.tailHead;
    if (b.lastRecOff < 0) head = Buffer.alloc(8);
    else if (b.buf !== undefined) head = Buffer.from(b.buf.subarray(b.lastRecOff, b.lastRecOff + 8));
    else if (head === undefined) {
      this.openFd(b);
      head = preadSync(b.fd, 8, b.lastRecOff);
    }
    return { dataLen: b.size, lastRecOff: b.lastRecOff, lastRecHead: head };
  }

  /** The state's summary of the block active then must describe its records before `upTo` exactly. */
  private agreesWithState(b: Block, scan: BlockScan, upTo: number): boolean {
    if (scan.data.length < upTo) return false;
    let last = 0;
    let phys = 0;
    let boundary = upTo === 0;
    for (const { view, off } of scan.records) {
      if (off === upTo) boundary = true;
      if (off >= upTo) break;
      if (view.kind === RecordKind.Msg || view.kind === RecordKind.Erased) {
        last = view.seq;
        phys++;
      }
    }
    if (scan.data.length === upTo) boundary = true;
    return boundary && last === b.last && phys === b.physMsgs;
  }

  /** Applies one record written after the saved state (or any record, in a rebuild's second pass). */
  private replay(b: Block, scan: BlockScan, view: RecordView): void {
    this.lastTime = Math.max(this.lastTime, view.time);
    switch (view.kind) {
      case RecordKind.Msg: {
        this.lastSeq = Math.max(this.lastSeq, view.seq);
        if (view.hdrLen > 0) b.hdrs = true;
        if (view.seq < this.floor) {
          b.addMsg(view.seq, view.time, 0, false);
          return;
        }
        // The subject as the block's index already decoded it (indexOfScan), not decoded again.
        const ix = b.index!;
        const subject = ix.names[ix.locals[view.seq - ix.base]!]!;
        this.recoverMsg(view.seq, subject, view.time, fileStoreMsgSize(view.subjectLen, view.hdrLen, view.dataLen), view.ttl, ix.offsetOf(view.seq));
        return;
      }
      case RecordKind.Erased:
        this.lastSeq = Math.max(this.lastSeq, view.seq);
        if (b.last < view.seq) b.addMsg(view.seq, view.time, 0, false);
        else this.recoverRemoval(view.seq);
        return;
      case RecordKind.Tombstone:
        this.lastSeq = Math.max(this.lastSeq, view.seq);
        this.recoverRemoval(view.seq);
        return;
      case RecordKind.Floor:
        this.recoverFloor(view.seq);
        return;
      case RecordKind.BlockHeader:
        this.lastSeq = Math.max(this.lastSeq, view.seq);
        this.recoverFloor(markerPayload(scan.data, view));
        return;
    }
  }

  private recoverFloor(floor: number): void {
    if (floor <= this.floor) return;
    this.floor = this.writtenFloor = this.durableFloor = floor;
    this.lastSeq = Math.max(this.lastSeq, floor - 1);
    for (let s = this.set.firstPos(); s >= 0 && s < floor; s = this.set.firstPos()) this.recoverRemoval(s);
  }

  private resetForRebuild(): void {
    for (const b of this.blocks) this.closeFd(b);
    this.set.blocks = [];
    this.set.live = 0;
    this.forgetRecovered();
    this.lastSeq = this.lastTime = this.floor = this.writtenFloor = this.durableFloor = 0;
    this.lost = undefined;
  }

  /**
   * Rebuilds everything from the blocks, holding one block's bytes at a time: a first pass reads
   * every record (deletions, floor, sequences; each sealed block's index is written out), a second
   * one adds the live messages from the indexes. Returns the last block's scan.
   */
  private async rebuild(ids: number[]): Promise<BlockScan | undefined> {
    const rec = new RecoveryAccumulator();
    const problems: Problem[][] = [];
    let lastScan: BlockScan | undefined;
    const created: number[] = [];
    const hdrs: boolean[] = [];
    for (const [i, id] of ids.entries()) {
      const b = new Block(this.dir, id, this);
      const scan = await this.scanAndRepair(b);
      if (scan === undefined) continue;
      created.push(rec.add(scan));
      problems.push(scan.problems);
      b.size = b.written = b.fileSize = scan.data.length;
      b.index = indexOfScan(scan);
      hdrs.push(hasHeaders(scan));
      if (i < ids.length - 1) {
        if (b.lastRecOff >= 0) fs.writeFileSync(b.indexPath, this.indexBytes(b));
        b.index = undefined;
        this.closeFd(b);
      } else {
        lastScan = scan;
      }
      this.blocks.push(b);
    }
    this.floor = this.writtenFloor = this.durableFloor = rec.floor;
    this.lastTime = rec.lastTime;
    const all = this.blocks;
    this.set.blocks = [];
    all.forEach((b, i) => {
      b.createdLastSeq = created[i]!;
      b.hdrs = hdrs[i]!;
      this.set.blocks.push(b);
      const ix = this.loadIndex(b);
      for (let k = 0; k < ix.n; k++) {
        if (ix.offsets[k] === 0xffffffff) continue;
        const seq = ix.base + k;
        if (!rec.isLive(seq)) {
          b.addMsg(seq, ix.times[k]!, 0, false);
          continue;
        }
        this.recoverMsg(seq, ix.names[ix.locals[k]!]!, ix.times[k]!, ix.sizes[k]!, rec.ttls.get(seq), ix.offsets[k]!);
      }
    });
    this.lastSeq = rec.lastSeq;
    const firstSeqAfter = all.map((_, i) => all.slice(i + 1).find((b) => b.base > 0)?.base ?? 0);
    this.lost = lostSequences(problems, firstSeqAfter, rec, (seq) => this.set.find(seq) >= 0, MAX_LOST_LISTED);
    return lastScan;
  }

  /** Reads a block whole, checks every record and repairs what is damaged; undefined if it vanished. */
  private async scanAndRepair(b: Block): Promise<BlockScan | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(b.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
    this.opened.blocksRead++;
    const scan = scanBlock(bytes);
    await repairBlock(b.path, scan, this.report);
    b.lastRecOff = scan.records.at(-1)?.off ?? -1;
    b.tailHead = b.lastRecOff < 0 ? undefined : Buffer.from(scan.data.subarray(b.lastRecOff, b.lastRecOff + 8));
    if (scan.repair !== "none") await unlink(b.indexPath).catch(() => undefined);
    this.openFd(b);
    b.fileSize = fs.fstatSync(b.fd).size;
    return scan;
  }

  /** Reuses the last block for appends when it has room, else starts a new one. */
  private openActive(lastScan: BlockScan | undefined): void {
    const last = this.blocks.at(-1);
    if (last !== undefined && lastScan !== undefined && last.size < this.blockSize) {
      this.active = last;
      last.buf = lastScan.data;
      last.lastRecOff = lastScan.records.at(-1)?.off ?? -1;
      if (last.index === undefined) last.index = indexOfScan(lastScan);
      this.openFd(last);
      if (last.size === 0) this.writeHeader(last);
      return;
    }
    if (last !== undefined) this.cache.admit(last);
    this.newActive(last === undefined ? 1 : last.id + 1);
  }

  // ---- block cache --------------------------------------------------------------------------------

  /** The index of block b, loaded if need be (from its index file, else by reading the block). */
  private loadIndex(b: Block): BlockIndex {
    const have = b.index;
    if (have !== undefined) {
      b.lastUse = this.cache.now;
      return have;
    }
    this.openFd(b);
    let ix = this.indexFromFile(b);
    if (ix === undefined) {
      const data = b.buf ?? preadSync(b.fd, b.size, 0);
      const scan = scanBlock(data.subarray(0, b.size));
      if (scan.problems.length > 0) {
        this.report({ kind: "corrupt-read", file: b.path, offset: scan.problems[0]!.offset, detail: "block damaged since it was opened; its damaged records are not served" });
      }
      ix = indexOfScan(scan);
      b.lastRecOff = scan.records.at(-1)?.off ?? -1;
      b.indexDue = b !== this.active;
      if (b.indexDue) this.upkeepDue = true;
    }
    if (b.base > 0 && (ix.base !== b.base || ix.last !== b.last)) {
      this.failure ??= new StoreError("corrupt", `block ${b.path} holds sequences ${ix.base}..${ix.last}, expected ${b.base}..${b.last}`);
      this.report({ kind: "corrupt-read", file: b.path, detail: this.failure.message });
    }
    b.index = ix;
    this.cache.admit(b);
    return ix;
  }

  /** The block's index from its index file when that file is whole and matches the block. */
  private indexFromFile(b: Block): BlockIndex | undefined {
    let raw: Buffer;
    try {
      raw = fs.readFileSync(b.indexPath);
    } catch {
      return undefined;
    }
    try {
      const { index, tail } = decodeIndexFile(raw);
      if (tail.dataLen !== b.size || !this.endsAsDescribed(b, tail)) return undefined;
      b.lastRecOff = tail.lastRecOff;
      b.tailHead = tail.lastRecHead;
      return index;
    } catch (err) {
      if (err instanceof BinaryError) return undefined;
      throw err;
    }
  }

  private indexBytes(b: Block): Buffer {
    return encodeIndexFile(b.index!, this.tailOf(b));
  }

  isPinned(b: Block): boolean {
    return b === this.active || b.written < b.size || b.ioBusy > 0 || (this.commit?.isBusy(b.fd) ?? false);
  }

  /** Drops a block's bytes, and its index too unless that still has to be written to its file. */
  evictBlock(b: Block): void {
    if (this.isPinned(b)) return;
    b.buf = undefined;
    this.reader.forget(b);
    if (b.indexDue) return;
    b.index = undefined;
    this.closeFd(b);
  }

  private openFd(b: Block): void {
    if (b.fd < 0) b.fd = fs.openSync(b.path, "r+");
  }

  private closeFd(b: Block): void {
    if (b.fd < 0) return;
    this.commit?.forgetFd(b.fd);
    fs.closeSync(b.fd);
    b.fd = -1;
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

  /**
   * Cuts the blocks at the first record that names a sequence above seq, and appends again the
   * removals of lower sequences that were recorded after that point (a tombstone, the floor), so that
   * recovery finds exactly the store as it is in memory. The block cut becomes the active one.
   */
  protected async persistTruncate(seq: number): Promise<void> {
    await this.commit.flush();
    await this.commit.settle();
    this.floor = Math.min(this.floor, seq + 1);
    let cut: { b: Block; off: number; data: Buffer } | undefined;
    const redo: number[] = [];
    for (const [i, b] of this.blocks.entries()) {
      // A block can be passed over when the store's last sequence was still <= seq as the next one began.
      const next = this.blocks[i + 1];
      if (cut === undefined && next !== undefined && next.createdLastSeq <= seq && b.last <= seq) continue;
      this.openFd(b);
      const data = b.buf?.subarray(0, b.size) ?? preadSync(b.fd, b.size, 0);
      for (const { view, off } of scanBlock(data).records) {
        const named = view.kind === RecordKind.Floor ? 0 : view.seq;
        if (cut === undefined && named > seq) cut = { b, off, data };
        if (cut === undefined) continue;
        if (view.kind === RecordKind.Tombstone && view.seq <= seq) redo.push(view.seq);
      }
    }
    if (cut === undefined) return;
    // The saved state describes blocks about to be cut: it goes first (a crash until the new one is saved
    // rebuilds from the blocks), and nothing may save an old view meanwhile.
    this.pendingState = undefined;
    await rm(join(this.dir, STATE_FILE), { force: true });
    await this.commit.syncDir();
    this.stateBatch = this.stateActiveId = this.stateActiveSize = 0;
    const at = this.blocks.indexOf(cut.b);
    for (const b of this.blocks.slice(at + 1)) {
      this.forgetBlock(b);
      fs.rmSync(b.path, { force: true });
      fs.rmSync(b.indexPath, { force: true });
    }
    const b = cut.b;
    this.set.blocks = this.blocks.slice(0, at + 1);
    fs.rmSync(b.indexPath, { force: true });
    await ftruncate(b.fd, cut.off);
    // The block cut is appended to from here on: its bytes, index and summary as they now are.
    relayout(b, scanBlock(cut.data.subarray(0, cut.off)), b.liveSeqs());
    b.size = b.written = b.fileSize = cut.off;
    b.indexDue = false;
    b.buf = undefined;
    b.ensureCapacity(Math.max(cut.off, 64), this.blockSize);
    cut.data.copy(b.buf!, 0, 0, cut.off);
    this.reader.forget(b);
    this.cache.forget(b);
    this.active = b;
    if (b.size === 0) this.writeHeader(b);
    for (const t of redo) this.appendTombstone(t);
    this.writtenFloor = 0; // the floor goes out again with the next batch
    this.dirChanged = true;
    this.noteChange(0);
    await this.commit.flush();
    await this.commit.settle();
    await this.writeState(this.takeState(this.batchesTaken));
  }

  private noteChange(bytes: number): void {
    this.bytesSinceState += bytes;
    this.changedSinceState = true;
    this.commit.noteWrite();
  }

  protected override countMatchingFrom(start: number, match: (id: number) => boolean): number {
    return this.set.countMatching(start, match);
  }

  private appendTombstone(seq: number): void {
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

  private newActive(id: number, capacity = 0): Block {
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
      this.cache.admit(sealed);
    }
    this.dirChanged = true;
    this.upkeepDue = true; // the block just sealed gives back its zeros once written
    return b;
  }

  private writeHeader(b: Block): void {
    b.ensureCapacity(HEADER_LEN, this.blockSize);
    b.lastRecOff = b.size;
    b.size += writeMarkerRecord(b.buf!, b.size, RecordKind.BlockHeader, this.lastSeq, this.lastTime, this.floor);
    b.createdLastSeq = this.lastSeq;
    this.commit.noteWrite();
  }

  // ---- group commit source ------------------------------------------------------------------------

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
      if (later.length > 0) this.stateWanted = this.stateForced = true;
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
    if (this.stateWanted) {
      this.stateWanted = false;
      this.pendingState = this.takeState(id);
    }
    return { writes, fds: [...fds], dir, floor: this.writtenFloor, id };
  }

  batchDone(batch: Batch & { floor?: number; id?: number }, synced: boolean): void {
    if (synced && batch.floor !== undefined) this.durableFloor = Math.max(this.durableFloor, batch.floor);
    // In lazy mode (sync_interval) nothing is promised past the page cache, which a crash keeps.
    if ((synced || this.commit.lazy) && batch.id !== undefined) this.batchesDurable = Math.max(this.batchesDurable, batch.id);
    if (this.pendingState !== undefined && this.pendingState.batch <= this.batchesDurable) this.upkeepDue = true;
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
    const mark = this.pendingState ?? { activeId: this.stateActiveId, activeSize: this.stateActiveSize };
    if (mark.activeId === 0 || b.id > mark.activeId) return true;
    if (b.id === mark.activeId && this.loadIndex(b).offsetOf(e.seq) >= mark.activeSize) return true;
    return e.batch <= this.stateBatch;
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

  // ---- upkeep -------------------------------------------------------------------------------------

  maintain(): Promise<void> | undefined {
    if (this.closed) return undefined;
    // First, whatever else is due: under load upkeep turns are rare and mostly busy with blocks.
    const save = this.maybeSaveState();
    if (save !== undefined) return save;
    const ps = this.pendingState !== undefined && this.pendingState.batch <= this.batchesDurable ? this.pendingState : undefined;
    const due = this.blocks.filter((b) => b.indexDue && b.index !== undefined && b !== this.active && b.written === b.size);
    if (ps !== undefined || due.length > 0) {
      this.pendingState = undefined;
      return (async () => {
        if (ps !== undefined) await this.writeState(ps);
        for (const b of due) await this.writeIndexFile(b);
      })();
    }
    if (!this.upkeepDue) return undefined;
    this.upkeepDue = false;
    const settled = (b: Block): boolean => b !== this.active && b.written === b.size && b.removedInBatch <= this.batchesDurable;
    const covered = (b: Block): boolean => b.id < this.stateActiveId && b.removedInBatch <= this.stateBatch;
    const empty = this.blocks.filter((b) => settled(b) && b.live === 0 && this.tombsUnneeded(b));
    const doomed = empty.filter(covered);
    const padded = this.blocks.filter((b) => b !== this.active && b.live > 0 && b.fileSize > b.size && b.written === b.size);
    if (doomed.length > 0 || padded.length > 0) return this.releaseSpace(doomed, padded);
    const sparse = this.blocks.filter((b) => settled(b) && b.physMsgs > 0 && b.live * 2 < b.physMsgs);
    const rewrite = sparse.find(covered);
    if (rewrite !== undefined) return this.compactBlock(rewrite).then(() => {
      // The saved state still describes the block as it was (valid, but a restart would read it whole).
      this.stateWanted = true;
    });
    // Blocks that wait only for a saved state that describes them.
    if (empty.length > 0 || sparse.length > 0) this.stateWanted = true;
    // Nothing to do yet; look again after the next batch if that batch can settle a block worth upkeep.
    this.upkeepDue =
      this.floor > this.durableFloor ||
      this.blocks.some((b) => b !== this.active && (b.live === 0 || b.live * 2 < b.physMsgs) && (b.written < b.size || b.removedInBatch > this.batchesDurable));
    return undefined;
  }

  /**
   * Saves the state when upkeep waits for one, when a lot was written since the last (a crash then
   * replays at most that much), or some time after a change; never more often than its cost allows.
   * When no write is pending the state is taken now, else at the end of the next batch.
   */
  private maybeSaveState(): Promise<void> | undefined {
    if (this.pendingState !== undefined || this.failure !== undefined) return undefined;
    const now = Date.now();
    const byVolume = this.bytesSinceState >= STATE_EVERY_BYTES;
    const byTime = this.changedSinceState && now - this.lastStateAt >= STATE_EVERY_MS;
    if (!this.stateForced && !this.stateWanted && !byVolume && !byTime) {
      if (this.changedSinceState) this.armStateTimer(this.lastStateAt + STATE_EVERY_MS - now);
      return undefined;
    }
    const gap = Math.max(MIN_STATE_GAP_MS, STATE_COST_FACTOR * this.lastStateCostMs);
    if (!this.stateForced && now - this.lastStateAt < gap) {
      this.stateWanted = true;
      this.armStateTimer(this.lastStateAt + gap - now);
      return undefined;
    }
    if (this.commit.quiet) {
      this.stateWanted = this.stateForced = false;
      return this.writeState(this.takeState(this.batchesTaken));
    }
    this.stateWanted = true;
    return undefined;
  }

  private stateForced = false;

  private armStateTimer(ms: number): void {
    if (this.stateTimer !== undefined) return;
    this.stateTimer = setTimeout(() => {
      this.stateTimer = undefined;
      this.upkeepDue = true;
      if (!this.closed) this.commit.poke();
    }, Math.max(1, ms));
    this.stateTimer.unref();
  }

  /** The store as of the end of batch `batch` (everything in memory is in that batch or before). */
  private takeState(batch: number): PendingState {
    const st: SavedState = {
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
    };
    this.bytesSinceState = 0;
    this.changedSinceState = false;
    return { data: encodeState(st), batch, activeId: this.active.id, activeSize: this.active.size };
  }

  private async writeState(ps: PendingState): Promise<void> {
    const t0 = Date.now();
    const path = join(this.dir, STATE_FILE);
    await writeSynced(`${path}.tmp`, ps.data);
    await rename(`${path}.tmp`, path);
    await this.commit.syncDir();
    this.stateBatch = ps.batch;
    this.stateActiveId = ps.activeId;
    this.stateActiveSize = ps.activeSize;
    // Secure deletes that waited for this state can be carried out now.
    if (this.erases.length > 0 && !this.closed) this.commit.noteWrite();
    this.lastStateAt = Date.now();
    this.lastStateCostMs = this.lastStateAt - t0;
    this.upkeepDue = true;
  }

  /** An index file needs no sync: a torn or lost one fails its checks and is rebuilt from the block. */
  private async writeIndexFile(b: Block): Promise<void> {
    b.indexDue = false;
    if (b.index === undefined || b.lastRecOff < 0) return;
    const tmp = `${b.indexPath}.tmp`;
    await writeFile(tmp, this.indexBytes(b));
    await rename(tmp, b.indexPath);
    this.cache.admit(b);
  }

  /** A tombstone must stay while its target record may be on disk in another block and no durable floor covers it. */
  private tombsUnneeded(b: Block): boolean {
    for (const t of this.loadIndex(b).tombs) if (t >= this.durableFloor && this.heldElsewhere(t, b)) return false;
    return true;
  }

  /** Whether a message record for seq is physically in a block other than b. */
  private heldElsewhere(seq: number, b: Block): boolean {
    const holder = this.set.blockFor(seq);
    return holder !== undefined && holder !== b && this.loadIndex(holder).has(seq);
  }

  /** Deletes blocks with nothing left in them and gives back the zeros written ahead into sealed ones. */
  private async releaseSpace(doomed: Block[], padded: Block[]): Promise<void> {
    for (const b of padded) {
      // No sync needed: zeros past the data are harmless if the truncation is lost.
      this.openFd(b);
      b.ioBusy++;
      try {
        await ftruncate(b.fd, b.size);
      } finally {
        b.ioBusy--;
      }
      b.fileSize = b.size;
      if (b.index === undefined && b.buf === undefined) this.closeFd(b);
    }
    if (doomed.length > 0) {
      for (const b of doomed) {
        this.forgetBlock(b);
        await unlink(b.path);
        await rm(b.indexPath, { force: true });
      }
      const gone = new Set(doomed);
      this.set.blocks = this.blocks.filter((b) => !gone.has(b));
      await this.commit.syncDir();
    }
    // Deleting these may have made tombstones elsewhere unneeded.
    this.upkeepDue = true;
  }

  private forgetBlock(b: Block): void {
    this.cache.forget(b);
    this.reader.forget(b);
    this.set.forget(b);
    b.index = undefined;
    b.buf = undefined;
    this.closeFd(b);
  }

  /** Rewrites a sealed block with only its live messages and still-needed tombstones. */
  private async compactBlock(b: Block): Promise<void> {
    // What to keep is decided now, while every removal from b is durable (maintain checked that):
    // appends during the awaits below can remove more of b by limits, and a crash that loses those
    // appends must find the removed messages still on disk.
    const keep = new Set<number>();
    for (let seq = b.head; b.head > 0 && seq <= b.last; seq++) if (b.isLive(seq)) keep.add(seq);
    this.openFd(b);
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
    await rm(b.indexPath, { force: true });
    await rename(tmp, b.path);
    await this.commit.syncDir();
    const fd = fs.openSync(b.path, "r+");
    this.closeFd(b);
    this.reader.forget(b);
    b.fd = fd;
    // Messages removed while the new file was written stay in it as dead records; their tombstones
    // or the floor are in the active block.
    relayout(b, scanBlock(result.data), b.liveSeqs());
    b.size = b.written = b.fileSize = result.data.length;
    if (b.buf !== undefined) b.buf = result.data;
    b.generation++;
    b.indexDue = b.lastRecOff >= 0;
    this.cache.admit(b);
    this.upkeepDue = true;
  }

  // ---- reading ------------------------------------------------------------------------------------

  /**
   * One message of a block whose index is not loaded (a KV get across a large bucket): its offset
   * from the block's index file and its record, a few small reads instead of loading the index.
   * Anything unexpected takes the ordinary path, which loads (or rebuilds) the index.
   */
  override loadMsg(seq: number): StoredMsg | undefined {
    this.checkOpen();
    const b = this.set.blockFor(seq);
    if (b === undefined || !b.isLive(seq)) return undefined;
    // A walk through the block (the read before was the message before) is better served by its index.
    const walking = b.lastAlone === seq - 1;
    b.lastAlone = seq;
    if (b.index !== undefined || b.buf !== undefined || b.indexDue || walking) return super.loadMsg(seq);
    const got = this.readAlone(b, seq);
    if (got === undefined) return super.loadMsg(seq);
    const { buf, view } = got;
    const msg: StoredMsg = {
      seq,
      subject: buf.toString("utf8", view.subjectStart, view.subjectStart + view.subjectLen),
      time: view.time,
      ...payloadOf(buf, view),
    };
    const ttl = this.ttlOf(seq);
    if (ttl !== undefined) msg.ttl = ttl;
    return msg;
  }

  private readAlone(b: Block, seq: number): { buf: Buffer; view: RecordView } | undefined {
    let idx: number;
    try {
      idx = fs.openSync(b.indexPath, "r");
    } catch {
      return undefined;
    }
    let off: number;
    try {
      off = slotOffset(idx, seq);
    } finally {
      fs.closeSync(idx);
    }
    if (off < 0 || off + FIXED > b.size) return undefined;
    const fd = fs.openSync(b.path, "r");
    try {
      const head = preadSync(fd, FIXED, off);
      const len = head.length === FIXED ? head.readUInt32LE(0) : 0;
      if (len < FIXED || off + len > b.size) return undefined;
      const buf = preadSync(fd, len, off);
      const view = readRecord(buf, 0, buf.length);
      return view !== undefined && view.kind === RecordKind.Msg && view.seq === seq ? { buf, view } : undefined;
    } finally {
      fs.closeSync(fd);
    }
  }

  protected loadPayload(seq: number, ref: number | undefined): MsgPayload {
    const b = this.set.blockFor(seq);
    const off = ref ?? -1;
    if (b === undefined || off < 0 || off === NONE) throw new StoreError("corrupt", `no record for sequence ${seq}`);
    if (b.buf !== undefined && off + FIXED <= b.size) return payloadOf(b.buf, readRecord(b.buf, off, b.size, false)!);
    this.openFd(b);
    const got = this.reader.read(b, off);
    if (got === undefined || got.view.kind !== RecordKind.Msg || got.view.seq !== seq) {
      this.reader.forget(b);
      this.report({ kind: "corrupt-read", file: b.path, offset: off, detail: `record of sequence ${seq} failed its checksum; not served` });
      throw new StoreError("corrupt", `sequence ${seq}`);
    }
    return payloadOf(got.buf, got.view);
  }

  /**
   * Walks each block once: by its index, reading the header length field of every live message (one
   * read of the whole block when it is not cached) and verifying only the records that have headers.
   */
  override forEachHeader(startSeq: number, visit: (seq: number, time: number, hdr: Buffer) => void): void {
    this.checkOpen();
    for (const b of [...this.blocks]) {
      if (b.live === 0 || b.last < startSeq || !b.hdrs) continue;
      const ix = this.loadIndex(b);
      const data = b.buf ?? preadSync(b.fd, b.size, 0);
      for (let seq = Math.max(startSeq, b.head); seq <= b.last; seq++) {
        if (!b.isLive(seq)) continue;
        const off = ix.offsetOf(seq);
        if (off < 0 || off + FIXED > b.size || data.readUInt32LE(off + 12) === 0) continue;
        const v = readRecord(data, off, b.size, b.buf === undefined);
        if (v === undefined || v.kind !== RecordKind.Msg || v.seq !== seq) {
          this.report({ kind: "corrupt-read", file: b.path, offset: off, detail: `record of sequence ${seq} failed its checksum; not served` });
          continue;
        }
        visit(seq, v.time, data.subarray(v.hdrStart, v.hdrStart + v.hdrLen));
      }
    }
  }

  // ---- durability and lifecycle -------------------------------------------------------------------

  sync(): Promise<void> {
    return this.commit.sync();
  }

  flush(): Promise<void> {
    return this.commit.flush();
  }

  /** Waits for pending batches and upkeep, saving the state if upkeep needs one (tests, benchmarks). */
  async settle(): Promise<void> {
    this.upkeepDue = true;
    this.stateForced = true;
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
    if (this.stateTimer !== undefined) clearTimeout(this.stateTimer);
    if (this.failure === undefined) await this.commit.flush().catch(() => undefined);
    // Also after a failure: no file may be closed under an fdatasync still running.
    await this.commit.settle();
    if (this.failure === undefined) {
      this.pendingState = undefined;
      await this.writeState(this.takeState(this.batchesTaken)).catch((err: unknown) => {
        this.report({ kind: "io-error", file: join(this.dir, STATE_FILE), detail: `state not saved (${String(err)}); the next start rebuilds it` });
      });
      if (this.erases.length > 0 && this.stateBatch === this.batchesTaken) {
        // Secure deletes that waited for a state: this one covers them.
        this.commit.noteWrite();
        await this.commit.flush().catch(() => undefined);
        await this.commit.settle();
      }
    }
    this.commit.close();
    for (const b of this.blocks) this.forgetBlock(b);
    this.set.blocks = [];
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
