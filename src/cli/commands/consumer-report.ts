/** `tsnats consumer report STREAM`: one row per consumer with its mode, acks, redeliveries and backlog. */
import type { Command } from "commander";
import type { ConsumerInfo } from "@nats-io/jetstream";
import { manager } from "../jetstream.js";
import { printJson, wantsJson, withConnection } from "../runtime.js";
import { renderTable, type Cell } from "../format/table.js";
import { comma, humanDuration } from "../format/units.js";
import { renderCluster } from "../cluster-view.js";
import { CliError, describeError } from "../errors.js";

const ACK: Record<string, string> = { none: "None", all: "All", explicit: "Explicit" };

function row(c: ConsumerInfo, streamMsgs: number, raw: boolean | undefined): Cell[] {
  const mode = c.config.deliver_subject ? "Push" : "Pull";
  const ack = ACK[c.config.ack_policy] ?? c.config.ack_policy;
  const wait = c.config.ack_wait ?? 0;
  if (raw) return [c.name, mode, ack, humanDuration(wait), c.num_ack_pending, c.num_redelivered, c.num_pending, c.ack_floor.stream_seq, renderCluster(c.cluster)];
  const pct = streamMsgs > 0 ? Math.min(100, Math.floor((c.num_pending / streamMsgs) * 100)) : 0;
  const unprocessed = c.num_pending > 0 ? `${comma(c.num_pending)} / ${pct}%` : "0";
  return [c.name, mode, ack, humanDuration(wait), comma(c.num_ack_pending), comma(c.num_redelivered), unprocessed,
    comma(c.ack_floor.stream_seq), renderCluster(c.cluster)];
}

export function addConsumerReportVerb(con: Command): void {
  con.command("report").description("Reports on Consumer statistics")
    .argument("<stream>", "Stream name")
    .option("-r, --raw", "Show un-formatted numbers")
    .option("-j, --json", "Produce JSON output")
    .action(async (stream: string, o: { raw?: boolean; json?: boolean }, cmd: Command) => {
      await withConnection(cmd, async (nc, s) => {
        const jsm = await manager(nc, s);
        const info = await jsm.streams.info(stream).catch((e: unknown) => {
          throw new CliError(`could not load Stream ${stream}: ${describeError(e)}`);
        });
        const consumers: ConsumerInfo[] = [];
        for await (const c of jsm.consumers.list(stream)) consumers.push(c);
        consumers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        if (wantsJson(o, cmd)) return printJson(consumers);
        process.stdout.write(renderTable(`Consumer report for ${stream} with ${comma(consumers.length)} consumers`,
          ["Consumer", "Mode", "Ack Policy", "Ack Wait", "Ack Pending", "Redelivered", "Unprocessed", "Ack Floor", "Cluster"],
          consumers.map((c) => row(c, info.state.messages, o.raw))) + "\n");
      });
    });
}
