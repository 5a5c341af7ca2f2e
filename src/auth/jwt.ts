/**
 * NATS JWTs (operator, account, user, activation), decoded and signature-checked by the official
 * @nats-io/jwt library, and turned into the same typed shapes the config file gives (permissions,
 * exports, imports, limits). Times in claims are Unix seconds; JWT durations are Go nanoseconds.
 */
import type * as Jwt from "@nats-io/jwt";
import type { Account, ClaimsData, Export, Import, Activation, Permissions as JwtPermissions, SigningKey } from "@nats-io/jwt";
import { lazyRequire } from "../util/lazy-require.js";
import type { AccountConfig, AccountLimits, ExportEntry, ImportEntry, PermissionsSpec, ResponseType } from "../config/options.js";

export type { Account as AccountClaims, ClaimsData, Operator as OperatorClaims, User as UserClaims } from "@nats-io/jwt";

const jwtLib = lazyRequire<typeof Jwt>("@nats-io/jwt");

export class JwtError extends Error {}

/** Decodes and verifies a JWT's signature against its issuer; checks its type when given. */
export function decodeJwt<T>(jwt: string, type?: "operator" | "account" | "user" | "activation"): ClaimsData<T> {
  let c: ClaimsData<T>;
  try {
    c = jwtLib().decode<T>(jwt.trim());
  } catch (e) {
    throw new JwtError((e as Error).message);
  }
  const t = (c.nats as { type?: string } | undefined)?.type ?? c.type;
  if (type !== undefined && t !== type) throw new JwtError(`not a ${type} JWT (type ${String(t)})`);
  return c;
}

/** Expired (exp passed) or not yet valid (nbf in the future). */
export function outsideValidity(c: { exp?: number; nbf?: number }, nowMs = Date.now()): "expired" | "not yet valid" | undefined {
  const now = nowMs / 1000;
  if (c.exp !== undefined && c.exp > 0 && c.exp <= now) return "expired";
  if (c.nbf !== undefined && c.nbf > 0 && c.nbf > now) return "not yet valid";
  return undefined;
}

/** The public keys in a signing_keys list (plain keys or scoped `user_scope` entries). */
export function signingKeys(list: (SigningKey | string)[] | undefined): Map<string, SigningKey | undefined> {
  const out = new Map<string, SigningKey | undefined>();
  for (const k of list ?? []) {
    if (typeof k === "string") out.set(k, undefined);
    else if (k && typeof k.key === "string") out.set(k.key, k);
  }
  return out;
}

const NANOS_PER_MS = 1_000_000;

export function permissionsFromJwt(p: Partial<JwtPermissions> | undefined): PermissionsSpec | undefined {
  if (p === undefined) return undefined;
  const spec: PermissionsSpec = {};
  const side = (s: { allow?: string[]; deny?: string[] } | undefined) => {
    if (s === undefined) return undefined;
    const out: { allow?: string[]; deny?: string[] } = {};
    if (s.allow && s.allow.length > 0) out.allow = s.allow;
    if (s.deny && s.deny.length > 0) out.deny = s.deny;
    return out.allow || out.deny ? out : undefined;
  };
  const pub = side(p.pub);
  const sub = side(p.sub);
  if (pub) spec.publish = pub;
  if (sub) spec.subscribe = sub;
  if (p.resp) spec.responses = { maxMsgs: p.resp.max ?? 0, expiresMs: Math.floor((p.resp.ttl ?? 0) / NANOS_PER_MS) };
  return spec.publish || spec.subscribe || spec.responses ? spec : undefined;
}

/** A JWT limit: absent is 0 (Go's zero value, as nats-server reads it), -1 is no limit (undefined here). */
function limit(n: number | undefined): number | undefined {
  const v = n ?? 0;
  return v < 0 ? undefined : v;
}

/**
 * nats-server's validation of an account JWT against its own limits (absent limits are 0, so an account
 * without `limits` may neither import nor export): a non-empty list means its users are refused.
 */
export function accountClaimIssues(c: ClaimsData<Account>): string[] {
  const n = c.nats;
  const lim = n.limits ?? {};
  const issues: string[] = [];
  const imports = limit(lim.imports);
  const exports = limit(lim.exports);
  if (imports !== undefined && (n.imports ?? []).length > imports) issues.push("the account contains more imports than allowed by the operator");
  if (exports !== undefined && (n.exports ?? []).length > exports) issues.push("the account contains more exports than allowed by the operator");
  if (lim.wildcards !== true && (n.exports ?? []).some((x) => typeof x.subject === "string" && /(^|\.)[*>](\.|$)/.test(x.subject)))
    issues.push("the account contains wildcard exports that are not allowed by the operator");
  return issues;
}

