/** Shape checks of nkey public keys in config (the auth layer verifies signatures). */
import type * as Nkeys from "@nats-io/nkeys";
import { lazyRequire } from "../util/lazy-require.js";

const nkeys = lazyRequire<typeof Nkeys>("@nats-io/nkeys");

/** `key` is a public nkey of the kind its first letter names (U user, A account, O operator). */
function validPublic(key: string, kind: "U" | "A" | "O"): boolean {
  if (!key.startsWith(kind)) return false;
  try {
    nkeys().fromPublic(key);
    return true;
  } catch {
    return false;
  }
}

export const isValidPublicUserKey = (key: string): boolean => validPublic(key, "U");
export const isValidPublicAccountKey = (key: string): boolean => validPublic(key, "A");
export const isValidPublicOperatorKey = (key: string): boolean => validPublic(key, "O");
