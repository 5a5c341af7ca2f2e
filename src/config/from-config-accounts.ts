/**
 * The `accounts` block: per account its users, exports, imports, limits and default permissions. Imports
 * are checked against the exports they name once every account is read, with nats-server's messages
 * (placed, as nats-server places them, at the `accounts` key).
 */
import type { ConfEntry, ConfValue } from "./conf-tree.js";
import { toPlain } from "./conf-tree.js";
import type { ConfPos } from "./config-error.js";
import { kindName, readFields, type FieldHandler, type FieldReader } from "./field-reader.js";
import { readUsers } from "./from-config-auth.js";
import { readPermissions } from "./from-config-permissions.js";
import type { AccountConfig, ExportEntry, ImportEntry, OptionsPatch, ResponseType } from "./options.js";
import { isValidSubject, subjectIsSubsetOf, subjectsOverlap } from "../subjects/validate.js";

const RESPONSE_TYPES: Record<string, ResponseType> = { singleton: "Singleton", stream: "Stream", chunked: "Chunked" };

const ACCOUNT_HANDLERS: Record<string, FieldHandler<AccountConfig>> = {
  users: (e, r, a) => {
    const lists = readUsers(e, r, a.name);
    if (!lists) return;
    a.users = lists.users;
    a.nkeys = lists.nkeys;
  },
  nkey: (e, r, a) => {
    const s = r.string(e);
    if (s !== undefined) a.nkey = s;
  },
  exports: (e, r, a) => {
    a.exports = list(e, r, "exports").flatMap((item) => readExport(item, r) ?? []);
  },
  imports: (e, r, a) => {
    a.imports = list(e, r, "imports").flatMap((item) => readImport(item, r) ?? []);
  },
  limits: (e, r, a) => {
    const m = r.map(e);
    if (!m) return;
    for (const f of m.values()) {
      const k = f.key.toLowerCase();
      const n = LIMIT_KEYS[k];
      if (n === undefined) {
        r.error(f.keyPos, `Unknown field "${f.key}" parsing account limits`);
        continue;
      }
      const v = r.int(f);
      if (v !== undefined) a.limits[n] = v;
    }
  },
  default_permissions: (e, r, a) => {
    a.defaultPermissions = readPermissions(e, r);
  },
  jetstream: (e, _r, a) => {
    a.jetstream = toPlain(e.value);
  },
  mappings: (e, _r, a) => {
    a.mappings = toPlain(e.value);
  },
  // Accepted for compatibility; not served.
  msg_trace: () => {},
  trace_dest: () => {},
};
ACCOUNT_HANDLERS.maps = ACCOUNT_HANDLERS.mappings!;

const LIMIT_KEYS: Record<string, keyof AccountConfig["limits"]> = {
  max_connections: "maxConnections",
  max_conn: "maxConnections",
  max_subscriptions: "maxSubscriptions",
  max_subs: "maxSubscriptions",
  max_payload: "maxPayload",
  max_pay: "maxPayload",
  max_leafnodes: "maxLeafnodes",
  max_leafs: "maxLeafnodes",
};

function list(e: ConfEntry, r: FieldReader, what: string): ConfValue[] {
  if (e.value.kind === "array") return e.value.value;
  r.error(e.keyPos, `${what} should be an array, got ${kindName(e.value)}`);
  return [];
}

function subjectOf(v: ConfValue, r: FieldReader, what: string): string | undefined {
  if (v.kind !== "string") return r.error(v.pos, `${what} should be a subject, got ${kindName(v)}`);
  if (!isValidSubject(v.value)) return r.error(v.pos, `invalid ${what} subject "${v.value}"`);
  return v.value;
}

