/** `tsnats account info`: the connection as the server sees it, and the account's JetStream usage and limits. */
import type { Command } from "commander";
import type { JetStreamAccountStats, JetStreamUsageAccountLimits } from "@nats-io/jetstream";
import { manager } from "../jetstream.js";
import { printJson, withConnection } from "../runtime.js";
import { Columns } from "../format/columns.js";
import { comma, humanDuration, iBytes } from "../format/units.js";
import { describeError } from "../errors.js";

type Tier = JetStreamUsageAccountLimits;

function ofLimit(used: string, limit: number, fmt: (n: number) => string): string {
  return `${used} of ${limit < 0 ? "Unlimited" : fmt(limit)}`;
}

function renderTier(cols: Columns, name: string, t: Tier): void {
  const l = t.limits;
  cols.indent(2).section(`Tier: ${name}`).indent(6);
  cols.section("Configuration Requirements");
  cols.row("Stream Requires Max Bytes Set", Boolean(l.max_bytes_required));
  cols.row("Consumer Maximum Ack Pending", (l.max_ack_pending ?? 0) <= 0 ? "Unlimited" : comma(l.max_ack_pending!));
  cols.section("Stream Resource Usage Limits");
  cols.row("Memory", ofLimit(iBytes(t.memory), l.max_memory, iBytes));
  cols.row("Memory Per Stream", (l.memory_max_stream_bytes ?? 0) <= 0 ? "Unlimited" : iBytes(l.memory_max_stream_bytes!));
  cols.row("Storage", ofLimit(iBytes(t.storage), l.max_storage, iBytes));
  cols.row("Storage Per Stream", (l.storage_max_stream_bytes ?? 0) <= 0 ? "Unlimited" : iBytes(l.storage_max_stream_bytes!));
  cols.row("Streams", ofLimit(comma(t.streams), l.max_streams, comma));
  cols.row("Consumers", ofLimit(comma(t.consumers), l.max_consumers, comma));
  cols.indent(0);
}

export function accountCommand(program: Command): void {
  const act = program.command("account").alias("a").description("Account information and status");

  act.command("info").description("Account information")
    .option("-j, --json", "Produce JSON output")
    .action(async (o: { json?: boolean }, cmd: Command) => {
      await withConnection(cmd, async (nc, s) => {
        const info = nc.info!;
        const rtt = await nc.rtt();
        let js: JetStreamAccountStats | undefined;
        let jsProblem = "";
        try {
          js = await (await manager(nc, s)).getAccountInfo();
        } catch (e) {
          const text = describeError(e);
          jsProblem = /no responders|not enabled/i.test(text)
            ? "JetStream is not supported in this account"
            : text === "nats: timeout" ? "No response from JetStream server" : `Could not obtain account information: ${text}`;
        }
        if (o.json || cmd.optsWithGlobals()["json"]) return printJson({ server: info, jetstream: js ?? null });
        const cols = new Columns("Account Information");
        cols.row("Client ID", info.client_id);
        cols.rowIfNotEmpty("Client IP", info.client_ip);
        cols.row("RTT", humanDuration(Math.round(rtt * 1e6)));
        cols.row("Headers Supported", Boolean(info.headers));
        cols.row("Maximum Payload", iBytes(info.max_payload));
        cols.rowIfNotEmpty("Connected Cluster", info.cluster);
        cols.row("Connected URL", `${info.tls_required || s.url.includes("tls://") ? "tls" : "nats"}://${nc.getServer()}`);
        cols.row("Connected Server ID", info.server_id);
        cols.row("Connected Server Version", info.version);
        cols.rowIf("Connected Server Name", info.server_name, info.server_name !== info.server_id);
        cols.row("TLS Connection", info.tls_required || s.url.includes("tls://") || s.ca !== "" ? "yes" : "no");
        if (js) {
          cols.section(js.domain ? `JetStream Account Information for domain ${js.domain}` : "JetStream Account Information");
          cols.section("Account Usage");
          cols.rowIfNotEmpty("Domain", js.domain);
          cols.row("Storage", iBytes(js.storage));
          cols.row("Memory", iBytes(js.memory));
          cols.row("Streams", comma(js.streams));
          cols.row("Consumers", comma(js.consumers));
          cols.section("Account Limits");
          cols.row("Max Message Payload", iBytes(info.max_payload));
          const tiers = Object.entries(js.tiers ?? {}).sort(([a], [b]) => a.localeCompare(b));
          if (tiers.length === 0) renderTier(cols, "Default", js);
          for (const [n, t] of tiers) if (t) renderTier(cols, n, t);
        } else {
          cols.line("").line(`   ${jsProblem}`);
        }
        process.stdout.write(cols.render() + "\n\n");
      });
    });
}
