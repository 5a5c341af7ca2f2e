/**
 * A server's identity, as nats-server makes it: the public half of a fresh Ed25519 key pair, written as an
 * nkey (prefix byte, 32 key bytes, CRC-16/XMODEM little-endian, base32 without padding: 56 characters
 * starting with N).
 *
 * The pair comes from node:crypto rather than @nats-io/nkeys: nkeys does the curve arithmetic in
 * JavaScript (tweetnacl), and generating one key at every start made V8 optimize that arithmetic, which
 * cost an idle server about 5 MB of resident memory (compiler pages and its zone) for nothing else.
 * The private half is never used, so it is not kept.
 */
import { generateKeyPairSync } from "node:crypto";

/** nkeys' version byte for servers; its top five bits encode as the leading "N". */
const PREFIX_SERVER = 13 << 3;
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function crc16(data: Uint8Array): number {
  let crc = 0;
  for (const b of data) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

function base32(data: Uint8Array): string {
  let out = "";
  let bits = 0;
  let acc = 0;
  for (const b of data) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(acc >>> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(acc << (5 - bits)) & 31];
  return out;
}

/** Encodes a 32-byte Ed25519 public key as a server nkey. */
export function encodeServerKey(key: Uint8Array): string {
  const raw = new Uint8Array(1 + key.length + 2);
  raw[0] = PREFIX_SERVER;
  raw.set(key, 1);
  const crc = crc16(raw.subarray(0, 1 + key.length));
  raw[raw.length - 2] = crc & 0xff;
  raw[raw.length - 1] = crc >>> 8;
  return base32(raw);
}

export function newServerPublicKey(): string {
  const { publicKey } = generateKeyPairSync("ed25519");
  // An Ed25519 SPKI is a fixed 12-byte header followed by the raw key.
  return encodeServerKey(publicKey.export({ type: "spki", format: "der" }).subarray(-32));
}
