/**
 * Random strings of base-62 digits (`0-9A-Za-z`), the alphabet of nats-server's nuids and of the names
 * and tokens it makes up (ephemeral consumers, flow control subjects, reply prefixes, event ids).
 */
import { randomBytes } from "node:crypto";

const DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const NUID_LENGTH = 22;

export function randomBase62(length: number): string {
  const b = randomBytes(length);
  let s = "";
  for (let i = 0; i < length; i++) s += DIGITS[b[i]! % 62];
  return s;
}

/** A unique id in the shape of nats-server's nuids (22 base-62 digits): advisory ids, inboxes, names. */
export function nuid(): string {
  return randomBase62(NUID_LENGTH);
}
