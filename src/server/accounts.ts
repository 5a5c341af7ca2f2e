/**
 * The server's accounts: `$G`, the system account, the accounts of the config file and, in operator mode,
 * accounts made from their JWTs on first use. Account objects live as long as the server (a reload or a
 * JWT update changes their limits and links, never their subscriptions); the links between accounts
 * (imports) are rebuilt as a whole whenever a definition changes.
 */
import type { Account as AccountJwt, ClaimsData } from "@nats-io/jwt";
import type { Authenticator } from "../auth/authenticator.js";
import { accountFromClaims, activationAllows, signingKeys } from "../auth/jwt.js";
import type { AccountConfig, ExportEntry, ImportEntry, Options, ServiceExport } from "../config/options.js";
import { subjectIsSubsetOf } from "../subjects/validate.js";
import { Account } from "./account.js";
import { linkService, linkStream, sweepResponses, type LinkSub } from "./account-links.js";
import type { Logger } from "../util/logger.js";
import type { InternalMessaging } from "./internal-messaging.js";
import { DeadlineTimer } from "../util/deadline-timer.js";

/** What the account registry needs from the server. */
export interface AccountsHost extends InternalMessaging {
  readonly opts: Options;
  readonly logger: Logger;
}

export const DEFAULT_SYSTEM_ACCOUNT = "$SYS";
const SWEEP_MS = 30_000;

type Definition = AccountConfig & { tokens?: Map<ImportEntry, string>; signingKeys?: ReadonlySet<string> };

export class AccountRegistry {
  readonly accounts = new Map<string, Account>();
  /** The system account, unless `no_system_account`. */
  system: Account | undefined;
  private readonly defs = new Map<string, Definition>();
  private links: LinkSub[] = [];
  private sweeper: NodeJS.Timeout | undefined;
  /** Called for every account the first time it exists (the system layer imports its services into it). */
  onCreate: ((a: Account) => void) | undefined;
  /** Called when an account takes a JWT's claims (first use or an update): JetStream re-reads its limits. */
  onClaims: ((a: Account) => void) | undefined;
  /** Called when an account's JWT expires (its clients must go). */
  onExpired: ((a: Account) => void) | undefined;
  /** Operator mode: one timer per account whose JWT has an expiry. */
  private readonly expiries = new Map<Account, DeadlineTimer>();

  constructor(
    private readonly server: AccountsHost,
    readonly global: Account,
  ) {
    this.accounts.set(global.name, global);
  }

  get(name: string): Account | undefined {
    return this.accounts.get(name);
  }

  private create(name: string): Account {
    let a = this.accounts.get(name);
    if (a === undefined) {
      a = new Account(name, { disableCache: this.server.opts.disableSublistCache });
      this.accounts.set(name, a);
      this.onCreate?.(a);
    }
    return a;
  }

  /** (Re)builds the configured accounts and the system account from options; keeps existing objects. */
  configure(opts: Options, auth: Authenticator): void {
    this.defs.clear();
    for (const def of opts.accounts ?? []) {
      this.defs.set(def.name, def);
      this.create(def.name).limits = def.limits;
    }
    if (!opts.noSystemAccount) {
      const name = opts.systemAccount ?? auth.trust?.systemAccount ?? DEFAULT_SYSTEM_ACCOUNT;
      this.system = this.create(name);
      if (auth.operatorMode) this.resolve(name, auth);
    }
    for (const name of [...this.accounts.keys()]) if (auth.operatorMode && name.startsWith("A")) this.resolve(name, auth);
    this.relink(auth);
    if (this.sweeper === undefined) {
      this.sweeper = setInterval(() => sweepResponses(this.accounts.values()), SWEEP_MS);
      this.sweeper.unref();
    }
  }

  stop(): void {
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    for (const t of this.expiries.values()) t.cancel();
    this.expiries.clear();
  }

