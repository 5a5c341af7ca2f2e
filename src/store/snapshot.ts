/**
 * Restoring a store from the byte stream of StreamStore.snapshot(): a SnapshotHeader record (last and
 * first sequence) then one Msg record per message, in sequence order, in the record format of
 * record.ts — independent of the storage type, so a memory stream can be restored into a file store
 * and back. Every record's checksum is verified; a damaged or truncated stream is refused.
 */
import { StoreError } from "./errors.js";
import { RecordKind, markerPayload, readRecord } from "./record.js";
import type { StreamStore } from "./types.js";

export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SnapshotError";
  }
}

/** Fills `store`, which must never have held a message, from snapshot chunks. */
export async function restoreStore(store: StreamStore, chunks: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<void> {
  if (store.state().lastSeq !== 0) throw new StoreError("bad_sequence", "restore needs an empty store");
  let pending: Buffer = Buffer.alloc(0);
  let lastSeq = -1;
  for await (const chunk of chunks) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let off = 0;
    for (;;) {
      if (pending.length - off < 4) break;
      const len = pending.readUInt32LE(off);
      if (pending.length - off < len) break;
      const v = readRecord(pending, off, off + len);
      if (v === undefined) throw new SnapshotError(`damaged record at offset ${off} of a snapshot chunk`);
      if (lastSeq < 0) {
        if (v.kind !== RecordKind.SnapshotHeader) throw new SnapshotError("snapshot does not start with its header");
        lastSeq = v.seq;
        const firstSeq = markerPayload(pending, v);
        if (firstSeq > 1) store.compact(firstSeq);
      } else if (v.kind === RecordKind.Msg) {
        const subject = pending.toString("utf8", v.subjectStart, v.subjectStart + v.subjectLen);
        // Copies: the chunk buffer is not ours to keep.
        const hdr = v.hdrLen > 0 ? Buffer.from(pending.subarray(v.hdrStart, v.hdrStart + v.hdrLen)) : undefined;
        const data = Buffer.from(pending.subarray(v.dataStart, v.dataStart + v.dataLen));
        store.storeRawMsg(v.seq, subject, hdr, data, v.time, v.ttl);
      } else {
        throw new SnapshotError(`unexpected record kind ${v.kind} in a snapshot`);
      }
      off += len;
    }
    pending = pending.subarray(off);
  }
  if (lastSeq < 0 || pending.length > 0) throw new SnapshotError("snapshot is truncated");
  // Messages deleted at the end of the original stream still count as used sequences.
  store.skipTo(lastSeq);
  await store.flush();
}
