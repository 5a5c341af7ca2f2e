/**
 * `tsnats bench SUBJECT --pub N --sub M --msgs K --size S [--js ...]`: core NATS or JetStream publish and
 * subscribe throughput, every client in a worker thread of its own, reported as the nats CLI reports it
 * (with operation latency percentiles where publishers time their acks, and an optional CSV file).
 */
import type { Command } from "commander";
import { writeFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { log, settingsOf, withConnection } from "../runtime.js";
import { comma, iBytes, parseBytes, parseDuration } from "../format/units.js";
import { progressBar } from "../format/progress.js";
import { groupReport, groupSample, rateLine, type Sample } from "../bench/sample.js";
import { msgsPerClient, offsets, type JsConsumerMode, type WorkerJob, type WorkerMessage } from "../bench/job.js";
import { DEFAULT_CONSUMER, DEFAULT_STREAM, prepareJs, type JsPlan } from "../bench/js-setup.js";
import { benchCsv } from "../bench/csv.js";
import { CliError } from "../errors.js";

interface BenchFlags {
  pub: string;
  sub: string;
  msgs: string;
  size: string;
  progress: boolean;
  csv?: string;
  js?: boolean;
  pull?: boolean;
  push?: boolean;
  syncpub?: boolean;
  pubbatch: string;
  consumerbatch: string;
  replicas: string;
  storage: "file" | "memory";
  maxbytes: string;
  stream: string;
  consumer: string;
  jstimeout: string;
  purge?: boolean;
  multisubject?: boolean;
  multisubjectmax: string;
}

function count(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new CliError(`--${flag} must be a whole number of at least ${min}`);
  return n;
}

interface Client {
  worker: Worker;
  ready: Promise<void>;
  done: Promise<Sample>;
}

/** The worker's module: bundled (dist/cli/main.mjs, scripts/bundle.mjs) it is a bundle of its own beside it. */
const WORKER_MODULE = import.meta.url.endsWith(".mjs") ? "./bench/worker.mjs" : "../bench/worker.js";

function startClient(job: WorkerJob, onProgress: (n: number) => void): Client {
  const worker = new Worker(new URL(WORKER_MODULE, import.meta.url), { workerData: job });
  let ready!: () => void;
  const readyP = new Promise<void>((r) => (ready = r));
  const done = new Promise<Sample>((resolve, reject) => {
    worker.on("message", (m: WorkerMessage) => {
      if (m.type === "ready") ready();
      else if (m.type === "progress") onProgress(m.msgs);
      else if (m.type === "done") resolve(m.sample);
      else reject(new CliError(m.message));
    });
    worker.once("error", reject);
  });
  return { worker, ready: readyP, done };
}

function jsPlanOf(o: BenchFlags, subject: string, pubs: number, subs: number): JsPlan {
  if (o.pull && o.push) throw new CliError("The durable consumer must be either pull or push, it can not be both");
  if (o.storage !== "file" && o.storage !== "memory") throw new CliError(`--storage must be file or memory, got ${JSON.stringify(o.storage)}`);
  const mode: JsConsumerMode = o.pull ? "pull" : o.push ? "push" : "ordered";
  return {
    stream: o.stream, consumer: o.consumer, mode, syncPub: Boolean(o.syncpub), pubBatch: count("pubbatch", o.pubbatch, 1),
    consumerBatch: count("consumerbatch", o.consumerbatch, 1), timeoutMs: parseDuration(o.jstimeout) / 1e6,
    subscribeSubject: o.multisubject ? `${subject}.*` : subject, storage: o.storage, replicas: count("replicas", o.replicas, 1),
    maxBytes: parseBytes(o.maxbytes), purge: Boolean(o.purge), pubs, subs,
  };
}

function banner(o: BenchFlags, subject: string, msgs: number, size: number, pubs: number, subs: number, js: JsPlan | undefined): string {
  if (!js) return `Starting Core NATS pub/sub benchmark [subject=${subject}, msgs=${comma(msgs)}, msgsize=${iBytes(size)}, pubs=${pubs}, subs=${subs}]`;
  return `Starting JetStream benchmark [subject=${js.subscribeSubject}, multisubject=${Boolean(o.multisubject)}, multisubjectmax=${Number(o.multisubjectmax)}, js=true, msgs=${comma(msgs)}, msgsize=${iBytes(size)}, pubs=${pubs}, subs=${subs}, stream=${js.stream}, maxbytes=${iBytes(js.maxBytes)}, storage=${js.storage}, syncpub=${js.syncPub}, pubbatch=${comma(js.pubBatch)}, jstimeout=${o.jstimeout}, pull=${js.mode === "pull"}, consumerbatch=${comma(js.consumerBatch)}, push=${js.mode === "push"}, consumername=${js.consumer}, replicas=${js.replicas}, purge=${js.purge}]`;
}

export function benchCommand(program: Command): void {
  program.command("bench").description("Benchmark utility")
    .argument("<subject>", "Subject to use for testing")
    .option("--pub <n>", "Number of concurrent publishers", "1")
    .option("--sub <n>", "Number of concurrent subscribers", "0")
    .option("--msgs <n>", "Number of messages to publish", "100000")
    .option("--size <bytes>", "Size of the test messages", "128")
    .option("--no-progress", "Disable progress bar while publishing")
    .option("--csv <file>", "Save benchmark data to CSV file")
    .option("--js", "Use JetStream")
    .option("--pull", "Use a shared durable explicitly acknowledged JS pull consumer rather than individual ephemeral consumers")
    .option("--push", "Use a shared durable explicitly acknowledged JS push consumer with a queue group rather than individual ephemeral consumers")
    .option("--syncpub", "Synchronously publish to the stream")
    .option("--pubbatch <n>", "Sets the batch size for JS asynchronous publishing", "100")
    .option("--consumerbatch <n>", "Sets the batch size for the JS durable pull consumer, or the max ack pending value for the JS durable push consumer", "100")
    .option("--replicas <n>", "Number of stream replicas for the \"benchstream\" stream", "1")
    .option("--storage <type>", "JetStream storage (memory/file) for the \"benchstream\" stream", "file")
    .option("--maxbytes <size>", "The maximum size of the stream in bytes", "1GB")
    .option("--stream <name>", "When set to something else than \"benchstream\": use (and do not attempt to define) the specified stream", DEFAULT_STREAM)
    .option("--consumer <name>", "Specify the durable consumer name to use", DEFAULT_CONSUMER)
    .option("--jstimeout <duration>", "Timeout for JS operations", "30s")
    .option("--purge", "Purge the stream before running")
    .option("--multisubject", "Multi-subject mode, each message is published on a subject that includes the publisher's message sequence number as a token")
    .option("--multisubjectmax <n>", "The maximum number of subjects to use in multi-subject mode (0 means no max)", "100000")
    .action(async (subject: string, o: BenchFlags, cmd: Command) => {
      const pubs = count("pub", o.pub, 0);
      const subs = count("sub", o.sub, 0);
      const msgs = count("msgs", o.msgs, 1);
      const size = parseBytes(o.size);
      if (pubs + subs === 0) throw new CliError("nothing to do: --pub and --sub are both 0");
      if (size < 0) throw new CliError("--size must not be negative");
      const multiSubjectMax = o.multisubject ? count("multisubjectmax", o.multisubjectmax, 0) : undefined;
      const js = o.js ? jsPlanOf(o, subject, pubs, subs) : undefined;
      if (js && subs > 0) {
        log(js.mode === "ordered"
          ? "JetStream ephemeral ordered push consumer mode, subscribers will not acknowledge the consumption of messages"
          : `JetStream durable ${js.mode} consumer mode, subscriber(s) will explicitly acknowledge the consumption of messages`);
      }
      const settings = settingsOf(cmd);
      process.stdout.write(banner(o, subject, msgs, size, pubs, subs, js) + "\n");
      const cleanup = js ? await withConnection(cmd, (nc) => prepareJs(nc, settings, js)) : undefined;
      // Each subscriber sees every message, except those sharing a durable consumer, which split them.
      const shared = js !== undefined && js.mode !== "ordered";
      const subShares = shared ? msgsPerClient(msgs, subs) : Array.from({ length: subs }, () => msgs);
      const pubShares = msgsPerClient(msgs, pubs);
      const bar = progressBar((pubs > 0 ? msgs : 0) + subShares.reduce((a, b) => a + b, 0), o.progress);
      const common = { settings, subject, size, ...(multiSubjectMax !== undefined ? { multiSubjectMax } : {}), ...(js ? { js } : {}) };
      const subClients = subShares.map((n, i) => startClient({ ...common, role: "sub", msgs: n, offset: offsets(subShares)[i]! }, bar.add));
      const pubOffsets = offsets(pubShares);
      const pubClients = pubShares.map((n, i) => startClient({ ...common, role: "pub", msgs: n, offset: pubOffsets[i]! }, bar.add));
      const all = [...subClients, ...pubClients];
      try {
        await Promise.race([Promise.all(all.map((c) => c.ready)), Promise.all(all.map((c) => c.done))]);
        for (const c of pubClients) c.worker.postMessage("go");
        const pubSamples = await Promise.all(pubClients.map((c) => c.done));
        const subSamples = await Promise.all(subClients.map((c) => c.done));
        bar.end();
        const out: string[] = [""];
        if (pubs > 0 && subs > 0) out.push(`NATS Pub/Sub stats: ${rateLine(groupSample([...pubSamples, ...subSamples]))}`);
        if (pubs > 0) out.push(groupReport(subs > 0 ? " Pub stats" : "Pub stats", pubSamples).replace(/\n/g, subs > 0 ? "\n " : "\n"));
        if (subs > 0) out.push(groupReport(pubs > 0 ? " Sub stats" : "Sub stats", subSamples).replace(/\n/g, pubs > 0 ? "\n " : "\n"));
        process.stdout.write(out.join("\n") + "\n\n");
        if (o.csv) {
          writeFileSync(o.csv, benchCsv(subSamples, pubSamples));
          process.stdout.write(`Saved metric data in csv file ${o.csv}\n`);
        }
      } finally {
        await Promise.all(all.map((c) => c.worker.terminate()));
        if (cleanup) await withConnection(cmd, (nc) => cleanup(nc)).catch(() => undefined);
      }
    });
}
