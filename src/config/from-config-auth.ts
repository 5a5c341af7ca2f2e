/**
 * The `authorization` block: a single user/password, a token, or a `users` list (user/password or nkey
 * entries), the auth timeout and default permissions. Permissions stay raw for the auth layer.
 */
import type { ConfEntry, ConfValue } from "./conf-tree.js";
import { toPlain } from "./conf-tree.js";
import { kindName, readFields, type FieldHandler, type FieldReader } from "./field-reader.js";
import type { NkeyUserEntry, OptionsPatch, PermissionsSpec, UserEntry } from "./options.js";
import { readPermissions } from "./from-config-permissions.js";
import { isValidPublicUserKey } from "./nkey-check.js";

interface UserFields {
  user?: string;
  password?: string;
  nkey?: string;
  nkeyPos?: ConfEntry["keyPos"];
  permissions?: PermissionsSpec;
  allowedConnectionTypes?: string[];
}

const USER_HANDLERS: Record<string, FieldHandler<UserFields>> = {
  user: (e, r, u) => {
    u.user = r.string(e);
  },
  password: (e, r, u) => {
    u.password = r.string(e);
  },
  nkey: (e, r, u) => {
    u.nkey = r.string(e);
    u.nkeyPos = e.keyPos;
  },
  permissions: (e, r, u) => {
    u.permissions = readPermissions(e, r);
  },
  allowed_connection_types: (e, r, u) => {
    u.allowedConnectionTypes = r.stringList(e);
  },
};
USER_HANDLERS.username = USER_HANDLERS.user!;
USER_HANDLERS.pass = USER_HANDLERS.password!;
// nats-server takes the singular in a user entry only (not in the authorization block itself).
USER_HANDLERS.permission = USER_HANDLERS.permissions!;

export interface UserLists {
  users: UserEntry[];
  nkeys: NkeyUserEntry[];
}

/**
 * Reads a `users` array; duplicate names and entries without a user or nkey are errors, as in nats-server.
 * `account` is set for the users of an account block.
 */
export function readUsers(e: ConfEntry, r: FieldReader, account?: string): UserLists | undefined {
  if (e.value.kind !== "array") return r.error(e.keyPos, `Expected users field to be an array, got ${kindName(e.value)}`);
  const lists: UserLists = { users: [], nkeys: [] };
  const seen = new Set<string>();
  for (const item of e.value.value) {
    const u = readUser(item, r);
    if (!u) continue;
    const extra = {
      ...(account !== undefined && { account }),
      ...(u.permissions !== undefined && { permissions: u.permissions }),
      ...(u.allowedConnectionTypes !== undefined && { allowedConnectionTypes: u.allowedConnectionTypes }),
    };
    if (u.nkey !== undefined && u.user === undefined) {
      if (!isValidPublicUserKey(u.nkey)) {
        r.error(u.nkeyPos, "Not a valid public nkey for a user");
        continue;
      }
      lists.nkeys.push({ nkey: u.nkey, ...extra });
      continue;
    }
    if (u.user === undefined) {
      r.error(item.pos, "User entry requires a user");
      continue;
    }
    if (seen.has(u.user)) r.error(e.keyPos, `Duplicate user "${u.user}" detected`);
    seen.add(u.user);
    lists.users.push({ user: u.user, password: u.password ?? "", ...extra });
  }
  return lists;
}

function readUser(item: ConfValue, r: FieldReader): UserFields | undefined {
  if (item.kind !== "map")
    return r.error(item.pos, `Expected user entry to be a map/struct, got ${JSON.stringify(toPlain(item))}`);
  const u: UserFields = {};
  readFields(item.value, USER_HANDLERS, r, u);
  return u;
}

/** An `authorization` block as written, before the listener it belongs to checks it. */
export interface AuthFields {
  user?: string;
  password?: string;
  token?: string;
  timeoutMs?: number;
  lists?: UserLists;
  defaultPermissions?: PermissionsSpec;
  authCallout?: unknown;
}

const AUTH_HANDLERS: Record<string, FieldHandler<AuthFields>> = {
  user: (e, r, a) => {
    a.user = r.string(e);
  },
  password: (e, r, a) => {
    a.password = r.string(e);
  },
  token: (e, r, a) => {
    a.token = r.string(e);
  },
  timeout: (e, r, a) => {
    // Seconds, possibly fractional; a duration string is also taken.
    const v = e.value;
    if (v.kind === "int" || v.kind === "float") a.timeoutMs = v.value * 1000;
    else a.timeoutMs = r.duration(e, false);
  },
  users: (e, r, a) => {
    a.lists = readUsers(e, r);
  },
  permissions: (e, r, a) => {
    a.defaultPermissions = readPermissions(e, r);
  },
  auth_callout: (e, r, a) => {
    if (r.map(e)) a.authCallout = toPlain(e.value);
  },
};
AUTH_HANDLERS.username = AUTH_HANDLERS.user!;
AUTH_HANDLERS.pass = AUTH_HANDLERS.password!;
AUTH_HANDLERS.default_permissions = AUTH_HANDLERS.permissions!;

export function readAuthFields(e: ConfEntry, r: FieldReader): AuthFields | undefined {
  const map = r.map(e);
  if (!map) return undefined;
  const a: AuthFields = {};
  readFields(map, AUTH_HANDLERS, r, a);
  return a;
}

export function readAuthorization(e: ConfEntry, r: FieldReader, patch: OptionsPatch): void {
  const a = readAuthFields(e, r);
  if (!a) return;
  const single = a.user !== undefined || a.password !== undefined;
  if (single && a.token !== undefined) r.error(e.keyPos, "Cannot have a user/pass and token");
  if (single && a.lists && a.lists.users.length + a.lists.nkeys.length > 0)
    r.error(e.keyPos, "Can not have a single user/pass and a users array");
  if (a.user !== undefined) patch.username = a.user;
  if (a.password !== undefined) patch.password = a.password;
  if (a.token !== undefined) patch.authToken = a.token;
  if (a.timeoutMs !== undefined) patch.authTimeoutMs = a.timeoutMs;
  if (a.lists) {
    // Accounts read before this block: their users may not reappear here.
    const inAccounts = new Set((patch.accounts ?? []).flatMap((acc) => acc.users.map((u) => u.user)));
    for (const u of a.lists.users) if (inAccounts.has(u.user)) r.error(e.keyPos, `Duplicate user "${u.user}" detected`);
    patch.users = a.lists.users;
    if (a.lists.nkeys.length > 0) patch.nkeys = a.lists.nkeys;
  }
  if (a.defaultPermissions !== undefined) patch.defaultPermissions = a.defaultPermissions;
  if (a.authCallout !== undefined) patch.unsupported = { ...patch.unsupported, auth_callout: a.authCallout };
}
