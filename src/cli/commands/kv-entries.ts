/** `tsnats kv watch/history/purge`: a bucket's entries over time, as the nats CLI shows them. */
import type { Command } from "commander";
import type { KvEntry } from "@nats-io/kv";
import { printJson, wantsJson, withConnection } from "../runtime.js";
import { openBucket } from "../kv-bucket.js";
import { renderTable } from "../format/table.js";
import { comma, localTime } from "../format/units.js";
import { confirm } from "../confirm.js";
import { CliError, describeError } from "../errors.js";

/** Longer values are shortened in the history table to their first and last 15 characters. */
const HISTORY_VALUE_WIDTH = 40;
const HISTORY_VALUE_EDGE = 15;

/** The value as text when it is printable UTF-8, else base64, so binary values cannot garble a terminal. */
function printable(value: Uint8Array): string {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(value);
  // U+FFFD marks bytes that were not UTF-8; control characters other than whitespace are not printable.
  return /[\uFFFD\u0000-\u0008\u000E-\u001F\u007F]/.test(text) ? Buffer.from(value).toString("base64") : text;
}

function watchLine(e: KvEntry): string {
  const head = `[${localTime(e.created)}] ${e.operation} ${e.bucket} > ${e.key}`;
  return e.operation === "PUT" ? `${head}: ${printable(e.value)}\n` : `${head}\n`;
}

function entryJson(e: KvEntry) {
  return { bucket: e.bucket, key: e.key, value: Buffer.from(e.value).toString("base64"), revision: e.revision,
    delta: e.delta, created: e.created.toISOString(), operation: e.operation };
}

export function addKvEntryVerbs(kv: Command): void {
  kv.command("watch").description("Watch the bucket or a specific key for updated")
    .argument("<bucket>", "The bucket to act on")
    .argument("[key]", "The key to act on, may contain wildcards", ">")
    .action(async (bucket: string, key: string, _o: unknown, cmd: Command) => {
      await withConnection(cmd, async (nc, s) => {
        const store = await openBucket(nc, s, bucket);
        const updates = await store.watch({ key });
        const stop = () => updates.stop();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
        void nc.closed().then(stop);
        for await (const e of updates) process.stdout.write(watchLine(e));
      });
    });

  kv.command("history").description("Shows the full history for a key")
    .argument("<bucket>", "The bucket to act on")
    .argument("<key>", "The key to act on")
    .option("-j, --json", "Produce JSON output")
    .action(async (bucket: string, key: string, o: { json?: boolean }, cmd: Command) => {
      await withConnection(cmd, async (nc, s) => {
        const store = await openBucket(nc, s, bucket);
        const entries: KvEntry[] = [];
        for await (const e of await store.history({ key })) entries.push(e);
        if (wantsJson(o, cmd)) return printJson(entries.map(entryJson));
        if (entries.length === 0) throw new CliError("nats: key not found");
        const rows = entries.map((e) => {
          let value = printable(e.value);
          if (value.length > HISTORY_VALUE_WIDTH) value = `${value.slice(0, HISTORY_VALUE_EDGE)}...${value.slice(-HISTORY_VALUE_EDGE)}`;
          return [e.key, e.revision, e.operation, localTime(e.created), comma(e.value.length), value];
        });
        process.stdout.write(renderTable(`History for ${bucket} > ${key}`,
          ["Key", "Revision", "Op", "Created", "Length", "Value"], rows) + "\n");
      });
    });

  kv.command("purge").description("Removes the data and history from a key")
    .argument("<bucket>", "The bucket to act on")
    .argument("<key>", "The key to act on")
    .option("-f, --force", "Act without confirmation")
    .action(async (bucket: string, key: string, o: { force?: boolean }, cmd: Command) => {
      if (!(await confirm(`Purge key ${bucket} > ${key}`, o.force))) return;
      await withConnection(cmd, async (nc, s) => {
        const store = await openBucket(nc, s, bucket);
        await store.purge(key).catch((e: unknown) => {
          throw new CliError(`could not purge ${bucket} > ${key}: ${describeError(e)}`);
        });
      });
    });
}
