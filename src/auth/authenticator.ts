/**
 * Decides whether a CONNECT's credentials admit the client, and as whom: the account it joins and the
 * permissions it gets. Config mode knows a token, users with plain or bcrypt passwords, nkey users
 * (signed nonce), per-account users and no_auth_user; operator mode verifies user JWTs against account
 * JWTs from the resolver and the trusted operators.
 *
 * A refusal carries the line to log (nats-server's `authentication error - User "x"`); the client is only
 * ever told 'Authorization Violation'.
 */
import type { Account, ClaimsData, SigningKey, User } from "@nats-io/jwt";
import type { ConnectInfo } from "../protocol/connect.js";
import type { Options, PermissionsSpec } from "../config/options.js";
import type { AuthKind, AuthUser } from "./auth-user.js";
import type { AccountResolver } from "./account-resolver.js";
import { accountClaimIssues, decodeJwt, isRevoked, JwtError, outsideValidity, permissionsFromJwt, signingKeys } from "./jwt.js";
import { verifyNonceSig } from "./nonce.js";
import { checkSecret } from "./passwords.js";
import { compilePermissions } from "./permissions.js";
import type { Trust } from "./trust.js";
import { GLOBAL_ACCOUNT } from "../util/global-account.js";

/** A refusal: `log` is nats-server's error line; `detail` (the actual reason) is for the debug log only. */
export type AuthOutcome = { ok: true; user: AuthUser } | { ok: false; log: string; detail?: string };

export interface AuthRequest {
  connect: ConnectInfo;
  /** The nonce this connection's INFO carried. */
  nonce: string | undefined;
  /** STANDARD, WEBSOCKET, ... */
  connectionType: string;
}

interface KnownUser {
  kind: AuthKind;
  name: string;
  /** Plain or bcrypt; undefined for nkey users. */
  password?: string;
  account: string;
  permissions: PermissionsSpec | undefined;
  allowedConnectionTypes?: ReadonlySet<string>;
}


function types(list: string[] | undefined): ReadonlySet<string> | undefined {
  return list === undefined || list.length === 0 ? undefined : new Set(list.map((t) => t.toUpperCase()));
}

export class Authenticator {
  private readonly users = new Map<string, KnownUser>();
  private readonly nkeys = new Map<string, KnownUser>();
  private readonly token: string | undefined;
  readonly noAuthUser: string | undefined;
  /** Clients must authenticate (some user, token, nkey or operator is configured). */
  readonly required: boolean;
  /** INFO's `auth_required`: nats-server leaves it out when unauthenticated clients map to no_auth_user. */
  readonly advertiseRequired: boolean;
  /** INFO carries a nonce (nkey users or operator mode). */
  readonly needsNonce: boolean;
  readonly operatorMode: boolean;
  private readonly accountCache = new Map<string, ClaimsData<Account>>();
  /** A users list is configured (not just a single user): failures then name the user. */
  private readonly hasUserList: boolean;

