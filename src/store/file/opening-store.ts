/**
 * Opening a file store: from the saved state (state-file.ts) plus a replay of the records written
 * after it (the tail), so a restart reads one small file and the newest block. Without a usable state
 * (none, damaged, or disagreeing with the blocks) the store is rebuilt from the blocks, one block at a
 * time: the data always wins. Sealed blocks get index files (index-file.ts) so that loading one reads
 * its index, not its data.
 *
 * Invariant: a block that lost messages in the replayed tail is marked removed in batch 1, so upkeep
 * leaves it alone until a state newer than the one read (which describes it otherwise) is saved.
 */
import fs from "node:fs";
import { mkdir, readdir, readFile, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fsyncDir } from "../../util/atomic-file.js";
import { BinaryError } from "../../util/binary.js";
import { StoreError } from "../errors.js";
import { fileStoreMsgSize } from "../msg-size.js";
import { RecordKind, markerPayload, type RecordView } from "../record.js";
import { AppendingStore } from "./appending-store.js";
import { Block, parseBlockFileName } from "./block.js";
import { GroupCommit } from "./group-commit.js";
import { RecoveryAccumulator, lostSequences } from "./recovery.js";
import { repairBlock } from "./repair.js";
import { scanBlock, type BlockScan, type Problem } from "./scan.js";
import { hasHeaders, headerSeq, indexOfScan, relayout } from "./scanned-block.js";
import { STATE_FILE, readState, type SavedState } from "./state-file.js";

/** At most this many lost sequences are listed in state().lost. */
const MAX_LOST_LISTED = 100_000;

/** A saved state as read back (its subjects went straight into the totals). */
type SavedFrame = Omit<SavedState, "subjects">;

export abstract class OpeningStore extends AppendingStore {
  /** How the last open went: from the saved state or rebuilt from the blocks, and how many blocks it read whole. */
  readonly opened = { fromState: false, blocksRead: 0 };

  async load(): Promise<void> {
    const made = await mkdir(this.dir, { recursive: true });
    if (made !== undefined) {
      // New directories exist durably only once their parents are synced.
      for (let d = this.dir; ; d = dirname(d)) {
        await fsyncDir(dirname(d));
        if (d === made) break;
      }
    }
    const names = await readdir(this.dir);
    // Half-written files of an earlier life; one already gone (renamed by a writer still finishing) is fine.
    for (const n of names) if (n.endsWith(".tmp")) await unlink(join(this.dir, n)).catch((e: NodeJS.ErrnoException) => { if (e.code !== "ENOENT") throw e; });
    const ids = names.map(parseBlockFileName).filter((id): id is number => id !== undefined).sort((a, b) => a - b);
    const saved = names.includes(STATE_FILE) ? await this.readSavedState() : undefined;
    let lastScan = saved === undefined ? undefined : await this.openFromState(saved, ids);
    this.opened.fromState = lastScan !== undefined;
    if (lastScan === undefined) {
      if (saved !== undefined) this.resetForRebuild();
      lastScan = await this.rebuild(ids);
    }
    if (this.lastSeq === 0 && this.opts.firstSeq !== undefined && this.opts.firstSeq > 1) {
      this.lastSeq = this.opts.firstSeq - 1;
      this.floor = this.writtenFloor = this.durableFloor = this.opts.firstSeq;
    }
    this.commit = new GroupCommit(this, this.dir, this.opts.syncIntervalMs, (err) => this.failed(err));
    this.saver.restart();
    this.openActive(lastScan);
    this.enforceLoadedLimits();
    this.startExpiry();
    this.upkeepDue = true;
    this.commit.poke();
  }

  private async readSavedState(): Promise<SavedFrame | undefined> {
    const path = join(this.dir, STATE_FILE);
    try {
      return await readState(path, (img) => this.totals.load(img));
    } catch (err) {
      // RangeError: subject totals that cannot be right (SubjectTotals.load).
      if (!(err instanceof BinaryError || err instanceof RangeError)) throw err;
      this.forgetRecovered();
      this.report({ kind: "bad-state", file: path, detail: `${err.message}; rebuilding from the blocks` });
      return undefined;
    }
  }

