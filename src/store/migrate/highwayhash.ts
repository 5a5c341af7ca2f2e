/**
 * HighwayHash-64 (Alakuijala, Cox, Wassenberg: "Fast keyed hash/pseudo-random function using SIMD
 * multiply and permute"), the checksum nats-server puts on every file of its store: message records,
 * `meta.inf` (as `meta.sum`) and, from 2.10, `index.db`. Written from the published algorithm.
 *
 * Each 64-bit lane is a pair of uint32 (lo, hi) in one Uint32Array: no BigInt on the path of every
 * message of a migrated store.
 *
 * Invariant: `digest(key, data)` equals nats-server's `highwayhash.New64(key).Sum64()` of the same data;
 * the tests pin it against checksums nats-server wrote.
 */
import { createHash } from "node:crypto";
import { assert } from "../../util/assert.js";

const INIT_MUL0 = [0xfe4cce2f, 0xdbe6d5d5, 0x299f31d0, 0xa4093822, 0x03707344, 0x13198a2e, 0x85a308d3, 0x243f6a88];
const INIT_MUL1 = [0xcb0ef593, 0x3bd39e10, 0xb5f18a8c, 0xc0acf169, 0x34e90c6c, 0xbe5466cf, 0x38d01377, 0x452821e6];

// Lane i of each vector sits at [base + 2i] (lo) and [base + 2i + 1] (hi).
const V0 = 0;
const V1 = 8;
const MUL0 = 16;
const MUL1 = 24;
const TWO32 = 4294967296;

/** dst lane (d) += src lane (s), both 64-bit. */
function add64(st: Uint32Array, d: number, lo: number, hi: number): void {
  const l = st[d]! + lo;
  st[d] = l >>> 0;
  st[d + 1] = (st[d + 1]! + hi + (l >= TWO32 ? 1 : 0)) >>> 0;
}

/** st[d] ^= a * b, a and b uint32, the product 64-bit (its high word from 16-bit halves). */
function xorMul(st: Uint32Array, d: number, a: number, b: number): void {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  // Each partial sum stays below 2^32, so the shifts below are exact.
  const m1 = ah * bl + ((al * bl) >>> 16);
  const m2 = al * bh + (m1 & 0xffff);
  st[d] = (st[d]! ^ Math.imul(a, b)) >>> 0;
  st[d + 1] = (st[d + 1]! ^ (ah * bh + (m1 >>> 16) + (m2 >>> 16))) >>> 0;
}

/**
 * The zipper merge: bytes of the lanes `a` and `b` interleaved, added to the lanes at `add1` and
 * `add0`. With b0..b7 the bytes of lane `b` (lo word bytes 0-3) and c0..c7 those of lane `a`:
 * add0 gets [b3, c4, b2, b5 | c6, b1, c7, b0], add1 gets [c3, b4, c2, c5 | c1, b6, c0, b7].
 */
function zipperMergeAndAdd(st: Uint32Array, a: number, b: number, add1: number, add0: number): void {
  const cl = st[a]!;
  const ch = st[a + 1]!;
  const bl = st[b]!;
  const bh = st[b + 1]!;
  const m0lo = (((bl >>> 24) & 0xff) | ((ch & 0xff) << 8) | (bl & 0xff0000) | (((bh >>> 8) & 0xff) << 24)) >>> 0;
  const m0hi = (((ch >>> 16) & 0xff) | (bl & 0xff00) | (((ch >>> 24) & 0xff) << 16) | ((bl & 0xff) << 24)) >>> 0;
  const m1lo = (((cl >>> 24) & 0xff) | ((bh & 0xff) << 8) | (cl & 0xff0000) | (((ch >>> 8) & 0xff) << 24)) >>> 0;
  const m1hi = (((cl >>> 8) & 0xff) | (((bh >>> 16) & 0xff) << 8) | ((cl & 0xff) << 16) | (((bh >>> 24) & 0xff) << 24)) >>> 0;
  add64(st, add0, m0lo, m0hi);
  add64(st, add1, m1lo, m1hi);
}

/** One 32-byte packet given as four lanes in `p` (lo, hi pairs). */
function update(st: Uint32Array, p: Uint32Array): void {
  for (let i = 0; i < 8; i += 2) {
    add64(st, V1 + i, st[MUL0 + i]!, st[MUL0 + i + 1]!);
    add64(st, V1 + i, p[i]!, p[i + 1]!);
    xorMul(st, MUL0 + i, st[V1 + i]!, st[V0 + i + 1]!);
    add64(st, V0 + i, st[MUL1 + i]!, st[MUL1 + i + 1]!);
    xorMul(st, MUL1 + i, st[V0 + i]!, st[V1 + i + 1]!);
  }
  zipperMergeAndAdd(st, V1 + 2, V1 + 0, V0 + 2, V0 + 0);
  zipperMergeAndAdd(st, V1 + 6, V1 + 4, V0 + 6, V0 + 4);
  zipperMergeAndAdd(st, V0 + 2, V0 + 0, V1 + 2, V1 + 0);
  zipperMergeAndAdd(st, V0 + 6, V0 + 4, V1 + 6, V1 + 4);
}

function rotl32(x: number, n: number): number {
  return n === 0 ? x >>> 0 : ((x << n) | (x >>> (32 - n))) >>> 0;
}

