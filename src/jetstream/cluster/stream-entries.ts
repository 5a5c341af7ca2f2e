/**
 * The entries of a stream group's RAFT log: what the leader proposes and every replica applies.
 *
 * Layout: one type byte, then the proposer's node id (u8 length + ASCII; the replica whose id it is
 * answers the request), then
 * - msg:     u16 subject length, subject (UTF-8), u16 reply length, reply (wire bytes, latin1),
 *            u32 header length + 1 (0: no header), header, u32 data length, data, f64 time (ns);
 * - others:  a JSON body (purge request, delete, config, consumer changes), with `rid`, the request id
 *            the proposer waits on.
 * A message entry is the hot path: one allocation, no JSON.
 */
import { assert } from "../../util/assert.js";

export const enum EntryType {
  Msg = 1,
  Purge = 2,
  Delete = 3,
  Config = 4,
  Consumer = 5,
}

export interface MsgEntry {
  readonly type: EntryType.Msg;
  readonly proposer: string;
  readonly subject: string;
  readonly reply: string | undefined;
  readonly hdr: Buffer | undefined;
  readonly data: Buffer;
  /** ns since the epoch: the leader's clock when it proposed. */
  readonly time: number;
}

export interface OpEntry {
  readonly type: Exclude<EntryType, EntryType.Msg>;
  readonly proposer: string;
  readonly body: Record<string, unknown>;
}

export type StreamEntry = MsgEntry | OpEntry;

export function encodeMsg(proposer: string, subject: string, reply: string | undefined, hdr: Buffer | undefined, data: Buffer, time: number): Buffer {
  const slen = Buffer.byteLength(subject, "utf8");
  const rlen = reply === undefined ? 0 : reply.length;
  const hlen = hdr === undefined ? 0 : hdr.length;
  assert(slen <= 0xffff && rlen <= 0xffff && proposer.length <= 0xff, "stream entry: subject, reply or proposer too long");
  const size = 2 + proposer.length + 2 + slen + 2 + rlen + 4 + hlen + 4 + data.length + 8;
  const b = Buffer.allocUnsafe(size);
  let o = 0;
  b[o++] = EntryType.Msg;
  b[o++] = proposer.length;
  o += b.write(proposer, o, "latin1");
  b.writeUInt16LE(slen, o);
  o += 2;
  o += b.write(subject, o, "utf8");
  b.writeUInt16LE(rlen, o);
  o += 2;
  if (reply !== undefined) o += b.write(reply, o, "latin1");
  b.writeUInt32LE(hdr === undefined ? 0 : hlen + 1, o);
  o += 4;
  if (hdr !== undefined) o += hdr.copy(b, o);
  b.writeUInt32LE(data.length, o);
  o += 4;
  o += data.copy(b, o);
  b.writeDoubleLE(time, o);
  return b;
}

export function encodeOp(type: OpEntry["type"], proposer: string, body: Record<string, unknown>): Buffer {
  assert(proposer.length <= 0xff, "stream entry: proposer too long");
  const json = Buffer.from(JSON.stringify(body), "utf8");
  const b = Buffer.allocUnsafe(2 + proposer.length + json.length);
  b[0] = type;
  b[1] = proposer.length;
  b.write(proposer, 2, "latin1");
  json.copy(b, 2 + proposer.length);
  return b;
}

/** Decodes an entry; hdr and data are views of `b`. Throws on bytes that are not an entry. */
export function decodeEntry(b: Buffer): StreamEntry {
  const type = b[0] as EntryType;
  const plen = b[1]!;
  let o = 2;
  const proposer = b.toString("latin1", o, o + plen);
  o += plen;
  if (type !== EntryType.Msg) {
    assert(type >= EntryType.Purge && type <= EntryType.Consumer, () => `stream entry: unknown type ${type}`);
    return { type, proposer, body: JSON.parse(b.toString("utf8", o)) as Record<string, unknown> };
  }
  const slen = b.readUInt16LE(o);
  o += 2;
  const subject = b.toString("utf8", o, o + slen);
  o += slen;
  const rlen = b.readUInt16LE(o);
  o += 2;
  const reply = rlen === 0 ? undefined : b.toString("latin1", o, o + rlen);
  o += rlen;
  const h = b.readUInt32LE(o);
  o += 4;
  const hdr = h === 0 ? undefined : b.subarray(o, o + h - 1);
  o += h === 0 ? 0 : h - 1;
  const dlen = b.readUInt32LE(o);
  o += 4;
  const data = b.subarray(o, o + dlen);
  o += dlen;
  assert(o + 8 === b.length, "stream entry: a message entry's length does not add up");
  const time = b.readDoubleLE(o);
  return { type, proposer, subject, reply, hdr, data, time };
}