  /**
   * The account a user belongs to: a configured one by name, or in operator mode the account of a public
   * key, made or refreshed from its JWT. Undefined when it does not exist (or its JWT is gone).
   */
  resolve(name: string, auth: Authenticator): Account | undefined {
    if (!auth.operatorMode) return this.accounts.get(name);
    const claims = auth.accountClaims(name);
    if (claims === undefined) return this.accounts.get(name) === this.system ? this.system : undefined;
    const existing = this.accounts.get(name);
    if (existing !== undefined && this.defs.has(name) && existing.updated.getTime() >= claims.iat * 1000) return existing;
    const a = this.create(name);
    this.applyClaims(a, claims);
    this.relink(auth);
    return a;
  }

  /** Takes an account JWT's limits, revocations, exports and imports. */
  applyClaims(a: Account, claims: ClaimsData<AccountJwt>): void {
    const def = accountFromClaims(claims);
    this.defs.set(a.name, { ...def, signingKeys: new Set(signingKeys(claims.nats.signing_keys).keys()) });
    a.limits = def.limits;
    a.nameTag = claims.name ?? "";
    a.revocations = claims.nats.revocations ?? {};
    a.updated = new Date(claims.iat * 1000);
    this.armExpiry(a, claims.exp !== undefined && claims.exp > 0 ? claims.exp * 1000 : undefined);
    this.onClaims?.(a);
  }

  /** An account's raw `jetstream` setting: its config block, or in operator mode its JWT's `limits`. */
  jetstreamSetting(name: string): unknown {
    return this.defs.get(name)?.jetstream;
  }

  /** Calls onExpired at `at` (a JWT update re-arms or disarms it). */
  private armExpiry(a: Account, at: number | undefined): void {
    this.expiries.get(a)?.cancel();
    this.expiries.delete(a);
    if (at === undefined) return;
    this.expiries.set(
      a,
      new DeadlineTimer(at, () => {
        this.expiries.delete(a);
        this.onExpired?.(a);
      }),
    );
  }

  /** Removes every link and wires every import again from the current definitions. */
  relink(auth: Authenticator): void {
    for (const l of this.links) {
      this.server.unsubscribeInternal(l.account, l.sub);
      l.unlisten?.();
    }
    this.links = [];
    for (const [name, def] of this.defs) {
      const importer = this.accounts.get(name);
      if (importer === undefined) continue;
      for (const imp of def.imports) {
        if (auth.operatorMode && !this.defs.has(imp.account)) this.resolveQuietly(imp.account, auth);
        const exporterDef = this.defs.get(imp.account);
        const exporter = this.accounts.get(imp.account);
        if (exporterDef === undefined || exporter === undefined) continue;
        const exp = this.matchingExport(exporterDef, imp, name, def.tokens?.get(imp));
        if (exp === undefined) {
          this.server.logger.warn(`Account ${name}: ${imp.kind} import "${imp.subject}" from ${imp.account} not authorized`);
          continue;
        }
        this.links.push(
          imp.kind === "stream" ? linkStream(this.server, importer, exporter, imp) : linkService(this.server, importer, exporter, imp, exp as ServiceExport),
        );
      }
    }
  }

  /** Loads an exporter named by an import, without relinking (the caller is relinking already). */
  private resolveQuietly(name: string, auth: Authenticator): void {
    const claims = auth.accountClaims(name);
    if (claims === undefined) return;
    this.applyClaims(this.create(name), claims);
  }

  private matchingExport(exporter: Definition, imp: ImportEntry, importer: string, token: string | undefined): ExportEntry | undefined {
    for (const x of exporter.exports) {
      if (x.kind !== imp.kind || !subjectIsSubsetOf(imp.subject, x.subject)) continue;
      if (x.accounts === undefined || x.accounts.includes(importer)) return x;
      if (token !== undefined && activationAllows(token, exporter.name, exporter.signingKeys ?? new Set(), importer, imp.subject, subjectIsSubsetOf)) return x;
    }
    return undefined;
  }
}
