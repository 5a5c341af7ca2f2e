/**
 * What the records of all blocks say about the store as a whole, at open: the floor, the last
 * sequence and time, and which sequences are deleted. Pure: file-store.ts applies the result.
 *
 * Rules (the writer's invariants read backwards):
 * - floor = the highest Floor record or block-header floor; everything below it is gone;
 * - lastSeq = the highest sequence named by any record (messages, tombstones, block headers), and at
 *   least floor - 1 (a purge to a future sequence);
 * - a sequence with a Tombstone or an Erased record is deleted wherever its message record sits;
 * - lastTime = the newest time any record carries (markers carry the store's last time when written).
 */
import { RecordKind, markerPayload } from "../record.js";
import type { BlockScan } from "./scan.js";

export interface Recovered {
  floor: number;
  lastSeq: number;
  lastTime: number;
  deleted: Set<number>;
  /** Per block, the last sequence its header recorded (0 without a header). */
  createdLastSeq: number[];
}

export function analyzeScans(scans: BlockScan[]): Recovered {
  let floor = 0;
  let lastSeq = 0;
  let lastTime = 0;
  const deleted = new Set<number>();
  const createdLastSeq: number[] = [];
  for (const scan of scans) {
    let created = 0;
    for (const { view, off } of scan.records) {
      lastTime = Math.max(lastTime, view.time);
      switch (view.kind) {
        case RecordKind.Msg:
          lastSeq = Math.max(lastSeq, view.seq);
          break;
        case RecordKind.Erased:
        case RecordKind.Tombstone:
          lastSeq = Math.max(lastSeq, view.seq);
          deleted.add(view.seq);
          break;
        case RecordKind.Floor:
          floor = Math.max(floor, view.seq);
          break;
        case RecordKind.BlockHeader:
          lastSeq = Math.max(lastSeq, view.seq);
          floor = Math.max(floor, markerPayload(scan.data, view));
          if (off === 0) created = view.seq;
          break;
      }
    }
    createdLastSeq.push(created);
  }
  return { floor, lastSeq: Math.max(lastSeq, floor - 1), lastTime, deleted, createdLastSeq };
}

/**
 * Sequences that damaged records may have held (StreamState.lost): those between the last good
 * message before the damage and the first good one after it that are neither deleted nor served.
 * `firstSeqAfter[i]` is the first message sequence of the blocks after block i (0 when none).
 */
export function lostSequences(
  scans: BlockScan[],
  firstSeqAfter: number[],
  rec: Recovered,
  isServed: (seq: number) => boolean,
  limit: number,
): { msgs: number[]; bytes: number } | undefined {
  const msgs: number[] = [];
  let bytes = 0;
  scans.forEach((scan, i) => {
    for (const p of scan.problems) {
      if (p.kind === "torn-tail") continue;
      bytes += p.bytes;
      const upTo = p.nextSeq > 0 ? p.nextSeq - 1 : firstSeqAfter[i]! > 0 ? firstSeqAfter[i]! - 1 : rec.lastSeq;
      for (let s = Math.max(p.prevSeq + 1, rec.floor); s <= upTo && msgs.length < limit; s++) {
        if (!rec.deleted.has(s) && !isServed(s)) msgs.push(s);
      }
    }
  });
  return bytes > 0 ? { msgs, bytes } : undefined;
}
