/**
 * One block file: an append-only run of records (record.ts), at most about blockSize bytes, named by
 * its number (`0000000001.blk`). Only the last block (the active one) is appended to; the others are
 * sealed and change only by compaction (rewritten whole) or deletion.
 *
 * In memory per block: where each message record sits (offsets, dense by sequence), how many of them
 * are still live, the targets of the tombstones it holds, and optionally a copy of its bytes (the
 * active block always; a few recent sealed blocks as a read cache).
 *
 * Invariants:
 * - [0, written) has been handed to write(); [written, size) exists only in buf;
 * - [size, fileSize) of the file is zeros, which recovery reads as "never written";
 * - message sequences grow with the block number and within a block;
 * - offsets[s - base] >= 0 exactly when a Msg or Erased record for s is physically in the file
 *   (whether or not the message is still live); tombstones for such sequences must be kept.
 */
import { join } from "node:path";

const BLOCK_SUFFIX = ".blk";

export function blockFileName(id: number): string {
  return `${String(id).padStart(10, "0")}${BLOCK_SUFFIX}`;
}

export function parseBlockFileName(name: string): number | undefined {
  const m = /^(\d{10})\.blk$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

export class Block {
  readonly id: number;
  readonly path: string;
  fd: number;
  size = 0;
  written = 0;
  buf: Buffer | undefined;
  /** Sequence of the first message record (0 while the block has none). */
  base = 0;
  offsets: number[] = [];
  lastMsgSeq = 0;
  /** Message records physically present, and how many of them are live. */
  physMsgs = 0;
  liveMsgs = 0;
  /** The batch that carries the record of this block's latest removal (see FileStore.batchesDurable). */
  removedInBatch = 0;
  tombs: number[] = [];
  /** The store's last sequence when the block was made (its header record). */
  createdLastSeq = 0;
  /** File length; beyond `size` the file holds zeros written ahead (see FileStore.preallocate). */
  fileSize = 0;
  /** Bumped when the block is rewritten, so that reads cached from the old file are not reused. */
  generation = 0;

  constructor(dir: string, id: number, fd: number) {
    this.id = id;
    this.path = join(dir, blockFileName(id));
    this.fd = fd;
  }

  addMsg(seq: number, off: number): void {
    if (this.base === 0) this.base = seq;
    const i = seq - this.base;
    while (this.offsets.length < i) this.offsets.push(-1);
    this.offsets[i] = off;
    this.lastMsgSeq = seq;
    this.physMsgs++;
  }

  has(seq: number): boolean {
    return seq >= this.base && this.base > 0 && seq - this.base < this.offsets.length && this.offsets[seq - this.base]! >= 0;
  }

  offsetOf(seq: number): number {
    return this.has(seq) ? this.offsets[seq - this.base]! : -1;
  }

  /** Forgets all message positions (before a compaction refills them). */
  resetMsgs(): void {
    this.base = 0;
    this.offsets = [];
    this.lastMsgSeq = 0;
    this.physMsgs = 0;
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
