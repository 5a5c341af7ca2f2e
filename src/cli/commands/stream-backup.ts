/**
 * `tsnats stream backup STREAM DIR` and `tsnats stream restore DIR`: the JetStream snapshot API, in the
 * nats CLI's directory layout (backup.json with the stream's config and state, stream.tar.s2 with the
 * server's archive). The archive is opaque here: each server writes and reads its own format.
 */
import type { Command } from "commander";
import { mkdirSync, readFileSync, statSync, writeFileSync, createReadStream } from "node:fs";
import { open as openFile } from "node:fs/promises";
import { join } from "node:path";
import { createInbox, type Msg, type NatsConnection } from "@nats-io/transport-node";
import type { StreamInfo } from "@nats-io/jetstream";
import { apiPrefix } from "../jetstream.js";
import type { ConnectionSettings } from "../global-options.js";
import { withConnection } from "../runtime.js";
import { streamInfoView } from "../stream-view.js";
import { progressBar } from "../format/progress.js";
import { humanDuration, iBytes } from "../format/units.js";
import { CliError } from "../errors.js";

const META_FILE = "backup.json";
const DATA_FILE = "stream.tar.s2";
const CHUNK_BYTES = 128 * 1024;

interface ApiErrorBody {
  error?: { code: number; err_code?: number; description: string };
}

async function api<T>(nc: NatsConnection, s: ConnectionSettings, subject: string, body: unknown): Promise<T> {
  const m = await nc.request(`${apiPrefix(s)}.${subject}`, JSON.stringify(body), { timeout: s.timeoutMs });
  const r = m.json<T & ApiErrorBody>();
  if (r.error) throw new CliError(`${r.error.description} (${r.error.err_code ?? r.error.code})`);
  return r;
}

/** An answer of the server's that carries an API error (JSON with `error`), if any. */
function errorIn(m: Msg): string | undefined {
  if (m.data.length === 0) return undefined;
  try {
    const e = (m.json<ApiErrorBody>()).error;
    return e ? `${e.description} (${e.err_code ?? e.code})` : undefined;
  } catch {
    return undefined;
  }
}

async function backup(nc: NatsConnection, s: ConnectionSettings, stream: string, dir: string, progress: boolean): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const out = await openFile(join(dir, DATA_FILE), "w");
  const inbox = createInbox(s.inbox_prefix);
  let bytes = 0;
  let bar = progressBar(0, false);
  const finished = new Promise<void>((resolve, reject) => {
    let writes = Promise.resolve();
    nc.subscribe(inbox, { callback: (err, m) => {
      if (err) return reject(err);
      // A status header (408 and the like) is the server giving up on the snapshot.
      if (m.headers?.code) return reject(new CliError(`snapshot failed: ${m.headers.code} ${m.headers.description}`));
      if (m.data.length === 0) return void writes.then(() => resolve(), reject);
      const chunk = m.data;
      writes = writes.then(async () => {
        await out.write(chunk);
        bytes += chunk.length;
        bar.add(chunk.length);
        // The ack frees room in the server's window of unacknowledged chunks.
        if (m.reply) m.respond();
      });
      writes.catch(reject);
    } });
  });
  try {
    const started = performance.now();
    const meta = await api<{ config: unknown; state: { bytes: number } }>(nc, s, `STREAM.SNAPSHOT.${stream}`,
      { deliver_subject: inbox, chunk_size: CHUNK_BYTES, jsck: false });
    bar = progressBar(meta.state.bytes, progress, iBytes);
    await finished.finally(() => bar.end());
    writeFileSync(join(dir, META_FILE), JSON.stringify({ config: meta.config, state: meta.state }, null, "  ") + "\n");
    process.stdout.write(`Received ${iBytes(bytes)} compressed data in ${humanDuration((performance.now() - started) * 1e6)}\n`);
  } finally {
    await out.close();
  }
}

async function restore(nc: NatsConnection, s: ConnectionSettings, dir: string, progress: boolean): Promise<StreamInfo> {
  const meta = JSON.parse(readFileSync(join(dir, META_FILE), "utf8")) as { config: { name: string }; state: unknown };
  const dataPath = join(dir, DATA_FILE);
  const size = statSync(dataPath).size;
  process.stdout.write(`Starting restore of Stream "${meta.config.name}" from file "${dir}"\n\n`);
  const started = performance.now();
  const { deliver_subject } = await api<{ deliver_subject: string }>(nc, s, `STREAM.RESTORE.${meta.config.name}`, meta);
  const bar = progressBar(size, progress, iBytes);
  try {
    for await (const chunk of createReadStream(dataPath, { highWaterMark: CHUNK_BYTES })) {
      const reply = await nc.request(deliver_subject, chunk as Buffer, { timeout: s.timeoutMs });
      const err = errorIn(reply);
      if (err) throw new CliError(`restore failed: ${err}`);
      bar.add((chunk as Buffer).length);
    }
  } finally {
    bar.end();
  }
  const done = await nc.request(deliver_subject, new Uint8Array(0), { timeout: Math.max(s.timeoutMs, 60_000) });
  const err = errorIn(done);
  if (err) throw new CliError(`restore failed: ${err}`);
  process.stdout.write(`Restored stream "${meta.config.name}" in ${humanDuration((performance.now() - started) * 1e6)}\n\n`);
  return done.json<StreamInfo>();
}

export function addStreamBackupVerbs(str: Command): void {
  str.command("backup").description("Creates a backup of a Stream over the NATS network")
    .argument("<stream>", "Stream to backup")
    .argument("<target>", "Directory to create the backup in")
    .option("--no-progress", "Disables progress bars")
    .action(async (stream: string, target: string, o: { progress: boolean }, cmd: Command) => {
      await withConnection(cmd, (nc, s) => backup(nc, s, stream, target, o.progress));
    });

  str.command("restore").description("Restore a Stream over the NATS network")
    .argument("<file>", "The directory holding the backup to restore")
    .option("--no-progress", "Disables progress bars")
    .action(async (dir: string, o: { progress: boolean }, cmd: Command) => {
      await withConnection(cmd, async (nc, s) => {
        const info = await restore(nc, s, dir, o.progress);
        process.stdout.write(streamInfoView(info) + "\n");
      });
    });
}
