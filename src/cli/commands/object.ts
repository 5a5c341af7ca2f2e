/** `tsnats object add/put/get/ls/rm/info/seal/watch`: Object Store buckets through @nats-io/obj, as the nats CLI shows them. */
import type { Command } from "commander";
import { createReadStream, createWriteStream, existsSync, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Objm, type ObjectInfo, type ObjectStore, type ObjectStoreStatus } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import { client } from "../jetstream.js";
import type { ConnectionSettings } from "../global-options.js";
import { collect, printJson, wantsJson, withConnection } from "../runtime.js";
import { bucketView, objectJson, objectView } from "../object-view.js";
import { parseHeaders } from "../message-format.js";
import { renderTable } from "../format/table.js";
import { progressBar } from "../format/progress.js";
import { humanDuration, iBytes, localTime, parseBytes, parseDuration, rfc3339Local, since } from "../format/units.js";
import { confirm } from "../confirm.js";
import { askable, required } from "../prompt.js";
import { CliError, describeError } from "../errors.js";

/** Objects this small finish before a bar could say anything, so none is drawn (as the nats CLI does). */
const PROGRESS_MIN_BYTES = 20 * 1024;

function objm(nc: NatsConnection, s: ConnectionSettings): Objm {
  return new Objm(client(nc, s));
}

async function openStore(nc: NatsConnection, s: ConnectionSettings, bucket: string): Promise<ObjectStore> {
  return objm(nc, s).open(bucket).catch((e: unknown) => {
    throw new CliError(`could not open bucket ${bucket}: ${describeError(e)}`);
  });
}

async function objectInfo(store: ObjectStore, bucket: string, name: string): Promise<ObjectInfo> {
  const info = await store.info(name);
  if (!info) throw new CliError(`nats: object not found: ${bucket} > ${name}`);
  return info;
}

function showBucket(st: ObjectStoreStatus, json: boolean): void {
  if (json) return printJson(st.streamInfo);
  process.stdout.write(bucketView(st) + "\n");
}

/** Counts the bytes passing through into a progress bar. */
function counted(src: ReadableStream<Uint8Array>, add: (n: number) => void): ReadableStream<Uint8Array> {
  return src.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, out) {
      add(chunk.length);
      out.enqueue(chunk);
    },
  }));
}

interface PutFlags { name?: string; description?: string; header: string[]; progress: boolean; force?: boolean; json?: boolean }
interface GetFlags { output?: string; progress: boolean; force?: boolean }

