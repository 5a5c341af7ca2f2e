/**
 * The file store's subject names, interned without a JS object per subject: a KV bucket may hold
 * millions of keys, and one string plus one Map entry each (about 200 B of heap, and as long again
 * in GC work to build at every start) would be most of the store's memory and restart time.
 *
 * Layout: each subject's UTF-8 bytes (as in the records, record.ts) sit in one arena Buffer; per id,
 * typed arrays hold where (offs, lens) and the bytes' hash; an open-addressing hash table (linear
 * probing, slots hold id + 1, 0 is empty) finds an id from a subject. Removal shifts the following
 * entries of a probe run back instead of leaving tombstones, so lookups never slow down with churn.
 * A released id's bytes become garbage in the arena, reclaimed by compaction once garbage passes half
 * of what is used (so a table that shrinks gives memory back). Ids are recycled (the free stack) so
 * that arrays indexed by id stay dense.
 *
 * A lookup by string hashes and compares the string's char codes directly when it is ASCII (the usual
 * subject), so that finding an existing subject allocates nothing; other strings are encoded once into
 * a scratch buffer.
 *
 * Invariants: an id < limit is live iff offs[id] !== FREE; the slots hold exactly the live ids, each
 * reachable from its hash's home slot without crossing an empty slot; size = number of live ids; at
 * most half of the slots are used; garbage = arena bytes in [0, used) that no live id covers.
 */
import { assert } from "../../util/assert.js";

/** offs[id] of an id that names no subject. */
const FREE = 0xffffffff;
const MIN_SLOTS = 16;
const MIN_IDS = 16;
const MIN_ARENA = 1024;
/** Compaction is not worth it for small arenas. */
const COMPACT_FROM = 64 * 1024;

/** 32-bit FNV-1a of bytes [start, end) of buf. */
export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return h >>> 0;
}

/**
 * What a saved state keeps of the table: the arena up to `used`; per id below limit, where its bytes
 * are and their hash; and the hash table itself. So a restart takes arrays as they were read instead
 * of hashing and placing millions of subjects (a change of hash function is a change of the state's
 * version). Arrays may be longer than what they hold (room to grow).
 */
export interface TableImage {
  limit: number;
  arena: Buffer;
  used: number;
  offs: Uint32Array;
  lens: Uint16Array;
  hashes: Uint32Array;
  slots: Uint32Array;
}

export class SubjectTable {
  private arena: Buffer;
  private used = 0;
  private garbage = 0;
  private offs: Uint32Array;
  private lens: Uint16Array;
  private hashes: Uint32Array;
  private slots: Uint32Array;
  private mask: number;
  private freeIds: Uint32Array;
  private freeCount = 0;
  /** One past the highest id handed out. */
  limit = 0;
  size = 0;
  private scratch = Buffer.allocUnsafe(256);
  /** Set by hashOf: the key's UTF-8 length, and whether its bytes are in scratch (not ASCII). */
  private keyLen = 0;
  private keyEncoded = false;

  /** slots: initial hash table size (a power of two; tests make it tiny to force collisions). */
  constructor(slots = MIN_SLOTS) {
    assert(slots >= 2 && (slots & (slots - 1)) === 0, "subject table slots are a power of two");
    this.slots = new Uint32Array(slots);
    this.mask = slots - 1;
    this.arena = Buffer.allocUnsafe(MIN_ARENA);
    this.offs = new Uint32Array(MIN_IDS);
    this.lens = new Uint16Array(MIN_IDS);
    this.hashes = new Uint32Array(MIN_IDS);
    this.freeIds = new Uint32Array(MIN_IDS);
  }

  /** How many ids the per-id arrays hold (owners of parallel arrays grow theirs to match). */
  get capacity(): number {
    return this.offs.length;
  }

  /** Arena bytes held and how many of them are garbage (for tests and reports). */
  get arenaUsed(): number {
    return this.used;
  }

  get arenaGarbage(): number {
    return this.garbage;
  }

  isLive(id: number): boolean {
    return id < this.limit && this.offs[id] !== FREE;
  }

  /** The id of subject, or -1. */
  find(subject: string): number {
    return this.lookup(subject, this.hashOf(subject));
  }

