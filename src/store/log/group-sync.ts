/**
 * Group commit for one log file. What is appended during a loop turn is written as one batch at the end
 * of the turn (setImmediate); sync() callers of that turn share the batch's one fdatasync and are
 * resolved together. While a batch's fdatasync runs, new appends and sync() calls gather for the next
 * batch, which starts as soon as the running one ends: one batch in flight, so the number of syncs
 * follows the disk's speed, not the rate of appends.
 *
 * Policy: by default sync() waits for the fdatasync, and what nobody waited for is fdatasync'ed within
 * `syncEveryMs` anyway. Lazy mode (nats-server's sync_interval) never waits for the disk: sync()
 * resolves once the batch is written to the page cache, and a timer fdatasyncs every `syncEveryMs`.
 * flush() always waits for the disk.
 *
 * Invariants:
 * - batches run one at a time, in order; a waiter resolves only when its batch and every earlier one
 *   are complete (each batch writes before it syncs, and a sync covers all earlier writes);
 * - after a failed batch nothing more runs: what reached the disk is unknown, so every waiter, now and
 *   later, is rejected, and the owner hears of it once (onError).
 */
import { deferred, type Deferred } from "../../util/deferred.js";

const RESOLVED = Promise.resolve();

export class GroupSync {
  /** Waiters for the next batch, and whether one of them needs the disk. */
  private next: Deferred | undefined;
  private nextDurable = false;
  /** The running batch: its waiters, and whether it ends with an fdatasync. */
  private running: Deferred | undefined;
  private runningDurable = false;
  /** Work was noted since the last batch started. */
  private dirty = false;
  /** A batch wrote without an fdatasync after it. */
  private unsynced = false;
  /** The timer asked for an fdatasync. */
  private timed = false;
  private scheduled = false;
  private failed: unknown;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private idle: Deferred | undefined;

  constructor(
    /** Writes what is pending; ends with an fdatasync of the file when `durable`. */
    private readonly batch: (durable: boolean) => Promise<void>,
    private readonly lazy: boolean,
    private readonly syncEveryMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  get error(): unknown {
    return this.failed;
  }

  /** Something was appended or requested: a batch runs at the end of this loop turn. */
  noteWrite(): void {
    if (this.failed !== undefined || this.stopped) return;
    this.dirty = true;
    this.schedule();
  }

  /** Resolves once everything noted before the call is as durable as the policy asks. */
  sync(): Promise<void> {
    return this.wait(!this.lazy);
  }

  /** Resolves once everything noted before the call is fdatasync'ed, whatever the policy. */
  flush(): Promise<void> {
    return this.wait(true);
  }

  private wait(durable: boolean): Promise<void> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    if (!this.dirty) {
      if (this.running !== undefined && (this.runningDurable || !durable)) return this.running.promise;
      if (this.running === undefined && !(durable && this.unsynced)) return RESOLVED;
    }
    this.next ??= deferred();
    if (durable) this.nextDurable = true;
    this.schedule();
    return this.next.promise;
  }

  /** Resolves when no batch runs or is due to (stop or drop the file only then). */
  async settle(): Promise<void> {
    while (this.running !== undefined || this.scheduled) {
      this.idle ??= deferred();
      await this.idle.promise;
    }
  }

  /** No more batches; waiters not yet served are rejected with `reason`. */
  stop(reason: Error): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.next?.reject(reason);
    this.next = undefined;
  }

  private schedule(): void {
    if (this.scheduled || this.running !== undefined) return;
    this.scheduled = true;
    setImmediate(() => void this.run());
  }

  private async run(): Promise<void> {
    this.scheduled = false;
    if (this.running !== undefined) return;
    while (this.failed === undefined && (this.dirty || this.next !== undefined || this.timed)) {
      const waiters = this.next ?? deferred();
      const wrote = this.dirty;
      const durable = (this.nextDurable || this.timed) && (wrote || this.unsynced);
      this.next = undefined;
      this.nextDurable = this.timed = this.dirty = false;
      this.running = waiters;
      this.runningDurable = durable;
      try {
        await this.batch(durable);
      } catch (e) {
        this.fail(e);
        break;
      }
      this.unsynced = durable ? false : this.unsynced || wrote;
      this.running = undefined;
      waiters.resolve();
    }
    this.running = undefined;
    if (this.unsynced && this.failed === undefined && !this.stopped && this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (!this.unsynced || this.stopped) return;
        this.timed = true;
        this.schedule();
      }, this.syncEveryMs);
      this.timer.unref();
    }
    const idle = this.idle;
    this.idle = undefined;
    idle?.resolve();
  }

  private fail(e: unknown): void {
    this.failed = e;
    this.running?.reject(e);
    this.next?.reject(e);
    this.next = undefined;
    this.onError(e);
  }
}
