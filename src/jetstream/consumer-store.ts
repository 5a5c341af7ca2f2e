/**
 * Where a consumer keeps its config and state. Memory consumers keep nothing. File consumers write, in
 * their own directory `<stream dir>/obs/<name>/`:
 * - `meta.json`: name, creation time and config, replaced atomically on create and update;
 * - `state.log`: the operations of consumer-state.ts, appended in frames `[u32 len][u32 crc32][records]`.
 *
 * Durability: what is logged goes to the file as one frame within LAZY_MS (a synchronous write to the
 * page cache, which survives a crash of the process). sync() — an ack that asked for a reply — makes
 * the frame go out at once and fdatasync's it before resolving, batching every sync() of the moment
 * (group commit), like the PubAck of a message. Changes nobody waits for are fdatasync'ed within
 * SYNC_EVERY_MS. With `sync_interval` nothing waits for the disk: the timer syncs at that interval. With `sync_interval` the frame is written at once and
 * synced on the timer instead. A torn tail frame (crash during a write) fails its checksum and is cut
 * off at recovery: what it held was never confirmed to anyone.
 *
 * The log is compacted when it grows: a frame holding one snapshot of the whole state is written to a
 * new file that replaces the log (temp file, fdatasync, rename, directory fsync).
 */
import fs from "node:fs";
import { mkdir, readFile, rm, rename, open as openFile } from "node:fs/promises";
import { join } from "node:path";
import { fsyncDir, writeFileAtomic } from "../util/atomic-file.js";
import { crc32 } from "../util/crc32.js";
import { deferred, type Deferred } from "../util/deferred.js";
import { fdatasync, pwriteAllSync } from "../util/file-io.js";
import type { ConsumerConfig } from "./consumer-config.js";
import { restoreSnapshot, snapshotOf, type ConsumerState, type StateLog, type StateSnapshot } from "./consumer-state.js";

const enum Op {
  Deliver = 1,
  Ack = 2,
  AckAll = 3,
  Touch = 4,
  MaxDelivered = 5,
  Forget = 6,
  SetNext = 7,
  Reset = 8,
  Snapshot = 9,
}

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

// ---- encoding ----------------------------------------------------------------------------------

/** Unsigned LEB128 for integers up to 2^53. */
class Writer {
  /** A plain Uint8Array: element writes to it are cheaper than to a Buffer. */
  private buf = new Uint8Array(4096);
  len = 0;

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }

  byte(v: number): void {
    this.room(1);
    this.buf[this.len++] = v;
  }

  uint(v: number): void {
    this.room(8);
    const b = this.buf;
    let n = this.len;
    // Above 31 bits the low groups need float arithmetic (a division; `%` on a double is a slow call);
    // below it, int32 shifts do.
    while (v > 0x7fffffff) {
      const q = Math.floor(v / 0x80);
      b[n++] = (v - q * 0x80) | 0x80;
      v = q;
    }
    while (v >= 0x80) {
      b[n++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[n++] = v;
    this.len = n;
  }

  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.len));
    this.len = 0;
    if (this.buf.length > 1 << 20) this.buf = new Uint8Array(4096);
    return out;
  }
}

class Reader {
  pos = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly end: number,
  ) {}

  get done(): boolean {
    return this.pos >= this.end;
  }

  byte(): number {
    if (this.pos >= this.end) throw new Error("truncated record");
    return this.buf[this.pos++]!;
  }

  uint(): number {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = this.byte();
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 0x80;
    }
  }
}

function encodeSnapshot(w: Writer, s: StateSnapshot): void {
  w.byte(Op.Snapshot);
  w.uint(s.sseq);
  w.uint(s.dseq);
  w.uint(s.ackFloorStream);
  w.uint(s.ackFloorConsumer);
  w.uint(s.pending.length);
  for (const [seq, cseq, ts] of s.pending) {
    w.uint(seq);
    w.uint(cseq);
    w.uint(ts);
  }
  w.uint(s.redelivered.length);
  for (const [seq, dc] of s.redelivered) {
    w.uint(seq);
    w.uint(dc);
  }
}

