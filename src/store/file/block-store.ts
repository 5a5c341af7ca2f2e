/**
 * The bottom layer of FileStore (file-store.ts): its blocks and what it knows of them in memory.
 * Per block only a summary (sequence range, which are live, counts, times) is always held; its index
 * (block-index.ts) comes from its index file or a read of the block on demand, and its index and bytes
 * are dropped under a memory budget shared by all stores of a server (block-cache.ts). So memory grows
 * with the number of blocks and subjects, not of messages.
 */
import fs from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { BinaryError } from "../../util/binary.js";
import { StoreError } from "../errors.js";
import { BaseStore } from "../store-core.js";
import type { Block, BlockOwner, BlockTail } from "./block.js";
import type { BlockCache } from "./block-cache.js";
import type { BlockIndex } from "./block-index.js";
import { BlockSet } from "./block-set.js";
import { DEFAULT_BLOCK_SIZE, sharedBlockCache, type FileStoreOptions, type StoreReport } from "./file-store-options.js";
import type { GroupCommit } from "./group-commit.js";
import { decodeIndexFile, encodeIndexFile } from "./index-file.js";
import { preadSync } from "./io.js";
import { ReadAhead } from "./reader.js";
import { scanBlock } from "./scan.js";
import { indexOfScan } from "./scanned-block.js";
import { SubjectTotals } from "./subject-totals.js";

export abstract class BlockStore extends BaseStore<number> implements BlockOwner {
  readonly dir: string;
  protected readonly blockSize: number;
  protected readonly cache: BlockCache;
  protected readonly report: (r: StoreReport) => void;
  protected readonly opts: FileStoreOptions;
  protected readonly set: BlockSet;
  protected readonly totals: SubjectTotals;
  /** The block appended to. */
  protected active!: Block;
  protected commit!: GroupCommit;
  /** Upkeep (upkeep-store.ts) has something to look at. */
  protected upkeepDue = false;
  protected readonly reader = new ReadAhead();

  constructor(opts: FileStoreOptions) {
    // The index, the subject totals and the store refer to each other; the closures close the circle.
    let self: BlockStore | undefined;
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

  protected get blocks(): Block[] {
    return this.set.blocks;
  }

  /** The index of block b, loaded if need be (from its index file, else by reading the block). */
  protected loadIndex(b: Block): BlockIndex {
    const have = b.index;
    b.indexRead = true;
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

  protected indexBytes(b: Block): Buffer {
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

  protected openFd(b: Block): void {
    if (b.fd < 0) b.fd = fs.openSync(b.path, "r+");
  }

  protected closeFd(b: Block): void {
    if (b.fd < 0) return;
    this.commit?.forgetFd(b.fd);
    fs.closeSync(b.fd);
    b.fd = -1;
  }

  /** Whether block b's data still ends with the record a state or index file names. */
  protected endsAsDescribed(b: Block, tail: BlockTail): boolean {
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
  protected tailOf(b: Block): BlockTail {
    let head = b.tailHead;
    if (b.lastRecOff < 0) head = Buffer.alloc(8);
    else if (b.buf !== undefined) head = Buffer.from(b.buf.subarray(b.lastRecOff, b.lastRecOff + 8));
    else if (head === undefined) {
      this.openFd(b);
      head = preadSync(b.fd, 8, b.lastRecOff);
    }
    return { dataLen: b.size, lastRecOff: b.lastRecOff, lastRecHead: head };
  }

  /**
   * An index file needs no sync: a torn or lost one fails its checks and is rebuilt from the block.
   * Once written, an index no read asked for is dropped (the block stays in the cache for its bytes
   * and open file until evicted).
   */
  protected async writeIndexFile(b: Block): Promise<void> {
    b.indexDue = false;
    if (b.index === undefined || b.lastRecOff < 0) return;
    const tmp = `${b.indexPath}.tmp`;
    await writeFile(tmp, this.indexBytes(b));
    await rename(tmp, b.indexPath);
    if (!b.indexRead && !b.indexDue && b !== this.active) {
      b.index = undefined;
    }
    this.cache.admit(b);
  }

  protected forgetBlock(b: Block): void {
    this.cache.forget(b);
    this.reader.forget(b);
    this.set.forget(b);
    b.index = undefined;
    b.buf = undefined;
    this.closeFd(b);
  }
}
