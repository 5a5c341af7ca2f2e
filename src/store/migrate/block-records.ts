/**
 * The records of a nats-server message block, `msgs/<n>.blk`:
 *
 *   total_len u32 | seq u64 | time i64 (ns) | subject_len u16 | subject | [hdr_len u32 | hdr] | msg | hash 8
 *
 * little-endian; the high bit of total_len says headers follow the subject; the high bit of seq marks an
 * erased (or, from 2.10, tombstone) record. The hash is HighwayHash-64 over seq, time and subject_len,
 * the subject, the headers and the message, keyed by SHA-256 of `<stream>-<block index>`.
 *
 * Invariant: a record handed out as live has a verified hash; the first record that does not parse or
 * whose hash is wrong ends the block with a NatsStoreError at its offset.
 */
import { NatsStoreError } from "./errors.js";
import { CHECKSUM_SIZE } from "./block-index.js";
import { HighwayHash64, natsHashKey } from "./highwayhash.js";

const HEADER_SIZE = 22;
const HDR_BIT = 0x80000000;
/** nats-server refuses records above this length as damage. */
const MAX_RECORD = 32 * 1024 * 1024;
const SEQ_FLAGS_HI = 0xc0000000;

export interface BlockRecord {
  seq: number;
  /** ns since the epoch. */
  time: number;
  subject: string;
  hdr: Buffer | undefined;
  data: Buffer;
  /** Counted by the block index and checksummed; false for deleted, erased and tombstone records. */
  live: boolean;
  /** Offset of the record in the block. */
  offset: number;
}

/**
 * Walks the records of one block. `isLive(seq)` says which sequences the block index still counts; only
 * those are checksummed (nats-server leaves deleted ones as they were, erased ones rewritten).
 */
export function* blockRecords(buf: Buffer, file: string, stream: string, index: number, isLive: (seq: number) => boolean): Generator<BlockRecord> {
  const hh = new HighwayHash64(natsHashKey(`${stream}-${index}`));
  for (let off = 0; off < buf.length; ) {
    if (off + HEADER_SIZE + CHECKSUM_SIZE > buf.length) throw new NatsStoreError(file, off, `truncated record (${buf.length - off} bytes left)`);
    const lenWord = buf.readUInt32LE(off);
    const hasHdr = (lenWord & HDR_BIT) !== 0;
    const rl = (lenWord & ~HDR_BIT) >>> 0;
    const slen = buf.readUInt16LE(off + 20);
    if (rl < HEADER_SIZE + CHECKSUM_SIZE + slen || rl > MAX_RECORD) throw new NatsStoreError(file, off, `bad record length ${rl}`);
    if (off + rl > buf.length) throw new NatsStoreError(file, off, `record of ${rl} bytes runs past the end of the block`);
    const seqLo = buf.readUInt32LE(off + 4);
    const seqHi = buf.readUInt32LE(off + 8);
    const erased = (seqHi & SEQ_FLAGS_HI) !== 0;
    const seq = (seqHi & ~SEQ_FLAGS_HI) * 4294967296 + seqLo;
    const time = Number(buf.readBigInt64LE(off + 12));
    const subjEnd = off + HEADER_SIZE + slen;
    const end = off + rl - CHECKSUM_SIZE;
    let hdr: Buffer | undefined;
    let dataStart = subjEnd;
    if (hasHdr) {
      if (subjEnd + 4 > end) throw new NatsStoreError(file, off, "headers length runs past the record");
      const hl = buf.readUInt32LE(subjEnd);
      if (subjEnd + 4 + hl > end) throw new NatsStoreError(file, off, `headers of ${hl} bytes run past the record`);
      hdr = buf.subarray(subjEnd + 4, subjEnd + 4 + hl);
      dataStart = subjEnd + 4 + hl;
    }
    const live = !erased && seq !== 0 && isLive(seq);
    if (live) {
      hh.reset();
      hh.write(buf.subarray(off + 4, off + 20));
      hh.write(buf.subarray(off + HEADER_SIZE, subjEnd));
      hh.write(buf.subarray(hasHdr ? subjEnd + 4 : subjEnd, end));
      if (!hh.matches(buf, end)) throw new NatsStoreError(file, off, `checksum mismatch in the record of sequence ${seq}`);
    }
    yield { seq, time, subject: buf.toString("utf8", off + HEADER_SIZE, subjEnd), hdr, data: buf.subarray(dataStart, end), live, offset: off };
    off += rl;
  }
}
