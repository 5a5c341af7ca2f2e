/**
 * Password and token checks: plain text (compared in constant time) or a bcrypt hash (`$2a$...`, as
 * `nats server passwd` writes them). bcrypt runs asynchronously (bcryptjs, pure JavaScript: no native
 * build) so a slow hash never stalls other connections, and a successful check is remembered by a digest
 * of the secret, so reconnecting clients do not pay the bcrypt cost again. bcryptjs is loaded by the first
 * bcrypt check: most servers never make one.
 */
import { createHash, timingSafeEqual } from "node:crypto";

export function isBcrypt(stored: string): boolean {
  return stored.startsWith("$2");
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const VERIFIED_MAX = 10_000;
/** hash + digest of a secret that matched it. */
const verified = new Set<string>();

function key(hash: string, secret: string): string {
  return `${hash}\n${createHash("sha256").update(secret).digest("base64")}`;
}

/** Checks `given` against `stored` (plain or bcrypt): a boolean, or a promise of one for bcrypt. */
export function checkSecret(given: string, stored: string): boolean | Promise<boolean> {
  if (!isBcrypt(stored)) return sameSecret(given, stored);
  const k = key(stored, given);
  if (verified.has(k)) return true;
  return import("bcryptjs").then(({ default: bcrypt }) => bcrypt.compare(given, stored)).then(
    (ok) => {
      if (ok) {
        if (verified.size >= VERIFIED_MAX) verified.clear();
        verified.add(k);
      }
      return ok;
    },
    () => false,
  );
}