/** Applies the records of one frame to `state` (its log detached). */
function replayFrame(state: ConsumerState, r: Reader): void {
  while (!r.done) {
    const op = r.byte() as Op;
    switch (op) {
      case Op.Deliver: {
        const sseq = r.uint();
        const dc = r.uint();
        state.deliver(sseq, dc, r.uint());
        break;
      }
      case Op.Ack:
        state.ack(r.uint());
        break;
      case Op.AckAll: {
        const sseq = r.uint();
        state.ackAll(sseq, r.uint());
        break;
      }
      case Op.Touch: {
        const sseq = r.uint();
        state.touch(sseq, r.uint());
        break;
      }
      case Op.MaxDelivered: {
        const sseq = r.uint();
        state.maxDelivered(sseq, r.uint());
        break;
      }
      case Op.Forget:
        state.forget(r.uint());
        break;
      case Op.SetNext:
        state.setNext(r.uint());
        break;
      case Op.Reset:
        state.reset(r.uint());
        break;
      case Op.Snapshot: {
        const snap: StateSnapshot = {
          sseq: r.uint(),
          dseq: r.uint(),
          ackFloorStream: r.uint(),
          ackFloorConsumer: r.uint(),
          pending: [],
          redelivered: [],
        };
        for (let n = r.uint(); n > 0; n--) snap.pending.push([r.uint(), r.uint(), r.uint()]);
        for (let n = r.uint(); n > 0; n--) snap.redelivered.push([r.uint(), r.uint()]);
        restoreSnapshot(state, snap);
        break;
      }
      default:
        throw new Error(`unknown consumer state record ${op as number}`);
    }
  }
}

const FRAME_HEAD = 8;

function frame(payload: Buffer): Buffer {
  const f = Buffer.allocUnsafe(FRAME_HEAD + payload.length);
  f.writeUInt32LE(payload.length, 0);
  f.writeUInt32LE(crc32(payload), 4);
  payload.copy(f, FRAME_HEAD);
  return f;
}

// ---- file store --------------------------------------------------------------------------------

const LOG = "state.log";
const META = "meta.json";
/** Compact once the log passes this size and is several times what a snapshot would take. */
const COMPACT_MIN = 1 << 20;
const COMPACT_RATIO = 4;
/**
 * Changes nobody waits for (plain acks, deliveries) are written at most this much later, in one frame
 * with everything else logged meanwhile; an ack that asked for a reply (sync) sends the frame at once.
 * A crash in between loses only changes that were never confirmed: deliveries come again, and an
 * unconfirmed ack is indistinguishable from one lost on the way.
 */
const LAZY_MS = 10;
const LAZY_MAX_BYTES = 256 * 1024;
/** Unconfirmed changes reach the disk itself at least this often. */
const SYNC_EVERY_MS = 1000;

export interface FileConsumerStoreOptions {
  /** nats-server's sync_interval: write at once, fdatasync on this timer. */
  syncIntervalMs?: number;
  /** Reported once when a write fails; the consumer keeps running on its in-memory state. */
  onError?: (err: unknown) => void;
}

export class FileConsumerStore implements ConsumerStore {
  readonly kind = "file";
  private readonly w = new Writer();
  private waiters: Deferred | undefined;
  private running: Deferred | undefined;
  private scheduled = false;
  private busy = false;
  private failed: unknown;
  private closed = false;
  private pos: number;
  private snapshotSize = 0;
  private readonly timer: NodeJS.Timeout;
  private unsynced = false;
  /** A sync() caller waits: the next batch ends with an fdatasync. */
  private syncWanted = false;
  /** The timer's fdatasync in flight: a durable batch waits for it (it may cover that batch's data). */
  private background: Promise<void> | undefined;
  private idle: Deferred | undefined;
  private lazyTimer: NodeJS.Timeout | undefined;

  private constructor(
    readonly dir: string,
    private fd: number,
    size: number,
    private readonly state: ConsumerState,
    private readonly opts: FileConsumerStoreOptions,
  ) {
    this.pos = size;
    this.timer = setInterval(() => {
      if (this.unsynced && !this.closed && !this.busy) {
        this.unsynced = false;
        const p = fdatasync(this.fd).catch((e) => this.fail(e));
        this.background = p;
        void p.then(() => {
          if (this.background === p) this.background = undefined;
        });
      }
    }, Math.max(1, opts.syncIntervalMs ?? SYNC_EVERY_MS));
    this.timer.unref();
  }

