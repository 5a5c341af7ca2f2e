/**
 * `msgs/index.db`, the stream state nats-server 2.10+ writes when it stops (and every few minutes): what
 * 2.9 kept in one `.idx` file per block, for the whole stream. Layout, after magic 11 and a version
 * (1 to 4): Go uvarints msgs, bytes, first seq, (varint) first time, last seq, (varint) last time; the
 * subjects (count, then per subject its length and bytes, total, first block, and the last block when
 * the total is above 1 or from version 4); the blocks (count, then per block its index, bytes, first seq,
 * (varint) first time, last seq, (varint) last time, deletes, from version 2 a TTL count, from version 3
 * a schedule count, and when there are deletes the encoded sequence set of them, seq-set.ts); the index
 * of the last block and the checksum of its last record (8 bytes). Then the HighwayHash-64 of all that,
 * keyed by SHA-256 of the stream name.
 *
 * The subjects and the TTL and schedule counts are derived data: skipped.
 *
 * Invariants (checked, as nats-server does before it trusts the file): the checksum; per block
 * msgs = last - first + 1 - deletes; the blocks' messages add up to the stream's, and their range is
 * the stream's.
 */
import { NatsStoreError } from "./errors.js";
import { CHECKSUM_SIZE } from "./block-index.js";
import { GoVarintReader } from "./go-varint.js";
import { highwayHash64, natsHashKey } from "./highwayhash.js";
import { decodeSeqSet } from "./seq-set.js";

export const STREAM_STATE_FILE = "index.db";
const STATE_MAGIC = 11;
const MIN_VERSION = 1;
const MAX_VERSION = 4;

export interface NatsBlockState {
  index: number;
  msgs: number;
  firstSeq: number;
  lastSeq: number;
  deleted: ReadonlySet<number>;
}

export interface NatsStreamState {
  msgs: number;
  firstSeq: number;
  lastSeq: number;
  /** In the order nats-server keeps them (ascending index). */
  blocks: NatsBlockState[];
  /** The block that was last when the state was written, and its last record's checksum. */
  lastBlock: number;
  lastChecksum: Buffer;
}

export function parseStreamState(buf: Buffer, file: string, stream: string): NatsStreamState {
  if (buf.length < 2 + CHECKSUM_SIZE) throw new NatsStoreError(file, 0, `too short (${buf.length} bytes)`);
  const body = buf.subarray(0, buf.length - CHECKSUM_SIZE);
  if (!highwayHash64(natsHashKey(stream), body).equals(buf.subarray(body.length))) {
    throw new NatsStoreError(file, body.length, "checksum mismatch (a damaged file, or not the state of this stream)");
  }
  if (body[0] !== STATE_MAGIC) throw new NatsStoreError(file, 0, "not a nats-server stream state (bad magic)");
  const version = body[1]!;
  if (version < MIN_VERSION || version > MAX_VERSION) throw new NatsStoreError(file, 1, `unsupported stream state version ${version}`);
  const r = new GoVarintReader(body, file, 2);
  const msgs = r.uvarint("message count");
  r.uvarint("byte count");
  const firstSeq = r.uvarint("first sequence");
  r.varint("first time");
  const lastSeq = r.uvarint("last sequence");
  r.varint("last time");
  const subjects = r.uvarint("subject count");
  for (let i = 0; i < subjects; i++) {
    r.bytes(r.uvarint("subject length"), "subject");
    const total = r.uvarint("subject total");
    r.uvarint("subject first block");
    if (total > 1 || version >= 4) r.uvarint("subject last block");
  }
  const blocks: NatsBlockState[] = [];
  let sum = 0;
  const nblocks = r.uvarint("block count");
  for (let i = 0; i < nblocks; i++) {
    const at = r.off;
    const index = r.uvarint("block index");
    r.uvarint("block bytes");
    const first = r.uvarint("block first sequence");
    r.varint("block first time");
    const last = r.uvarint("block last sequence");
    r.varint("block last time");
    const ndel = r.uvarint("block delete count");
    if (version >= 2) r.uvarint("block TTL count");
    if (version >= 3) r.uvarint("block schedule count");
    let deleted: ReadonlySet<number> = new Set();
    if (ndel > 0) {
      const set = decodeSeqSet(body, r.off, file);
      r.off = set.end;
      deleted = set.seqs;
    }
    const span = last + 1 - first;
    if (span < 0 || deleted.size !== ndel || ndel > span) {
      throw new NatsStoreError(file, at, `inconsistent block ${index}: ${first}..${last} with ${ndel} deleted (${deleted.size} in its set)`);
    }
    blocks.push({ index, msgs: span - ndel, firstSeq: first, lastSeq: last, deleted });
    sum += span - ndel;
  }
  const lastBlock = r.uvarint("last block index");
  const lastChecksum = Buffer.from(r.bytes(CHECKSUM_SIZE, "last checksum"));
  if (sum !== msgs) throw new NatsStoreError(file, 2, `the blocks hold ${sum} messages, the stream ${msgs}`);
  return { msgs, firstSeq, lastSeq, blocks, lastBlock, lastChecksum };
}
