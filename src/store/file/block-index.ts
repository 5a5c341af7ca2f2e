/**
 * The index of one block's records, by sequence: where each message record sits and what the store
 * needs without reading it (time, size, subject), plus the targets of the block's tombstones. It
 * describes what is physically in the file, live or not (liveness is the block summary's business,
 * block.ts), so it changes only when records are appended or the block is rewritten.
 *
 * Loaded on demand (from the block's index file, index-file.ts, or by scanning the block) and dropped
 * under the cache budget (block-cache.ts); the active block's is always loaded.
 *
 * Subjects: each block has its own table of subject names (`names`, indexed by `locals`), so the index
 * file is self-contained; `gids` maps them to the store's subject ids (subject-index.ts), resolved
 * when loaded. Only live records are ever asked for their subject id, and a subject with a live
 * message always has an entry, so a stale mapping (the id of a subject whose messages here are all
 * gone, since recycled) is never read.
 *
 * Invariants: slots [0, n) stand for sequences [base, base + n); a slot without a message record has
 * offset NONE; offsets and sequences grow together.
 */
import { assert } from "../../util/assert.js";

export const NONE = 0xffffffff;
/** A subject id that is not resolved yet. */
export const UNRESOLVED = -1;

export class BlockIndex {
  base = 0;
  n = 0;
  offsets: Uint32Array;
  times: Float64Array;
  sizes: Uint32Array;
  locals: Uint32Array;
  names: string[] = [];
  /** Built on first use: a block of unique subjects (KV) would otherwise pay a map insert per record. */
  private byName: Map<string, number> | undefined;
  gids: number[] = [];
  tombs: number[] = [];
  private lastSubject: string | undefined;
  private lastLocal = 0;

  constructor(capacity = 64) {
    this.offsets = new Uint32Array(capacity);
    this.times = new Float64Array(capacity);
    this.sizes = new Uint32Array(capacity);
    this.locals = new Uint32Array(capacity);
  }

  get last(): number {
    return this.n === 0 ? 0 : this.base + this.n - 1;
  }

  /** Bytes held, for the cache budget (a rough count: arrays plus names). */
  get memBytes(): number {
    return this.offsets.length * 20 + this.names.length * 48 + this.tombs.length * 8;
  }

  /** Adds a message record; seq is above every sequence added so far. Returns its local subject. */
  add(seq: number, off: number, time: number, size: number, subject: string): number {
    if (this.n === 0) this.base = seq;
    const i = seq - this.base;
    assert(i >= this.n, "block index sequences grow");
    if (i >= this.offsets.length) this.grow(i + 1);
    for (let j = this.n; j < i; j++) {
      this.offsets[j] = NONE;
      this.times[j] = time; // keeps times ascending for lowerBoundTime
    }
    // Publishers mostly repeat a subject, and the parser hands the same string again: no map lookup.
    let local = this.lastLocal;
    if (subject !== this.lastSubject) {
      local = this.lastLocal = this.localFor(subject);
      this.lastSubject = subject;
    }
    this.offsets[i] = off;
    this.times[i] = time;
    this.sizes[i] = size;
    this.locals[i] = local;
    this.n = i + 1;
    return local;
  }

  private nameMap(): Map<string, number> {
    if (this.byName === undefined) {
      this.byName = new Map();
      for (let l = 0; l < this.names.length; l++) this.byName.set(this.names[l]!, l);
    }
    return this.byName;
  }

  private localFor(subject: string): number {
    const byName = this.nameMap();
    let local = byName.get(subject);
    if (local === undefined) {
      local = this.names.length;
      this.names.push(subject);
      byName.set(subject, local);
      this.gids.push(UNRESOLVED);
    }
    return local;
  }

  /** An index read back whole (index-file.ts): the arrays as they were written, names unique. */
  static of(base: number, n: number, parts: { offsets: Uint32Array; times: Float64Array; sizes: Uint32Array; locals: Uint32Array; names: string[]; tombs: number[] }): BlockIndex {
    const ix = new BlockIndex(0);
    ix.base = base;
    ix.n = n;
    ix.offsets = parts.offsets;
    ix.times = parts.times;
    ix.sizes = parts.sizes;
    ix.locals = parts.locals;
    ix.names = parts.names;
    ix.gids = new Array<number>(parts.names.length).fill(UNRESOLVED);
    ix.tombs = parts.tombs;
    return ix;
  }

  /** A securely deleted record keeps its place but no longer names its subject. */
  erase(seq: number): void {
    if (this.has(seq)) this.locals[seq - this.base] = this.localFor("");
  }

  has(seq: number): boolean {
    const i = seq - this.base;
    return this.n > 0 && i >= 0 && i < this.n && this.offsets[i] !== NONE;
  }

  /** Offset of seq's record, or -1. */
  offsetOf(seq: number): number {
    return this.has(seq) ? this.offsets[seq - this.base]! : -1;
  }

  /** Forgets every subject id (after the store's subject index was rebuilt); they resolve again when asked. */
  unresolve(): void {
    this.gids.fill(UNRESOLVED);
  }

  /** The local number of a subject, or -1 when this block holds none. */
  localOfName(subject: string): number {
    return this.nameMap().get(subject) ?? -1;
  }

  private grow(need: number): void {
    let cap = Math.max(64, this.offsets.length * 2);
    while (cap < need) cap *= 2;
    const o = new Uint32Array(cap);
    o.set(this.offsets.subarray(0, this.n));
    const t = new Float64Array(cap);
    t.set(this.times.subarray(0, this.n));
    const s = new Uint32Array(cap);
    s.set(this.sizes.subarray(0, this.n));
    const l = new Uint32Array(cap);
    l.set(this.locals.subarray(0, this.n));
    this.offsets = o;
    this.times = t;
    this.sizes = s;
    this.locals = l;
  }
}
