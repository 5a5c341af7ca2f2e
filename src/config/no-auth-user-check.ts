/** nats-server's check of a `no_auth_user` (top-level or the websocket block's): it must name a configured user or nkey. */
import type { Options } from "./options.js";

export function noAuthUserError(o: Options, name: string): string | undefined {
  const users = [...(o.users ?? []), ...(o.accounts ?? []).flatMap((a) => a.users)];
  const nkeys = [...(o.nkeys ?? []), ...(o.accounts ?? []).flatMap((a) => a.nkeys)];
  if (users.length === 0 && nkeys.length === 0) return `no_auth_user: "${name}" present, but users are not defined`;
  if (!users.some((u) => u.user === name) && !nkeys.some((n) => n.nkey === name))
    return `no_auth_user: "${name}" not present as user or nkey in authorization block or account configuration`;
  return undefined;
}
