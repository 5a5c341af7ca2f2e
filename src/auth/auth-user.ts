/** Who a connection turned out to be once its CONNECT was accepted. */
import type { Permissions } from "./permissions.js";

export type AuthKind = "none" | "token" | "user" | "nkey" | "jwt";

/** Per-user limits carried by a user JWT (-1: unlimited). */
export interface UserLimits {
  subs: number;
  payload: number;
  data: number;
}

export interface AuthUser {
  kind: AuthKind;
  /** The user name, user nkey, or "" (no auth, token): what /connz shows as `authorized_user`. */
  name: string;
  /** The account's name (config mode, `$G` by default) or public key (operator mode). */
  account: string;
  permissions: Permissions | null;
  /** STANDARD, WEBSOCKET, ...: absent means every type. */
  allowedConnectionTypes?: ReadonlySet<string>;
  /** When the credentials stop being valid (ms since the epoch): user JWT expiry. */
  expiresAt?: number;
  limits?: UserLimits;
  /** User JWT details (operator mode), for revocation checks and events. */
  jwt?: { issuedAt: number; nameTag: string; issuer: string };
}
