/**
 * `tsnats server info [SERVER]`: one server's VARZ through the system services, laid out as the nats
 * CLI does. Without a name it is the server this connection is on; a name (or a 56 letter id) picks
 * another. Needs a system account user.
 */
import type { Command } from "commander";
import { printJson, wantsJson, withConnection } from "../runtime.js";
import { Columns } from "../format/columns.js";
import { comma, humanDuration, iBytes } from "../format/units.js";
import { NO_SYSTEM_RESULTS } from "../sys-request.js";
import { CliError } from "../errors.js";

/** The VARZ fields shown (the server's JSON names). */
interface Varz {
  server_id: string; server_name: string; version: string; git_commit?: string; go: string; start: string;
  config_load_time?: string; uptime: string; auth_required?: boolean; tls_required?: boolean; host: string; port: number;
  ip?: string; connect_urls?: string[]; max_connections: number; max_subscriptions?: number; max_payload: number;
  tls_timeout: number; write_deadline: number; cores: number; cpu: number; gomaxprocs?: number; mem: number;
  connections: number; subscriptions: number; in_msgs: number; out_msgs: number; in_bytes: number; out_bytes: number;
  slow_consumers: number;
  jetstream?: {
    config?: { max_memory: number; max_storage: number; store_dir: string; domain?: string; sync_interval?: number; sync_always?: boolean; compress_ok?: boolean; unique_tag?: string };
    stats?: { memory: number; storage: number; accounts: number; api: { total: number; errors: number; level?: number } };
  };
  cluster?: { name?: string; addr?: string; cluster_port?: number; urls?: string[] };
  tags?: string[];
}

interface VarzAnswer {
  data?: Varz;
  error?: { code: number; description: string };
}

function rowsOf(cols: Columns, label: string, values: string[]): void {
  values.forEach((v, i) => cols.row(i === 0 ? label : "", v));
}

export function varzView(v: Varz): string {
  const cols = new Columns(v.server_id === v.server_name ? `Server information for ${v.server_id}` : `Server information for ${v.server_name} (${v.server_id})`);
  cols.section("Process Details");
  cols.row("Version", v.version);
  cols.row("Git Commit", v.git_commit ?? "");
  cols.row("Go Version", v.go);
  cols.row("Start Time", v.start);
  cols.row("Configuration Load Time", v.config_load_time ?? "");
  cols.row("Uptime", v.uptime);
  cols.section("Connection Details");
  cols.row("Auth Required", Boolean(v.auth_required));
  cols.row("TLS Required", Boolean(v.tls_required));
  cols.row("Host", v.ip ? `${v.host}:${v.port} (${v.ip})` : `${v.host}:${v.port}`);
  rowsOf(cols, "Client URLs", v.connect_urls ?? []);
  const js = v.jetstream;
  if (js?.config?.store_dir) {
    cols.section("JetStream");
    cols.row("Domain", js.config.domain ?? "");
    cols.row("Storage Directory", js.config.store_dir);
    cols.row("Active Accounts", js.stats?.accounts ?? 0);
    cols.row("Memory In Use", iBytes(js.stats?.memory ?? 0));
    cols.row("File In Use", iBytes(js.stats?.storage ?? 0));
    cols.row("API Requests", js.stats?.api.total ?? 0);
    cols.row("API Errors", js.stats?.api.errors ?? 0);
    if ((js.config.sync_interval ?? 0) > 0) {
      cols.row("Always sync writes to disk", Boolean(js.config.sync_always));
      cols.row("Write sync Frequency", humanDuration(js.config.sync_interval!));
    }
    cols.row("Maximum Memory Storage", iBytes(js.config.max_memory));
    cols.row("Maximum File Storage", iBytes(js.config.max_storage));
    cols.rowIfNotEmpty("Unique Tag", js.config.unique_tag);
  }
  cols.section("Limits");
  cols.row("Maximum Connections", v.max_connections);
  cols.row("Maximum Subscriptions", v.max_subscriptions ?? 0);
  cols.row("Maximum Payload", iBytes(v.max_payload));
  cols.row("TLS Timeout", humanDuration(v.tls_timeout * 1e9));
  cols.row("Write Deadline", humanDuration(v.write_deadline));
  cols.section("Statistics");
  cols.row("CPU Cores", `${v.cores} ${v.cpu.toFixed(2)}%`);
  if ((v.gomaxprocs ?? 0) > 0) cols.row("GOMAXPROCS", String(v.gomaxprocs));
  cols.row("Memory", iBytes(v.mem));
  cols.row("Connections", v.connections);
  cols.row("Subscriptions", v.subscriptions);
  cols.row("Messages", `${comma(v.in_msgs)} in ${comma(v.out_msgs)} out`);
  cols.row("Bytes", `${iBytes(v.in_bytes)} in ${iBytes(v.out_bytes)} out`);
  cols.row("Slow Consumers", v.slow_consumers);
  if ((v.cluster?.urls ?? []).length > 0) {
    cols.section("Cluster");
    cols.row("Name", v.cluster!.name ?? "");
    if ((v.tags ?? []).length > 0) cols.row("Tags", v.tags!.join(", "));
    cols.row("Host", `${v.cluster!.addr ?? ""}:${v.cluster!.cluster_port ?? 0}`);
    rowsOf(cols, "URLs", v.cluster!.urls!);
  }
  return cols.render();
}

const SERVER_ID = /^[A-Z0-9]{56}$/;

export function addServerInfoVerb(srv: Command): void {
  srv.command("info").description("Show information about a single server")
    .argument("[server]", "Server ID or Name to inspect")
    .option("-j, --json", "Produce JSON output")
    .action(async (id: string | undefined, o: { json?: boolean }, cmd: Command) => {
      await withConnection(cmd, async (nc, s) => {
        const target = id ?? nc.info?.server_id ?? "";
        const byId = SERVER_ID.test(target);
        const subject = byId ? `$SYS.REQ.SERVER.${target}.VARZ` : "$SYS.REQ.SERVER.PING.VARZ";
        const body = byId ? "{}" : JSON.stringify({ server_name: target });
        const m = await nc.request(subject, body, { timeout: s.timeoutMs }).catch(() => {
          throw new CliError(NO_SYSTEM_RESULTS);
        });
        const answer = m.json<VarzAnswer>();
        if (answer.error) throw new CliError(`invalid response received: ${answer.error.description}`);
        if (!answer.data) throw new CliError("no data received in response");
        if (wantsJson(o, cmd)) return printJson(answer.data);
        process.stdout.write(varzView(answer.data) + "\n");
      });
    });
}
