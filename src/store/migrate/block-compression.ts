/**
 * Compressed message blocks (nats-server 2.10+, a stream with `compression: s2`): a sealed block may be
 * rewritten as a metadata header, `c` `m` `p`, the algorithm (0 none, 1 S2) and the Go uvarint size of
 * the uncompressed block, then the compressed records as an S2 stream, then the 8-byte checksum of the
 * last record, left uncompressed. A block without the header holds its records as they are.
 *
 * Invariant: what is handed out has exactly the size the header names, and ends in the block's checksum.
 */
import { NatsStoreError } from "./errors.js";
import { CHECKSUM_SIZE } from "./block-index.js";
import { GoVarintReader } from "./go-varint.js";
import { s2Decompress } from "./s2-stream.js";

const NONE = 0;
const S2 = 1;

function hasHeader(buf: Buffer): boolean {
  // nats-server needs 5 bytes (4 and at least one of the size) to take it for a header.
  return buf.length >= 5 && buf[0] === 0x63 && buf[1] === 0x6d && buf[2] === 0x70;
}

/** The block's records and trailing checksum, decompressed when the block was compressed. */
export async function uncompressedBlock(buf: Buffer, file: string): Promise<Buffer> {
  if (!hasHeader(buf)) return buf;
  const alg = buf[3]!;
  const r = new GoVarintReader(buf, file, 4);
  const size = r.uvarint("uncompressed size");
  const rest = buf.subarray(r.off);
  if (alg === NONE) return rest;
  if (alg !== S2) throw new NatsStoreError(file, 3, `unknown compression algorithm ${alg}`);
  if (rest.length < CHECKSUM_SIZE) throw new NatsStoreError(file, r.off, "compressed block too short for its checksum");
  const parts: Buffer[] = [];
  try {
    for await (const p of s2Decompress([rest.subarray(0, rest.length - CHECKSUM_SIZE)])) parts.push(p);
  } catch (e) {
    throw new NatsStoreError(file, r.off, `cannot decompress: ${e instanceof Error ? e.message : String(e)}`);
  }
  parts.push(rest.subarray(rest.length - CHECKSUM_SIZE));
  const out = Buffer.concat(parts);
  if (out.length !== size) throw new NatsStoreError(file, 4, `decompresses to ${out.length} bytes, its header says ${size}`);
  return out;
}
