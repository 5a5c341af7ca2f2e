/**
 * One block file: an append-only run of records (record.ts), at most about blockSize bytes, named by
 * its number (`0000000001.blk`). Only the last block (the active one) is appended to; the others are
 * sealed and change only by compaction (rewritten whole), an erase in place, or deletion.
 *
 * Always in memory, per block, a summary of its messages: the range of sequences its message records
 * cover, which of them are live (the first live one, and a bit per sequence that is not live: removed,
 * or never in this block), their count and bytes, and the time range. This is what makes "is seq
 * live", "next live seq" and counts answerable without reading the block. The block's index (offsets,
 * times, sizes, subjects: block-index.ts) and its bytes are a cache, loaded on demand.
 *
 * Invariants:
 * - [0, written) has been handed to write(); [written, size) exists only in buf;
 * - [size, fileSize) of the file is zeros, which recovery reads as "never written";
 * - message sequences grow with the block number and within a block;
 * - live > 0 exactly when head > 0; a sequence is live exactly when head <= s <= last and its dead
 *   bit is clear (sequences below head need no bit);
 * - a sequence without a message record here in [base, last] has its dead bit set.
 */
import { join } from "node:path";
import { assert } from "../../util/assert.js";
import type { Cacheable } from "./block-cache.js";
import type { BlockIndex } from "./block-index.js";

/** The store a block belongs to decides what its cache entry may drop and when. */
export interface BlockOwner {
  evictBlock(b: Block): void;
  isPinned(b: Block): boolean;
}

const BLOCK_SUFFIX = ".blk";
const POPCOUNT = Uint8Array.from({ length: 256 }, (_, b) => {
  let n = 0;
  for (let v = b; v > 0; v >>= 1) n += v & 1;
  return n;
});

export function blockFileName(id: number): string {
  return `${String(id).padStart(10, "0")}${BLOCK_SUFFIX}`;
}

