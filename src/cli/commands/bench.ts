/**
 * `tsnats bench SUBJECT --pub N --sub M --msgs K --size S`: core NATS publish/subscribe throughput, every
 * client in a worker thread of its own, reported as the nats CLI reports it.
 */
import type { Command } from "commander";
import { Worker } from "node:worker_threads";
import { settingsOf } from "../runtime.js";
import { comma, iBytes, parseBytes } from "../format/units.js";
import { progressBar } from "../format/progress.js";
import { groupReport, groupSample, rateLine, type Sample } from "../bench/sample.js";
import type { WorkerJob, WorkerMessage } from "../bench/worker.js";
import { CliError } from "../errors.js";

interface BenchFlags {
  pub: string;
  sub: string;
  msgs: string;
  size: string;
  progress: boolean;
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

function startClient(job: WorkerJob, onProgress: (n: number) => void): Client {
  const worker = new Worker(new URL("../bench/worker.js", import.meta.url), { workerData: job });
  let ready!: () => void;
  const readyP = new Promise<void>((r) => (ready = r));
  const done = new Promise<Sample>((resolve, reject) => {
    worker.on("message", (m: WorkerMessage) => {
      if (m.type === "ready") ready();
      else if (m.type === "progress") onProgress(m.msgs);
      else if (m.type === "done") resolve(m.sample);
      else reject(new Error(m.message));
    });
    worker.once("error", reject);
  });
  return { worker, ready: readyP, done };
}

export function benchCommand(program: Command): void {
  program.command("bench").description("Benchmark utility")
    .argument("<subject>", "Subject to use for testing")
    .option("--pub <n>", "Number of concurrent publishers", "1")
    .option("--sub <n>", "Number of concurrent subscribers", "0")
    .option("--msgs <n>", "Number of messages to publish", "100000")
    .option("--size <bytes>", "Size of the test messages", "128")
    .option("--no-progress", "Disable progress bar while publishing")
    .action(async (subject: string, o: BenchFlags, cmd: Command) => {
      const pubs = count("pub", o.pub, 0);
      const subs = count("sub", o.sub, 0);
      const msgs = count("msgs", o.msgs, 1);
      const size = parseBytes(o.size);
      if (pubs + subs === 0) throw new CliError("nothing to do: --pub and --sub are both 0");
      if (size < 0) throw new CliError("--size must not be negative");
      const settings = settingsOf(cmd);
      process.stdout.write(`Starting Core NATS pub/sub benchmark [subject=${subject}, msgs=${comma(msgs)}, msgsize=${iBytes(size)}, pubs=${pubs}, subs=${subs}]\n`);
      const bar = progressBar(msgs * (pubs > 0 ? 1 + subs : subs), o.progress);
      const per = Math.floor(msgs / Math.max(1, pubs));
      const subClients = Array.from({ length: subs }, () =>
        startClient({ role: "sub", settings, subject, msgs, size }, bar.add));
      const pubClients = Array.from({ length: pubs }, (_, i) =>
        startClient({ role: "pub", settings, subject, msgs: i === pubs - 1 ? msgs - per * (pubs - 1) : per, size }, bar.add));
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
      } finally {
        await Promise.all(all.map((c) => c.worker.terminate()));
      }
    });
}
