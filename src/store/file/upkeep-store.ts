/**
 * Upkeep of a file store, between batches and never concurrently with one (group-commit.ts calls
 * maintain): the state is saved when due (state-saver.ts); index files of sealed blocks are written;
 * a sealed block with no live message is deleted once none of its tombstones is needed; a sealed block
 * with more dead than live messages is rewritten (compaction.ts; temp file, fdatasync, rename,
 * directory fsync); a sealed block gives back the zeros written ahead of its data.
 *
 * Invariants:
 * - a removal is never lost while the removed record may still be on disk: its tombstone (or a floor
 *   above it) is kept until the record is physically gone; blocks are deleted in an order that keeps this;
 * - a message leaves the disk (block deletion, compaction) only once its removal's record is durable:
 *   a removal by a limit comes from an append, and a crash that loses the append must not lose the
 *   message it pushed out;
 * - a block leaves or is rewritten only when the saved state on disk already describes it that way
 *   (it was sealed before the state and its removals are in it), so that replaying the tail after that
 *   state never needs a record that is gone.
 */
import fs from "node:fs";
import { readFile, rename, rm, unlink } from "node:fs/promises";
import { assert } from "../../util/assert.js";
import type { Block } from "./block.js";
import { compactBlockBytes } from "./compaction.js";
import { ftruncate } from "./io.js";
import { OpeningStore } from "./opening-store.js";
import { writeSynced } from "./repair.js";
import { scanBlock } from "./scan.js";
import { relayout } from "./scanned-block.js";

export abstract class UpkeepStore extends OpeningStore {
  maintain(): Promise<void> | undefined {
    if (this.closed) return undefined;
    // First, whatever else is due: under load upkeep turns are rare and mostly busy with blocks.
    const save = this.maybeSaveState();
    if (save !== undefined) return save;
    const ps = this.saver.pending !== undefined && this.saver.pending.batch <= this.batchesDurable ? this.saver.pending : undefined;
    const due = this.blocks.filter((b) => b.indexDue && b.index !== undefined && b !== this.active && b.written === b.size);
    if (ps !== undefined || due.length > 0) {
      this.saver.pending = undefined;
      return (async () => {
        if (ps !== undefined) await this.writeState(ps);
        for (const b of due) await this.writeIndexFile(b);
      })();
    }
    if (!this.upkeepDue) return undefined;
    this.upkeepDue = false;
    const settled = (b: Block): boolean => b !== this.active && b.written === b.size && b.removedInBatch <= this.batchesDurable;
    const covered = (b: Block): boolean => b.id < this.saver.activeId && b.removedInBatch <= this.saver.batch;
    const empty = this.blocks.filter((b) => settled(b) && b.live === 0 && this.tombsUnneeded(b));
    const doomed = empty.filter(covered);
    const padded = this.blocks.filter((b) => b !== this.active && b.live > 0 && b.fileSize > b.size && b.written === b.size);
    if (doomed.length > 0 || padded.length > 0) return this.releaseSpace(doomed, padded);
    const sparse = this.blocks.filter((b) => settled(b) && b.physMsgs > 0 && b.live * 2 < b.physMsgs);
    const rewrite = sparse.find(covered);
    if (rewrite !== undefined) return this.compactBlock(rewrite).then(() => {
      // The saved state still describes the block as it was (valid, but a restart would read it whole).
      this.saver.wanted = true;
    });
    // Blocks that wait only for a saved state that describes them.
    if (empty.length > 0 || sparse.length > 0) this.saver.wanted = true;
    // Nothing to do yet; look again after the next batch if that batch can settle a block worth upkeep.
    this.upkeepDue =
      this.floor > this.durableFloor ||
      this.blocks.some((b) => b !== this.active && (b.live === 0 || b.live * 2 < b.physMsgs) && (b.written < b.size || b.removedInBatch > this.batchesDurable));
    return undefined;
  }


  /** Saves the state now when it is due (state-saver.ts); while a batch is pending the save waits for its end. */
  private maybeSaveState(): Promise<void> | undefined {
    if (this.saver.pending !== undefined || this.failure !== undefined) return undefined;
    return this.saver.due(this.commit.quiet) ? this.writeState(this.takeState(this.batchesTaken)) : undefined;
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
    for (const b of doomed) this.assertMayDrop(b);
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

  /** The invariants above, checked before a block is deleted or rewritten. */
  private assertMayDrop(b: Block): void {
    assert(b !== this.active && b.written === b.size && b.removedInBatch <= this.batchesDurable, () => `block ${b.id} would leave before its removals are durable`);
    assert(b.id < this.saver.activeId && b.removedInBatch <= this.saver.batch, () => `block ${b.id} would leave before a saved state describes it`);
  }

  /** Rewrites a sealed block with only its live messages and still-needed tombstones. */
  private async compactBlock(b: Block): Promise<void> {
    this.assertMayDrop(b);
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
}