  /**
   * Restores the saved state and replays the records written after it. Returns the scan of the last
   * block, or undefined when the state disagrees with the blocks (nothing is kept then).
   */
  private async openFromState(st: SavedFrame, ids: number[]): Promise<BlockScan | undefined> {
    const onDisk = new Set(ids);
    const bad = (why: string): undefined => {
      this.report({ kind: "bad-state", file: join(this.dir, STATE_FILE), detail: `${why}; rebuilding from the blocks` });
      return undefined;
    };
    const known = new Set(st.blocks.map((b) => b.id));
    if (!onDisk.has(st.activeId) || !known.has(st.activeId)) return bad(`active block ${st.activeId} is missing`);
    for (const b of st.blocks) if (!onDisk.has(b.id) && b.live > 0) return bad(`block ${b.id} with live messages is missing`);
    for (const id of ids) if (!known.has(id) && id < st.activeId) return bad(`block ${id} is not in the state`);
    for (const s of st.blocks) {
      if (!onDisk.has(s.id)) continue;
      const b = new Block(this.dir, s.id, this);
      b.restore(s);
      b.size = b.written = b.fileSize = s.dataLen;
      b.lastRecOff = s.lastRecOff;
      b.tailHead = s.lastRecHead;
      // A sealed block compacted since the state no longer ends as described: it must still hold every
      // message the state calls live (a state from an older generation may not, and is not trusted).
      if (s.id < st.activeId && !this.endsAsDescribed(b, s) && !(await this.stillHoldsLive(b))) return bad(`block ${s.id} lacks messages the state calls live`);
      this.blocks.push(b);
      this.set.live += s.live;
    }
    this.restoreTotals(st.bytes, st.ttls);
    this.lastSeq = st.lastSeq;
    this.lastTime = st.lastTime;
    this.floor = this.writtenFloor = this.durableFloor = st.floor;
    this.lost = st.lost;
    // The tail: the rest of the block active then, and every block after it.
    const liveAtState = new Map(this.blocks.map((b) => [b, b.live]));
    let lastScan: BlockScan | undefined;
    const tailIds = ids.filter((x) => x >= st.activeId);
    const tail: { b: Block; problems: Problem[] }[] = [];
    const removed = new Set<number>();
    for (const id of tailIds) {
      const isNew = id !== st.activeId;
      let b = this.blocks.find((x) => x.id === id);
      if (b === undefined) {
        b = new Block(this.dir, id, this);
        this.blocks.push(b);
      }
      const scan = await this.scanAndRepair(b);
      if (scan === undefined) return undefined;
      const from = isNew ? 0 : st.activeSize;
      if (!isNew && !this.agreesWithState(b, scan, from)) return bad(`block ${id} does not match the state`);
      const ix = indexOfScan(scan);
      b.index = ix;
      b.size = b.written = scan.data.length;
      if (isNew) b.createdLastSeq = headerSeq(scan);
      for (const { view, off } of scan.records) {
        if (off < from) continue;
        this.replay(b, scan, view);
        if (view.kind === RecordKind.Tombstone || view.kind === RecordKind.Erased) removed.add(view.seq);
      }
      // Damage here is after the state: records before it agreed with the state's summary.
      tail.push({ b, problems: scan.problems });
      lastScan = scan;
    }
    if (tail.some((t) => t.problems.length > 0)) {
      const firstSeqAfter = tail.map((_, i) => tail.slice(i + 1).find((t) => t.b.base > 0)?.b.base ?? 0);
      const rec = { floor: this.floor, lastSeq: this.lastSeq, deleted: removed };
      this.lost = lostSequences(tail.map((t) => t.problems), firstSeqAfter, rec, (seq) => this.set.find(seq) >= 0, MAX_LOST_LISTED, this.lost);
    }
    // Blocks that lost messages in the tail are not as the state on disk describes them: upkeep may
    // delete or rewrite them only after a newer state (batch 1 or later) is saved.
    for (const [b, live] of liveAtState) if (b.live !== live) b.removedInBatch = 1;
    this.saver.batch = 0;
    this.saver.activeId = st.activeId;
    this.saver.activeSize = st.activeSize;
    // Lazily, by name: resolving a block of unique KV keys here would be a lookup per key for nothing.
    for (const b of this.blocks) b.index?.unresolve();
    return lastScan;
  }

