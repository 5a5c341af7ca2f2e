/** `tsnats kv add/put/get/del/ls/status/rm` (watch/history/purge in kv-entries.ts): Key-Value buckets through @nats-io/kv, as the nats CLI shows them. */
import type { Command } from "commander";
import type { KvStatus } from "@nats-io/kv";
import { printJson, readStdin, wantsJson, withConnection } from "../runtime.js";
import { kvm, openBucket } from "../kv-bucket.js";
import { addKvEntryVerbs } from "./kv-entries.js";
import { Columns } from "../format/columns.js";
import { renderTable } from "../format/table.js";
import { comma, humanDuration, iBytes, localTime, parseBytes, parseDuration, since } from "../format/units.js";
import { confirm } from "../confirm.js";
import { askable, required } from "../prompt.js";
import { CliError, describeError } from "../errors.js";

interface KvAddFlags {
  history: string;
  ttl?: string;
  replicas: string;
  maxValueSize?: string;
  maxBucketSize?: string;
  storage?: string;
  description?: string;
  json?: boolean;
}

function statusView(st: KvStatus): string {
  const info = st.streamInfo;
  const cfg = info.config;
  const cols = new Columns(`Information for Key-Value Store Bucket ${st.bucket} created ${localTime(info.created)}`);
  cols.section("Configuration");
  cols.row("Bucket Name", st.bucket);
  cols.row("History Kept", comma(st.history));
  cols.row("Values Stored", comma(st.values));
  cols.row("Compressed", Boolean(st.compression));
  cols.row("Backing Store Kind", "JetStream");
  cols.rowIfNotEmpty("Description", cfg.description);
  cols.row("Bucket Size", iBytes(info.state.bytes));
  cols.row("Maximum Bucket Size", cfg.max_bytes <= 0 ? "unlimited" : iBytes(cfg.max_bytes));
  cols.row("Maximum Value Size", cfg.max_msg_size <= 0 ? "unlimited" : iBytes(cfg.max_msg_size));
  cols.row("Maximum Age", cfg.max_age <= 0 ? "unlimited" : humanDuration(cfg.max_age));
  cols.row("JetStream Stream", cfg.name);
  cols.row("Storage", cfg.storage === "memory" ? "Memory" : "File");
  if (info.cluster?.name || info.cluster?.leader) {
    cols.section("Cluster Information");
    cols.row("Name", info.cluster.name ?? "");
    cols.row("Leader", info.cluster.leader ?? "");
  }
  return cols.render();
}

