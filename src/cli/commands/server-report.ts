/**
 * `tsnats server report connections|accounts|jetstream`: every server's CONNZ or JSZ through the system
 * services, as the nats CLI's tables (top connections with totals and per-server counts; connections
 * summed per account; a JetStream summary per server with totals). Needs a system account user.
 */
import type { Command } from "commander";
import { printJson, wantsJson, withConnection } from "../runtime.js";
import { renderTable, type Cell } from "../format/table.js";
import { comma, iBytes } from "../format/units.js";
import { sysRequestMany } from "../sys-request.js";
import { fetchConnections, type ConnInfo, type ConnRow, type ServerHeader } from "../connz.js";
import { ACCOUNT_SORTS, accountsTable, rankAccounts, summarizeAccounts } from "../account-report.js";
import { CliError } from "../errors.js";

interface JszAnswer {
  server: ServerHeader;
  data?: {
    config?: { domain?: string };
    memory: number; storage: number; streams: number; consumers: number; messages: number; bytes: number;
    api: { total: number; errors: number };
    meta_cluster?: { pending?: number };
  };
}

const CONN_SORTS = ["subs", "in-bytes", "out-bytes", "in-msgs", "out-msgs", "uptime", "cid"] as const;

function connSorter(by: string): (a: ConnInfo, b: ConnInfo) => number {
  switch (by) {
    case "in-bytes": return (a, b) => a.in_bytes - b.in_bytes;
    case "out-bytes": return (a, b) => a.out_bytes - b.out_bytes;
    case "in-msgs": return (a, b) => a.in_msgs - b.in_msgs;
    case "out-msgs": return (a, b) => a.out_msgs - b.out_msgs;
    case "uptime": return (a, b) => new Date(b.start).getTime() - new Date(a.start).getTime();
    case "cid": return (a, b) => a.cid - b.cid;
    default: return (a, b) => a.subscriptions - b.subscriptions;
  }
}

function connectionsReport(conns: ConnRow[], sort: string, top: number, reverse: boolean): string {
  const cmp = connSorter(sort);
  conns.sort((a, b) => (reverse ? -cmp(a, b) : cmp(a, b)));
  const limit = top > 0 && top <= conns.length ? top : conns.length;
  const rows: Cell[][] = conns.slice(0, limit).map((c) => [
    c.kind && c.kind !== "Client" ? `${c.kind[0]}${c.cid}` : String(c.cid), (c.name ?? "").length > 40 ? `${c.name!.slice(0, 40)} ..` : c.name ?? "",
    c.server.name, c.server.cluster ?? "", `${c.ip}:${c.port}`, c.account ?? "", c.uptime, comma(c.in_msgs), comma(c.out_msgs),
    iBytes(c.in_bytes), iBytes(c.out_bytes), comma(c.subscriptions),
  ]);
  const sum = (f: (c: ConnInfo) => number) => conns.reduce((n, c) => n + f(c), 0);
  const footer = conns.length > 1
    ? ["", `Totals for ${comma(conns.length)} connections`, "", "", "", "", "", comma(sum((c) => c.in_msgs)), comma(sum((c) => c.out_msgs)),
      iBytes(sum((c) => c.in_bytes)), iBytes(sum((c) => c.out_bytes)), comma(sum((c) => c.subscriptions))]
    : undefined;
  const main = renderTable(`Top ${limit} Connections out of ${comma(conns.length)} by ${sort}`,
    ["CID", "Name", "Server", "Cluster", "IP", "Account", "Uptime", "In Msgs", "Out Msgs", "In Bytes", "Out Bytes", "Subs"], rows, footer);
  const perServer = new Map<string, { cluster: string; conns: number }>();
  for (const c of conns) {
    const e = perServer.get(c.server.name) ?? { cluster: c.server.cluster ?? "", conns: 0 };
    e.conns++;
    perServer.set(c.server.name, e);
  }
  if (perServer.size === 0) return main;
  const servers = [...perServer.entries()].sort((a, b) => a[1].conns - b[1].conns);
  return `${main}\n\n${renderTable("Connections per server", ["Server", "Cluster", "Connections"], servers.map(([n, e]) => [n, e.cluster, e.conns]))}`;
}

