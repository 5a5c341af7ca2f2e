/**
 * The stream's saved state (`state.dat` in the store's directory): everything the store keeps in
 * memory about its messages — sequences, per-block summaries, per-subject totals, TTLs, lost data — so
 * that a restart reads one small file instead of every block. Written atomically (temp file,
 * fdatasync, rename, directory fsync) on a clean stop and by upkeep while running.
 *
 * What it promises: it describes the store exactly as of the end of one group-commit batch, and every
 * record of that batch and before was durable when it was renamed into place. `activeId`/`activeSize`
 * say where the records written after it begin (the tail), which a restart replays. Upkeep keeps it
 * true: a block it describes is deleted or rewritten only once a newer state covers the block's
 * removals (file-store.ts). A state that fails its checksum or disagrees with the blocks is ignored
 * and the store is rebuilt from the blocks: the data always wins.
 */
import { BinReader, BinWriter, BinaryError } from "../../util/binary.js";
import type { LostData } from "../types.js";
import type { BlockSummary, BlockTail } from "./block.js";

const MAGIC = 0x54535354; // "TSST"
const VERSION = 1;
export const STATE_FILE = "state.dat";
/** Flags of a subject's totals: its first or last sequence is a bound only. */
export const STALE_FIRST = 1;
export const STALE_LAST = 2;

export interface SubjectTotal {
  subject: string;
  first: number;
  last: number;
  count: number;
  /** first/last are a bound only (the exact one is found by a scan when asked). */
  firstStale: boolean;
  lastStale: boolean;
}

export interface SavedState {
  lastSeq: number;
  lastTime: number;
  floor: number;
  bytes: number;
  activeId: number;
  /** Bytes of the active block that the state covers; records after them are the tail. */
  activeSize: number;
  /** Per block, its summary and where its data ends (lastRecOff -1 for a block without records). */
  blocks: (BlockSummary & BlockTail)[];
  /** Written from an iterable and read back through a callback: a state may hold millions (KV keys). */
  subjects: Iterable<SubjectTotal>;
  /** [seq, time, ttl] of live messages with a per-message TTL. */
  ttls: [number, number, number][];
  lost: LostData | undefined;
}

export function encodeState(s: SavedState): Buffer {
  const w = new BinWriter();
  w.u32(MAGIC);
  w.u32(VERSION);
  for (const v of [s.lastSeq, s.lastTime, s.floor, s.bytes, s.activeId, s.activeSize]) w.f64(v);
  w.u32(s.blocks.length);
  for (const b of s.blocks) {
    for (const v of [b.id, b.dataLen, b.lastRecOff + 1, b.base, b.last, b.head, b.live, b.bytes, b.firstTime, b.lastTime, b.physMsgs, b.createdLastSeq]) w.f64(v);
    w.bytes(b.lastRecHead);
    w.u8(b.hdrs ? 1 : 0);
    w.u32(b.deadRuns.length);
    for (const v of b.deadRuns) w.f64(v);
  }
  const countAt = w.len;
  w.u32(0);
  let count = 0;
  for (const t of s.subjects) {
    count++;
    w.str(t.subject);
    w.f64(t.first);
    w.f64(t.last);
    w.f64(t.count);
    w.u8((t.firstStale ? STALE_FIRST : 0) | (t.lastStale ? STALE_LAST : 0));
  }
  w.patchU32(countAt, count);
  w.u32(s.ttls.length);
  for (const [seq, time, ttl] of s.ttls) {
    w.f64(seq);
    w.f64(time);
    w.f64(ttl);
  }
  w.u8(s.lost === undefined ? 0 : 1);
  if (s.lost !== undefined) {
    w.f64(s.lost.bytes);
    w.u32(s.lost.msgs.length);
    for (const m of s.lost.msgs) w.f64(m);
  }
  return w.finishWithCrc();
}

/**
 * Throws BinaryError for a damaged file or one from another version. Subjects go to onSubject as they
 * are read (the returned state's list is empty).
 */
export function decodeState(buf: Buffer, onSubject: (subject: string, first: number, last: number, count: number, flags: number) => void): SavedState {
  const r = BinReader.checked(buf);
  if (r.u32() !== MAGIC || r.u32() !== VERSION) throw new BinaryError("not a state file of this version");
  const [lastSeq, lastTime, floor, bytes, activeId, activeSize] = [r.uint(), r.time(), r.uint(), r.uint(), r.uint(), r.uint()];
  const blocks: SavedState["blocks"] = [];
  for (let k = r.u32(); k > 0; k--) {
    const [id, dataLen, lastRecOff1, base, last, head, live, bytes] = Array.from({ length: 8 }, () => r.uint());
    const [firstTime, lastTime] = [r.time(), r.time()];
    const [physMsgs, createdLastSeq] = [r.uint(), r.uint()];
    const lastRecHead = Buffer.from(r.bytes(8));
    const hdrs = r.u8() === 1;
    const deadRuns: number[] = [];
    for (let j = r.u32(); j > 0; j--) deadRuns.push(r.uint());
    if (deadRuns.length % 2 !== 0 || (base === 0 && live > 0) || live > physMsgs) throw new BinaryError(`bad block ${id}`);
    blocks.push({ id: id!, dataLen: dataLen!, lastRecOff: lastRecOff1! - 1, lastRecHead, base: base!, last: last!, head: head!, live: live!, bytes: bytes!, firstTime: firstTime!, lastTime: lastTime!, physMsgs: physMsgs!, createdLastSeq: createdLastSeq!, deadRuns, hdrs });
  }
  for (let k = r.u32(); k > 0; k--) {
    const subject = r.str();
    const first = r.uint();
    const last = r.uint();
    const count = r.uint();
    const flags = r.u8();
    if (count === 0 || first > last) throw new BinaryError(`bad totals for ${subject}`);
    onSubject(subject, first, last, count, flags);
  }
  const ttls: [number, number, number][] = [];
  for (let k = r.u32(); k > 0; k--) ttls.push([r.uint(), r.time(), r.f64()]);
  let lost: LostData | undefined;
  if (r.u8() === 1) {
    const lbytes = r.uint();
    const msgs: number[] = [];
    for (let k = r.u32(); k > 0; k--) msgs.push(r.uint());
    lost = { msgs, bytes: lbytes };
  }
  if (!r.done) throw new BinaryError("trailing bytes");
  return { lastSeq, lastTime, floor, bytes, activeId, activeSize, blocks, subjects: [], ttls, lost };
}
