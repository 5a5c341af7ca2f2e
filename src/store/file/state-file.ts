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
 * and the store is rebuilt from the blocks: the data always wins; so is a state of another version
 * (version 1 listed subjects one by one; version 2 keeps the subject totals' arrays as they are in
 * memory, so that a restart loads millions of KV keys with a few copies).
 *
 * The subject arrays are written in the host's byte order, each section starting at a multiple of 8
 * bytes so that reading can take views of the file's buffer; a state from a machine of the other byte
 * order is refused by its byte-order mark (and rebuilt).
 */
import { BinReader, BinWriter, BinaryError } from "../../util/binary.js";
import type { LostData } from "../types.js";
import type { BlockSummary, BlockTail } from "./block.js";
import type { TotalsImage } from "./subject-totals.js";

const MAGIC = 0x54535354; // "TSST"
const VERSION = 2;
export const STATE_FILE = "state.dat";
/** Reads as this from a u32 written in the host's order only where the host is little-endian, as the reader assumes. */
const ORDER_MARK = 0x01020304;
const ALIGN = 8;
const PAD = Buffer.alloc(ALIGN);

type Typed = Uint8Array | Uint16Array | Uint32Array | Float64Array;

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
  /** A state may hold millions of subjects (KV keys): their names and totals as arrays. */
  subjects: TotalsImage;
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
  const t = s.subjects;
  w.u32(t.limit);
  w.u32(t.arena.length);
  w.bytes(new Uint8Array(new Uint32Array([ORDER_MARK]).buffer));
  w.u32(t.slots.length);
  for (const a of [t.arena, t.offs, t.lens, t.hashes, t.slots, t.firsts, t.lasts, t.counts, t.stale]) {
    w.bytes(PAD.subarray(0, (ALIGN - (w.len % ALIGN)) % ALIGN));
    w.bytes(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
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
 * Throws BinaryError for a damaged file or one from another version. The subject arrays go to
 * onSubjects, which must copy them (they may be views of buf, which the returned state does not keep
 * alive) and check that they make sense (SubjectTotals.load).
 */
export function decodeState(buf: Buffer, onSubjects: (img: TotalsImage) => void): Omit<SavedState, "subjects"> {
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
  const limit = r.u32();
  const arenaLen = r.u32();
  if (r.u32() !== ORDER_MARK) throw new BinaryError("written with another byte order");
  const slots = r.u32();
  const arena = section(r, Uint8Array, arenaLen);
  onSubjects({
    limit,
    arena: Buffer.from(arena.buffer, arena.byteOffset, arena.length),
    offs: section(r, Uint32Array, limit),
    lens: section(r, Uint16Array, limit),
    hashes: section(r, Uint32Array, limit),
    slots: section(r, Uint32Array, slots),
    firsts: section(r, Float64Array, limit),
    lasts: section(r, Float64Array, limit),
    counts: section(r, Float64Array, limit),
    stale: section(r, Uint8Array, limit),
  });
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
  return { lastSeq, lastTime, floor, bytes, activeId, activeSize, blocks, ttls, lost };
}

/** n elements of an array written by encodeState: a view of the file's buffer when aligned, else a copy. */
function section<T extends Typed>(r: BinReader, Of: { new (n: number): T; new (b: ArrayBufferLike, off: number, n: number): T; BYTES_PER_ELEMENT: number }, n: number): T {
  r.bytes((ALIGN - (r.pos % ALIGN)) % ALIGN);
  const bytes = r.bytes(n * Of.BYTES_PER_ELEMENT);
  if (bytes.byteOffset % Of.BYTES_PER_ELEMENT === 0) return new Of(bytes.buffer, bytes.byteOffset, n);
  const out = new Of(n);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
