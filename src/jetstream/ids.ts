/** Unique ids in the shape of nats-server's nuids (22 base-62 characters): advisory ids, inboxes, names. */
import { randomBytes } from "node:crypto";

const DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const LEN = 22;

export function nuid(): string {
  const b = randomBytes(LEN);
  let s = "";
  for (let i = 0; i < LEN; i++) s += DIGITS[b[i]! % 62];
  return s;
}
