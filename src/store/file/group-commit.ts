/**
 * Group commit: whatever was appended during one event-loop turn goes to disk as one batch — one
 * write per dirty block file, then one fdatasync per file — and every sync() waiting on it resolves
 * together. Writes go to the page cache synchronously (microseconds); the fdatasyncs run in libuv's
 * thread pool, and the loop keeps accepting appends meanwhile. Those form the next batch, which
 * starts its own fdatasync at once while up to MAX_IN_FLIGHT - 1 earlier ones are still running: a
 * publisher with a window of acks in flight then finds some of them acknowledged while the disk works
 * on the rest, instead of the whole window waiting for one sync. So the number of fdatasyncs follows
 * the disk's speed, not the message rate.
 *
 * Invariants:
 * - batches complete in the order they were taken: batchDone and the waiters of batch k run only
 *   after those of every batch before k, so "batch k durable" always implies "batches < k durable"
 *   (each batch's fdatasync covers its own writes; earlier ones are covered by their own syncs);
 * - maintenance (block deletion, compaction) runs only while no batch is in flight;
 * - `pending` collects the waiters for data appended but not yet taken into a batch; sync() waits on
 *   pending if there is any such data, else on the newest batch in flight;
 * - after a failed write or sync nothing more is started: the page cache state is unknown, the store
 *   must stop accepting writes (onFailure) and every waiter is rejected. I/O already in flight is
 *   still awaited by settle(), so that no file is closed under a running fdatasync.
 *
 * sync_interval mode (lazy): batches are written without fdatasync, sync() resolves at once, and a
 * timer fdatasyncs the files written since the last sync — nats-server's default behaviour.
 */
import fs from "node:fs";
import { deferred, type Deferred } from "../../util/deferred.js";
import { commitMetrics } from "./commit-metrics.js";
import { fdatasync, fsync, pwriteAllSync } from "./io.js";

export interface WriteOp {
  fd: number;
  buf: Buffer;
  off: number;
  len: number;
  pos: number;
}

export interface Batch {
  writes: WriteOp[];
  /** Files that need an fdatasync for this batch to be durable. */
  fds: number[];
  /** A block file was created or removed: the directory needs an fsync too. */
  dir: boolean;
}

export interface BatchSource {
  /** Hands over everything appended so far as writes. */
  takeBatch(): Batch;
  /** The batch's writes (and, when synced, its fdatasyncs) are complete; called in batch order. */
  batchDone(batch: Batch, synced: boolean): void;
  /** Slow upkeep (block deletion, compaction) to run between batches, or undefined when none is due. */
  maintain(): Promise<void> | undefined;
}

/** A batch taken and written, whose sync may still be running. */
interface InFlight {
  batch: Batch;
  synced: boolean;
  /** Resolved when this batch and every earlier one are complete. */
  waiters: Deferred;
  /** lazy-mode flush() callers this batch syncs for. */
  forced: Deferred | undefined;
  done: boolean;
  /** performance.now() when the batch's first append was noted. */
  since: number;
}

const RESOLVED = Promise.resolve();
const UPKEEP_EVERY_MS = 100;
/**
 * Batches whose fdatasyncs may overlap. On this class of disk (virtio, ext4) overlapping syncs raise the
 * batches completed per second: measured with 24 KB batches, one at a time ~330 us each, two ~250 us,
 * three ~200 us, four no better; each sync takes longer, so more only adds latency.
 */
const MAX_IN_FLIGHT = 3;

/** Like Promise.all, but settles only when every operation has: no I/O may outlive a failure. */
async function allDone(ops: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(ops);
  for (const r of results) if (r.status === "rejected") throw r.reason;
}

