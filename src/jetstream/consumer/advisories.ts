/**
 * Consumer advisories and metrics, published in the stream's account as nats-server does (spec §3.12).
 * They are only encoded when someone listens: a dead-letter stream on
 * `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.>` is such a listener.
 */
import type { Account } from "../../server/account.js";
import type { Server } from "../../server/server.js";
import { nanosToRfc3339, nowNanos } from "../../util/nanos.js";
import { nuid } from "../../util/base62.js";
import { goJson } from "../../util/go-json.js";

const ADV = "$JS.EVENT.ADVISORY.CONSUMER";
const TYPE = "io.nats.jetstream.advisory.v1.";

export class ConsumerAdvisories {
  constructor(
    private readonly server: Server,
    private readonly account: Account,
    private readonly stream: string,
    private readonly consumer: string,
    private readonly domain: string | undefined,
  ) {}

  private send(subject: string, type: string, body: Record<string, unknown>): void {
    const r = this.account.sublist.match(subject);
    if (r.plain.length + r.queues.length === 0) return;
    const event: Record<string, unknown> = { type, id: nuid(), timestamp: nanosToRfc3339(nowNanos()), stream: this.stream, consumer: this.consumer, ...body };
    if (this.domain) event.domain = this.domain;
    this.server.publishInternal(this.account, subject, undefined, goJson(event));
  }

  private subject(kind: string): string {
    return `${ADV}.${kind}.${this.stream}.${this.consumer}`;
  }

  created(): void {
    this.send(this.subject("CREATED"), `${TYPE}consumer_action`, { action: "create" });
  }

  deleted(): void {
    this.send(this.subject("DELETED"), `${TYPE}consumer_action`, { action: "delete" });
  }

  maxDeliveries(sseq: number, deliveries: number): void {
    this.send(this.subject("MAX_DELIVERIES"), `${TYPE}max_deliver`, { stream_seq: sseq, deliveries });
  }

  nak(sseq: number, cseq: number, deliveries: number): void {
    this.send(this.subject("MSG_NAKED"), `${TYPE}nak`, { consumer_seq: cseq, stream_seq: sseq, deliveries });
  }

  terminated(sseq: number, cseq: number, deliveries: number, reason: string): void {
    const body: Record<string, unknown> = { consumer_seq: cseq, stream_seq: sseq, deliveries };
    if (reason !== "") body.reason = reason;
    this.send(this.subject("MSG_TERMINATED"), `${TYPE}terminated`, body);
  }

  paused(paused: boolean, pauseUntil: string | undefined): void {
    const body: Record<string, unknown> = { paused };
    if (pauseUntil !== undefined) body.pause_until = pauseUntil;
    this.send(this.subject("PAUSE"), `${TYPE}consumer_pause`, body);
  }

  pinned(group: string, pinnedId: string): void {
    this.send(this.subject("PINNED"), `${TYPE}consumer_group_pinned`, { account: this.account.name, group, pinned_id: pinnedId });
  }

  unpinned(group: string, reason: string): void {
    this.send(this.subject("UNPINNED"), `${TYPE}consumer_group_unpinned`, { account: this.account.name, group, reason });
  }

  /** The sampled ack metric (`sample_freq`); `ackTimeNs` is how long the message waited for its ack. */
  ackMetric(sseq: number, cseq: number, deliveries: number, ackTimeNs: number): void {
    const subject = `$JS.EVENT.METRIC.CONSUMER.ACK.${this.stream}.${this.consumer}`;
    this.send(subject, "io.nats.jetstream.metric.v1.consumer_ack", { consumer_seq: cseq, stream_seq: sseq, ack_time: ackTimeNs, deliveries });
  }
}