export function kvCommand(program: Command): void {
  const kv = program.command("kv").description("Interacts with a JetStream based Key-Value store");

  kv.command("add").alias("new").description("Adds a new KV Store Bucket")
    .argument("<bucket>", "The bucket to act on")
    .option("--history <n>", "How many historic values to keep per key", "1")
    .option("--ttl <duration>", "How long to keep values for")
    .option("--replicas <n>", "How many replicas of the data to store", "1")
    .option("--max-value-size <bytes>", "Maximum size for any single value")
    .option("--max-bucket-size <bytes>", "Maximum size for the bucket")
    .option("--storage <type>", "Storage backend to use (file, memory)")
    .option("--description <text>", "A description for the bucket")
    .option("-j, --json", "Produce JSON output")
    .action(async (bucket: string, o: KvAddFlags, cmd: Command) => {
      const history = Number(o.history);
      if (!Number.isInteger(history) || history < 1 || history > 64) throw new CliError("history must be between 1 and 64");
      const storage = o.storage === undefined ? "file" : { file: "file", f: "file", memory: "memory", m: "memory" }[o.storage];
      if (!storage) throw new CliError(`enum value must be one of file,f,memory,m, got '${o.storage}' for --storage`);
      await withConnection(cmd, async (nc, s) => {
        const store = await kvm(nc, s).create(bucket, {
          history,
          replicas: Number(o.replicas),
          storage: storage as never,
          ...(o.ttl ? { ttl: parseDuration(o.ttl) / 1e6 } : {}),
          ...(o.maxValueSize ? { maxValueSize: parseBytes(o.maxValueSize) } : {}),
          ...(o.maxBucketSize ? { max_bytes: parseBytes(o.maxBucketSize) } : {}),
          ...(o.description ? { description: o.description } : {}),
        }).catch((e: unknown) => {
          throw new CliError(`could not create bucket ${bucket}: ${describeError(e)}`);
        });
        const st = await store.status();
        if (wantsJson(o, cmd)) return printJson(st.streamInfo);
        process.stdout.write(statusView(st) + "\n\n");
      });
    });

  kv.command("put").description("Puts a value into a key")
    .argument("<bucket>", "The bucket to act on")
    .argument("<key>", "The key to act on")
    .argument("[value]", "The value to store, when empty reads STDIN")
    .action(async (bucket: string, key: string, value: string | undefined, _o: unknown, cmd: Command) => {
      const data = value !== undefined ? new TextEncoder().encode(value) : await readStdin();
      await withConnection(cmd, async (nc, s) => {
        const store = await openBucket(nc, s, bucket);
        await store.put(key, data).catch((e: unknown) => {
          throw new CliError(`could not put ${bucket} > ${key}: ${describeError(e)}`);
        });
        process.stdout.write(`${new TextDecoder().decode(data)}\n`);
      });
    });

  kv.command("get").description("Gets a value for a key")
    .argument("<bucket>", "The bucket to act on")
    .argument("<key>", "The key to act on")
    .option("--revision <n>", "Gets a specific revision")
    .option("--raw", "Show only the value string")
    .option("-j, --json", "Produce JSON output")
    .action(async (bucket: string, key: string, o: { revision?: string; raw?: boolean; json?: boolean }, cmd: Command) => {
      await withConnection(cmd, async (nc, s) => {
        const store = await openBucket(nc, s, bucket);
        const e = await store.get(key, o.revision ? { revision: Number(o.revision) } : undefined);
        if (!e || e.operation !== "PUT") throw new CliError(`nats: key not found`);
        if (wantsJson(o, cmd)) {
          return printJson({ bucket: e.bucket, key: e.key, value: Buffer.from(e.value).toString("base64"),
            revision: e.revision, created: e.created.toISOString(), operation: e.operation });
        }
        if (o.raw) return void process.stdout.write(`${e.string()}\n`);
        process.stdout.write(`${bucket} > ${key} revision: ${e.revision} created @ ${localTime(e.created)}\n\n${e.string()}\n\n`);
      });
    });

  kv.command("del").alias("rm").description("Deletes a key or the entire bucket")
    .argument("<bucket>", "The bucket to act on")
    .argument("[key]", "The key to act on")
    .option("-f, --force", "Act without confirmation")
    .action(async (bucket: string, key: string | undefined, o: { force?: boolean }, cmd: Command) => {
      if (!(await confirm(key ? `Delete key ${bucket} > ${key}?` : `Delete bucket ${bucket}?`, o.force))) return;
      await withConnection(cmd, async (nc, s) => {
        if (key) {
          const store = await openBucket(nc, s, bucket);
          await store.delete(key).catch((e: unknown) => {
            throw new CliError(`could not delete ${bucket} > ${key}: ${describeError(e)}`);
          });
          return;
        }
        const store = await openBucket(nc, s, bucket);
        await store.destroy().catch((e: unknown) => {
          throw new CliError(`could not delete bucket ${bucket}: ${describeError(e)}`);
        });
      });
    });

  kv.command("ls").alias("list").description("List buckets or keys in a specific bucket")
    .argument("[bucket]", "The bucket to list the keys")
    .option("-n, --names", "Show just the bucket names")
    .option("-j, --json", "Produce JSON output")
    .action(async (bucket: string | undefined, o: { names?: boolean; json?: boolean }, cmd: Command) => {
      await withConnection(cmd, async (nc, s) => {
        if (bucket) {
          const store = await openBucket(nc, s, bucket);
          const keys: string[] = [];
          for await (const k of await store.keys()) keys.push(k);
          keys.sort();
          if (wantsJson(o, cmd)) return printJson(keys);
          if (keys.length === 0) return void process.stdout.write("No keys found in bucket\n");
          process.stdout.write(keys.map((k) => `${k}\n`).join(""));
          return;
        }
        const all: KvStatus[] = [];
        for await (const st of kvm(nc, s).list()) all.push(st);
        all.sort((a, b) => a.bucket.localeCompare(b.bucket));
        if (wantsJson(o, cmd)) return printJson(all.map((st) => st.streamInfo));
        if (o.names) return void process.stdout.write(all.map((st) => `${st.bucket}\n`).join(""));
        if (all.length === 0) return void process.stdout.write("No Key-Value buckets found\n");
        const rows = all.map((st) => [st.bucket, st.streamInfo.config.description ?? "", localTime(st.streamInfo.created),
          iBytes(st.streamInfo.state.bytes), comma(st.values), since(st.streamInfo.state.last_ts)]);
        process.stdout.write(renderTable("Key-Value Buckets", ["Bucket", "Description", "Created", "Size", "Values", "Last Update"], rows) + "\n");
      });
    });

  kv.command("status").alias("info").alias("view").description("View the status of a KV store")
    .argument("[bucket]", "The bucket to act on")
    .option("-j, --json", "Produce JSON output")
    .action(async (bucketArg: string | undefined, o: { json?: boolean }, cmd: Command) => {
      askable(bucketArg, "bucket");
      await withConnection(cmd, async (nc, s) => {
        const bucket = await required(bucketArg, "bucket", "Select a Bucket", async () => {
          const names: string[] = [];
          for await (const st of kvm(nc, s).list()) names.push(st.bucket);
          return names.sort();
        }, "no KV buckets found");
        const st = await (await openBucket(nc, s, bucket)).status().catch((e: unknown) => {
          throw new CliError(`could not load bucket ${bucket}: ${describeError(e)}`);
        });
        if (wantsJson(o, cmd)) return printJson(st.streamInfo);
        process.stdout.write(statusView(st) + "\n\n");
      });
    });

  addKvEntryVerbs(kv);
}
