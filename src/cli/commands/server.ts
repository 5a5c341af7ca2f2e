/** `tsnats server list` (ping, info, report and check in files of their own): every server's statistics through $SYS.REQ.SERVER.PING (needs a system user). */
import type { Command } from "commander";
import { printJson, withConnection } from "../runtime.js";
import { renderTable } from "../format/table.js";
import { comma, humanDuration, iBytes } from "../format/units.js";
import { sysRequestMany } from "../sys-request.js";
import { addServerInfoVerb } from "./server-info.js";
import { addServerReportVerbs } from "./server-report.js";
import { addServerCheckVerbs } from "./server-check.js";
import { addServerPingVerb } from "./server-ping.js";

/** The parts of a server's STATSZ answer the overview shows (field names as the server sends them). */
interface ServerStatsMsg {
  server: { name: string; host: string; id: string; cluster?: string; domain?: string; ver: string; jetstream?: boolean; time: string };
  statsz: {
    start: string; mem: number; cores: number; cpu: number; connections: number; subscriptions: number;
    slow_consumers: number; routes?: unknown[]; gateways?: unknown[];
  };
}

export function serverCommand(program: Command): void {
  const srv = program.command("server").alias("srv").description("Server information");

  srv.command("list").alias("ls").description("List known servers")
    .argument("[expect]", "How many servers to expect")
    .option("--js", "Show only servers with JetStream enabled")
    .option("-j, --json", "Produce JSON output")
    .action(async (expect: string | undefined, o: { js?: boolean; json?: boolean }, cmd: Command) => {
      await withConnection(cmd, async (nc, s) => {
        const want = expect ? Number(expect) : 0;
        const results = await sysRequestMany<ServerStatsMsg>(nc, s, "$SYS.REQ.SERVER.PING", "", want);
        const shown = results.filter((r) => !o.js || r.msg.server.jetstream);
        shown.sort((a, b) => a.msg.server.name.localeCompare(b.msg.server.name));
        if (o.json || cmd.optsWithGlobals()["json"]) return printJson(shown.map((r) => r.msg));
        const rows = shown.map(({ msg: { server: sv, statsz: st }, rttMs }) => [
          sv.name, sv.cluster ?? "", sv.host, sv.ver, sv.jetstream ? (sv.domain || "yes") : "no",
          comma(st.connections), comma(st.subscriptions), (st.routes ?? []).length, (st.gateways ?? []).length,
          iBytes(st.mem), st.cpu.toFixed(0), st.cores, comma(st.slow_consumers),
          humanDuration((new Date(sv.time).getTime() - new Date(st.start).getTime()) * 1e6),
          humanDuration(Math.round(rttMs) * 1e6),
        ]);
        const clusters = new Set(shown.map((r) => r.msg.server.cluster).filter(Boolean)).size;
        const versionsDiffer = shown.some((r) => r.msg.server.ver !== shown[0]!.msg.server.ver);
        const footer = ["", clusters, shown.length, versionsDiffer ? "X" : "", shown.filter((r) => r.msg.server.jetstream).length,
          comma(shown.reduce((n, r) => n + r.msg.statsz.connections, 0)),
          comma(shown.reduce((n, r) => n + r.msg.statsz.subscriptions, 0)), "", "",
          iBytes(shown.reduce((n, r) => n + r.msg.statsz.mem, 0)), "", "",
          comma(shown.reduce((n, r) => n + r.msg.statsz.slow_consumers, 0)), "", ""];
        process.stdout.write(renderTable("Server Overview", ["Name", "Cluster", "Host", "Version", "JS", "Conns", "Subs",
          "Routes", "GWs", "Mem", "CPU %", "Cores", "Slow", "Uptime", "RTT"], rows, footer) + "\n");
      });
    });

  addServerPingVerb(srv);
  addServerInfoVerb(srv);
  addServerReportVerbs(srv);
  addServerCheckVerbs(srv);
}
