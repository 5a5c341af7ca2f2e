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
 * removals (upkeep-store.ts). A state that fails its checksum or disagrees with the blocks is ignored
 * and the store is rebuilt from the blocks: the data always wins; so is a state of another version
 * (version 1 listed subjects one by one; version 2 keeps the subject totals' arrays as they are in
 * memory, so that a restart loads millions of KV keys with a few copies).
 *
 * The subject arrays are written in the host's byte order and read straight into the arrays that
 * keep them; a state from a machine of the other byte order is refused by its byte-order mark (and
 * rebuilt).
 */
import { open } from "node:fs/promises";
import { BinReader, BinWriter, BinaryError } from "../../util/binary.js";
import { crc32 } from "../../util/crc32.js";
import type { LostData } from "../types.js";
import type { BlockSummary, BlockTail } from "./block.js";
import type { TotalsImage } from "./subject-totals.js";
import { roomFor } from "./subject-table.js";

const MAGIC = 0x54535354; // "TSST"
const VERSION = 2;
export const STATE_FILE = "state.dat";
/** Reads as this from a u32 written in the host's order only where the host is little-endian, as the reader assumes. */
const ORDER_MARK = 0x01020304;
const ALIGN = 8;
/** Where the head starts: after magic, version and the head's length. */
const HEAD_AT = 12;

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

/**
 * Layout: magic, version, the length of the head; the head (sequences, blocks, TTLs, lost data, the
 * subject arrays' sizes); the subject arrays, each padded to start at a multiple of 8; the crc32 of
 * everything before it.
 */
