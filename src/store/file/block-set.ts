/**
 * The file store's index of live messages (live-index.ts) over its blocks: positions are sequences.
 * Liveness, counts and "next live" come from the block summaries, which are always in memory; a
 * message's time, size, subject and offset come from its block's index, loaded on demand through
 * `load` (and dropped again under the cache budget, so nothing here may hold a BlockIndex across a
 * call to load another block).
 *
 * Also the per-subject scans behind subject-totals.ts: the store keeps per subject only its first,
 * last and count, and finds anything else by walking the blocks in range whose index names the
 * subject.
 */
import { assert } from "../../util/assert.js";
import type { LiveIndex } from "../live-index.js";
import type { Block } from "./block.js";
import { UNRESOLVED, type BlockIndex } from "./block-index.js";

export class BlockSet implements LiveIndex<number> {
  blocks: Block[] = [];
  live = 0;
  private lastHit: Block | undefined;

  constructor(
    private readonly load: (b: Block) => BlockIndex,
    private readonly idOf: (subject: string) => number,
    private readonly nameOf: (id: number) => string,
  ) {}

  /** The block whose message range holds seq (blocks without messages skipped). */
  blockFor(seq: number): Block | undefined {
    const hit = this.lastHit;
    if (hit !== undefined && hit.base > 0 && seq >= hit.base && seq <= hit.last) return hit;
    const i = this.posAtOrBefore(seq);
    if (i < 0) return undefined;
    const b = this.blocks[i]!;
    if (seq > b.last) return undefined;
    this.lastHit = b;
    return b;
  }