  constructor(
    opts: Options,
    readonly trust?: Trust,
    readonly resolver?: AccountResolver,
  ) {
    this.operatorMode = trust !== undefined;
    const accountDefaults = new Map((opts.accounts ?? []).map((a) => [a.name, a.defaultPermissions]));
    const add = (map: Map<string, KnownUser>, u: KnownUser) => map.set(u.name, u);
    const perms = (own: PermissionsSpec | undefined, account: string | undefined) =>
      own ?? (account !== undefined ? accountDefaults.get(account) : undefined) ?? opts.defaultPermissions;
    const userOf = (u: Options["users"] & object, from?: string) =>
      u.map((x) => ({
        kind: "user" as const,
        name: x.user,
        password: x.password,
        account: x.account ?? from ?? GLOBAL_ACCOUNT,
        permissions: perms(x.permissions, x.account ?? from),
        allowedConnectionTypes: types(x.allowedConnectionTypes),
      }));
    const nkeyOf = (n: Options["nkeys"] & object, from?: string) =>
      n.map((x) => ({
        kind: "nkey" as const,
        name: x.nkey,
        account: x.account ?? from ?? GLOBAL_ACCOUNT,
        permissions: perms(x.permissions, x.account ?? from),
        allowedConnectionTypes: types(x.allowedConnectionTypes),
      }));
    for (const u of userOf(opts.users ?? [])) add(this.users, u);
    this.hasUserList = (opts.users ?? []).length > 0 || (opts.accounts ?? []).some((a) => a.users.length > 0);
    for (const n of nkeyOf(opts.nkeys ?? [])) add(this.nkeys, n);
    for (const a of opts.accounts ?? []) {
      for (const u of userOf(a.users, a.name)) add(this.users, u);
      for (const n of nkeyOf(a.nkeys, a.name)) add(this.nkeys, n);
    }
    if (opts.username !== undefined)
      add(this.users, { kind: "user", name: opts.username, password: opts.password ?? "", account: GLOBAL_ACCOUNT, permissions: opts.defaultPermissions });
    this.token = opts.authToken;
    const nau = opts.noAuthUser;
    this.noAuthUser = nau !== undefined && (this.users.has(nau) || this.nkeys.has(nau)) ? nau : undefined;
    this.required = this.operatorMode || this.users.size > 0 || this.nkeys.size > 0 || this.token !== undefined;
    this.advertiseRequired = this.required && this.noAuthUser === undefined;
    this.needsNonce = this.operatorMode || this.nkeys.size > 0;
  }

  /**
   * nats-server names the user in the failure line by what the server is configured with, not by what
   * the client sent: the nkey when nkey users exist, else the user name when a users list exists.
   */
  private fail(c: ConnectInfo, detail?: string): AuthOutcome {
    let who = "";
    if (this.operatorMode) return { ok: false, log: "authentication error", ...(detail !== undefined && { detail }) };
    if (this.nkeys.size > 0) who = ` - Nkey "${c.nkey ?? ""}"`;
    else if (this.hasUserList) who = ` - User "${c.user ?? ""}"`;
    return { ok: false, log: `authentication error${who}`, ...(detail !== undefined && { detail }) };
  }

  authenticate(req: AuthRequest): AuthOutcome | Promise<AuthOutcome> {
    const c = req.connect;
    if (!this.required) return { ok: true, user: { kind: "none", name: "", account: GLOBAL_ACCOUNT, permissions: null } };
    const anonymous = c.user === undefined && c.pass === undefined && c.authToken === undefined && c.nkey === undefined && c.jwt === undefined;
    if (anonymous && this.noAuthUser !== undefined) {
      const u = this.users.get(this.noAuthUser) ?? this.nkeys.get(this.noAuthUser)!;
      return this.admit(u, req);
    }
    if (this.operatorMode && c.jwt !== undefined) return this.authenticateJwt(req);
    if (this.operatorMode) return this.fail(c, "no user JWT");
    if (this.token !== undefined) {
      if (c.authToken === undefined) return this.fail(c, "no token");
      const ok = checkSecret(c.authToken, this.token);
      const outcome = (yes: boolean): AuthOutcome =>
        yes ? { ok: true, user: { kind: "token", name: "", account: GLOBAL_ACCOUNT, permissions: null } } : this.fail(c, "wrong token");
      return typeof ok === "boolean" ? outcome(ok) : ok.then(outcome);
    }
    if (c.nkey !== undefined && this.nkeys.size > 0) {
      const u = this.nkeys.get(c.nkey);
      if (u === undefined) return this.fail(c, "unknown nkey");
      if (!verifyNonceSig(c.nkey, req.nonce, c.sig)) return this.fail(c, "nonce signature does not verify");
      return this.admit(u, req);
    }
    if (c.user === undefined) return this.fail(c, "no credentials");
    const u = this.users.get(c.user);
    if (u === undefined || u.password === undefined) return this.fail(c, "unknown user");
    const ok = checkSecret(c.pass ?? "", u.password);
    if (typeof ok === "boolean") return ok ? this.admit(u, req) : this.fail(c, "wrong password");
    return ok.then((yes) => (yes ? this.admit(u, req) : this.fail(c, "wrong password")));
  }