export function encodeState(s: SavedState): Buffer {
  const t = s.subjects;
  const w = new BinWriter();
  w.u32(MAGIC);
  w.u32(VERSION);
  w.u32(0);
  for (const v of [s.lastSeq, s.lastTime, s.floor, s.bytes, s.activeId, s.activeSize]) w.f64(v);
  w.u32(s.blocks.length);
  for (const b of s.blocks) {
    for (const v of [b.id, b.dataLen, b.lastRecOff + 1, b.base, b.last, b.head, b.live, b.bytes, b.firstTime, b.lastTime, b.physMsgs, b.createdLastSeq]) w.f64(v);
    w.bytes(b.lastRecHead);
    w.u8(b.hdrs ? 1 : 0);
    w.u32(b.deadRuns.length);
    for (const v of b.deadRuns) w.f64(v);
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
  w.u32(t.limit);
  w.u32(t.used);
  w.bytes(new Uint8Array(new Uint32Array([ORDER_MARK]).buffer));
  w.u32(t.slots.length);
  w.patchU32(8, w.len - HEAD_AT);
  // (BinWriter hands out its content with a crc appended; the file's crc covers everything, at the end.)
  const head = w.finishWithCrc().subarray(0, w.len - 4);
  // One buffer of the exact size: a state of millions of subjects is tens of MB, and growing a
  // buffer to it by doubling would copy it several times over.
  const n = t.limit;
  const arrays = [t.arena.subarray(0, t.used), t.offs.subarray(0, n), t.lens.subarray(0, n), t.hashes.subarray(0, n), t.slots, t.firsts.subarray(0, n), t.lasts.subarray(0, n), t.counts.subarray(0, n), t.stale.subarray(0, n)];
  let size = head.length;
  for (const a of arrays) size += padding(size) + a.byteLength;
  const out = Buffer.allocUnsafe(size + 4);
  let at = head.copy(out, 0);
  for (const a of arrays) {
    const pad = padding(at);
    out.fill(0, at, at + pad);
    at += pad;
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  out.writeUInt32LE(crc32(out, 0, size), size);
  return out;
}

/**
 * Reads a state file: the head whole, then each subject array straight into an array of its own with
 * room to grow (subject-table.ts roomFor), so that a state of millions of subjects is neither held
 * twice nor copied. The arrays go to onSubjects once the checksum matched; it checks that they make
 * sense (SubjectTotals.load). Throws BinaryError for a damaged file or one of another version.
 */
export async function readState(path: string, onSubjects: (img: TotalsImage) => void): Promise<Omit<SavedState, "subjects">> {
  const fh = await open(path, "r");
  try {
    const size = (await fh.stat()).size;
    let pos = 0;
    let crc = 0;
    const read = async (into: Uint8Array): Promise<void> => {
      if (pos + into.length + 4 > size) throw new BinaryError(`truncated at ${pos}`);
      const { bytesRead } = await fh.read(into, 0, into.length, pos);
      if (bytesRead !== into.length) throw new BinaryError(`truncated at ${pos + bytesRead}`);
      crc = crc32(into, 0, into.length, crc);
      pos += into.length;
    };
    const pre = Buffer.alloc(HEAD_AT);
    await read(pre);
    if (pre.readUInt32LE(0) !== MAGIC || pre.readUInt32LE(4) !== VERSION) throw new BinaryError("not a state file of this version");
    const head = Buffer.alloc(pre.readUInt32LE(8));
    await read(head);
    const st = decodeHead(new BinReader(head));
    const gap = Buffer.alloc(ALIGN);
    const section = async <T extends Typed>(Of: { new (n: number): T; BYTES_PER_ELEMENT: number }, n: number, room: number): Promise<T> => {
      await read(gap.subarray(0, padding(pos)));
      const a = new Of(room);
      await read(new Uint8Array(a.buffer, 0, n * Of.BYTES_PER_ELEMENT));
      return a;
    };
    const { limit, arenaLen, slots } = st.subjects;
    const ids = roomFor(limit);
    const arena = await section(Uint8Array, arenaLen, roomFor(arenaLen));
    const img: TotalsImage = {
      limit,
      arena: Buffer.from(arena.buffer, 0, arena.length),
      used: arenaLen,
      offs: await section(Uint32Array, limit, ids),
      lens: await section(Uint16Array, limit, ids),
      hashes: await section(Uint32Array, limit, ids),
      slots: await section(Uint32Array, slots, slots),
      firsts: await section(Float64Array, limit, ids),
      lasts: await section(Float64Array, limit, ids),
      counts: await section(Float64Array, limit, ids),
      stale: await section(Uint8Array, limit, ids),
    };
    const sum = Buffer.alloc(4);
    const { bytesRead } = await fh.read(sum, 0, 4, pos);
    if (bytesRead !== 4 || pos + 4 !== size) throw new BinaryError("trailing bytes");
    if (sum.readUInt32LE(0) !== crc) throw new BinaryError("checksum mismatch");
    onSubjects(img);
    return st.state;
  } finally {
    await fh.close();
  }
}

function decodeHead(r: BinReader): { state: Omit<SavedState, "subjects">; subjects: { limit: number; arenaLen: number; slots: number } } {
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
  const ttls: [number, number, number][] = [];
  for (let k = r.u32(); k > 0; k--) ttls.push([r.uint(), r.time(), r.f64()]);
  let lost: LostData | undefined;
  if (r.u8() === 1) {
    const lbytes = r.uint();
    const msgs: number[] = [];
    for (let k = r.u32(); k > 0; k--) msgs.push(r.uint());
    lost = { msgs, bytes: lbytes };
  }
  const limit = r.u32();
  const arenaLen = r.u32();
  if (r.u32() !== ORDER_MARK) throw new BinaryError("written with another byte order");
  const slots = r.u32();
  if (!r.done) throw new BinaryError("trailing bytes in the head");
  return { state: { lastSeq, lastTime, floor, bytes, activeId, activeSize, blocks, ttls, lost }, subjects: { limit, arenaLen, slots } };
}

/** Zero bytes that bring pos to a multiple of ALIGN. */
function padding(pos: number): number {
  return (ALIGN - (pos % ALIGN)) % ALIGN;
}
