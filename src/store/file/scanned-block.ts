/**
 * What a block's records, read back whole (scan.ts), say about the block: its index, its creation
 * sequence, whether it holds headers, and its summary once it was rewritten (compaction, a cut, a
 * state that predates a compaction). Pure: no files, no store state.
 */
import { fileStoreMsgSize } from "../msg-size.js";
import { RecordKind } from "../record.js";
import type { Block } from "./block.js";
import { BlockIndex, NONE } from "./block-index.js";
import type { BlockScan } from "./scan.js";

/** The physical index of a scanned block. */
export function indexOfScan(scan: BlockScan): BlockIndex {
  const ix = new BlockIndex(Math.max(64, scan.records.length));
  for (const { view, off } of scan.records) {
    if (view.kind === RecordKind.Msg) {
      const subject = scan.data.toString("utf8", view.subjectStart, view.subjectStart + view.subjectLen);
      ix.add(view.seq, off, view.time, fileStoreMsgSize(view.subjectLen, view.hdrLen, view.dataLen), subject);
    } else if (view.kind === RecordKind.Erased) {
      if (view.seq > ix.last) ix.add(view.seq, off, view.time, 0, "");
    } else if (view.kind === RecordKind.Tombstone) {
      ix.tombs.push(view.seq);
    }
  }
  return ix;
}

/** The store's last sequence when the block was made, from its header record (0 without one). */
export function headerSeq(scan: BlockScan): number {
  const first = scan.records[0];
  return first !== undefined && first.off === 0 && first.view.kind === RecordKind.BlockHeader ? first.view.seq : 0;
}

export function hasHeaders(scan: BlockScan): boolean {
  return scan.records.some((r) => r.view.kind === RecordKind.Msg && r.view.hdrLen > 0);
}

/**
 * Gives block b the index, summary and tail of its rewritten content `scan`, in which the sequences
 * in `live` are the live messages (every other record there is dead). Sizes are the caller's.
 */
export function relayout(b: Block, scan: BlockScan, live: Set<number>): BlockIndex {
  const ix = indexOfScan(scan);
  b.resetMsgs();
  for (let k = 0; k < ix.n; k++) {
    if (ix.offsets[k] === NONE) continue;
    const seq = ix.base + k;
    b.addMsg(seq, ix.times[k]!, ix.sizes[k]!, live.has(seq));
  }
  b.hdrs = hasHeaders(scan);
  b.index = ix;
  b.lastRecOff = scan.records.at(-1)?.off ?? -1;
  b.tailHead = b.lastRecOff < 0 ? undefined : Buffer.from(scan.data.subarray(b.lastRecOff, b.lastRecOff + 8));
  return ix;
}