  /** The id of subject, given a new one if it has none. */
  intern(subject: string): number {
    const h = this.hashOf(subject);
    const found = this.lookup(subject, h);
    if (found >= 0) return found;
    const len = this.keyLen;
    assert(len <= 0xffff, "a subject is at most 65535 bytes");
    const id = this.freeCount > 0 ? this.freeIds[--this.freeCount]! : this.newId();
    if (this.used + len > this.arena.length) this.makeRoom(len);
    const off = this.used;
    if (this.keyEncoded) this.scratch.copy(this.arena, off, 0, len);
    else for (let i = 0; i < len; i++) this.arena[off + i] = subject.charCodeAt(i);
    this.used += len;
    this.offs[id] = off;
    this.lens[id] = len;
    this.hashes[id] = h;
    this.place(id);
    return id;
  }

  /** Forgets id's subject; the id may be handed out again. */
  release(id: number): void {
    assert(this.isLive(id), `subject id ${id} is live`);
    let i = this.hashes[id]! & this.mask;
    while (this.slots[i] !== id + 1) i = (i + 1) & this.mask;
    this.unslot(i);
    this.garbage += this.lens[id]!;
    this.offs[id] = FREE;
    this.size--;
    if (this.freeCount === this.freeIds.length) this.freeIds = grown(this.freeIds, roomFor(this.freeIds.length));
    this.freeIds[this.freeCount++] = id;
    if (this.size === 0) this.clear();
    else if (this.used >= COMPACT_FROM && this.garbage * 2 > this.used) this.compact();
  }

  subjectOf(id: number): string {
    assert(this.isLive(id), `subject id ${id} is live`);
    const off = this.offs[id]!;
    return this.arena.toString("utf8", off, off + this.lens[id]!);
  }

  clear(): void {
    this.slots.fill(0);
    this.used = this.garbage = this.limit = this.size = this.freeCount = 0;
  }

  /** The table as a saved state keeps it (views: valid until the next change). */
  image(): TableImage {
    return { limit: this.limit, arena: this.arena, used: this.used, offs: this.offs, lens: this.lens, hashes: this.hashes, slots: this.slots };
  }

  /**
   * Replaces the content with a saved image, checked against the invariants (every live id within the
   * arena, in the hash table once and reachable from its home slot; nothing else there). Throws
   * RangeError for an image that cannot be right; the caller treats the state as damaged.
   */
  load(img: TableImage): void {
    this.clear();
    const { limit, arena, used, offs, lens, hashes } = img;
    const nslots = img.slots.length;
    if (offs.length < limit || lens.length < limit || hashes.length < limit || arena.length < used) throw new RangeError("subject arrays shorter than they hold");
    if (nslots < 2 || (nslots & (nslots - 1)) !== 0) throw new RangeError(`a hash table of ${nslots} slots`);
    // Taken as they are (a state read them with room to grow) when their capacities agree.
    const ids = Math.max(MIN_IDS, offs.length, lens.length, hashes.length);
    this.offs = sized(offs, ids);
    this.lens = sized(lens, ids);
    this.hashes = sized(hashes, ids);
    this.slots = img.slots;
    this.mask = nslots - 1;
    this.arena = arena;
    this.used = used;
    this.limit = limit;
    const slots = this.slots;
    const mask = this.mask;
    let placed = 0;
    for (let i = 0; i < nslots; i++) if (slots[i] !== 0) placed++;
    // Each live id found in its probe run, and no more ids in the table than live ones: the table holds
    // exactly the live ids. By id, so that the per-id arrays are read in order (one random read each).
    let live = 0;
    let liveBytes = 0;
    for (let id = 0; id < limit; id++) {
      const off = offs[id]!;
      if (off === FREE) continue;
      const end = off + lens[id]!;
      if (end > used) throw new RangeError(`subject ${id} lies outside the arena`);
      live++;
      liveBytes += end - off;
      for (let k = hashes[id]! & mask; slots[k] !== id + 1; k = (k + 1) & mask) if (slots[k] === 0) throw new RangeError(`subject ${id} is not in the hash table`);
    }
    this.garbage = this.used - liveBytes;
    if (this.garbage < 0) throw new RangeError("subjects overlap in the arena");
    if (live * 2 > nslots || placed !== live) throw new RangeError(`${live} subjects, ${placed} in ${nslots} slots`);
    this.size = live;
    this.freeIds = new Uint32Array(Math.max(MIN_IDS, limit - live));
    // Ids handed out last are recycled first, as if they had been released in order.
    for (let id = limit - 1; id >= 0; id--) if (offs[id] === FREE) this.freeIds[this.freeCount++] = id;
  }

  // ---- internals ----------------------------------------------------------------------------------

  private newId(): number {
    if (this.limit === this.offs.length) {
      const n = roomFor(this.offs.length);
      this.offs = grown(this.offs, n);
      this.lens = grown(this.lens, n);
      this.hashes = grown(this.hashes, n);
    }
    return this.limit++;
  }