function readExport(item: ConfValue, r: FieldReader): ExportEntry | undefined {
  if (item.kind !== "map") return r.error(item.pos, `Export Items should be a map with type entry, got ${kindName(item)}`);
  let kind: "stream" | "service" | undefined;
  let subject: string | undefined;
  let accounts: string[] | undefined;
  let responseType: ResponseType = "Singleton";
  let responseThresholdMs: number | undefined;
  let latency: { sampling: number; subject: string } | undefined;
  for (const f of item.value.values()) {
    const k = f.key.toLowerCase();
    if (k === "stream" || k === "service") {
      if (kind !== undefined) r.error(f.keyPos, `Detected stream "${subject}" but already saw a service`);
      kind = k;
      subject = subjectOf(f.value, r, k);
    } else if (k === "accounts") accounts = r.stringList(f);
    else if (k === "response" || k === "response_type") {
      const s = r.string(f);
      if (s === undefined) continue;
      const t = RESPONSE_TYPES[s.toLowerCase()];
      if (t === undefined) r.error(f.keyPos, `Unknown response type: "${s}"`);
      else responseType = t;
    } else if (k === "threshold" || k === "response_threshold" || k === "response_max_time" || k === "response_time") {
      responseThresholdMs = r.duration(f, false);
    } else if (k === "latency") latency = readLatency(f, r);
    else if (k === "account_token_position" || k === "advertise" || k === "allow_trace" || k === "description" || k === "info_url") continue;
    else r.unknown(f);
  }
  if (kind === undefined || subject === undefined) {
    if (kind === undefined) r.error(item.pos, "Expected stream or service in export");
    return undefined;
  }
  if (kind === "stream") return { kind, subject, ...(accounts && { accounts }) };
  return { kind, subject, ...(accounts && { accounts }), responseType, ...(responseThresholdMs !== undefined && { responseThresholdMs }), ...(latency && { latency }) };
}

function readLatency(e: ConfEntry, r: FieldReader): { sampling: number; subject: string } | undefined {
  const v = e.value;
  if (v.kind === "string") return { sampling: 100, subject: v.value };
  const m = r.map(e);
  if (!m) return undefined;
  let sampling = 100;
  let subject: string | undefined;
  for (const f of m.values()) {
    const k = f.key.toLowerCase();
    if (k === "sampling") {
      const s = f.value;
      if (s.kind === "int") sampling = s.value;
      else if (s.kind === "string") sampling = s.value.toLowerCase() === "headers" ? 0 : Number.parseInt(s.value, 10);
      if (!(sampling >= 0 && sampling <= 100)) r.error(f.keyPos, `sampling value should be in range [1..100], got ${JSON.stringify(toPlain(s))}`);
    } else if (k === "subject") subject = r.string(f);
    else r.unknown(f);
  }
  if (subject === undefined) return r.error(e.keyPos, "Latency subject required, but missing");
  return { sampling, subject };
}

function readImport(item: ConfValue, r: FieldReader): ImportEntry | undefined {
  if (item.kind !== "map") return r.error(item.pos, `Import Items should be a map with type entry, got ${kindName(item)}`);
  let out: ImportEntry | undefined;
  let to: string | undefined;
  let prefix: string | undefined;
  let share: boolean | undefined;
  for (const f of item.value.values()) {
    const k = f.key.toLowerCase();
    if (k === "stream" || k === "service") {
      const m = r.map(f);
      if (!m) continue;
      let account: string | undefined;
      let subject: string | undefined;
      for (const g of m.values()) {
        const gk = g.key.toLowerCase();
        if (gk === "account") account = r.string(g);
        else if (gk === "subject") subject = subjectOf(g.value, r, k);
        else r.unknown(g);
      }
      if (account === undefined) r.error(f.keyPos, `Expect an account name and a subject, got account: ${JSON.stringify(account)}, subject: ${JSON.stringify(subject)}`);
      else if (subject !== undefined) out = { kind: k, account, subject };
    } else if (k === "to" || k === "local_subject") to = subjectOf(f.value, r, "import to");
    else if (k === "prefix") prefix = r.string(f);
    else if (k === "share") share = r.bool(f);
    else if (k === "allow_trace") continue;
    else r.unknown(f);
  }
  if (out === undefined) return undefined;
  return { ...out, ...(to !== undefined && { to }), ...(prefix !== undefined && { prefix }), ...(share !== undefined && { share }) };
}

