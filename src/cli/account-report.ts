/**
 * `server report accounts`: connections summed per account, as the nats CLI's overview table and JSON
 * (each account with its connections and the servers they are on).
 */
import { renderTable } from "./format/table.js";
import { comma, iBytes } from "./format/units.js";
import type { ConnRow, ServerHeader } from "./connz.js";

export const ACCOUNT_SORTS = ["in-bytes", "out-bytes", "in-msgs", "out-msgs", "conns", "subs"] as const;

export interface AccountSummary {
  account: string;
  connections: number;
  connection_info: ConnRow[];
  in_msgs: number;
  out_msgs: number;
  in_bytes: number;
  out_bytes: number;
  subscriptions: number;
  server: ServerHeader[];
}

export function summarizeAccounts(conns: ConnRow[]): Map<string, AccountSummary> {
  const out = new Map<string, AccountSummary>();
  for (const c of conns) {
    const name = c.account ?? "";
    let a = out.get(name);
    if (!a) {
      a = { account: name, connections: 0, connection_info: [], in_msgs: 0, out_msgs: 0, in_bytes: 0, out_bytes: 0, subscriptions: 0, server: [] };
      out.set(name, a);
    }
    a.connection_info.push(c);
    a.connections++;
    a.in_msgs += c.in_msgs;
    a.out_msgs += c.out_msgs;
    a.in_bytes += c.in_bytes;
    a.out_bytes += c.out_bytes;
    a.subscriptions += c.subscriptions_list?.length ?? c.subscriptions;
    const key = (h: ServerHeader) => h.id ?? h.name;
    if (!a.server.some((h) => key(h) === key(c.server))) a.server.push(c.server);
  }
  return out;
}

function metric(a: AccountSummary, by: string): number {
  switch (by) {
    case "in-bytes": return a.in_bytes;
    case "out-bytes": return a.out_bytes;
    case "in-msgs": return a.in_msgs;
    case "out-msgs": return a.out_msgs;
    case "conns": return a.connections;
    default: return a.subscriptions;
  }
}

/**
 * Ascending by `by` (descending with `reverse`), keeping the `top` busiest: as the nats CLI, the table
 * lists the biggest last.
 */
export function rankAccounts(accounts: AccountSummary[], by: string, top: number, reverse: boolean): AccountSummary[] {
  const sorted = [...accounts].sort((x, y) => (reverse ? metric(y, by) - metric(x, by) : metric(x, by) - metric(y, by)));
  if (top <= 0 || top >= sorted.length) return sorted;
  return reverse ? sorted.slice(0, top) : sorted.slice(sorted.length - top);
}

export function accountsTable(accounts: AccountSummary[]): string {
  return renderTable(`${accounts.length} Accounts Overview`, ["Account", "Connections", "In Msgs", "Out Msgs", "In Bytes", "Out Bytes", "Subs"],
    accounts.map((a) => [a.account, comma(a.connections), comma(a.in_msgs), comma(a.out_msgs), iBytes(a.in_bytes), iBytes(a.out_bytes), comma(a.subscriptions)]));
}