  /** Puts live id (absent) in the hash table, doubling the table past half full. */
  private place(id: number): void {
    if ((this.size + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    let i = this.hashes[id]! & this.mask;
    while (this.slots[i] !== 0) i = (i + 1) & this.mask;
    this.slots[i] = id + 1;
    this.size++;
  }

  private rehash(n: number): void {
    const old = this.slots;
    this.slots = new Uint32Array(n);
    this.mask = n - 1;
    for (let k = 0; k < old.length; k++) {
      const v = old[k]!;
      if (v === 0) continue;
      let i = this.hashes[v - 1]! & this.mask;
      while (this.slots[i] !== 0) i = (i + 1) & this.mask;
      this.slots[i] = v;
    }
  }

  /** Empties slot i and moves back the entries after it that could no longer be reached. */
  private unslot(i: number): void {
    const mask = this.mask;
    let hole = i;
    for (let j = (i + 1) & mask; this.slots[j] !== 0; j = (j + 1) & mask) {
      const home = this.hashes[this.slots[j]! - 1]! & mask;
      // j's entry may fill the hole unless its home lies cyclically in (hole, j].
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        this.slots[hole] = this.slots[j]!;
        hole = j;
      }
    }
    this.slots[hole] = 0;
  }

  private lookup(subject: string, h: number): number {
    const len = this.keyLen;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const v = this.slots[i]!;
      if (v === 0) return -1;
      const id = v - 1;
      if (this.hashes[id] === h && this.lens[id] === len && this.equals(id, subject)) return id;
    }
  }

  /** Hash of subject's UTF-8 bytes; sets keyLen and keyEncoded for the lookup that follows. */
  private hashOf(subject: string): number {
    let h = 0x811c9dc5;
    const n = subject.length;
    let i = 0;
    for (; i < n; i++) {
      const c = subject.charCodeAt(i);
      if (c > 0x7f) break;
      h = Math.imul(h ^ c, 0x01000193);
    }
    if (i === n) {
      this.keyLen = n;
      this.keyEncoded = false;
      return h >>> 0;
    }
    const need = Buffer.byteLength(subject, "utf8");
    if (need > this.scratch.length) this.scratch = Buffer.allocUnsafe(need);
    this.scratch.write(subject, 0, "utf8");
    this.keyLen = need;
    this.keyEncoded = true;
    return hashBytes(this.scratch, 0, need);
  }

  private equals(id: number, subject: string): boolean {
    const off = this.offs[id]!;
    const len = this.keyLen;
    const arena = this.arena;
    if (this.keyEncoded) return this.scratch.compare(arena, off, off + len, 0, len) === 0;
    for (let i = 0; i < len; i++) if (arena[off + i] !== subject.charCodeAt(i)) return false;
    return true;
  }

  /** Makes room for len more bytes by growing the arena (one copy of what is used). */
  private makeRoom(len: number): void {
    let n = roomFor(this.arena.length);
    while (n < this.used + len) n = roomFor(n);
    const to = Buffer.allocUnsafe(n);
    this.arena.copy(to, 0, 0, this.used);
    this.arena = to;
  }

  /** Copies the live subjects, in id order, into a fresh arena twice their size. */
  private compact(): void {
    const from = this.arena;
    const to = Buffer.allocUnsafe(Math.max(MIN_ARENA, 2 * (this.used - this.garbage)));
    let at = 0;
    for (let id = 0; id < this.limit; id++) {
      const off = this.offs[id]!;
      if (off === FREE) continue;
      const len = this.lens[id]!;
      // Subjects are short: a loop costs less than a call into Buffer.copy each.
      for (let k = 0; k < len; k++) to[at + k] = from[off + k]!;
      this.offs[id] = at;
      at += len;
    }
    this.arena = to;
    this.used = at;
    this.garbage = 0;
  }
}

/**
 * The size to give an array of n elements that may grow: a quarter larger, so that the arrays of
 * millions of subjects hold at most a quarter more than they use (a KV bucket restarted with new keys
 * in its tail grows at once); each element is still copied only a few times over its life.
 */
export function roomFor(n: number): number {
  return n + Math.max(MIN_IDS, n >> 2);
}

/** a itself when it has n elements, else a copy of it with n. */
function sized<T extends Uint32Array | Uint16Array>(a: T, n: number): T {
  return a.length === n ? a : grown(a, n);
}

function grown<T extends Uint32Array | Uint16Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}