export function readAccounts(e: ConfEntry, r: FieldReader, patch: OptionsPatch): void {
  const map = r.map(e);
  if (!map) return;
  const accounts: AccountConfig[] = [];
  // A user name may appear once across the authorization block (when read before) and every account.
  const seen = new Set((patch.users ?? []).map((u) => u.user));
  for (const entry of map.values()) {
    const a: AccountConfig = { name: entry.key, users: [], nkeys: [], exports: [], imports: [], limits: {} };
    if (entry.value.kind === "map") {
      readFields(entry.value.value, ACCOUNT_HANDLERS, r, a);
      const usersKey = entry.value.value.get("users")?.keyPos ?? entry.keyPos;
      for (const u of a.users) {
        if (seen.has(u.user)) r.error(usersKey, `Duplicate user "${u.user}" detected`);
        seen.add(u.user);
      }
    }
    else if (entry.value.kind !== "string" || entry.value.value !== "") {
      r.error(entry.keyPos, `Expected map entries for accounts, got ${kindName(entry.value)}`);
      continue;
    }
    accounts.push(a);
  }
  checkImports(accounts, r, e.keyPos);
  patch.accounts = accounts;
}

/**
 * Private exports name defined accounts; every import names a defined account and something it exports
 * to it, and no chain of imports leads back to the importer (messages would circle forever).
 */
function checkImports(accounts: AccountConfig[], r: FieldReader, pos: ConfPos): void {
  let cycleReported = false;
  const byName = new Map(accounts.map((a) => [a.name, a]));
  for (const a of accounts)
    for (const x of a.exports) for (const n of x.accounts ?? []) if (!byName.has(n)) r.error(pos, `"${n}" account not defined for ${x.kind} export`);
  for (const a of accounts) {
    for (const imp of a.imports) {
      const from = byName.get(imp.account);
      if (from === undefined) {
        r.error(pos, `"${imp.account}" account not defined for ${imp.kind} import`);
        continue;
      }
      if (!exportAllows(from.exports, imp.kind, imp.subject, a.name))
        r.error(pos, `Error adding ${imp.kind} import "${imp.subject}": ${imp.kind} import not authorized`);
      else if (!cycleReported && formsCycle(byName, a.name, imp)) {
        // nats-server reports the first cycle only.
        r.error(pos, `Error adding ${imp.kind} import "${imp.subject}": import forms a cycle`);
        cycleReported = true;
      }
    }
  }
}

/** The subject an import delivers to (streams) or listens on (services) in the importing account. */
function localSubject(imp: ImportEntry): string {
  if (imp.prefix !== undefined) return `${imp.prefix.replace(/\.$/, "")}.${imp.subject}`;
  return imp.to ?? imp.subject;
}

/** Following imports of the same kind whose subjects overlap leads from the exporter back to `start`. */
function formsCycle(byName: Map<string, AccountConfig>, start: string, imp: ImportEntry): boolean {
  const seen = new Set<string>();
  const walk = (account: string, subject: string): boolean => {
    if (account === start) return true;
    if (seen.has(account)) return false;
    seen.add(account);
    for (const next of byName.get(account)?.imports ?? []) {
      if (next.kind === imp.kind && subjectsOverlap(localSubject(next), subject) && walk(next.account, next.subject)) return true;
    }
    return false;
  };
  return walk(imp.account, imp.subject);
}

/** Whether `exports` has an export of `kind` covering `subject` that `importer` may use. */
export function exportAllows(exports: readonly ExportEntry[], kind: "stream" | "service", subject: string, importer: string): boolean {
  return exports.some((x) => x.kind === kind && subjectIsSubsetOf(subject, x.subject) && (x.accounts === undefined || x.accounts.includes(importer)));
}
