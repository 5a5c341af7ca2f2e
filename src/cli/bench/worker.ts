/**
 * One benchmark client in a worker thread, so publishers and subscribers each have a thread of their own
 * and the tool is not the bottleneck on a multi-core machine. The parent sends "go" to publishers once
 * every subscriber is ready; each worker posts its Sample when done.
 */
import { parentPort, workerData } from "node:worker_threads";
import { open } from "../connect.js";
import type { WorkerJob, WorkerMessage } from "./job.js";
import type { Sample } from "./sample.js";
import { reporter } from "./reporter.js";
import { corePublish, coreSubscribe } from "./core-clients.js";
import { jsPublish, jsSubscribe } from "./js-clients.js";

const job = workerData as WorkerJob;
const port = parentPort!;

async function run(): Promise<Sample> {
  const nc = await open(job.settings);
  try {
    const r = reporter(port);
    if (job.js) return await (job.role === "pub" ? jsPublish(nc, job, job.js, r) : jsSubscribe(nc, job, job.js, r));
    return await (job.role === "pub" ? corePublish(nc, job, r) : coreSubscribe(nc, job, r));
  } finally {
    await nc.close();
  }
}

run()
  .then((sample) => port.postMessage({ type: "done", sample } satisfies WorkerMessage))
  .catch((e: unknown) => port.postMessage({ type: "error", message: e instanceof Error ? e.message : String(e) } satisfies WorkerMessage));
