/**
 * What the records of all blocks say about the store as a whole when it is rebuilt from its blocks
 * (no usable saved state): the floor, the last sequence and time, and which sequences are deleted.
 * Blocks are fed one at a time and then dropped, so a rebuild holds one block's bytes at a time.
 * Pure: opening-store.ts applies the result.
 *
 * Rules (the writer's invariants read backwards):
 * - floor = the highest Floor record or block-header floor; everything below it is gone;
 * - lastSeq = the highest sequence named by any record (messages, tombstones, block headers), and at
 *   least floor - 1 (a purge to a future sequence);
 * - a sequence with a Tombstone or an Erased record is deleted wherever its message record sits;
 * - lastTime = the newest time any record carries (markers carry the store's last time when written).
 */
import { RecordKind, markerPayload } from "../record.js";
import type { BlockScan, Problem } from "./scan.js";

export class RecoveryAccumulator {
  floor = 0;
  private maxSeq = 0;
  lastTime = 0;
  readonly deleted = new Set<number>();
  /** [seq, ttl] of message records that carry a TTL. */
  readonly ttls = new Map<number, number>();

  /** Reads one block's records; returns the last sequence its header recorded (0 without a header). */
  add(scan: BlockScan): number {
    let created = 0;
    for (const { view, off } of scan.records) {
      this.lastTime = Math.max(this.lastTime, view.time);
      switch (view.kind) {
        case RecordKind.Msg:
          this.maxSeq = Math.max(this.maxSeq, view.seq);
          if (view.ttl !== undefined) this.ttls.set(view.seq, view.ttl);
          break;
        case RecordKind.Erased:
        case RecordKind.Tombstone:
          this.maxSeq = Math.max(this.maxSeq, view.seq);
          this.deleted.add(view.seq);
          break;
        case RecordKind.Floor:
          this.floor = Math.max(this.floor, view.seq);
          break;
        case RecordKind.BlockHeader:
          this.maxSeq = Math.max(this.maxSeq, view.seq);
          this.floor = Math.max(this.floor, markerPayload(scan.data, view));
          if (off === 0) created = view.seq;
          break;
      }
    }
    return created;
  }

  get lastSeq(): number {
    return Math.max(this.maxSeq, this.floor - 1);
  }

  isLive(seq: number): boolean {
    return seq >= this.floor && !this.deleted.has(seq);
  }
}

/** What lostSequences needs to know of the store's records: a rebuild's accumulator, or a tail replay's. */
export interface RemovalRecords {
  floor: number;
  lastSeq: number;
  /** Sequences a Tombstone or an Erased record removed. */
  deleted: Set<number>;
}

/**
 * Sequences that damaged records may have held (StreamState.lost): those between the last good
 * message before the damage and the first good one after it that are neither deleted nor served.
 * `firstSeqAfter[i]` is the first message sequence of the blocks after block i (0 when none).
 * `known` (the lost data a saved state already listed) is kept, and the new sequences added to it.
 */
export function lostSequences(
  problems: Problem[][],
  firstSeqAfter: number[],
  rec: RemovalRecords,
  isServed: (seq: number) => boolean,
  limit: number,
  known?: { msgs: number[]; bytes: number },
): { msgs: number[]; bytes: number } | undefined {
  const msgs: number[] = known === undefined ? [] : [...known.msgs];
  let bytes = known?.bytes ?? 0;
  problems.forEach((list, i) => {
    for (const p of list) {
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
