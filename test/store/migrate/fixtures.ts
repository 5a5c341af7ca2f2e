/**
 * nats-server's on-disk formats written from their descriptions, for the readers' tests: Go varints,
 * message records (live, erased, tombstones), S2 framing, and the 2.10+ files — the stream state
 * `msgs/index.db` with its encoded sequence sets, compressed blocks, and a stream directory built from
 * them (no nats-server 2.10 binary runs here to write one).
 */
import { highwayHash64, natsHashKey } from "../../../src/store/migrate/highwayhash.js";

export function uvarint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
export const varint = (n: number): number[] => uvarint(n >= 0 ? n * 2 : -n * 2 - 1);

/** The sequence word's flags: erased (2.9 and later) and tombstone (2.10+). */
const FLAGS = { erased: 1n << 63n, tombstone: 1n << 62n } as const;

export function record(stream: string, index: number, seq: number, subject: string, data: string, hdr?: string, flag?: keyof typeof FLAGS): Buffer {
  const subj = Buffer.from(subject);
  const h = hdr === undefined ? undefined : Buffer.from(hdr);
  const body = Buffer.concat([subj, ...(h === undefined ? [] : [Buffer.from(Uint32Array.of(h.length).buffer), h]), Buffer.from(data)]);
  const head = Buffer.alloc(22);
  const rl = 22 + body.length + 8;
  head.writeUInt32LE((rl | (h === undefined ? 0 : 0x80000000)) >>> 0, 0);
  head.writeBigUInt64LE(BigInt(seq) | (flag === undefined ? 0n : FLAGS[flag]), 4);
  head.writeBigInt64LE(1_800_000_000_000_000_000n + BigInt(seq), 12);
  head.writeUInt16LE(subj.length, 20);
  const sum = highwayHash64(natsHashKey(`${stream}-${index}`), head.subarray(4, 20), subj, h ?? Buffer.alloc(0), Buffer.from(data));
  return Buffer.concat([head, body, sum]);
}