  /** Creates the directory of a new consumer, with its meta.json; `state` is attached to the log. */
  static async create(dir: string, meta: ConsumerMeta, state: ConsumerState, opts: FileConsumerStoreOptions = {}): Promise<FileConsumerStore> {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(join(dir, META), JSON.stringify(meta));
    const fh = await openFile(join(dir, LOG), "w");
    await fh.sync();
    const fd = fh.fd;
    await fsyncDir(dir);
    const store = new FileConsumerStore(dir, fd, 0, state, opts);
    // The file handle must stay open: the store owns its fd from now on.
    store.handle = fh;
    state.log = store;
    return store;
  }

  /** Reads meta.json of a consumer directory, undefined when there is none (not a consumer). */
  static async readMeta(dir: string): Promise<ConsumerMeta | undefined> {
    let text: string;
    try {
      text = await readFile(join(dir, META), "utf8");
    } catch {
      return undefined;
    }
    return JSON.parse(text) as ConsumerMeta;
  }

  /**
   * Opens an existing consumer: replays its log into `state` (a torn tail is cut off) and attaches the
   * log. Returns the store; `state` then holds the recovered state.
   */
  static async open(dir: string, state: ConsumerState, opts: FileConsumerStoreOptions = {}): Promise<FileConsumerStore> {
    const path = join(dir, LOG);
    let data: Buffer;
    try {
      data = await readFile(path);
    } catch {
      data = Buffer.alloc(0);
    }
    state.log = undefined;
    let off = 0;
    while (off + FRAME_HEAD <= data.length) {
      const len = data.readUInt32LE(off);
      const end = off + FRAME_HEAD + len;
      if (end > data.length) break;
      const payload = data.subarray(off + FRAME_HEAD, end);
      if (crc32(payload) !== data.readUInt32LE(off + 4)) break;
      replayFrame(state, new Reader(payload, payload.length));
      off = end;
    }
    const fh = await openFile(path, fs.existsSync(path) ? "r+" : "w+");
    if (off < data.length) {
      await fh.truncate(off);
      await fh.sync();
    }
    const store = new FileConsumerStore(dir, fh.fd, off, state, opts);
    store.handle = fh;
    state.log = store;
    return store;
  }

  private handle: { close(): Promise<void> } | undefined;

  // StateLog: one record each, written with the turn's frame.
  deliver(sseq: number, dc: number, ts: number): void {
    const w = this.w;
    w.byte(Op.Deliver);
    w.uint(sseq);
    w.uint(dc);
    w.uint(ts);
    this.noteWrite();
  }
  ack(sseq: number): void {
    this.rec1(Op.Ack, sseq);
  }
  ackAll(sseq: number, cseq: number): void {
    this.w.byte(Op.AckAll);
    this.w.uint(sseq);
    this.w.uint(cseq);
    this.noteWrite();
  }
  touch(sseq: number, ts: number): void {
    this.w.byte(Op.Touch);
    this.w.uint(sseq);
    this.w.uint(ts);
    this.noteWrite();
  }
  maxDelivered(sseq: number, dc: number): void {
    this.w.byte(Op.MaxDelivered);
    this.w.uint(sseq);
    this.w.uint(dc);
    this.noteWrite();
  }
  forget(sseq: number): void {
    this.rec1(Op.Forget, sseq);
  }
  setNext(sseq: number): void {
    this.rec1(Op.SetNext, sseq);
  }
  reset(sseq: number): void {
    this.rec1(Op.Reset, sseq);
  }

  private rec1(op: Op, v: number): void {
    this.w.byte(op);
    this.w.uint(v);
    this.noteWrite();
  }

  private noteWrite(): void {
    if (this.closed || this.failed !== undefined) return;
    this.waiters ??= deferred();
    if (this.scheduled || this.busy) return;
    if (this.w.len >= LAZY_MAX_BYTES) this.schedule();
    else if (this.lazyTimer === undefined) {
      this.lazyTimer = setTimeout(() => {
        this.lazyTimer = undefined;
        this.schedule();
      }, LAZY_MS);
    }
  }

