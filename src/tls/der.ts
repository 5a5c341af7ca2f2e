/**
 * Just enough DER to read an X.509 certificate's subject, public key and subject alternative names:
 * Node hands certificates over as DER, and its text renderings of names are not the ones nats-server
 * matches users against.
 */

export interface Der {
  /** Tag byte: class, constructed bit and number (all tags in a certificate fit one byte). */
  tag: number;
  /** The whole TLV. */
  raw: Buffer;
  /** The contents. */
  body: Buffer;
}

export class DerError extends Error {}

/** The TLV at `offset` of `buf`. */
export function readDer(buf: Buffer, offset = 0): Der {
  if (offset + 2 > buf.length) throw new DerError("truncated DER");
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError("multi-byte DER tag");
  let len = buf[offset + 1]!;
  let head = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || offset + 2 + n > buf.length) throw new DerError("bad DER length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[offset + 2 + i]!;
    head += n;
  }
  const end = offset + head + len;
  if (end > buf.length) throw new DerError("truncated DER");
  return { tag, raw: buf.subarray(offset, end), body: buf.subarray(offset + head, end) };
}

/** The TLVs inside a constructed value. */
export function children(d: Der): Der[] {
  const out: Der[] = [];
  let off = 0;
  while (off < d.body.length) {
    const c = readDer(d.body, off);
    out.push(c);
    off += c.raw.length;
  }
  return out;
}

/** Dotted form of an OBJECT IDENTIFIER's contents. */
export function oidString(body: Buffer): string {
  if (body.length === 0) throw new DerError("empty OID");
  const parts: number[] = [];
  let v = 0;
  for (const b of body) {
    v = v * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      parts.push(v);
      v = 0;
    }
  }
  const first = parts.shift()!;
  const a = first < 80 ? Math.floor(first / 40) : 2;
  return [a, first - a * 40, ...parts].join(".");
}

export const TAG = {
  BOOLEAN: 0x01,
  OCTET_STRING: 0x04,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** A directory string's text (nats-server compares names as text); undefined for non-string kinds. */
export function stringValue(d: Der): string | undefined {
  switch (d.tag) {
    case TAG.UTF8_STRING:
      return d.body.toString("utf8");
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case TAG.T61_STRING:
      return d.body.toString("latin1");
    case TAG.BMP_STRING:
      return d.body.length % 2 === 0 ? Buffer.from(d.body).swap16().toString("utf16le") : undefined;
    case TAG.UNIVERSAL_STRING: {
      let s = "";
      for (let i = 0; i + 4 <= d.body.length; i += 4) s += String.fromCodePoint(d.body.readUInt32BE(i));
      return s;
    }
    default:
      return undefined;
  }
}
