/**
 * The state.log of tsnats before store/log: no header, frames `[u32 len][u32 crc32 of the payload]
 * [payload]`, each payload the records of state-codec.ts. A file in this format is read once,
 * at open, and replaced by a log of the current format holding its state as a snapshot
 * (store.ts). As that format always did, reading stops at the first frame that is not whole:
 * it can only be a torn tail, which nobody was told is durable.
 */
import { crc32 } from "../../util/crc32.js";
import { replayRecords } from "./state-codec.js";
import type { ConsumerState } from "./state.js";

const FRAME_HEAD = 8;

/** Replays the whole frames of an old-format state log into `state` (its log detached). */
export function replayLegacyLog(state: ConsumerState, data: Buffer): void {
  let off = 0;
  while (off + FRAME_HEAD <= data.length) {
    const end = off + FRAME_HEAD + data.readUInt32LE(off);
    if (end > data.length) break;
    if (crc32(data, off + FRAME_HEAD, end) !== data.readUInt32LE(off + 4)) break;
    replayRecords(state, data.subarray(off + FRAME_HEAD, end));
    off = end;
  }
}
