/**
 * nats-server's encoded sequence set (its avl.SequenceSet), the form 2.10+ keeps a block's deleted
 * sequences in inside `msgs/index.db`:
 *
 *   magic 22 | version | nodes u32 | size u32 | per node: base u64 | buckets × u64 | height u16
 *
 * little-endian. Version 2 has 32 buckets a node, version 1 had 64; bit b of bucket i stands for
 * sequence base + 64·i + b. Nodes are written in tree order, which this reader does not need.
 *
 * Invariant (checked): the number of bits set equals the size the header claims.
 */
import { NatsStoreError } from "./errors.js";
import { STORE_MAGIC } from "./block-index.js";

const HEADER = 2 + 8;
const BUCKETS: Record<number, number> = { 1: 64, 2: 32 };

/** Decodes the set at `at` in `buf`; returns its sequences and the offset just past it. */
export function decodeSeqSet(buf: Buffer, at: number, file: string): { seqs: Set<number>; end: number } {
  if (buf.length - at < HEADER || buf[at] !== STORE_MAGIC) throw new NatsStoreError(file, at, "not an encoded sequence set (bad magic)");
  const buckets = BUCKETS[buf[at + 1]!];
  if (buckets === undefined) throw new NatsStoreError(file, at + 1, `unsupported sequence set version ${buf[at + 1]}`);
  const nodes = buf.readUInt32LE(at + 2);
  const size = buf.readUInt32LE(at + 6);
  const nodeLen = 8 + buckets * 8 + 2;
  const end = at + HEADER + nodes * nodeLen;
  if (end > buf.length) throw new NatsStoreError(file, at, `sequence set of ${nodes} nodes runs past the end`);
  const seqs = new Set<number>();
  for (let n = 0, off = at + HEADER; n < nodes; n++, off += nodeLen) {
    const base = buf.readBigUInt64LE(off);
    if (base > BigInt(Number.MAX_SAFE_INTEGER)) throw new NatsStoreError(file, off, `sequence base ${base} out of range`);
    for (let i = 0; i < buckets; i++) {
      const at64 = off + 8 + i * 8;
      for (const [word, shift] of [[buf.readUInt32LE(at64), 0], [buf.readUInt32LE(at64 + 4), 32]] as const) {
        for (let w = word, b = 0; w !== 0; w >>>= 1, b++) {
          if (w & 1) seqs.add(Number(base) + i * 64 + shift + b);
        }
      }
    }
  }
  if (seqs.size !== size) throw new NatsStoreError(file, at, `sequence set holds ${seqs.size} sequences, its header says ${size}`);
  return { seqs, end };
}
