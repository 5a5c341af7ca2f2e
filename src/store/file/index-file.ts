/**
 * A sealed block's index file (`NNNNNNNNNN.idx` beside `NNNNNNNNNN.blk`): its BlockIndex as bytes, so
 * that loading a block's index reads a few bytes per message instead of the whole block. Only an
 * accelerator: the block stays the truth. An index file is used only when its checksum holds and it
 * matches the block it names (the block's data length, and the length and checksum fields of the
 * block's last record, read back from the block); anything else is ignored, and the index is rebuilt
 * from the block's records.
 *
 *   "TSIX" u32 version | blockLen f64 | lastRecOff f64 | lastRecHead 8 bytes (length + crc fields)
 *   base f64 | n u32 | slots: offset u32, time f64, size u32, local u32 | names: count u32, each str
 *   tombs: count u32, each f64 | crc32
 *
 * The slots come first, at fixed places, so that one message's offset can be read alone (slotOffset):
 * a lookup of one message (a KV get) then reads 4 bytes here and its record, not the whole index.
 * Such a read cannot check this file's checksum; the record read at that offset is checked instead
 * (its own checksum and sequence), and anything else falls back to loading the index whole.
 */
import { readSync } from "node:fs";
import { BinReader, BinWriter, BinaryError } from "../../util/binary.js";
import type { BlockTail } from "./block.js";
import { BlockIndex, NONE } from "./block-index.js";

const MAGIC = 0x58495354; // "TSIX"
const VERSION = 1;

export function encodeIndexFile(ix: BlockIndex, tail: BlockTail): Buffer {
  const w = new BinWriter();
  w.u32(MAGIC);
  w.u32(VERSION);
  w.f64(tail.dataLen);
  w.f64(tail.lastRecOff);
  w.bytes(tail.lastRecHead);
  w.f64(ix.base);
  w.u32(ix.n);
  for (let i = 0; i < ix.n; i++) {
    w.u32(ix.offsets[i]!);
    w.f64(ix.times[i]!);
    w.u32(ix.sizes[i]!);
    w.u32(ix.locals[i]!);
  }
  w.u32(ix.names.length);
  for (const n of ix.names) w.str(n);
  w.u32(ix.tombs.length);
  for (const t of ix.tombs) w.f64(t);
  return w.finishWithCrc();
}

export interface DecodedIndex {
  index: BlockIndex;
  tail: BlockTail;
}

/** Throws BinaryError for a damaged or foreign file. */
export function decodeIndexFile(buf: Buffer): DecodedIndex {
  const r = BinReader.checked(buf);
  if (r.u32() !== MAGIC || r.u32() !== VERSION) throw new BinaryError("not an index file of this version");
  const tail: BlockTail = { dataLen: r.uint(), lastRecOff: r.uint(), lastRecHead: Buffer.from(r.bytes(8)) };
  const base = r.uint();
  const n = r.u32();
  const offsets = new Uint32Array(n);
  const times = new Float64Array(n);
  const sizes = new Uint32Array(n);
  const locals = new Uint32Array(n);
  let prevOff = -1;
  for (let i = 0; i < n; i++) {
    const off = r.u32();
    const time = r.time();
    const size = r.u32();
    const local = r.u32();
    offsets[i] = off;
    times[i] = time;
    sizes[i] = size;
    locals[i] = local;
    if (off === NONE) continue;
    if (off <= prevOff || off >= tail.dataLen) throw new BinaryError(`bad slot ${i}`);
    prevOff = off;
  }
  const names: string[] = [];
  for (let k = r.u32(); k > 0; k--) names.push(r.str());
  for (let i = 0; i < n; i++) if (offsets[i] !== NONE && locals[i]! >= names.length) throw new BinaryError(`bad subject in slot ${i}`);
  if (n > 0 && (offsets[0] === NONE || offsets[n - 1] === NONE)) throw new BinaryError("slots must start and end with a record");
  const tombs: number[] = [];
  for (let k = r.u32(); k > 0; k--) tombs.push(r.uint());
  if (!r.done) throw new BinaryError("trailing bytes");
  return { index: BlockIndex.of(base, n, { offsets, times, sizes, locals, names, tombs }), tail };
}

/** Where slot i's offset field sits in an index file. */
const SLOTS_AT = 4 + 4 + 8 + 8 + 8 + 8 + 4;
const SLOT_LEN = 20;

/**
 * The offset that the index file at fd names for seq, read alone (see above), or -1 when the file
 * does not cover seq. Unverified: the caller checks the record it finds there.
 */
export function slotOffset(fd: number, seq: number): number {
  const head = Buffer.allocUnsafe(SLOTS_AT);
  if (readSync(fd, head, 0, SLOTS_AT, 0) !== SLOTS_AT || head.readUInt32LE(0) !== MAGIC || head.readUInt32LE(4) !== VERSION) return -1;
  const base = head.readDoubleLE(32);
  const n = head.readUInt32LE(40);
  const i = seq - base;
  if (!(i >= 0 && i < n)) return -1;
  const slot = Buffer.allocUnsafe(4);
  if (readSync(fd, slot, 0, 4, SLOTS_AT + i * SLOT_LEN) !== 4) return -1;
  const off = slot.readUInt32LE(0);
  return off === NONE ? -1 : off;
}