  /**
   * For a sealed block rewritten after the state was saved: reads it, checks that every message the
   * state's summary calls live is there, and renews the summary from the records (same live messages,
   * new physical layout).
   */
  private async stillHoldsLive(b: Block): Promise<boolean> {
    const scan = await this.scanAndRepair(b);
    if (scan === undefined) return false;
    const live = b.liveSeqs();
    const held = new Set(scan.records.filter((r) => r.view.kind === RecordKind.Msg).map((r) => r.view.seq));
    for (const seq of live) if (!held.has(seq)) return false;
    relayout(b, scan, live);
    b.size = b.written = scan.data.length;
    b.indexDue = b.lastRecOff >= 0;
    this.cache.admit(b);
    this.saver.wanted = true;
    return true;
  }

  /** The state's summary of the block active then must describe its records before `upTo` exactly. */
  private agreesWithState(b: Block, scan: BlockScan, upTo: number): boolean {
    if (scan.data.length < upTo) return false;
    let last = 0;
    let phys = 0;
    let boundary = upTo === 0;
    for (const { view, off } of scan.records) {
      if (off === upTo) boundary = true;
      if (off >= upTo) break;
      if (view.kind === RecordKind.Msg || view.kind === RecordKind.Erased) {
        last = view.seq;
        phys++;
      }
    }
    if (scan.data.length === upTo) boundary = true;
    return boundary && last === b.last && phys === b.physMsgs;
  }

  /** Applies one record written after the saved state (or any record, in a rebuild's second pass). */
  private replay(b: Block, scan: BlockScan, view: RecordView): void {
    this.lastTime = Math.max(this.lastTime, view.time);
    switch (view.kind) {
      case RecordKind.Msg: {
        this.lastSeq = Math.max(this.lastSeq, view.seq);
        if (view.hdrLen > 0) b.hdrs = true;
        if (view.seq < this.floor) {
          b.addMsg(view.seq, view.time, 0, false);
          return;
        }
        // The subject as the block's index already decoded it (indexOfScan), not decoded again.
        const ix = b.index!;
        const subject = ix.names[ix.locals[view.seq - ix.base]!]!;
        this.recoverMsg(view.seq, subject, view.time, fileStoreMsgSize(view.subjectLen, view.hdrLen, view.dataLen), view.ttl, ix.offsetOf(view.seq));
        return;
      }
      case RecordKind.Erased:
        this.lastSeq = Math.max(this.lastSeq, view.seq);
        if (b.last < view.seq) b.addMsg(view.seq, view.time, 0, false);
        else this.recoverRemoval(view.seq);
        return;
      case RecordKind.Tombstone:
        this.lastSeq = Math.max(this.lastSeq, view.seq);
        this.recoverRemoval(view.seq);
        return;
      case RecordKind.Floor:
        this.recoverFloor(view.seq);
        return;
      case RecordKind.BlockHeader:
        this.lastSeq = Math.max(this.lastSeq, view.seq);
        this.recoverFloor(markerPayload(scan.data, view));
        return;
    }
  }

  private recoverFloor(floor: number): void {
    if (floor <= this.floor) return;
    this.floor = this.writtenFloor = this.durableFloor = floor;
    this.lastSeq = Math.max(this.lastSeq, floor - 1);
    for (let s = this.set.firstPos(); s >= 0 && s < floor; s = this.set.firstPos()) this.recoverRemoval(s);
  }

  private resetForRebuild(): void {
    for (const b of this.blocks) this.closeFd(b);
    this.set.blocks = [];
    this.set.live = 0;
    this.forgetRecovered();
    this.lastSeq = this.lastTime = this.floor = this.writtenFloor = this.durableFloor = 0;
    this.lost = undefined;
  }

