/** `tsnats stream add/edit/copy/info/ls/rm/purge/get/rmm` with the nats CLI's flag names and output. */
import { Option, type Command } from "commander";
import type { StreamConfig } from "@nats-io/jetstream";
import { manager } from "../jetstream.js";
import { printJson, wantsJson, withConnection, collect } from "../runtime.js";
import { streamConfigFromFlags, type StreamFlags } from "../stream-config.js";
import { streamInfoView } from "../stream-view.js";
import { renderTable } from "../format/table.js";
import { comma, iBytes, localTime, since } from "../format/units.js";
import { headerLines } from "../message-format.js";
import { confirm } from "../confirm.js";
import { CliError, describeError } from "../errors.js";
import { addStreamBackupVerbs } from "./stream-backup.js";
import { askable, interactive, required } from "../prompt.js";
import { streamNames } from "../jetstream.js";
import { askStreamFlags } from "../stream-prompts.js";
import { addStreamViewVerb } from "./stream-view.js";
import { addStreamReportVerb } from "./stream-report.js";

function addConfigFlags(c: Command): Command {
  return c
    .option("--subjects <subjects>", "Subjects that are consumed by the stream", collect)
    .option("--description <text>", "Sets a contextual description for the stream")
    .addOption(new Option("--storage <type>", "Storage backend to use (file, memory)"))
    .option("--replicas <n>", "When clustered, how many replicas of the data to create")
    .option("--ack", "Acknowledge publishes")
    .option("--no-ack", "Do not acknowledge publishes")
    .option("--retention <policy>", "Defines a retention policy (limits, interest, work)")
    .option("--discard <policy>", "Defines the discard policy (new, old)")
    .option("--max-age <duration>", "Maximum age of messages to keep")
    .option("--max-bytes <bytes>", "Maximum bytes to keep")
    .option("--max-msg-size <bytes>", "Maximum size any 1 message may be")
    .option("--max-msgs <n>", "Maximum amount of messages to keep")
    .option("--max-msgs-per-subject <n>", "Maximum amount of messages to keep per subject")
    .option("--dupe-window <duration>", "Duration of the duplicate message tracking window")
    .option("--allow-rollup", "Allows roll-ups to be done by publishing messages with special headers")
    .option("--deny-delete", "Deny messages from being deleted via the API")
    .option("--deny-purge", "Deny entire stream or subject message purges via the API")
    .option("--config <file>", "JSON file to read configuration from");
}

