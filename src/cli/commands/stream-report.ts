/** `tsnats stream report`: one row per stream with its storage, consumers, messages, bytes and replicas. */
import type { Command } from "commander";
import type { StreamInfo } from "@nats-io/jetstream";
import { manager } from "../jetstream.js";
import { printJson, wantsJson, withConnection } from "../runtime.js";
import { renderTable, type Cell } from "../format/table.js";
import { comma, iBytes } from "../format/units.js";
import { renderCluster } from "../cluster-view.js";
import { CliError, describeError } from "../errors.js";

interface ReportFlags {
  subject?: string;
  consumers?: boolean;
  messages?: boolean;
  name?: boolean;
  storage?: boolean;
  raw?: boolean;
  json?: boolean;
}

interface StreamStat {
  name: string;
  storage: string;
  consumers: number;
  msgs: number;
  bytes: number;
  lost_msgs: number;
  lost_bytes: number;
  deleted: number;
  placement: string;
  cluster: string;
}

function statOf(i: StreamInfo): StreamStat {
  const p = i.config.placement;
  const placement = [p?.cluster ? `cluster: ${p.cluster} ` : "", p?.tags?.length ? `tags: ${p.tags.join(", ")}` : ""].join("");
  return {
    name: i.config.name, storage: String(i.config.storage).replace(/^./, (c) => c.toUpperCase()), consumers: i.state.consumer_count,
    msgs: i.state.messages, bytes: i.state.bytes, lost_msgs: i.state.lost?.msgs?.length ?? 0, lost_bytes: i.state.lost?.bytes ?? 0,
    deleted: i.state.num_deleted ?? i.state.deleted?.length ?? 0, placement, cluster: renderCluster(i.cluster),
  };
}

/** Byte order, as Go's string comparison ("V1" before "benchstream"). */
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The nats CLI sorts by bytes unless a sort flag says otherwise. */
function sorter(o: ReportFlags): (a: StreamStat, b: StreamStat) => number {
  if (o.consumers) return (a, b) => a.consumers - b.consumers;
  if (o.messages) return (a, b) => a.msgs - b.msgs;
  if (o.name) return (a, b) => byText(a.name, b.name);
  if (o.storage) return (a, b) => byText(a.storage, b.storage);
  return (a, b) => a.bytes - b.bytes;
}

function row(s: StreamStat, raw: boolean | undefined): Cell[] {
  if (raw) return [s.name, s.storage, s.placement, s.consumers, s.msgs, s.bytes, s.lost_msgs > 0 ? `${s.lost_msgs} (${s.lost_bytes})` : "0", s.deleted, s.cluster];
  return [s.name, s.storage, s.placement, comma(s.consumers), comma(s.msgs), iBytes(s.bytes),
    s.lost_msgs > 0 ? `${comma(s.lost_msgs)} (${iBytes(s.lost_bytes)})` : "0", comma(s.deleted), s.cluster];
}

export function addStreamReportVerb(str: Command): void {
  str.command("report").description("Reports on stream statistics")
    .option("--subject <subject>", "Limit the report to streams with matching subjects")
    .option("-o, --consumers", "Sort by number of Consumers")
    .option("-m, --messages", "Sort by number of Messages")
    .option("-n, --name", "Sort by stream name")
    .option("-t, --storage", "Sort by Storage type")
    .option("-r, --raw", "Show un-formatted numbers")
    .option("-j, --json", "Produce JSON output")
    .action(async (o: ReportFlags, cmd: Command) => {
      const json = wantsJson(o, cmd);
      if (!json) process.stdout.write("Obtaining Stream stats\n\n");
      await withConnection(cmd, async (nc, s) => {
        const stats: StreamStat[] = [];
        try {
          const jsm = await manager(nc, s);
          for await (const i of jsm.streams.list(o.subject)) stats.push(statOf(i));
        } catch (e) {
          throw new CliError(`could not list Streams: ${describeError(e)}`);
        }
        stats.sort(sorter(o));
        if (json) return printJson(stats);
        if (stats.length === 0) return void process.stdout.write("No Streams defined\n");
        process.stdout.write(renderTable("Stream Report", ["Stream", "Storage", "Placement", "Consumers", "Messages", "Bytes", "Lost", "Deleted", "Replicas"],
          stats.map((st) => row(st, o.raw))) + "\n");
      });
    });
}