export class GroupCommit {
  private pending: Deferred | undefined;
  /** performance.now() when the first append waiting in `pending` was noted. */
  private pendingSince = 0;
  /** flush() callers in lazy mode: the next batch must be synced. */
  private forced: Deferred | undefined;
  private readonly inFlight: InFlight[] = [];
  /** fdatasync/fsync calls running in the thread pool. */
  private ioRunning = 0;
  private maintaining = false;
  private scheduled = false;
  private failed: unknown;
  private readonly dirFd: number;
  private readonly unsynced = new Set<number>();
  /** Descriptors with an fdatasync running, and how many. */
  private readonly syncing = new Map<number, number>();
  private dirUnsynced = false;
  private readonly interval: NodeJS.Timeout | undefined;
  private idle: Deferred | undefined;
  private lastUpkeep = 0;

  constructor(
    private readonly src: BatchSource,
    dir: string,
    private readonly syncIntervalMs: number | undefined,
    private readonly onFailure: (err: unknown) => void,
  ) {
    this.dirFd = fs.openSync(dir, "r");
    if (syncIntervalMs !== undefined) {
      this.interval = setInterval(() => {
        if (this.unsynced.size > 0 || this.dirUnsynced) void this.flush().catch(() => undefined);
      }, Math.max(1, syncIntervalMs));
      this.interval.unref();
    }
  }

  get lazy(): boolean {
    return this.syncIntervalMs !== undefined;
  }

  /** Something was appended: make sure a batch runs at the end of this loop turn. */
  noteWrite(): void {
    if (this.failed !== undefined) return;
    if (this.pending === undefined) {
      this.pending = deferred();
      this.pendingSince = performance.now();
    }
    this.schedule();
  }

