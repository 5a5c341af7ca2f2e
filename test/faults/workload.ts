/**
 * The load a fault test runs while it breaks things: publishers that send each message with a
 * `Nats-Msg-Id` and retry it until a PubAck comes back, and a pull consumer with explicit acks. It
 * records what the servers promised — every acknowledged (id, seq), when each attempt was sent and
 * acknowledged — and what the consumer saw, for the checker.
 *
 * Invariants:
 * - a publisher has one message in flight and moves on only once it is acknowledged, so its ids are
 *   acknowledged in order and their sequences must rise;
 * - a message is recorded as acknowledged only from a PubAck (a duplicate PubAck names the original's
 *   sequence); one that was never acknowledged may or may not be in the stream, and nothing is asserted
 *   about it.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { AckPolicy, jetstream, type Consumer, type JetStreamClient } from "@nats-io/jetstream";

export interface Acked {
  readonly id: string;
  readonly seq: number;
  /** When the attempt that got the ack was sent (ms since epoch). */
  readonly sentAt: number;
  readonly ackedAt: number;
  readonly duplicate: boolean;
}

export interface WorkloadOptions {
  urls: string[];
  stream: string;
  /** Publishers publish on `<subject>.<publisher>`. */
  subject: string;
  publishers: number;
  /** The durable pull consumer read during the run (created beforehand); none when undefined. */
  consumer?: string;
  /** A publisher's wait for one PubAck before it retries. */
  ackTimeoutMs?: number;
  /** Pause between a publisher's messages (0: as fast as acks come). */
  gapMs?: number;
}

/**
 * Client options for the fault tests: reconnect forever, notice a silent server within seconds (the
 * client picks the servers in random order, so the load spreads over the nodes).
 */
export function faultClientOptions(urls: string[]): Parameters<typeof connect>[0] {
  return { servers: urls, maxReconnectAttempts: -1, reconnectTimeWait: 100, pingInterval: 1000, maxPingOut: 2, timeout: 2000 };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Workload {
  readonly acked: Acked[] = [];
  /** Failed attempts by error text (timeouts, no responders, 503s...). */
  readonly failures = new Map<string, number>();
  /** Stream sequence -> id, as the consumer received them, and how many deliveries were redeliveries. */
  readonly delivered = new Map<number, string>();
  redeliveries = 0;
  private running = false;
  private consuming = true;
  private readonly loops: Promise<void>[] = [];
  private readonly conns: NatsConnection[] = [];

  constructor(private readonly o: WorkloadOptions) {}

  async start(): Promise<void> {
    this.running = true;
    for (let p = 0; p < this.o.publishers; p++) {
      const nc = await connect(faultClientOptions(this.o.urls));
      this.conns.push(nc);
      this.loops.push(this.publish(jetstream(nc), p));
    }
    if (this.o.consumer !== undefined) {
      const nc = await connect(faultClientOptions(this.o.urls));
      this.conns.push(nc);
      this.loops.push(this.consume(jetstream(nc), this.o.consumer));
    }
  }

  /** Stops publishing now (the message in flight is abandoned, unacknowledged). */
  stopPublishing(): void {
    this.running = false;
  }

  /** Waits until the consumer has received every acknowledged message, or the time is up. */
  async drained(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.acked.every((a) => this.delivered.has(a.seq))) return true;
      await sleep(100);
    }
    return false;
  }

  async close(): Promise<void> {
    this.running = false;
    this.consuming = false;
    await Promise.allSettled(this.loops);
    await Promise.allSettled(this.conns.map((c) => c.close()));
  }

  /** The first PubAck for an attempt sent at or after `t` (ms): when publishing resumed after a fault. */
  firstAckSentAfter(t: number): Acked | undefined {
    let best: Acked | undefined;
    for (const a of this.acked) if (a.sentAt >= t && (!best || a.ackedAt < best.ackedAt)) best = a;
    return best;
  }

  private fail(e: unknown): void {
    const key = (e instanceof Error ? e.message : String(e)).slice(0, 80);
    this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
  }

  private async publish(js: JetStreamClient, p: number): Promise<void> {
    const subject = `${this.o.subject}.${p}`;
    for (let n = 0; this.running; n++) {
      const id = `p${p}-${n}`;
      while (this.running) {
        const sentAt = Date.now();
        try {
          const ack = await js.publish(subject, id, { msgID: id, timeout: this.o.ackTimeoutMs ?? 2000 });
          this.acked.push({ id, seq: ack.seq, sentAt, ackedAt: Date.now(), duplicate: ack.duplicate });
          break;
        } catch (e) {
          this.fail(e);
          await sleep(50);
        }
      }
      if (this.o.gapMs) await sleep(this.o.gapMs);
    }
  }

  private async consume(js: JetStreamClient, name: string): Promise<void> {
    let consumer: Consumer | undefined;
    while (this.consuming) {
      try {
        consumer ??= await js.consumers.get(this.o.stream, name);
        const batch = await consumer.fetch({ max_messages: 200, expires: 1000 });
        for await (const m of batch) {
          if (this.delivered.has(m.seq)) this.redeliveries++;
          this.delivered.set(m.seq, m.string());
          m.ack();
        }
      } catch (e) {
        this.fail(e);
        consumer = undefined;
        await sleep(100);
      }
    }
  }
}

/** The durable pull consumer the workload reads: explicit acks, redelivered after 3 s. */
export const workloadConsumerConfig = (name: string) => ({ durable_name: name, ack_policy: AckPolicy.Explicit, ack_wait: 3_000_000_000, max_ack_pending: 10_000 });
