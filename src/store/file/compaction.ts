/**
 * The new content of a block being compacted: a fresh header, the records of its live messages
 * (byte-for-byte, so their checksums still hold) and the tombstones that are still needed; dead
 * messages, erased records, floors and the old header are dropped. Pure: the caller writes the result
 * to a temp file and renames it over the block.
 */
import { RecordKind, markerRecordLength, readRecord, writeMarkerRecord } from "../record.js";

export interface CompactedBlock {
  data: Buffer;
  /** [sequence, offset in data] of every message record kept. */
  msgs: [number, number][];
  tombs: number[];
}

export interface CompactionInput {
  /** The block's bytes, [0, size). */
  src: Buffer;
  size: number;
  createdLastSeq: number;
  lastTime: number;
  floor: number;
  isLive: (seq: number) => boolean;
  tombNeeded: (seq: number) => boolean;
}

/** A record that cannot be read gives its offset instead (the block is then left as it is). */
export function compactBlockBytes(b: CompactionInput): CompactedBlock | { badOffset: number } {
  const out = Buffer.allocUnsafe(Math.max(b.size, markerRecordLength(true)));
  let at = writeMarkerRecord(out, 0, RecordKind.BlockHeader, b.createdLastSeq, b.lastTime, b.floor);
  const msgs: [number, number][] = [];
  const tombs: number[] = [];
  for (let off = 0; off < b.size; ) {
    const v = readRecord(b.src, off, b.size);
    if (v === undefined) return { badOffset: off };
    const keep =
      (v.kind === RecordKind.Msg && b.isLive(v.seq)) || (v.kind === RecordKind.Tombstone && v.seq >= b.floor && b.tombNeeded(v.seq));
    if (keep) {
      b.src.copy(out, at, off, off + v.len);
      if (v.kind === RecordKind.Msg) msgs.push([v.seq, at]);
      else tombs.push(v.seq);
      at += v.len;
    }
    off += v.len;
  }
  return { data: out.subarray(0, at), msgs, tombs };
}
