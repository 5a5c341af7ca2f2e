/**
 * The memory budget for file stores' caches: the indexes (block-index.ts) of sealed blocks that were
 * loaded to serve reads (and any bytes such a block still holds). One budget is shared by every file store that is given the same
 * BlockCache (a server shares one across its streams), so memory is set by the operator, not by the
 * number or length of streams. Least recently used blocks are dropped first when a load passes the
 * budget, and blocks unused for IDLE_MS are dropped by a periodic sweep.
 *
 * Not counted and never dropped: each store's active block (being appended to) and blocks whose bytes
 * are not yet handed to the disk; the owner says which by `pinned`.
 */

export interface Cacheable {
  /** Bytes held by this entry's cache (0 when nothing is loaded). */
  cachedBytes(): number;
  /** Drops whatever can be reloaded. */
  evict(): void;
  /** True while this entry must stay loaded. */
  pinned(): boolean;
  lastUse: number;
}

export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;
const IDLE_MS = 10_000;
const SWEEP_MS = 2_000;

export class BlockCache {
  private readonly entries = new Set<Cacheable>();
  private used = 0;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(public budget = DEFAULT_CACHE_BYTES) {}

  /** A cheap "used now" for the hot paths: a coarse clock, refreshed by the sweep and by admissions. */
  now = Date.now();

  /** e was loaded (or grew): count it and make room by dropping others. */
  admit(e: Cacheable): void {
    this.now = Date.now();
    e.lastUse = this.now;
    this.entries.add(e);
    this.recount();
    if (this.used > this.budget) this.shrink(e);
    this.startSweeper();
  }

  /** e's store closed or e was dropped by its owner. */
  forget(e: Cacheable): void {
    if (this.entries.delete(e)) this.recount();
  }

  /** Bytes the budget counts now (entries not pinned). */
  heldBytes(): number {
    this.recount();
    return this.used;
  }

  private recount(): void {
    let n = 0;
    for (const e of this.entries) if (!e.pinned()) n += e.cachedBytes();
    this.used = n;
  }

  /** Drops least recently used entries (never keep) until within budget. */
  private shrink(keep: Cacheable): void {
    const order = [...this.entries].filter((e) => e !== keep && !e.pinned()).sort((a, b) => a.lastUse - b.lastUse);
    for (const e of order) {
      if (this.used <= this.budget) break;
      this.used -= e.cachedBytes();
      e.evict();
      this.entries.delete(e);
    }
  }

  private startSweeper(): void {
    if (this.sweeper !== undefined) return;
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  private sweep(): void {
    this.now = Date.now();
    const cutoff = this.now - IDLE_MS;
    for (const e of this.entries) {
      if (e.pinned() || e.lastUse > cutoff) continue;
      e.evict();
      this.entries.delete(e);
    }
    this.recount();
    if (this.entries.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }
}
