/**
 * Password and token checks: plain text (compared in constant time) or a bcrypt hash (`$2a$...`, as
 * `nats server passwd` writes them). bcrypt runs asynchronously (bcryptjs, pure JavaScript: no native
 * build) so a slow hash never stalls other connections, and a successful check is remembered by a digest
 * of the secret, so reconnecting clients do not pay the bcrypt cost again. bcryptjs is loaded by the first
 * bcrypt check: most servers never make one. It is required, not imported: the server's bundle runs as a
 * script compiled through V8's code cache (bin/load-bundle.cjs), where import() has no module loader.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { lazyRequire } from "../util/lazy-require.js";

const bcrypt = lazyRequire<{ compare(secret: string, hash: string): Promise<boolean> }>("bcryptjs");

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
  return Promise.resolve()
    .then(() => bcrypt().compare(given, stored))
    .then(
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