  /**
   * Rebuilds everything from the blocks, holding one block's bytes at a time: a first pass reads
   * every record (deletions, floor, sequences; each sealed block's index is written out), a second
   * one adds the live messages from the indexes. Returns the last block's scan.
   */
  private async rebuild(ids: number[]): Promise<BlockScan | undefined> {
    const rec = new RecoveryAccumulator();
    const problems: Problem[][] = [];
    let lastScan: BlockScan | undefined;
    const created: number[] = [];
    const hdrs: boolean[] = [];
    for (const [i, id] of ids.entries()) {
      const b = new Block(this.dir, id, this);
      const scan = await this.scanAndRepair(b);
      if (scan === undefined) continue;
      created.push(rec.add(scan));
      problems.push(scan.problems);
      b.size = b.written = b.fileSize = scan.data.length;
      b.index = indexOfScan(scan);
      hdrs.push(hasHeaders(scan));
      if (i < ids.length - 1) {
        if (b.lastRecOff >= 0) fs.writeFileSync(b.indexPath, this.indexBytes(b));
        b.index = undefined;
        this.closeFd(b);
      } else {
        lastScan = scan;
      }
      this.blocks.push(b);
    }
    this.floor = this.writtenFloor = this.durableFloor = rec.floor;
    this.lastTime = rec.lastTime;
    const all = this.blocks;
    this.set.blocks = [];
    all.forEach((b, i) => {
      b.createdLastSeq = created[i]!;
      b.hdrs = hdrs[i]!;
      this.set.blocks.push(b);
      const ix = this.loadIndex(b);
      for (let k = 0; k < ix.n; k++) {
        if (ix.offsets[k] === 0xffffffff) continue;
        const seq = ix.base + k;
        if (!rec.isLive(seq)) {
          b.addMsg(seq, ix.times[k]!, 0, false);
          continue;
        }
        this.recoverMsg(seq, ix.names[ix.locals[k]!]!, ix.times[k]!, ix.sizes[k]!, rec.ttls.get(seq), ix.offsets[k]!);
      }
    });
    this.lastSeq = rec.lastSeq;
    const firstSeqAfter = all.map((_, i) => all.slice(i + 1).find((b) => b.base > 0)?.base ?? 0);
    this.lost = lostSequences(problems, firstSeqAfter, rec, (seq) => this.set.find(seq) >= 0, MAX_LOST_LISTED);
    return lastScan;
  }

  /** Reads a block whole, checks every record and repairs what is damaged; undefined if it vanished. */
  private async scanAndRepair(b: Block): Promise<BlockScan | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(b.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
    this.opened.blocksRead++;
    const scan = scanBlock(bytes);
    await repairBlock(b.path, scan, this.report);
    b.lastRecOff = scan.records.at(-1)?.off ?? -1;
    b.tailHead = b.lastRecOff < 0 ? undefined : Buffer.from(scan.data.subarray(b.lastRecOff, b.lastRecOff + 8));
    if (scan.repair !== "none") await unlink(b.indexPath).catch(() => undefined);
    this.openFd(b);
    b.fileSize = fs.fstatSync(b.fd).size;
    return scan;
  }

  /** Reuses the last block for appends when it has room, else starts a new one. */
  private openActive(lastScan: BlockScan | undefined): void {
    const last = this.blocks.at(-1);
    if (last !== undefined && lastScan !== undefined && last.size < this.blockSize) {
      this.active = last;
      last.buf = lastScan.data;
      last.lastRecOff = lastScan.records.at(-1)?.off ?? -1;
      if (last.index === undefined) last.index = indexOfScan(lastScan);
      this.openFd(last);
      if (last.size === 0) this.writeHeader(last);
      return;
    }
    if (last !== undefined) this.cache.admit(last);
    this.newActive(last === undefined ? 1 : last.id + 1);
  }

  private failed(err: unknown): void {
    this.failure = new StoreError("io", err instanceof Error ? err.message : String(err), { cause: err });
    this.report({ kind: "io-error", file: this.dir, detail: this.failure.message });
  }
}
