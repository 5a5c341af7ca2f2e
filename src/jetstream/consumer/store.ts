/**
 * Where a consumer keeps its config and state. Memory consumers keep nothing. File consumers write, in
 * their own directory `<stream dir>/obs/<name>/`:
 * - `meta.json`: name, creation time and config, replaced atomically on create and update;
 * - `state.log`: a durable log (store/log) whose entries are the operations of state.ts
 *   (state-codec.ts), one entry per batch, and whose snapshot is the whole state.
 *
 * Durability: what is logged is appended to the log as one entry within LAZY_MS, and the log writes it
 * to the page cache (which survives a crash of the process) at the end of that turn. sync() — an ack
 * that asked for a reply — appends at once and resolves when the log's group commit has fdatasync'ed
 * it, like the PubAck of a message; changes nobody waits for reach the disk within the log's own
 * interval. With `sync_interval` (lazy) nothing waits for the disk. A crash in between loses only
 * changes never confirmed to anyone: deliveries come again, and an unconfirmed ack is
 * indistinguishable from one lost on the way.
 *
 * The log is compacted when it grows: everything logged is replaced by one snapshot of the state.
 * A state.log in the format of earlier versions (store-legacy.ts) is upgraded in place on open.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../util/atomic-file.js";
import { DurableLog, LogFormatError, type LogOptions } from "../../store/log/durable-log.js";
import type { ConsumerConfig } from "./config.js";
import { RecordingLog, replayRecords, snapshotRecord } from "./state-codec.js";
import { ConsumerState, restoreSnapshot, type StateLog, type StateSnapshot } from "./state.js";
import { replayLegacyLog } from "./store-legacy.js";

/** What meta.json holds. */
export interface ConsumerMeta {
  name: string;
  /** ns since the epoch. */
  created: number;
  config: ConsumerConfig;
}

export interface ConsumerStore extends StateLog {
  readonly kind: "memory" | "file";
  /** Resolves once every change logged before the call is durable (at once for memory). */
  sync(): Promise<void>;
  saveMeta(meta: ConsumerMeta): Promise<void>;
  /** Writes out what is logged and releases the files. */
  stop(): Promise<void>;
  /** stop() and remove the consumer's directory. */
  delete(): Promise<void>;
}

const RESOLVED = Promise.resolve();

export class MemoryConsumerStore implements ConsumerStore {
  readonly kind = "memory";
  deliver(): void {}
  ack(): void {}
  ackAll(): void {}
  touch(): void {}
  maxDelivered(): void {}
  forget(): void {}
  setNext(): void {}
  reset(): void {}
  sync(): Promise<void> {
    return RESOLVED;
  }
  saveMeta(): Promise<void> {
    return RESOLVED;
  }
  stop(): Promise<void> {
    return RESOLVED;
  }
  delete(): Promise<void> {
    return RESOLVED;
  }
}

// ---- file store --------------------------------------------------------------------------------

const LOG = "state.log";
const META = "meta.json";
/** Compact once the log passes this size and is several times what a snapshot takes. */
const COMPACT_MIN = 1 << 20;
const COMPACT_RATIO = 4;
/** Changes nobody waits for (plain acks, deliveries) go to the log at most this much later, in one entry. */
const LAZY_MS = 10;
const LAZY_MAX_BYTES = 256 * 1024;

export type FileConsumerStoreOptions = LogOptions;

function isMissing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === "ENOENT";
}

