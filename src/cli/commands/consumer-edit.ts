/**
 * `tsnats consumer edit STREAM CONSUMER [flags]`: changes what a server lets change on a durable
 * consumer, shows the differences, asks (or takes --force), then shows the new consumer.
 */
import type { Command } from "commander";
import type { ConsumerConfig, ConsumerUpdateConfig } from "@nats-io/jetstream";
import { manager } from "../jetstream.js";
import { printJson, wantsJson, withConnection } from "../runtime.js";
import { configDiff, consumerEditFromFlags, type ConsumerFlags } from "../consumer-config.js";
import { addConsumerConfigFlags } from "../consumer-flags.js";
import { consumerInfoView } from "../consumer-view.js";
import { confirm } from "../confirm.js";
import { CliError, describeError } from "../errors.js";

type EditFlags = ConsumerFlags & { force?: boolean; dryRun?: boolean; json?: boolean };

export function addConsumerEditVerb(con: Command): void {
  addConsumerConfigFlags(con.command("edit").alias("update").description("Edits the configuration of a consumer")
    .argument("<stream>", "Stream name")
    .argument("<consumer>", "Consumer name"), "edit")
    .option("-f, --force", "Force edit without prompting")
    .option("--dry-run", "Only shows differences, do not edit the consumer")
    .option("-j, --json", "Produce JSON output")
    .action(async (stream: string, name: string, o: EditFlags, cmd: Command) => {
      await withConnection(cmd, async (nc, s) => {
        const jsm = await manager(nc, s);
        const current = await jsm.consumers.info(stream, name).catch((e: unknown) => {
          throw new CliError(`could not load Consumer: ${describeError(e)}`);
        });
        if (!current.config.durable_name) throw new CliError("only durable consumers can be edited");
        let next: ConsumerConfig;
        try {
          next = consumerEditFromFlags(current.config, o) as ConsumerConfig;
        } catch (e) {
          throw new CliError(`could not create new configuration for Consumer ${name}: ${describeError(e)}`);
        }
        const diff = configDiff(current.config, next);
        if (diff.length === 0) {
          if (!o.dryRun) process.stdout.write("No difference in configuration\n");
          return;
        }
        process.stdout.write(`Differences (-old +new):\n${diff.join("\n")}\n`);
        if (o.dryRun) return;
        if (!(await confirm(`Really edit Consumer ${stream} > ${name}`, o.force))) return;
        const info = await jsm.consumers.update(stream, name, next as ConsumerUpdateConfig).catch((e: unknown) => {
          throw new CliError(`could not edit Consumer ${name}: ${describeError(e)}`);
        });
        if (wantsJson(o, cmd)) return printJson(info);
        process.stdout.write(`\n${consumerInfoView(info)}\n\n`);
      });
    });
}