const CRC32C = Array.from({ length: 256 }, (_, b) => {
  let c = b;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
export function masked(buf: Buffer): number {
  let c = 0xffffffff;
  for (const x of buf) c = CRC32C[(c ^ x) & 255]! ^ (c >>> 8);
  const crc = (c ^ 0xffffffff) >>> 0;
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}
export function chunk(type: number, body: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h[0] = type;
  h.writeUIntLE(body.length, 1, 3);
  return Buffer.concat([h, body]);
}
export const STREAM_ID = chunk(0xff, Buffer.from("S2sTwO"));

/** An S2 stream holding `data` in one uncompressed chunk (valid S2, as a writer may emit for incompressible data). */
export function s2Stored(data: Buffer): Buffer {
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(masked(data));
  return Buffer.concat([STREAM_ID, chunk(0x01, Buffer.concat([crc, data]))]);
}

/** A block as 2.10+ compresses it: `cmp`, algorithm 1 (S2), the uncompressed size, the S2 body, the last checksum. */
export function compressedBlock(records: Buffer): Buffer {
  const body = records.subarray(0, records.length - 8);
  return Buffer.concat([Buffer.from("cmp"), Buffer.from([1, ...uvarint(records.length)]), s2Stored(body), records.subarray(records.length - 8)]);
}

/** nats-server's encoded sequence set; version 2 has 32 buckets of 64 bits a node, version 1 had 64. */
export function seqSet(seqs: number[], version: 1 | 2 = 2): Buffer {
  const buckets = version === 2 ? 32 : 64;
  const span = buckets * 64;
  const nodes = new Map<number, bigint[]>();
  for (const s of seqs) {
    const base = Math.floor(s / span) * span;
    const bits = nodes.get(base) ?? Array.from({ length: buckets }, () => 0n);
    bits[Math.floor((s - base) / 64)]! |= 1n << BigInt((s - base) % 64);
    nodes.set(base, bits);
  }
  const out = Buffer.alloc(10 + nodes.size * (8 + buckets * 8 + 2));
  out[0] = 22;
  out[1] = version;
  out.writeUInt32LE(nodes.size, 2);
  out.writeUInt32LE(new Set(seqs).size, 6);
  let off = 10;
  for (const [base, bits] of [...nodes].sort((a, b) => a[0] - b[0])) {
    out.writeBigUInt64LE(BigInt(base), off);
    bits.forEach((b, i) => out.writeBigUInt64LE(b, off + 8 + i * 8));
    out.writeUInt16LE(1, off + 8 + buckets * 8);
    off += 8 + buckets * 8 + 2;
  }
  return out;
}

export interface BlockStateSpec {
  index: number;
  first: number;
  last: number;
  deleted?: number[];
}

/** `msgs/index.db` of a 2.10+ stream (version 1 to 4), checksummed under the stream's name. */
export function streamState(stream: string, s: {
  version?: number; msgs: number; first: number; last: number; subjects?: [string, number, number, number][];
  blocks: BlockStateSpec[]; lastBlock: number; lastChecksum: Buffer;
}): Buffer {
  const version = s.version ?? 4;
  const bytes: number[] = [11, version, ...uvarint(s.msgs), ...uvarint(s.msgs * 50), ...uvarint(s.first), ...varint(1_800_000_000_000_000_000), ...uvarint(s.last), ...varint(1_800_000_000_000_000_999)];
  const subjects = s.subjects ?? [];
  bytes.push(...uvarint(subjects.length));
  for (const [subj, total, fblk, lblk] of subjects) {
    bytes.push(...uvarint(subj.length), ...Buffer.from(subj), ...uvarint(total), ...uvarint(fblk));
    if (total > 1 || version >= 4) bytes.push(...uvarint(lblk));
  }
  bytes.push(...uvarint(s.blocks.length));
  for (const b of s.blocks) {
    const dels = b.deleted ?? [];
    bytes.push(...uvarint(b.index), ...uvarint(100), ...uvarint(b.first), ...varint(0), ...uvarint(b.last), ...varint(5), ...uvarint(dels.length));
    if (version >= 2) bytes.push(...uvarint(0));
    if (version >= 3) bytes.push(...uvarint(0));
    if (dels.length > 0) bytes.push(...seqSet(dels));
  }
  bytes.push(...uvarint(s.lastBlock), ...s.lastChecksum);
  const body = Buffer.from(bytes);
  return Buffer.concat([body, highwayHash64(natsHashKey(stream), body)]);
}

/** A stream's meta.inf and meta.sum as nats-server writes them. */
export function streamMeta(name: string, config: Record<string, unknown> = {}): [string, Buffer][] {
  const inf = Buffer.from(JSON.stringify({ Created: "2026-12-07T18:34:40.830741843Z", name, subjects: [`${name.toLowerCase()}.>`], retention: "limits", max_consumers: -1, max_msgs: -1, max_bytes: -1, max_age: 0, max_msgs_per_subject: -1, max_msg_size: -1, discard: "old", storage: "file", num_replicas: 1, duplicate_window: 120000000000, ...config }));
  return [["meta.inf", inf], ["meta.sum", Buffer.from(highwayHash64(natsHashKey(name), inf).toString("hex"))]];
}

export const HDR = "NATS/1.0\r\nX: y\r\n\r\n";

/**
 * A 2.10+ stream directory, by relative path, holding sequences 1, 5 (with headers) and 6 of 1..6 on
 * subjects `s.*`. Block 1 (S2-compressed): 1 live, 2 deleted (its record left as it was), 3 erased.
 * Block 2: only 4, deleted: empty and not the last, so nats-server drops it. Block 3 (the last): 5, a
 * tombstone for 2, 6.
 */
export function stream210Files(name: string): Map<string, Buffer> {
  const b1 = Buffer.concat([record(name, 1, 1, "s.a", "one"), record(name, 1, 2, "s.b", "two"), record(name, 1, 3, "s.c", "", undefined, "erased")]);
  const b2 = record(name, 2, 4, "s.x", "four");
  const b3 = Buffer.concat([record(name, 3, 5, "s.d", "five", HDR), record(name, 3, 2, "", "", undefined, "tombstone"), record(name, 3, 6, "s.e", "six")]);
  const state = streamState(name, {
    msgs: 3, first: 1, last: 6, subjects: [["s.a", 1, 1, 1], ["s.d", 1, 3, 3], ["s.e", 1, 3, 3]],
    blocks: [{ index: 1, first: 1, last: 3, deleted: [2, 3] }, { index: 2, first: 4, last: 4, deleted: [4] }, { index: 3, first: 5, last: 6 }],
    lastBlock: 3, lastChecksum: b3.subarray(b3.length - 8),
  });
  return new Map([...streamMeta(name, { subjects: ["s.>"], compression: "s2" }), ["msgs/1.blk", compressedBlock(b1)], ["msgs/2.blk", b2], ["msgs/3.blk", b3], ["msgs/index.db", state]]);
}