export class FileConsumerStore extends RecordingLog implements ConsumerStore {
  readonly kind = "file";
  private lazyTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly log: DurableLog,
    private readonly state: ConsumerState,
    /** Bytes of the last snapshot: the measure of what compaction would leave. */
    private snapshotSize: number,
    /** When open() found the log damaged: the copy kept of it (the state is what preceded the damage). */
    readonly damagedCopy?: string,
  ) {
    super();
    state.log = this;
  }

  /** Creates the directory of a new consumer, with its meta.json; `state` is attached to the log. */
  static async create(dir: string, meta: ConsumerMeta, state: ConsumerState, opts: FileConsumerStoreOptions = {}): Promise<FileConsumerStore> {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    // Lazily synced (ephemerals, sync_interval): a crash may lose the consumer, as it may lose its state.
    if (opts.syncIntervalMs === undefined) await writeFileAtomic(join(dir, META), JSON.stringify(meta));
    else await writeFile(join(dir, META), JSON.stringify(meta));
    return new FileConsumerStore(dir, await DurableLog.create(join(dir, LOG), opts), state, 0);
  }

  /**
   * Writes the directory of a consumer that resumes from `snapshot` (an imported nats-server consumer):
   * meta.json and a log holding the snapshot; recovery opens it like any other.
   */
  static async write(dir: string, meta: ConsumerMeta, snapshot: StateSnapshot): Promise<void> {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(join(dir, META), JSON.stringify(meta));
    const state = new ConsumerState();
    restoreSnapshot(state, snapshot);
    const log = await DurableLog.create(join(dir, LOG), {}, { index: 0, data: snapshotRecord(state) });
    await log.close();
  }

  /** Reads meta.json of a consumer directory, undefined when there is none (not a consumer). */
  static readMeta(dir: string): ConsumerMeta | undefined {
    let text: string;
    try {
      text = readFileSync(join(dir, META), "utf8");
    } catch {
      return undefined;
    }
    return JSON.parse(text) as ConsumerMeta;
  }

  /**
   * Opens an existing consumer: replays its log into `state` and attaches the log. A log of the current
   * format is read synchronously (recovery opens every consumer in turn); an old-format one is replaced
   * by its snapshot, a missing one (a crash while creating) by an empty log.
   */
  static async open(dir: string, state: ConsumerState, opts: FileConsumerStoreOptions = {}): Promise<FileConsumerStore> {
    const path = join(dir, LOG);
    state.log = undefined;
    try {
      const { log, snapshot, entries, damagedCopy } = DurableLog.open(path, opts);
      if (snapshot !== undefined) replayRecords(state, snapshot.data);
      for (const e of entries) replayRecords(state, e);
      return new FileConsumerStore(dir, log, state, snapshot?.data.length ?? 0, damagedCopy);
    } catch (e) {
      if (!isMissing(e) && !(e instanceof LogFormatError)) throw e;
    }
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch (e) {
      if (!isMissing(e)) throw e;
      data = Buffer.alloc(0);
    }
    replayLegacyLog(state, data);
    const snapshot = snapshotRecord(state);
    const log = await DurableLog.create(path, opts, { index: 0, data: snapshot });
    return new FileConsumerStore(dir, log, state, snapshot.length);
  }

  // StateLog (RecordingLog): one record each, appended to the log with the batch.
  protected override noteWrite(): void {
    if (this.w.len >= LAZY_MAX_BYTES) this.append();
    else if (this.lazyTimer === undefined) {
      this.lazyTimer = setTimeout(() => {
        this.lazyTimer = undefined;
        this.append();
      }, LAZY_MS);
    }
  }

  /** The records written so far become one entry, or, when the log has grown enough, a snapshot. */
  private append(): void {
    if (this.lazyTimer !== undefined) clearTimeout(this.lazyTimer);
    this.lazyTimer = undefined;
    if (this.w.len === 0) return;
    if (this.log.failed !== undefined) {
      // The log stopped (reported through onError); the consumer runs on in memory.
      this.w.clear();
      return;
    }
    const size = this.log.size;
    if (size > COMPACT_MIN && size > COMPACT_RATIO * this.snapshotSize) {
      // The snapshot reflects every operation so far, those written here included.
      this.w.clear();
      const snap = snapshotRecord(this.state);
      this.snapshotSize = snap.length;
      this.log.compact(this.log.lastIndex, snap).catch(() => undefined);
      return;
    }
    this.log.append(this.w.take());
  }

  /** Resolves once everything logged so far is durable; what is logged goes out now. */
  sync(): Promise<void> {
    if (this.closed) return RESOLVED;
    this.append();
    return this.log.sync();
  }

  async saveMeta(meta: ConsumerMeta): Promise<void> {
    await writeFileAtomic(join(this.dir, META), JSON.stringify(meta));
  }

  async stop(): Promise<void> {
    if (this.closed) return;
    this.append();
    this.closed = true;
    this.state.log = undefined;
    await this.log.close();
  }

  async delete(): Promise<void> {
    if (this.lazyTimer !== undefined) clearTimeout(this.lazyTimer);
    this.lazyTimer = undefined;
    this.closed = true;
    this.state.log = undefined;
    await this.log.drop();
    await rm(this.dir, { recursive: true, force: true });
  }
}