function exportFromJwt(x: Export): ExportEntry | undefined {
  if (typeof x.subject !== "string") return undefined;
  if (x.type === "stream") return { kind: "stream", subject: x.subject, ...(x.token_req && { accounts: [] }) };
  if (x.type !== "service") return undefined;
  const rt: ResponseType = x.response_type ?? "Singleton";
  const threshold = x.response_threshold as number | undefined;
  return {
    kind: "service",
    subject: x.subject,
    ...(x.token_req && { accounts: [] }),
    responseType: rt,
    ...(threshold !== undefined && threshold > 0 && { responseThresholdMs: Math.floor(threshold / NANOS_PER_MS) }),
    ...(x.service_latency && { latency: { sampling: Number.parseInt(String(x.service_latency.sampling), 10) || 100, subject: x.service_latency.results } }),
  };
}

function importFromJwt(i: Import): ImportEntry | undefined {
  if (typeof i.subject !== "string" || typeof i.account !== "string") return undefined;
  if (i.type === "stream") {
    // JWT stream imports: `local_subject` remaps, the legacy `to` is a prefix.
    return { kind: "stream", account: i.account, subject: i.subject, ...(i.local_subject && { to: i.local_subject }), ...(!i.local_subject && i.to && { prefix: i.to }) };
  }
  if (i.type === "service") {
    const local = i.local_subject || i.to;
    return { kind: "service", account: i.account, subject: i.subject, ...(local && { to: local }), ...(i.share && { share: true }) };
  }
  return undefined;
}

/** An account JWT as an account definition (its name is its public key). */
export function accountFromClaims(c: ClaimsData<Account>): AccountConfig & { tokens: Map<ImportEntry, string> } {
  const n = c.nats;
  const lim = n.limits ?? {};
  const limits: AccountLimits = {};
  const conn = limit(lim.conn);
  const subs = limit(lim.subs);
  const payload = limit(lim.payload);
  const leaf = limit(lim.leaf);
  if (conn !== undefined) limits.maxConnections = conn;
  if (subs !== undefined) limits.maxSubscriptions = subs;
  if (payload !== undefined) limits.maxPayload = payload;
  if (leaf !== undefined) limits.maxLeafnodes = leaf;
  const tokens = new Map<ImportEntry, string>();
  const imports: ImportEntry[] = [];
  for (const i of n.imports ?? []) {
    const imp = importFromJwt(i);
    if (imp === undefined) continue;
    imports.push(imp);
    if (i.token) tokens.set(imp, i.token);
  }
  const dp = permissionsFromJwt(n.default_permissions);
  return {
    name: c.sub,
    users: [],
    nkeys: [],
    exports: (n.exports ?? []).flatMap((x) => exportFromJwt(x) ?? []),
    imports,
    limits,
    ...(dp && { defaultPermissions: dp }),
    ...(n.limits && { jetstream: n.limits }),
    tokens,
  };
}

/** Whether `user` (public key) issued at `iat` is revoked by an account's revocation list. */
export function isRevoked(revocations: Record<string, number> | undefined, user: string, iat: number): boolean {
  if (revocations === undefined) return false;
  const at = revocations[user] ?? revocations["*"];
  return at !== undefined && iat <= at;
}

/**
 * Checks an activation token for a private (token_req) export: issued by the exporting account (or one
 * of its signing keys), for the importing account, covering the imported subject, and still valid.
 */
export function activationAllows(token: string, exporter: string, exporterSigningKeys: ReadonlySet<string>, importer: string, subject: string, covers: (subject: string, pattern: string) => boolean): boolean {
  let c: ClaimsData<Activation>;
  try {
    c = decodeJwt<Activation>(token, "activation");
  } catch {
    return false;
  }
  const issuerAccount = c.nats.issuer_account ?? c.iss;
  if (issuerAccount !== exporter || (c.iss !== exporter && !exporterSigningKeys.has(c.iss))) return false;
  if (c.sub !== importer || outsideValidity(c) !== undefined) return false;
  return typeof c.nats.subject === "string" && covers(subject, c.nats.subject);
}