  private admit(u: KnownUser, req: AuthRequest): AuthOutcome {
    if (u.allowedConnectionTypes !== undefined && !u.allowedConnectionTypes.has(req.connectionType))
      return this.fail(req.connect, `connection type ${req.connectionType} not allowed`);
    return {
      ok: true,
      user: {
        kind: u.kind,
        name: u.name,
        account: u.account,
        permissions: compilePermissions(u.permissions),
        ...(u.allowedConnectionTypes && { allowedConnectionTypes: u.allowedConnectionTypes }),
      },
    };
  }

  /** The verified claims of an account in operator mode, or undefined when unknown or untrusted. */
  accountClaims(account: string): ClaimsData<Account> | undefined {
    const jwt = this.resolver?.fetch(account);
    if (jwt === undefined || this.trust === undefined) return undefined;
    const cached = this.accountCache.get(jwt);
    if (cached !== undefined) return cached;
    try {
      const c = this.trust.account(jwt);
      if (c.sub !== account || accountClaimIssues(c).length > 0) return undefined;
      if (this.accountCache.size > 1000) this.accountCache.clear();
      this.accountCache.set(jwt, c);
      return c;
    } catch {
      return undefined;
    }
  }

  private authenticateJwt(req: AuthRequest): AuthOutcome {
    const c = req.connect;
    let uc: ClaimsData<User>;
    try {
      uc = decodeJwt<User>(c.jwt!, "user");
    } catch (e) {
      return this.fail(c, e instanceof JwtError ? e.message : "invalid user JWT");
    }
    const userKey = uc.sub;
    const failUser = (why: string): AuthOutcome => this.fail(c, `user ${userKey}: ${why}`);
    if (!userKey.startsWith("U")) return failUser("subject is not a user key");
    const validity = outsideValidity(uc);
    if (validity !== undefined) return failUser(`user JWT ${validity}`);
    const accountKey = uc.nats.issuer_account ?? uc.iss;
    const ac = this.accountClaims(accountKey);
    if (ac === undefined) return failUser(`account ${accountKey} not found or not trusted`);
    if (outsideValidity(ac) !== undefined) return failUser(`account ${accountKey} JWT expired`);
    let scope: SigningKey | undefined;
    if (uc.iss !== accountKey) {
      const keys = signingKeys(ac.nats.signing_keys);
      if (!keys.has(uc.iss)) return failUser("issuer is not a signing key of the account");
      scope = keys.get(uc.iss);
    }
    if (isRevoked(ac.nats.revocations, userKey, uc.iat)) return failUser("user revoked");
    const claims = scope?.template ?? uc.nats;
    if (!claims.bearer_token && !verifyNonceSig(userKey, req.nonce, c.sig)) return failUser("signature does not verify");
    const allowed = types(claims.allowed_connection_types as string[] | undefined);
    if (allowed !== undefined && !allowed.has(req.connectionType)) return failUser("connection type not allowed");
    const spec = permissionsFromJwt(claims) ?? permissionsFromJwt(ac.nats.default_permissions);
    return {
      ok: true,
      user: {
        kind: "jwt",
        name: userKey,
        account: accountKey,
        permissions: compilePermissions(spec),
        ...(allowed && { allowedConnectionTypes: allowed }),
        ...(uc.exp !== undefined && uc.exp > 0 && { expiresAt: uc.exp * 1000 }),
        // Absent user limits are 0, as nats-server reads them (nsc writes -1 for "no limit").
        limits: { subs: claims.subs ?? 0, payload: claims.payload ?? 0, data: claims.data ?? 0 },
        jwt: { issuedAt: uc.iat, nameTag: uc.name ?? "", issuer: uc.iss },
      },
    };
  }
}
