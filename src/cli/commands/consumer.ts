/** `tsnats consumer add/edit/info/ls/rm/next/sub/report` with the nats CLI's flag names and output. */
import type { Command } from "commander";
import type { ConsumerConfig } from "@nats-io/jetstream";
import type { Msg } from "@nats-io/transport-node";
import { apiPrefix, consumerNames, manager, streamNames } from "../jetstream.js";
import { askable, interactive, required } from "../prompt.js";
import { askConsumerFlags } from "../consumer-prompts.js";
import { parseIntFlag, printJson, wantsJson, withConnection } from "../runtime.js";
import { consumerConfigFromFlags, type ConsumerFlags } from "../consumer-config.js";
import { addConsumerConfigFlags } from "../consumer-flags.js";
import { consumerInfoView } from "../consumer-view.js";
import { renderTable } from "../format/table.js";
import { comma, localTime, parseDuration, since } from "../format/units.js";
import { deliveredView } from "../consumer-message.js";
import { confirm } from "../confirm.js";
import { CliError, describeError } from "../errors.js";
import { addConsumerEditVerb } from "./consumer-edit.js";
import { addConsumerSubVerb } from "./consumer-sub.js";
import { addConsumerReportVerb } from "./consumer-report.js";

export function consumerCommand(program: Command): void {
  const con = program.command("consumer").alias("con").alias("obs").description("JetStream Consumer management");

  addConsumerConfigFlags(con.command("add").alias("create").alias("new").description("Creates a new Consumer")
    .argument("[stream]", "Stream name")
    .argument("[consumer]", "Consumer name"), "add")
    .option("--defaults", "Accept default values for all prompts")
    .option("-j, --json", "Produce JSON output")
    .action(async (streamArg: string | undefined, nameArg: string | undefined, o: ConsumerFlags & { json?: boolean; defaults?: boolean }, cmd: Command) => {
      askable(streamArg, "stream");
      askable(nameArg, "consumer");
      const prompting = interactive() && !o.defaults && !o.config;
      // Without questions to ask, bad flags are refused before connecting.
      const given = !prompting && nameArg ? consumerConfigFromFlags(nameArg, o) : undefined;
      await withConnection(cmd, async (nc, s) => {
        const jsm = await manager(nc, s);
        const stream = await required(streamArg, "stream", "Select a Stream", () => streamNames(jsm));
        const name = await required(nameArg, "consumer", "Consumer name");
        const cfg = given ?? consumerConfigFromFlags(name, prompting ? await askConsumerFlags(o) : o);
        const info = await jsm.consumers.add(stream, cfg as Partial<ConsumerConfig>).catch((e: unknown) => {
          throw new CliError(`Consumer creation failed: ${describeError(e)}`);
        });
        if (wantsJson(o, cmd)) return printJson(info);
        process.stdout.write(consumerInfoView(info) + "\n\n");
      });
    });

  con.command("info").alias("nfo").description("Consumer information")
    .argument("[stream]", "Stream name")
    .argument("[consumer]", "Consumer name")
    .option("-j, --json", "Produce JSON output")
    .action(async (streamArg: string | undefined, nameArg: string | undefined, o: { json?: boolean }, cmd: Command) => {
      askable(streamArg, "stream");
      askable(nameArg, "consumer");
      await withConnection(cmd, async (nc, s) => {
        const jsm = await manager(nc, s);
        const stream = await required(streamArg, "stream", "Select a Stream", () => streamNames(jsm));
        const name = await required(nameArg, "consumer", "Select a Consumer", () => consumerNames(jsm, stream));
        const info = await jsm.consumers.info(stream, name).catch((e: unknown) => {
          throw new CliError(`could not load Consumer ${stream} > ${name}: ${describeError(e)}`);
        });
        if (wantsJson(o, cmd)) return printJson(info);
        process.stdout.write(consumerInfoView(info) + "\n\n");
      });
    });

  con.command("ls").alias("list").description("Consumer information")
    .argument("<stream>", "Stream name")
    .option("-j, --json", "Produce JSON output")
    .option("-n, --names", "Show just the consumer names")
    .action(async (stream: string, o: { json?: boolean; names?: boolean }, cmd: Command) => {
      await withConnection(cmd, async (nc, s) => {
        const infos = [];
        try {
          for await (const i of (await manager(nc, s)).consumers.list(stream)) infos.push(i);
        } catch (e) {
          throw new CliError(`could not load Consumers: ${describeError(e)}`);
        }
        infos.sort((a, b) => a.name.localeCompare(b.name));
        if (wantsJson(o, cmd)) return printJson(infos.map((i) => i.name));
        if (o.names) return void process.stdout.write(infos.map((i) => `${i.name}\n`).join(""));
        if (infos.length === 0) return void process.stdout.write("No Consumers defined\n");
        const rows = infos.map((i) => [i.name, i.config.description ?? "", localTime(i.created),
          comma(i.num_ack_pending), comma(i.num_pending), since(i.delivered.last_active as unknown as string)]);
        process.stdout.write(renderTable("Consumers", ["Name", "Description", "Created", "Ack Pending", "Unprocessed", "Last Delivery"], rows) + "\n");
      });
    });

  con.command("rm").alias("delete").alias("del").description("Removes a Consumer")
    .argument("<stream>", "Stream name")
    .argument("<consumer>", "Consumer name")
    .option("-f, --force", "Force removal without prompting")
    .action(async (stream: string, name: string, o: { force?: boolean }, cmd: Command) => {
      if (!(await confirm(`Really delete Consumer ${stream} > ${name}`, o.force))) return;
      await withConnection(cmd, async (nc, s) => {
        await (await manager(nc, s)).consumers.delete(stream, name).catch((e: unknown) => {
          throw new CliError(`could not remove Consumer: ${describeError(e)}`);
        });
      });
    });

  con.command("next").description("Retrieves messages from Pull Consumers without interactive prompts")
    .argument("<stream>", "Stream name")
    .argument("<consumer>", "Consumer name")
    .option("--ack", "Acknowledge received message (default)")
    .option("--no-ack", "Do not acknowledge received message")
    .option("--nak", "Perform a Negative Acknowledgement on the message")
    .option("--term", "Terms the message")
    .option("--count, --batch <n>", "Number of messages to try to fetch from the Pull Consumer", parseIntFlag, 1)
    .option("-r, --raw", "Show only the message")
    .option("--wait <duration>", "Wait up to this period to acknowledge messages")
    .action(async (stream: string, name: string, o: { ack?: boolean; nak?: boolean; term?: boolean; batch: number; raw?: boolean; wait?: string }, cmd: Command) => {
      const ack = o.term ? false : o.ack !== false;
      if (o.term && (o.ack === true || o.nak)) throw new CliError("can not both Acknowledge and Terminate message");
      await withConnection(cmd, async (nc, s) => {
        const subject = `${apiPrefix(s)}.CONSUMER.MSG.NEXT.${stream}.${name}`;
        for (let i = 0; i < o.batch; i++) {
          // The first pull waits for a message as long as --timeout; later ones take only what is ready,
          // so `--batch 50` returns once the consumer is drained.
          const req = i === 0 ? { batch: 1, expires: s.timeoutMs * 1e6 } : { batch: 1, no_wait: true };
          let m: Msg;
          try {
            // JetStream delivers under the message's own subject, which the shared request inbox cannot
            // route back, so each pull gets an inbox of its own.
            m = await nc.request(subject, JSON.stringify(req), { timeout: s.timeoutMs + 1000, noMux: true });
          } catch (e) {
            throw new CliError(`could not request next message: ${describeError(e)}`);
          }
          const status = m.headers?.code ?? 0;
          if (status !== 0 || !m.reply) {
            if (i > 0 && (status === 404 || status === 408)) return;
            if (status === 404 || status === 408) throw new CliError("no message received: nats: timeout");
            throw new CliError(`no message received: ${m.headers?.description || `status ${status}`}`);
          }
          process.stdout.write(deliveredView(m, o.raw));
          if (o.term) {
            m.respond("+TERM");
            await nc.flush();
            if (!o.raw) process.stdout.write("\nTerminated message\n");
          } else if (ack || o.nak) {
            const delay = o.wait ? Math.floor(Math.random() * (parseDuration(o.wait) / 1e6)) : 0;
            if (delay > 0) await new Promise((r) => setTimeout(r, delay));
            m.respond(o.nak ? "-NAK" : "+ACK");
            await nc.flush();
            if (!o.raw) process.stdout.write(`\n${o.nak ? "Negative " : ""}Acknowledged message\n\n`);
          }
        }
      });
    });

  addConsumerEditVerb(con);
  addConsumerSubVerb(con);
  addConsumerReportVerb(con);
}