export function objectCommand(program: Command): void {
  const obj = program.command("object").alias("obj").description("Interacts with a JetStream based Object store");

  obj.command("add").description("Adds a new Object Store Bucket")
    .argument("<bucket>", "The bucket to act on")
    .option("--ttl <duration>", "How long to keep objects for")
    .option("--replicas <n>", "How many replicas of the data to store", "1")
    .option("--max-bucket-size <bytes>", "Maximum size for the bucket")
    .option("--description <text>", "A description for the bucket")
    .option("--storage <type>", "Storage backend to use (file, memory)")
    .option("-j, --json", "Produce JSON output")
    .action(async (bucket: string, o: { ttl?: string; replicas: string; maxBucketSize?: string; description?: string; storage?: string; json?: boolean }, cmd: Command) => {
      const storage = o.storage === undefined ? "file" : { file: "file", f: "file", memory: "memory", m: "memory" }[o.storage];
      if (!storage) throw new CliError(`enum value must be one of file,f,memory,m, got '${o.storage}' for --storage`);
      await withConnection(cmd, async (nc, s) => {
        const store = await objm(nc, s).create(bucket, {
          replicas: Number(o.replicas),
          storage: storage as never,
          ...(o.ttl ? { ttl: parseDuration(o.ttl) } : {}),
          ...(o.maxBucketSize ? { max_bytes: parseBytes(o.maxBucketSize) } : {}),
          ...(o.description ? { description: o.description } : {}),
        }).catch((e: unknown) => {
          throw new CliError(`could not create bucket ${bucket}: ${describeError(e)}`);
        });
        showBucket(await store.status(), wantsJson(o, cmd));
      });
    });

  obj.command("put").description("Puts a file into the store")
    .argument("<bucket>", "The bucket to act on")
    .argument("[file]", "The file to put, when empty reads STDIN (needs --name)")
    .option("--name <name>", "Override the name supplied to the object store")
    .option("--description <text>", "Sets an optional description for the object")
    .option("-H, --header <K:V>", "Adds headers to the object using K:V format", collect, [])
    .option("--no-progress", "Disable progress bars")
    .option("-f, --force", "Act without confirmation")
    .option("-j, --json", "Produce JSON output")
    .action(async (bucket: string, file: string | undefined, o: PutFlags, cmd: Command) => {
      const name = o.name ?? file;
      if (!name) throw new CliError("--name is required when reading from stdin");
      const size = file ? statSync(file).size : 0;
      const headers = parseHeaders(o.header);
      await withConnection(cmd, async (nc, s) => {
        const store = await openStore(nc, s, bucket);
        const existing = await store.info(name);
        if (existing && !existing.deleted && !o.force) {
          process.stdout.write(objectView(existing) + "\n");
          if (!(await confirm(`Replace existing file ${bucket} > ${name}`, o.force))) return;
        }
        const bar = progressBar(size, o.progress && size > PROGRESS_MIN_BYTES, iBytes);
        const source = Readable.toWeb(file ? createReadStream(file) : process.stdin) as ReadableStream<Uint8Array>;
        const info = await store.put({ name, ...(o.description ? { description: o.description } : {}), ...(headers ? { headers } : {}) },
          counted(source, bar.add)).catch((e: unknown) => {
          throw new CliError(`could not put ${bucket} > ${name}: ${describeError(e)}`);
        }).finally(() => bar.end());
        if (wantsJson(o, cmd)) return printJson(objectJson(info));
        process.stdout.write("\n" + objectView(info) + "\n");
      });
    });

  obj.command("get").description("Retrieves a file from the store")
    .argument("<bucket>", "The bucket to act on")
    .argument("<file>", "The file to retrieve")
    .option("-O, --output <file>", "Override the output file name")
    .option("--no-progress", "Disable progress bars")
    .option("-f, --force", "Act without confirmation")
    .action(async (bucket: string, file: string, o: GetFlags, cmd: Command) => {
      await withConnection(cmd, async (nc, s) => {
        const store = await openStore(nc, s, bucket);
        const info = await objectInfo(store, bucket, file);
        if (info.deleted) throw new CliError("file has been deleted");
        const out = resolve(o.output ?? basename(info.name));
        if (existsSync(out) && !(await confirm(`Replace existing target file ${out}`, o.force))) return;
        const res = await store.get(file);
        if (!res) throw new CliError(`nats: object not found: ${bucket} > ${file}`);
        const started = performance.now();
        const bar = progressBar(info.size, o.progress && info.size > PROGRESS_MIN_BYTES, iBytes);
        let written = 0;
        try {
          await pipeline(Readable.fromWeb(counted(res.data, (n) => ((written += n), bar.add(n))) as never), createWriteStream(out));
          // The digest is checked once the last chunk is read; a mismatch rejects here.
          const err = await res.error;
          if (err) throw err;
        } catch (e) {
          await rm(out, { force: true });
          throw new CliError(`could not get ${bucket} > ${file}: ${describeError(e)}`);
        } finally {
          bar.end();
        }
        if (written !== info.size) throw new CliError(`wrote ${iBytes(written)}, expected ${iBytes(info.size)}`);
        const ms = performance.now() - started;
        const rate = ms > 2000 ? ` average ${iBytes(info.size / (ms / 1000))}/s` : "";
        process.stdout.write(`Wrote: ${iBytes(written)} to ${out} in ${humanDuration(ms * 1e6)}${rate}\n`);
      });
    });

  obj.command("ls").description("List buckets or contents of a specific bucket")
    .argument("[bucket]", "The bucket to act on")
    .option("-n, --names", "When listing buckets, show just the bucket names")
    .option("-j, --json", "Produce JSON output")
    .action(async (bucket: string | undefined, o: { names?: boolean; json?: boolean }, cmd: Command) => {
      await withConnection(cmd, async (nc, s) => {
        if (bucket) {
          const store = await openStore(nc, s, bucket);
          const contents = (await store.list()).filter((i) => !i.deleted);
          if (wantsJson(o, cmd)) return printJson(contents.map(objectJson));
          if (contents.length === 0) return void process.stdout.write("No entries found\n");
          if (o.names) return void process.stdout.write(contents.map((i) => `${i.name}\n`).join(""));
          const rows = contents.map((i) => [i.name, iBytes(i.size), rfc3339Local(i.mtime)]);
          process.stdout.write(renderTable("Bucket Contents", ["Name", "Size", "Time"], rows) + "\n");
          return;
        }
        const all: ObjectStoreStatus[] = [];
        for await (const st of objm(nc, s).list()) all.push(st);
        all.sort((a, b) => a.streamInfo.state.bytes - b.streamInfo.state.bytes || a.bucket.localeCompare(b.bucket));
        if (wantsJson(o, cmd)) return printJson(all.map((st) => st.streamInfo));
        if (all.length === 0) return void process.stdout.write("No Object Store buckets found\n");
        if (o.names) return void process.stdout.write(all.map((st) => `${st.bucket}\n`).join(""));
        const rows = all.map((st) => [st.bucket, st.description ?? "", localTime(st.streamInfo.created),
          iBytes(st.streamInfo.state.bytes), since(st.streamInfo.state.last_ts)]);
        process.stdout.write(renderTable("Object Store Buckets", ["Bucket", "Description", "Created", "Size", "Last Update"], rows) + "\n");
      });
    });

  obj.command("del").alias("rm").description("Deletes a file or bucket from the store")
    .argument("<bucket>", "The bucket to act on")
    .argument("[file]", "The file to delete")
    .option("-f, --force", "Act without confirmation")
    .action(async (bucket: string, file: string | undefined, o: { force?: boolean }, cmd: Command) => {
      await withConnection(cmd, async (nc, s) => {
        const store = await openStore(nc, s, bucket);
        if (!file) {
          if (!(await confirm(`Delete bucket ${bucket} and all its files?`, o.force))) return;
          await store.destroy().catch((e: unknown) => {
            throw new CliError(`could not delete bucket ${bucket}: ${describeError(e)}`);
          });
          return;
        }
        if (!o.force) {
          const info = await objectInfo(store, bucket, file);
          if (!(await confirm(`Delete ${iBytes(info.size)} byte file ${bucket} > ${file}?`, o.force))) return;
        }
        await store.delete(file).catch((e: unknown) => {
          throw new CliError(`could not delete ${bucket} > ${file}: ${describeError(e)}`);
        });
        process.stdout.write(`Removed ${bucket} > ${file}\n`);
        showBucket(await store.status(), false);
      });
    });

  obj.command("info").alias("show").alias("i").description("Get information about a bucket or object")
    .argument("[bucket]", "The bucket to act on")
    .argument("[file]", "The file to show")
    .option("-j, --json", "Produce JSON output")
    .action(async (bucketArg: string | undefined, file: string | undefined, o: { json?: boolean }, cmd: Command) => {
      askable(bucketArg, "bucket");
      await withConnection(cmd, async (nc, s) => {
        const bucket = await required(bucketArg, "bucket", "Select a Bucket", async () => {
          const names: string[] = [];
          for await (const st of objm(nc, s).list()) names.push(st.bucket);
          return names.sort();
        }, "no Object buckets found");
        const store = await openStore(nc, s, bucket);
        if (!file) return showBucket(await store.status(), wantsJson(o, cmd));
        const info = await objectInfo(store, bucket, file);
        if (wantsJson(o, cmd)) return printJson(objectJson(info));
        process.stdout.write(objectView(info) + "\n");
      });
    });

  obj.command("seal").description("Seals a bucket preventing further updates")
    .argument("<bucket>", "The bucket to act on")
    .option("-f, --force", "Force sealing without prompting")
    .action(async (bucket: string, o: { force?: boolean }, cmd: Command) => {
      if (!(await confirm(`Really seal Bucket ${bucket}, sealed buckets can not be unsealed or modified`, o.force))) return;
      await withConnection(cmd, async (nc, s) => {
        const store = await openStore(nc, s, bucket);
        const st = await store.seal().catch((e: unknown) => {
          throw new CliError(`could not seal bucket ${bucket}: ${describeError(e)}`);
        });
        process.stdout.write(`${bucket} has been sealed\n`);
        showBucket(st, false);
      });
    });

  obj.command("watch").description("Watch a bucket for changes")
    .argument("<bucket>", "The bucket to act on")
    .action(async (bucket: string, _o: unknown, cmd: Command) => {
      await withConnection(cmd, async (nc, s) => {
        const store = await openStore(nc, s, bucket);
        const updates = await store.watch({ includeHistory: true });
        const stop = () => updates.stop();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
        void nc.closed().then(stop);
        for await (const i of updates) {
          // The watcher marks the end of the history with a null entry.
          if (!i) continue;
          const head = `[${localTime(i.mtime)}] ${i.deleted ? "DEL" : "PUT"} ${i.bucket} > ${i.name}`;
          process.stdout.write(i.deleted ? `${head}\n` : `${head}: ${iBytes(i.size)} bytes in ${i.chunks} chunks\n`);
        }
      });
    });
}