export function streamCommand(program: Command): void {
  const str = program.command("stream").alias("str").description("JetStream Stream management");

  addConfigFlags(str.command("add").alias("create").alias("new").description("Create a new Stream")
    .argument("[stream]", "Stream name")
    .option("--defaults", "Accept default values for all prompts")
    .option("-j, --json", "Produce JSON output"))
    .action(async (nameArg: string | undefined, o: StreamFlags & { json?: boolean; defaults?: boolean }, cmd: Command) => {
      const name = await required(nameArg, "stream", "Stream Name");
      const flags = interactive() && !o.defaults && !o.config ? await askStreamFlags(name, o) : o;
      await withConnection(cmd, async (nc, s) => {
        const jsm = await manager(nc, s);
        const cfg = streamConfigFromFlags(name, flags) as StreamConfig;
        const info = await jsm.streams.add(cfg).catch((e: Error) => {
          throw new CliError(`could not create Stream: ${describeError(e)}`);
        });
        if (wantsJson(o, cmd)) return printJson(info);
        process.stdout.write(`Stream ${name} was created\n\n${streamInfoView(info)}\n\n`);
      });
    });

  addConfigFlags(str.command("edit").alias("update").description("Edits an existing stream")
    .argument("<stream>", "Stream to edit")
    .option("-f, --force", "Force edit without prompting")
    .option("-j, --json", "Produce JSON output"))
    .action(async (name: string, o: StreamFlags & { json?: boolean; force?: boolean }, cmd: Command) => {
      await withConnection(cmd, async (nc, s) => {
        const jsm = await manager(nc, s);
        const current = await jsm.streams.info(name);
        const cfg = streamConfigFromFlags(name, o, current.config);
        const info = await jsm.streams.update(name, cfg).catch((e: Error) => {
          throw new CliError(`could not edit Stream ${name}: ${describeError(e)}`);
        });
        if (wantsJson(o, cmd)) return printJson(info);
        process.stdout.write(`Stream ${name} was updated\n\n${streamInfoView(info)}\n\n`);
      });
    });

  addConfigFlags(str.command("copy").alias("cp").description("Creates a new stream based on the configuration of another, does not copy data")
    .argument("<source>", "Source stream to copy")
    .argument("<destination>", "New stream to create")
    .option("-j, --json", "Produce JSON output"))
    .action(async (source: string, dest: string, o: StreamFlags & { json?: boolean }, cmd: Command) => {
      await withConnection(cmd, async (nc, s) => {
        const jsm = await manager(nc, s);
        const from = await jsm.streams.info(source).catch((e: unknown) => {
          throw new CliError(`could not load Stream ${source}: ${describeError(e)}`);
        });
        const cfg = streamConfigFromFlags(dest, o, { ...from.config, name: dest }) as StreamConfig;
        const info = await jsm.streams.add(cfg).catch((e: unknown) => {
          throw new CliError(`could not create Stream: ${describeError(e)}`);
        });
        if (wantsJson(o, cmd)) return printJson(info);
        process.stdout.write(`Stream ${dest} was created\n\n${streamInfoView(info)}\n\n`);
      });
    });

  str.command("info").alias("nfo").description("Stream information")
    .argument("[stream]", "Stream to retrieve information for")
    .option("-j, --json", "Produce JSON output")
    .action(async (nameArg: string | undefined, o: { json?: boolean }, cmd: Command) => {
      askable(nameArg, "stream");
      await withConnection(cmd, async (nc, s) => {
        const jsm = await manager(nc, s);
        const name = await required(nameArg, "stream", "Select a Stream", () => streamNames(jsm));
        const info = await jsm.streams.info(name).catch((e: Error) => {
          throw new CliError(`could not request Stream info: ${describeError(e)}`);
        });
        if (wantsJson(o, cmd)) return printJson(info);
        process.stdout.write(streamInfoView(info) + "\n\n");
      });
    });

  str.command("ls").alias("list").description("List all known Streams")
    .option("-j, --json", "Produce JSON output")
    .option("-n, --names", "Show just the stream names")
    .option("--subject <subject>", "Limit the list to streams with matching subjects")
    .action(async (o: { json?: boolean; names?: boolean; subject?: string }, cmd: Command) => {
      await withConnection(cmd, async (nc, s) => {
        const jsm = await manager(nc, s);
        const infos = [];
        for await (const i of jsm.streams.list(o.subject)) infos.push(i);
        infos.sort((a, b) => a.config.name.localeCompare(b.config.name));
        if (wantsJson(o, cmd)) return printJson(infos.map((i) => i.config.name));
        if (o.names) return void process.stdout.write(infos.map((i) => `${i.config.name}\n`).join(""));
        if (infos.length === 0) return void process.stdout.write("No Streams defined\n");
        const rows = infos.map((i) => [i.config.name, i.config.description ?? "", localTime(i.created),
          comma(i.state.messages), iBytes(i.state.bytes), since(i.state.last_ts)]);
        const title = o.subject ? `Streams matching ${o.subject}` : "Streams";
        process.stdout.write(renderTable(title, ["Name", "Description", "Created", "Messages", "Size", "Last Message"], rows) + "\n");
      });
    });

  str.command("rm").alias("delete").alias("del").description("Removes a Stream")
    .argument("<stream>", "Stream name")
    .option("-f, --force", "Force removal without prompting")
    .action(async (name: string, o: { force?: boolean }, cmd: Command) => {
      if (!(await confirm(`Really delete Stream ${name}`, o.force))) return;
      await withConnection(cmd, async (nc, s) => {
        await (await manager(nc, s)).streams.delete(name).catch((e: Error) => {
          throw new CliError(`could not remove Stream: ${describeError(e)}`);
        });
      });
    });

  str.command("purge").description("Purge a Stream without deleting it")
    .argument("<stream>", "Stream name")
    .option("-f, --force", "Force removal without prompting")
    .option("--subject <subject>", "Limits the purge to a specific subject")
    .option("--seq <sequence>", "Purge up to but not including a specific message sequence")
    .option("--keep <messages>", "Keeps a certain number of messages after the purge")
    .option("-j, --json", "Produce JSON output")
    .action(async (name: string, o: { force?: boolean; subject?: string; seq?: string; keep?: string; json?: boolean }, cmd: Command) => {
      if (o.seq !== undefined && o.keep !== undefined) throw new CliError("sequence and keep cannot both be set");
      if (!(await confirm(`Really purge Stream ${name}`, o.force))) return;
      await withConnection(cmd, async (nc, s) => {
        const jsm = await manager(nc, s);
        const req = {
          ...(o.subject ? { filter: o.subject } : {}),
          ...(o.seq !== undefined ? { seq: Number(o.seq) } : {}),
          ...(o.keep !== undefined ? { keep: Number(o.keep) } : {}),
        };
        const r = await jsm.streams.purge(name, req as never).catch((e: Error) => {
          throw new CliError(`could not purge Stream: ${describeError(e)}`);
        });
        const info = await jsm.streams.info(name);
        if (wantsJson(o, cmd)) return printJson(info);
        process.stdout.write(`Purged ${r.purged} messages from ${name}\n\n${streamInfoView(info)}\n\n`);
      });
    });

  str.command("get").description("Retrieves a specific message from a Stream")
    .argument("<stream>", "Stream name")
    .argument("[id]", "Message Sequence to retrieve")
    .option("-S, --last-for <subject>", "Retrieves the message for a specific subject")
    .option("-j, --json", "Produce JSON output")
    .action(async (name: string, id: string | undefined, o: { lastFor?: string; json?: boolean }, cmd: Command) => {
      const query = id !== undefined ? { seq: Number(id) } : o.lastFor ? { last_by_subj: o.lastFor } : undefined;
      if (!query) throw new CliError("no ID or subject specified");
      await withConnection(cmd, async (nc, s) => {
        const m = await (await manager(nc, s)).streams.getMessage(name, query).catch((e: Error) => {
          throw new CliError(`could not retrieve ${name}#${id ?? 0}: ${describeError(e)}`);
        });
        // The client answers the API's "no message found" (10037) with null.
        if (!m) throw new CliError(`could not retrieve ${name}#${id ?? 0}: no message found (10037)`);
        if (wantsJson(o, cmd)) {
          return printJson({
            subject: m.subject, seq: m.seq,
            ...(m.header && [...m.header].length ? { hdrs: Object.fromEntries([...m.header]) } : {}),
            data: Buffer.from(m.data).toString("base64"), time: m.timestamp,
          });
        }
        process.stdout.write(`Item: ${name}#${m.seq} received ${m.timestamp} (${since(m.timestamp)}) on Subject ${m.subject}\n\n`);
        const hs = headerLines(m.header);
        if (hs.length > 0) process.stdout.write(`Headers:\n${hs.map((h) => `  ${h}\n`).join("")}\n`);
        process.stdout.write(`${m.string()}\n`);
      });
    });

  str.command("rmm").description("Securely removes an individual message from a stream")
    .argument("<stream>", "Stream name")
    .argument("<id>", "Message Sequence to remove")
    .option("-f, --force", "Force removal without prompting")
    .action(async (name: string, id: string, o: { force?: boolean }, cmd: Command) => {
      const seq = Number(id);
      if (!Number.isInteger(seq) || seq <= 0) throw new CliError(`invalid message sequence ${JSON.stringify(id)}`);
      if (!(await confirm(`Really remove message ${seq} from Stream ${name}`, o.force))) return;
      await withConnection(cmd, async (nc, s) => {
        await (await manager(nc, s)).streams.deleteMessage(name, seq, true).catch((e: Error) => {
          throw new CliError(`could not remove message ${seq} from Stream ${name}: ${describeError(e)}`);
        });
      });
    });

  addStreamBackupVerbs(str);
  addStreamViewVerb(str);
  addStreamReportVerb(str);
}
