/** Core NATS benchmark clients: a publisher that writes as fast as the socket takes it, and a subscriber. */
import type { NatsConnection } from "@nats-io/transport-node";
import { publishSubject, subscribeSubject, type WorkerJob } from "./job.js";
import type { Sample } from "./sample.js";
import { now, PROGRESS_EVERY, type Reporter } from "./reporter.js";

/** Publishers wait for the server's PONG this often (a multiple of PROGRESS_EVERY). */
const FLUSH_EVERY = 20_000;

export async function corePublish(nc: NatsConnection, job: WorkerJob, r: Reporter): Promise<Sample> {
  const payload = new Uint8Array(job.size);
  await r.ready();
  const startMs = now();
  for (let i = 1; i <= job.msgs; i++) {
    nc.publish(publishSubject(job, job.offset + i - 1), payload);
    if (i % PROGRESS_EVERY === 0) {
      r.progress(PROGRESS_EVERY);
      // Yield so the client's buffer reaches the socket; a round trip now and then bounds what is in flight.
      if (i % FLUSH_EVERY === 0) await nc.flush();
      else await new Promise((res) => setImmediate(res));
    }
  }
  await nc.flush();
  return { msgs: job.msgs, bytes: job.msgs * job.size, startMs, endMs: now() };
}

export async function coreSubscribe(nc: NatsConnection, job: WorkerJob, r: Reporter): Promise<Sample> {
  let startMs = 0;
  let got = 0;
  const done = new Promise<number>((resolve) => {
    nc.subscribe(subscribeSubject(job), {
      callback: () => {
        if (got === 0) startMs = now();
        got++;
        if (got % PROGRESS_EVERY === 0) r.progress(PROGRESS_EVERY);
        if (got === job.msgs) resolve(now());
      },
    });
  });
  await nc.flush();
  void r.ready();
  const endMs = await done;
  return { msgs: got, bytes: got * job.size, startMs, endMs };
}