export function parseBlockFileName(name: string): number | undefined {
  const m = /^(\d{10})\.blk$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** The summary a saved state keeps per block (state-file.ts). */
export interface BlockSummary {
  id: number;
  base: number;
  last: number;
  head: number;
  live: number;
  bytes: number;
  firstTime: number;
  lastTime: number;
  /** Message records physically present (compaction's measure of waste). */
  physMsgs: number;
  createdLastSeq: number;
  /** Sorted, disjoint runs [start, length) of dead sequences relative to base. */
  deadRuns: number[];
  /** Some message record here has headers (else a scan for headers skips the block). */
  hdrs: boolean;
}

/** Where a block's last record is and its first 8 bytes (length and checksum fields). */
export interface BlockTail {
  dataLen: number;
  lastRecOff: number;
  lastRecHead: Buffer;
}

export class Block implements Cacheable {
  readonly id: number;
  readonly path: string;
  /** -1 while closed: sealed blocks are opened on demand (file descriptors are finite). */
  fd = -1;
  size = 0;
  written = 0;
  buf: Buffer | undefined;
  index: BlockIndex | undefined;
  /** Sequence of the first message record (0 while the block has none), and of the last. */
  base = 0;
  last = 0;
  /** First live sequence, 0 when none. */
  head = 0;
  live = 0;
  bytes = 0;
  firstTime = 0;
  lastTime = 0;
  physMsgs = 0;
  /** Some message record here has headers. */
  hdrs = false;
  /** Bit i set: base + i is not live. Undefined while no sequence in [base, last] is dead. */
  private dead: Uint8Array | undefined;
  /** The batch that carries the record of this block's latest removal (see FileStore.batchesDurable). */
  removedInBatch = 0;
  /** The store's last sequence when the block was made (its header record). */
  createdLastSeq = 0;
  /** File length; beyond `size` the file holds zeros written ahead (see FileStore.preallocate). */
  fileSize = 0;
  /** Bumped when the block is rewritten, so that reads cached from the old file are not reused. */
  generation = 0;
  /** For the cache: when the index or bytes were last used. */
  lastUse = 0;
  /** Asynchronous operations running on fd (the file must stay open meanwhile). */
  ioBusy = 0;
  /** The last message read without loading the index (reading-store.ts readAlone), 0 if none. */
  lastAlone = 0;
  /** The index file on disk is missing or stale and the loaded index should be written out. */
  indexDue = false;
  /**
   * A read asked for the index since the block was sealed. An index only the writer used is dropped
   * once it is in its file: a pure publish would otherwise fill the cache with indexes nobody reads.
   */
  indexRead = false;

  /**
   * Offset of the last record of any kind, and (for a sealed block) its first 8 bytes: its length and
   * checksum. Index files and the saved state name them, and are trusted only where the block still
   * holds that record (a rewritten block does not).
   */
  lastRecOff = -1;
  tailHead: Buffer | undefined;

  constructor(
    dir: string,
    id: number,
    private readonly owner: BlockOwner,
  ) {
    this.id = id;
    this.path = join(dir, blockFileName(id));
  }

  cachedBytes(): number {
    return (this.buf?.length ?? 0) + (this.index?.memBytes ?? 0);
  }

  evict(): void {
    this.owner.evictBlock(this);
  }

  pinned(): boolean {
    return this.owner.isPinned(this);
  }

  get indexPath(): string {
    return `${this.path.slice(0, -BLOCK_SUFFIX.length)}.idx`;
  }

  isLive(seq: number): boolean {
    return this.head > 0 && seq >= this.head && seq <= this.last && !this.isDead(seq);
  }

  private isDead(seq: number): boolean {
    const d = this.dead;
    const i = seq - this.base;
    return d !== undefined && (d[i >>> 3]! & (1 << (i & 7))) !== 0;
  }

  /** A message record for seq was appended (live unless alive is false); sequences in between are not here. */
  addMsg(seq: number, time: number, size: number, alive: boolean): void {
    assert(seq > this.last, "block sequences grow");
    if (this.base === 0) {
      this.base = seq;
      this.firstTime = time;
    } else {
      for (let s = this.last + 1; s < seq; s++) this.setDead(s);
    }
    this.last = seq;
    this.lastTime = time;
    this.physMsgs++;
    if (!alive) {
      this.setDead(seq);
      return;
    }
    this.live++;
    this.bytes += size;
    if (this.head === 0) this.head = seq;
  }

  /** The live sequences, ascending. */
  liveSeqs(): Set<number> {
    const out = new Set<number>();
    for (let s = this.head; this.head > 0 && s <= this.last; s++) if (!this.isDead(s)) out.add(s);
    return out;
  }

  /** Makes a live seq dead. Removals at the head (the usual case: limits, age) only move head. */
  kill(seq: number, size: number): void {
    assert(this.isLive(seq), "only a live sequence is removed");
    this.live--;
    this.bytes -= size;
    if (this.live === 0) this.head = 0;
    else if (seq === this.head) this.head = this.nextLiveFrom(seq + 1);
    else this.setDead(seq);
  }

  /** First live sequence in [from, last], or 0. */
  nextLiveFrom(from: number): number {
    if (this.live === 0) return 0;
    for (let s = Math.max(from, this.head); s <= this.last; s++) if (!this.isDead(s)) return s;
    return 0;
  }

  /** Last live sequence in [head, from], or 0. */
  prevLiveFrom(from: number): number {
    if (this.live === 0) return 0;
    for (let s = Math.min(from, this.last); s >= this.head; s--) if (!this.isDead(s)) return s;
    return 0;
  }

  /** Live sequences in [from, last]. */
  countLiveFrom(from: number): number {
    if (this.live === 0 || from > this.last) return 0;
    if (from <= this.head) return this.live;
    // Live in [from, last] = slots there minus dead bits there (consumers ask this per pull request).
    return this.last - from + 1 - this.deadIn(from, this.last);
  }

  /** Dead bits set for sequences in [from, to], a byte at a time where whole bytes are covered. */
  private deadIn(from: number, to: number): number {
    const d = this.dead;
    if (d === undefined) return 0;
    let i = from - this.base;
    const end = Math.min(to - this.base, d.length * 8 - 1);
    let n = 0;
    for (; i <= end && (i & 7) !== 0; i++) if ((d[i >>> 3]! & (1 << (i & 7))) !== 0) n++;
    for (; i + 7 <= end; i += 8) n += POPCOUNT[d[i >>> 3]!]!;
    for (; i <= end; i++) if ((d[i >>> 3]! & (1 << (i & 7))) !== 0) n++;
    return n;
  }

  private setDead(seq: number): void {
    const i = seq - this.base;
    let d = this.dead;
    if (d === undefined || (i >>> 3) >= d.length) {
      const grown = new Uint8Array(Math.max(64, (i >>> 3) + 1, d === undefined ? 0 : d.length * 2));
      if (d !== undefined) grown.set(d);
      this.dead = d = grown;
    }
    d[i >>> 3]! |= 1 << (i & 7);
  }

  /** Forgets all message positions (before a compaction or a rebuild refills them). */
  resetMsgs(): void {
    this.base = this.last = this.head = this.live = this.bytes = this.physMsgs = 0;
    this.firstTime = this.lastTime = 0;
    this.hdrs = false;
    this.dead = undefined;
  }

  summary(): BlockSummary {
    const runs: number[] = [];
    if (this.dead !== undefined && this.base > 0) {
      let start = -1;
      for (let s = this.base; s <= this.last + 1; s++) {
        const dead = s <= this.last && this.isDead(s);
        if (dead && start < 0) start = s;
        if (!dead && start >= 0) {
          runs.push(start - this.base, s - start);
          start = -1;
        }
      }
    }
    return {
      id: this.id,
      base: this.base,
      last: this.last,
      head: this.head,
      live: this.live,
      bytes: this.bytes,
      firstTime: this.firstTime,
      lastTime: this.lastTime,
      physMsgs: this.physMsgs,
      createdLastSeq: this.createdLastSeq,
      deadRuns: runs,
      hdrs: this.hdrs,
    };
  }

  restore(s: BlockSummary): void {
    this.base = s.base;
    this.last = s.last;
    this.head = s.head;
    this.live = s.live;
    this.bytes = s.bytes;
    this.firstTime = s.firstTime;
    this.lastTime = s.lastTime;
    this.physMsgs = s.physMsgs;
    this.createdLastSeq = s.createdLastSeq;
    this.hdrs = s.hdrs;
    this.dead = undefined;
    for (let k = 0; k < s.deadRuns.length; k += 2) {
      for (let i = s.deadRuns[k]!, end = i + s.deadRuns[k + 1]!; i < end; i++) this.setDead(this.base + i);
    }
  }

  /** Makes buf hold at least `need` bytes, keeping [0, size). */
  ensureCapacity(need: number, max: number): void {
    const cur = this.buf;
    if (cur !== undefined && cur.length >= need) return;
    let cap = Math.max(64 * 1024, cur ? cur.length * 2 : 0);
    while (cap < need) cap *= 2;
    cap = Math.max(need, Math.min(cap, max));
    const next = Buffer.allocUnsafe(cap);
    if (cur !== undefined && this.size > 0) cur.copy(next, 0, 0, this.size);
    this.buf = next;
  }
}
