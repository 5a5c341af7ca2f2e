/**
 * Reading a JetStream consumer until told to stop, shared by `sub --stream` and `consumer sub`, and the
 * nats CLI's title line of a JetStream message.
 */
import { isPullConsumer, type Consumer, type JsMsg, type PushConsumer } from "@nats-io/jetstream";
import { comma, localTime } from "./format/units.js";

export interface ConsumeLimits {
  /** Stop after this long without a message (the nats CLI's --wait); none when undefined. */
  idleMs?: number;
  /**
   * At most this many messages are wanted (--count). A pull consumer is then read with fetches of
   * what is still wanted, since consume() asks for more before its callback can stop it, and a
   * --count run would leave messages delivered but unacknowledged.
   */
  total?: number;
}

/**
 * Hands every delivered message to `handle` until it returns true, SIGINT/SIGTERM arrives, the idle
 * limit passes or the consumer's stream of messages closes. The client handles pull requests, flow
 * control and heartbeats.
 */
export async function consumeUntil(consumer: Consumer | PushConsumer, handle: (m: JsMsg) => boolean, limits: ConsumeLimits = {}): Promise<void> {
  if (limits.total !== undefined && isPullConsumer(consumer)) return fetchUntil(consumer, handle, limits.total, limits.idleMs);
  let stopped = false;
  let idle: NodeJS.Timeout | undefined;
  const messages = await consumer.consume({
    callback: (m: JsMsg) => {
      if (stopped) return;
      if (handle(m)) stop();
      else arm();
    },
  });
  function stop(): void {
    if (stopped) return;
    stopped = true;
    clearTimeout(idle);
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    messages.stop();
  }
  function arm(): void {
    if (limits.idleMs === undefined) return;
    clearTimeout(idle);
    idle = setTimeout(stop, limits.idleMs);
  }
  arm();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  await messages.closed();
  stop();
}

/** How long one fetch waits for messages before the next is sent (the idle limit still applies). */
const FETCH_EXPIRES_MS = 5000;

async function fetchUntil(consumer: Consumer, handle: (m: JsMsg) => boolean, total: number, idleMs: number | undefined): Promise<void> {
  let stopped = false;
  let current: { stop(): void } | undefined;
  const stop = () => {
    stopped = true;
    current?.stop();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    let got = 0;
    let quietSince = Date.now();
    while (!stopped && got < total) {
      const wait = idleMs === undefined ? FETCH_EXPIRES_MS : Math.max(1000, Math.min(FETCH_EXPIRES_MS, idleMs - (Date.now() - quietSince)));
      const batch = await consumer.fetch({ max_messages: total - got, expires: wait });
      current = batch;
      for await (const m of batch) {
        got++;
        quietSince = Date.now();
        if (handle(m)) stopped = true;
        if (stopped) break;
      }
      if (idleMs !== undefined && Date.now() - quietSince >= idleMs) break;
    }
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

/** `[#n] Received JetStream message: stream: S seq: N / pending: P / subject: X / time: T`. */
export function jsTitle(m: JsMsg, n: number): string {
  const i = m.info;
  return `[#${n}] Received JetStream message: stream: ${i.stream} seq: ${comma(i.streamSequence)} / pending: ${comma(i.pending)} / subject: ${m.subject} / time: ${localTime(m.time)}`;
}
