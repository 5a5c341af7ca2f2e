/**
 * storage: file. A directory of block files (block.ts) holding records (record.ts), with an index
 * file per sealed block (index-file.ts) and a saved state (state-file.ts). FileStore is built in
 * layers, each a file with one concern, each on the one before:
 * - block-store.ts: the blocks, their files, indexes and the shared memory budget;
 * - reading-store.ts: reads, synchronous, from a cached block or by small preads;
 * - appending-store.ts: appends and removals as records, the batches group-commit.ts makes durable,
 *   secure erase, taking and writing the state (when: state-saver.ts);
 * - opening-store.ts: opening from the saved state plus the tail, or rebuilding from the blocks;
 * - upkeep-store.ts: deletion, compaction and index files, only once a durable state covers a block;
 * - this file: truncate and the store's lifecycle.
 * The durability invariants are written at the top of appending-store.ts and upkeep-store.ts.
 */
import fs from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { RecordKind } from "../record.js";
import type { Block } from "./block.js";
import type { FileStoreOptions } from "./file-store-options.js";
import { ftruncate, preadSync } from "./io.js";
import { scanBlock } from "./scan.js";
import { relayout } from "./scanned-block.js";
import { STATE_FILE } from "./state-file.js";
import { UpkeepStore } from "./upkeep-store.js";

export { DEFAULT_BLOCK_SIZE, sharedBlockCache, type FileStoreOptions, type StoreReport } from "./file-store-options.js";

export async function openFileStore(opts: FileStoreOptions): Promise<FileStore> {
  const store = new FileStore(opts);
  await store.load();
  return store;
}

export class FileStore extends UpkeepStore {
  readonly kind = "file" as const;

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
    this.saver.pending = undefined;
    await rm(join(this.dir, STATE_FILE), { force: true });
    await this.commit.syncDir();
    this.saver.forgetSaved();
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
    this.saver.forced = true;
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
    this.saver.stop();
    if (this.failure === undefined) await this.commit.flush().catch(() => undefined);
    // Also after a failure: no file may be closed under an fdatasync still running.
    await this.commit.settle();
    if (this.failure === undefined) {
      this.saver.pending = undefined;
      await this.writeState(this.takeState(this.batchesTaken)).catch((err: unknown) => {
        this.report({ kind: "io-error", file: join(this.dir, STATE_FILE), detail: `state not saved (${String(err)}); the next start rebuilds it` });
      });
      if (this.erases.length > 0 && this.saver.batch === this.batchesTaken) {
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
}
