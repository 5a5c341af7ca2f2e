/**
 * A 2.9 block index, `msgs/<n>.idx`: what nats-server knows about block n beyond its records — above all
 * which sequences are deleted, which 2.9 does not mark in the block itself.
 *
 * Layout: magic 22, version 1, then Go uvarints msgs, bytes, first seq, (varint) first time, last seq,
 * (varint) last time, number of deletes; the 8-byte checksum of the block's last record; then one uvarint
 * per deleted sequence, as an offset from the first sequence. An empty block has first = last + 1.
 *
 * Invariant (checked, as nats-server does): msgs = last - first + 1 - deletes.
 */
import { NatsStoreError } from "./errors.js";
import { GoVarintReader } from "./go-varint.js";

export const STORE_MAGIC = 22;
const INDEX_VERSION = 1;
export const CHECKSUM_SIZE = 8;

export interface BlockIndex {
  msgs: number;
  bytes: number;
  firstSeq: number;
  lastSeq: number;
  /** Checksum of the last record written to the block (all zero when it has none). */
  lastChecksum: Buffer;
  deleted: Set<number>;
}

export function parseBlockIndex(buf: Buffer, file: string): BlockIndex {
  if (buf.length < 2 || buf[0] !== STORE_MAGIC) throw new NatsStoreError(file, 0, "not a nats-server block index (bad magic)");
  if (buf[1] !== INDEX_VERSION) throw new NatsStoreError(file, 1, `unsupported block index version ${buf[1]}`);
  const r = new GoVarintReader(buf, file, 2);
  const msgs = r.uvarint("message count");
  const bytes = r.uvarint("byte count");
  const firstSeq = r.uvarint("first sequence");
  r.varint("first time");
  const lastSeq = r.uvarint("last sequence");
  r.varint("last time");
  const ndel = r.uvarint("delete count");
  const lastChecksum = Buffer.from(r.bytes(CHECKSUM_SIZE, "last checksum"));
  if (lastSeq + 1 < firstSeq || msgs !== lastSeq - firstSeq + 1 - ndel) {
    throw new NatsStoreError(file, 2, `inconsistent index: ${msgs} messages in ${firstSeq}..${lastSeq} with ${ndel} deleted`);
  }
  const deleted = new Set<number>();
  for (let i = 0; i < ndel; i++) {
    const at = r.off;
    const d = r.uvarint("deleted sequence");
    const seq = firstSeq + d;
    if (d === 0 || seq > lastSeq) throw new NatsStoreError(file, at, `deleted sequence ${seq} outside ${firstSeq}..${lastSeq}`);
    deleted.add(seq);
  }
  if (deleted.size !== ndel) throw new NatsStoreError(file, r.off, "deleted sequences repeat");
  return { msgs, bytes, firstSeq, lastSeq, lastChecksum, deleted };
}
