/**
 * JetStream benchmark clients. Publishers publish with acks, one at a time (--syncpub) or --pubbatch at a
 * time, timing each operation for the latency percentiles. Subscribers read the stream through an
 * ordered consumer each (every subscriber sees every message), or take their share of a durable pull
 * or push consumer and acknowledge each message.
 */
import { createInbox, type NatsConnection } from "@nats-io/transport-node";
import type { Consumer, ConsumerCallbackFn, FetchMessages, JsMsg } from "@nats-io/jetstream";
import { client } from "../jetstream.js";
import { publishSubject, subscribeSubject, type JsJob, type WorkerJob } from "./job.js";
import type { Sample } from "./sample.js";
import { now, PROGRESS_EVERY, type Reporter } from "./reporter.js";

/** Batches progress into PROGRESS_EVERY-sized reports so the parent is not flooded. */
function counter(r: Reporter): (n: number) => void {
  let unreported = 0;
  return (n) => {
    unreported += n;
    if (unreported >= PROGRESS_EVERY) {
      r.progress(unreported);
      unreported = 0;
    }
  };
}

/**
 * Publishes a batch with acks, as the Go client's PublishAsync does: every message carries a reply
 * subject under one wildcard inbox, and the batch is done when every PubAck has arrived. (The JS
 * client's publish() is a full request per message, several times slower than the server.)
 */
function asyncPublisher(nc: NatsConnection, timeoutMs: number): (subjects: string[], payload: Uint8Array) => Promise<void> {
  const inbox = createInbox();
  let waiting = 0;
  let settle: ((err?: Error) => void) | undefined;
  nc.subscribe(`${inbox}.*`, {
    callback: (_err, m) => {
      // A PubAck is {"stream":..,"seq":..}; a refusal is {"error":{..}}.
      const text = new TextDecoder().decode(m.data);
      if (text.includes('"error"')) return settle?.(new Error(`publish refused: ${text}`));
      if (--waiting === 0) settle?.();
    },
  });
  let n = 0;
  return (subjects, payload) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`JS PubAsync ack timeout (pending=${waiting})`)), timeoutMs);
    settle = (err) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    };
    waiting = subjects.length;
    for (const s of subjects) nc.publish(s, payload, { reply: `${inbox}.${n++}` });
  });
}

export async function jsPublish(nc: NatsConnection, job: WorkerJob, js: JsJob, r: Reporter): Promise<Sample> {
  const c = client(nc, { ...job.settings, timeoutMs: js.timeoutMs });
  const batch = asyncPublisher(nc, js.timeoutMs);
  await nc.flush();
  const payload = new Uint8Array(job.size);
  const latenciesUs: number[] = [];
  const count = counter(r);
  const step = js.syncPub ? 1 : js.pubBatch;
  await r.ready();
  const startMs = now();
  for (let i = 0; i < job.msgs; i += step) {
    const n = Math.min(step, job.msgs - i);
    const t = now();
    if (js.syncPub) await c.publish(publishSubject(job, job.offset + i), payload);
    else await batch(Array.from({ length: n }, (_, j) => publishSubject(job, job.offset + i + j)), payload);
    latenciesUs.push((now() - t) * 1000);
    count(n);
  }
  return { msgs: job.msgs, bytes: job.msgs * job.size, startMs, endMs: now(), latenciesUs };
}

/** Fetches kept outstanding at once, so the server always has a request to fill while one is read. */
const PULLS_IN_FLIGHT = 2;

/**
 * Takes exactly `share` messages from a shared pull consumer and acknowledges each: fetches of at most
 * --consumerbatch, two outstanding, never asking for more than the share (messages over it would sit
 * unacknowledged in a stopped subscriber until the ack wait, stalling the others). Messages come to a
 * callback: the client's async iterator costs about as much per message as all the rest (measured,
 * 22-29k/s with `for await` against 35-56k/s with the callback, on nats-server, one subscriber).
 * Profiled (--cpu-prof, nats-server, one subscriber), the client spends ~5.5 us of CPU per message: its
 * MSG parser, the JsMsg, encoding each +ACK's PUB line, GC, and the socket writes; this function's share
 * is negligible. Neither bigger fetches (500, today's nats CLI default: ~10% less CPU, no more msgs/s,
 * sometimes fewer) nor more of them in flight nor consume() (as today's nats CLI reads; it also cannot
 * stop at the share, the JS client has no StopAfter) beat this in alternating runs on a loaded 2-core box.
 */
function pullShare(consumer: Consumer, share: number, js: JsJob, take: () => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let requested = 0;
    let got = 0;
    let inFlight = 0;
    const request = async (): Promise<void> => {
      while (inFlight < PULLS_IN_FLIGHT && requested < share) {
        const n = Math.min(js.consumerBatch, share - requested);
        requested += n;
        inFlight++;
        let delivered = 0;
        const callback: ConsumerCallbackFn = (m: JsMsg) => {
          delivered++;
          got++;
          take();
          m.ack();
          if (got === share) resolve();
        };
        // fetch() takes a callback as consume() does (the client builds both the same way); its type omits it.
        const batch = await consumer.fetch({ max_messages: n, expires: js.timeoutMs, callback } as FetchMessages);
        void batch.closed().then(() => {
          inFlight--;
          // An expired fetch that brought fewer than asked: ask again for the rest.
          requested -= n - delivered;
          if (delivered === 0 && got < share) return reject(new Error(`pull consumer ${js.consumer} delivered nothing for ${js.timeoutMs / 1000}s`));
          return request();
        }, reject);
      }
    };
    request().catch(reject);
  });
}

export async function jsSubscribe(nc: NatsConnection, job: WorkerJob, js: JsJob, r: Reporter): Promise<Sample> {
  const c = client(nc, { ...job.settings, timeoutMs: js.timeoutMs });
  const count = counter(r);
  let startMs = 0;
  let got = 0;
  const take = () => {
    if (got === 0) startMs = now();
    got++;
    count(1);
  };
  if (js.mode === "push") {
    const done = new Promise<void>((resolve) => {
      nc.subscribe(`${js.consumer}-DELIVERY`, {
        queue: `${js.consumer}-GROUP`,
        // Each member takes exactly its share; once it leaves the group the others get the rest.
        max: job.msgs,
        callback: (_err, m) => {
          take();
          m.respond();
          if (got === job.msgs) resolve();
        },
      });
    });
    await nc.flush();
    void r.ready();
    await done;
  } else if (js.mode === "pull") {
    const consumer = await c.consumers.get(js.stream, js.consumer);
    void r.ready();
    await pullShare(consumer, job.msgs, js, () => take());
  } else {
    const consumer = await c.consumers.get(js.stream, { filter_subjects: subscribeSubject(job) });
    void r.ready();
    const messages = await consumer.consume({
      callback: (_m: JsMsg) => {
        take();
        if (got === job.msgs) messages.stop();
      },
    });
    await messages.closed();
    // The server would reap the idle ordered consumer after a while; the run leaves none behind.
    await consumer.delete().catch(() => undefined);
  }
  await nc.flush();
  return { msgs: got, bytes: got * job.size, startMs, endMs: now() };
}
