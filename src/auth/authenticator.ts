/**
 * Decides whether a CONNECT's credentials admit the client, and as which user. The core server knows
 * the single user/password, the token and a users list with plain passwords (the --user/--pass/--auth
 * flags and the `authorization` block); nkeys, bcrypt, accounts and JWTs build on this.
 */
import { timingSafeEqual } from "node:crypto";
import type { ConnectInfo } from "../protocol/connect.js";
import type { Options, UserEntry } from "../config/options.js";

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class Authenticator {
  private readonly users: Map<string, UserEntry>;
  private readonly token: string | undefined;
  readonly noAuthUser: string | undefined;
  readonly required: boolean;

  constructor(opts: Options) {
    this.users = new Map();
    for (const u of opts.users ?? []) this.users.set(u.user, u);
    if (opts.username !== undefined) this.users.set(opts.username, { user: opts.username, password: opts.password ?? "" });
    this.token = opts.authToken;
    this.noAuthUser = opts.noAuthUser !== undefined && this.users.has(opts.noAuthUser) ? opts.noAuthUser : undefined;
    this.required = this.users.size > 0 || this.token !== undefined;
  }

  /** The authorised user name ("" when no auth is configured or by token), or undefined when refused. */
  authorize(c: ConnectInfo): string | undefined {
    if (!this.required) return "";
    if (this.token !== undefined) return c.authToken !== undefined && same(c.authToken, this.token) ? "" : undefined;
    if (c.user === undefined && c.pass === undefined && c.authToken === undefined && this.noAuthUser !== undefined) return this.noAuthUser;
    const u = c.user === undefined ? undefined : this.users.get(c.user);
    if (u === undefined || c.pass === undefined) return undefined;
    return same(c.pass, u.password) ? u.user : undefined;
  }
}
