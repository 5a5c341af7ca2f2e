/**
 * Group commit: whatever was appended during one event-loop turn goes to disk as one batch — one
 * write per dirty block file, then one fdatasync per file — and every sync() waiting on it resolves
 * together. Writes go to the page cache synchronously (microseconds); the fdatasyncs run in libuv's
 * thread pool, and the loop keeps accepting appends meanwhile,
 * and those form the next batch, started as soon as the current one is durable. So the number of
 * fdatasyncs follows the disk's speed, not the message rate.
 *
 * Invariants:
 * - at most one batch (or maintenance step) runs at a time, so batch k durable => batches < k durable;
 * - `pending` collects the waiters for data appended but not yet taken into a batch; `running` those
 *   of the batch in flight; sync() waits on pending if there is any such data, else on running;
 * - after a failed write or sync nothing more is attempted: the page cache state is unknown, the
 *   store must stop accepting writes (onFailure) and every waiter is rejected.
 *
 * sync_interval mode (lazy): batches are written without fdatasync, sync() resolves at once, and a
 * timer fdatasyncs the files written since the last sync — nats-server's default behaviour.
 */
import fs from "node:fs";
import { deferred, type Deferred } from "../../util/deferred.js";
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
  /** The batch's writes (and, when synced, its fdatasyncs) are complete. */
  batchDone(batch: Batch, synced: boolean): void;
  /** Slow upkeep (block deletion, compaction) to run between batches, or undefined when none is due. */
  maintain(): Promise<void> | undefined;
}

const RESOLVED = Promise.resolve();
const UPKEEP_EVERY_MS = 100;

/** Like Promise.all, but settles only when every operation has: no I/O may outlive a failure. */
async function allDone(ops: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(ops);
  for (const r of results) if (r.status === "rejected") throw r.reason;
}

export class GroupCommit {
  private pending: Deferred | undefined;
  private running: Deferred | undefined;
  /** flush() callers in lazy mode: the next batch must be synced. */
  private forced: Deferred | undefined;
  private scheduled = false;
  private busy = false;
  private failed: unknown;
  private readonly dirFd: number;
  private readonly unsynced = new Set<number>();
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
    if (this.pending === undefined) this.pending = deferred();
    this.schedule();
  }

  sync(): Promise<void> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    if (this.lazy) return RESOLVED;
    return this.pending?.promise ?? this.running?.promise ?? RESOLVED;
  }

  flush(): Promise<void> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    if (!this.lazy) return this.sync();
    if (this.forced === undefined) this.forced = deferred();
    const p = this.forced.promise;
    this.schedule();
    return p;
  }

  /** Runs maintenance now if nothing else is running (after deletions at startup, in tests). */
  poke(): void {
    this.schedule();
  }

  /** Waits until no batch or maintenance step is running and nothing is pending. */
  async settle(): Promise<void> {
    while (this.busy || this.scheduled || this.pending !== undefined || this.forced !== undefined) {
      if (this.failed !== undefined) return;
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
    if (this.scheduled || this.busy) return;
    this.scheduled = true;
    setImmediate(() => void this.run());
  }

  private async run(): Promise<void> {
    this.scheduled = false;
    if (this.busy || this.failed !== undefined) return;
    this.busy = true;
    try {
      // Batches first; upkeep when no append waits for the disk, or every UPKEEP_EVERY_MS under
      // sustained load (else a busy stream with discard old would never give its blocks back).
      for (;;) {
        const waiters = this.pending;
        const forced = this.forced;
        if (waiters !== undefined || forced !== undefined) {
          this.pending = undefined;
          this.forced = undefined;
          this.running = waiters;
          await this.runBatch(forced !== undefined || !this.lazy);
          this.running = undefined;
          waiters?.resolve();
          forced?.resolve();
        }
        const waiting = this.pending !== undefined || this.forced !== undefined;
        if (waiting && Date.now() - this.lastUpkeep < UPKEEP_EVERY_MS) continue;
        this.lastUpkeep = Date.now();
        const upkeep = this.src.maintain();
        if (upkeep !== undefined) await upkeep;
        else if (!waiting) break;
      }
    } catch (err) {
      this.fail(err);
    } finally {
      this.busy = false;
      const idle = this.idle;
      this.idle = undefined;
      idle?.resolve();
    }
  }

  private async runBatch(synced: boolean): Promise<void> {
    const batch = this.src.takeBatch();
    for (const w of batch.writes) pwriteAllSync(w.fd, w.buf, w.off, w.len, w.pos);
    if (synced) {
      for (const fd of batch.fds) this.unsynced.add(fd);
      const fds = [...this.unsynced];
      this.unsynced.clear();
      const dir = batch.dir || this.dirUnsynced;
      this.dirUnsynced = false;
      await allDone(fds.map((fd) => fdatasync(fd)));
      if (dir) await fsync(this.dirFd);
    } else {
      for (const fd of batch.fds) this.unsynced.add(fd);
      if (batch.dir) this.dirUnsynced = true;
    }
    this.src.batchDone(batch, synced);
  }

  private fail(err: unknown): void {
    this.failed = err;
    this.running?.reject(err);
    this.pending?.reject(err);
    this.forced?.reject(err);
    this.running = this.pending = this.forced = undefined;
    this.onFailure(err);
  }
}
