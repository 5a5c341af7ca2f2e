/**
 * verify_and_map: the client's verified certificate names its user — an email, DNS or URI alternative
 * name, or the subject as a DN (see tls/cert-map.ts) — among the configured users (authorization block
 * and accounts). CONNECT's password plays no part; a CONNECT user other than the mapped one is refused,
 * as nats-server does. The user gets the account and permissions it would get with a password.
 *
 * This sits beside the Authenticator (which knows passwords, tokens, nkeys and JWTs) and reads the same
 * options; the user entry's permissions fall back to its account's defaults, then the global defaults.
 */
import type { AuthOutcome } from "../auth/authenticator.js";
import { GLOBAL_ACCOUNT } from "../util/global-account.js";
import { compilePermissions } from "../auth/permissions.js";
import type { Options, PermissionsSpec, UserEntry } from "../config/options.js";
import { mapCertificateToUser } from "../tls/cert-map.js";
import { goFieldsString } from "../tls/dn.js";
import type { Client } from "./client.js";
import type { Server } from "./server.js";

interface Candidate {
  entry: UserEntry;
  account: string;
  permissions: PermissionsSpec | undefined;
}

function candidates(o: Options): Candidate[] {
  const out: Candidate[] = (o.users ?? []).map((entry) => ({ entry, account: entry.account ?? GLOBAL_ACCOUNT, permissions: entry.permissions ?? o.defaultPermissions }));
  for (const a of o.accounts ?? []) {
    for (const entry of a.users) out.push({ entry, account: a.name, permissions: entry.permissions ?? a.defaultPermissions ?? o.defaultPermissions });
  }
  return out;
}

const refuse = (log: string, detail: string): AuthOutcome => ({ ok: false, log, detail });

/** Whether certificates decide who clients are: verify_and_map with users to map to. */
export function mapsCertificates(server: Server): boolean {
  const o = server.opts;
  return o.tls?.verifyAndMap === true && candidates(o).length > 0;
}

export function authenticateByCertificate(server: Server, c: Client, connectionType: string): AuthOutcome {
  const o = server.opts;
  const cert = c.tlsPeer;
  if (cert === undefined) return refuse("authentication error", "User required in cert, none found");
  const users = candidates(o);
  const match = mapCertificateToUser(cert, users.map((u) => u.entry.user));
  const asked = c.opts.user;
  if (match === undefined) return refuse(`authentication error - User "${asked ?? ""}"`, `User in cert [${JSON.stringify(goFieldsString(cert.subject))}], not found`);
  server.logger.debug(`${c.logPrefix} - Using ${match.via} found in cert for auth [${JSON.stringify(match.user)}]`);
  if (asked !== undefined && asked !== match.user)
    return refuse(`authentication error - User "${match.user}"`, `User "${asked}" found in connect proto, but user required from cert`);
  const u = users.find((x) => x.entry.user === match.user)!;
  const allowed = u.entry.allowedConnectionTypes?.length ? new Set(u.entry.allowedConnectionTypes.map((t) => t.toUpperCase())) : undefined;
  if (allowed !== undefined && !allowed.has(connectionType))
    return refuse(`authentication error - User "${match.user}"`, `connection type ${connectionType} not allowed`);
  return {
    ok: true,
    user: { kind: "user", name: match.user, account: u.account, permissions: compilePermissions(u.permissions), ...(allowed && { allowedConnectionTypes: allowed }) },
  };
}