/** A keyed, incremental HighwayHash-64. */
export class HighwayHash64 {
  private readonly st = new Uint32Array(32);
  private readonly init = new Uint32Array(32);
  private readonly buf = Buffer.alloc(32);
  private readonly packet = new Uint32Array(8);
  private buffered = 0;

  /** `key` is 32 bytes (nats-server uses a SHA-256). */
  constructor(key: Uint8Array) {
    assert(key.length === 32, "HighwayHash key must be 32 bytes");
    const k = Buffer.from(key.buffer, key.byteOffset, 32);
    const st = this.init;
    for (let i = 0; i < 8; i += 2) {
      const klo = k.readUInt32LE(i * 4);
      const khi = k.readUInt32LE(i * 4 + 4);
      st[MUL0 + i] = INIT_MUL0[i]!;
      st[MUL0 + i + 1] = INIT_MUL0[i + 1]!;
      st[MUL1 + i] = INIT_MUL1[i]!;
      st[MUL1 + i + 1] = INIT_MUL1[i + 1]!;
      st[V0 + i] = (INIT_MUL0[i]! ^ klo) >>> 0;
      st[V0 + i + 1] = (INIT_MUL0[i + 1]! ^ khi) >>> 0;
      // v1 = mul1 ^ (key rotated by 32 bits): the halves swap.
      st[V1 + i] = (INIT_MUL1[i]! ^ khi) >>> 0;
      st[V1 + i + 1] = (INIT_MUL1[i + 1]! ^ klo) >>> 0;
    }
    this.reset();
  }

  reset(): this {
    this.st.set(this.init);
    this.buffered = 0;
    return this;
  }

  write(data: Uint8Array): this {
    let off = 0;
    const n = data.length;
    if (this.buffered > 0) {
      const take = Math.min(32 - this.buffered, n);
      this.buf.set(data.subarray(0, take), this.buffered);
      this.buffered += take;
      off = take;
      if (this.buffered < 32) return this;
      this.packetFrom(this.buf, 0);
      this.buffered = 0;
    }
    const src = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length);
    for (; off + 32 <= n; off += 32) this.packetFrom(src, off);
    if (off < n) {
      this.buf.set(data.subarray(off), 0);
      this.buffered = n - off;
    }
    return this;
  }

  private packetFrom(b: Buffer, off: number): void {
    const p = this.packet;
    for (let i = 0; i < 8; i++) p[i] = b.readUInt32LE(off + 4 * i);
    update(this.st, p);
  }

  /** The 64-bit digest as 8 little-endian bytes (what nats-server stores and hex-encodes). */
  sum(): Buffer {
    const out = Buffer.alloc(8);
    this.finish(out, 0);
    return out;
  }

  /** True when the digest equals the 8 bytes of `b` at `off` (a record's checksum), without allocating. */
  matches(b: Buffer, off: number): boolean {
    const d = this.digest;
    this.finish(d, 0);
    return d.equals(b.subarray(off, off + 8));
  }

  private readonly fin = new Uint32Array(32);
  private readonly pk = Buffer.alloc(32);
  private readonly digest = Buffer.alloc(8);

  private finish(out: Buffer, off: number): void {
    const st = this.fin;
    st.set(this.st);
    const size = this.buffered;
    const p = this.packet;
    if (size > 0) {
      for (let i = 0; i < 8; i += 2) add64(st, V0 + i, size, size);
      for (let i = 0; i < 8; i++) st[V1 + i] = rotl32(st[V1 + i]!, size);
      const pk = this.pk.fill(0);
      const rem = this.buf;
      const mod4 = size & 3;
      const whole = size & ~3;
      rem.copy(pk, 0, 0, whole);
      if (size & 16) {
        for (let i = 0; i < 4; i++) pk[28 + i] = rem[whole + i + mod4 - 4]!;
      } else if (mod4 > 0) {
        pk[16] = rem[whole]!;
        pk[17] = rem[whole + (mod4 >> 1)]!;
        pk[18] = rem[whole + mod4 - 1]!;
      }
      for (let i = 0; i < 8; i++) p[i] = pk.readUInt32LE(4 * i);
      update(st, p);
    }
    for (let r = 0; r < 4; r++) {
      // Permute: lanes 2,3,0,1 of v0, each with its halves swapped.
      p[0] = st[V0 + 5]!;
      p[1] = st[V0 + 4]!;
      p[2] = st[V0 + 7]!;
      p[3] = st[V0 + 6]!;
      p[4] = st[V0 + 1]!;
      p[5] = st[V0 + 0]!;
      p[6] = st[V0 + 3]!;
      p[7] = st[V0 + 2]!;
      update(st, p);
    }
    let lo = 0;
    let hi = 0;
    for (let base = 0; base < 32; base += 8) {
      const l = lo + st[base]!;
      hi = (hi + st[base + 1]! + (l >= TWO32 ? 1 : 0)) >>> 0;
      lo = l >>> 0;
    }
    out.writeUInt32LE(lo, off);
    out.writeUInt32LE(hi, off + 4);
  }
}

/** HighwayHash-64 of `parts` under `key`, as nats-server stores it (8 bytes, little-endian). */
export function highwayHash64(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const h = new HighwayHash64(key);
  for (const p of parts) h.write(p);
  return h.sum();
}

/** nats-server's hash keys: SHA-256 of a name (a stream, `<stream>-<block>`, `<stream>/<consumer>`). */
export function natsHashKey(name: string): Buffer {
  return createHash("sha256").update(name).digest();
}
