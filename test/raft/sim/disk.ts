/**
 * A node's virtual disk, as the I/O shell would see store/log and its hard-state file.
 *
 * - Writes land in the page cache; only what a completed sync covered survives a crash, plus a random
 *   prefix of the rest (the OS may have flushed some), whose last entry may be torn (cut by the scan).
 * - A truncation or compaction is durable at once (store/log syncs a cut before writing after it, and
 *   compacts by atomic rename); the hard state is written atomically before anything depends on it.
 * - Damage: a flipped bit in an entry or in the snapshot, or a file cut short below what was synced.
 *   On restart the scan keeps the verified prefix and says so; the cut-short case is seen because the
 *   log ends before the synced mark (kept with the hard state). See the report: the real shell needs
 *   such a mark too.
 */
import type { Entry, HardState, Index, Snapshot, Term } from "../../../src/raft/types.js";
import type { Rng } from "./network.js";

export interface ReadBack {
  hardState: HardState;
  snapshot: Snapshot | undefined;
  entries: Entry[];
  damaged: boolean;
}

interface PendingSync {
  target: Index;
}

export class SimDisk {
  hard: HardState = { term: 0, votedFor: undefined, repairAbove: undefined };
  private snapshot: Snapshot | undefined;
  private entries: Entry[] = [];
  /** Everything through this index is on stable storage. */
  private synced: Index = 0;
  private pending = new Set<PendingSync>();
  /** The first index whose bytes fail their checksum (a flipped bit); Infinity: none. */
  private corruptFrom = Infinity;
  private snapshotCorrupt = false;

  private get base(): Index {
    return this.snapshot?.index ?? 0;
  }

  /** The synced mark: through here a crash loses nothing (damage aside). */
  get syncedThrough(): Index {
    return this.synced;
  }

  get lastIndex(): Index {
    return this.base + this.entries.length;
  }

  /** Whether a crash now would keep the entry (index, term): synced, in the log or in the snapshot. */
  holdsDurably(index: Index, term: Term): boolean {
    if (index > this.synced || index > this.lastIndex) return false;
    if (index <= this.base) return true; // compacted: snapshots hold committed entries only
    return this.entries[index - this.base - 1]!.term === term;
  }

  append(entries: readonly Entry[]): void {
    for (const e of entries) {
      if (e.index !== this.lastIndex + 1) throw new Error(`sim disk: append ${e.index} after ${this.lastIndex}`);
      this.entries.push(e);
    }
  }

  truncateAfter(index: Index): void {
    this.entries.length = Math.max(0, Math.min(this.entries.length, index - this.base));
    this.synced = Math.min(this.synced, index);
    for (const p of this.pending) p.target = Math.min(p.target, index);
  }

  /** Starts an fsync through `index`; the returned function completes it. */
  sync(index: Index): () => void {
    const p: PendingSync = { target: Math.min(index, this.lastIndex) };
    this.pending.add(p);
    return () => {
      if (!this.pending.delete(p)) return;
      this.synced = Math.max(this.synced, p.target);
    };
  }

  compact(s: Snapshot): void {
    if (s.index <= this.base) return;
    this.entries = this.entries.slice(s.index - this.base);
    this.snapshot = s;
    this.synced = Math.max(this.synced, s.index);
  }

  install(s: Snapshot): void {
    if (s.index <= this.base) return;
    const keeps = s.index <= this.lastIndex && this.entries[s.index - this.base - 1]!.term === s.term;
    if (keeps) return this.compact(s);
    this.entries = [];
    this.snapshot = s;
    this.synced = s.index;
    this.pending.clear();
  }

  /** Power loss: the page cache is gone but for a random part of it; syncs in flight never finish. */
  crash(rng: Rng): void {
    this.pending.clear();
    const unsynced = this.lastIndex - this.synced;
    const kept = unsynced > 0 ? rng.int(unsynced + 1) : 0;
    this.entries.length = Math.max(0, this.synced + kept - this.base);
    this.synced = this.lastIndex;
  }

  /** Damages what is on disk: a bit flip in an entry or the snapshot, or a cut below the synced mark. */
  damage(rng: Rng): void {
    const r = rng.next();
    if (r < 0.15 && this.snapshot) this.snapshotCorrupt = true;
    else if (this.entries.length === 0) return;
    else if (r < 0.6) this.corruptFrom = Math.min(this.corruptFrom, this.base + 1 + rng.int(this.entries.length));
    else this.entries.length = rng.int(this.entries.length);
  }

  /** What the shell reads back at start: the verified prefix, and whether anything was lost. */
  readBack(): ReadBack {
    let damaged = this.lastIndex < this.synced;
    if (this.snapshotCorrupt) {
      this.snapshot = undefined;
      this.entries = [];
      this.snapshotCorrupt = false;
      damaged = true;
    } else if (this.corruptFrom <= this.lastIndex) {
      this.entries.length = this.corruptFrom - 1 - this.base;
      damaged = true;
    }
    this.corruptFrom = Infinity;
    this.synced = this.lastIndex;
    return { hardState: this.hard, snapshot: this.snapshot, entries: [...this.entries], damaged };
  }
}
