/**
 * One account in detail, as /accountz?acc=X and `$SYS.REQ.ACCOUNT.<acc>.INFO` show it (nats-server's
 * AccountInfo): counts, JetStream, the Sublist statistics, and its exports and imports.
 *
 * Exports and imports come from the account's definition (the config file, or its JWT in operator mode),
 * plus the system services every account has: system.ts answers `$SYS.REQ.ACCOUNT.PING.{CONNZ,STATZ}` in
 * each account about that account, which nats-server wires as service imports from the system account's
 * exports `$SYS.REQ.ACCOUNT.*.{CONNZ,STATZ}`; they are listed the way nats-server lists those.
 * Not shown: subject mappings (tsnats does not apply them yet) and the operator-mode JWT fields.
 */
import { accountFromClaims } from "../auth/jwt.js";
import type { AccountConfig, ExportEntry, ImportEntry, ResponseType } from "../config/options.js";
import { jetStreamOf } from "../jetstream/jetstream.js";
import type { Account } from "../server/account.js";
import type { Server } from "../server/server.js";
import { subjectIsSubsetOf } from "../subjects/validate.js";
import { goTime } from "./format.js";

/** The account-scoped system services system.ts answers in every account. */
const SYSTEM_ACCOUNT_SERVICES = ["CONNZ", "STATZ"] as const;

const RESPONSE_TYPE: Record<ResponseType, string> = { Singleton: "Singleton", Stream: "Streamed", Chunked: "Chunked" };

export function accountInfo(server: Server, acc: Account): Record<string, unknown> {
  const sys = server.accounts.system;
  const def = definition(server, acc.name);
  const info: Record<string, unknown> = { account_name: acc.name, update_time: goTime(acc.updated) };
  if (acc === sys) info.is_system = true;
  Object.assign(info, {
    expired: false,
    complete: true,
    jetstream_enabled: jetStreamOf(server)?.accountOf(acc)?.enabled === true,
    leafnode_connections: 0,
    client_connections: acc.numClients,
    subscriptions: acc.sublist.count,
  });
  // nats-server keeps services and streams apart: exports list services first, imports streams first.
  const exported = def?.exports ?? [];
  const exports = [...exported.filter((x) => x.kind === "service"), ...exported.filter((x) => x.kind === "stream")].map(exportJson);
  if (acc === sys) for (const what of SYSTEM_ACCOUNT_SERVICES) exports.push({ subject: `$SYS.REQ.ACCOUNT.*.${what}`, type: "service", response_type: "Streamed" });
  if (exports.length > 0) info.exports = exports;
  const imported = def?.imports ?? [];
  const imports = [...imported.filter((i) => i.kind === "stream"), ...imported.filter((i) => i.kind === "service")].map((i) => importJson(server, i));
  if (sys !== undefined && acc !== sys) {
    for (const what of SYSTEM_ACCOUNT_SERVICES) {
      imports.push({ subject: `$SYS.REQ.ACCOUNT.PING.${what}`, account: sys.name, to: `$SYS.REQ.ACCOUNT.${acc.name}.${what}`, type: "service", invalid: false, share: false, tracking: false });
    }
  }
  if (imports.length > 0) info.imports = imports;
  info.sublist_stats = acc.sublist.stats();
  return info;
}

/** What the account was defined with: its config-file block, or in operator mode its JWT's claims. */
function definition(server: Server, name: string): AccountConfig | undefined {
  if (!server.auth.operatorMode) return server.opts.accounts?.find((a) => a.name === name);
  const claims = server.auth.accountClaims(name);
  return claims && accountFromClaims(claims);
}

/** jwt.Export's field order, then the approved accounts of a private export. */
function exportJson(x: ExportEntry): Record<string, unknown> {
  const e: Record<string, unknown> = { subject: x.subject, type: x.kind };
  // An export that names no account is one that takes activation tokens (JWT `token_req`).
  if (x.accounts !== undefined && x.accounts.length === 0) e.token_req = true;
  if (x.kind === "service") {
    e.response_type = RESPONSE_TYPE[x.responseType];
    if (x.latency !== undefined) e.service_latency = { sampling: x.latency.sampling, results: x.latency.subject };
  }
  if (x.accounts !== undefined && x.accounts.length > 0) e.approved_accounts = x.accounts;
  return e;
}

/**
 * A stream import names the exported subject and where it lands (`local_subject`); a service import
 * names the local subject and the exported one it reaches (`to`). `invalid`: the exporter does not exist
 * or exports nothing of that kind that covers the subject, so the import carries nothing (who may import
 * a private export is settled when the config or the JWT is loaded).
 */
function importJson(server: Server, i: ImportEntry): Record<string, unknown> {
  const exporter = server.accounts.get(i.account) !== undefined ? definition(server, i.account) : undefined;
  const covered = exporter?.exports.some((x) => x.kind === i.kind && subjectIsSubsetOf(i.subject, x.subject)) ?? false;
  const common = { invalid: !covered, share: i.share === true, tracking: false };
  if (i.kind === "stream") {
    const local = i.prefix !== undefined ? `${i.prefix}.${i.subject}` : (i.to ?? i.subject);
    return { subject: i.subject, account: i.account, local_subject: local, type: "stream", ...common };
  }
  return { subject: i.to ?? i.subject, account: i.account, to: i.subject, type: "service", ...common };
}