  sync(): Promise<void> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    if (this.lazy) return RESOLVED;
    return this.pending?.promise ?? this.inFlight.at(-1)?.waiters.promise ?? RESOLVED;
  }

  flush(): Promise<void> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    if (!this.lazy) return this.sync();
    if (this.forced === undefined) this.forced = deferred();
    const p = this.forced.promise;
    this.schedule();
    return p;
  }

  /** Nothing appended waits for a batch and no batch is in flight: the store's memory matches its taken batches. */
  get quiet(): boolean {
    return this.pending === undefined && this.forced === undefined && this.inFlight.length === 0;
  }

  /**
   * Whether fd was written and still waits for its fdatasync, or one is running on it: the file must
   * not be closed then (a sync of a closed or reused descriptor would not make the batch durable).
   */
  isBusy(fd: number): boolean {
    return this.unsynced.has(fd) || this.syncing.has(fd);
  }

  /** Runs maintenance now if nothing else is running (after deletions at startup, in tests). */
  poke(): void {
    this.schedule();
  }

  /**
   * Waits until no batch or maintenance step is running and nothing is pending; after a failure,
   * until the I/O that was in flight has returned.
   */
  async settle(): Promise<void> {
    for (;;) {
      const busy = this.failed !== undefined
        ? this.ioRunning > 0 || this.maintaining
        : this.inFlight.length > 0 || this.maintaining || this.scheduled || this.pending !== undefined || this.forced !== undefined;
      if (!busy) return;
      if (this.idle === undefined) this.idle = deferred();
      await this.idle.promise;
    }
  }

  /** fsyncs the store directory (after maintenance created, renamed or removed files). */
  syncDir(): Promise<void> {
    return fsync(this.dirFd);
  }

  /** The file behind fd is going away: it needs no more syncs. */
  forgetFd(fd: number): void {
    this.unsynced.delete(fd);
  }

  close(): void {
    if (this.interval !== undefined) clearInterval(this.interval);
    fs.closeSync(this.dirFd);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.pump());
  }

  /**
   * Starts batches while there is data and a free slot; upkeep when no append waits for the disk, or
   * every UPKEEP_EVERY_MS under sustained load (else a busy stream with discard old would never give
   * its blocks back) — then new batches wait until the ones in flight are done and upkeep has run.
   */
  private pump(): void {
    this.scheduled = false;
    if (this.failed !== undefined || this.maintaining) return this.wakeIdle();
    try {
      for (;;) {
        const waiting = this.pending !== undefined || this.forced !== undefined;
        const upkeepTurn = !waiting || Date.now() - this.lastUpkeep >= UPKEEP_EVERY_MS;
        if (waiting && !upkeepTurn && this.inFlight.length < MAX_IN_FLIGHT) {
          this.startBatch();
          continue;
        }
        if (this.inFlight.length > 0 || !upkeepTurn) break;
        this.lastUpkeep = Date.now();
        const upkeep = this.src.maintain();
        if (upkeep === undefined) {
          if (!waiting) break;
          // Nothing to keep up: batches may go on for another period.
          continue;
        }
        this.maintaining = true;
        upkeep.then(
          () => {
            this.maintaining = false;
            this.schedule();
          },
          (err: unknown) => {
            this.maintaining = false;
            this.fail(err);
          },
        );
        break;
      }
    } catch (err) {
      this.fail(err);
    }
    this.wakeIdle();
  }

  private startBatch(): void {
    const forced = this.forced;
    const since = this.pending !== undefined ? this.pendingSince : performance.now();
    const waiters = this.pending ?? deferred();
    this.pending = undefined;
    this.forced = undefined;
    const synced = forced !== undefined || !this.lazy;
    const batch = this.src.takeBatch();
    const entry: InFlight = { batch, synced, waiters, forced, done: false, since };
    this.inFlight.push(entry);
    let bytes = 0;
    for (const w of batch.writes) {
      pwriteAllSync(w.fd, w.buf, w.off, w.len, w.pos);
      bytes += w.len;
    }
    if (bytes > 0) commitMetrics.batchBytes.observe(bytes);
    for (const fd of batch.fds) this.unsynced.add(fd);
    if (batch.dir) this.dirUnsynced = true;
    if (!synced) {
      entry.done = true;
      this.complete();
      return;
    }
    const fds = [...this.unsynced];
    this.unsynced.clear();
    const dir = this.dirUnsynced;
    this.dirUnsynced = false;
    this.ioRunning++;
    for (const fd of fds) this.syncing.set(fd, (this.syncing.get(fd) ?? 0) + 1);
    const syncStart = performance.now();
    const syncEnded = (): void => {
      for (const fd of fds) {
        const n = this.syncing.get(fd)! - 1;
        if (n === 0) this.syncing.delete(fd);
        else this.syncing.set(fd, n);
      }
    };
    allDone(fds.map((fd) => fdatasync(fd)))
      .then(() => (dir ? fsync(this.dirFd) : undefined))
      .then(
        () => {
          commitMetrics.syncSeconds.observe((performance.now() - syncStart) / 1000);
          this.ioRunning--;
          syncEnded();
          entry.done = true;
          this.complete();
        },
        (err: unknown) => {
          this.ioRunning--;
          syncEnded();
          this.fail(err);
          this.wakeIdle();
        },
      );
  }

  /** Finishes the batches at the head that are done, in order, and looks for more work. */
  private complete(): void {
    if (this.failed !== undefined) return this.wakeIdle();
    while (this.inFlight.length > 0 && this.inFlight[0]!.done) {
      const e = this.inFlight.shift()!;
      if (e.synced) commitMetrics.commitSeconds.observe((performance.now() - e.since) / 1000);
      this.src.batchDone(e.batch, e.synced);
      e.waiters.resolve();
      e.forced?.resolve();
    }
    this.schedule();
  }

  private wakeIdle(): void {
    const idle = this.idle;
    this.idle = undefined;
    idle?.resolve();
  }

  private fail(err: unknown): void {
    if (this.failed !== undefined) return;
    this.failed = err;
    for (const e of this.inFlight.splice(0)) {
      e.waiters.reject(err);
      e.forced?.reject(err);
    }
    this.pending?.reject(err);
    this.forced?.reject(err);
    this.pending = this.forced = undefined;
    this.onFailure(err);
  }
}
