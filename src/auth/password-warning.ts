/**
 * nats-server's warning about passwords kept in plain text in the config (`Plaintext passwords detected,
 * use nkeys or bcrypt`), logged at start and on reload: for the single `password` and for any user,
 * top-level or in an account, whose password is not a bcrypt hash. A user without a password is left out
 * only when certificates map users (`verify_and_map`), as nats-server does.
 */
import type { Options } from "../config/options.js";
import { isBcrypt } from "./passwords.js";

export const PLAIN_TEXT_PASSWORDS_WARNING = "Plaintext passwords detected, use nkeys or bcrypt";

export function hasPlainTextPasswords(o: Options): boolean {
  if (o.password !== undefined && o.password !== "" && !isBcrypt(o.password)) return true;
  const certMapped = o.tls?.verifyAndMap === true;
  const users = [...(o.users ?? []), ...(o.accounts ?? []).flatMap((a) => a.users)];
  return users.some((u) => !(u.password === "" && certMapped) && !isBcrypt(u.password));
}