function jetstreamReport(answers: JszAnswer[]): string {
  const rows = answers.filter((a) => a.data).sort((a, b) =>
    (a.server.cluster ?? "") !== (b.server.cluster ?? "") ? ((a.server.cluster ?? "") < (b.server.cluster ?? "") ? -1 : 1) : (a.server.name < b.server.name ? -1 : a.server.name > b.server.name ? 1 : 0));
  const domain = rows.some((a) => a.data!.config?.domain);
  const t = { streams: 0, consumers: 0, messages: 0, bytes: 0, memory: 0, storage: 0, api: 0, errors: 0, pending: 0 };
  const body: Cell[][] = rows.map(({ server, data: d }) => {
    t.streams += d!.streams; t.consumers += d!.consumers; t.messages += d!.messages; t.bytes += d!.bytes;
    t.memory += d!.memory; t.storage += d!.storage; t.api += d!.api.total; t.errors += d!.api.errors; t.pending += d!.meta_cluster?.pending ?? 0;
    return [server.name, server.cluster ?? "", ...(domain ? [d!.config?.domain ?? ""] : []), comma(d!.streams), comma(d!.consumers),
      comma(d!.messages), iBytes(d!.bytes), iBytes(d!.memory), iBytes(d!.storage),
      `${comma(d!.api.total)} / ${comma(d!.api.errors)}`, comma(d!.meta_cluster?.pending ?? 0)];
  });
  const footer: Cell[] = ["", "", ...(domain ? [""] : []), comma(t.streams), comma(t.consumers), comma(t.messages), iBytes(t.bytes),
    iBytes(t.memory), iBytes(t.storage), `${comma(t.api)} / ${comma(t.errors)}`, comma(t.pending)];
  return renderTable("JetStream Summary", ["Server", "Cluster", ...(domain ? ["Domain"] : []), "Streams", "Consumers", "Messages", "Bytes",
    "Memory", "File", "API Req / Errors", "Pending"], body, footer);
}

export function addServerReportVerbs(srv: Command): void {
  const report = srv.command("report").description("Report on various server metrics");

  report.command("connections").alias("conn").alias("connz").alias("conns").description("Report on connections")
    .argument("[limit]", "Limit the responses to a certain amount of servers", "0")
    .option("--sort <key>", `Sort by a specific property (${CONN_SORTS.join(", ")})`, "subs")
    .option("--top <n>", "Limit results to the top results", "1000")
    .option("--reverse", "Reverse sort connections")
    .option("--account <name>", "Limit report to a specific account")
    .option("-j, --json", "Produce JSON output")
    .action(async (limit: string, o: { sort: string; top: string; reverse?: boolean; account?: string; json?: boolean }, cmd: Command) => {
      await withConnection(cmd, async (nc, s) => {
        const conns = await fetchConnections(nc, s, Number(o.top), o.account, Number(limit));
        if (wantsJson(o, cmd)) return printJson(conns);
        process.stdout.write(connectionsReport(conns, o.sort, Number(o.top), Boolean(o.reverse)) + "\n");
      });
    });

  report.command("accounts").alias("acct").description("Report on account activity")
    .argument("[account]", "Account to produce a report for")
    .argument("[limit]", "Limit the responses to a certain amount of servers", "0")
    .option("--sort <key>", `Sort by a specific property (${ACCOUNT_SORTS.join(",")})`, "subs")
    .option("--top <n>", "Limit results to the top results", "1000")
    .option("-R, --reverse", "Reverse sort connections")
    .option("-j, --json", "Produce JSON output")
    .action(async (account: string | undefined, limit: string, o: { sort: string; top: string; reverse?: boolean; json?: boolean }, cmd: Command) => {
      if (!(ACCOUNT_SORTS as readonly string[]).includes(o.sort)) throw new CliError(`enum value must be one of ${ACCOUNT_SORTS.join(",")}, got '${o.sort}'`);
      await withConnection(cmd, async (nc, s) => {
        const accounts = summarizeAccounts(await fetchConnections(nc, s, 1000, account, Number(limit)));
        if (account) {
          // One account: its connections, as the connections report lists them.
          const one = accounts.get(account);
          if (!one) throw new CliError(`did not receive any results for account ${account}`);
          if (wantsJson(o, cmd)) return printJson(one);
          process.stdout.write(connectionsReport(one.connection_info, "subs", Number(o.top), Boolean(o.reverse)) + "\n");
          return;
        }
        const ranked = rankAccounts([...accounts.values()], o.sort, Number(o.top), Boolean(o.reverse));
        if (wantsJson(o, cmd)) return printJson(ranked);
        process.stdout.write(accountsTable(ranked) + "\n");
      });
    });

  report.command("jetstream").alias("js").alias("jsz").description("Report on JetStream activity")
    .argument("[limit]", "Limit the responses to a certain amount of servers", "0")
    .option("-j, --json", "Produce JSON output")
    .action(async (limit: string, o: { json?: boolean }, cmd: Command) => {
      await withConnection(cmd, async (nc, s) => {
        const answers = await sysRequestMany<JszAnswer>(nc, s, "$SYS.REQ.SERVER.PING.JSZ", {}, Number(limit));
        if (wantsJson(o, cmd)) return printJson(answers.map((a) => a.msg));
        process.stdout.write(jetstreamReport(answers.map((a) => a.msg)) + "\n");
      });
    });
}
