/**
 * Bytes of what a RAFT group writes and sends: peer messages (transport), entries (one per log frame)
 * and snapshots (the log's snapshot frame).
 *
 * Not nats-server's NRG encodings: ours carry what NRG has no field for (pre-vote, the transfer flag,
 * a follower's `durable` beside `matched`, a config entry's full voter set), so a mixed group would
 * need a translation layer, not a shared layout. Messages are versioned and end with a crc32 (a peer
 * message damaged in a buffer or by a bug is dropped, never acted on); entries and snapshots rely on
 * the log's frame checksum.
 *
 * Message: u8 version, u8 type, str from, str to, f64 term, then the type's fields.
 * Entry:   u8 kind, f64 term, [config: u32 n, n str voters], then the data to the end.
 * Snapshot: f64 term, u32 n, n str voters, then the data to the end.
 */
import { BinaryError, BinReader, BinWriter } from "../util/binary.js";
import type { Message } from "./messages.js";
import type { Entry, EntryKind, Index, NodeId, Snapshot } from "./types.js";

const VERSION = 1;
const TYPES = ["preVote", "preVoteResponse", "vote", "voteResponse", "append", "appendResponse", "snapshot", "timeoutNow"] as const;
const KINDS: readonly EntryKind[] = ["normal", "noop", "config"];

/** Room for a message's fixed fields and its two ids (an append's entries are counted on top). */
const MESSAGE_HEAD_BYTES = 128;
/** An entry's fields in an append besides its data: index, length, kind, term. */
const ENTRY_HEAD_BYTES = 8 + 4 + 1 + 8;

export function encodeMessage(m: Message): Buffer {
  let size = MESSAGE_HEAD_BYTES;
  if (m.type === "append") for (const e of m.entries) size += ENTRY_HEAD_BYTES + e.data.length + (e.voters === undefined ? 0 : 64 * e.voters.length);
  const w = new BinWriter(size);
  w.u8(VERSION);
  w.u8(TYPES.indexOf(m.type));
  w.str(m.from);
  w.str(m.to);
  w.f64(m.term);
  switch (m.type) {
    case "preVote":
    case "vote":
      w.f64(m.lastIndex);
      w.f64(m.lastTerm);
      if (m.type === "vote") w.u8(m.transfer ? 1 : 0);
      break;
    case "preVoteResponse":
    case "voteResponse":
      w.u8(m.granted ? 1 : 0);
      break;
    case "append":
      w.f64(m.prevIndex);
      w.f64(m.prevTerm);
      w.f64(m.commit);
      w.u32(m.entries.length);
      for (const e of m.entries) {
        // encodeEntry's bytes, written in place (no buffer per entry).
        w.f64(e.index);
        const at = w.len;
        w.u32(0);
        w.u8(KINDS.indexOf(e.kind));
        w.f64(e.term);
        if (e.kind === "config") writeVoters(w, e.voters ?? []);
        w.bytes(e.data);
        w.patchU32(at, w.len - at - 4);
      }
      break;
    case "appendResponse":
      w.u8(m.success ? 1 : 0);
      w.f64(m.matched);
      w.f64(m.durable);
      break;
    case "snapshot": {
      w.f64(m.snapshot.index);
      const body = encodeSnapshot(m.snapshot);
      w.u32(body.length);
      w.bytes(body);
      break;
    }
    case "timeoutNow":
      break;
  }
  return w.finishWithCrc();
}

/** Throws BinaryError for bytes that are not a whole, intact message of this version. */
export function decodeMessage(buf: Buffer): Message {
  const r = BinReader.checked(buf);
  if (r.u8() !== VERSION) throw new BinaryError("unknown raft message version");
  const type = TYPES[r.u8()];
  if (type === undefined) throw new BinaryError("unknown raft message type");
  const env = { from: r.str(), to: r.str(), term: r.uint() };
  let m: Message;
  switch (type) {
    case "preVote":
      m = { type, ...env, lastIndex: r.uint(), lastTerm: r.uint() };
      break;
    case "vote":
      m = { type, ...env, lastIndex: r.uint(), lastTerm: r.uint(), transfer: r.u8() === 1 };
      break;
    case "preVoteResponse":
    case "voteResponse":
      m = { type, ...env, granted: r.u8() === 1 };
      break;
    case "append": {
      const prevIndex = r.uint();
      const prevTerm = r.uint();
      const commit = r.uint();
      const n = r.u32();
      const entries: Entry[] = [];
      for (let i = 0; i < n; i++) {
        const index = r.uint();
        entries.push(decodeEntry(index, r.bytes(r.u32())));
      }
      m = { type, ...env, prevIndex, prevTerm, commit, entries };
      break;
    }
    case "appendResponse":
      m = { type, ...env, success: r.u8() === 1, matched: r.uint(), durable: r.uint() };
      break;
    case "snapshot": {
      const index = r.uint();
      m = { type, ...env, snapshot: decodeSnapshot(index, r.bytes(r.u32())) };
      break;
    }
    case "timeoutNow":
      m = { type, ...env };
      break;
  }
  if (!r.done) throw new BinaryError("trailing bytes after a raft message");
  return m;
}

/** An entry as a log frame's payload (the frame holds its index). */
export function encodeEntry(e: Entry): Buffer {
  if (e.kind !== "config") {
    // The hot path (one per proposal): one buffer, no concat.
    const b = Buffer.allocUnsafe(9 + e.data.length);
    b[0] = KINDS.indexOf(e.kind);
    b.writeDoubleLE(e.term, 1);
    b.set(e.data, 9);
    return b;
  }
  const head = Buffer.allocUnsafe(9);
  head[0] = KINDS.indexOf(e.kind);
  head.writeDoubleLE(e.term, 1);
  return Buffer.concat([head, ...voterBytes(e.voters ?? []), e.data]);
}

export function decodeEntry(index: Index, buf: Buffer): Entry {
  const r = new BinReader(buf);
  const kind = KINDS[r.u8()];
  if (kind === undefined) throw new BinaryError(`raft entry ${index}: unknown kind`);
  const term = r.uint();
  const voters = kind === "config" ? readVoters(r) : undefined;
  const data = buf.subarray(r.pos);
  return voters ? { index, term, kind, data, voters } : { index, term, kind, data };
}

export function encodeSnapshot(s: Snapshot): Buffer {
  const head = Buffer.allocUnsafe(8);
  head.writeDoubleLE(s.term, 0);
  return Buffer.concat([head, ...voterBytes(s.voters), s.data]);
}

export function decodeSnapshot(index: Index, buf: Buffer): Snapshot {
  const r = new BinReader(buf);
  const term = r.uint();
  const voters = readVoters(r);
  return { index, term, voters, data: buf.subarray(r.pos) };
}

function voterBytes(voters: readonly NodeId[]): Buffer[] {
  const n = Buffer.allocUnsafe(4);
  n.writeUInt32LE(voters.length, 0);
  const out = [n];
  for (const v of voters) {
    const s = Buffer.from(v, "utf8");
    const len = Buffer.allocUnsafe(4);
    len.writeUInt32LE(s.length, 0);
    out.push(len, s);
  }
  return out;
}

function writeVoters(w: BinWriter, voters: readonly NodeId[]): void {
  w.u32(voters.length);
  for (const v of voters) w.str(v);
}

function readVoters(r: BinReader): NodeId[] {
  const n = r.u32();
  const voters: NodeId[] = [];
  for (let i = 0; i < n; i++) voters.push(r.str());
  return voters;
}