  /** Index in blocks of the last block with messages whose base <= seq, or -1. */
  private posAtOrBefore(seq: number): number {
    const blocks = this.blocks;
    let lo = 0;
    let hi = blocks.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      let j = mid;
      while (j >= lo && blocks[j]!.base === 0) j--;
      if (j < lo) {
        lo = mid + 1;
      } else if (blocks[j]!.base <= seq) {
        found = j;
        lo = mid + 1;
      } else {
        hi = j - 1;
      }
    }
    return found;
  }

  forget(b: Block): void {
    if (this.lastHit === b) this.lastHit = undefined;
  }

  // ---- LiveIndex ----------------------------------------------------------------------------------

  /** Records a message whose record the store just added to the active block's index. */
  append(seq: number, time: number, size: number, subj: number): void {
    const b = this.blocks[this.blocks.length - 1]!;
    const ix = b.index!;
    assert(ix.has(seq), "the record is indexed before the message is appended");
    ix.gids[ix.locals[seq - ix.base]!] = subj;
    b.addMsg(seq, time, size, true);
    this.live++;
  }

  find(seq: number): number {
    const b = this.blockFor(seq);
    return b !== undefined && b.isLive(seq) ? seq : -1;
  }

  lowerBound(seq: number): number {
    return seq;
  }

  lowerBoundTime(time: number): number {
    for (const b of this.blocks) {
      if (b.base === 0 || b.live === 0 || b.lastTime < time) continue;
      const ix = this.load(b);
      let lo = 0;
      let hi = ix.n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (ix.times[mid]! < time) lo = mid + 1;
        else hi = mid;
      }
      return ix.base + lo;
    }
    return this.endSeq();
  }

  /** One past the last message sequence of any block. */
  private endSeq(): number {
    for (let i = this.blocks.length - 1; i >= 0; i--) if (this.blocks[i]!.base > 0) return this.blocks[i]!.last + 1;
    return 1;
  }

  nextLive(p: number): number {
    if (this.live === 0) return -1;
    let i = Math.max(0, this.posAtOrBefore(p));
    for (; i < this.blocks.length; i++) {
      const b = this.blocks[i]!;
      if (b.live === 0 || b.last < p) continue;
      const s = b.nextLiveFrom(p);
      if (s > 0) return s;
    }
    return -1;
  }

  prevLive(p: number): number {
    if (this.live === 0) return -1;
    for (let i = this.posAtOrBefore(p); i >= 0; i--) {
      const b = this.blocks[i]!;
      if (b.live === 0) continue;
      const s = b.prevLiveFrom(p);
      if (s > 0) return s;
    }
    return -1;
  }

  firstPos(): number {
    if (this.live === 0) return -1;
    for (const b of this.blocks) if (b.live > 0) return b.head;
    return -1;
  }

  lastPos(): number {
    if (this.live === 0) return -1;
    for (let i = this.blocks.length - 1; i >= 0; i--) {
      const b = this.blocks[i]!;
      if (b.live > 0) return b.prevLiveFrom(b.last);
    }
    return -1;
  }

  seqAt(p: number): number {
    return p;
  }

  private indexOf(seq: number): BlockIndex {
    const b = this.blockFor(seq);
    assert(b !== undefined, `sequence ${seq} is in a block`);
    return this.load(b);
  }

  timeAt(p: number): number {
    const ix = this.indexOf(p);
    return ix.times[p - ix.base]!;
  }

  sizeAt(p: number): number {
    const ix = this.indexOf(p);
    return ix.sizes[p - ix.base]!;
  }

  subjAt(p: number): number {
    const ix = this.indexOf(p);
    const local = ix.locals[p - ix.base]!;
    let gid = ix.gids[local]!;
    if (gid === UNRESOLVED) gid = ix.gids[local] = this.idOf(ix.names[local]!);
    return gid;
  }

  refAt(p: number): number {
    const ix = this.indexOf(p);
    return ix.offsets[p - ix.base]!;
  }

  removeAt(p: number): void {
    const b = this.blockFor(p)!;
    b.kill(p, this.sizeAt(p));
    this.live--;
  }

  countLiveFrom(p: number): number {
    let n = 0;
    for (let i = this.blocks.length - 1; i >= 0; i--) {
      const b = this.blocks[i]!;
      if (b.base === 0 || b.live === 0) continue;
      if (b.last < p) break;
      n += b.countLiveFrom(p);
    }
    return n;
  }

  compact(): void {}

  // ---- per-subject scans --------------------------------------------------------------------------

  /**
   * Visits the live messages of subject gid in [from, to], ascending (or descending with back), until
   * visit returns false.
   */
  scanSubject(gid: number, from: number, to: number, back: boolean, visit: (seq: number) => boolean): void {
    const name = this.nameOf(gid);
    const blocks = this.blocks;
    const step = back ? -1 : 1;
    const start = back ? this.posAtOrBefore(to) : Math.max(0, this.posAtOrBefore(from));
    for (let i = start; i >= 0 && i < blocks.length; i += step) {
      const b = blocks[i]!;
      if (b.base === 0) continue;
      if (back ? b.last < from : b.base > to) break;
      if (b.live === 0 || b.last < from || b.head > to) continue;
      const ix = this.load(b);
      // By name: an id in a block's table may be stale (see block-index.ts), a name never is.
      const local = ix.localOfName(name);
      if (local < 0) continue;
      const lo = Math.max(from, b.head);
      const hi = Math.min(to, b.last);
      const locals = ix.locals;
      const base = ix.base;
      if (back) {
        for (let s = hi; s >= lo; s--) if (locals[s - base] === local && b.isLive(s) && !visit(s)) return;
      } else {
        for (let s = lo; s <= hi; s++) if (locals[s - base] === local && b.isLive(s) && !visit(s)) return;
      }
    }
  }

  /** Live messages at or after start whose subject id passes match. */
  countMatching(start: number, match: (id: number) => boolean): number {
    let n = 0;
    for (const b of this.blocks) {
      if (b.live === 0 || b.last < start) continue;
      const ix = this.load(b);
      // Asked only for live records: a dead record's subject may have no entry any more.
      const hit = new Int8Array(ix.names.length).fill(-1);
      for (let s = Math.max(start, b.head); s <= b.last; s++) {
        if (!b.isLive(s)) continue;
        const l = ix.locals[s - ix.base]!;
        if (hit[l] === -1) hit[l] = match(this.subjAt(s)) ? 1 : 0;
        n += hit[l]!;
      }
    }
    return n;
  }
}
