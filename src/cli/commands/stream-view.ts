/**
 * `tsnats stream view STREAM [SIZE]`: pages through a stream's messages with an ordered consumer, as the
 * nats CLI does. On a terminal it asks before each further page; without one (a pipe, a script) it
 * prints every page to the end, where the nats CLI refuses to run.
 */
import type { Command } from "commander";
import type { DeliverPolicy, JsMsg, OrderedConsumerOptions } from "@nats-io/jetstream";
import { client, manager } from "../jetstream.js";
import { log, parseIntFlag, withConnection } from "../runtime.js";
import { localTime, parseDuration } from "../format/units.js";
import { headerLines } from "../message-format.js";
import { askYesNo } from "../prompt.js";
import { CliError, describeError } from "../errors.js";

interface ViewFlags {
  id?: number;
  since?: string;
  raw?: boolean;
  subject?: string;
}

const MAX_PAGE = 25;

function view(m: JsMsg, raw: boolean | undefined): string {
  const body = new TextDecoder().decode(m.data);
  if (raw) return `${body}\n`;
  let out = `[${m.seq}] Subject: ${m.subject} Received: ${localTime(m.time)}\n`;
  const hs = headerLines(m.headers);
  if (hs.length > 0) out += `\n${hs.map((h) => `  ${h}\n`).join("")}`;
  return `${out}\n${body}\n\n`;
}

function startOf(o: ViewFlags): Partial<OrderedConsumerOptions> {
  if (o.since) return { deliver_policy: "by_start_time" as DeliverPolicy, opt_start_time: new Date(Date.now() - parseDuration(o.since) / 1e6).toISOString() };
  if (o.id) return { deliver_policy: "by_start_sequence" as DeliverPolicy, opt_start_seq: o.id };
  return {};
}

export function addStreamViewVerb(str: Command): void {
  str.command("view").description("View messages in a stream")
    .argument("<stream>", "Stream name")
    .argument("[size]", "Page size", (v) => parseIntFlag(v), 10)
    .option("--id <seq>", "Start at a specific message Sequence", parseIntFlag)
    .option("--since <duration>", "Delivers messages received since a duration like 1d3h5m2s")
    .option("--raw", "Show the raw data received")
    .option("--subject <subject>", "Filter the stream using a subject")
    .action(async (stream: string, size: number, o: ViewFlags, cmd: Command) => {
      let page = size;
      if (page > MAX_PAGE) {
        log(`Page size is limited to ${MAX_PAGE}, setting to ${MAX_PAGE}...`);
        page = MAX_PAGE;
      }
      if (page < 1) throw new CliError("page size must be at least 1");
      await withConnection(cmd, async (nc, s) => {
        const info = await (await manager(nc, s)).streams.info(stream).catch((e: unknown) => {
          throw new CliError(`could not load Stream ${stream}: ${describeError(e)}`);
        });
        if (info.state.messages === 0) return log("Reached apparent end of data");
        const consumer = await client(nc, s).consumers.get(stream, { ...startOf(o), ...(o.subject ? { filter_subjects: o.subject } : {}) });
        try {
          for (;;) {
            // Ask only for what is there, so the last page does not wait out the pull's expiry.
            const want = Math.min(page, (await consumer.info()).num_pending);
            if (want === 0) return log("Reached apparent end of data");
            let pending = 1;
            const batch = await consumer.fetch({ max_messages: want, expires: Math.max(1000, s.timeoutMs) });
            for await (const m of batch) {
              process.stdout.write(view(m, o.raw));
              pending = m.info.pending;
            }
            if (pending === 0) return log("Reached apparent end of data");
            if (!process.stdin.isTTY) continue;
            if (!(await askYesNo("Next Page?", true))) return;
          }
        } finally {
          await consumer.delete().catch(() => undefined);
        }
      });
    });
}