  /** Resolves once everything logged so far is on disk; the pending frame goes out now. */
  sync(): Promise<void> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    if (this.closed) return RESOLVED;
    if (this.opts.syncIntervalMs !== undefined) {
      if (this.waiters !== undefined) this.schedule();
      return this.waiters?.promise ?? this.running?.promise ?? RESOLVED;
    }
    if (this.waiters === undefined && !this.unsynced && this.running === undefined) return RESOLVED;
    this.syncWanted = true;
    this.waiters ??= deferred();
    this.schedule();
    return this.waiters.promise;
  }

  async saveMeta(meta: ConsumerMeta): Promise<void> {
    await writeFileAtomic(join(this.dir, META), JSON.stringify(meta));
  }

  private schedule(): void {
    if (this.lazyTimer !== undefined) {
      clearTimeout(this.lazyTimer);
      this.lazyTimer = undefined;
    }
    if (this.scheduled || this.busy) return;
    this.scheduled = true;
    setImmediate(() => void this.run());
  }

  private async run(): Promise<void> {
    this.scheduled = false;
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.waiters !== undefined && this.failed === undefined) {
        const waiters = this.waiters;
        const durable = this.syncWanted;
        this.waiters = undefined;
        this.syncWanted = false;
        this.running = waiters;
        if (this.pos > COMPACT_MIN && this.pos > COMPACT_RATIO * this.snapshotSize) {
          this.w.take(); // covered by the snapshot, which reflects every operation logged so far
          await this.compact();
        } else {
          if (this.w.len > 0) {
            const f = frame(this.w.take());
            pwriteAllSync(this.fd, f, 0, f.length, this.pos);
            this.pos += f.length;
            this.unsynced = true;
          }
          if (durable && this.background !== undefined) await this.background;
          if (durable && this.unsynced) {
            this.unsynced = false;
            await fdatasync(this.fd);
          }
        }
        this.running = undefined;
        waiters.resolve();
      }
    } catch (e) {
      this.fail(e);
    } finally {
      this.busy = false;
      const idle = this.idle;
      this.idle = undefined;
      idle?.resolve();
    }
  }

  private async compact(): Promise<void> {
    const w = new Writer();
    encodeSnapshot(w, snapshotOf(this.state));
    const f = frame(w.take());
    const path = join(this.dir, LOG);
    const tmp = `${path}.tmp`;
    const fh = await openFile(tmp, "w");
    try {
      pwriteAllSync(fh.fd, f, 0, f.length, 0);
      await fh.sync();
    } catch (e) {
      await fh.close();
      throw e;
    }
    await rename(tmp, path);
    await fsyncDir(this.dir);
    const old = this.handle;
    this.handle = fh;
    this.fd = fh.fd;
    this.pos = f.length;
    this.snapshotSize = f.length;
    await old?.close();
  }

  private fail(e: unknown): void {
    if (this.failed !== undefined) return;
    this.failed = e;
    this.waiters?.reject(e);
    this.running?.reject(e);
    this.waiters = this.running = undefined;
    this.opts.onError?.(e);
  }

  private async settle(): Promise<void> {
    while (this.busy || this.scheduled) {
      this.idle ??= deferred();
      await this.idle.promise;
    }
  }

  async stop(): Promise<void> {
    if (this.closed) return;
    if (this.lazyTimer !== undefined) clearTimeout(this.lazyTimer);
    this.lazyTimer = undefined;
    if (this.waiters !== undefined && !this.busy) {
      this.scheduled = false;
      await this.run();
    }
    await this.settle();
    this.closed = true;
    clearInterval(this.timer);
    if (this.unsynced && this.failed === undefined) await fdatasync(this.fd).catch(() => undefined);
    this.state.log = undefined;
    await this.handle?.close();
    this.handle = undefined;
  }

  async delete(): Promise<void> {
    if (this.lazyTimer !== undefined) clearTimeout(this.lazyTimer);
    this.lazyTimer = undefined;
    this.waiters = undefined;
    await this.settle();
    this.closed = true;
    clearInterval(this.timer);
    this.state.log = undefined;
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
    await rm(this.dir, { recursive: true, force: true });
  }
}
