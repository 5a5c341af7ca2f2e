/**
 * When and how a file store saves its state (state-file.ts): once STATE_EVERY_BYTES were written
 * since the last save (that bounds the tail a crash replays), or STATE_EVERY_MS after a change, or
 * when upkeep waits for one; never more often than the cost of the last save allows. It also keeps
 * which state is on disk, which upkeep and secure erase check before touching a block.
 */
import { rename } from "node:fs/promises";
import { writeSynced } from "./repair.js";
import { encodeState, type SavedState } from "./state-file.js";

/** The state is saved once this much was written since the last one (bounds the tail a crash replays)... */
const STATE_EVERY_BYTES = 8 * 1024 * 1024;
/** ...or this long after a change; and never more often than MIN_STATE_GAP_MS times the cost of the last save. */
const STATE_EVERY_MS = 30_000;
const STATE_COST_FACTOR = 20;
const MIN_STATE_GAP_MS = 50;

/** A saved state taken at the end of a batch, to be written once that batch is durable. */
export interface PendingState {
  data: Buffer;
  batch: number;
  activeId: number;
  activeSize: number;
}

export class StateSaver {
  /** The saved state on disk: the batch it covers and the block that was active then (0: none). */
  batch = 0;
  activeId = 0;
  activeSize = 0;
  /** Upkeep or a deferred secure erase waits for a save; forced: regardless of the rate limit. */
  wanted = false;
  forced = false;
  /** Taken at the end of a batch, written once that batch is durable. */
  pending: PendingState | undefined;
  private lastAt = 0;
  private lastCostMs = 0;
  private bytesSince = 0;
  private changedSince = false;
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param path the state file
   * @param syncDir makes the rename durable (the store's directory fsync)
   * @param wake asks the store for an upkeep turn, when a deferred save comes due
   */
  constructor(
    private readonly path: string,
    private readonly syncDir: () => Promise<void>,
    private readonly wake: () => void,
  ) {}

  /** Counts from now, as if a state had just been saved (at open). */
  restart(): void {
    this.lastAt = Date.now();
  }

  noteChange(bytes: number): void {
    this.bytesSince += bytes;
    this.changedSince = true;
  }

  /**
   * Whether to save now. Saves when upkeep waits for one, when a lot was written since the last
   * (a crash then replays at most that much), or some time after a change; never more often than
   * its cost allows. When a write is pending (not quiet) the save is left to the end of the next batch.
   */
  due(quiet: boolean): boolean {
    const now = Date.now();
    const byVolume = this.bytesSince >= STATE_EVERY_BYTES;
    const byTime = this.changedSince && now - this.lastAt >= STATE_EVERY_MS;
    if (!this.forced && !this.wanted && !byVolume && !byTime) {
      if (this.changedSince) this.arm(this.lastAt + STATE_EVERY_MS - now);
      return false;
    }
    const gap = Math.max(MIN_STATE_GAP_MS, STATE_COST_FACTOR * this.lastCostMs);
    if (!this.forced && now - this.lastAt < gap) {
      this.wanted = true;
      this.arm(this.lastAt + gap - now);
      return false;
    }
    if (quiet) {
      this.wanted = this.forced = false;
      return true;
    }
    this.wanted = true;
    return false;
  }

  private arm(ms: number): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.wake();
    }, Math.max(1, ms));
    this.timer.unref();
  }

  /** `st` as of the end of batch `batch`, to be written once that batch is durable. */
  take(st: SavedState, batch: number): PendingState {
    this.bytesSince = 0;
    this.changedSince = false;
    return { data: encodeState(st), batch, activeId: st.activeId, activeSize: st.activeSize };
  }

  async write(ps: PendingState): Promise<void> {
    const t0 = Date.now();
    await writeSynced(`${this.path}.tmp`, ps.data);
    await rename(`${this.path}.tmp`, this.path);
    await this.syncDir();
    this.batch = ps.batch;
    this.activeId = ps.activeId;
    this.activeSize = ps.activeSize;
    this.lastAt = Date.now();
    this.lastCostMs = this.lastAt - t0;
  }

  /** The state on disk is gone (truncate removed it): it covers nothing. */
  forgetSaved(): void {
    this.batch = this.activeId = this.activeSize = 0;
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
  }
}
