/**
 * One benchmark client in a worker thread, so publishers and subscribers each have a thread of their own
 * and the tool is not the bottleneck on a multi-core machine. The parent sends "go" to publishers once
 * every subscriber is ready; each worker posts its Sample when done.
 */
import { parentPort, workerData } from "node:worker_threads";
import { open } from "../connect.js";
import type { ConnectionSettings } from "../global-options.js";
import type { Sample } from "./sample.js";

export interface WorkerJob {
  role: "pub" | "sub";
  settings: ConnectionSettings;
  subject: string;
  msgs: number;
  size: number;
}

export type WorkerMessage = { type: "ready" } | { type: "progress"; msgs: number } | { type: "done"; sample: Sample } | { type: "error"; message: string };

const job = workerData as WorkerJob;
const port = parentPort!;
const now = () => performance.timeOrigin + performance.now();
/** Progress is reported every this many messages, so the parent's bar moves without flooding it. */
const PROGRESS_EVERY = 1000;
/** Publishers wait for the server's PONG this often (a multiple of PROGRESS_EVERY). */
const FLUSH_EVERY = 20_000;

async function publish(): Promise<Sample> {
  const nc = await open(job.settings);
  const payload = new Uint8Array(job.size);
  const go = new Promise<void>((resolve) => port.once("message", () => resolve()));
  port.postMessage({ type: "ready" } satisfies WorkerMessage);
  await go;
  const startMs = now();
  for (let i = 1; i <= job.msgs; i++) {
    nc.publish(job.subject, payload);
    if (i % PROGRESS_EVERY === 0) {
      port.postMessage({ type: "progress", msgs: PROGRESS_EVERY } satisfies WorkerMessage);
      // Yield so the client's buffer reaches the socket; a round trip now and then bounds what is in flight.
      if (i % FLUSH_EVERY === 0) await nc.flush();
      else await new Promise((r) => setImmediate(r));
    }
  }
  await nc.flush();
  const endMs = now();
  await nc.close();
  return { msgs: job.msgs, bytes: job.msgs * job.size, startMs, endMs };
}

async function subscribe(): Promise<Sample> {
  const nc = await open(job.settings);
  let startMs = 0;
  let got = 0;
  const done = new Promise<number>((resolve) => {
    nc.subscribe(job.subject, {
      callback: () => {
        if (got === 0) startMs = now();
        got++;
        if (got % PROGRESS_EVERY === 0) port.postMessage({ type: "progress", msgs: PROGRESS_EVERY } satisfies WorkerMessage);
        if (got === job.msgs) resolve(now());
      },
    });
  });
  await nc.flush();
  port.postMessage({ type: "ready" } satisfies WorkerMessage);
  const endMs = await done;
  await nc.close();
  return { msgs: got, bytes: got * job.size, startMs, endMs };
}

(job.role === "pub" ? publish() : subscribe())
  .then((sample) => port.postMessage({ type: "done", sample } satisfies WorkerMessage))
  .catch((e: unknown) => port.postMessage({ type: "error", message: e instanceof Error ? e.message : String(e) } satisfies WorkerMessage));
